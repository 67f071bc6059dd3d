"""The ceiling for benchmarks/commands.py: raw one-row psycopg transactions.

`clients` threads, each on its own connection, repeat for `seconds`: INSERT one row (an id and
a 400-byte payload, about an event's size) and COMMIT — one transaction, one WAL flush each,
as PostgreSQL is configured (the embedded server's defaults). Counted: committed transactions
per second, and each transaction's latency (p50, p99).

With `locked=True` each transaction first takes `LOCK TABLE … IN EXCLUSIVE MODE`, as the
library's recorder does for every insert into the events table: one writer at a time, so one
commit (one WAL flush) per row — the ceiling of a store without group commit.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import psycopg

TABLE = "bench_raw_one_row"


@dataclass
class Ceiling:
    tx: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.tx / self.seconds


def measure(conninfo: str, clients: int = 32, seconds: float = 10.0, locked: bool = False) -> Ceiling:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, payload bytea NOT NULL)")
    connections = []
    try:
        for _ in range(clients):
            connections.append(psycopg.connect(conninfo))
    except psycopg.OperationalError:
        for conn in connections:
            conn.close()
        raise
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(n: int) -> None:
        conn, mine, payload = connections[n], latencies[n], os.urandom(400)
        start.wait()
        while (t0 := time.perf_counter()) < stop_at[0]:
            if locked:
                conn.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
            conn.execute(f"INSERT INTO {TABLE} (payload) VALUES (%s)", (payload,))
            conn.commit()
            mine.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    for conn in connections:
        conn.close()
    every = sorted(x for mine in latencies for x in mine)
    return Ceiling(tx=len(every), seconds=elapsed, p50_ms=_percentile(every, 50) * 1000,
                   p99_ms=_percentile(every, 99) * 1000)


def durability(conninfo: str) -> str:
    """The settings that decide what a commit costs (one WAL flush unless turned off)."""
    names = ("fsync", "synchronous_commit", "wal_sync_method", "commit_delay", "max_connections")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return ", ".join(f"{n}={conn.execute(f'SHOW {n}').fetchone()[0]}" for n in names)


def client_connections(conninfo: str) -> str:
    """How many client connections the server holds (besides this one), of how many it allows."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        held = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                            "AND pid <> pg_backend_pid()").fetchone()[0]
        allowed = conn.execute("SHOW max_connections").fetchone()[0]
    return f"{held} of max_connections={allowed}"


def _percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]
