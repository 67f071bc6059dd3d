"""`hazard serve` as another process, on the test's PostgreSQL schema (embedded NATS), for tests
that need the real service: its processes, its log."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.test_cli import HAZARD, _free_port, _ok, _wait_until


def serve_env(data_dir: Path, database_url: str, schema: str, secret: str) -> dict[str, str]:
    """The environment of `hazard` commands on the test's schema (HAZARD_DB_POOL_SIZE and
    PGAPPNAME as tests/conftest.py sets them)."""
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "HAZARD_SECRET")}
    env.update(HAZARD_DATA_DIR=str(data_dir), DATABASE_URL=database_url, HAZARD_DB_SCHEMA=schema,
               HAZARD_SECRET=secret)
    return env


@contextmanager
def serving(env: dict[str, str], log_file: Path) -> Iterator[str]:
    """`hazard serve` on a free port, its output in `log_file`; its base URL. Stopped by SIGTERM."""
    port = _free_port()
    with log_file.open("w") as out:
        server = subprocess.Popen([HAZARD, "serve", "--port", str(port)], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _ok(f"{url}/openapi.json") or server.poll() is not None, timeout=60)
        assert server.poll() is None, log_file.read_text()
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
