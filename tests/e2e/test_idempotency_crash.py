"""Issue 10 §4: a retry after a crash writes once. A real `hazard serve` on the test PostgreSQL is
killed with SIGKILL in the middle of a burst of keyed writes, started again, and every key is
retried: each key's write is in the store exactly once, and a retry of a write whose first answer
arrived gets that same answer back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
from psycopg import sql

from domain.hazard import Hazard
from infra.auth import Tokens
from infra.postgres import event_store_env
from services.application import HazardLedger
from tests.conftest import credit_code

HAZARD = str(Path(sys.executable).with_name("hazard"))
SECRET = "crash-test-secret-not-for-production-0123456789"
WRITERS = 32
KILL_AFTER = 6  # hazards stored before the SIGKILL: the burst is under way, far from done


@pytest.fixture
def serve_env(database_url: str, schema: str, tmp_path: Path) -> dict[str, str]:
    """`hazard serve` on the test PostgreSQL in this test's schema (with the suite's small pools,
    inherited from the environment), and an embedded NATS of its own (the shared server's
    stream belongs to the fan-out tests)."""
    env = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
    env.update(DATABASE_URL=database_url, HAZARD_DB_SCHEMA=schema, HAZARD_SECRET=SECRET,
               HAZARD_DATA_DIR=str(tmp_path / "var"))
    return env


def test_a_retry_after_sigkill_mid_burst_stores_each_write_once(serve_env, database_url, schema, tmp_path):
    log = tmp_path / "serve.log"
    server, url = _serve(serve_env, log)
    headers = {"Authorization": "Bearer " + Tokens(SECRET).issue(role="bureau", name="县应急管理局")}
    enterprise = httpx.post(f"{url}/api/v1/enterprises", headers=headers, timeout=30, json={
        "credit_code": credit_code(), "name": "重试测试企业", "township": "330226003",
        "sector": "trade", "scale": "individual"})
    assert enterprise.status_code == 201, enterprise.text
    bodies = {f"burst-{i:02d}": {"enterprise_id": enterprise.json()["id"], "source": "public_tip",
                                 "category": "unsafe_condition", "level": "general",
                                 "description": f"重试测试隐患 {i:02d}"} for i in range(WRITERS)}
    first: dict[str, httpx.Response] = {}

    def write(key: str) -> None:
        try:
            first[key] = httpx.post(f"{url}/api/v1/hazards", json=bodies[key], timeout=60,
                                    headers={**headers, "Idempotency-Key": key})
        except httpx.HTTPError:
            pass  # the server died under this request: the client never learnt what happened

    writers = [threading.Thread(target=write, args=(key,)) for key in bodies]
    for thread in writers:
        thread.start()
    _wait(lambda: _reported(database_url, schema) >= KILL_AFTER, server, log)
    _kill(server)
    for thread in writers:
        thread.join(70)
    stored_at_kill = _reported(database_url, schema)
    print(f"at the SIGKILL: {stored_at_kill} of {WRITERS} writes stored, {len(first)} answers received")
    assert 0 < stored_at_kill < WRITERS and len(first) < WRITERS, "not killed mid-burst"

    server, url = _serve(serve_env, log)  # a new process on the same database
    try:
        retried = {key: _retry(f"{url}/api/v1/hazards", {**headers, "Idempotency-Key": key}, body)
                   for key, body in bodies.items()}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    assert {key: r.status_code for key, r in retried.items()} == {key: 201 for key in bodies}
    counts = _descriptions(database_url, schema)
    assert {body["description"]: counts[body["description"]] for body in bodies.values()} == \
        {body["description"]: 1 for body in bodies.values()}
    for key, answer in first.items():
        if answer.status_code == 201:  # the client saw the first answer: the retry repeats it
            assert retried[key].json() == answer.json(), key


# --- helpers -------------------------------------------------------------------------------------
def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([HAZARD, "serve", "--port", str(port)], env=env,
                              stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait(lambda: _answers(url + "/openapi.json"), server, log)
    return server, url


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _kill(server: subprocess.Popen) -> None:
    """SIGKILL: no shutdown of any kind. Its embedded nats-server follows it (PDEATHSIG); wait
    for that too, so the restarted server finds its JetStream folder free."""
    children = psutil.Process(server.pid).children(recursive=True)
    server.send_signal(signal.SIGKILL)
    server.wait(10)
    psutil.wait_procs(children, timeout=15)


def _retry(url: str, headers: dict[str, str], body: dict) -> httpx.Response:
    """What a well-behaved client does: retry while the answer says to (409 with retry: true)."""
    deadline = time.monotonic() + 150
    while True:
        response = httpx.post(url, headers=headers, json=body, timeout=30)
        if response.status_code != 409 or not response.json().get("retry") or time.monotonic() > deadline:
            return response
        time.sleep(float(response.headers.get("retry-after", "1")))


def _wait(condition, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert server.poll() is None, f"hazard serve exited {server.returncode}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"timed out:\n{log.read_text()[-4000:]}"
        time.sleep(0.005)


def _reported(database_url: str, schema: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".hazardledger_events',)).fetchone()[0]
        if exists is None:
            return 0
        return conn.execute(sql.SQL("SELECT count(*) FROM {}.hazardledger_events WHERE topic LIKE %s")
                            .format(sql.Identifier(schema)), ("%Hazard.Reported",)).fetchone()[0]


def _descriptions(database_url: str, schema: str) -> Counter:
    """How many hazards the store holds per description, decoded by the application itself."""
    app = HazardLedger(event_store_env(database_url, schema=schema, pool_size=1))
    try:
        stored = app.recorder.select_notifications(start=1, limit=100_000)
        events = map(app.mapper.to_domain_event, stored)
        return Counter(e.description for e in events if isinstance(e, Hazard.Reported))
    finally:
        app.close()
