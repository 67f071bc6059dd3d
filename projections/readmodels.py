"""The read side as the API and the CLI use it: open views, read-your-writes, status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, ProgrammingError
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from infra.criteria import Catalogue, load_criteria
from infra.reference import ReferenceData
from projections.compliance import Policy
from projections.runners import PROJECTIONS
from infra.log_reader import APPLICATION
from projections.views.base import View

WAIT_SECONDS = 5.0
POLL_SECONDS = 0.05  # how often one poller reads the views' positions while reads are waiting
EVENTS_TABLE = f"{APPLICATION.lower()}_events"


class NotCaughtUp(Exception):
    """A view has not reached the position a read asked for within the wait."""

    def __init__(self, view: str, position: int, reached: int) -> None:
        super().__init__(f"view {view} is at {reached}, not yet at {position}")
        self.view, self.position, self.reached = view, position, reached


class PositionWatch:
    """The views' tracked positions for reads that wait on the event loop (`?after=`).

    However many reads wait, one asyncio task reads the positions (in a worker thread, one short
    query per view) every POLL_SECONDS and wakes them; a waiting read holds no thread. The task
    runs only while someone waits. Bound to the event loop of its first waiter (a new loop —
    another TestClient — starts afresh)."""

    def __init__(self, read: Callable[[], dict[str, int]], interval: float = POLL_SECONDS) -> None:
        self._read, self._interval = read, interval
        self._loop: asyncio.AbstractEventLoop | None = None

    def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._changed = loop, asyncio.Condition()
            self._known: dict[str, int] = {}
            self._error: Exception | None = None
            self._waiting, self._poller = 0, None

    @property
    def waiting(self) -> int:
        """How many reads are waiting now (for tests and operators)."""
        return self._waiting if self._loop is not None else 0

    def _behind(self, position: int, names: tuple[str, ...]) -> str | None:
        """The first view not yet at `position` (as last read), or None."""
        return next((n for n in names if self._known.get(n, 0) < position), None)

    async def until(self, position: int, names: tuple[str, ...], timeout: float) -> None:
        self._bind()
        self._waiting += 1
        try:
            if self._poller is None or self._poller.done():
                self._known, self._error = {}, None  # never judge by positions read long ago
                self._poller = asyncio.create_task(self._poll())
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(
                    lambda: self._error is not None or self._behind(position, names) is None), timeout)
        except TimeoutError:
            name = self._behind(position, names) or names[0]
            raise NotCaughtUp(name, position, self._known.get(name, 0)) from None
        finally:
            self._waiting -= 1
        if self._error is not None:
            raise self._error

    async def _poll(self) -> None:
        while self._waiting:
            try:
                known, error = await asyncio.to_thread(self._read), None
            except Exception as e:  # noqa: BLE001 - the waiting reads answer it (503), not the task
                known, error = self._known, e
            async with self._changed:
                self._known, self._error = known, error
                self._changed.notify_all()
            if error is not None:
                return
            await asyncio.sleep(self._interval)


def open_view(name: str, env: Mapping[str, str]) -> View:
    """A view's recorder (creating its tables if missing), configured like the runner's."""
    projection_class, view_class = PROJECTIONS[name]
    factory = InfrastructureFactory.construct(env=Environment(projection_class.name, dict(env)))
    return factory.tracking_recorder(view_class)


def open_views(env: Mapping[str, str]) -> dict[str, View]:
    """Every view's recorder for reading; views in the same schema share one pool (most queries
    read the ledger's tables, which had a pool of this size to themselves)."""
    def schema_of(name: str) -> str:
        return env.get(f"{name.upper()}_POSTGRES_SCHEMA") or env.get("POSTGRES_SCHEMA") or "public"

    views: dict[str, View] = {}
    shared: dict[str, Any] = {}  # schema → datastore
    for name, (_, view_class) in PROJECTIONS.items():
        schema = schema_of(name)
        if schema not in shared:
            views[name] = open_view(name, env)
            shared[schema] = views[name].datastore
        else:
            views[name] = view_class(datastore=shared[schema], tracking_table_name=f"{name}_tracking")
            views[name].create_table()
    return views


def _pools(env: Mapping[str, str], size: int, overflow: int) -> dict[str, str]:
    """`env` with pools of `size` connections (`overflow` more under load, fewer than `size`),
    never larger than the store's own (HAZARD_DB_POOL_SIZE): a small store pool keeps the views'
    pools small — a store pool of one gives the views one connection, taken in turns."""
    size = min(size, int(env.get("POSTGRES_POOL_SIZE") or size))
    overflow = min(overflow, int(env.get("POSTGRES_MAX_OVERFLOW") or overflow), size - 1)
    return {**env, "POSTGRES_POOL_SIZE": str(max(1, size)), "POSTGRES_MAX_OVERFLOW": str(max(0, overflow))}


class ReadModels:
    """The views of one event store, for reading (the runners write them)."""

    def __init__(self, env: Mapping[str, str], *, reference: ReferenceData | None = None,
                 policy: Policy | None = None, criteria: Catalogue | None = None,
                 pool_size: int = 2) -> None:
        env = _pools(env, pool_size, 2)
        self.views: dict[str, View] = open_views(env)
        # the views may live in a schema of their own (LEDGER_POSTGRES_SCHEMA, …)
        self.events_schema = (env.get(f"{APPLICATION.upper()}_POSTGRES_SCHEMA")
                              or env.get("POSTGRES_SCHEMA") or "public")
        self.reference = reference or ReferenceData.load()
        self.policy = policy or Policy.load()
        self._criteria = criteria  # the catalogue hazards cite (判定标准); read once, when first needed
        self.wait_seconds = WAIT_SECONDS  # how long `?after=` may wait
        self.watch = PositionWatch(self.positions)

    @classmethod
    def beside(cls, application: Any, **kwargs: Any) -> ReadModels:
        """The read models of the store an application (e.g. `HazardLedger`) writes to."""
        return cls(dict(application.env), reference=getattr(application, "reference", None),
                   criteria=getattr(application, "catalogue", None), **kwargs)

    @property
    def criteria(self) -> Catalogue:
        """The criteria catalogue (as `Config.criteria` read it, when handed one; else the
        default files, read once): the ledger shows each hazard's article in Chinese from it."""
        if self._criteria is None:
            self._criteria = load_criteria(sectors=self.reference.sectors)
        return self._criteria

    @property
    def ledger(self) -> View:
        return self.views["ledger"]

    @property
    def activity(self) -> View:
        return self.views["activity"]

    def positions(self) -> dict[str, int]:
        """Each view's tracked position (0 before its first event)."""
        return {name: view.position() for name, view in self.views.items()}

    async def reached(self, position: int | None, names: Iterable[str] = ("ledger",),
                      timeout: float | None = None) -> None:
        """Await, holding no thread, until the views have applied `position` (read your
        writes), or NotCaughtUp after the wait. Nothing to wait for: None, or position 0."""
        if not position:
            return
        await self.watch.until(position, tuple(names), self.wait_seconds if timeout is None else timeout)

    def wait(self, position: int | None, names: Iterable[str] = ("ledger",),
             timeout: float | None = None) -> None:
        """Block until the views have applied `position` (read your writes), or NotCaughtUp
        (for the CLI and tests; the API awaits `reached`). Position 0 is always reached."""
        if not position:
            return
        deadline = time.monotonic() + (self.wait_seconds if timeout is None else timeout)
        for name in names:
            view = self.views[name]
            try:
                view.wait(APPLICATION, position, timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise NotCaughtUp(name, position, view.position()) from None

    def _count(self, query: str, *params: Any) -> int:
        """One number about the store's events table (0 while the table does not exist yet)."""
        try:
            with self.ledger.datastore.transaction(commit=False) as curs:
                curs.execute(SQL(query).format(Identifier(self.events_schema), Identifier(EVENTS_TABLE)),
                             params)
                return curs.fetchone()["n"] or 0
        except ProgrammingError:
            return 0

    def max_position(self) -> int:
        """The store's last notification id (0 when empty)."""
        return self._count("SELECT max(notification_id) AS n FROM {}.{}")

    def status(self) -> list[dict[str, Any]]:
        """Each view's position and how far it lags the store (ids and events)."""
        head = self.max_position()
        out = []
        for name, view in self.views.items():
            position = view.position()
            behind = self._count("SELECT count(*) AS n FROM {}.{} WHERE notification_id > %s", position)
            out.append({"view": name, "position": position, "head": head,
                        "lag": head - position, "events_behind": behind})
        return out

    def close(self) -> None:
        for datastore in {id(v.datastore): v.datastore for v in self.views.values()}.values():
            datastore.close()
