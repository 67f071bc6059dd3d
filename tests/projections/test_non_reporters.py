"""自查自报 in the activity view and the non-reporters (未报名单) of a month, on a small world
with known answers (tests/projections/test_accountability.py: build_world): E1 inspected monthly
by agency A1 (none in April), E2 a comprehensive inspection by A1 in April and its own `self`
check in March, E3 nothing at all."""

from __future__ import annotations

from datetime import date

import pytest

from projections.queries.self_reports import non_reporters, self_reports
from tests.projections.test_accountability import BUREAU, OWNER, build_world


@pytest.fixture
def world(ledger, refresh):
    w = build_world(ledger)
    # E2 lists its May hazard (filed 30 June: after the 5 June grace day, so late), then amends it
    # to "none found"; the bureau files E3's June report from paper (代报); E1 files nothing.
    may = ledger.file_self_report(OWNER, enterprise_id=w.e2, month="2026-05", hazard_ids=[w.hazards["h4"]],
                                  none_found=False).id
    ledger.amend_self_report(OWNER, may, hazard_ids=[], none_found=True)
    ledger.file_self_report(BUREAU, enterprise_id=w.e3, month="2026-06", hazard_ids=[], none_found=True)
    refresh()
    return w


def _ask(rm, month, scope=None, township=None):
    return non_reporters(rm.activity, month, scope=scope or {}, reference=rm.reference,
                         due_on=date(2026, 7, 5), township=township)


def _names(result):
    return [i["name"] for i in result["items"]]


def test_a_month_lists_who_neither_reported_nor_was_inspected_by_an_agency(world, read_models):
    may = _ask(read_models, "2026-05")  # E1 inspected on 12 May, E2 reported (late)
    assert _names(may) == ["丙建筑"]
    assert {k: may[k] for k in ("enterprises", "self_reported", "late", "proxy", "none_found",
                                "inspected_by_agency", "inspected_only", "non_reporters")} == {
        "enterprises": 3, "self_reported": 1, "late": 1, "proxy": 0, "none_found": 1,
        "inspected_by_agency": 1, "inspected_only": 1, "non_reporters": 1}
    item = may["items"][0]
    assert (item["township"], item["township_name"], item["sector_name"], item["last_reported_month"]) == (
        "330226002", "桃源街道", "建筑施工", None)

    # April: no inspection of E1, E2's comprehensive one by the agency counts
    assert _names(_ask(read_models, "2026-04")) == ["甲化工", "丙建筑"]
    # March: E2's own `self` inspection is no agency inspection and no self-report
    assert _names(_ask(read_models, "2026-03")) == ["乙五金", "丙建筑"]
    # June: E3's 代报 counts, E1 inspected on 25 June; E2 did neither, last reported May
    june = _ask(read_models, "2026-06")
    assert _names(june) == ["乙五金"] and june["items"][0]["last_reported_month"] == "2026-05"
    assert (june["self_reported"], june["proxy"], june["late"]) == (1, 1, 0)


def test_township_filter_and_scopes_never_widen(world, read_models):
    assert _names(_ask(read_models, "2026-04", township="330226002")) == ["丙建筑"]
    assert _names(_ask(read_models, "2026-04", {"township": "330226001"})) == ["甲化工"]
    assert _ask(read_models, "2026-04", {"township": "330226001"}, township="330226002")["items"] == []
    assert _names(_ask(read_models, "2026-04", {"enterprise_id": world.e1})) == ["甲化工"]
    assert _names(_ask(read_models, "2026-04", {"sector": "construction"})) == ["丙建筑"]
    agency = _ask(read_models, "2026-04", {"agency_id": world.a1})
    assert (agency["enterprises"], agency["items"]) == (0, [])  # no agency's records


def test_the_self_reports_read_model_keeps_first_filing_and_current_content(world, read_models):
    rows = self_reports(read_models.activity, "2026-05", scope={}, reference=read_models.reference)
    assert [(r["name"], r["filed_on"], r["late"], r["proxy"], r["none_found"], r["hazards"], r["amendments"])
            for r in rows] == [("乙五金", date(2026, 6, 30), True, False, True, 0, 1)]
    june = self_reports(read_models.activity, "2026-06", scope={}, reference=read_models.reference)
    assert [(r["name"], r["late"], r["proxy"], r["none_found"], r["hazards"]) for r in june] == [
        ("丙建筑", False, True, True, 0)]
    assert self_reports(read_models.activity, "2026-06", scope={"enterprise_id": world.e1},
                        reference=read_models.reference) == []
