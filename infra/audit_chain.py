"""Tamper evidence: a hash chain over the whole stored event sequence.

For each stored event, in notification order, the chain keeps
    digest_p = SHA-256(originator id, version, topic, stored state bytes)
    chain_p  = SHA-256(chain_prev ‖ p as 8 bytes ‖ digest_p)
in the table `audit_chain`, written by a keeper that follows the notification log (通知日志)
through the one reader of the log (`infra.log_reader.LogReader.notifications`: the stored
records, not decoded — `Notification.state` is the stored bytes exactly). `verify` recomputes
everything from the log and names the first position where a stored event was changed,
removed or inserted, or where the chain table itself was altered.

What it proves: rows altered after they were chained are found. What it does not prove on its
own: someone able to rewrite both tables can recompute the chain — the head published on NATS
(`hz._._.audit.checkpoint`) and held by subscribers is the witness against that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification
from psycopg import sql

from infra.log_reader import LogReader
from infra.postgres import serialise_ddl

# what every stored event carries besides its own data (the record's envelope, not its content):
# the one definition for the export, the trace, the presenters and the event stream's body
GENESIS = bytes(32)
LOCK_KEY = 0x4A2D_C4A1  # advisory lock: one keeper appends to the chain at a time
PAGE = 5000


def event_digest(originator_id: object, version: int, topic: str, state: bytes) -> bytes:
    h = hashlib.sha256()
    for part in (str(originator_id).encode(), str(version).encode(), topic.encode(), bytes(state)):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


def digest_of(notification: Notification) -> bytes:
    """The digest of one stored event as the log reader returns it."""
    return event_digest(notification.originator_id, notification.originator_version,
                        notification.topic, notification.state)


def link(previous: bytes, position: int, digest: bytes) -> bytes:
    return hashlib.sha256(previous + position.to_bytes(8, "big") + digest).digest()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int                 # chained events recomputed
    head_position: int | None    # last chained position
    head: str | None             # its chain hash (hex)
    first_break: int | None = None
    problem: str | None = None   # changed | removed | inserted | chain-altered | witness-mismatch
    unchained: int = 0           # stored after the keeper's last pass

    def as_dict(self) -> dict:
        return dict(vars(self))


class AuditChain:
    """The chain table beside the event store, kept and checked from the log reader's pages."""

    TABLE = "audit_chain"

    def __init__(self, reader: LogReader) -> None:
        self._reader = reader
        self._datastore: Any = reader.recorder.datastore
        self._chain = sql.Identifier(self._datastore.schema, self.TABLE)
        with self._datastore.transaction(commit=True) as curs:
            serialise_ddl(curs)  # processes starting together on a new store create tables in turn
            curs.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY,"
                                 " digest bytea NOT NULL, chain bytea NOT NULL)").format(self._chain))

    def head(self) -> tuple[int, bytes] | None:
        """The last chained position and its chain hash (None: nothing chained yet)."""
        with self._datastore.transaction(commit=False) as curs:
            return self._head(curs)

    def _head(self, curs: Any) -> tuple[int, bytes] | None:
        curs.execute(sql.SQL("SELECT position, chain FROM {} ORDER BY position DESC LIMIT 1")
                     .format(self._chain))
        row = curs.fetchone()
        return (row["position"], bytes(row["chain"])) if row else None

    def chain_at(self, position: int) -> str | None:
        """The stored chain hash at a position (hex), as a checkpoint would publish it."""
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT chain FROM {} WHERE position = %s").format(self._chain), (position,))
            row = curs.fetchone()
        return bytes(row["chain"]).hex() if row else None

    def extend(self, batch: int = PAGE) -> int:
        """Chain the events stored since the last pass; returns how many were chained.

        The page is read and linked outside the lock (one connection at a time); the rows are
        appended only if the chain's head is still the one they link to, else the page is
        read again after the head another keeper wrote."""
        while True:
            head = self.head()
            position, previous = head if head else (0, GENESIS)
            rows = []
            for notification in self._reader.notifications(position, limit=batch):
                digest = digest_of(notification)
                previous = link(previous, notification.id, digest)
                rows.append((notification.id, digest, previous))
            if not rows or self._append(head, rows):
                return len(rows)

    def _append(self, expected: tuple[int, bytes] | None, rows: list[tuple[int, bytes, bytes]]) -> bool:
        """Insert the rows under the keepers' lock if the head is still `expected`."""
        with self._datastore.transaction(commit=True) as curs:
            curs.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            if self._head(curs) != expected:
                return False
            curs.executemany(sql.SQL("INSERT INTO {} (position, digest, chain) VALUES (%s, %s, %s)")
                             .format(self._chain), rows)
        return True

    def extend_all(self) -> int:
        total = 0
        while (n := self.extend()) > 0:
            total += n
        return total

    def verify(self, progress: Callable[[int], None] | None = None,
               witness: tuple[int, str] | None = None) -> Verdict:
        """Recompute the chain from the log; the first break, if any. A `witness`
        (position, chain hex) — a checkpoint a subscriber kept — must match the recomputation:
        that catches a rewrite of both tables."""
        previous, checked, head_position = GENESIS, 0, None
        events, chain = self._stored(), self._links()
        event, link_row = next(events, None), next(chain, None)
        while link_row is not None:
            position = link_row["position"]
            if event is not None and event.id < position:
                return self._broken(checked, head_position, previous, event.id, "inserted")
            if event is None or event.id > position:
                return self._broken(checked, head_position, previous, position, "removed")
            digest = digest_of(event)
            if digest != bytes(link_row["digest"]):
                return self._broken(checked, head_position, previous, position, "changed")
            previous = link(previous, position, digest)
            if previous != bytes(link_row["chain"]):
                return self._broken(checked, head_position, previous, position, "chain-altered")
            if witness and witness[0] == position and witness[1] != previous.hex():
                return self._broken(checked, head_position, previous, position, "witness-mismatch")
            checked, head_position = checked + 1, position
            if progress and checked % 10000 == 0:
                progress(checked)
            event, link_row = next(events, None), next(chain, None)
        unchained = 1 + sum(1 for _ in events) if event is not None else 0
        return Verdict(True, checked, head_position, previous.hex() if checked else None,
                       unchained=unchained)

    def _broken(self, checked: int, head_position: int | None, previous: bytes, at: int,
                problem: str) -> Verdict:
        return Verdict(False, checked, head_position, previous.hex() if checked else None, at, problem)

    def _stored(self) -> Iterator[Notification]:
        """The stored events in position order, a page at a time (constant memory)."""
        after = 0
        while page := self._reader.notifications(after, limit=PAGE):
            yield from page
            after = page[-1].id

    def _links(self) -> Iterator[dict]:
        """The chain table's rows in position order, a page at a time."""
        after = 0
        while True:
            with self._datastore.transaction(commit=False) as curs:
                curs.execute(sql.SQL("SELECT * FROM {} WHERE position > %s ORDER BY position LIMIT %s")
                             .format(self._chain), (after, PAGE))
                rows = curs.fetchall()
            if not rows:
                return
            yield from rows
            after = rows[-1]["position"]
