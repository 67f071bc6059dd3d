"""`hazard serve` on both cores (issue 11 §7): one command on the embedded defaults starts API
processes and a followers process (views, relay, audit chain) beside the embedded servers; each
API process answers, a write answered by one is read back through another (`?after=`) and
relayed to NATS; an API process that dies is started again; SIGTERM stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import credit_code
from tests.e2e.test_cli import (HAZARD, _free_port, _ok, _postgres_running, _wait_for_line, _wait_until,
                                run)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, dict[str, str]]]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "NATS_URL", "HAZARD_SECRET", "HAZARD_DB_SCHEMA")}
    env.update(HAZARD_DATA_DIR=str(tmp_path / "var"), HAZARD_API_WORKERS="2")
    port = _free_port()
    server = subprocess.Popen([HAZARD, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_line(server, "HazardLedger serving on")
        yield server, f"http://127.0.0.1:{port}", env
    finally:
        for process in _named(server, "hz-"):
            _resume(process)
        server.send_signal(signal.SIGTERM)
        server.wait(60)


def _named(server: subprocess.Popen, prefix: str) -> list[psutil.Process]:
    try:
        children = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return sorted((p for p in children if _name(p).startswith(prefix)), key=_name)


def _name(process: psutil.Process) -> str:
    try:
        return process.name()
    except psutil.NoSuchProcess:
        return ""


def _resume(process: psutil.Process) -> None:
    try:
        process.resume()
    except psutil.NoSuchProcess:
        pass


def _only(api: list[psutil.Process], chosen: psutil.Process, call):
    """`call()` while every API process but `chosen` is stopped (SIGSTOP): `chosen` answers."""
    others = [p for p in api if p.pid != chosen.pid]
    for p in others:
        p.suspend()
    try:
        return call()
    finally:
        for p in others:
            p.resume()


def test_serve_answers_from_several_processes_beside_a_followers_process(served):
    server, url, env = served
    data_dir = Path(env["HAZARD_DATA_DIR"])
    api = _named(server, "hz-api-")
    assert [_name(p) for p in api] == ["hz-api-1", "hz-api-2"]
    assert [_name(p) for p in _named(server, "hz-followers")] == ["hz-followers"]
    assert len({p.pid for p in api} | {server.pid}) == 3  # none of them is the parent

    token = run("token", "issue", "--role", "bureau", env=env).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as first, \
            httpx.Client(base_url=url, headers=headers, timeout=30) as second:
        created = _only(api, api[0], lambda: first.post(
            "/api/v1/agencies", json={"credit_code": credit_code(), "name": "多进程测试机构"}))
        assert created.status_code == 201, created.text
        position = created.json()["position"]
        # read back through the other process, once the followers' process has projected it
        ledger = _only(api, api[1], lambda: second.get("/api/v1/ledger", params={"after": position}))
        assert ledger.status_code == 200, ledger.text

    _wait_until(lambda: run("subscribe", "--json", "--limit", "1", "--from-seq", "1",
                            env=env, timeout=20).returncode == 0)
    relayed = json.loads(run("subscribe", "--json", "--limit", "1", "--from-seq", "1",
                             env=env).stdout.splitlines()[0])
    assert (relayed["aggregate_type"], relayed["position"]) == ("Agency", position)

    api[1].kill()  # an API process dies: it is started again, the service keeps answering
    _wait_until(lambda: {p.pid for p in _named(server, "hz-api-2")} - {api[1].pid}, timeout=60)
    _wait_until(lambda: _ok(f"{url}/openapi.json"))

    everyone = _named(server, "hz-") + _named(server, "nats-server")
    server.send_signal(signal.SIGTERM)
    assert server.wait(60) == 0
    psutil.wait_procs(everyone, timeout=30)
    assert not [p for p in everyone if p.is_running()]
    _wait_until(lambda: not _postgres_running(data_dir / "pg"))
