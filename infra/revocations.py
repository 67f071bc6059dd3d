"""Revoked tokens (吊销的令牌): kept in PostgreSQL beside the event store, held in memory by each process.

`revoke` stores the token id and NOTIFYs it in one transaction. Each process that serves the
API follows the table (`start`/`close`): a listener thread on a dedicated autocommit connection
LISTENs, loads the whole table, then adds every notified id as it arrives — a revocation made
by any process is refused everywhere within milliseconds. The table is read again every
`RELOAD_SECONDS` (a safety net) and after every reconnect. While the list is not following the
table (not started, or its connection lost and not yet back), `is_revoked` asks the table.
Revocations are never undone, so a reload only adds.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from infra.postgres import serialise_ddl

log = logging.getLogger("hazard.auth")


class RevocationList:
    TABLE = "revoked_tokens"
    RELOAD_SECONDS = 30.0  # a full read of the table, in case a notification was missed
    RETRY_SECONDS = 0.5  # between attempts to reconnect the listener

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = sql.Identifier(datastore.schema, self.TABLE)
        self._channel = sql.Identifier(f"{datastore.schema}_{self.TABLE}")
        self._revoked: set[str] = set()
        self._lock = threading.Lock()
        self._following = threading.Event()  # set while connected and loaded
        self._stopped = threading.Event()
        self._listener: threading.Thread | None = None
        with datastore.transaction(commit=True) as curs:
            serialise_ddl(curs)  # processes starting together on a new store create tables in turn
            curs.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (jti text PRIMARY KEY, revoked_at timestamptz NOT NULL,"
                " reason text NOT NULL DEFAULT '')").format(self._table))

    def revoke(self, jti: str, reason: str = "") -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("INSERT INTO {} (jti, revoked_at, reason) VALUES (%s, %s, %s)"
                                 " ON CONFLICT (jti) DO NOTHING").format(self._table),
                         (jti, datetime.now(UTC), reason))
            curs.execute(sql.SQL("NOTIFY {}, {}").format(self._channel, sql.Literal(jti)))
        self._add({jti})

    def is_revoked(self, jti: str) -> bool:
        if self._following.is_set():
            return jti in self._revoked
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT 1 FROM {} WHERE jti = %s").format(self._table), (jti,))
            return curs.fetchone() is not None

    @property
    def following(self) -> bool:
        """Whether revocations are answered from memory (the listener is connected and loaded)."""
        return self._following.is_set()

    def start(self) -> RevocationList:
        """Follow the table from a listener thread (one connection of its own) until `close`."""
        if self._listener is None:
            self._stopped.clear()
            self._listener = threading.Thread(target=self._follow, name="revocations-listen", daemon=True)
            self._listener.start()
        return self

    def close(self) -> None:
        self._stopped.set()
        if self._listener is not None:
            self._listener.join(5)
            self._listener = None
        self._following.clear()

    def _add(self, jtis: set[str]) -> None:
        with self._lock:
            self._revoked |= jtis

    def _follow(self) -> None:
        while not self._stopped.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(self._channel))
                    self._listen(conn)
            except psycopg.Error as e:
                if self._following.is_set():
                    log.warning("revocations: listener lost its connection (%s); asking the table "
                                "until it is back", e)
                self._following.clear()
                self._stopped.wait(self.RETRY_SECONDS)
        self._following.clear()

    def _listen(self, conn: psycopg.Connection) -> None:
        """Load the table (after LISTEN, so nothing revoked meanwhile is missed), then add what
        is notified; read the whole table again every RELOAD_SECONDS."""
        while not self._stopped.is_set():
            self._add({jti for (jti,) in conn.execute(sql.SQL("SELECT jti FROM {}").format(self._table))})
            self._following.set()
            reload_at = time.monotonic() + self.RELOAD_SECONDS
            while not self._stopped.is_set() and time.monotonic() < reload_at:
                for notified in conn.notifies(timeout=0.2):  # each as soon as it arrives
                    self._add({notified.payload})

    def _connect(self) -> psycopg.Connection:
        """A connection of the listener's own, as the event store's pool makes them."""
        kwargs = {k: v for k, v in self._datastore.pool.kwargs.items() if k != "row_factory"}
        return psycopg.connect(**kwargs, autocommit=True, connect_timeout=5)
