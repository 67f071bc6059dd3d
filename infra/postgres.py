"""PostgreSQL for the event store: the server named by DATABASE_URL, or an embedded one.

The embedded server comes from the `pgserver` package, keeps its data under
`<HAZARD_DATA_DIR>/pg`, listens only on a Unix socket (never a TCP port, so it starts
beside a real server) and is stopped when the last process using it exits.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict

from infra.settings import Settings

log = logging.getLogger(__name__)


def event_store_env(conninfo: str, *, schema: str = "public", pool_size: int = 10,
                    cipher_key: str | None = None, cache_size: int = 4096) -> dict[str, str]:
    """The `eventsourcing` library's PostgreSQL settings for a connection string; with a cipher
    key, the library encrypts each stored event's state (AES-GCM, `cryptography` package).
    The application recorder is the library's, extended to commit concurrent writes together
    and to store a write's idempotency key in the transaction of its events
    (`infra.idempotency.KeyedRecorder`). Aggregates are kept in the library's repository cache
    (`cache_size` of them, least recently used first out), fast-forwarded from the store on every
    load (so a cached copy is never older than the store when a command decides) and deep-copied
    for each command (so a refused command leaves the cache as it was)."""
    params = conninfo_to_dict(conninfo)
    cipher = {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": cipher_key}
    return {
        **(cipher if cipher_key else {}),
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "infra.idempotency:KeyedRecorder",
        "POSTGRES_DBNAME": str(params.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": str(max(1, pool_size // 2)),  # bounded: the server is shared
        "POSTGRES_LOCK_TIMEOUT": "5",
        "AGGREGATE_CACHE_MAXSIZE": str(cache_size),
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
    }


def _forget_dead_users(folder: Path) -> None:
    """pgserver stops its server when the last process using it exits; a process killed
    without cleanup stays on its list and would keep the server running forever."""
    import psutil

    handles = folder / ".handle_pids.json"
    if handles.exists():
        pids = json.loads(handles.read_text() or "[]")
        handles.write_text(json.dumps([p for p in pids if psutil.pid_exists(p)]))


@dataclass
class Database:
    """Where the event store lives; use as a context manager (starts/stops the embedded server)."""

    settings: Settings
    conninfo: str = ""
    embedded_at: Path | None = None
    _server: object = field(default=None, repr=False)

    def __enter__(self) -> Database:
        if self.settings.database_url:
            self.conninfo = self.settings.database_url
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
                import pgserver

            folder = self.settings.data_dir / "pg"
            folder.mkdir(parents=True, exist_ok=True)
            _forget_dead_users(folder)
            self._server = pgserver.get_server(folder, cleanup_mode="stop")
            self.conninfo = self._server.get_uri()
            self.embedded_at = folder
            log.info("embedded PostgreSQL running in %s", folder)
        self._ensure_schema()
        return self

    def _ensure_schema(self) -> None:
        import psycopg
        from psycopg import sql

        if self.settings.db_schema != "public":
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(self.settings.db_schema)))

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def env(self) -> dict[str, str]:
        return event_store_env(self.conninfo, schema=self.settings.db_schema,
                               pool_size=self.settings.pool_size, cipher_key=self.settings.cipher_key)

    def describe(self) -> str:
        if self.embedded_at:
            return f"embedded PostgreSQL in {self.embedded_at}"
        params = conninfo_to_dict(self.conninfo)
        return f"PostgreSQL {params.get('host')}:{params.get('port', 5432)}/{params.get('dbname')}"


DDL_LOCK = 0x68_7a_64_64_6c  # "hzddl": one advisory lock for every CREATE … IF NOT EXISTS of ours


def serialise_ddl(curs: Any) -> None:
    """Take the store's DDL lock for the rest of this transaction. PostgreSQL's `CREATE TABLE IF
    NOT EXISTS` is not safe against itself: two processes creating the same table at once (API
    and workers processes started together, issue 18) fail with a duplicate `pg_type` row. Every
    recorder of ours that creates tables calls this first, so they create one after the other."""
    curs.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
