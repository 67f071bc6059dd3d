"""A coroutine in a thread of its own, with its own asyncio loop (never FastAPI's): the relay
and the reminders' deliverer (the `eventsourcing` library is called from worker threads).

`stop()` first asks (sets `stopping`: the coroutine finishes what is in flight), and when the
coroutine has not returned after `GRACE` seconds it cancels it: an await that never ends (a
broker that went away mid-request) cannot keep the thread, and the process, alive."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

GRACE = 8.0  # seconds a coroutine has to finish after it was asked to stop (an ack timeout and more)


class AsyncThread(threading.Thread):
    """Runs `run(stopping)` until it returns; `stop()` sets `stopping` and joins."""

    def __init__(self, name: str, run: Callable[[asyncio.Event], Any]) -> None:
        super().__init__(name=name, daemon=True)
        self._run = run
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._stop_requested = threading.Event()
        self._ready = threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        if self._stop_requested.is_set():
            return
        self._task = asyncio.ensure_future(self._run(self._stopping))
        try:
            await self._task
        except asyncio.CancelledError:
            log.warning("%s: cancelled: it had not stopped %.0f s after it was asked", self.name, GRACE)
        except Exception:  # pragma: no cover - logged; the service goes on without it
            log.exception("%s: stopped by an unexpected error", self.name)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop_requested.set()
        if self._ready.wait(timeout) and self._loop is not None and self._stopping is not None:
            try:
                self._loop.call_soon_threadsafe(self._stopping.set)
            except RuntimeError:
                pass  # the loop already finished
        self.join(min(GRACE, timeout))
        if self.is_alive() and self._loop is not None and self._task is not None:
            try:
                self._loop.call_soon_threadsafe(self._task.cancel)
            except RuntimeError:
                pass  # the loop already finished
            self.join(max(timeout - GRACE, 1.0))
        if self.is_alive():
            log.warning("%s: thread did not stop within %.0f s", self.name, timeout)
