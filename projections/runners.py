"""Following the log live: the eventsourcing library's ProjectionRunner, in batches.

For `hazard serve` and `hazard projections run` only; a rebuild or a catch-up replays the log
through the one reader instead (`projections.replay`, `projections.operations`).

`ViewRunner` is a `ProjectionRunner` (LISTEN/NOTIFY subscription from the view's tracked
position) whose processing loop hands the view every event already fetched, as one batch,
before it would block waiting for more: one transaction per batch while catching up, one per
event when following live writes. Either way the view rows and the tracking position move
together (see `projections.views.base`).
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from eventsourcing.projection import Projection, ProjectionRunner

from infra.log_reader import EventLog
from projections.views.activity import ActivityView
from projections.views.base import View
from projections.views.ledger import LedgerView

log = logging.getLogger("hazard.projections")

BATCH = int(os.environ.get("HAZARD_PROJECTION_BATCH") or 500)


class ViewProjection(Projection[View]):
    """A projection that applies each event to its view (the view decides what matters)."""

    def process_event(self, domain_event: Any, tracking: Any) -> None:
        self.view.process([(domain_event, tracking)])


class LedgerProjection(ViewProjection):
    name = "ledger"


class ActivityProjection(ViewProjection):
    name = "activity"


PROJECTIONS: dict[str, tuple[type[ViewProjection], type[View]]] = {
    "ledger": (LedgerProjection, LedgerView),
    "activity": (ActivityProjection, ActivityView),
}


def _more_fetched(subscription: Any) -> bool:
    """Whether the subscription holds events it can hand over without waiting."""
    inner = getattr(subscription, "subscription", None)
    try:
        return (inner._notifications_index < len(inner._notifications)  # noqa: SLF001
                or not inner._notifications_queue.empty())  # noqa: SLF001
    except AttributeError:  # another subscription type: one event per transaction
        return False


def follow(subscription: Iterable, view: View, batch_size: int) -> None:
    """Apply the subscription's events in batches until it stops."""
    events = iter(subscription)
    batch: list = []
    while True:
        if batch and (len(batch) >= batch_size or not _more_fetched(subscription)):
            view.process(batch)
            batch = []
        try:
            batch.append(next(events))
        except StopIteration:  # stopped: an unapplied batch is simply applied next time
            return


class ViewRunner(ProjectionRunner):
    """A ProjectionRunner applying events to its view in batches of up to `batch_size`."""

    def __init__(self, *, batch_size: int = BATCH, **kwargs: Any) -> None:
        self.batch_size = batch_size
        super().__init__(**kwargs)

    @staticmethod
    def _process_events_loop(subscription: Any, projection: Any, is_stopping: Any,
                             runner: weakref.ReferenceType) -> None:
        try:
            size = getattr(runner(), "batch_size", BATCH)
            follow(subscription, projection.view, size)
        except BaseException as e:  # noqa: BLE001 — handed to the runner, as the library does
            owner = runner()
            if owner is not None:
                owner._thread_error = e  # noqa: SLF001
            log.error("projection %s stopped: %s: %s", projection.name, type(e).__name__, e)
        finally:
            is_stopping.set()


def runner_env(env: Mapping[str, str], name: str) -> dict[str, str]:
    """Settings for a runner: the connections it uses, no more. Its subscription holds one
    connection to LISTEN and pulls the log through another (two threads); its view is written by
    one thread through one (`LEDGER_POSTGRES_…` keys configure the `ledger` view only)."""
    view = name.upper()
    return {**env, "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "0",
            f"{view}_POSTGRES_POOL_SIZE": "1", f"{view}_POSTGRES_MAX_OVERFLOW": "0"}


def start(name: str, env: Mapping[str, str], batch_size: int = BATCH) -> ViewRunner:
    """Start following the log for one view, from its tracked position."""
    projection_class, view_class = PROJECTIONS[name]
    return ViewRunner(application_class=EventLog, projection_class=projection_class,
                      view_class=view_class, env=runner_env(env, name), batch_size=batch_size)


def stop(runner: ViewRunner) -> BaseException | None:
    """Stop a runner; answer the error that stopped it, if any."""
    try:
        runner.__exit__(None, None, None)
    except BaseException as e:  # noqa: BLE001
        return e
    finally:  # the library's runner closes its application only, and not when it raises first
        runner.app.close()
        runner.view.datastore.close()
    return None


def names(selected: Iterable[str] | None = None) -> list[str]:
    chosen = list(selected or PROJECTIONS)
    unknown = [n for n in chosen if n not in PROJECTIONS]
    if unknown:
        raise KeyError(f"unknown view {', '.join(unknown)}; views: {', '.join(PROJECTIONS)}")
    return chosen

