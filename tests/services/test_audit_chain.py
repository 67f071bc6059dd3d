"""The hash chain names the first stored event that was changed, removed or inserted."""

from __future__ import annotations

import psycopg
import pytest

from infra.audit_chain import AuditChain
from services.errors import AlreadyRegistered
from tests.conftest import actor, credit_code


@pytest.fixture
def chained(ledger, database_url, schema):
    bureau = actor("bureau")
    code = credit_code()
    for n in range(5):
        ledger.register_agency(bureau, credit_code=code if n == 2 else credit_code(), name=f"机构{n}")
    with pytest.raises(AlreadyRegistered):  # refused before its insert: no position used up
        ledger.register_agency(bureau, credit_code=code, name="重复")
    # a transaction rolled back after its insert leaves a gap in the positions (here: 6)
    _sql(database_url, schema, "SELECT nextval(pg_get_serial_sequence('EVENTS', 'notification_id'))")
    ledger.register_agency(bureau, credit_code=credit_code(), name="机构5")
    chain = AuditChain(ledger.recorder.datastore, ledger.recorder.events_table_name)
    assert chain.extend_all() == 6
    return chain


def _sql(database_url, schema, statement, *args):
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement.replace("EVENTS", f'"{schema}".hazardledger_events')
                     .replace("CHAIN", f'"{schema}".audit_chain'), args)


def test_an_untouched_store_verifies(chained):
    verdict = chained.verify()
    assert verdict.ok and verdict.checked == 6 and verdict.first_break is None
    assert verdict.head == chained.head()[1].hex()


def test_a_changed_event_is_named(chained, database_url, schema):
    _sql(database_url, schema, "UPDATE EVENTS SET state = convert_to(replace(convert_from(state, 'UTF8'),"
         " '机构3', '机构X'), 'UTF8') WHERE notification_id = 4")
    verdict = chained.verify()
    assert (verdict.ok, verdict.first_break, verdict.problem, verdict.checked) == (False, 4, "changed", 3)


def test_a_removed_event_is_named(chained, database_url, schema):
    _sql(database_url, schema, "DELETE FROM EVENTS WHERE notification_id = 2")
    verdict = chained.verify()
    assert (verdict.ok, verdict.first_break, verdict.problem) == (False, 2, "removed")


def test_an_event_inserted_into_a_gap_is_named(chained, database_url, schema):
    _sql(database_url, schema, "INSERT INTO EVENTS (originator_id, originator_version, topic, state,"
         " notification_id) SELECT gen_random_uuid(), 1, topic, state, 6 FROM EVENTS WHERE notification_id = 1")
    verdict = chained.verify()
    assert (verdict.ok, verdict.first_break, verdict.problem) == (False, 6, "inserted")


def test_an_altered_chain_is_named(chained, database_url, schema):
    _sql(database_url, schema, "UPDATE CHAIN SET chain = sha256(chain) WHERE position = 3")
    verdict = chained.verify()
    assert (verdict.ok, verdict.first_break, verdict.problem) == (False, 3, "chain-altered")


def test_events_stored_after_the_last_pass_are_counted_then_chained(chained, ledger):
    ledger.register_agency(actor("bureau"), credit_code=credit_code(), name="新机构")
    assert chained.verify().unchained == 1
    assert chained.extend() == 1 and chained.verify().unchained == 0


def test_a_rewrite_of_both_tables_is_caught_by_a_witness(chained, ledger, database_url, schema):
    witness = (4, chained.chain_at(4))  # as a subscriber kept it from a checkpoint
    _sql(database_url, schema, "UPDATE EVENTS SET state = convert_to(replace(convert_from(state, 'UTF8'),"
         " '机构3', '机构Y'), 'UTF8') WHERE notification_id = 4")
    _sql(database_url, schema, "DELETE FROM CHAIN")  # the forger rebuilds the chain over the forgery
    chained.extend_all()
    assert chained.verify().ok  # consistent with itself …
    verdict = chained.verify(witness=witness)  # … but not with what a subscriber kept
    assert (verdict.ok, verdict.first_break, verdict.problem) == (False, 4, "witness-mismatch")

