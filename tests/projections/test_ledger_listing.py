"""The ledger's 挂牌督办 paperwork and pending-extension columns (issue 14) on real PostgreSQL:
listing_state through issue → serve → sign → cancel, the deadlines as stored, the old one-step
listing, extension_requested_on, a stored DeadlineExtended still counted, and a store made
before the columns gets them on start (a rebuild fills old rows)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.hazard import Hazard
from projections.operations import catch_up, rebuild, replay_env
from projections.readmodels import open_view
from tests.conftest import actor, credit_code
from tests.projections.conftest import BUREAU, OWNER, TOWNSHIP

COLUMNS = ("listing_state", "listing_department", "listing_served_on", "listing_signed_on",
           "listing_finish_by", "listing_plan_by", "listing_cancelled_on", "extension_requested_on",
           "supervision_level", "supervision_doc", "listed_on", "deadline", "extensions")


@pytest.fixture
def hazards(ledger):
    firm = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="甲化工", township="330226001",
                                      sector="chem", scale="small_micro").id

    def hazard() -> str:
        h = ledger.report_hazard(BUREAU, enterprise_id=firm, source="government_check",
                                 category="unsafe_condition", description="配电箱未接地", level="general",
                                 discovered_on=date(2026, 6, 1)).id
        ledger.assign_responsibility(BUREAU, h, responsible_person="张三", deadline=date(2026, 10, 20),
                                     assigned_on=date(2026, 6, 2))
        return h
    return hazard


def _rows(env, table: str = "ledger_hazards", cols=COLUMNS, key: str = "hazard_id") -> dict[str, dict]:
    view = open_view("ledger", replay_env(env))
    try:
        with view.datastore.transaction(commit=False) as curs:
            curs.execute(view.sql(f"SELECT hazard_id, position, {', '.join(cols)} FROM {{schema}}.{table}"))
            return {r[key]: r for r in curs.fetchall()}
    finally:
        view.datastore.close()


def _issue(ledger, h: str, on: date = date(2026, 6, 5), no: str = "宁政督〔2026〕第3号") -> None:
    ledger.issue_listing(BUREAU, h, level="county", government="宁海县人民政府", department="宁海县应急管理局",
                         document_no=no, finish_days=30, plan_days=15, signatory="王县长", issued_on=on)


def test_listing_columns_follow_the_paperwork(ledger, hazards, store_env, refresh):
    signed, cancelled, old = hazards(), hazards(), hazards()
    for h in (signed, cancelled):
        _issue(ledger, h)
        ledger.serve_listing(BUREAU, h, served_by="李四", served_on=date(2026, 6, 8))
    ledger.sign_listing(OWNER, signed, signed_by="赵六", signed_on=date(2026, 6, 10))
    ledger.cancel_listing(BUREAU, cancelled, reason="误列", document_no="撤1号", cancelled_on=date(2026, 6, 12))
    ledger.list_for_supervision(BUREAU, old, level="city", document_no="督1号", listed_on=date(2026, 6, 3))
    refresh()
    rows = _rows(store_env)
    assert {k: rows[signed][k] for k in COLUMNS[:8]} == {
        "listing_state": "signed", "listing_department": "宁海县应急管理局",
        "listing_served_on": date(2026, 6, 8), "listing_signed_on": date(2026, 6, 10),
        "listing_finish_by": date(2026, 7, 10), "listing_plan_by": date(2026, 6, 25),
        "listing_cancelled_on": None, "extension_requested_on": None}
    assert (rows[signed]["supervision_level"], rows[signed]["supervision_doc"], rows[signed]["listed_on"]) == (
        "county", "宁政督〔2026〕第3号", date(2026, 6, 5))
    c = rows[cancelled]
    assert (c["listing_state"], c["listing_cancelled_on"], c["listing_served_on"]) == (
        "cancelled", date(2026, 6, 12), date(2026, 6, 8))
    assert (c["supervision_level"], c["supervision_doc"], c["listed_on"]) == (None, None, None)  # not supervised now
    o = rows[old]
    assert (o["listing_state"], o["supervision_level"], o["listed_on"], o["listing_department"]) == (
        "listed", "city", date(2026, 6, 3), None)
    changes = _rows(store_env, "ledger_hazard_changes", ("change", "business_date", "listing_state"), "position")
    steps = sorted((r["business_date"], r["change"], r["listing_state"]) for r in changes.values()
                   if r["hazard_id"] == signed and r["listing_state"])
    assert steps == [(date(2026, 6, 5), "ListingIssued", "issued"), (date(2026, 6, 8), "ListingServed", "served"),
                     (date(2026, 6, 10), "ListingSigned", "signed")]


def test_a_new_notice_after_a_cancellation_starts_its_paperwork_afresh(ledger, hazards, store_env, refresh):
    h = hazards()
    _issue(ledger, h)
    ledger.serve_listing(BUREAU, h, served_by="李四", served_on=date(2026, 6, 8))
    ledger.cancel_listing(BUREAU, h, reason="文号有误", document_no="撤2号", cancelled_on=date(2026, 6, 9))
    _issue(ledger, h, on=date(2026, 6, 10), no="宁政督〔2026〕第5号")
    refresh()
    row = _rows(store_env)[h]
    assert (row["listing_state"], row["listing_served_on"], row["listing_cancelled_on"], row["supervision_doc"]) == (
        "issued", None, None, "宁政督〔2026〕第5号")


def test_extension_requested_on_is_the_pending_request(ledger, hazards, store_env, refresh):
    pending, decided, paper = hazards(), hazards(), hazards()
    for h in (pending, decided):
        ledger.request_extension(OWNER, h, new_deadline=date(2026, 11, 30), reason="到货延迟",
                                 interim_controls="停用", requested_on=date(2026, 6, 29))
    ledger.decide_extension(TOWNSHIP, decided, approved=False, opinion="按期整改", decided_on=date(2026, 6, 30))
    ledger.extend_deadline(TOWNSHIP, paper, deadline=date(2026, 11, 30), reason="到货延迟",
                           requested_on=date(2026, 6, 29))
    refresh()
    rows = _rows(store_env)
    assert rows[pending]["extension_requested_on"] == date(2026, 6, 29)
    assert rows[decided]["extension_requested_on"] is None and rows[decided]["deadline"] == date(2026, 10, 20)
    assert (rows[paper]["extension_requested_on"], rows[paper]["deadline"], rows[paper]["extensions"]) == (
        None, date(2026, 11, 30), 1)


def test_a_stored_deadline_extended_is_still_counted(ledger, hazards, store_env, refresh):
    """Old direct extensions (before issue 14) stay in the log: the aggregate applies them and the
    ledger counts them, on following and on a rebuild."""
    h = hazards()
    hazard = ledger.repository.get(UUID(h))
    hazard.trigger_event(Hazard.DeadlineExtended, previous=hazard.deadline, deadline=date(2026, 12, 31),
                         reason="设备到货延迟", actor=TOWNSHIP.record())
    ledger.save(hazard)
    assert ledger.repository.get(UUID(h)).deadline == date(2026, 12, 31)
    refresh()
    row = _rows(store_env)[h]
    assert (row["deadline"], row["extensions"]) == (date(2026, 12, 31), 1)
    rebuild(store_env, ["ledger"])
    row = _rows(store_env)[h]
    assert (row["deadline"], row["extensions"]) == (date(2026, 12, 31), 1)


def test_a_store_made_before_the_columns_gets_them_on_start_and_a_rebuild_fills_them(
        ledger, hazards, store_env):
    h = hazards()
    _issue(ledger, h)
    catch_up(store_env, ["ledger"])
    view = open_view("ledger", replay_env(store_env))
    with view.datastore.transaction(commit=True) as curs:  # the shape of a store made before issue 14
        for table in ("ledger_hazards", "ledger_hazard_changes"):
            for column in COLUMNS[:8]:
                curs.execute(view.sql(f"ALTER TABLE {{schema}}.{table} DROP COLUMN {column}"))
    view.datastore.close()
    assert _rows(store_env)[h]["listing_state"] is None  # opening the view added the columns back, empty
    rebuild(store_env, ["ledger"])
    assert _rows(store_env)[h]["listing_state"] == "issued"
