"""Optional encryption of stored events (HAZARD_CIPHER_KEY): unreadable in the table, readable to the service."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher

from domain.hazard import Hazard
from infra.postgres import event_store_env
from services.application import HazardLedger
from tests.conftest import POOL_SIZE, TODAY, actor, credit_code


def test_with_a_cipher_key_names_and_phones_are_not_readable_in_postgresql(database_url, schema):
    key = AESCipher.create_key(32)
    ledger = HazardLedger(event_store_env(database_url, schema=schema, pool_size=POOL_SIZE, cipher_key=key), clock=lambda: TODAY)
    bureau = actor("bureau")
    enterprise = ledger.register_enterprise(bureau, credit_code=credit_code(), name="加密测试厂",
                                            township="330226001", sector="trade", scale="individual").id
    hazard = ledger.report_hazard(bureau, enterprise_id=enterprise, source="public_tip",
                                  category="unsafe_condition", description="x", level="general",
                                  discovered_on=date(2026, 6, 1)).id
    ledger.assign_responsibility(bureau, hazard, responsible_person="司马光", responsible_phone="13800001111",
                                 deadline=date(2026, 7, 1))
    with psycopg.connect(database_url) as conn:
        states = [bytes(r[0]) for r in conn.execute(f'SELECT state FROM "{schema}".hazardledger_events')]
    assert states and not any("司马光".encode() in s or b"13800001111" in s for s in states)
    assert ledger.load(Hazard, hazard).responsible_phone == "13800001111"
    ledger.close()
    without_key = HazardLedger(event_store_env(database_url, schema=schema, pool_size=POOL_SIZE), clock=lambda: TODAY)
    with pytest.raises(Exception):
        without_key.load(Hazard, hazard)
    without_key.close()
