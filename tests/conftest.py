"""Shared fixtures: a real PostgreSQL (DATABASE_URL, or an embedded one), a fresh schema per test.

With CI=true the servers must be there: a missing one fails the run, it is never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain.actor import Actor, Role
from domain.credit_code import make
from infra.postgres import Database, event_store_env
from infra.settings import Settings
from services.application import HazardLedger

TODAY = date(2026, 6, 30)  # the tests' fixed "today" (Asia/Shanghai business date)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The PostgreSQL server the tests use: DATABASE_URL, else an embedded pgserver."""
    url = os.environ.get("DATABASE_URL")
    if url:
        with psycopg.connect(url, connect_timeout=5) as conn:  # fails loudly if it is not there
            conn.execute("SELECT 1")
        yield url
        return
    data_dir = tmp_path_factory.mktemp("embedded")
    with Database(Settings.from_env({"HAZARD_DATA_DIR": str(data_dir)})) as db:
        yield db.conninfo


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
    return event_store_env(database_url, schema=schema, pool_size=25)


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
