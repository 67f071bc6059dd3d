"""Group commit (成组提交): writes that arrive while a commit is in flight are committed
together, in one transaction, by whichever waiting caller leads next.

There is no thread of its own. The first caller that finds no commit in flight leads: it
commits whatever is queued (its own write first), hands the lead to the first write that
queued meanwhile, and returns. Every caller gets its own outcome: its result, or the
exception that refuses its write alone. An outcome is known only after its commit returned,
so nothing is answered before it is durable.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

W = TypeVar("W")
R = TypeVar("R")


class _Pending(Generic[W]):
    __slots__ = ("write", "outcome", "done", "turn")

    def __init__(self, write: W) -> None:
        self.write = write
        self.outcome: object = None
        self.done = False
        self.turn = threading.Event()  # set when the outcome is known, or when it is to lead

    def finish(self, outcome: object) -> None:
        self.outcome, self.done = outcome, True
        self.turn.set()


class GroupCommit(Generic[W, R]):
    """`submit(write)` blocks until the write's batch has been committed by `commit`, which
    takes a batch and gives one outcome per write: a result, or an exception for that write."""

    def __init__(self, commit: Callable[[list[W]], Sequence[R | Exception]], *, max_batch: int = 500):
        self._commit = commit
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: deque[_Pending[W]] = deque()
        self._leading = False
        self.gate = threading.Lock()  # every commit passes it; a test holds it to let a batch gather
        self.batches: deque[int] = deque(maxlen=1000)  # the sizes of the last batches, for measuring

    def submit(self, write: W) -> R:
        pending = _Pending(write)
        with self._lock:
            self._queue.append(pending)
            leads = not self._leading
            self._leading = True
        if not leads:
            pending.turn.wait()
        if not pending.done:
            self._lead()
        if isinstance(pending.outcome, BaseException):
            raise copy.copy(pending.outcome) from pending.outcome
        return pending.outcome  # type: ignore[return-value]

    def waiting(self) -> int:
        """How many writes are queued and not yet taken into a commit."""
        with self._lock:
            return len(self._queue)

    def _lead(self) -> None:
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
        try:
            with self.gate:
                outcomes: Sequence[object] = self._commit([p.write for p in batch])
        except BaseException as failed:  # the transaction itself failed: nothing of it was stored
            outcomes = [failed] * len(batch)
        finally:
            with self._lock:  # hand the lead on before answering, so the next batch starts now
                if self._queue:
                    self._queue[0].turn.set()
                else:
                    self._leading = False
        self.batches.append(len(batch))
        for pending, outcome in zip(batch, outcomes, strict=True):
            pending.finish(outcome)
