"""A new generation of a view (视图换代), built beside the live one while another process
(`hazard serve`) follows it, then switched in for every reader at once.

`hazard projections rebuild VIEW` does this when another process follows VIEW
(`locks.followed_elsewhere`); a view nobody follows is forgotten and caught up again instead
(`projections.operations.rebuild`).

1. **One rebuild of a view at a time**: the view's rebuild lock (`ViewLock(env, view,
   "rebuild")`, refused when held). What a crashed rebuild left behind (the schemas
   `<schema>__<view>_next` and `<schema>__<view>_old`) is dropped first.
2. **Build** (构建): the same View class on a datastore for the side schema
   `<schema>__<view>_next` (`<VIEW>_POSTGRES_SCHEMA`: the views' DDL has `{schema}` placeholders);
   the log is replayed into it (`projections.replay`) in rounds, each up to the live view's
   position as read when the round starts — never beyond it — until it is within CLOSE events.
3. **Switch** (切换), ONE transaction on the lock's connection: lock the live tracking table,
   then the live tables (ACCESS EXCLUSIVE: the live follower's next batch waits at its claim of
   the tracking row, readers wait at their first statement); read the live position P (it cannot
   move now); apply the last events up to P to the new generation; check that it is at P exactly;
   move the live tables to `<schema>__<view>_old` and the new ones into the live schema
   (`ALTER TABLE … SET SCHEMA`: indexes, constraints and owned sequences go with their table, so
   no name clashes); commit. Readers name `<schema>.<table>`: until the commit they read the old
   generation, after it the new — never a half-built one.
   The locks are asked for with a short `lock_timeout` (LOCK_TIMEOUT_MS) and the switch is tried
   again after another catch-up round when one is not granted: it never waits long holding a lock
   that readers queue behind, and always gives up before PostgreSQL's deadlock check (1 s) could
   cancel a reader that holds one table and waits for another.
4. Drop `<schema>__<view>_old` and the emptied side schema.

The live follower resumes on the new tables at the same position P: its statements name tables
by schema and name, PostgreSQL looks the name up again when a table it waited for was moved, and
re-plans prepared statements after DDL. Its next batch, from P + 1, claims the new tracking row
(at P) and goes on: no event lost or applied twice. `?after=` positions never go back: the new
generation takes over at the live position.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg.sql import SQL, Composed, Identifier

from infra.log_reader import APPLICATION, LogReader
from projections.locks import ViewLock, view_schema
from projections.readmodels import open_view
from projections.replay import BATCH, replay
from projections.views.base import View

CLOSE = 200             # events behind the live view at which the build stops and switches
ROUNDS = 100            # catch-up rounds at most (the live view keeps running away: give up)
ATTEMPTS = 50           # switch transactions at most (a lock not granted in time: again)
LOCK_TIMEOUT_MS = 200   # longest wait for each lock of the switch (deadlock_timeout is 1 s)

Progress = Callable[[int, int, float], None]  # position built, live position, seconds
Say = Callable[[str], None]                   # a line for the operator (Chinese)


class RebuildRefused(RuntimeError):
    """Another rebuild of the view is running (its rebuild lock is held)."""


@dataclass(frozen=True)
class Switched:
    """What an online rebuild did."""

    view: str
    position: int        # the live position at which the new generation took over
    rounds: int          # catch-up rounds before the switch
    attempts: int        # switch transactions tried
    build_seconds: float
    switch_ms: float     # how long the switch transaction held the live tables


@dataclass(frozen=True)
class Schemas:
    """The live schema of a view and the two beside it during a rebuild."""

    live: str
    next: str
    old: str

    @classmethod
    def of(cls, env: Mapping[str, str], view: str) -> Schemas:
        live = view_schema(env, view)
        return cls(live, _side_name(live, view, "next"), _side_name(live, view, "old"))


def _side_name(schema: str, view: str, suffix: str) -> str:
    name = f"{schema}__{view}_{suffix}"
    if len(name) > 63:  # PostgreSQL's identifiers: at most 63 bytes
        name = f"hz_{hashlib.md5(schema.encode()).hexdigest()[:16]}__{view}_{suffix}"
    return name


def _q(statement: str, *names: str) -> Composed:
    return SQL(statement).format(*map(Identifier, names))


def _drop_schemas(conn: psycopg.Connection, *schemas: str) -> None:
    for schema in schemas:
        conn.execute(_q("DROP SCHEMA IF EXISTS {} CASCADE", schema))


def _tables(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (schema,))
    return [name for (name,) in rows.fetchall()]


def _position(conn: psycopg.Connection, schema: str, tracking: str) -> int:
    row = conn.execute(_q("SELECT notification_id FROM {}.{} WHERE application_name = %s", schema, tracking),
                       (APPLICATION,)).fetchone()
    return (row[0] or 0) if row else 0


def _side_env(env: Mapping[str, str], view: str, schema: str) -> dict[str, str]:
    """The view's settings on `schema`, one connection."""
    v = view.upper()
    return {**env, f"{v}_POSTGRES_SCHEMA": schema, f"{v}_POSTGRES_POOL_SIZE": "1",
            f"{v}_POSTGRES_MAX_OVERFLOW": "0"}


def _reader_env(env: Mapping[str, str]) -> dict[str, str]:
    return {**env, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}


class _Build:
    """The new generation being built: its view on the side schema and the log's reader."""

    def __init__(self, env: Mapping[str, str], view: str, schemas: Schemas, conn: psycopg.Connection,
                 batch_size: int, progress: Progress | None) -> None:
        self.schemas, self.conn, self.batch_size, self.progress = schemas, conn, batch_size, progress
        conn.execute(_q("CREATE SCHEMA {}", schemas.next))
        self.new: View = open_view(view, _side_env(env, view, schemas.next))  # creates its tables
        self.tracking = self.new.tracking_table_name
        try:
            self.reader = LogReader.open(_reader_env(env))
        except BaseException:
            self.new.datastore.close()
            raise
        self.started = time.monotonic()

    def close(self) -> None:
        self.reader.close()
        self.new.datastore.close()

    def live_position(self) -> int:
        return _position(self.conn, self.schemas.live, self.tracking)

    def apply(self, after: int, stop: int) -> int:
        """Replay (after, stop] into the new generation; the position reached."""
        def report(position: int) -> None:
            if self.progress is not None:
                self.progress(position, stop, time.monotonic() - self.started)
        return replay(self.new, self.reader, after=after, stop=stop, batch_size=self.batch_size,
                      progress=report)

    def catch_up(self) -> int:
        """Rounds up to the live position until within CLOSE of it; how many rounds."""
        position = self.new.position()
        for rounds in range(ROUNDS + 1):
            target = self.live_position()
            if target - position <= CLOSE:
                return rounds
            position = self.apply(position, target)
        raise RuntimeError(f"the new generation stayed more than {CLOSE} events behind the live view "
                           f"after {ROUNDS} rounds")


def _switch(build: _Build) -> int:
    """ONE transaction: the live tables out, the new generation in, at the live position."""
    s, conn = build.schemas, build.conn
    new_tables = _tables(conn, s.next)
    with conn.transaction():
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
        conn.execute(_q("LOCK TABLE {}.{} IN ACCESS EXCLUSIVE MODE", s.live, build.tracking))
        live_tables = [t for t in _tables(conn, s.live) if t in new_tables]
        for table in live_tables:  # the tracking table first (above): the follower claims it first
            conn.execute(_q("LOCK TABLE {}.{} IN ACCESS EXCLUSIVE MODE", s.live, table))
        target = build.live_position()
        reached = build.apply(build.new.position(), target)
        if reached != target:
            raise RuntimeError(f"the new generation is at {reached}, the live view at {target}; "
                               "was the live view rebuilt meanwhile?")
        conn.execute(_q("CREATE SCHEMA {}", s.old))
        for table in live_tables:
            conn.execute(_q("ALTER TABLE {}.{} SET SCHEMA {}", s.live, table, s.old))
        for table in new_tables:
            conn.execute(_q("ALTER TABLE {}.{} SET SCHEMA {}", s.next, table, s.live))
    return target


@contextmanager
def rebuild_locks(env: Mapping[str, str], views: list[str]) -> Iterator[None]:
    """Hold the views' rebuild locks (an offline rebuild must not run beside an online one)."""
    held: list[ViewLock] = []
    try:
        for view in views:
            lock = ViewLock(env, view, "rebuild")
            if not lock.acquire():
                raise RebuildRefused(f"视图 {view} 正在由另一个进程重建")
            held.append(lock)
        yield
    finally:
        for lock in held:
            lock.release()


def rebuild_online(env: Mapping[str, str], view: str, *, batch_size: int = BATCH,
                   progress: Progress | None = None, say: Say | None = None) -> Switched:
    """Build a new generation of `view` beside the live one and switch readers to it at once."""
    say = say or (lambda _line: None)
    lock = ViewLock(env, view, "rebuild")
    if not lock.acquire():
        raise RebuildRefused(f"视图 {view} 正在由另一个进程重建")
    schemas = Schemas.of(env, view)
    conn = lock.connection
    try:
        _drop_schemas(conn, schemas.next, schemas.old)  # what a crashed rebuild left
        build = _Build(env, view, schemas, conn, batch_size, progress)
        try:
            say(f"{view}：在 {schemas.next} 中构建新一代（当前视图照常读写，跟随位置 {build.live_position()}）")
            switched = _until_switched(build, view, say)
        finally:
            build.close()
        _drop_schemas(conn, schemas.old, schemas.next)
        say(f"{view}：旧一代已删除")
        return switched
    except BaseException:
        with contextlib.suppress(psycopg.Error):  # the live view is untouched; nothing half-built stays
            _drop_schemas(conn, schemas.next)
        raise
    finally:
        lock.release()


def _until_switched(build: _Build, view: str, say: Say) -> Switched:
    rounds = 0
    for attempt in range(1, ATTEMPTS + 1):
        rounds += build.catch_up()
        built = time.monotonic()
        try:
            position = _switch(build)
        except psycopg.errors.LockNotAvailable:
            say(f"{view}：第 {attempt} 次切换未在 {LOCK_TIMEOUT_MS} 毫秒内取得锁，追赶后重试")
            time.sleep(min(1.0, 0.05 * attempt))
            continue
        switch_ms = (time.monotonic() - built) * 1000
        say(f"{view}：已原子切换到新一代，位置 {position}（追赶 {rounds} 轮，切换 {switch_ms:.0f} 毫秒）")
        return Switched(view, position, rounds, attempt, built - build.started, switch_ms)
    raise RuntimeError(f"视图 {view}：{ATTEMPTS} 次切换都未取得锁，放弃（当前视图未受影响）")
