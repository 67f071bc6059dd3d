"""Leaders and hot standbys (issue 18 §2): each follower runs in one process at a time.

A *duty* is one follower (a view's runner, the relay, the audit chain keeper, the reminders) and
the name of a PostgreSQL advisory lock. A `workers` process holds, on ONE connection of its own,
the locks of the duties it leads and runs them; every other `workers` process on the same store
is a hot standby: imports loaded, the duties ready to start, asking for the locks it lacks every
`poll` seconds. When the leader dies — even by SIGKILL — the kernel closes its sockets,
PostgreSQL ends its session and frees its locks, and a standby takes each duty over at its next
ask. What each follower has done is in PostgreSQL (the views' and the relay's tracking rows, the
audit chain's last link), so the new leader resumes where the old one stopped: nothing is lost,
and nothing is done twice (the views' tracking rows and JetStream's sequence guard refuse a
second writer even if two ever ran).

A standby uses one connection (its locks') and nothing else until it leads.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import Any

import psycopg

log = logging.getLogger("hazard.leadership")

POLL = 0.5  # seconds between a standby's asks for the locks it lacks


@dataclass(frozen=True)
class Duty:
    """One follower: the advisory lock that elects its leader, and how to run it."""

    name: str
    lock: str
    start: Callable[[], AbstractContextManager[Any]]


class Leadership:
    """Lead what can be led now, stand by for the rest, run each duty while leading it."""

    def __init__(self, connect: Callable[[], psycopg.Connection], duties: list[Duty], *,
                 poll: float = POLL) -> None:
        self._connect, self._duties, self._poll = connect, list(duties), poll
        self._conn: psycopg.Connection | None = None
        self._running = ExitStack()
        self.led: list[str] = []  # the duties this process leads, in the order it took them
        self._guard = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._stand_by, name="standby", daemon=True)

    def __enter__(self) -> Leadership:
        self._conn = self._connect()
        try:
            self._take(logging.INFO)
        except BaseException:
            self.__exit__()
            raise
        if self.waiting:
            log.info("standing by for %s (led by another process)", ", ".join(self.waiting))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(30)
        with self._guard:
            try:
                self._running.close()  # stop the duties, the last taken first
            finally:
                self._release()

    @property
    def waiting(self) -> list[str]:
        return [d.name for d in self._duties if d.name not in self.led]

    def _take(self, level: int = logging.WARNING) -> None:
        """Ask once for each lock not held; start each duty whose lock was granted. Logged at
        `level`: INFO when the process starts, WARNING for a takeover (an operator wants to see a
        failover, not every start)."""
        with self._guard:
            for duty in self._duties:
                if duty.name in self.led or self._stopping.is_set():
                    continue
                row = self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (duty.lock,)).fetchone()
                if not (row and row[0]):
                    continue
                try:
                    self._running.enter_context(duty.start())
                except BaseException:
                    self._conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (duty.lock,))
                    raise
                self.led.append(duty.name)
                log.log(level, "leading %s", duty.name)
            if not self.waiting:
                log.log(level, "leading every duty now")

    def _stand_by(self) -> None:
        """Ask for what is not led; check that the locks' session lives. A lost session (the
        server restarted, the network cut) lost its locks with it: the duties stop here — another
        process may lead them now — and this process contends again on a new connection."""
        while not self._stopping.wait(self._poll):
            try:
                if self._conn is None:
                    self._conn = self._connect()
                if self.waiting:
                    self._take()
                else:
                    self._conn.execute("SELECT 1")
            except psycopg.Error as e:
                self._step_down(e)
            except Exception:  # noqa: BLE001 — a duty that could not start: ask again next time
                log.exception("standby: could not take over")

    def _step_down(self, cause: BaseException) -> None:
        if self.led or self._conn is not None:
            log.error("lost the leadership connection (%s); stopping %s and contending again",
                      cause, ", ".join(self.led) or "nothing")
        with self._guard:
            try:
                self._running.close()
            finally:
                self._running, self.led = ExitStack(), []
                self._release()

    def _release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):  # gone: so are its locks
                self._conn.execute("SELECT pg_advisory_unlock_all()")
            self._conn.close()
            self._conn = None
