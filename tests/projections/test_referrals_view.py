"""Referrals (交办) in the activity view (`activity_referrals`): the rows a live follower writes
equal a replay's, one event a transaction or in batches; the query's states judged on a day,
scopes and pages (projections/queries/referrals.py)."""

from __future__ import annotations

from datetime import date

import pytest
from psycopg import sql

from domain.actor import Role
from projections.operations import catch_up, rebuild, running_projections
from projections.queries import referrals as q
from projections.readmodels import ReadModels
from tests.conftest import actor, credit_code, one_at_a_time
from tests.projections.conftest import views_in
from tests.projections.test_batched_views import schemas  # noqa: F401 — fresh schemas for the views

BUREAU = actor(Role.BUREAU)
TOWNSHIP = actor(Role.TOWNSHIP, "跃龙街道 王科长")
REGULATOR = actor(Role.REGULATOR, "住建局 李科长")
D = date


def _hazard(app, township: str, sector: str, description: str) -> str:
    e = app.register_enterprise(BUREAU, credit_code=credit_code(), name=f"{description}厂", township=township,
                                sector=sector, scale="small_micro").id
    return app.report_hazard(BUREAU, enterprise_id=e, source="government_check", category="unsafe_condition",
                             description=description, level="general", discovered_on=D(2026, 5, 20)).id


def referrals(app) -> dict[str, str]:
    """R1 to 跃龙街道 (a May meeting's decision), signed for and answered; R2 to 跃龙街道, never
    signed, due 20 June; R3 to 建筑施工, signed; R4 to 危化 with both hazards, June's meeting."""
    h1 = _hazard(app, "330226001", "chem", "储罐区阀门泄漏")
    h2 = _hazard(app, "330226002", "construction", "脚手架未设防护网")
    refer = lambda hs, due, on, **kw: app.refer_hazards(  # noqa: E731
        BUREAU, hazard_ids=hs, instructions="督促整改并答复", due_on=due, referred_on=on, **kw).id
    r1 = refer([h1], D(2026, 6, 15), D(2026, 6, 1), township="330226001", meeting="2026-05",
               document_no="宁安委办交〔2026〕1号")
    app.sign_referral(TOWNSHIP, r1, unit="330226001", signed_on=D(2026, 6, 2))
    app.answer_referral(TOWNSHIP, r1, unit="330226001", answer="已更换阀门", answered_on=D(2026, 6, 10))
    r2 = refer([h1], D(2026, 6, 20), D(2026, 6, 5), township="330226001")
    r3 = refer([h2], D(2026, 7, 10), D(2026, 6, 20), sector="construction")
    app.sign_referral(REGULATOR, r3, unit="construction", signed_on=D(2026, 6, 21))
    r4 = refer([h1, h2], D(2026, 6, 30), D(2026, 6, 25), sector="chem", meeting="2026-06")
    return {"R1": r1, "R2": r2, "R3": r3, "R4": r4, "H1": h1, "H2": h2}


def _table(env: dict[str, str]) -> list[tuple]:
    rm = ReadModels(one_at_a_time(env))
    try:
        return rm.activity.dump()["activity_referrals"]
    finally:
        rm.close()


def test_the_live_follower_writes_what_a_replay_writes(ledger, store_env, schemas):
    with running_projections(store_env, reference=ledger.reference) as live:
        made = referrals(ledger)
        live.wait(ledger.refer_hazards(BUREAU, hazard_ids=[made["H2"]], township="330226002",
                                       instructions="再次交办", due_on=D(2026, 7, 1)).position,
                  ("activity",))
    followed = _table(store_env)
    assert len(followed) == 5
    one_by_one, batched = views_in(store_env, schemas()), views_in(store_env, schemas())
    catch_up(one_at_a_time(one_by_one), batch_size=1)
    catch_up(one_at_a_time(batched), batch_size=500)
    assert _table(one_by_one) == followed
    assert _table(batched) == followed


@pytest.fixture
def world(ledger, refresh):
    made = referrals(ledger)
    refresh()
    return made


def _ids(world, rows) -> list[str]:
    names = {v: k for k, v in world.items()}
    return [names[r["referral_id"]] for r in rows]


def test_states_are_judged_on_the_day_asked(world, read_models):
    def listed(day, state=None, **scope):
        return _ids(world, q.rows(read_models.activity, scope=scope, day=day, state=state)[1])

    june30 = D(2026, 6, 30)
    assert listed(june30) == ["R1", "R2", "R3", "R4"]  # oldest first
    assert (listed(june30, "answered"), listed(june30, "overdue"), listed(june30, "open")) == (
        ["R1"], ["R2"], ["R3", "R4"])  # R4 is due today: still open
    # on 5 June R1 was signed for, not yet answered, and not yet due
    assert (listed(D(2026, 6, 5), "answered"), listed(D(2026, 6, 5), "open")) == ([], ["R1", "R2", "R3", "R4"])
    assert listed(D(2026, 7, 1), "overdue") == ["R2", "R4"]


def test_scopes_read_only_the_units_own_and_never_an_agencys(world, read_models):
    def listed(**scope):
        return _ids(world, q.rows(read_models.activity, scope=scope, day=D(2026, 6, 30))[1])

    assert listed(township="330226001") == ["R1", "R2"]
    assert listed(township="330226002") == []  # R4 names a hazard there, but is referred to 危化
    assert listed(sector="construction") == ["R3"] and listed(sector="chem") == ["R4"]
    assert listed(enterprise_id="x") == [] and listed(agency_id="x") == []
    assert listed(township="-") == []  # a township token without a township


def test_pages_and_the_row_for_people(world, read_models):
    total, page = q.rows(read_models.activity, scope={}, day=D(2026, 6, 30), limit=2, offset=1)
    assert (total, _ids(world, page)) == (4, ["R2", "R3"])
    [r1] = q.rows(read_models.activity, scope={"township": "330226001"}, day=D(2026, 6, 30),
                  state="answered")[1]
    row = q.item(r1, read_models.reference, D(2026, 6, 30))
    assert {k: row[k] for k in ("receiver_kind_label", "receiver_name", "document_no", "meeting", "signed",
                                "signed_by", "answer", "state_label")} == {
        "receiver_kind_label": "乡镇（街道）", "receiver_name": "跃龙街道", "document_no": "宁安委办交〔2026〕1号",
        "meeting": "2026-05", "signed": "已签收", "signed_by": "跃龙街道 王科长", "answer": "已更换阀门",
        "state_label": "已答复"}
    assert row["hazards"] == [{"id": world["H1"], "description": "储罐区阀门泄漏"}]
    early = q.item(r1, read_models.reference, D(2026, 6, 1))  # before it was signed for and answered
    assert (early["signed"], early["answer"], early["state"]) == ("待签收", None, "open")
    [r4] = q.rows(read_models.activity, scope={"sector": "chem"}, day=D(2026, 6, 30))[1]
    assert [(h["township"], h["sector"]) for h in r4["hazards"]] == [
        ("330226001", "chem"), ("330226002", "construction")]


def test_a_store_built_before_the_table_gets_its_referrals_from_a_rebuild(ledger, store_env):
    """The upgrade path (docs/referrals.md): an activity view built before `activity_referrals`
    existed gets the table, empty, when opened; `rebuild activity` fills it with the referrals
    stored earlier, the same rows as a view that always had it."""
    referrals(ledger)
    env = one_at_a_time(store_env)
    catch_up(env)
    expected = _table(store_env)
    rm = ReadModels(env)
    try:
        with rm.activity.datastore.transaction(commit=True) as curs:  # as before issue 14
            curs.execute(sql.SQL("DROP TABLE {}").format(rm.activity.table("activity_referrals")))
    finally:
        rm.close()
    assert _table(store_env) == []  # opened: the table is made again, empty; the view is at the head
    rebuild(env, ["activity"])
    assert _table(store_env) == expected and len(expected) == 4
