"""Plain reads while many reads wait for their writes (`?after=`), on the real PostgreSQL.

    .venv/bin/python benchmarks/waiting_reads.py [--waiting 80] [--plain 50] [--schema SCHEMA]

Uses the store the `hazard` command uses (DATABASE_URL, else the embedded PostgreSQL under
HAZARD_DATA_DIR), in a schema of its own (default `bench_waiting_<pid>`, dropped at the end).
It writes an enterprise and a hazard, serves the API with uvicorn on a loopback port with NO
projection runner (so the views lag the store, as when they are behind under load), and prints:

- plain reads (`GET /api/v1/hazards/{id}`) alone: median, 95th percentile, max;
- the same while `--waiting` reads (`GET /api/v1/ledger?after=<head>`) wait for the views
  (issue 10 asks for under 100 ms; before the fix 80 such waits took the plain read to 9.6 s,
  because each waiting read held one of the 40 request threads);
- `--waiting` reads with `after` far beyond the head: all refused at once (422);
- once the views catch up (`projections.operations.catch_up`), how soon every waiting read
  answers 200.
Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import secrets
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import uvicorn
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain import credit_code  # noqa: E402
from domain.actor import Actor, Role  # noqa: E402
from infra.settings import Settings  # noqa: E402
from projections.operations import catch_up  # noqa: E402
from projections.readmodels import ReadModels  # noqa: E402
from services.api.app import create_app  # noqa: E402
from services.runtime import running  # noqa: E402


def serve(app) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


def timed_reads(url: str, path: str, headers: dict, count: int) -> list[float]:
    """Milliseconds of `count` sequential GETs of `path` (each must answer 200)."""
    out = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        client.get(path)  # warm up: the connection and the server's first use of its pools
        for _ in range(count):
            started = time.perf_counter()
            answer = client.get(path)
            out.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
    return out


def describe(label: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"{label:<44} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
            f"max {ordered[-1]:7.1f} ms")


def concurrent(url: str, headers: dict, path: str, count: int, out: list) -> None:
    """`count` GETs of `path` at once (in this thread's own event loop); answers into `out`."""

    async def run() -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120,
                                     limits=httpx.Limits(max_connections=count + 5)) as client:
            out.extend(await asyncio.gather(*(client.get(path) for _ in range(count))))

    asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waiting", type=int, default=80, help="reads waiting at once (default 80)")
    parser.add_argument("--plain", type=int, default=50, help="plain reads timed in each phase")
    parser.add_argument("--schema", help="schema to use (default: a new one, dropped at the end)")
    args = parser.parse_args()
    schema = args.schema or f"bench_waiting_{os.getpid()}"
    settings = dataclasses.replace(Settings.from_env(), db_schema=schema,
                                   secret=secrets.token_urlsafe(32))
    try:
        with running(settings) as rt:
            return measure(rt, settings, args)
    finally:
        if not args.schema and settings.database_url:
            with psycopg.connect(settings.database_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def measure(rt, settings: Settings, args: argparse.Namespace) -> int:
    bureau = Actor("bench", Role.BUREAU, "县应急管理局")
    firm = rt.ledger.register_enterprise(bureau, credit_code=credit_code.make(
                                             "91330226" + f"{secrets.randbelow(10**9):09d}"),
                                         name="某五金厂", township="330226001", sector="trade",
                                         scale="small_micro")
    hazard = rt.ledger.report_hazard(bureau, enterprise_id=firm.id, source="public_tip",
                                     category="unsafe_condition", description="配电箱未接地",
                                     level="general", discovered_on=rt.ledger.today())
    read_models = ReadModels.beside(rt.ledger)
    read_models.wait_seconds = 60
    headers = {"Authorization": "Bearer " + rt.tokens.issue(role="bureau", name="压测")}
    plain = f"/api/v1/hazards/{hazard.id}"
    url, server, thread = serve(create_app(rt.ledger, rt.tokens, read_models=read_models))
    print(f"store: {rt.database.describe()}, schema {settings.db_schema}; head {hazard.position}, "
          f"views at {read_models.positions()} (no runner: they lag)")
    try:
        print(describe("plain reads alone", timed_reads(url, plain, headers, args.plain)))

        refused: list[httpx.Response] = []
        started = time.perf_counter()
        concurrent(url, headers, f"/api/v1/ledger?after={hazard.position + 10**9}", args.waiting, refused)
        codes = sorted({r.status_code for r in refused})
        print(f"{args.waiting} reads with after beyond the head:        answered {codes} in "
              f"{(time.perf_counter() - started) * 1000:.0f} ms (all of them)")

        answers: list[httpx.Response] = []
        waiters = threading.Thread(target=concurrent, daemon=True, args=(
            url, headers, f"/api/v1/ledger?after={hazard.position}", args.waiting, answers))
        waiters.start()
        deadline = time.monotonic() + 30
        while read_models.watch.waiting < args.waiting and time.monotonic() < deadline:
            time.sleep(0.02)
        print(f"reads waiting for the views now: {read_models.watch.waiting}")
        during = timed_reads(url, plain, headers, args.plain)
        still = read_models.watch.waiting
        print(describe(f"plain reads while {still} reads wait", during))
        print(f"  → max {max(during):.1f} ms: {'under' if max(during) < 100 else 'NOT under'} 100 ms")
        started = time.perf_counter()
        catch_up(rt.database.env())
        waiters.join(60)
        done = time.perf_counter() - started
        codes = sorted({a.status_code for a in answers})
        print(f"views caught up; the {len(answers)} waiting reads answered {codes} within "
              f"{done * 1000:.0f} ms of the catch-up starting")
    finally:
        server.should_exit = True
        thread.join(10)
        read_models.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
