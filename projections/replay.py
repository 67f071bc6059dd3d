"""Replaying the log into a view (重放): pages from the one reader, applied in batches.

Used where a view is built from a position to a target in one go — a rebuild, and a new
generation built beside the live view — rather than followed live by a runner.
"""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import Tracking

from infra.log_reader import APPLICATION, LogReader
from projections.views.base import View

BATCH = 5000

Progress = Callable[[int], None]  # called with the position reached after each batch


def replay(view: View, reader: LogReader, *, after: int, stop: int | None = None,
           batch_size: int = BATCH, progress: Progress | None = None) -> int:
    """Apply the events after `after` (up to `stop`, else to the end of the log as it is then)
    to `view`, one transaction per batch; answer the position reached."""
    position = after
    for page in reader.pages(after, batch_size, stop):
        undecodable = next((e for e in page if e.error is not None), None)
        if undecodable is not None:
            msg = f"event at position {undecodable.position} cannot be decoded: {undecodable.error!r}"
            raise RuntimeError(msg)
        view.process([(e.event, Tracking(APPLICATION, e.position)) for e in page])
        position = page[-1].position
        if progress is not None:
            progress(position)
    return position
