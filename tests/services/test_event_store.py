"""The event store on real PostgreSQL: positions, encoding, conflicts, time travel."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import pytest

from domain.actor import Role
from domain.hazard import Hazard
from domain.parties import Agency, Enterprise
from services.errors import AlreadyRegistered, ConcurrentModification
from tests.conftest import actor, credit_code, stored_count

BUREAU = actor(Role.BUREAU)


def _enterprise(ledger, **overrides) -> str:
    fields = dict(credit_code=credit_code(), name="宁海某化工有限公司", township="330226011",
                  sector="chem", scale="small_micro")
    fields.update(overrides)
    return ledger.register_enterprise(BUREAU, **fields).id


def _hazard(ledger, enterprise_id: str, level: str = "general") -> str:
    return ledger.report_hazard(actor(Role.TOWNSHIP), enterprise_id=enterprise_id,
                                source="government_check", category="unsafe_condition",
                                description="配电箱未接地", level=level,
                                discovered_on=date(2026, 6, 1)).id


def test_positions_follow_one_total_order_across_aggregates(ledger):
    first = ledger.register_agency(BUREAU, credit_code=credit_code(), name="甲安全咨询")
    second = ledger.register_enterprise(BUREAU, credit_code=credit_code(), name="乙厂",
                                        township="330226001", sector="trade", scale="above_size")
    assert (first.position, second.position) == (1, 2)
    notifications = ledger.recorder.select_notifications(start=1, limit=10)
    assert [n.id for n in notifications] == [1, 2]
    assert [str(n.originator_id) for n in notifications] == [first.id, second.id]


def test_business_dates_and_amounts_survive_the_orjson_encoding(ledger, store_env):
    enterprise_id = _enterprise(ledger, annual_output=Decimal("1234567.89"))
    hazard_id = _hazard(ledger, enterprise_id)
    ledger.assign_responsibility(BUREAU, hazard_id, responsible_person="王五",
                                 deadline=date(2026, 7, 15))
    from services.application import HazardLedger

    fresh = HazardLedger(store_env)  # no cache: decoded from the stored bytes
    hazard = fresh.load(Hazard, hazard_id)
    assert hazard.deadline == date(2026, 7, 15) and isinstance(hazard.deadline, date)
    assert fresh.load(Enterprise, enterprise_id).annual_output == "1234567.89"
    assert hazard.created_on.tzinfo is not None  # record time is stored in UTC
    fresh.close()


def test_stored_events_are_readable_json(ledger, database_url, schema):
    _enterprise(ledger, name="可读的企业")
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f'SELECT topic, convert_from(state, \'UTF8\')::jsonb FROM "{schema}".hazardledger_events').fetchone()
    assert row[0].endswith("Enterprise.Registered")
    assert row[1]["name"] == "可读的企业" and row[1]["actor"]["role"] == "bureau"


def test_registering_a_credit_code_twice_is_refused_and_stores_nothing(ledger):
    code = credit_code()
    _enterprise(ledger, credit_code=code)
    before = stored_count(ledger)
    with pytest.raises(AlreadyRegistered):
        _enterprise(ledger, credit_code=code, name="另一个名字")
    assert stored_count(ledger) == before


def test_two_commands_on_one_hazard_one_wins_the_other_is_refused_then_retries(ledger):
    hazard_id = _hazard(ledger, _enterprise(ledger))
    copy_a, copy_b = ledger.load(Hazard, hazard_id), ledger.load(Hazard, hazard_id)
    copy_a.assign_responsibility(responsible_person="甲", deadline=date(2026, 7, 1),
                                 assigned_on=date(2026, 6, 2), today=date(2026, 6, 30), actor=BUREAU)
    copy_b.regrade(level="major", reason="复核为重大隐患", actor=BUREAU)
    ledger.store(copy_a)
    before = stored_count(ledger)
    with pytest.raises(ConcurrentModification):
        ledger.store(copy_b)
    assert stored_count(ledger) == before
    ledger.regrade_hazard(BUREAU, hazard_id, level="major", reason="复核为重大隐患")  # the retry
    hazard = ledger.load(Hazard, hazard_id)
    assert (hazard.responsible_person, hazard.level, hazard.version) == ("甲", "major", 3)


def test_twenty_concurrent_writers_lose_nothing_and_double_nothing(ledger):
    agency_id = ledger.register_agency(BUREAU, credit_code=credit_code(), name="并发咨询").id
    start, conflicts = threading.Barrier(20), []

    def writer(n: int) -> None:
        start.wait()
        while True:
            try:
                ledger.add_expert(BUREAU, agency_id, name=f"专家{n}", certificate_no=f"C-{n:02d}")
                return
            except ConcurrentModification:
                conflicts.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    agency = ledger.load(Agency, agency_id)
    assert sorted(e["certificate_no"] for e in agency.experts.values()) == [f"C-{n:02d}" for n in range(20)]
    versions = [e.originator_version for e in ledger.history_of(Agency, agency_id)]
    assert versions == list(range(1, 22))
    assert stored_count(ledger) == 21


def test_state_as_of_a_moment_uses_record_time(ledger):
    hazard_id = _hazard(ledger, _enterprise(ledger))
    between = datetime.now(UTC)
    ledger.assign_responsibility(BUREAU, hazard_id, responsible_person="王五", deadline=date(2026, 7, 1))
    then = ledger.state_as_of(Hazard, hazard_id, between)
    now = ledger.state_as_of(Hazard, hazard_id, None)
    assert (then.status, then.responsible_person) == ("reported", None)
    assert (now.status, now.responsible_person) == ("assigned", "王五")
