"""Idempotency keys (幂等键): a retried write (same key, same request) gets the first answer back.

The key, the request's fingerprint and the first answer are stored by the event store's own
recorder (`KeyedRecorder`) in the SAME transaction as the write's events: either both are
stored or neither. So a retry of a committed write finds its answer whatever happened to the
process in between, and a key whose write never committed is simply free and runs once.

The HTTP layer names the keyed request with `keyed(...)` (a context variable, which the worker
thread running a sync endpoint inherits); `HazardLedger.store` hands it to `save(...)`, and the
library passes it down to `KeyedRecorder.insert_events`. The key's row is inserted first in the
transaction, so a concurrent duplicate waits on it and then fails with `KeyTaken` (its events
never inserted, its transaction rolled back) rather than with a version conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor, sql
from psycopg.rows import DictRow

TABLE = "idempotency_keys"


@dataclass(frozen=True)
class KeyedRequest:
    """A write sent with an `Idempotency-Key`: whose key it is (holder: a digest of the
    credentials), the key, a digest of the request, and the status its success answers (asked
    when the write is stored: the HTTP layer knows it once the request has been routed)."""

    holder: str
    key: str
    request_hash: str
    success_status: Callable[[], int]


@dataclass(frozen=True)
class Answer:
    """The stored first answer to a key."""

    request_hash: str
    status: int
    body: bytes


class KeyTaken(Exception):
    """The key was stored by another transaction first (a concurrent duplicate): nothing of this
    write was stored; answer from the key's stored answer instead."""


_current: ContextVar[KeyedRequest | None] = ContextVar("keyed_request", default=None)


@contextmanager
def keyed(request: KeyedRequest) -> Iterator[None]:
    """Within this block (and in worker threads started from it) writes carry the key."""
    token = _current.set(request)
    try:
        yield
    finally:
        _current.reset(token)


def current_request() -> KeyedRequest | None:
    return _current.get()


def answer_body(ident: str, position: int) -> bytes:
    """The body every write answers (`services.api.schemas.Written`), as the API renders it."""
    return orjson.dumps({"id": ident, "position": position})


class KeyedRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, storing a write's idempotency key and
    first answer in the transaction that inserts its events (chosen by the environment's
    `APPLICATION_RECORDER_TOPIC`, see `infra.postgres.event_store_env`).

    `save(*aggregates, idempotency=KeyedRequest, answer_id=...)` reaches `insert_events`."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:  # the library's insert function skips the hooks below
            raise ProgrammingError("KeyedRecorder needs POSTGRES_ENABLE_DB_FUNCTIONS off")
        self.keys_table = sql.Identifier(datastore.schema, TABLE)
        self.sql_create_statements += [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (holder text NOT NULL, key text NOT NULL,"
                    " request_hash text NOT NULL, status int NOT NULL, body bytea,"
                    " claimed_at timestamptz NOT NULL, PRIMARY KEY (holder, key))").format(self.keys_table),
            # before issue 10 a key was claimed in a transaction of its own and completed later;
            # a claim never completed names no answer: forget it (its key is free again)
            sql.SQL("DELETE FROM {} WHERE status IS NULL OR body IS NULL").format(self.keys_table),
        ]

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], *,
                       idempotency: KeyedRequest | None = None, **kwargs: Any) -> None:
        """First in the transaction: the key. A concurrent duplicate waits here for the first
        to commit, then inserts nothing and raises, which rolls its transaction back."""
        super()._insert_events(curs, stored_events, **kwargs)
        if idempotency is not None and stored_events:
            curs.execute(sql.SQL(
                "INSERT INTO {} (holder, key, request_hash, status, claimed_at) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING key").format(self.keys_table),
                (idempotency.holder, idempotency.key, idempotency.request_hash,
                 idempotency.success_status(), datetime.now(UTC)))
            if curs.fetchone() is None:  # (in the library's pipeline, fetching waits for the answer)
                raise KeyTaken(idempotency.key)

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], *,
                                       idempotency: KeyedRequest | None = None, answer_id: str = "",
                                       **kwargs: Any) -> Sequence[int] | None:
        """Last in the transaction: the answer, with the position the events were given."""
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if idempotency is not None and ids:
            curs.execute(sql.SQL("UPDATE {} SET body = %s WHERE holder = %s AND key = %s")
                         .format(self.keys_table),
                         (answer_body(answer_id, ids[-1]), idempotency.holder, idempotency.key))
        return ids


class IdempotencyStore:
    """Reads the stored first answers (they are written only by `KeyedRecorder`)."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = sql.Identifier(datastore.schema, TABLE)

    def answer(self, holder: str, key: str) -> Answer | None:
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT request_hash, status, body FROM {} WHERE holder = %s AND key = %s")
                         .format(self._table), (holder, key))
            row = curs.fetchone()
        if row is None:
            return None
        return Answer(row["request_hash"], row["status"], bytes(row["body"]))
