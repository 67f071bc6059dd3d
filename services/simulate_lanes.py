"""How `hazard simulate` runs one simulated day's steps: side by side where they are independent.

A step belongs to a lane (车道) — one enterprise: its registration, contracts, inspections and
hazards — or to none (an agency's registration, the county's agreements: steps that others of
the day depend on). A day's steps, in planned order, are cut at each step of no lane; between
two such cuts, each lane's steps run in order on one thread while the lanes run side by side on
a thread pool, so the application's group commit (`infra.group_commit`) stores their writes
together. A step of no lane runs alone, after everything planned before it and before anything
planned after it. With one thread, every step runs in planned order (the order of before).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Step:
    seq: int                 # its place in the plan (unique): orders a lane, numbers its documents
    lane: Hashable | None    # the enterprise it touches, or None for a step the day depends on
    run: Callable[[], Any]


def segments(day: list[Step]) -> Iterator[list[Step]]:
    """The day's steps cut at each step of no lane, which is a segment of its own."""
    current: list[Step] = []
    for step in day:
        if step.lane is None:
            if current:
                yield current
            yield [step]
            current = []
        else:
            current.append(step)
    if current:
        yield current


def lanes(segment: list[Step]) -> list[list[Step]]:
    """The segment's steps by lane, each lane in planned order."""
    by_lane: dict[Hashable, list[Step]] = {}
    for step in segment:
        by_lane.setdefault(step.lane, []).append(step)
    return list(by_lane.values())


class Runner:
    """Runs days of steps with `perform(step)` on `threads` threads (1: all in this thread).
    Use as a context manager (the pool is shut down on leaving)."""

    def __init__(self, perform: Callable[[Step], None], threads: int = 1) -> None:
        self.perform = perform
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="simulate") if threads > 1 else None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def day(self, steps: list[Step]) -> Iterator[int]:
        """Run a day's steps; yields how many steps finished, as they finish (for progress)."""
        if self.pool is None:
            for step in steps:
                self.perform(step)
                yield 1
            return
        for segment in segments(steps):
            if segment[0].lane is None:
                self.perform(segment[0])
                yield 1
            else:
                yield from self._side_by_side(lanes(segment))

    def _side_by_side(self, by_lane: list[list[Step]]) -> Iterator[int]:
        """Each of the pool's threads takes the next lane not yet taken until none is left."""
        assert self.pool is not None
        queue, finished = deque(by_lane), _Count()
        workers = [self.pool.submit(self._drain, queue, finished)
                   for _ in range(min(self.threads, len(by_lane)))]
        try:
            shown = 0
            while True:
                pending = wait(workers, timeout=0.5).not_done  # returns as soon as all are done
                count = finished.value
                if count > shown:
                    yield count - shown
                    shown = count
                if not pending:
                    break
            for worker in workers:
                worker.result()  # a step that stops the year raised in its thread: raise it here
        finally:
            queue.clear()  # stopped early: the threads take no further lane

    def _drain(self, queue: deque[list[Step]], finished: _Count) -> None:
        while True:
            try:
                lane = queue.popleft()
            except IndexError:
                return
            try:
                for step in lane:
                    self.perform(step)
                    finished.add()
            except BaseException:
                queue.clear()  # the year stops: no thread takes another lane
                raise


class _Count:
    """A counter the pool's threads add to."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.value += 1
