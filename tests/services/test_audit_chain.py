"""The hash chain names the first stored event that was changed, removed or inserted."""

from __future__ import annotations

import hashlib

import psycopg
import pytest
from psycopg.rows import dict_row

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
    chain = ledger.audit_chain()
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



def test_the_chain_is_the_documented_formula_over_the_stored_rows(chained, database_url, schema):
    """Chains written before the chain read the log through the log reader verify unchanged:
    each value is recomputed here from the rows as plain SQL returns them."""
    with psycopg.connect(database_url, row_factory=dict_row) as conn:
        events = conn.execute(f'SELECT * FROM "{schema}".hazardledger_events ORDER BY notification_id').fetchall()
        links = conn.execute(f'SELECT * FROM "{schema}".audit_chain ORDER BY position').fetchall()
    previous = bytes(32)
    for event, row in zip(events, links, strict=True):
        h = hashlib.sha256()
        for part in (str(event["originator_id"]).encode(), str(event["originator_version"]).encode(),
                     event["topic"].encode(), bytes(event["state"])):
            h.update(len(part).to_bytes(8, "big") + part)
        previous = hashlib.sha256(previous + event["notification_id"].to_bytes(8, "big") + h.digest()).digest()
        assert (row["position"], bytes(row["digest"]), bytes(row["chain"])) == (
            event["notification_id"], h.digest(), previous)


def test_two_keepers_at_once_write_one_chain(chained, ledger, store_env):
    """A second keeper (another process's) that read the same page loses the race and reads again."""
    from services.application import HazardLedger
    from tests.conftest import TODAY
    for n in range(7):
        ledger.register_agency(actor("bureau"), credit_code=credit_code(), name=f"后来{n}")
    other = HazardLedger(store_env, clock=lambda: TODAY)
    try:
        theirs = other.audit_chain()
        stale = chained.head()
        assert theirs.extend(batch=3) == 3
        assert chained._append(stale, [(99, bytes(32), bytes(32))]) is False  # head moved: refused
        assert chained.extend_all() == 4 and theirs.extend_all() == 0
    finally:
        other.close()
    verdict = chained.verify()
    assert verdict.ok and verdict.checked == 13 and verdict.unchained == 0
