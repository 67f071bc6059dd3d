"""The `hazard` command as a newcomer uses it: tokens, a history timeline, serve on embedded PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import psutil
import pytest

from domain.actor import Role
from infra.auth import Tokens
from infra.reference import ReferenceData
from infra.settings import Settings
from tests.conftest import actor, credit_code

HAZARD = str(Path(sys.executable).with_name("hazard"))


def run(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([HAZARD, *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "NATS_URL", "HAZARD_SECRET", "HAZARD_DB_SCHEMA")}
    env["HAZARD_DATA_DIR"] = str(tmp_path / "var")
    return env


def test_token_issue_names_the_role_scope_and_holder(cli_env):
    cli_env["HAZARD_SECRET"] = "a-secret-for-this-test-only-0123456789"
    done = run("token", "issue", "--role", "regulator", "--sector", "chem", "--name", "县应急局 危化科", env=cli_env)
    assert done.returncode == 0, done.stderr
    holder = Tokens(cli_env["HAZARD_SECRET"]).verify(done.stdout.strip())
    assert (holder.role, holder.sector, holder.actor.name) == (Role.REGULATOR, "chem", "县应急局 危化科")


def test_token_issue_refuses_a_role_without_its_scope(cli_env):
    done = run("token", "issue", "--role", "township", env=cli_env)
    assert done.returncode == 2 and "--township" in done.stderr


def test_without_a_secret_a_key_is_generated_once_and_kept_private(cli_env):
    first = run("token", "issue", "--role", "bureau", env=cli_env).stdout.strip()
    second = run("token", "issue", "--role", "auditor", env=cli_env).stdout.strip()
    key_file = Path(cli_env["HAZARD_DATA_DIR"]) / "keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    tokens = Tokens.from_settings(Settings.from_env(cli_env))
    assert tokens.verify(first).role == Role.BUREAU and tokens.verify(second).role == Role.AUDITOR


def test_history_prints_a_readable_timeline(ledger, database_url, schema, cli_env):
    bureau = actor(Role.BUREAU, "县应急管理局 张局")
    enterprise = ledger.register_enterprise(bureau, credit_code=credit_code(), name="某纺织厂",
                                            township="330226010", sector="trade", scale="above_size")
    hazard = ledger.report_hazard(bureau, enterprise_id=enterprise.id, source="public_tip",
                                  category="unsafe_condition", description="消防通道堵塞",
                                  level="general", discovered_on=date(2026, 6, 2))
    ledger.assign_responsibility(bureau, hazard.id, responsible_person="钱七", deadline=date(2026, 6, 9))
    cli_env.update(DATABASE_URL=database_url, HAZARD_DB_SCHEMA=schema)
    done = run("history", hazard.id, env=cli_env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    lines = out.splitlines()
    assert lines[0].startswith(f"隐患 {hazard.id}")
    assert "隐患上报" in lines[1] and "县应急管理局 张局（县应急管理局）" in lines[1] and "+08:00" in lines[1]
    township = ReferenceData.load().townships["330226010"]
    for shown in ("企业：某纺织厂", f"乡镇（街道）：{township}", "行业：工贸", "隐患来源：群众举报",
                  "类别：物的不安全状态", "等级：一般隐患", "描述：消防通道堵塞", "发现日期：2026-06-02"):
        assert f"      {shown}" in lines, shown
    step = next(i for i, line in enumerate(lines) if "落实责任人和整改期限" in line)
    assert lines[step + 1:step + 3] == ["      责任人：钱七", "      整改期限：2026-06-09"]
    assert not re.search(r"[a-z_]+=|[{}]|public_tip|unsafe_condition|330226010", out)  # no raw keys or codes
    now = run("history", hazard.id, "--as-of", "2099-01-01", env=cli_env)
    assert "截至 2099-01-01 的状态：" in now.stdout and "      状态：整改中" in now.stdout.splitlines()
    as_json = run("history", hazard.id, "--json", "--as-of", "2020-01-01", env=cli_env)
    assert as_json.returncode == 1 and "not found" in as_json.stderr  # it did not exist then
    missing = run("history", "00000000-0000-0000-0000-000000000000", env=cli_env)
    assert missing.returncode == 1


def test_serve_runs_on_embedded_postgresql_and_stops_it_on_exit(cli_env, tmp_path):
    port = _free_port()
    server = subprocess.Popen([HAZARD, "serve", "--port", str(port)], env=cli_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = _wait_for_line(server, "HazardLedger serving on")
        assert f"http://127.0.0.1:{port}" in banner
        data_dir = Path(cli_env["HAZARD_DATA_DIR"])
        token = run("token", "issue", "--role", "bureau", env=cli_env).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        _wait_until(lambda: _ok(f"http://127.0.0.1:{port}/openapi.json"))
        created = httpx.post(f"http://127.0.0.1:{port}/api/v1/agencies", headers=headers,
                             json={"credit_code": credit_code(), "name": "嵌入式测试机构"})
        assert created.status_code == 201 and created.json()["position"] == 1
        assert (data_dir / "pg" / "PG_VERSION").exists()
        assert _postgres_running(data_dir / "pg")
        nats_url = (data_dir / "nats" / "url").read_text().strip()
        assert nats_url.startswith("nats://127.0.0.1:") and not nats_url.endswith(":4222")
        # the relay creates the stream and publishes in its own thread: allow it a moment
        _wait_until(lambda: run("subscribe", "--json", "--limit", "1", "--from-seq", "1",
                                env=cli_env, timeout=20).returncode == 0)
        subscribed = run("subscribe", "--json", "--limit", "1", "--from-seq", "1", env=cli_env)
        assert subscribed.returncode == 0, subscribed.stderr
        message = json.loads(subscribed.stdout.splitlines()[0])
        assert (message["aggregate_type"], message["position"]) == ("Agency", 1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    _wait_until(lambda: not _postgres_running(data_dir / "pg"))
    _wait_until(lambda: not _process_running("nats-server", str(data_dir)))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_line(process: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if marker in line:
            return line
        if not line and process.poll() is not None:
            break
    raise AssertionError("server did not start:\n" + "".join(seen))


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def _process_running(name: str, marker: str) -> bool:
    return any(proc.info["name"] == name and marker in " ".join(proc.info["cmdline"] or [])
               for proc in psutil.process_iter(attrs=["name", "cmdline"]))


def _postgres_running(pgdata: Path) -> bool:
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(pgdata) in " ".join(proc.info["cmdline"] or []):
            return True
    return False
