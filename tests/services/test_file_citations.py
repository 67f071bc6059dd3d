"""`file_citations`: the rows naming which event cites which file are written in the event's own
transaction — once per event, never for a write that did not commit, never twice for a retry."""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from psycopg import sql

from domain.actor import Role
from domain.hazard import Hazard
from infra.citations import CitationIndex, Citation, citing
from infra.files import PostgresFileStore
from infra.idempotency import KeyedRequest, KeyTaken, keyed
from services.errors import ConcurrentModification
from tests.conftest import actor, credit_code, stored_count
from tests.services.test_files import jpeg

BUREAU = actor(Role.BUREAU)


@pytest.fixture
def photo(ledger) -> str:
    return PostgresFileStore(ledger.recorder.datastore).put(io.BytesIO(jpeg()), party="county:bureau",
                                                           actor=BUREAU.id).sha256


@pytest.fixture
def plant(ledger) -> str:
    return ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="某厂", township="330226001",
                                      sector="trade", scale="small_micro").id


def rows(ledger) -> list[tuple]:
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        curs.execute(sql.SQL("SELECT sha256, kind, record_id::text AS r, position FROM {} ORDER BY position")
                     .format(sql.Identifier(datastore.schema, "file_citations")))
        return [(r["sha256"], r["kind"], r["r"], r["position"]) for r in curs.fetchall()]


def report(ledger, plant: str, evidence: list[str]):
    return ledger.report_hazard(BUREAU, enterprise_id=plant, source="government_check",
                                category="unsafe_condition", description="隐患", level="general",
                                discovered_on=date(2026, 6, 1), evidence=evidence)


def _request(key: str) -> KeyedRequest:
    return KeyedRequest(holder="holder", key=key, request_hash="same-request", success_status=lambda: 201)


def test_one_row_per_cited_file_and_event_even_if_cited_twice(ledger, plant, photo):
    written = report(ledger, plant, [f"sha256:{photo}", "文字说明", f"sha256:{photo.upper()}"])
    assert rows(ledger) == [(photo, "hazard", written.id, written.position)]
    assert CitationIndex(ledger.recorder.datastore).records_citing(photo) == [("hazard", written.id, written.position)]


def test_a_keyed_retry_writes_no_second_row(ledger, plant, photo):
    with keyed(_request("report-1")):
        first = report(ledger, plant, [f"sha256:{photo}"])
    with keyed(_request("report-1")), pytest.raises(KeyTaken):
        report(ledger, plant, [f"sha256:{photo}"])
    assert rows(ledger) == [(photo, "hazard", first.id, first.position)]


def test_concurrent_retries_of_one_keyed_write_leave_one_event_and_one_row(ledger, plant, photo):
    before = stored_count(ledger)
    answers: list[object] = []
    start = threading.Barrier(6)

    def retry() -> None:
        start.wait()
        try:
            with keyed(_request("report-2")):
                answers.append(report(ledger, plant, [f"sha256:{photo}"]))
        except KeyTaken as taken:
            answers.append(taken)

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = [a for a in answers if not isinstance(a, KeyTaken)]
    assert len(stored) == 1 and len(answers) == 6
    assert stored_count(ledger) == before + 1
    assert rows(ledger) == [(photo, "hazard", stored[0].id, stored[0].position)]


def test_a_write_refused_as_a_version_conflict_leaves_no_row(ledger, plant, photo):
    hazard = report(ledger, plant, []).id
    stale = ledger.load(Hazard, hazard)
    ledger.withdraw_hazard(BUREAU, hazard, reason="误报")  # another command changes it first
    stale.assign_responsibility(responsible_person="张三", deadline=date(2026, 6, 30), assigned_on=date(2026, 6, 2),
                                today=date(2026, 6, 2), actor=BUREAU)
    with citing(Citation("hazard", hazard, (photo,))), pytest.raises(ConcurrentModification):
        ledger.store(stale)
    assert rows(ledger) == []


def test_an_unknown_file_refuses_the_command_before_anything_is_stored(ledger, plant):
    before = stored_count(ledger)
    with pytest.raises(Exception) as refused:
        report(ledger, plant, ["sha256:" + "e" * 64])
    assert getattr(refused.value, "field", None) == "evidence" and "e" * 64 in str(refused.value)
    assert stored_count(ledger) == before and rows(ledger) == []


def test_an_agency_whose_service_ended_reads_only_files_cited_before_the_end(store_env):
    """It still sees the hazard up to the contract's last day (issue 10): the photo of the report
    made then, not the one a later rectification cites."""
    from infra.auth import Principal
    from services.application import HazardLedger
    from services.file_readers import reads_a_record_citing

    days = [date(2026, 6, 5)]
    ledger = HazardLedger(store_env, clock=lambda: days[0])
    try:
        store = PostgresFileStore(ledger.recorder.datastore)
        before, after = (store.put(io.BytesIO(jpeg(colour=c)), party="county:bureau", actor=BUREAU.id).sha256
                         for c in ((1, 1, 1), (2, 2, 2)))
        plant = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="某厂", township="330226001",
                                           sector="trade", scale="small_micro").id
        agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="安评机构").id
        contract = ledger.propose_contract(BUREAU, enterprise_id=plant, agency_id=agency, service="monthly",
                                           start=date(2026, 1, 1), end=date(2026, 6, 30), fee=3600).id
        ledger.countersign_contract(actor(Role.AGENCY), contract)
        hazard = report(ledger, plant, [f"sha256:{before}"]).id
        ledger.assign_responsibility(BUREAU, hazard, responsible_person="张三", deadline=date(2026, 7, 31),
                                     assigned_on=date(2026, 6, 2))
        days[0] = date(2026, 8, 1)
        ledger.report_rectification(BUREAU, hazard, evidence=[f"sha256:{after}"], cost="100",
                                    rectified_on=date(2026, 7, 15))
        served = Principal(actor(Role.AGENCY), agency_id=agency)
        assert reads_a_record_citing(ledger, served, before)
        assert not reads_a_record_citing(ledger, served, after)
        assert not reads_a_record_citing(ledger, Principal(actor(Role.AGENCY), agency_id="other"), before)
    finally:
        ledger.close()
