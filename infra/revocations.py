"""Revoked tokens, kept in PostgreSQL beside the event store (same connection pool)."""

from __future__ import annotations

from datetime import UTC, datetime

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql


class RevocationList:
    TABLE = "revoked_tokens"

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = sql.Identifier(datastore.schema, self.TABLE)
        with datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (jti text PRIMARY KEY, revoked_at timestamptz NOT NULL,"
                " reason text NOT NULL DEFAULT '')").format(self._table))

    def revoke(self, jti: str, reason: str = "") -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("INSERT INTO {} (jti, revoked_at, reason) VALUES (%s, %s, %s)"
                                 " ON CONFLICT (jti) DO NOTHING").format(self._table),
                         (jti, datetime.now(UTC), reason))

    def is_revoked(self, jti: str) -> bool:
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT 1 FROM {} WHERE jti = %s").format(self._table), (jti,))
            return curs.fetchone() is not None
