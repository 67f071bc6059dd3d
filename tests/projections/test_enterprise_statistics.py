"""The enterprise's quarterly 统计分析表 (issue 13 point 6) against the county's 统计分析表 and the
record as it stood: the same hazards counted the same way by two code paths, 五到位 from steps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from projections import reports
from projections.operations import catch_up
from projections.queries.enterprise_statistics import enterprise_row, enterprise_statistics
from projections.queries.statistics import Period
from projections.readmodels import ReadModels
from tests.projections.conftest import OWNER

PLAN = {k: "内容" for k in ("objectives", "measures", "funds", "organisation", "timeline", "safety_measures")}
SAME = (("general_found", "general_found"), ("general_open", "general_open"), ("major_found", "major_found"),
        ("major_open", "major_open"), ("major_in_plan", "major_open_with_plan"),
        ("major_overdue", "major_overdue"), ("funds", "funds"))


def test_a_simulated_year_agrees_with_the_county_table(simulated, sim_env):
    """Seed 4 at scale 0.01: for every enterprise with hazards and every quarter of 2025, the
    enterprise's table equals its row of the county's 统计分析表; every major hazard found has
    its responsible person and deadline, and the plan-derived 到位 counts equal major_found
    less those without a plan."""
    catch_up(sim_env, ["ledger", "activity"])
    rm = ReadModels(sim_env)
    try:
        checked = majors = 0
        for quarter in ("2025Q1", "2025Q2", "2025Q3", "2025Q4"):
            period = Period.parse(quarter)
            county = reports.statistics(rm, period, "enterprise", {}, None, None)["rows"]
            for row in (r for r in county if r["found"]):
                mine = enterprise_statistics(rm.ledger, enterprise_row(rm.ledger, row["enterprise_id"]),
                                             period, today=date(2025, 12, 31))
                assert {a: Decimal(row[a]) for a, _ in SAME} == {a: Decimal(mine[b]) for a, b in SAME}
                planned = sum(h["plan_filed_on"] is not None for h in mine["major_hazards"]
                              if period.start <= h["discovered_on"] <= period.end)
                assert mine["five"]["measures"] == mine["five"]["emergency"] == planned
                assert mine["five"]["responsibility"] <= mine["major_found"]
                checked, majors = checked + 1, majors + mine["major_found"]
        assert checked > 50 and majors > 0  # 77 enterprise-quarters, all agreeing
    finally:
        rm.close()


def test_known_at_leaves_out_what_was_recorded_later(scenario, refresh, read_models):
    """A plan filed (business date in May) but recorded after a moment does not count at it."""
    s = scenario
    h = s.hazard(date(2026, 5, 4), level="major")
    s.assign(h, date(2026, 5, 4), date(2026, 6, 30))
    refresh()
    before_plan = datetime.now(UTC)
    s.app.file_rectification_plan(OWNER, h, parts=PLAN, filed_on=date(2026, 5, 10))
    refresh()
    period, row = Period.parse("2026Q2"), enterprise_row(read_models.ledger, s.enterprise)
    now = enterprise_statistics(read_models.ledger, row, period, today=date(2026, 6, 30))
    then = enterprise_statistics(read_models.ledger, row, period, today=date(2026, 6, 30), known_at=before_plan)
    assert (now["major_open_with_plan"], now["five"]["measures"], now["five_all"]) == (1, 1, 1)
    assert (then["major_open_with_plan"], then["five"]["measures"], then["five"]["deadline"]) == (0, 0, 1)
    as_of_april = enterprise_statistics(read_models.ledger, row, Period.parse("2026Q2"), today=date(2026, 4, 30))
    assert (as_of_april["as_of"], as_of_april["complete"], as_of_april["major_found"]) == (date(2026, 4, 30), False, 0)
