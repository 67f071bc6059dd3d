"""One follower per view: a PostgreSQL advisory lock held while a runner follows the log.

`hazard serve` holds the lock of each view it runs; a second `serve` on the same store leaves
the views to the first, and `hazard projections rebuild` builds a new generation beside a view
another process follows (`projections.generations`) instead of forgetting it. A second lock per
view (`purpose="rebuild"`) lets one rebuild of a view run at a time. Each lock lives on a
connection of its own, so a killed process releases it as soon as PostgreSQL sees the
connection drop.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping

import psycopg


def connect(env: Mapping[str, str]) -> psycopg.Connection:
    """A plain connection to the event store's database, from the eventsourcing settings."""
    return psycopg.connect(dbname=env.get("POSTGRES_DBNAME", "postgres"),
                           host=env.get("POSTGRES_HOST", "127.0.0.1"),
                           port=env.get("POSTGRES_PORT", "5432"),
                           user=env.get("POSTGRES_USER", "postgres"),
                           password=env.get("POSTGRES_PASSWORD", ""), autocommit=True,
                           connect_timeout=5)


def view_schema(env: Mapping[str, str], view: str) -> str:
    """The schema a view's tables live in (`LEDGER_POSTGRES_SCHEMA`, else the store's)."""
    return env.get(f"{view.upper()}_POSTGRES_SCHEMA") or env.get("POSTGRES_SCHEMA") or "public"


class ViewLock:
    """An advisory lock named after the schema and the view: following it (the default), or
    rebuilding it (`purpose="rebuild"`, held by `hazard projections rebuild`)."""

    def __init__(self, env: Mapping[str, str], view: str, purpose: str = "follow") -> None:
        self.key = f"hazardledger:{view_schema(env, view)}:{view}"
        if purpose != "follow":
            self.key += f":{purpose}"
        self._env = env
        self._conn: psycopg.Connection | None = None

    @property
    def connection(self) -> psycopg.Connection:
        """The lock's own connection (autocommit), while held: for work done under the lock."""
        if self._conn is None:
            raise RuntimeError(f"lock {self.key} is not held")
        return self._conn

    def acquire(self, wait: float = 0.0) -> bool:
        """Try to take the lock, retrying for up to `wait` seconds."""
        self._conn = connect(self._env)
        deadline = time.monotonic() + wait
        while True:
            row = self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.key,)).fetchone()
            if row and row[0]:
                return True
            if time.monotonic() >= deadline:
                self.release()
                return False
            time.sleep(0.1)

    def release(self) -> None:
        """Unlock, then close: closing alone frees the lock only once the server has ended the
        session, which the next taker (a rebuild right after a catch-up) can beat."""
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):  # the connection is gone: so is the lock
                self._conn.execute("SELECT pg_advisory_unlock_all()")
            self._conn.close()
            self._conn = None


class FollowerLocks:
    """The follower locks one process takes for several views, on ONE connection: a session
    holds them all, and unlocking or closing it frees them all. Waits up to `wait` seconds for
    locks another process holds; `held` names the views this process may follow."""

    def __init__(self, env: Mapping[str, str], views: list[str], wait: float = 0.0) -> None:
        self.held: list[str] = []
        self._conn: psycopg.Connection | None = connect(env)
        pending = {view: ViewLock(env, view).key for view in views}
        deadline = time.monotonic() + wait
        while True:
            for view, key in list(pending.items()):
                row = self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
                if row and row[0]:
                    self.held.append(view)
                    del pending[view]
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        if not self.held:
            self.release()

    def __contains__(self, view: object) -> bool:
        return view in self.held

    def release(self) -> None:
        """Unlock all, then close (see `ViewLock.release`)."""
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.execute("SELECT pg_advisory_unlock_all()")
            self._conn.close()
            self._conn = None


def followed_elsewhere(env: Mapping[str, str], view: str) -> bool:
    """Whether a process holds the view's follower lock now (e.g. `hazard serve`), read from
    `pg_locks` — never by taking the lock, which a followers process starting at that moment
    would find held and leave the view unfollowed."""
    with connect(env) as conn:
        row = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = hashtext(%s)::bigint)",
            (ViewLock(env, view).key,)).fetchone()
    return bool(row and row[0])
