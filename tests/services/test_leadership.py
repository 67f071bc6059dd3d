"""Leaders and standbys on real PostgreSQL advisory locks (issue 18 §2, infra/leadership.py): one
process at a time runs a duty; a standby runs it once the leader stops; a leader whose session
is lost stops its duties (another may lead them now) and contends again."""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager

import psycopg

from infra.leadership import Duty, Leadership


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []
        self._lock = threading.Lock()

    def duty(self, who: str, lock: str) -> Duty:
        @contextmanager
        def run():
            with self._lock:
                self.events.append(f"{who} start")
            try:
                yield
            finally:
                with self._lock:
                    self.events.append(f"{who} stop")
        return Duty("test duty", lock, run)


def until(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)


def test_one_leader_at_a_time_and_the_standby_takes_over(database_url):
    lock, seen = f"test:{uuid.uuid4()}", Recorder()
    first = Leadership(lambda: psycopg.connect(database_url, autocommit=True), [seen.duty("A", lock)], poll=0.1)
    second = Leadership(lambda: psycopg.connect(database_url, autocommit=True), [seen.duty("B", lock)], poll=0.1)
    with first:
        with second:
            time.sleep(0.5)
            assert seen.events == ["A start"] and second.waiting == ["test duty"]
            first.__exit__(None, None, None)  # the leader stops
            until(lambda: seen.events[-1:] == ["B start"])
        assert seen.events == ["A start", "A stop", "B start", "B stop"]


def test_a_leader_that_loses_its_session_stops_its_duty_and_contends_again(database_url):
    lock, seen = f"test:{uuid.uuid4()}", Recorder()
    connections: list[psycopg.Connection] = []

    def connect() -> psycopg.Connection:
        connections.append(psycopg.connect(database_url, autocommit=True))
        return connections[-1]

    with Leadership(connect, [seen.duty("A", lock)], poll=0.1) as leader:
        assert leader.led == ["test duty"]
        with psycopg.connect(database_url, autocommit=True) as admin:  # the session is cut
            admin.execute("SELECT pg_terminate_backend(%s)", (connections[0].info.backend_pid,))
        until(lambda: seen.events == ["A start", "A stop", "A start"])
        assert len(connections) == 2 and leader.led == ["test duty"]
