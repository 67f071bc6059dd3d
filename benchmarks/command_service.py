"""The service under test for benchmarks/commands.py: `hazard serve` on the embedded defaults.

`Service` starts `<checkout>/.venv/bin/hazard serve` (this checkout's by default) as a child
process with DATABASE_URL, NATS_URL and HAZARD_SECRET unset, a fresh HAZARD_DATA_DIR and a free
loopback port, waits until it answers, issues tokens with `hazard token issue` (same data folder,
so the same keys) and stops it with SIGTERM (its embedded PostgreSQL and nats-server stop with it).

`Usage` measures the processes involved: the `hazard serve` process tree (API processes,
followers, nats-server) and, separately, the embedded PostgreSQL (the postmaster named in
<data>/pg/postmaster.pid and its backends) — CPU seconds (user + system, including reaped
children) and resident memory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
UNSET = ("DATABASE_URL", "NATS_URL", "HAZARD_SECRET", "HAZARD_PREVIOUS_SECRETS", "HAZARD_DB_SCHEMA",
         "HAZARD_DB_POOL_SIZE", "HAZARD_CIPHER_KEY", "POSTGRES_DBNAME", "PERSISTENCE_MODULE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, data_dir: Path, checkout: Path = ROOT, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.checkout = checkout
        self.hazard = str(checkout / ".venv" / "bin" / "hazard")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in UNSET}
        self.env["HAZARD_DATA_DIR"] = str(data_dir)
        self.log_path = data_dir.parent / "serve.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen([self.hazard, "serve", "--port", str(self.port)], env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, cwd=self.checkout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hazard serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"hazard serve did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def said_about_processes(self) -> list[str]:
        """What the service printed at start about its processes (lines naming pids), if anything."""
        head = self.log_path.read_text(errors="replace").splitlines()[:60] if self.log_path.exists() else []
        return [line.strip() for line in head if "pid" in line.lower()]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def token(self, role: str = "bureau", name: str = "基准测试") -> str:
        done = subprocess.run([self.hazard, "token", "issue", "--role", role, "--name", name],
                              env=self.env, cwd=self.checkout, capture_output=True, text=True, check=True)
        return done.stdout.strip().splitlines()[-1]

    def post(self, token: str, path: str, body: dict) -> dict:
        answer = httpx.post(f"{self.url}/api/v1{path}", json=body, timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
        if answer.status_code >= 300:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text}")
        return answer.json()

    def stop(self, timeout: float = 60) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        stop_leftover_postgres(self.data_dir / "pg")

    def postgres_uri(self) -> str:
        return postmaster(self.data_dir / "pg").get_uri()


def postmaster(pgdata: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
        from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        raise RuntimeError(f"no PostgreSQL running in {pgdata}")
    return info


def stop_leftover_postgres(pgdata: Path) -> None:
    """If `hazard serve` was killed, its embedded PostgreSQL may still run: stop it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
        import pgserver
        from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is not None and info.is_running():
        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()


@dataclass
class Sample:
    serve_cpu: float      # seconds, hazard serve's process tree
    postgres_cpu: float   # seconds, postmaster and its backends
    serve_rss: int        # bytes, hazard serve's process tree
    serve_processes: int
    serve_by_process: dict[str, float]  # "name[pid]" → seconds


class Usage:
    """CPU and memory of the processes involved, sampled on demand."""

    def __init__(self, service: Service) -> None:
        self.serve = psutil.Process(service.process.pid)
        self.postmaster = psutil.Process(postmaster(service.data_dir / "pg").pid)

    def sample(self) -> Sample:
        pg = _tree(self.postmaster)
        pg_pids = {p.pid for p in pg}
        serve = [p for p in _tree(self.serve) if p.pid not in pg_pids]
        by_process = _cpu_by_process(serve)
        return Sample(serve_cpu=sum(by_process.values()), postgres_cpu=sum(_cpu_by_process(pg).values()),
                      serve_rss=_rss(serve), serve_processes=len(serve), serve_by_process=by_process)

    def connections(self, port: int) -> dict[str, int]:
        """Established connections to `port` held by each process of the serve tree."""
        held = {}
        for p in _tree(self.serve):
            try:
                held[f"{p.name()}[{p.pid}]"] = sum(
                    1 for c in p.net_connections(kind="tcp")
                    if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED)
            except psutil.Error:
                pass
        return {name: n for name, n in held.items() if n}

    def describe(self) -> str:
        names: dict[str, int] = {}
        for p in _tree(self.serve):
            try:
                names[p.name()] = names.get(p.name(), 0) + 1
            except psutil.Error:
                pass
        return ", ".join(f"{n} × {name}" for name, n in sorted(names.items()))


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return [root]


def _cpu_by_process(processes: list[psutil.Process]) -> dict[str, float]:
    """CPU seconds (user + system, and of the children each has reaped) by "name[pid]"."""
    seconds = {}
    for p in processes:
        try:
            t = p.cpu_times()
            seconds[f"{p.name()}[{p.pid}]"] = t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return seconds


def _rss(processes: list[psutil.Process]) -> int:
    total = 0
    for p in processes:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total
