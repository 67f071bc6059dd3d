"""Enterprise self-reports (自查自报): one per enterprise and month, the month's own hazards or
"none found", on time up to the grace day. Pure: the filing date is passed in."""

from __future__ import annotations

from datetime import date

import pytest

from domain.self_report import SelfReport, SelfReportPolicy, report_id

from .conftest import AGENCY, BUREAU, ENTERPRISE, REGULATOR, TOWNSHIP, enterprise, hazard, refused, rejected

POLICY = SelfReportPolicy()


def filed(ent, *, month="2026-06", hazards=(), none_found=False, on=date(2026, 7, 5), actor=ENTERPRISE,
          policy=POLICY, existing=None) -> SelfReport:
    return SelfReport.file(enterprise=ent, month=month, hazards=list(hazards), none_found=none_found,
                           filed_on=on, policy=policy, actor=actor, existing=existing)


def test_a_month_is_due_on_the_grace_day_of_the_next():
    assert POLICY.due("2026-06") == date(2026, 7, 5)
    assert POLICY.due("2026-12") == date(2027, 1, 5)
    assert SelfReportPolicy(grace_day=15).due("2026-01") == date(2026, 2, 15)
    assert not POLICY.late("2026-06", date(2026, 7, 5)) and POLICY.late("2026-06", date(2026, 7, 6))
    for bad in (0, 29):
        with pytest.raises(ValueError, match="grace_day"):
            SelfReportPolicy(grace_day=bad)


def test_the_enterprise_files_its_months_hazards_on_time():
    ent = enterprise()
    june = hazard(ent=ent, discovered_on=date(2026, 6, 1))
    report = filed(ent, hazards=[june, june])
    assert report.id == report_id(str(ent.id), "2026-06")
    assert (report.month, report.hazard_ids, report.none_found) == ("2026-06", [str(june.id)], False)
    assert (report.filed_on, report.due_on, report.late, report.proxy) == (date(2026, 7, 5), date(2026, 7, 5), False, False)
    assert (report.township, report.sector) == (ent.township, ent.sector)


def test_a_late_paper_report_recorded_by_the_township_is_stored_and_flagged():
    report = filed(enterprise(), none_found=True, on=date(2026, 7, 6), actor=TOWNSHIP)
    assert (report.late, report.proxy, report.none_found, report.hazard_ids) == (True, True, True, [])
    assert filed(enterprise(), none_found=True, actor=BUREAU).proxy


def test_only_the_enterprise_or_an_office_recording_paper_files():
    for who in (AGENCY, REGULATOR):
        with pytest.raises(Exception) as info:
            filed(enterprise(), none_found=True, actor=who)
        assert info.value.rule == "self-report-by-enterprise" and info.value.about_who


def test_a_second_filing_for_the_month_is_refused_and_an_amendment_replaces():
    ent = enterprise()
    first = filed(ent, none_found=True)
    with pytest.raises(Exception) as info:
        filed(ent, none_found=True, existing=first)
    assert info.value.rule == "self-report-once-a-month" and str(first.id) in info.value.message
    june = hazard(ent=ent, discovered_on=date(2026, 6, 20))
    first.amend(enterprise=ent, hazards=[june], none_found=False, filed_on=date(2026, 7, 9), policy=POLICY,
                actor=ENTERPRISE)
    assert (first.hazard_ids, first.none_found, first.late) == ([str(june.id)], False, False)
    assert first.amendments == [{"filed_on": date(2026, 7, 9), "late": True, "proxy": False,
                                 "hazard_ids": [str(june.id)], "none_found": False}]
    refused(first, "self-report-by-enterprise", first.amend, enterprise=ent, hazards=[], none_found=True,
            filed_on=date(2026, 7, 9), policy=POLICY, actor=AGENCY)
    refused(first, "self-report-hazards-of-month", first.amend, enterprise=ent,
            hazards=[hazard(ent=ent, discovered_on=date(2026, 5, 31))], none_found=False,
            filed_on=date(2026, 7, 9), policy=POLICY, actor=ENTERPRISE)
    rejected(first, "none_found", first.amend, enterprise=ent, hazards=[], none_found=False,
             filed_on=date(2026, 7, 9), policy=POLICY, actor=ENTERPRISE)


def test_listed_hazards_are_this_enterprises_found_that_month():
    ent = enterprise()
    for other in (hazard(discovered_on=date(2026, 6, 1)), hazard(ent=ent, discovered_on=date(2026, 5, 31)),
                  hazard(ent=ent, discovered_on=date(2026, 7, 1), today=date(2026, 7, 5))):
        with pytest.raises(Exception) as info:
            filed(ent, hazards=[other])
        assert info.value.rule == "self-report-hazards-of-month" and str(other.id) in info.value.message


@pytest.mark.parametrize("month, hazards, none_found, field", [
    ("2026-08", False, True, "month"),   # in the future (filed 5 July)
    ("2026-13", False, True, "month"),
    ("2026-6", False, True, "month"),
    ("1989-12", False, True, "month"),
    ("2026-06", True, True, "none_found"),   # both
    ("2026-06", False, False, "none_found"),  # neither
])
def test_bad_filings_name_the_field(month, hazards, none_found, field):
    ent = enterprise()
    listed = [hazard(ent=ent, discovered_on=date(2026, 6, 1))] if hazards else []
    with pytest.raises(Exception) as info:
        filed(ent, month=month, hazards=listed, none_found=none_found)
    assert info.value.field == field, info.value


def test_the_current_month_may_be_filed_before_it_ends():
    assert filed(enterprise(), month="2026-07", none_found=True).due_on == date(2026, 8, 5)
