"""整改率, 三不放过 totals and the 统计分析表 on a small ledger whose answers are known."""

from __future__ import annotations

from datetime import date

import pytest

from projections import reports
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page
from projections.queries.statistics import Period
from tests.projections.conftest import TOWNSHIP


@pytest.fixture
def april_may(scenario, refresh):
    """April: one on time and closed, one rectified late. May: one overdue, one withdrawn."""
    s = scenario
    s.closed_general(date(2026, 4, 10), date(2026, 4, 30), date(2026, 4, 20), date(2026, 4, 25))
    late = s.hazard(date(2026, 4, 10))
    s.assign(late, date(2026, 4, 10), date(2026, 4, 20))
    s.rectify(late, date(2026, 5, 5))
    overdue = s.hazard(date(2026, 5, 1))
    s.assign(overdue, date(2026, 5, 1), date(2026, 5, 10))
    s.app.withdraw_hazard(TOWNSHIP, s.hazard(date(2026, 5, 2)), reason="误报")
    refresh()
    return s


def _rates(rm, as_of, by="county", period="month", **filters):
    result = reports.rates(rm, Moment(as_of=as_of), Filters(**filters), by, period)
    return {g["period"]: g for g in result["groups"]}, result["total"]


def test_rates_follow_their_written_definitions(april_may, read_models):
    groups, total = _rates(read_models, None)  # today: the withdrawal (recorded today) counts
    assert {k: groups["2026-04"][k] for k in ("found", "rectified", "on_time", "closed", "overdue", "due")} == {
        "found": 2, "rectified": 2, "on_time": 1, "closed": 1, "overdue": 0, "due": 2}
    assert (groups["2026-04"]["rate"], groups["2026-04"]["on_time_rate"]) == (1.0, 0.5)
    assert (groups["2026-05"]["found"], groups["2026-05"]["overdue"], groups["2026-05"]["rate"]) == (1, 1, 0.0)
    assert (total["found"], total["rectified"], total["rate"], total["on_time_rate"]) == (3, 2, 0.6667, 0.3333)


def test_rates_as_of_a_date(april_may, read_models):
    groups, _ = _rates(read_models, date(2026, 4, 30))
    assert set(groups) == {"2026-04"}  # nothing found in May yet
    assert {k: groups["2026-04"][k] for k in ("found", "rectified", "overdue")} == {
        "found": 2, "rectified": 1, "overdue": 1}
    # a withdrawal has no business date of its own: it takes its record date (today), so on
    # 30 June the false report still counts as found
    groups, _ = _rates(read_models, date(2026, 6, 30))
    assert groups["2026-05"]["found"] == 2


def test_rates_by_township_quarter_and_agency(april_may, read_models):
    groups, _ = _rates(read_models, date(2026, 6, 30), by="township", period="quarter")
    assert list(groups) == ["2026-Q2"] and groups["2026-Q2"]["name"] == "西店镇"
    groups, _ = _rates(read_models, date(2026, 6, 30), by="agency", period="year")
    assert groups["2026"]["name"] == "宁海安评咨询有限公司" and groups["2026"]["found"] == 4


def test_compliance_per_hazard_and_totals(april_may, read_models):
    result = reports.compliance(read_models, Moment(as_of=date(2026, 6, 30)), Filters(), Page(1, 50))
    assert result["total"] == 4 and result["policy"]["responsibility_days"] == 7
    township = result["totals"]["by_township"][0]
    assert (township["key"], township["name"], township["hazards"]) == ("330226011", "西店镇", 4)
    # the false report (withdrawn only today) has had no responsible person for 59 days
    assert township["responsibility"] == {"met": 3, "pending": 0, "violated": 1}
    # the overdue one (deadline 10 May) and the late one (overdue 21 April – 5 May) had no enforcement
    assert township["enforcement"] == {"met": 2, "pending": 0, "violated": 2}
    # closed after review: met; rectified 5 May, never reviewed: violated; overdue: violated
    assert township["elimination"] == {"met": 1, "pending": 1, "violated": 2}
    assert (township["all_met"], township["any_violated"]) == (1, 3)
    violated = reports.compliance(read_models, Moment(as_of=date(2026, 6, 30)), Filters(), Page(1, 50),
                                  check="elimination", state="violated")
    whys = sorted(i["checks"]["elimination"]["why"] for i in violated["items"])
    assert whys == ["整改完成 56 日仍未复查通过（时限 15 日）", "逾期 51 日未整改（整改期限 2026-05-10）"]
    today = reports.compliance(read_models, Moment(), Filters(), Page(1, 50))
    assert today["totals"]["by_sector"][0]["hazards"] == 3  # withdrawn reports are not judged


def test_statistics_per_township_and_enterprise(april_may, read_models):
    quarter = Period.parse("2026Q2")
    assert (quarter.start, quarter.end, quarter.due_on) == (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 15))
    assert Period.parse("2025").due_on == date(2026, 1, 31)
    assert Period.parse("2026-Q1").end == date(2026, 3, 31)
    (town,) = reports.statistics(read_models, quarter, "township", {}, None, None)["rows"]
    assert (town["township_name"], town["enterprises"], town["inspected"], town["monthly_contract"]) == (
        "西店镇", 1, 1, 1)
    # as at 30 June: the false report withdrawn only today still counts (see test_rates_as_of_a_date)
    assert (town["general_found"], town["general_open"], town["found"], town["rectified"]) == (4, 2, 4, 2)
    assert town["coverage"] == 1.0 and town["rate"] == 0.5
    (firm,) = reports.statistics(read_models, quarter, "enterprise", {}, None, Page(1, 10))["rows"]
    assert (firm["name"], firm["inspections"], firm["zero_hazard"], str(firm["funds"])) == (
        "宁海县某化工有限公司", 1, False, "1601.00")
    first = reports.statistics(read_models, Period.parse("2026Q1"), "township", {}, None, None)["rows"]
    assert first[0]["found"] == 0 and first[0]["inspected"] == 0


def test_statistics_scope_of_an_agency(april_may, read_models):
    mine = reports.statistics(read_models, Period.parse("2026"), "enterprise",
                              {"agency_id": april_may.agency}, None, None)
    other = reports.statistics(read_models, Period.parse("2026"), "enterprise", {"agency_id": "x"}, None, None)
    assert len(mine["rows"]) == 1 and other["rows"] == []
