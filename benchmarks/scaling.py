"""Measured scaling of the API (issue 18 §5): 1, 2 and 4 `api` processes on one PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/scaling.py \
        [--processes 1,2,4] [--duration 10] [--connections 32]

Needs wrk (`apt-get install -y wrk`). On the PostgreSQL of DATABASE_URL (a fresh schema, dropped
at the end) and an embedded nats-server in a temporary folder, it starts one
`hazard serve --role workers` (views, relay, audit chain: the production shape's followers) and,
for each count N, `hazard serve --role api --workers N` on a free port — N API processes sharing
one listening socket, as one replica of docker-compose.yml runs them. Per N, wrk at
`--connections` connections (benchmarks/commands.lua):

- create  POST /api/v1/hazards (a new hazard per request);
- change  POST /api/v1/hazards/{id}/assign, each request on a different hazard the create phase made.

Beside them, in the same run, the ceiling: raw one-row psycopg transactions (INSERT + COMMIT) at as
many connections, on the same PostgreSQL, before and after; ratios are to the higher of the two.
Printed: requests/s, p50, p99, non-2xx, ratio to the ceiling, and the machine's cores and load
(on a 2-core machine, processes beyond two share the cores with PostgreSQL and wrk).
Exits 1 on errors (non-2xx, socket errors), never on speed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

import raw_ceiling  # noqa: E402
import wrk_runner  # noqa: E402
from command_service import ROOT, free_port  # noqa: E402
from commands import ENTERPRISES, register  # noqa: E402
from infra.nats import EmbeddedNats  # noqa: E402

SECRET = "scaling-benchmark-secret-0123456789abcdef"


class Replica:
    """`hazard serve --role api --workers N` on a free port (the benchmark's service for one N)."""

    def __init__(self, env: dict[str, str], processes: int, log: Path) -> None:
        self.env, self.processes, self.port = env, processes, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = Path(env["HAZARD_DATA_DIR"])
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [str(ROOT / ".venv/bin/hazard"), "serve", "--role", "api", "--workers", str(processes),
                 "--port", str(self.port)], env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_for(f"{self.url}/openapi.json", self.process)

    def token(self) -> str:
        done = subprocess.run([str(ROOT / ".venv/bin/hazard"), "token", "issue", "--role", "bureau",
                               "--name", "扩展基准"], env=self.env, capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    def post(self, token: str, path: str, body: dict) -> dict:
        answer = httpx.post(f"{self.url}/api/v1{path}", json=body, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return answer.json()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def measure(replica: Replica, args: argparse.Namespace, ids: Path) -> list[tuple[str, wrk_runner.Run]]:
    token = replica.token()
    enterprises = [register(replica, token, n + 10 * replica.processes, t, s)
                   for n, (t, s) in enumerate(ENTERPRISES)]
    deadline = (date.today() + timedelta(days=180)).isoformat()

    def wrk(mode: str, seconds: float) -> wrk_runner.Run:
        return wrk_runner.run(replica.url, mode, seconds=seconds, connections=args.connections,
                              threads=args.threads, token=token, enterprises=enterprises,
                              ids_file=ids, deadline=deadline)

    wrk("create", 2)  # warm-up (and hazards to change), not reported
    create = wrk("create", args.duration)
    change = wrk("assign", args.duration)
    return [("create", create), ("change", change)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    if wrk_runner.wrk_version() is None:
        print(wrk_runner.INSTALL_HINT, file=sys.stderr)
        return 2
    schema = f"bench_scaling_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"PostgreSQL {url.rsplit('@', 1)[-1]} schema {schema}; {args.connections} connections, "
          f"{args.duration:.0f} s per phase; {wrk_runner.wrk_version()}", flush=True)
    rows, failed = [], False
    try:
        with tempfile.TemporaryDirectory(prefix="hz-scaling-") as tmp, EmbeddedNats(Path(tmp) / "nats") as nats:
            env = {**os.environ, "DATABASE_URL": url, "HAZARD_DB_SCHEMA": schema, "NATS_URL": nats.url,
                   "HAZARD_SECRET": SECRET, "HAZARD_DATA_DIR": str(Path(tmp) / "var"),
                   "HAZARD_DB_POOL_SIZE": "8"}
            with (Path(tmp) / "workers.log").open("w") as out:
                workers = subprocess.Popen([str(ROOT / ".venv/bin/hazard"), "serve", "--role", "workers"],
                                           env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                ceiling = [raw_ceiling.measure(url, args.connections, args.duration).rate]
                print(f"  ceiling: raw one-row tx ({args.connections} connections): {ceiling[0]:,.0f} tx/s", flush=True)
                for n in [int(p) for p in args.processes.split(",")]:
                    replica = Replica(env, n, Path(tmp) / f"api-{n}.log")
                    try:
                        for mode, run in measure(replica, args, Path(tmp) / f"hazards-{n}.txt"):
                            rows.append((n, mode, run))
                            failed |= bool(run.non_2xx or run.errors)
                            print(f"  {n} API process{'es' if n > 1 else ''}, {mode}: {run.rate:,.0f} req/s, "
                                  f"p99 {run.p99_ms:.1f} ms, statuses {dict(sorted(run.statuses.items()))}", flush=True)
                    finally:
                        replica.stop()
                ceiling.append(raw_ceiling.measure(url, args.connections, args.duration).rate)
                print(f"  ceiling again, at the end: {ceiling[1]:,.0f} tx/s", flush=True)
            finally:
                workers.send_signal(signal.SIGTERM)
                workers.wait(60)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    print_table(rows, max(ceiling), args.connections)
    print(f"machine at the end: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


def print_table(rows: list, ceiling: float, connections: int) -> None:
    print(f"\n{'API processes':>13}  {'phase':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
          f"{'× ceiling':>10}   (ceiling {ceiling:,.0f} raw one-row tx/s at {connections} connections)")
    base = {mode: run.rate for n, mode, run in rows if n == rows[0][0]}
    for n, mode, run in rows:
        print(f"{n:>13}  {mode:<7} {run.rate:>8,.0f} {run.p50_ms:>8.1f} {run.p99_ms:>8.1f} {run.non_2xx:>8} "
              f"{run.rate / ceiling:>10.3f}   ({run.rate / base[mode]:.2f}× the first count)")


if __name__ == "__main__":
    sys.exit(main())
