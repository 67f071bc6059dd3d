"""Replaying the log into views (重放): pages from the one reader, applied in big batches.

Used where views are built from a position to a target in one go — a rebuild, a catch-up, and
a new generation built beside the live view — rather than followed live by a runner (LISTEN).
The log is read and decoded once for every view being replayed; the next page is read and
decoded in a thread of its own while the views apply the current one (one page ahead, so
memory stays one or two pages whatever the length of the log).
"""

from __future__ import annotations

import bisect
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from infra.log_reader import Logged, LogReader
from projections.views.base import View

BATCH = 10_000

Progress = Callable[[int], None]  # called with the position reached after each batch
ProgressOfViews = Callable[[dict[str, int]], None]  # each view's position after each batch
_DONE = object()


def replay(view: View, reader: LogReader, *, after: int, stop: int | None = None,
           batch_size: int = BATCH, progress: Progress | None = None) -> int:
    """Apply the events after `after` (up to `stop`, else to the end of the log as it is then)
    to `view`, one transaction per batch; answer the position reached."""
    report = None if progress is None else (lambda positions: progress(positions["view"]))
    return replay_views({"view": view}, reader, after={"view": after}, stop=stop,
                        batch_size=batch_size, progress=report)["view"]


def replay_views(views: Mapping[str, View], reader: LogReader, *, after: Mapping[str, int],
                 stop: int | None = None, batch_size: int = BATCH,
                 progress: ProgressOfViews | None = None) -> dict[str, int]:
    """Apply the log to several views at once, each from its own position (`after`), reading
    and decoding every page once; answer each view's position reached."""
    positions = {name: after[name] for name in views}
    start = min(positions.values(), default=0)
    for page in read_ahead(reader.pages(start, batch_size, stop)):
        events, ids = _decoded(page)
        for name, view in views.items():
            first = bisect.bisect_right(ids, positions[name])
            if first < len(ids):
                view.apply(events[first:], ids[first:])
                positions[name] = ids[-1]
        if progress is not None:
            progress(dict(positions))
    return positions


def _decoded(page: list[Logged]) -> tuple[list[Any], list[int]]:
    """The page's events and their positions; an event that cannot be decoded stops the replay."""
    undecodable = next((e for e in page if e.error is not None), None)
    if undecodable is not None:
        msg = f"event at position {undecodable.position} cannot be decoded: {undecodable.error!r}"
        raise RuntimeError(msg)
    return [e.event for e in page], [e.position for e in page]


def read_ahead(pages: Iterable[Any], depth: int = 1) -> Iterator[Any]:
    """The items of `pages`, the next `depth` of them produced by a thread while the caller
    works on the current one (reading waits on PostgreSQL, so the two overlap)."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stopping = threading.Event()

    def produce() -> None:
        try:
            for page in pages:
                while not stopping.is_set():
                    try:
                        ready.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stopping.is_set():
                    return
            ready.put(_DONE)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            ready.put(e)

    thread = threading.Thread(target=produce, name="replay-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopping.set()
        while thread.is_alive():  # let it see `stopping` (it may be waiting to put)
            try:
                ready.get_nowait()
            except queue.Empty:
                pass
            thread.join(0.05)
