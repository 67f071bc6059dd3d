"""Several `api` processes on one PostgreSQL and one NATS behave as one service (issue 18 §1, §4):
three `hazard serve --role api` replicas on their own ports, as
docker-compose.yml runs them, with Debian's nginx in front of them on the repository's
deploy/nginx.conf (only its `server` lines rewritten to the replicas' loopback ports).

- twenty concurrent writers spread over the three replicas on one record: the losers get 409
  `optimistic-concurrency`, retry, and nothing is lost or doubled;
- `?after=` read-your-writes holds on every replica, whichever replica wrote;
- a token revoked (by the CLI, a fourth process) is refused at once by every replica;
- through nginx: requests reach every replica, and the event stream (server-sent events) passes
  through unbuffered.

The `?after=` reads need the views followed. A `--role workers` process (views, relay, audit
chain, reminders: eleven connections) beside three replicas (up to three each) would take the
suite to its PostgreSQL budget of 20 exactly, so here the read-your-writes test runs the
`activity` view's follower alone (`hazard projections run activity`, three connections) for
its duration; the workers role with `?after=` is tested in test_serve_roles.py.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from infra.nats import EmbeddedNats
from tests.conftest import credit_code
from tests.e2e.serving import serve_env
from tests.e2e.test_cli import HAZARD, _free_port, _ok, _wait_until, run

ROOT = Path(__file__).resolve().parents[2]
SECRET = "replicas-secret-0123456789-abcdefghij"
API = "/api/v1"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class Service:
    def __init__(self, env: dict[str, str], replicas: list[str], proxy: str | None, tmp: Path) -> None:
        self.env, self.replicas, self.proxy, self.tmp = env, replicas, proxy, tmp

    @contextmanager
    def views(self) -> Iterator[None]:
        """`hazard projections run activity` (what the self-reports' reads wait on) while the block runs."""
        log = self.tmp / "views.log"
        with log.open("w") as out:
            process = subprocess.Popen([HAZARD, "projections", "run", "activity"], env=self.env, stdout=out,
                                       stderr=subprocess.STDOUT)
        try:
            _wait_until(lambda: "following" in log.read_text() or process.poll() is not None, 90)
            assert process.poll() is None, log.read_text()
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def headers(self, role: str = "bureau", *scope: str) -> dict[str, str]:
        issued = run("token", "issue", "--role", role, *scope, "--name", "副本测试", env=self.env)
        assert issued.returncode == 0, issued.stderr
        return {"Authorization": f"Bearer {issued.stdout.strip()}"}


def _nginx_conf(tmp: Path, ports: list[int], listen: int) -> Path:
    """deploy/nginx.conf with the upstream's servers at the local replicas and a free port."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in ports)
    text, n = re.subn(r"(        server api-\d:8000[^\n]*\n)+", servers, text)
    assert n == 1, "deploy/nginx.conf: the upstream's server lines were not found"
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    text = text.replace("/tmp/hazard-nginx", str(tmp / "nginx"))
    conf = tmp / "nginx.conf"
    conf.write_text(text)
    return conf


@pytest.fixture(scope="module")
def service(tmp_path_factory, database_url) -> Iterator[Service]:
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing (scripts/ensure_chromium.sh installs Debian's nginx-light)")
        pytest.skip("nginx is missing: run scripts/ensure_chromium.sh")
    tmp = tmp_path_factory.mktemp("replicas")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    processes: list[subprocess.Popen] = []
    try:
        with EmbeddedNats(tmp / "nats") as broker:
            env = {**serve_env(tmp / "var", database_url, schema, SECRET), "NATS_URL": broker.url,
                   "HAZARD_DB_POOL_SIZE": "0"}  # pools open on first use: the suite's connection budget
            ports = [_free_port() for _ in range(3)]

            def start(name: str, *args: str) -> subprocess.Popen:
                with (tmp / f"{name}.log").open("w") as out:
                    processes.append(subprocess.Popen([HAZARD, "serve", *args], env=env, stdout=out,
                                                      stderr=subprocess.STDOUT))
                return processes[-1]

            for n, port in enumerate(ports):
                start(f"api-{n + 1}", "--role", "api", "--workers", "1", "--port", str(port))
            replicas = [f"http://127.0.0.1:{p}" for p in ports]
            for url in replicas:
                _wait_until(lambda: _ok(f"{url}/openapi.json") or any(p.poll() is not None for p in processes), 90)
            assert all(p.poll() is None for p in processes), (tmp / "api-1.log").read_text()
            listen = _free_port()
            conf = _nginx_conf(tmp, ports, listen)
            (tmp / "nginx").mkdir()
            with (tmp / "nginx.log").open("w") as out:
                processes.append(subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
                                                  stdout=out, stderr=subprocess.STDOUT))
            proxy = f"http://127.0.0.1:{listen}"
            _wait_until(lambda: _ok(f"{proxy}/openapi.json") or processes[-1].poll() is not None, 30)
            assert processes[-1].poll() is None, (tmp / "nginx.log").read_text()
            yield Service(env, replicas, proxy, tmp)
    finally:
        for p in reversed(processes):
            p.send_signal(signal.SIGTERM)
        for p in reversed(processes):
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def test_twenty_writers_over_three_replicas_lose_nothing_and_double_nothing(service):
    bureau = service.headers()
    agency = httpx.post(service.replicas[0] + API + "/agencies", headers=bureau, timeout=30,
                        json={"credit_code": credit_code(), "name": "三副本并发咨询"}).json()["id"]
    gate, conflicts, answers = threading.Barrier(20), [], []

    def writer(n: int) -> None:
        replica = service.replicas[n % 3]
        with httpx.Client(base_url=replica + API, headers=bureau, timeout=60) as http:
            gate.wait()
            while True:
                r = http.post(f"/agencies/{agency}/experts", json={"name": f"专家{n}", "certificate_no": f"R{n}"})
                if r.status_code == 409:
                    assert r.json()["rule"] == "optimistic-concurrency" and r.json()["retry"] is True
                    conflicts.append(n)
                    continue
                assert r.status_code == 201, r.text
                answers.append(r.json()["position"])
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    for replica in service.replicas:
        state = httpx.get(replica + API + f"/agencies/{agency}", headers=bureau, timeout=30).json()
        assert sorted(e["certificate_no"] for e in state["experts"].values()) == sorted(f"R{n}" for n in range(20))
        assert state["version"] == 21
    assert len(set(answers)) == 20 and conflicts, "the writers never collided across processes"


def test_read_your_writes_on_every_replica(service):
    bureau = service.headers()  # before the views' follower starts: the CLI's connection, then its
    with service.views():
        _read_your_writes(service, bureau)


def _read_your_writes(service: Service, bureau: dict[str, str]) -> None:
    for n, writer in enumerate(service.replicas):
        name = f"副本{n}读写五金厂"
        written = httpx.post(writer + API + "/enterprises", headers=bureau, timeout=30, json={
            "credit_code": credit_code(), "name": name, "township": "330226001", "sector": "trade",
            "scale": "small_micro"})
        assert written.status_code == 201, written.text
        for reader in service.replicas:
            read = httpx.get(reader + API + "/non-reporters", headers=bureau, timeout=30,
                             params={"month": "2026-11", "after": written.json()["position"]})
            assert read.status_code == 200 and name in read.text, (writer, reader)


def test_a_revoked_token_is_refused_by_every_replica_at_once(service):
    token = service.headers("township", "--township", "330226001")["Authorization"].split()[1]
    for replica in service.replicas:
        assert httpx.get(replica + API + "/todo", headers={"Authorization": f"Bearer {token}"},
                         timeout=30).status_code == 200
    revoked = run("token", "revoke", token, "--reason", "离职", env=service.env)
    assert revoked.returncode == 0, revoked.stderr
    for replica in service.replicas:
        refused = httpx.get(replica + API + "/todo", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert refused.status_code == 401, (replica, refused.text)


def test_nginx_spreads_requests_over_the_replicas_and_passes_the_event_stream(service):
    # the event stream reads the log itself: no follower needed
    bureau = service.headers()
    with httpx.Client(base_url=service.proxy + API, headers=bureau, timeout=30) as http:
        for _ in range(30):
            assert http.get("/townships").status_code == 200
        with http.stream("GET", "/events/stream", headers={"Accept": "text/event-stream"}) as stream:
            written = http.post("/enterprises", json={
                "credit_code": credit_code(), "name": "代理流测试厂", "township": "330226001",
                "sector": "trade", "scale": "small_micro"})
            assert written.status_code == 201, written.text
            seen = ""
            for chunk in stream.iter_text():  # arrives while the stream stays open: not buffered
                seen += chunk
                if "代理流测试厂" in seen:
                    break
            assert "代理流测试厂" in seen, "the event stream did not pass through nginx"
    access = (service.tmp / "nginx.log").read_text()
    used = {port for port in re.findall(r"127\.0\.0\.1:(\d+) ", access)}
    assert {url.rsplit(":", 1)[1] for url in service.replicas} <= used, access[-2000:]
