"""The command path over HTTP, beside raw one-row transactions on the same PostgreSQL (issue 11).

    .venv/bin/python benchmarks/commands.py [--duration 10] [--connections 32] [--soak 20] [--keep]
    .venv/bin/python benchmarks/commands.py --soak 300        # the 5-minute memory check

Needs wrk from Debian's packages (`apt-get install -y wrk`). It starts `hazard serve` on the
embedded defaults (DATABASE_URL, NATS_URL and HAZARD_SECRET unset, a fresh HAZARD_DATA_DIR in a
temporary folder, a free loopback port), issues a bureau's token, registers four enterprises and
then, each phase `--duration` seconds at `--connections` connections (wrk, a POST body per request,
benchmarks/commands.lua):

0. ceiling  raw one-row psycopg transactions on the service's own embedded PostgreSQL (its socket
            under <data>/pg): as many threads as connections, each INSERTs one row and COMMITs;
            then the same with `LOCK TABLE … IN EXCLUSIVE MODE` first in each transaction, as the
            library's recorder locks the events table for each insert (for information: the
            ceiling of one commit per command); the unlocked ceiling is measured again at the
            end, and the ratios are to the higher of the two (the machine's noise shows there);
1. create   POST /api/v1/hazards;
2. assign   POST /api/v1/hazards/{id}/assign, each request on a different hazard (the hazards the
            create phase made, topped up beforehand so there are about twice as many as needed;
            any hazard assigned twice is counted and printed);
3. mixed    of every 10 requests 3 creates, 2 ledger pages (GET /ledger?page_size=20), 5 reads of
            one hazard (GET /hazards/{id});
4. soak     the mixed load for `--soak` seconds (default 20; the issue's memory check: 300), the
            service's resident memory sampled every 5 s: its drift from the start of the phase.

Printed for each: requests/s, p50, p99, non-2xx answers, socket errors, the ratio to the ceiling,
CPU milliseconds per request of the `hazard serve` process tree (API, followers, nats-server) and of
the embedded PostgreSQL (postmaster and backends), the cores the service used, and wrk's own CPU
(to show the load generator is not the bottleneck); then each process of the serve tree with its
CPU ms per request and the connections it held halfway through the phase (how the API processes
share the load), the PostgreSQL connections the service holds, and the service's RSS drift.

Exits 1 on errors (non-2xx, socket errors, the service dying), never on speed. `--keep` leaves the
temporary folder (data, serve.log). `--checkout DIR` serves another checkout's `.venv/bin/hazard`,
e.g. a `git worktree` of another commit whose venv `python3 dev.py hazard --help` made there.
The figures are only as quiet as the machine: the load average is printed at start and end.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
import framework_ceiling  # noqa: E402
import raw_ceiling  # noqa: E402
import wrk_runner  # noqa: E402
from command_service import ROOT, Sample, Service, Usage, free_port  # noqa: E402

from domain.credit_code import make  # noqa: E402

ENTERPRISES = [("330226001", "chem"), ("330226005", "trade"), ("330226011", "construction"),
               ("330226002", "chem")]
WARMUP_SECONDS = 3


@dataclass
class Phase:
    label: str
    run: wrk_runner.Run | None
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    serve_cpu: float
    postgres_cpu: float
    client_cpu: float
    ratio: bool = False        # the ratio to the ceiling is one of the figures
    by_process: dict[str, float] | None = None   # serve tree: "name[pid]" → CPU seconds
    connections: dict[str, int] | None = None    # serve tree: "name[pid]" → connections held mid-phase


def main() -> int:
    args = parse_args()
    version = wrk_runner.wrk_version()
    if version is None:
        print(wrk_runner.INSTALL_HINT, file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="hazard-bench-"))
    service = Service(folder / "var", args.checkout.resolve())
    try:
        print(f"{describe_machine(service.checkout)}; {version}")
        service.start()
        return benchmark(service, args)
    finally:
        service.stop()
        if args.keep:
            print(f"kept {folder} (data in var/, the service's log in serve.log)")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--soak", type=float, default=20.0,
                        help="seconds of mixed load for the memory drift (default 20; issue 11: 300)")
    parser.add_argument("--keep", action="store_true", help="leave the temporary data folder")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="the checkout whose .venv/bin/hazard is served (default: this one), "
                             "e.g. a `git worktree` of another commit")
    return parser.parse_args()


def describe_machine(checkout: Path) -> str:
    head = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=checkout, capture_output=True,
                          text=True).stdout.strip()
    return (f"hazard serve of {checkout} at commit {head or '?'}; {os.cpu_count()} cores; "
            f"{load_average()}")


def load_average() -> str:
    """Others' work on the machine shows here: the figures are only as quiet as the machine."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def benchmark(service: Service, args: argparse.Namespace) -> int:
    usage = Usage(service)
    at_start = usage.sample()
    token = service.token()
    enterprises = [register(service, token, n, township, sector)
                   for n, (township, sector) in enumerate(ENTERPRISES)]
    print(f"service: {usage.describe()}; RSS {mib(at_start.serve_rss)} at start; "
          f"{args.connections} connections, {args.duration:.0f} s per phase")
    for line in service.said_about_processes():
        print(f"  hazard serve said: {line}")
    load = Load(service, usage, args, token, enterprises)
    first = load.ceiling()
    phases = [first, load.ceiling(locked=True), load.bare()]
    load.wrk("create", WARMUP_SECONDS)                  # warm-up, not reported
    phases.append(load.measured("create", "POST /hazards (create)", ratio=True))
    load.top_up(phases[-1].requests / phases[-1].seconds)
    phases.append(load.measured("assign", "POST /hazards/{id}/assign (distinct)", ratio=True))
    phases.append(load.measured("mixed", "mixed 3 create : 2 ledger : 5 read"))
    soak, rss = load.soak(args.soak)
    phases.append(soak)
    time.sleep(2)                                        # the followers catch up
    print(f"  PostgreSQL connections the service holds now: {load.held_connections()}")
    phases.insert(2, load.ceiling(label="raw one-row tx again, at the end"))
    ceilings = [p.requests / p.seconds for p in (first, phases[2]) if p]
    phases = [p for p in phases if p]
    print_table(phases, max(ceilings, default=float("nan")), args.connections)
    print_stack_ceiling(phases, max(ceilings, default=float("nan")))
    print_processes(phases)
    print_memory(at_start, rss)
    print(f"machine at the end: {load_average()}")
    return report_errors(phases, service)


def register(service: Service, token: str, n: int, township: str, sector: str) -> str:
    code = make(f"91330226MB{os.getpid() % 10**5:05d}{n:02d}")
    return service.post(token, "/enterprises", {
        "credit_code": code, "name": f"基准企业{n}", "township": township, "sector": sector,
        "scale": "small_micro"})["id"]


class Load:
    """The phases, each measured with the processes' CPU before and after."""

    def __init__(self, service: Service, usage: Usage, args: argparse.Namespace, token: str,
                 enterprises: list[str]) -> None:
        self.service, self.usage, self.args = service, usage, args
        self.token, self.enterprises = token, enterprises
        self.ids_file = service.data_dir.parent / "hazards.txt"
        self.ids_file.touch()
        self.deadline = (date.today() + timedelta(days=180)).isoformat()

    def wrk(self, mode: str, seconds: float) -> wrk_runner.Run:
        return wrk_runner.run(self.service.url, mode, seconds=seconds, connections=self.args.connections,
                              threads=self.args.threads, token=self.token, enterprises=self.enterprises,
                              ids_file=self.ids_file, deadline=self.deadline)

    def measured(self, mode: str, label: str, seconds: float | None = None, ratio: bool = False) -> Phase:
        seconds = seconds or self.args.duration
        held: dict[str, int] = {}
        midway = threading.Timer(seconds / 2, lambda: held.update(self.usage.connections(self.service.port)))
        before = self.usage.sample()
        midway.start()
        run = self.wrk(mode, seconds)
        midway.join()
        after = self.usage.sample()
        phase = Phase(label=label, run=run, requests=run.requests, seconds=run.seconds, p50_ms=run.p50_ms,
                      p99_ms=run.p99_ms, serve_cpu=after.serve_cpu - before.serve_cpu,
                      postgres_cpu=after.postgres_cpu - before.postgres_cpu, client_cpu=run.wrk_cpu,
                      ratio=ratio, by_process=cpu_by_process(before, after), connections=held)
        print(f"  {label}: {phase.requests / phase.seconds:,.0f} req/s, statuses {dict(sorted(run.statuses.items()))}"
              + (f", {run.repeats} requests on an already assigned hazard" if run.repeats else ""), flush=True)
        return phase

    def held_connections(self) -> str:
        return raw_ceiling.client_connections(self.service.postgres_uri())

    def ceiling(self, locked: bool = False, label: str | None = None) -> Phase | None:
        """Raw one-row transactions (None, said, when PostgreSQL refuses as many connections)."""
        before, cpu0 = self.usage.sample(), time.process_time()
        try:
            c = raw_ceiling.measure(self.service.postgres_uri(), self.args.connections, self.args.duration,
                                    locked)
        except psycopg.OperationalError as e:
            print(f"  raw one-row tx{' again' if label else ''}: not measured, {self.args.connections} "
                  f"connections refused ({str(e).strip().splitlines()[-1]}); the service holds "
                  f"{self.held_connections()}", flush=True)
            return None
        after, cpu1 = self.usage.sample(), time.process_time()
        label = label or (f"raw one-row tx, table locked each ({self.args.connections} threads)" if locked
                          else f"raw one-row tx ({self.args.connections} threads)")
        print(f"  {label}: {c.rate:,.0f} tx/s"
              + ("" if locked else f" ({raw_ceiling.durability(self.service.postgres_uri())})"), flush=True)
        return Phase(label=label, run=None, requests=c.tx,
                     seconds=c.seconds, p50_ms=c.p50_ms, p99_ms=c.p99_ms,
                     serve_cpu=after.serve_cpu - before.serve_cpu,
                     postgres_cpu=after.postgres_cpu - before.postgres_cpu, client_cpu=cpu1 - cpu0,
                     ratio=True)

    def bare(self) -> Phase:
        """The create request answered by a bare FastAPI application (benchmarks/framework_ceiling.py)."""
        workers = int(os.environ.get("HAZARD_API_WORKERS") or 2)
        run, cpu = framework_ceiling.measure(free_port(), workers, seconds=self.args.duration,
                                             connections=self.args.connections, threads=self.args.threads,
                                             enterprises=self.enterprises)
        label = f"bare FastAPI create, no database ({workers} processes; the stack's ceiling)"
        print(f"  {label}: {run.rate:,.0f} req/s, statuses {dict(sorted(run.statuses.items()))}", flush=True)
        return Phase(label=label, run=run, requests=run.requests, seconds=run.seconds, p50_ms=run.p50_ms,
                     p99_ms=run.p99_ms, serve_cpu=cpu, postgres_cpu=0.0, client_cpu=run.wrk_cpu, ratio=True)

    def top_up(self, create_rate: float) -> None:
        """About twice as many hazards as one assign phase at the create rate needs."""
        have = len(self.ids_file.read_text().split())
        want = math.ceil(2 * max(create_rate, 1) * self.args.duration) + self.args.connections
        if have < want:
            seconds = min((want - have) / max(create_rate, 1) + 1, 3 * self.args.duration)
            self.wrk("create", seconds)
        print(f"  hazards to assign: {len(self.ids_file.read_text().split()):,}", flush=True)

    def soak(self, seconds: float) -> tuple[Phase, list[int]]:
        rss: list[int] = []
        stop = threading.Event()

        def sample() -> None:
            while True:
                rss.append(self.usage.sample().serve_rss)
                if stop.wait(5):
                    break
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            phase = self.measured("mixed", f"soak: mixed for {seconds:.0f} s", seconds)
        finally:
            stop.set()
            sampler.join()
        rss.append(self.usage.sample().serve_rss)
        return phase, rss


def cpu_by_process(before: Sample, after: Sample) -> dict[str, float]:
    return {name: seconds - before.serve_by_process.get(name, 0.0)
            for name, seconds in after.serve_by_process.items()}


def print_processes(phases: list[Phase]) -> None:
    """Which processes of the serve tree did the work (issue 11 §7: more than one at work), and
    which held the load generator's connections halfway through the phase."""
    print("\nCPU ms per request by process of the hazard serve tree (cores used); connections held midway:")
    for p in phases:
        if p.by_process:
            parts = sorted(p.by_process.items(), key=lambda item: -item[1])
            print(f"  {p.label}: " + ", ".join(
                f"{name} {1000 * seconds / max(p.requests, 1):.2f} ({seconds / p.seconds:.2f})"
                for name, seconds in parts if seconds > 0.005))
            print("    connections: " + (", ".join(f"{name} {n}" for name, n in sorted(p.connections.items()))
                                         or "none seen"))


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def print_table(phases: list[Phase], ceiling_rate: float, connections: int) -> None:
    print(f"\n| path ({connections} connections) | req/s | p50 ms | p99 ms | non-2xx | errors "
          "| ratio to raw tx | serve CPU ms/req | postgres CPU ms/req | serve cores | load generator CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p in phases:
        rate = p.requests / p.seconds
        per = 1000 / max(p.requests, 1)
        run = p.run
        errors = f"{run.non_2xx} | {run.errors}" if run else "— | —"
        client = (f"wrk {100 * p.client_cpu / p.seconds:.0f}% of a core" if run
                  else f"python {100 * p.client_cpu / p.seconds:.0f}% of a core")
        ratio = f"{rate / ceiling_rate:.2f}" if p.ratio else "—"
        print(f"| {p.label} | {rate:,.0f} | {p.p50_ms:.1f} | {p.p99_ms:.1f} | {errors} "
              f"| {ratio} | {p.serve_cpu * per:.2f} | {p.postgres_cpu * per:.2f} "
              f"| {p.serve_cpu / p.seconds:.2f} | {client} |")


def print_stack_ceiling(phases: list[Phase], ceiling_rate: float) -> None:
    """Issue 11's target (0.5× the raw ceiling) beside what FastAPI alone answers on this machine."""
    bare = next((p for p in phases if p.label.startswith("bare FastAPI")), None)
    create = next((p for p in phases if p.label.startswith("POST /hazards (create)")), None)
    if bare is None or create is None:
        return
    bare_rate, create_rate = bare.requests / bare.seconds, create.requests / create.seconds
    print(f"\nissue 11's target, 0.5× raw one-row tx: {0.5 * ceiling_rate:,.0f} req/s; bare FastAPI answers "
          f"{bare_rate:,.0f} req/s ({1000 * bare.serve_cpu / max(bare.requests, 1):.2f} CPU ms/req) doing "
          f"nothing; create is {create_rate / bare_rate:.2f}× bare FastAPI")


def print_memory(at_start: Sample, rss: list[int]) -> None:
    first, last = rss[0], rss[-1]
    print(f"\nservice RSS ({at_start.serve_processes} processes of hazard serve, PostgreSQL not included): "
          f"{mib(at_start.serve_rss)} at start; soak {mib(first)} → {mib(last)} "
          f"(min {mib(min(rss))}, max {mib(max(rss))}), drift {100 * (last - first) / first:+.1f}% "
          f"(issue 11: within ±20% over 5 minutes)")


def report_errors(phases: list[Phase], service: Service) -> int:
    bad = [p for p in phases if p.run and (p.run.non_2xx or p.run.errors)]
    for p in bad:
        print(f"errors in {p.label}: statuses {p.run.statuses}, socket errors {p.run.socket_errors}",
              file=sys.stderr)
    if not service.alive():
        print(f"hazard serve died:\n{service.log_tail()}", file=sys.stderr)
        return 1
    if bad:
        print(f"the service's log: {service.log_path} (use --keep to look at it)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
