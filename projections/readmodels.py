"""The read side as the API and the CLI use it: open views, read-your-writes, status."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, ProgrammingError
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from infra.reference import ReferenceData
from projections.compliance import Policy
from projections.runners import PROJECTIONS
from projections.views.base import APPLICATION, View

WAIT_SECONDS = 5.0
EVENTS_TABLE = f"{APPLICATION.lower()}_events"


class NotCaughtUp(Exception):
    """A view has not reached the position a read asked for within the wait."""

    def __init__(self, view: str, position: int, reached: int) -> None:
        super().__init__(f"view {view} is at {reached}, not yet at {position}")
        self.view, self.position, self.reached = view, position, reached


def open_view(name: str, env: Mapping[str, str]) -> View:
    """A view's recorder (creating its tables if missing), configured like the runner's."""
    projection_class, view_class = PROJECTIONS[name]
    factory = InfrastructureFactory.construct(env=Environment(projection_class.name, dict(env)))
    return factory.tracking_recorder(view_class)


class ReadModels:
    """The views of one event store, for reading (the runners write them)."""

    def __init__(self, env: Mapping[str, str], *, reference: ReferenceData | None = None,
                 policy: Policy | None = None, pool_size: int = 2) -> None:
        env = {**env, "POSTGRES_POOL_SIZE": str(pool_size), "POSTGRES_MAX_OVERFLOW": "8"}
        self.views: dict[str, View] = {name: open_view(name, env) for name in PROJECTIONS}
        # the views may live in a schema of their own (LEDGER_POSTGRES_SCHEMA, …)
        self.events_schema = (env.get(f"{APPLICATION.upper()}_POSTGRES_SCHEMA")
                              or env.get("POSTGRES_SCHEMA") or "public")
        self.reference = reference or ReferenceData.load()
        self.policy = policy or Policy.load()
        self.wait_seconds = WAIT_SECONDS  # how long `?after=` may wait

    @classmethod
    def beside(cls, application: Any, **kwargs: Any) -> ReadModels:
        """The read models of the store an application (e.g. `HazardLedger`) writes to."""
        return cls(dict(application.env), reference=getattr(application, "reference", None), **kwargs)

    @property
    def ledger(self) -> View:
        return self.views["ledger"]

    @property
    def activity(self) -> View:
        return self.views["activity"]

    def wait(self, position: int | None, names: Iterable[str] = ("ledger",),
             timeout: float | None = None) -> None:
        """Block until the views have applied `position` (read your writes), or NotCaughtUp."""
        if position is None:
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
        for view in self.views.values():
            view.datastore.close()
