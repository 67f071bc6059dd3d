"""Idempotency keys (幂等键): a retried write (same key, same request) gets the first answer back.

The key, the request's fingerprint and the first answer are stored by the event store's own
recorder (`KeyedRecorder`) in the SAME transaction as the write's events: either both are
stored or neither. So a retry of a committed write finds its answer whatever happened to the
process in between, and a key whose write never committed is simply free and runs once.

The HTTP layer names the keyed request with `keyed(...)` (a context variable, which the worker
thread running a sync endpoint inherits); `HazardLedger.store` hands it to `save(...)`, and the
library passes it down to `KeyedRecorder.insert_events`. Writes are committed in batches
(group commit); each batch locks the events table before it looks at keys, so keys are checked
and stored under that lock: a duplicate, in the same batch or a later one, finds the key taken
and is refused with `KeyTaken` (none of its events stored) rather than with a version conflict,
and the other writes of its batch are stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import orjson
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from infra import citations
from infra.group_commit import GroupCommit
from infra.postgres import serialise_ddl

TABLE = "idempotency_keys"
# events in a batch from which COPY inserts them; fewer: the library's one statement (measured,
# commit included: equal at ~3 events, COPY 3× faster at 50 and 4× at 500; docs/import.md)
COPY_FROM = 5


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


@dataclass(frozen=True)
class Write:
    """One command's write as it waits for its batch: its events, and its key if it has one."""

    events: Sequence[StoredEvent]
    request: KeyedRequest | None = None
    status: int = 0
    answer_id: str = ""
    citations: tuple[citations.Citation, ...] = ()  # the files its events cite (infra.citations)


class KeyedRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, committing the writes of concurrent
    commands together (group commit, `infra.group_commit`) and storing a keyed write's
    idempotency key and first answer in the transaction that inserts its events (chosen by the
    environment's `APPLICATION_RECORDER_TOPIC`, see `infra.postgres.event_store_env`).

    `save(*aggregates, idempotency=KeyedRequest, answer_id=...)` reaches `insert_events`.
    One batch is one transaction: the events table is locked FIRST, then each write is checked
    against the store as it now is (its key not taken, each aggregate's next version free);
    a write that fails its check is refused alone (`KeyTaken`, or `IntegrityError` for a version
    conflict, as the library would raise) and the others' events are inserted together: by the
    library's one statement, or for `COPY_FROM` events or more by binary COPY (`_copy_events`).
    An aggregate a write creates is not looked up first: a taken id fails the batch on the
    primary key, and the batch is then tried write by write.
    The evidence files a write's events cite (`infra.citations.citing`) are recorded in
    `file_citations` in the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:  # the library's insert function skips the checks below
            raise ProgrammingError("KeyedRecorder needs POSTGRES_ENABLE_DB_FUNCTIONS off")
        self.keys_table = sql.Identifier(datastore.schema, TABLE)
        self.sql_create_statements += [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (holder text NOT NULL, key text NOT NULL,"
                    " request_hash text NOT NULL, status int NOT NULL, body bytea,"
                    " claimed_at timestamptz NOT NULL, PRIMARY KEY (holder, key))").format(self.keys_table),
            # before issue 10 a key was claimed in a transaction of its own and completed later;
            # a claim never completed names no answer: forget it (its key is free again)
            sql.SQL("DELETE FROM {} WHERE status IS NULL OR body IS NULL").format(self.keys_table),
            *citations.create_statements(datastore.schema),  # written with the events that cite
        ]
        self.group: GroupCommit[Write, list[int]] = GroupCommit(self._commit_batch)
        self._copy: tuple[sql.Composable, ...] | None = None  # the COPY path's statements, made on first use
        # the library's lock statements and its NOTIFY (sent at commit) in one round trip — made
        # here, not with the tables, so a process that does not create tables (CREATE_TABLE=n) writes too
        self._lock_and_notify = sql.SQL("; ").join(
            [*self.lock_table_statements, sql.SQL("NOTIFY {}").format(sql.Identifier(self.channel_name))])

    def _create_table(self, curs: Any) -> None:
        serialise_ddl(curs)  # processes starting together create tables one after the other
        super()._create_table(curs)

    def insert_events(self, stored_events: Sequence[StoredEvent], *, tracking: Any = None,
                      idempotency: KeyedRequest | None = None, answer_id: str = "",
                      **kwargs: Any) -> Sequence[int] | None:
        if tracking is not None or kwargs:  # not a command's write: the library's own way
            return super().insert_events(stored_events, tracking=tracking, **kwargs)
        if not stored_events:
            return []
        status = idempotency.success_status() if idempotency is not None else 0  # asked here, in the request's thread
        return self.group.submit(Write(stored_events, idempotency, status, answer_id,
                                       citations.current_citations()))  # read here, in the command's thread

    def _commit_batch(self, writes: list[Write]) -> list[list[int] | Exception]:
        try:
            return self._commit_together(writes)
        except IntegrityError as e:  # not foreseen by the checks: find the culprit, each alone
            if len(writes) == 1:
                return [e]
            return [self._commit_batch([w])[0] for w in writes]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _commit_together(self, writes: list[Write]) -> list[list[int] | Exception]:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._lock_and_notify)  # first: every writer of events and keys queues here
            refusals = self._check(curs, writes)
            accepted = [w for w, refused in zip(writes, refusals, strict=True) if refused is None]
            ids = self._insert_accepted(curs, accepted) if accepted else iter(())
        return [refused or [next(ids) for _ in w.events] for w, refused in zip(writes, refusals, strict=True)]

    def _check(self, curs: Cursor[DictRow], writes: list[Write]) -> list[Exception | None]:
        """Under the lock, in order: a key already stored (or taken earlier in the batch) refuses
        its write; so does an event whose version is not the next of its aggregate's."""
        # an aggregate a write creates (its first event is version 1) is not looked up: if its id
        # is taken after all, the primary key refuses the batch and each write is tried alone
        current = self._versions(curs, {i for w in writes for i in _changed(w.events)})
        taken = self._taken(curs, [w.request for w in writes if w.request is not None])
        refusals: list[Exception | None] = []
        for w in writes:
            versions = _next_versions(current, w.events)
            if w.request is not None and (w.request.holder, w.request.key) in taken:
                refusals.append(KeyTaken(w.request.key))
            elif versions is None:
                refusals.append(IntegrityError("version conflict: an aggregate changed since it was loaded"))
            else:
                refusals.append(None)
                current.update(versions)
                if w.request is not None:
                    taken.add((w.request.holder, w.request.key))
        return refusals

    def _versions(self, curs: Cursor[DictRow], ids: set[Any]) -> dict[str, int]:
        if not ids:
            return {}
        curs.execute(sql.SQL("SELECT originator_id, max(originator_version) AS version FROM {}.{}"
                             " WHERE originator_id = ANY(%s) GROUP BY originator_id").format(
            sql.Identifier(self.datastore.schema), sql.Identifier(self.events_table_name)), (list(ids),))
        return {str(row["originator_id"]): row["version"] for row in curs.fetchall()}

    def _taken(self, curs: Cursor[DictRow], requests: list[KeyedRequest]) -> set[tuple[str, str]]:
        if not requests:
            return set()
        curs.execute(sql.SQL("SELECT holder, key FROM {} WHERE (holder, key) IN"
                             " (SELECT * FROM unnest(%s::text[], %s::text[]))").format(self.keys_table),
                     ([r.holder for r in requests], [r.key for r in requests]))
        return {(row["holder"], row["key"]) for row in curs.fetchall()}

    def _insert_accepted(self, curs: Cursor[DictRow], accepted: list[Write]) -> Iterator[int]:
        """One insert for all accepted events (the library's statement, or COPY for a large
        batch), then their keys with the answers naming each write's last position."""
        events = [e for w in accepted for e in w.events]
        if len(events) >= COPY_FROM:
            ids = self._copy_events(curs, events)
        else:
            super(PostgresApplicationRecorder, self)._insert_stored_events(curs, events)
            ids = self._fetch_ids_after_insert_events(curs, events)
        assert ids is not None and len(ids) == len(events)
        keyed, last, at = [], {}, 0
        for w in accepted:
            if w.citations:
                citations.insert(curs, self.datastore.schema, w.citations, w.events, ids[at:at + len(w.events)])
            at += len(w.events)
            if w.request is not None:
                keyed.append(w)
                last[id(w)] = ids[at - 1]
        if keyed:
            curs.execute(sql.SQL(
                "INSERT INTO {} (holder, key, request_hash, status, body, claimed_at) SELECT *, now()"
                " FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::bytea[])").format(self.keys_table),
                ([w.request.holder for w in keyed], [w.request.key for w in keyed],
                 [w.request.request_hash for w in keyed], [w.status for w in keyed],
                 [answer_body(w.answer_id, last[id(w)]) for w in keyed]))
        return iter(ids)

    def _copy_events(self, curs: Cursor[DictRow], events: list[StoredEvent]) -> list[int]:
        """COPY (binary) of the events into the locked table, and their notification ids: the
        sequence gives them in row order; under the table lock no other writer draws from it, so
        they are the `len(events)` numbers after the sequence's value before the COPY (checked:
        otherwise they are read back)."""
        if self._copy is None:
            curs.execute("SELECT pg_get_serial_sequence(%s, 'notification_id') AS seq",
                         (f'"{self.datastore.schema}"."{self.events_table_name}"',))
            seq_name = curs.fetchone()["seq"]  # qualified, quoted by the server
            seq = sql.SQL(seq_name)
            table = sql.Identifier(self.datastore.schema, self.events_table_name)
            self._copy = (
                sql.SQL("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS before FROM {}")
                .format(seq),
                sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)")
                .format(table),
                sql.SQL("SELECT currval({}::regclass) AS last").format(sql.Literal(seq_name)),
                sql.SQL("SELECT notification_id FROM {} WHERE (originator_id, originator_version) IN"
                        " (SELECT * FROM unnest(%s::{}[], %s::int8[])) ORDER BY notification_id")
                .format(table, sql.SQL(self.datastore.originator_id_type)))
        position, copy_in, last_id, read_back = self._copy
        curs.execute(position)
        before = curs.fetchone()["before"]
        types = [self.datastore.originator_id_type, "int8", "text", "bytea"]
        with curs.copy(copy_in) as copy:
            copy.set_types(types)
            write = copy.write_row
            for e in events:
                write((e.originator_id, e.originator_version, e.topic, e.state))
        curs.execute(last_id)
        last = curs.fetchone()["last"]
        if last - before == len(events):
            return list(range(before + 1, last + 1))
        curs.execute(read_back, ([e.originator_id for e in events], [e.originator_version for e in events]))
        return [row["notification_id"] for row in curs.fetchall()]


def _changed(events: Sequence[StoredEvent]) -> set[Any]:
    """The aggregates these events change without creating them (no version 1 among them)."""
    created = {e.originator_id for e in events if e.originator_version == 1}
    return {e.originator_id for e in events if e.originator_id not in created}


def _next_versions(current: dict[str, int], events: Sequence[StoredEvent]) -> dict[str, int] | None:
    """The versions these events would leave, or None if one is not the next of its aggregate."""
    mine: dict[str, int] = {}
    for e in events:
        oid = str(e.originator_id)
        if e.originator_version != mine.get(oid, current.get(oid, 0)) + 1:
            return None
        mine[oid] = e.originator_version
    return mine


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
