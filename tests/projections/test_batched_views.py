"""Set-based batches give the views event by event gives: a simulated county-year (and the
oversight events the simulation does not make) built into views one event a transaction, in
batches of 50 and in batches of 5,000 — every row of every view table the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import sql

from infra.log_reader import LogReader
from projections.operations import catch_up, replay_env
from projections.readmodels import open_view
from projections.replay import replay_views
from projections.runners import PROJECTIONS
from projections.views.hazard_rows import COLUMNS
from services.application import HazardLedger
from services.simulate import simulate
from tests.conftest import TODAY
from tests.projections.conftest import views_in
from tests.projections.test_accountability import AGENT, BUREAU, OFFICE, OWNER, build_world


def _oversight(app: HazardLedger) -> None:
    """Agencies, experts, contracts, inspections, accidents, a subsidy claim through every step
    and self-reports (filed, amended, 代报) the views record (the simulated year makes none)."""
    world = build_world(app)
    app.remove_expert(AGENT, world.a1, world.experts[1], reason="离职")
    app.cancel_inspection(AGENT, world.inspections["late"], reason="企业停产")
    app.renew_contract(AGENT, world.contract, end=date(2027, 12, 31), fee=4000)
    app.terminate_contract(AGENT, world.contract, reason="企业停产", terminated_on=TODAY)
    claim = app.file_subsidy_claim(AGENT, agency_id=world.a2, year=2026, served=[]).id
    app.check_subsidy_claim(OFFICE, claim, passed=False, notes="缺验收单", on=date(2026, 6, 27))
    app.file_subsidy_claim(AGENT, agency_id=world.a2, year=2026, served=[])
    app.check_subsidy_claim(OFFICE, claim, passed=True, on=date(2026, 6, 28))
    app.review_subsidy_claim(BUREAU, claim, passed=True, on=date(2026, 6, 29))
    # self-reports (自查自报): one listing a hazard, late, then amended to "none found"; a 代报
    may = app.file_self_report(OWNER, enterprise_id=world.e2, month="2026-05",
                               hazard_ids=[world.hazards["h4"]], none_found=False).id
    app.amend_self_report(OWNER, may, hazard_ids=[], none_found=True)
    app.file_self_report(OFFICE, enterprise_id=world.e3, month="2026-06", hazard_ids=[], none_found=True)
    _citing(app, world)
    _referrals(app, world)
    _alarms(app, world)


def _alarms(app: HazardLedger, world) -> None:
    """Smart-electricity alarms (智慧用电, issue 15 §4): four overloads, the third raises a hazard."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from domain.actor import Actor, Role

    device = Actor("device-1", Role.DEVICE, "智慧用电设备")
    start = datetime(2026, 6, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for n in range(4):
        app.post_alarm(device, device_enterprise=world.e2, enterprise_id=world.e2, device_id="DB-01",
                       alarm_id=f"A-{n}", kind="overload", reading=30 + n, occurred_at=start + timedelta(hours=n))


def _referrals(app: HazardLedger, world) -> None:
    """Referrals (交办, issue 14): one signed for and answered, one a joint meeting's decision."""
    h = [world.hazards["h2"], world.hazards["h4"]]
    answered = app.refer_hazards(BUREAU, hazard_ids=h, township="330226001", instructions="督促整改",
                                 due_on=date(2026, 7, 10), referred_on=date(2026, 6, 10)).id
    app.sign_referral(OFFICE, answered, unit="330226001", signed_on=date(2026, 6, 11))
    app.answer_referral(OFFICE, answered, unit="330226001", answer="已督促", answered_on=date(2026, 6, 20))
    app.refer_hazards(BUREAU, hazard_ids=h[:1], sector="chem", instructions="会议交办", meeting="2026-06",
                      due_on=date(2026, 7, 15), referred_on=date(2026, 6, 25))


CITED = {"cited": "gm10-4-1", "dropped": None, "recited": "gm10-3-2", "duty": "ah16-8"}


def _citing(app: HazardLedger, world) -> dict[str, str]:
    """Hazards citing criteria (判定依据, issue 13) and regrades that keep, drop and change the
    citation — the ledger's `criterion` as `Hazard.regrade` leaves it."""
    report = lambda level, criterion: app.report_hazard(  # noqa: E731
        BUREAU, enterprise_id=world.e2, source="government_check", category="unsafe_condition",
        description=f"引用 {criterion}", level=level, discovered_on=date(2026, 6, 3), criterion=criterion).id
    ids = {name: report("major", "gm10-4-1") for name in ("cited", "dropped", "recited")}
    ids["duty"] = report("general", "ah16-8")
    # graded down without a new criterion: the major citation is dropped (the history keeps it)
    app.regrade_hazard(BUREAU, ids["dropped"], level="general", reason="现场复核：不属于人员聚集场所")
    app.regrade_hazard(BUREAU, ids["recited"], level="general", reason="复核后不适用第四条")
    app.regrade_hazard(BUREAU, ids["recited"], level="major", reason="改引第三条", criterion="gm10-3-2")
    app.regrade_hazard(BUREAU, ids["duty"], level="major", reason="经专家论证")  # a duty: kept
    return ids


_CRITERION = 1 + list(COLUMNS).index("criterion")  # in a ledger_hazards row (hazard_id first)
_DESCRIPTION = 1 + list(COLUMNS).index("description")


@pytest.fixture
def year(store_env: dict[str, str]) -> dict[str, str]:
    """A county-year at scale 0.01 (seed 4) and the oversight events, in this test's store."""
    app = HazardLedger(store_env, clock=lambda: date(2025, 12, 31))
    simulate(app, seed=4, scale=0.01, year=2025)
    app.close()
    app = HazardLedger(store_env, clock=lambda: TODAY)
    _oversight(app)
    app.close()
    return store_env


@pytest.fixture
def schemas(database_url: str) -> Iterator[callable]:
    made: list[str] = []

    def make() -> str:
        made.append(f"t_{uuid.uuid4().hex[:12]}")
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(made[-1])))
        return made[-1]

    yield make
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in made:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _event_by_event(env: dict[str, str]) -> dict[str, dict]:
    """Every event in a transaction of its own (as a runner following live writes applies it)."""
    env = replay_env(env)
    views = {name: open_view(name, env) for name in PROJECTIONS}
    reader = LogReader.open(env)
    try:
        head = reader.head()
        reached = replay_views(views, reader, after=dict.fromkeys(views, 0), batch_size=1)
        assert reached == dict.fromkeys(views, head)
        return {name: view.dump() for name, view in views.items()}
    finally:
        reader.close()
        for view in views.values():
            view.datastore.close()


def _batched(env: dict[str, str], batch_size: int) -> dict[str, dict]:
    catch_up(env, batch_size=batch_size)
    views = {name: open_view(name, replay_env(env)) for name in PROJECTIONS}
    try:
        return {name: view.dump() for name, view in views.items()}
    finally:
        for view in views.values():
            view.datastore.close()


def test_batches_build_the_same_views_as_events_one_by_one(year, schemas):
    one_by_one = _event_by_event(views_in(year, schemas()))
    tables = {t: rows for dump in one_by_one.values() for t, rows in dump.items()}
    assert all(tables.values()), [t for t, rows in tables.items() if not rows]  # every table has rows
    assert len(tables["ledger_hazard_changes"]) > 2000  # a county-year's worth (2,337 at scale 0.01)
    assert sorted((r[4], r[7], r[8], r[9], r[11]) for r in tables["activity_self_reports"]
                  if r[4] >= "2026") == [  # the simulated year's own are in 2025
        ("2026-05", True, False, True, 1), ("2026-06", False, True, True, 0)]  # month, late, 代报, 零隐患, amended
    cited = [r[_CRITERION] for r in tables["ledger_hazards"] if str(r[_DESCRIPTION]).startswith("引用 ")]
    assert sorted(cited, key=str) == sorted(CITED.values(), key=str)  # kept, dropped, changed
    assert len([r for r in tables["ledger_hazard_changes"] if r[4 + _CRITERION] == "gm10-4-1"]) == 3
    steps = next(v for v in tables["activity_claims"][0] if isinstance(v, list))
    assert [s["passed"] for s in steps] == [False, True, True]  # returned, refiled, passed twice

    for batch_size in (50, 5000):
        batched = _batched(views_in(year, schemas()), batch_size)
        for name, dump in one_by_one.items():
            for table, rows in dump.items():
                assert batched[name][table] == rows, f"{table} differs in batches of {batch_size}"


def test_a_catch_up_takes_each_view_on_from_its_own_position(simulated, sim_env, schemas):
    """The ledger halfway, the activity view at 0: one catch-up reads the log once and brings
    each on from where it is — the same rows as a rebuild from zero."""
    env = replay_env(sim_env)
    reader = LogReader.open(env)
    views = {name: open_view(name, env) for name in PROJECTIONS}
    try:
        head = reader.head()
        half = replay_views({"ledger": views["ledger"]}, reader, after={"ledger": 0}, stop=head // 2,
                            batch_size=300)
        assert 0 < half["ledger"] <= head // 2 and views["activity"].position() == 0
        assert catch_up(sim_env, batch_size=700) == dict.fromkeys(PROJECTIONS, head)
        resumed = {name: view.dump() for name, view in views.items()}
    finally:
        reader.close()
        for view in views.values():
            view.datastore.close()
    assert _batched(views_in(simulated.env, schemas()), 5000) == resumed
