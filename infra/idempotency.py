"""Idempotency keys: a retried write (same key, same request) gets the first answer back.

Kept in PostgreSQL beside the event store, so a retry after a server restart is recognised.
A key is claimed before the write runs (so two concurrent retries cannot both write), and
completed with the answer when the write succeeded; a failed write releases it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

ABANDONED_AFTER = timedelta(seconds=60)  # a claim never completed (process died) is retried


@dataclass(frozen=True)
class Claim:
    outcome: str          # "new", "replay", "pending" or "mismatch"
    status: int = 0
    body: bytes = b""


class IdempotencyStore:
    TABLE = "idempotency_keys"

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = sql.Identifier(datastore.schema, self.TABLE)
        with datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (holder text NOT NULL, key text NOT NULL,"
                " request_hash text NOT NULL, status int, body bytea,"
                " claimed_at timestamptz NOT NULL, PRIMARY KEY (holder, key))").format(self._table))

    def claim(self, holder: str, key: str, request_hash: str) -> Claim:
        now = datetime.now(UTC)
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL(
                "DELETE FROM {} WHERE holder = %s AND key = %s AND status IS NULL AND claimed_at < %s"
            ).format(self._table), (holder, key, now - ABANDONED_AFTER))
            curs.execute(sql.SQL(
                "INSERT INTO {} (holder, key, request_hash, claimed_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING key").format(self._table),
                (holder, key, request_hash, now))
            if curs.fetchone() is not None:
                return Claim("new")
            curs.execute(sql.SQL("SELECT request_hash, status, body FROM {} WHERE holder = %s AND key = %s")
                         .format(self._table), (holder, key))
            row = curs.fetchone()
        if row["request_hash"] != request_hash:
            return Claim("mismatch")
        if row["status"] is None:
            return Claim("pending")
        return Claim("replay", row["status"], bytes(row["body"]))

    def complete(self, holder: str, key: str, status: int, body: bytes) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("UPDATE {} SET status = %s, body = %s WHERE holder = %s AND key = %s")
                         .format(self._table), (status, body, holder, key))

    def release(self, holder: str, key: str) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("DELETE FROM {} WHERE holder = %s AND key = %s AND status IS NULL")
                         .format(self._table), (holder, key))
