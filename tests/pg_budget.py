"""The suite's PostgreSQL connection budget: every connection the tests open carries one
application name (libpq's PGAPPNAME, inherited by subprocesses such as `hazard serve`), and a
monitor samples `pg_stat_activity` for that name during the whole session.

The monitor uses a connection of its own under another name, so it never counts itself.
A short-lived spike between two samples can be missed: the peak is a sampled peak.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import psycopg

BUDGET = int(os.environ.get("HAZARD_TEST_PG_BUDGET") or 20)  # connections the suite may hold at once
PREFIX = "hazard-tests-"
SAMPLE_SECONDS = 0.05


def application_name() -> str:
    """This session's name (kept when inherited, e.g. by a pytest started from a test)."""
    inherited = os.environ.get("PGAPPNAME", "")
    return inherited if inherited.startswith(PREFIX) else f"{PREFIX}{os.getpid()}"


@dataclass
class ConnectionMonitor:
    """Samples how many connections of the server carry `name`; remembers the peak, and the
    peak seen while each test ran (to name the tests that hold many)."""

    conninfo: str
    name: str
    peak: int = 0
    samples: int = 0
    current_test: str = "(no test)"
    per_test: dict[str, int] = field(default_factory=dict)
    at_peak: list[tuple[str, int]] = field(default_factory=list)  # (last query, connections)
    error: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> ConnectionMonitor:
        conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5,
                               application_name=f"{self.name}-monitor")
        self._thread = threading.Thread(target=self._run, args=(conn,), name="pg-budget", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self, conn: psycopg.Connection) -> None:
        try:
            with conn:
                while True:
                    self._sample(conn)
                    if self._stop.wait(SAMPLE_SECONDS):
                        self._sample(conn)  # one last look after the last test
                        return
        except psycopg.Error as e:  # the check must not pass silently when it cannot look
            self.error = f"{type(e).__name__}: {e}"

    def _sample(self, conn: psycopg.Connection) -> None:
        count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                             (self.name,)).fetchone()[0]
        self.samples += 1
        if count > self.peak:
            self.peak = count
            self.at_peak = conn.execute(
                "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70), count(*) FROM pg_stat_activity "
                "WHERE application_name = %s GROUP BY 1 ORDER BY 2 DESC", (self.name,)).fetchall()
        test = self.current_test
        self.per_test[test] = max(self.per_test.get(test, 0), count)

    def heaviest(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.per_test.items(), key=lambda item: -item[1])[:n]

    def verdict(self) -> str | None:
        """What is wrong, or None when the suite kept within its budget."""
        if self.error:
            return f"the connection monitor stopped: {self.error}"
        if self.peak > BUDGET:
            return f"the suite held {self.peak} PostgreSQL connections at once (budget {BUDGET})"
        return None

    def report(self) -> list[str]:
        lines = [f"PostgreSQL connections held by the suite ({self.name}): peak {self.peak} "
                 f"of {BUDGET} allowed ({self.samples} samples every {SAMPLE_SECONDS * 1000:.0f} ms)"]
        lines += [f"  {count:3d}  {test}" for test, count in self.heaviest()]
        if self.verdict():
            lines.append("  at the peak, by each connection's last statement:")
            lines += [f"  {count:3d}  {query or '(none yet)'}" for query, count in self.at_peak]
        return lines
