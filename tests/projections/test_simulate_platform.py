"""`hazard simulate`'s service platform, ratings, 考评 and reward fund (issue 15 §5–6,
services/simulate_platform.py): plausible proportions, and the read models agree."""

from __future__ import annotations

from datetime import date

from psycopg import sql

from projections.operations import catch_up
from projections.oversight_policy import OversightPolicy, grade_thresholds
from projections.queries import assessments as q
from projections.readmodels import ReadModels


def _count(rm, table: str, where: str = "TRUE") -> int:
    with rm.activity.datastore.transaction(commit=False) as curs:
        curs.execute(sql.SQL(f"SELECT count(*) AS n FROM {{}} WHERE {where}").format(rm.activity.table(table)))
        return curs.fetchone()["n"]


def test_the_platform_and_the_years_assessments(simulated, sim_env):
    s = simulated.summary
    p = s["platform"]
    assert s["failures"] == {}
    # seed 4, scale 0.01: 300 enterprises, about 2 % post a need
    assert (p["needs"], p["offers"], p["accepted"], p["needs_withdrawn"]) == (10, 15, 10, 0)
    assert p["offers"] >= p["needs"] and 0 < p["ratings"] <= p["accepted"]
    assert p["reward_allocated"] == 260000 <= 300000
    # every township (18) and sector regulator (11) scored, and about half the enterprises with hazards
    # (those of the groups' and associations' 互查 among them; 59 since the platform asks for no monthly service)
    assert p["assessments"] == 59
    catch_up(sim_env)
    rm = ReadModels(sim_env)
    try:
        assert _count(rm, "activity_needs") == p["needs"]
        assert _count(rm, "activity_needs", "status = 'accepted'") == p["accepted"]
        assert _count(rm, "activity_offers") == p["offers"]
        assert _count(rm, "activity_ratings") == p["ratings"]
        assert _count(rm, "activity_assessments") == p["assessments"]
        towns = q.townships(rm, 2025, scope={}, reference=rm.reference,
                            goal=OversightPolicy.load().coverage_goal, thresholds=grade_thresholds(),
                            day=date(2025, 12, 31))
        assert len(towns["items"]) == 18 and all(t["complete"] and t["grade"] for t in towns["items"])
        assert sum(towns["grades"].values()) == 18
        [fund] = q.reward_funds(rm, rm.reference, year=2025)
        assert (fund["amount"], fund["allocated"], fund["remaining"]) == (300000, 260000, 40000)
        assert all(a["recipient_name"] != a["recipient"] for d in fund["decisions"] for a in d["awards"])
    finally:
        rm.close()
