"""Shared fixtures: a real PostgreSQL (DATABASE_URL, or an embedded one), a fresh schema per test.

With CI=true the servers must be there: a missing one fails the run, it is never skipped.

The suite shares the server politely (see `tests.pg_budget`): every connection it opens, in
this process and in the subprocesses it starts (which inherit the environment set here), carries
the application name PGAPPNAME, and the session fails if more than 20 were open at once.
Pools are small: `POOL_SIZE` connection per application, `OVERFLOW` more under load.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain.actor import Actor, Role
from domain.credit_code import make
from infra.postgres import Database, event_store_env
from infra.settings import Settings
from projections.readmodels import ReadModels
from projections.runners import PROJECTIONS
from services.application import HazardLedger
from tests import pg_budget

TODAY = date(2026, 6, 30)  # the tests' fixed "today" (Asia/Shanghai business date)

POOL_SIZE = 1  # connections per event-store pool in tests (HAZARD_DB_POOL_SIZE of subprocesses too)
OVERFLOW = 3  # more under load in this process (a relay holds one to LISTEN); more writers queue
APP_NAME = pg_budget.application_name()
# inherited by every libpq connection of this process and of the subprocesses it starts
# (`hazard serve`, the CLI, relays, projection workers) that copy os.environ; a `hazard serve`
# on the suite's PostgreSQL answers from one API process (each holds its own pools), beside its
# followers process — tests/e2e/test_serve_processes.py runs two, on an embedded PostgreSQL
POLITE_ENV = {"PGAPPNAME": APP_NAME, "HAZARD_DB_POOL_SIZE": str(POOL_SIZE), "HAZARD_API_WORKERS": "1",
              # the suite's commits do not wait for the WAL to reach the disk (about an eighth of
              # the suite's time): what they test is what other sessions see, which is unchanged;
              # only durability across a crash of PostgreSQL itself, which no test causes, differs
              "PGOPTIONS": " ".join(filter(None, [os.environ.get("PGOPTIONS", ""),
                                                  "-c synchronous_commit=off"]))}
os.environ.update(POLITE_ENV)
_monitor: pg_budget.ConnectionMonitor | None = None


def _overflow(env: dict[str, str], store: int, views: int) -> dict[str, str]:
    """`env` with these overflows for the event store's pool and each view's (`LEDGER_…` keys)."""
    return {**env, "POSTGRES_MAX_OVERFLOW": str(store),
            **{f"{name.upper()}_POSTGRES_MAX_OVERFLOW": str(views) for name in PROJECTIONS}}


def polite_store_env(database_url: str, schema: str) -> dict[str, str]:
    """The event store's env for tests: one connection per pool, `OVERFLOW` more for the
    application under load and one more for each view the API reads."""
    return _overflow(event_store_env(database_url, schema=schema, pool_size=POOL_SIZE), OVERFLOW, 1)


def one_at_a_time(env: dict[str, str]) -> dict[str, str]:
    """An env for pools that one thread uses at a time: no overflow connection (a pool opened
    and used at once grows by one while its first connection is being made)."""
    return _overflow(env, 0, 0)


_running = {"test": "(no test)"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The PostgreSQL server the tests use: DATABASE_URL, else an embedded pgserver."""
    url = os.environ.get("DATABASE_URL")
    if url:
        with psycopg.connect(url, connect_timeout=5) as conn:  # fails loudly if it is not there
            conn.execute("SELECT 1")
        with _monitoring(url):
            yield url
        return
    data_dir = tmp_path_factory.mktemp("embedded")
    with Database(Settings.from_env({"HAZARD_DATA_DIR": str(data_dir)})) as db, _monitoring(db.conninfo):
        yield db.conninfo


@contextmanager
def _monitoring(conninfo: str) -> Iterator[None]:
    """Sample the suite's connections from the first test that uses PostgreSQL to the end."""
    global _monitor
    _monitor = pg_budget.ConnectionMonitor(conninfo, APP_NAME, current_test=_running["test"]).start()
    try:
        yield
    finally:
        _monitor.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _set_running(item.nodeid)
    try:
        return (yield)
    finally:
        _set_running("(between tests)")


def _set_running(test: str) -> None:
    _running["test"] = test
    if _monitor is not None:
        _monitor.current_test = test


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """More than the budget fails the run, even when every test passed."""
    if _monitor is not None and _monitor.verdict() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _monitor is None:
        return
    problem = _monitor.verdict()
    terminalreporter.section("PostgreSQL connection budget", red=bool(problem), green=not problem)
    for line in _monitor.report():
        terminalreporter.write_line(line)
    if problem:
        terminalreporter.write_line(f"FAILED: {problem}", red=True, bold=True)


@pytest.fixture
def schema(database_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def store_env(database_url: str, schema: str) -> dict[str, str]:
    return polite_store_env(database_url, schema)


@pytest.fixture(autouse=True)
def _close_lazy_read_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An app given no read models opens its own beside its ledger on first use and keeps
    them open (a server does, for its life); in tests they are closed with the test, or their
    pools would hold connections until the garbage collector came by."""
    opened: list[ReadModels] = []
    beside = ReadModels.beside.__func__

    def recorded(cls, application, **kwargs):
        opened.append(beside(cls, application, **kwargs))
        return opened[-1]

    monkeypatch.setattr(ReadModels, "beside", classmethod(recorded))
    yield
    for read_models in opened:
        read_models.close()


@pytest.fixture
def ledger(store_env: dict[str, str]) -> Iterator[HazardLedger]:
    app = HazardLedger(store_env, clock=lambda: TODAY)
    yield app
    app.close()


def actor(role: Role | str, name: str | None = None) -> Actor:
    role = Role(role)
    return Actor(id=f"{role}-1", role=role, name=name or f"{role} 测试")


_codes = iter(range(10**6))


def credit_code() -> str:
    """A fresh valid unified social credit code."""
    return make(f"91330226MA{next(_codes):07d}")


def stored_count(ledger: HazardLedger) -> int:
    """How many events the store holds (positions may have gaps: a refused insert uses one up)."""
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        curs.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(datastore.schema), sql.Identifier(ledger.recorder.events_table_name)))
        return curs.fetchone()["count"]


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"
