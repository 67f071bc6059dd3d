"""A keyed write stores its idempotency key and first answer in the transaction of its events:
both or neither (issue 10 §4). The HTTP side: tests/e2e/test_idempotency*.py."""

from __future__ import annotations

import orjson
import pytest

from domain.actor import Role
from domain.parties import Agency
from infra.idempotency import Answer, IdempotencyStore, KeyedRequest, KeyTaken, keyed
from services.errors import ConcurrentModification
from tests.conftest import actor, credit_code, stored_count

BUREAU = actor(Role.BUREAU)


def _request(key: str, status: int = 201) -> KeyedRequest:
    return KeyedRequest(holder="holder-digest", key=key, request_hash=f"request-of-{key}",
                        success_status=lambda: status)


def test_the_key_and_the_answer_are_stored_with_the_write(ledger):
    agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="甲机构")
    with keyed(_request("expert-1")):
        expert = ledger.add_expert(BUREAU, agency.id, name="王工", certificate_no="AQ-001")
    assert expert.id != agency.id  # the answer names the expert, not the agency it was stored on
    stored = IdempotencyStore(ledger.recorder.datastore).answer("holder-digest", "expert-1")
    assert stored == Answer("request-of-expert-1", 201,
                            orjson.dumps({"id": expert.id, "position": expert.position}))


def test_a_write_that_does_not_commit_leaves_no_key(ledger):
    registered = ledger.register_agency(BUREAU, credit_code=credit_code(), name="乙机构")
    stale = ledger.load(Agency, registered.id)
    ledger.admit_agency_to_pool(BUREAU, registered.id)  # another command changes it first
    stale.blacklist(reason="演练", actor=BUREAU)
    with keyed(_request("late", status=200)), pytest.raises(ConcurrentModification):
        ledger.store(stale)
    assert IdempotencyStore(ledger.recorder.datastore).answer("holder-digest", "late") is None
    assert stored_count(ledger) == 2
    with keyed(_request("late", status=200)):  # the key is free: the retry runs, once
        written = ledger.blacklist_agency(BUREAU, registered.id, reason="演练")
    assert IdempotencyStore(ledger.recorder.datastore).answer("holder-digest", "late").body == \
        orjson.dumps({"id": registered.id, "position": written.position})
    assert stored_count(ledger) == 3


def test_a_key_already_stored_refuses_the_second_write_whole(ledger):
    with keyed(_request("once")):
        ledger.register_agency(BUREAU, credit_code=credit_code(), name="丙机构")
    with keyed(_request("once")), pytest.raises(KeyTaken):
        ledger.register_agency(BUREAU, credit_code=credit_code(), name="丁机构")
    assert stored_count(ledger) == 1


def test_a_process_that_does_not_create_tables_writes_too(ledger, store_env):
    """A process started on an existing store with CREATE_TABLE=n (as the import's deciders and the
    relay's reader are) still writes: the lock statement is not made only with the tables."""
    from services.application import HazardLedger

    other = HazardLedger({**store_env, "CREATE_TABLE": "n"})
    try:
        agency = other.register_agency(BUREAU, credit_code=credit_code(), name="丙机构")
    finally:
        other.close()
    assert ledger.load(Agency, agency.id).name == "丙机构"
