"""Rebuild while serving (issue 12 §3): `hazard projections rebuild ledger` while `hazard serve`
follows the ledger and answers a steady write load over HTTP. The ledger and the rates answer
before, during (never emptier than before, never missing a write the read waited for) and after
(equal to the answer of a ledger built from zero)."""

from __future__ import annotations

import subprocess
import threading
import uuid
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest
from fastapi.encoders import jsonable_encoder
from psycopg import sql

from infra.auth import Tokens
from projections import reports
from projections.operations import catch_up
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page
from projections.readmodels import ReadModels
from services.api.json import JSON
from tests.conftest import credit_code, one_at_a_time, polite_store_env
from tests.e2e.serving import serve_env, serving
from tests.e2e.test_cli import HAZARD, _wait_until, run

SECRET = "rebuild-while-serving-secret-0123456789"
API = "/api/v1"


@pytest.fixture
def served_env(tmp_path: Path, database_url: str, schema: str) -> dict[str, str]:
    env = serve_env(tmp_path / "var", database_url, schema, SECRET)
    seeded = run("simulate", "--scale", "0.002", "--threads", "1", env=env, timeout=120)  # ~640 events
    assert seeded.returncode == 0, seeded.stderr
    # pools that open their connection on first use (0 kept open, 1 at most): views this test
    # never reads hold none, which keeps the suite within its 20 PostgreSQL connections
    return {**env, "HAZARD_DB_POOL_SIZE": "0"}


class Load:
    """A steady write load (hazards reported one after another over HTTP) and a reader beside
    it that notes every ledger and rates answer with the phase of the rebuild it was read in."""

    def __init__(self, url: str, headers: dict[str, str], enterprise: str) -> None:
        self.url, self.headers, self.enterprise = url, headers, enterprise
        self.written: list[int] = []   # positions of the hazards written, in order
        self.phase = "before"
        self.reads: list[dict] = []
        self.stopping = threading.Event()
        self._threads = [threading.Thread(target=self._write, daemon=True),
                         threading.Thread(target=self._read, daemon=True)]

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> int:
        self.stopping.set()
        for thread in self._threads:
            thread.join(30)
        return self.written[-1]

    def _write(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as client:
            while not self.stopping.is_set():
                answer = client.post(f"{API}/hazards", json={
                    "enterprise_id": self.enterprise, "source": "government_check",
                    "category": "unsafe_condition", "description": "配电箱未接地", "level": "general",
                    "discovered_on": "2026-05-01"})
                assert answer.status_code == 201, answer.text
                self.written.append(answer.json()["position"])

    def _read(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=30) as client:
            while not self.stopping.is_set():
                written = list(self.written)
                after, phase = (written[-1] if written else 0), self.phase
                ledger = client.get(f"{API}/ledger", params={"after": after, "page_size": 1})
                rates = client.get(f"{API}/rates", params={"after": after, "by": "county", "period": "year"})
                self.reads.append({"phase": phase, "written": len(written), "status": (
                    ledger.status_code, rates.status_code), "hazards": ledger.json().get("total"),
                    "found": rates.json().get("total", {}).get("found")})


def _get(url: str, headers: dict[str, str], path: str, **params) -> dict:
    answer = httpx.get(f"{url}{API}{path}", params=params, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_rebuild_while_serving_under_a_steady_write_load(served_env, database_url, schema, tmp_path):
    bureau = {"Authorization": f"Bearer {Tokens(SECRET).issue(role='bureau', name='县应急管理局')}"}
    with serving(served_env, tmp_path / "serve.log") as url:
        enterprise = httpx.post(f"{url}{API}/enterprises", headers=bureau, timeout=30, json={
            "credit_code": credit_code(), "name": "跃龙某五金厂", "township": "330226001", "sector": "trade",
            "scale": "small_micro"}).json()
        before = {"hazards": _get(url, bureau, "/ledger", after=enterprise["position"], page_size=1)["total"],
                  "found": _get(url, bureau, "/rates", by="county", period="year")["total"]["found"]}
        assert before["hazards"] > 0
        load = Load(url, bureau, enterprise["id"]).start()
        try:
            lines, progress = _rebuild_ledger(served_env, load, tmp_path / "rebuild.err")
            _wait_until(lambda: sum(r["phase"] == "switched" for r in load.reads) >= 3)  # reads after it
        finally:
            last = load.stop()
        ledger = _get(url, bureau, "/ledger", after=last, page_size=1000)
        rates = _get(url, bureau, "/rates", after=last, by="county", period="year")

    out = "".join(lines)
    assert "正由另一个进程（hazard serve）跟随" in out and "已重建（新一代）：ledger @" in out, out
    assert "新一代" in progress and "100.0%" in progress, progress
    assert {r["phase"] for r in load.reads} >= {"building", "switched"}, load.reads
    assert all(r["status"] == (200, 200) for r in load.reads), load.reads
    # never emptier than before, never without a write the read waited for, never backwards
    for figure in ("hazards", "found"):
        assert all(r[figure] >= before[figure] + r["written"] for r in load.reads), load.reads
        seen = [r[figure] for r in load.reads]
        assert seen == sorted(seen), seen
    assert ledger["total"] == before["hazards"] + len(load.written)
    assert (ledger, rates) == _fresh_answers(served_env, database_url, schema)


def _rebuild_ledger(env: dict[str, str], load: Load, errors: Path) -> tuple[list[str], str]:
    """`hazard projections rebuild ledger` (small batches: the build lasts a while); its lines
    tell the reads which phase they are in. Its output lines and its progress (stderr)."""
    with errors.open("w") as err:
        rebuild = subprocess.Popen([HAZARD, "projections", "rebuild", "ledger", "--batch", "5"], env=env,
                                   stdout=subprocess.PIPE, stderr=err, text=True)
    lines = []
    for line in rebuild.stdout:
        lines.append(line)
        load.phase = "switched" if "已原子切换" in line else "building" if "构建新一代" in line else load.phase
    assert rebuild.wait(120) == 0, "".join(lines) + errors.read_text()
    return lines, errors.read_text()


def _fresh_answers(env: dict[str, str], database_url: str, schema: str) -> tuple[dict, dict]:
    """The same reads from a ledger built from zero in a schema of its own, as the API encodes them."""
    clean = f"fresh_{uuid.uuid4().hex[:8]}"
    store = one_at_a_time({**polite_store_env(database_url, schema), "LEDGER_POSTGRES_SCHEMA": clean})
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(clean)))
    try:
        catch_up(store, ["ledger"])
        read_models = ReadModels(store, pool_size=1)
        try:
            answers = (reports.ledger(read_models, Moment(), Filters(), Page(1, 1000)),
                       reports.rates(read_models, Moment(), Filters(), "county", "year"))
        finally:
            read_models.close()
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(clean)))
    return tuple(orjson.loads(JSON(jsonable_encoder(answer)).body) for answer in answers)
