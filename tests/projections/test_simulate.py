"""`hazard simulate`: Ninghai's year at small scale, deterministic, and the read models agree."""

from __future__ import annotations

from collections import Counter
from datetime import date

import psycopg
from psycopg import sql

from infra.postgres import event_store_env
from projections import reports
from projections.operations import catch_up
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page
from projections.queries.statistics import Period
from projections.readmodels import ReadModels
from services.application import HazardLedger
from services.simulate import NINGHAI, simulate

VOLATILE = ("seconds", "commands_per_second")


def test_scale_001_is_ninghai_in_miniature(simulated):
    s = simulated.summary  # its speed is printed by `hazard simulate`, not asserted: the machine is shared
    assert s["failures"] == {}
    assert (s["enterprises"], s["comprehensive_enterprises"], s["monthly_contracts"]) == (300, 33, 7)
    assert s["inspections"]["comprehensive"] == 33 and s["inspections"]["monthly"] > 7 * 8
    g = s["mutual_help"]  # issue 15: groups and associations, their 互查 and the hazards these found
    assert s["hazards"] - g["group_hazards"] - g["association_hazards"] == round(NINGHAI["hazards"] * 0.01) == 448
    assert (g["groups"], g["associations"]) == (2, 1) and g["group_members"] >= 8
    assert s["inspections"]["mutual"] == g["group_members"] and s["inspections"]["association"] >= 1
    assert 0 < g["group_hazards"] + g["association_hazards"] < 0.05 * s["hazards"]
    assert 0.005 < s["major"] / s["hazards"] < 0.03 and s["supervised"] >= 1
    assert s["overdue_at_year_end"] > 0 and s["enforcement_actions"] > 0
    assert 0.85 < s["rectification_rate"] < 1
    el = s["electricity"]  # 智慧用电 (issue 15 §4): 8 % of enterprises with devices, a few bursts a year
    assert el["enterprises_with_devices"] == 24 and el["alarms"] > 10 * el["enterprises_with_devices"]
    assert 0 < el["hazards_raised"] < el["enterprises_with_devices"] and el["closed"] <= el["rectified"]


def test_the_same_seed_gives_the_same_year_on_one_thread_or_several(database_url):
    """On several threads a day's commands for different enterprises run side by side, so the
    store's order of events differs; the figures, the events of each kind, each aggregate's
    own history and the photos' bytes (their hashes) do not."""
    runs = []
    for threads in (1, 4):
        schema = f"t_sim_{threads}_{id(runs)}"
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            app = HazardLedger(event_store_env(database_url, schema=schema, pool_size=2),
                               clock=lambda: date(2025, 12, 31))
            summary = simulate(app, seed=7, scale=0.002, threads=threads)
            notifications = app.recorder.select_notifications(start=1, limit=100_000)
            app.close()
            with psycopg.connect(database_url, autocommit=True) as conn:  # the photos: same bytes
                photos = sorted(r[0] for r in conn.execute(
                    sql.SQL("SELECT sha256 FROM {}").format(sql.Identifier(schema, "files"))))
        finally:
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        histories: dict = {}
        for n in notifications:
            histories.setdefault(n.originator_id, []).append((n.originator_version, n.topic))
        runs.append(({k: v for k, v in summary.items() if k not in VOLATILE},
                     Counter(n.topic for n in notifications), sorted(histories.values()), photos))
    assert runs[0] == runs[1]
    groups = runs[0][0]["mutual_help"]  # issue 15: hazards found in group and association 互查 besides
    assert runs[0][0]["hazards"] - groups["group_hazards"] - groups["association_hazards"] == 90
    assert runs[0][0]["failures"] == {}
    assert runs[0][0]["photos_attached"] == len(runs[0][3]) > 0


def test_the_read_models_agree_with_the_simulation(simulated, sim_env):
    catch_up(sim_env)
    rm = ReadModels(sim_env)
    s = simulated.summary
    el = s["electricity"]  # hazards raised from smart-electricity alarms: counted apart (issue 15 §4)
    assert reports.ledger(rm, Moment(), Filters(), Page(1, 1))["total"] == s["hazards"] + el["hazards_raised"]
    total = reports.rates(rm, Moment(), Filters(), "county", "year")["total"]
    assert (total["found"], total["rectified"], total["closed"]) == (
        s["hazards"] - s["withdrawn"] + el["hazards_raised"], s["rectified"] + el["rectified"],
        s["closed"] + el["closed"])
    year_end = reports.rates(rm, Moment(as_of=date(2025, 12, 31)), Filters(), "township", "quarter")
    assert len({g["key"] for g in year_end["groups"]}) == 18
    stats = reports.statistics(rm, Period.parse("2025"), "township", {}, None, None)
    assert sum(r["enterprises"] for r in stats["rows"]) == s["enterprises"]
    assert sum(r["inspections"] for r in stats["rows"]) == sum(s["inspections"].values())
    rm.close()


def test_the_monthly_joint_meetings_refer_overdue_hazards(simulated, sim_env):
    """联席会 (services/simulate_meetings.py): each month's busiest townships get their overdue
    hazards referred as the meeting's decisions; most are signed for and answered."""
    referrals = simulated.summary["referrals"]
    assert referrals["referred"] > 0 and 0 < referrals["answered"] <= referrals["referred"]
    catch_up(sim_env, ["activity"])
    rm = ReadModels(sim_env)
    try:
        with rm.activity.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT meeting, receiver_kind, jsonb_array_length(hazards) AS n FROM {}")
                         .format(rm.activity.table("activity_referrals")))
            rows = curs.fetchall()
    finally:
        rm.close()
    assert len(rows) == referrals["referred"]
    assert all(r["receiver_kind"] == "township" and r["meeting"].startswith("2025-") and 1 <= r["n"] <= 5
               for r in rows)
