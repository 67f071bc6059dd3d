"""Tamper evidence: a hash chain over the whole stored event sequence.

For each stored event, in notification order, the chain keeps
    digest_p = SHA-256(originator id, version, topic, stored state bytes)
    chain_p  = SHA-256(chain_prev ‖ p as 8 bytes ‖ digest_p)
in the table `audit_chain`, written by a keeper that follows the events table. `verify`
recomputes everything from the events table and names the first position where a stored
event was changed, removed or inserted, or where the chain table itself was altered.

What it proves: rows altered after they were chained are found. What it does not prove on its
own: someone able to rewrite both tables can recompute the chain — the head published on NATS
(`hz._._.audit.checkpoint`) and held by subscribers is the witness against that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

GENESIS = bytes(32)
LOCK_KEY = 0x4A2D_C4A1  # advisory lock: one keeper extends the chain at a time


def event_digest(originator_id: object, version: int, topic: str, state: bytes) -> bytes:
    h = hashlib.sha256()
    for part in (str(originator_id).encode(), str(version).encode(), topic.encode(), bytes(state)):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


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
    TABLE = "audit_chain"

    def __init__(self, datastore: PostgresDatastore, events_table: str) -> None:
        self._datastore = datastore
        self._chain = sql.Identifier(datastore.schema, self.TABLE)
        self._events = sql.Identifier(datastore.schema, events_table)
        with datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY,"
                                 " digest bytea NOT NULL, chain bytea NOT NULL)").format(self._chain))

    def head(self) -> tuple[int, bytes] | None:
        with self._datastore.transaction(commit=False) as curs:
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

    def extend(self, batch: int = 5000) -> int:
        """Chain the events stored since the last pass; returns how many were chained."""
        with self._datastore.transaction(commit=True) as curs:
            curs.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            curs.execute(sql.SQL("SELECT position, chain FROM {} ORDER BY position DESC LIMIT 1")
                         .format(self._chain))
            row = curs.fetchone()
            position, previous = (row["position"], bytes(row["chain"])) if row else (0, GENESIS)
            curs.execute(sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state FROM {}"
                " WHERE notification_id > %s ORDER BY notification_id LIMIT %s").format(self._events),
                (position, batch))
            rows = []
            for e in curs.fetchall():
                digest = event_digest(e["originator_id"], e["originator_version"], e["topic"], e["state"])
                previous = link(previous, e["notification_id"], digest)
                rows.append((e["notification_id"], digest, previous))
            if rows:
                curs.executemany(sql.SQL("INSERT INTO {} (position, digest, chain) VALUES (%s, %s, %s)")
                                 .format(self._chain), rows)
        return len(rows)

    def extend_all(self) -> int:
        total = 0
        while (n := self.extend()) > 0:
            total += n
        return total

    def verify(self, progress: Callable[[int], None] | None = None,
               witness: tuple[int, str] | None = None) -> Verdict:
        """Recompute the chain from the events table; the first break, if any. A `witness`
        (position, chain hex) — a checkpoint a subscriber kept — must match the recomputation:
        that catches a rewrite of both tables."""
        previous, checked, head_position = GENESIS, 0, None
        events, chain = self._stream(self._events, "notification_id"), self._stream(self._chain, "position")
        event, link_row = next(events, None), next(chain, None)
        while link_row is not None:
            position = link_row["position"]
            if event is not None and event["notification_id"] < position:
                return self._broken(checked, head_position, previous, event["notification_id"], "inserted")
            if event is None or event["notification_id"] > position:
                return self._broken(checked, head_position, previous, position, "removed")
            digest = event_digest(event["originator_id"], event["originator_version"], event["topic"],
                                  event["state"])
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

    def _stream(self, table: sql.Identifier, order: str) -> Iterator[dict]:
        """Rows of a table in position order, read in pages (constant memory)."""
        after = 0
        while True:
            with self._datastore.transaction(commit=False) as curs:
                curs.execute(sql.SQL("SELECT * FROM {} WHERE {} > %s ORDER BY {} LIMIT 5000").format(
                    table, sql.Identifier(order), sql.Identifier(order)), (after,))
                rows = curs.fetchall()
            if not rows:
                return
            yield from rows
            after = rows[-1][order]
