"""A ledger row follows its hazard's events (pure: domain events, no database)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from domain.actor import Actor, Role
from domain.credit_code import make
from domain.hazard import Hazard
from domain.parties import Enterprise
from projections.views import hazard_rows

TODAY = date(2026, 6, 30)
PEOPLE = {r: Actor(f"{r}-1", r, str(r)) for r in Role}
PLAN = dict(objectives="目标", measures="措施", funds="经费", organisation="机构", timeline="时限",
            safety_measures="应急预案")


def _replay(hazard: Hazard) -> tuple[dict, list]:
    events = hazard.collect_events()
    row, dates = hazard_rows.reported(events[0]), [events[0].discovered_on]
    for event in events[1:]:
        row, day = hazard_rows.apply(row, event)
        dates.append(day)
    return row, dates


def _hazard(level: str = "general") -> Hazard:
    firm = Enterprise.register(credit_code=make("91330226MA0000001"), name="某厂", township="330226011",
                               sector="chem", scale="small_micro", actor=PEOPLE[Role.BUREAU])
    return Hazard.report(enterprise=firm, inspection=None, source="government_check",
                         category="unsafe_condition", description="配电箱未接地", level=level,
                         discovered_on=date(2026, 5, 1), today=TODAY, actor=PEOPLE[Role.REGULATOR])


def test_a_general_hazard_row_records_each_step_and_its_business_date():
    h = _hazard()
    h.assign_responsibility(responsible_person="王五", deadline=date(2026, 5, 20),
                            assigned_on=date(2026, 5, 2), today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.report_rectification(evidence=["a.jpg"], cost="800.50", rectified_on=date(2026, 5, 10),
                           today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.review_rectification(passed=False, notes="", reviewed_on=date(2026, 5, 12), today=TODAY,
                           actor=PEOPLE[Role.TOWNSHIP])
    h.report_rectification(evidence=["b.jpg"], cost="900", rectified_on=date(2026, 5, 15),
                           today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.review_rectification(passed=True, notes="", reviewed_on=date(2026, 5, 16), today=TODAY,
                           actor=PEOPLE[Role.TOWNSHIP])
    h.close(closed_on=date(2026, 6, 5), today=TODAY, actor=PEOPLE[Role.BUREAU])
    row, dates = _replay(h)
    assert (row["status"], row["closed_on"], row["review_passed_on"]) == ("closed", date(2026, 6, 5), date(2026, 5, 16))
    assert (row["rectified_on"], row["rectification_cost"], row["failed_reviews"]) == (
        date(2026, 5, 15), Decimal("900"), 1)
    assert dates == [date(2026, 5, d) for d in (1, 2, 10, 12, 15, 16)] + [date(2026, 6, 5)]


def test_a_failed_review_sends_the_row_back_to_rectifying():
    h = _hazard()
    h.assign_responsibility(responsible_person="王五", deadline=date(2026, 5, 20),
                            assigned_on=date(2026, 5, 2), today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.report_rectification(evidence=["a.jpg"], cost="1", rectified_on=date(2026, 5, 10),
                           today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.review_rectification(passed=False, notes="", reviewed_on=date(2026, 5, 12), today=TODAY,
                           actor=PEOPLE[Role.AGENCY])
    row, _ = _replay(h)
    assert (row["status"], row["rectified_on"], row["failed_reviews"]) == ("assigned", None, 1)


def test_a_major_hazard_row_keeps_plan_supervision_enforcement_and_joint_review():
    h = _hazard("major")
    h.assign_responsibility(responsible_person="王五", deadline=date(2026, 6, 20),
                            assigned_on=date(2026, 5, 2), today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.file_rectification_plan(parts=PLAN, filed_on=date(2026, 5, 3), today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    h.list_for_supervision(level="county", document_no="宁安委办〔2026〕1号", listed_on=date(2026, 5, 4),
                           today=TODAY, actor=PEOPLE[Role.BUREAU])
    h.record_enforcement(kind="suspend", document_no="宁应急〔2026〕9号", taken_on=date(2026, 5, 5),
                         today=TODAY, actor=PEOPLE[Role.REGULATOR])
    h.report_rectification(evidence=["a.jpg"], cost="5000", rectified_on=date(2026, 6, 1),
                           today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    for role, day in ((Role.TOWNSHIP, 2), (Role.REGULATOR, 3), (Role.AGENCY, 4)):
        h.review_rectification(passed=True, notes="", reviewed_on=date(2026, 6, day), today=TODAY,
                               actor=PEOPLE[role])
    row, dates = _replay(h)
    assert (row["plan_filed_on"], row["supervision_level"], row["listed_on"]) == (
        date(2026, 5, 3), "county", date(2026, 5, 4))
    assert (row["enforcement_count"], row["first_enforced_on"], row["last_enforcement_kind"]) == (
        1, date(2026, 5, 5), "suspend")
    assert (row["joint_parties"], row["joint_review_on"]) == ("agency,regulator,township", date(2026, 6, 4))
    assert dates[-3:] == [date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 4)]


def test_undated_steps_take_their_record_date_in_shanghai():
    h = _hazard()
    h.assign_responsibility(responsible_person="王五", deadline=date(2026, 5, 20),
                            assigned_on=date(2026, 5, 2), today=TODAY, actor=PEOPLE[Role.ENTERPRISE])
    # an old direct extension (no command writes one since issue 14; stored ones still count)
    h.trigger_event(Hazard.DeadlineExtended, previous=date(2026, 5, 20), deadline=date(2026, 6, 20),
                    reason="设备采购", actor=PEOPLE[Role.TOWNSHIP].record())
    h.regrade(level="major", reason="复核", actor=PEOPLE[Role.BUREAU])
    events = h.collect_events()
    for e in events[2:]:  # 23:30 UTC on 1 June is 07:30 on 2 June in Shanghai
        object.__setattr__(e, "timestamp", datetime(2026, 6, 1, 23, 30, tzinfo=timezone.utc))
    row = hazard_rows.reported(events[0])
    row, _ = hazard_rows.apply(row, events[1])
    row, extended_on = hazard_rows.apply(row, events[2])
    row, regraded_on = hazard_rows.apply(row, events[3])
    assert extended_on == regraded_on == date(2026, 6, 2)
    assert (row["deadline"], row["original_deadline"], row["extensions"], row["level"]) == (
        date(2026, 6, 20), date(2026, 5, 20), 1, "major")


def test_an_old_listing_after_a_cancelled_notice_carries_no_paperwork_of_the_old_notice():
    """挂牌督办 (issue 14 §1): each listing's row starts afresh, whichever way it was made."""
    h = _hazard()
    bureau = PEOPLE[Role.BUREAU]
    h.issue_listing(level="county", government="宁海县人民政府", department="宁海县应急管理局",
                    document_no="宁政督〔2026〕第3号", finish_days=30, plan_days=15, signatory="王县长",
                    issued_on=date(2026, 5, 2), today=TODAY, actor=bureau)
    h.serve_listing(served_by="李四", served_on=date(2026, 5, 3), today=TODAY, actor=bureau)
    h.cancel_listing(reason="文号有误", document_no="撤1号", cancelled_on=date(2026, 5, 4), today=TODAY,
                     actor=bureau)
    h.list_for_supervision(level="city", document_no="督1号", listed_on=date(2026, 5, 5), today=TODAY,
                           actor=bureau)
    row, dates = _replay(h)
    assert (row["listing_state"], row["supervision_level"], row["listed_on"]) == ("listed", "city", date(2026, 5, 5))
    assert row["listing_department"] is row["listing_served_on"] is row["listing_cancelled_on"] is None
    assert dates[1:] == [date(2026, 5, d) for d in (2, 3, 4, 5)]
