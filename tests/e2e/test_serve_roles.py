"""`hazard serve --role api|workers` (issue 18 §1): an API process answers HTTP and runs no
follower; a workers process runs the followers (views, relay, audit chain, reminders) and opens
no port; together, on one PostgreSQL and one NATS, they behave as one service: a write answered
by the API is read back with `?after=` (the workers' views) and reaches the NATS stream (the
workers' relay), and the API process answers smart-electricity alarms sent over NATS. Without DATABASE_URL and NATS_URL a role other than `all` is refused."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import httpx
import nats
import orjson
import psutil

from infra.nats import EmbeddedNats
from infra.subjects import STREAM
from services.alarm_feed import subject_for
from tests.conftest import credit_code
from tests.e2e.serving import serve_env
from tests.e2e.test_cli import HAZARD, _free_port, _ok, _wait_until, run

SECRET = "a-secret-for-the-roles-test-0123456789"


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen([HAZARD, "serve", *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def _children(process: subprocess.Popen) -> set[str]:
    """The service's own processes by name (hz-api-N, hz-followers)."""
    return {n for c in psutil.Process(process.pid).children(recursive=True) if (n := c.name()).startswith("hz-")}


def _stream_messages(url: str) -> int:
    async def count() -> int:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            return (await nc.jetstream().stream_info(STREAM)).state.messages
        except nats.js.errors.NotFoundError:
            return 0
        finally:
            await nc.close()
    return asyncio.run(count())


def _alarm_request(url: str, enterprise_id: str, message: dict) -> dict:
    async def ask() -> dict:
        nc = await nats.connect(url, max_reconnect_attempts=0)
        try:
            reply = await nc.request(subject_for(enterprise_id), orjson.dumps(message), timeout=30)
            return orjson.loads(reply.data)
        finally:
            await nc.close()
    return asyncio.run(ask())


def test_api_and_workers_processes_are_one_service(tmp_path, database_url, schema):
    with EmbeddedNats(tmp_path / "nats") as broker:
        env = {**serve_env(tmp_path / "var", database_url, schema, SECRET), "NATS_URL": broker.url}
        port = _free_port()
        workers = _start(["--role", "workers"], env, tmp_path / "workers.log")
        api = _start(["--role", "api", "--workers", "1", "--port", str(port)], env, tmp_path / "api.log")
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until(lambda: _ok(f"{url}/openapi.json") or api.poll() is not None, timeout=60)
            _wait_until(lambda: "following the log" in (tmp_path / "workers.log").read_text()
                        or workers.poll() is not None, timeout=60)
            assert api.poll() is None and workers.poll() is None, (tmp_path / "api.log").read_text()
            assert _children(api) == {"hz-api-1"} and _children(workers) == {"hz-followers"}
            assert "HazardLedger workers following the log (no HTTP)" in (tmp_path / "workers.log").read_text()

            token = run("token", "issue", "--role", "bureau", env=env).stdout.strip()
            headers = {"Authorization": f"Bearer {token}"}
            written = httpx.post(f"{url}/api/v1/enterprises", headers=headers, timeout=10, json={
                "credit_code": credit_code(), "name": "角色测试五金厂", "township": "330226001",
                "sector": "trade", "scale": "small_micro"})
            assert written.status_code == 201, written.text
            position = written.json()["position"]
            # the API process runs no view: ?after= waits for the workers process's followers
            read = httpx.get(f"{url}/api/v1/non-reporters", headers=headers, timeout=15,
                             params={"month": "2026-11", "after": position})
            assert read.status_code == 200 and "角色测试五金厂" in read.text
            _wait_until(lambda: _stream_messages(broker.url) >= position, timeout=30)  # the workers' relay
            # the API process answers smart-electricity alarms sent over NATS (no separate command)
            firm = written.json()["id"]
            device = run("token", "issue", "--role", "device", "--enterprise-id", firm, "--name", "配电箱 DB-01",
                         env=env).stdout.strip()
            answer = _alarm_request(broker.url, firm, {"token": device, "alarm": {
                "enterprise_id": firm, "device_id": "DB-01", "alarm_id": "R-1", "kind": "overload",
                "reading": 32, "occurred_at": "2026-06-10T09:00:00+08:00"}})
            assert answer["status"] == 201, answer
        finally:
            for process in (api, workers):
                process.send_signal(signal.SIGTERM)
            for process in (api, workers):
                process.wait(30)


def test_a_role_needs_the_shared_servers(tmp_path):
    env = serve_env(tmp_path / "var", "", "x", SECRET)
    env.pop("DATABASE_URL", None)
    done = run("serve", "--role", "api", env=env)
    assert done.returncode == 2 and "DATABASE_URL" in done.stderr and "NATS_URL" in done.stderr
