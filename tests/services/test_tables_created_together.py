"""Processes that start together on a new store (several `hazard serve --role api` replicas,
issue 18) create our own tables one after the other: PostgreSQL's `CREATE TABLE IF NOT EXISTS`
run twice at once fails with a duplicate `pg_type` row, and a replica that hit it did not start."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from infra.audit_chain import AuditChain
from infra.files.postgres import PostgresFileStore
from infra.log_reader import LogReader
from infra.revocations import RevocationList
from services.application import HazardLedger
from tests.conftest import one_at_a_time

TOGETHER = 4  # like three API replicas and a workers process


def _all_at_once(make: Callable[[HazardLedger], object], env: dict[str, str]) -> list[BaseException]:
    """`make` on TOGETHER applications (each with its own connection), started at one barrier."""
    apps = [HazardLedger(one_at_a_time(env)) for _ in range(TOGETHER)]
    barrier, errors = threading.Barrier(TOGETHER), []

    def run(app: HazardLedger) -> None:
        barrier.wait()
        try:
            make(app)
        except BaseException as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=run, args=(app,)) for app in apps]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        for app in apps:
            app.close()
    return errors


@pytest.mark.parametrize("store", ["files", "revocations", "audit chain"])
def test_stores_created_together_on_a_new_schema_all_start(store_env, store):
    HazardLedger(one_at_a_time(store_env)).close()  # the event store's own tables exist, as in serve
    make = {"files": lambda app: PostgresFileStore(app.recorder.datastore),
            "revocations": lambda app: RevocationList(app.recorder.datastore),
            "audit chain": lambda app: AuditChain(LogReader(app))}[store]
    assert _all_at_once(make, store_env) == []
