"""`hazard serve`: one command, the service on every core (issue 11 §7).

The processes:

- this one, the parent: starts the embedded PostgreSQL and NATS when DATABASE_URL / NATS_URL are
  unset, binds the port, starts its children and watches them; on Ctrl-C or SIGTERM it stops
  the API processes, then the followers, then the embedded servers;
- one followers process: the views, the relay to JetStream and the audit chain keeper
  (`runtime.followers`); its relay follows the parent's NATS (`Config.nats_address`);
- HAZARD_API_WORKERS (default 2) API processes, each with its own application and pools,
  accepting on the socket the parent bound (the kernel gives each connection to one of them).
  `?after=` and the event stream read PostgreSQL, so they see what any process wrote.

Children are spawned (a fresh interpreter each) with the parent's `Config` as read, its
DATABASE_URL set to the running server (a child never starts or stops the embedded PostgreSQL).
They run in a process group of their own (Ctrl-C reaches the parent, which stops them in order),
are named `hz-api-N` and `hz-followers` (ps, top), and the kernel kills them when the parent
dies (PR_SET_PDEATHSIG): `kill -9` of the service leaves no process answering. They start one after the other (the tables are created once).
A child that dies is logged and started again; one that cannot start stops the service.
"""

from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

import uvicorn

from services.runtime import Config

log = logging.getLogger("hazard.serve")

STARTUP_SECONDS = 120.0  # a child not ready by then has failed to start
STOP_SECONDS = 30.0      # a child not gone by then (after SIGTERM) is killed
RESTART_AFTER = 1.0      # seconds before a child that died is started again
GC_THRESHOLDS = (10_000, 50, 100)  # Python's are (700, 10, 10)
LOG_FORMAT = "%(asctime)s %(levelname)s [%(processName)s] %(name)s: %(message)s"


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the service (embedded PostgreSQL and NATS when "
                                              "DATABASE_URL / NATS_URL are unset)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="API processes (default HAZARD_API_WORKERS, 2)")
    serve.add_argument("--role", choices=ROLES, default="all",
                       help="api：只答 HTTP；workers：只跟随日志（读模型、转发、审计链、提醒）；all（默认）：两者。"
                            "api 与 workers 分开运行时须设 DATABASE_URL 和 NATS_URL（同一 PostgreSQL、同一 NATS）")
    serve.set_defaults(run=run_serve)


ROLES = ("all", "api", "workers")  # issue 18 §1: the roles of a `hazard serve` process


def run_serve(args: argparse.Namespace, config: Config) -> int:
    _logging()
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    workers = max(1, args.workers or config.settings.api_workers)
    if args.role != "all" and not (config.settings.database_url and config.settings.nats_url):
        print("hazard serve: --role api / workers 须与其他进程共用同一 PostgreSQL 和 NATS：请设置 DATABASE_URL "
              "和 NATS_URL（内嵌服务器只供 --role all 使用）", file=sys.stderr)
        return 2
    with config.database() as database, config.broker() as broker:
        config.tokens()  # the keys are generated here, once, before the API processes read them
        children = Family(config.loaded().replace(database_url=database.conninfo),
                          _listen(args.host, args.port) if args.role != "workers" else None,
                          workers, stopping, role=args.role)
        try:
            if not children.start():
                return 1 if not stopping.is_set() else 0
            url = f"http://{args.host}:{args.port}"
            if args.role != "workers":
                print(f"HazardLedger serving on {url}  (dashboard {url}/, API {url}/api/v1, "
                      f"OpenAPI {url}/openapi.json)")
            else:
                print("HazardLedger workers following the log (no HTTP)")
            print(f"event store: {database.describe()}; NATS: {broker.describe()}; "
                  f"data folder: {config.settings.data_dir}")
            api = f"{len(children.pids('api'))} API (pids {', '.join(map(str, children.pids('api')))})"
            follow = (f"followers (pid {children.pids('followers')[0]}): views, relay, audit chain, reminders"
                      if children.pids("followers") else "")
            print(f"processes ({args.role}): " + "; ".join(p for p in (api if children.pids("api") else "",
                                                                       follow) if p))
            print("issue a token: hazard token issue --role bureau --name 县应急管理局", flush=True)
            return children.watch()
        finally:
            children.stop()


def _logging() -> None:
    from services.api import log_masking

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    log_masking.install_on_root()  # no names, phones or tokens in our log lines (issue 10 §7)


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # connections wait here until an API process accepts them
    return sock


# --- the parent's side ---------------------------------------------------------------------------
@dataclass
class Child:
    role: str            # "api" or "followers"
    number: int
    process: Any = None  # multiprocessing.Process
    ready: Any = None    # multiprocessing.Event, set by the child once it serves

    @property
    def name(self) -> str:
        return f"{self.role}-{self.number}" if self.role == "api" else self.role


@dataclass
class Family:
    """The parent's children: started in order, watched, restarted, stopped in order."""

    config: Config
    sock: socket.socket | None  # None for `--role workers`: no HTTP
    workers: int
    stopping: threading.Event
    role: str = "all"  # all, api (no followers), workers (no API processes)
    children: list[Child] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        followers = [Child("followers", 0)] if self.role in ("all", "workers") else []
        apis = [Child("api", n + 1) for n in range(self.workers)] if self.role in ("all", "api") else []
        self.children = followers + apis

    def pids(self, role: str) -> list[int]:
        return [c.process.pid for c in self.children if c.role == role and c.process is not None]

    def start(self) -> bool:
        """Each child in turn, waiting until it is ready; False if one could not start."""
        return all(self._start(child) for child in self.children)

    def _start(self, child: Child) -> bool:
        target, extra = (_followers_main, ()) if child.role == "followers" else (_api_main, (self.sock,))
        child.ready = self._context.Event()
        child.process = self._context.Process(target=target, name=child.name, daemon=False,
                                              args=(self.config, os.getpid(), child.ready, *extra))
        child.process.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not child.ready.wait(0.1):
            if self.stopping.is_set():
                return False
            if not child.process.is_alive() or time.monotonic() > deadline:
                log.error("%s process (pid %s) did not start (exit status %s); stopping the service",
                          child.name, child.process.pid, child.process.exitcode)
                return False
        return True

    def watch(self) -> int:
        """Until asked to stop: a child that dies is logged and started again. 0, or 1 when a
        child could not be started again."""
        while not self.stopping.is_set():
            wait([c.process.sentinel for c in self.children], timeout=0.5)
            for child in self.children:
                if child.process.is_alive() or self.stopping.is_set():
                    continue
                log.error("%s process (pid %s) died (exit status %s); starting it again",
                          child.name, child.process.pid, child.process.exitcode)
                if self.stopping.wait(RESTART_AFTER):
                    break
                if not self._start(child):
                    return 0 if self.stopping.is_set() else 1
        return 0

    def stop(self) -> None:
        """The API processes first (they finish the requests under way), then the followers."""
        for role in ("api", "followers"):
            mine = [c.process for c in self.children if c.role == role and c.process is not None]
            for process in mine:
                if process.is_alive():
                    process.terminate()
            for process in mine:
                process.join(STOP_SECONDS)
                if process.is_alive():
                    log.error("%s process (pid %s) did not stop; killing it", process.name, process.pid)
                    process.kill()
                    process.join(5)
        if self.sock is not None:
            self.sock.close()


# --- the children's side -------------------------------------------------------------------------
def _as_child(parent: int) -> None:
    """A process group of its own; killed by the kernel when the parent dies; named for `ps`
    and `top` (`hz-api-1`, `hz-followers`)."""
    os.setpgrp()
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        libc.prctl(15, f"hz-{multiprocessing.current_process().name}"[:15].encode())  # PR_SET_NAME
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    _logging()


def _quiet_gc() -> None:
    """What a child built to start (modules, application, routes, views) is frozen out of the
    garbage collector's sight, and collections come less often. Measured under 32 connections
    of creates: with Python's defaults an API process made 6–9 full collections in 20 s, each
    stopping all its threads for up to 155 ms; now none in 20 s (p99 96 → 61 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _followers_main(config: Config, parent: int, ready: Any) -> None:
    from services.runtime import followers

    _as_child(parent)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    with followers(config, config.nats_address()):
        _quiet_gc()
        ready.set()
        while not stopping.wait(1.0):
            pass
    log.info("followers stopped")


def _api_main(config: Config, parent: int, ready: Any, sock: socket.socket) -> None:
    from services.alarm_feed import answering_alarms
    from services.api import log_masking
    from services.api.app import create_app
    from services.runtime import running

    _as_child(parent)
    with running(config) as rt:
        read_models = rt.open_read_models()
        try:
            app = create_app(rt.ledger, rt.tokens, read_models=read_models,
                             policy_file=config.settings.policy_file,
                             max_file=config.settings.file_max_bytes, file_store=rt.ledger.file_store,
                             catalogue=config.criteria, templates=config.checklists)
            # httptools and uvloop: C parser and event loop, about 1.6× the creates per second of
            # h11 on asyncio here (benchmarks/commands.py); the event loop was the API's bottleneck
            server = _Server(uvicorn.Config(app, log_level="info", http="httptools", loop="uvloop",
                                            log_config=log_masking.uvicorn_log_config()),
                             on_started=ready.set)  # … nor in the access log
            _quiet_gc()
            # uvicorn raises SIGTERM again after its graceful shutdown: make that an exit that
            # unwinds the `with` (pools closed)
            signal.signal(signal.SIGTERM, _exit_on_signal)
            with answering_alarms(app, config.nats_address()):  # 智慧用电 over NATS (docs/electricity.md)
                server.run(sockets=[sock])
        finally:
            read_models.close()


class _Server(uvicorn.Server):
    """uvicorn's server, telling the parent once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_started()
