"""The stack's own ceiling: FastAPI answering the create request with no work behind it.

    .venv/bin/python benchmarks/framework_ceiling.py [--duration 10] [--connections 32] [--workers 2]

The same request as the command benchmark's create phase (wrk, benchmarks/commands.lua, a POST
body per request) is sent to `POST /api/v1/hazards` of a bare FastAPI application served the way
`hazard serve` serves the real one: uvicorn with httptools and uvloop, as many processes as
`hazard serve`'s API (HAZARD_API_WORKERS, default 2), access log off. The route validates the body
with the service's own schema (`services.api.schemas.NewHazard`) and answers 201 with an id and a
position through the service's orjson response class. No token, no database, no event, no follower:
whatever the service does beyond this costs more CPU, so on a machine where this figure is below
a target, the service cannot reach that target with this stack.

Used by benchmarks/commands.py as its "bare FastAPI" phase; runnable alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
import psutil  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from services.api import schemas  # noqa: E402
from services.api.json import JSON  # noqa: E402

app = FastAPI(default_response_class=JSON)
_positions = iter(range(1, 1 << 62))


@app.post("/api/v1/hazards", status_code=201)
def report(body: schemas.NewHazard) -> dict:
    return {"id": str(uuid.uuid4()), "position": next(_positions)}


class BareFastAPI:
    """The bare application in `workers` uvicorn processes on a free loopback port."""

    def __init__(self, port: int, workers: int) -> None:
        self.port, self.workers = port, workers
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> BareFastAPI:
        command = [sys.executable, "-m", "uvicorn", "framework_ceiling:app", "--app-dir",
                   str(Path(__file__).resolve().parent), "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers), "--http", "httptools", "--loop", "uvloop",
                   "--no-access-log", "--log-level", "warning"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.post(f"{self.url}/api/v1/hazards", json={}, timeout=2).status_code == 422:
                    time.sleep(1)  # every worker up
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the bare FastAPI application did not start within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)

    def cpu_seconds(self) -> float:
        """CPU the uvicorn processes have used so far (user + system)."""
        total = 0.0
        root = psutil.Process(self.process.pid)
        for p in [root, *root.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total


def measure(port: int, workers: int, *, seconds: float, connections: int, threads: int,
            enterprises: list[str]) -> tuple[object, float]:
    """(wrk's run, CPU seconds of the bare application) for `seconds` of the create request."""
    import wrk_runner
    with BareFastAPI(port, workers) as bare, tempfile.TemporaryDirectory() as folder:
        ids = Path(folder) / "ids.txt"
        ids.touch()
        wrk_runner.run(bare.url, "create", seconds=2, connections=connections, threads=threads,
                       token="none", enterprises=enterprises, ids_file=ids, deadline="2099-12-31")
        before = bare.cpu_seconds()
        run = wrk_runner.run(bare.url, "create", seconds=seconds, connections=connections, threads=threads,
                             token="none", enterprises=enterprises, ids_file=ids, deadline="2099-12-31")
        return run, bare.cpu_seconds() - before


def main() -> int:
    from command_service import free_port
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("HAZARD_API_WORKERS") or 2))
    args = parser.parse_args()
    run, cpu = measure(free_port(), args.workers, seconds=args.duration, connections=args.connections,
                       threads=args.threads, enterprises=[str(uuid.uuid4())])
    print(f"bare FastAPI create, {args.workers} processes, {args.connections} connections: "
          f"{run.rate:,.0f} req/s, p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, "
          f"statuses {dict(sorted(run.statuses.items()))}, {1000 * cpu / max(run.requests, 1):.2f} CPU ms/req, "
          f"{os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if run.non_2xx == 0 and run.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
