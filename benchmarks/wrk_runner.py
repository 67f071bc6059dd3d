"""Runs wrk with benchmarks/commands.lua and reads the summary its done() writes."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "commands.lua"
INSTALL_HINT = "wrk not found: install it from Debian's packages with `apt-get install -y wrk` (as root)"


def wrk_version() -> str | None:
    """wrk's version line, or None when wrk is not installed."""
    if shutil.which("wrk") is None:
        return None
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).splitlines()[0].strip()


@dataclass
class Run:
    mode: str
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    created: int
    repeats: int
    wrk_cpu: float                      # seconds of CPU wrk used (user + system)
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values())


def run(url: str, mode: str, *, seconds: float, connections: int, threads: int, token: str,
        enterprises: list[str], ids_file: Path, deadline: str) -> Run:
    """`seconds` of `mode` (create | assign | mixed) at `connections` connections.

    Hazards created (201) are appended to `ids_file`; assign and mixed read their ids from it."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        summary_path = Path(out.name)
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_TOKEN": token, "BENCH_ENTERPRISES": ",".join(enterprises),
           "BENCH_IDS": str(ids_file), "BENCH_NEW_IDS": str(ids_file), "BENCH_THREADS": str(threads),
           "BENCH_DEADLINE": deadline, "BENCH_OUT": str(summary_path)}
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
               "-s", str(SCRIPT), url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or not summary_path.stat().st_size:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary = json.loads(summary_path.read_text())
    summary_path.unlink()
    latency = summary["latency_us"]
    return Run(mode=mode, requests=summary["requests"], seconds=summary["duration_us"] / 1e6,
               p50_ms=latency["p50"] / 1000, p90_ms=latency["p90"] / 1000, p99_ms=latency["p99"] / 1000,
               max_ms=latency["max"] / 1000, statuses={int(k): v for k, v in summary["statuses"].items()},
               socket_errors={k: v for k, v in summary["errors"].items() if k != "status"},
               created=summary["created"], repeats=summary["repeats"],
               wrk_cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
