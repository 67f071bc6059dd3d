"""One simulated county-year for the dashboard's browser tests, simulated once per test run.

Simulating the county (and catching its views up) takes most of a dashboard module's time; ten
modules need the same county, and some of them write to it. So it is simulated once into a
database of its own (`simulated_template`), and each module serves a copy of that database
(`copied`: PostgreSQL's `CREATE DATABASE … TEMPLATE …`, a copy of the files, well under a second
at this size) which it may change freely and which is dropped after it.

A template cannot be copied while anyone is connected to it: everything that simulated into it
has closed its connections before it is yielded, and nobody connects to it afterwards.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

from projections.operations import catch_up
from services.application import HazardLedger
from services.simulate import simulate
from tests.conftest import one_at_a_time, polite_store_env

YEAR = 2025
SCALE = 0.005
SEED = 4
SCHEMA = "county"


def store_env(url: str) -> dict[str, str]:
    """The event store's env for a county database (its events and views in schema `county`)."""
    return polite_store_env(url, SCHEMA)


def _admin(database_url: str, statement: sql.Composable) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(statement)


@contextmanager
def simulated_template(database_url: str) -> Iterator[str]:
    """A database holding the simulated county-year (seed 4, scale 0.005) with every view caught
    up and no connection open to it; its URL. Dropped at the end."""
    name = f"hz_county_{uuid.uuid4().hex[:10]}"
    _admin(database_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(database_url, dbname=name)
    try:
        _admin(url, sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        env = store_env(url)
        simulator = HazardLedger(env, clock=lambda: date(YEAR, 12, 31))
        try:
            simulate(simulator, seed=SEED, scale=SCALE, year=YEAR)
        finally:
            simulator.close()
        catch_up(one_at_a_time(env))
        yield url
    finally:
        _drop(database_url, name)


@contextmanager
def copied(database_url: str, template_url: str) -> Iterator[str]:
    """A fresh copy of the template database, dropped at the end; its URL."""
    template = psycopg.conninfo.conninfo_to_dict(template_url)["dbname"]
    name = f"hz_county_{uuid.uuid4().hex[:10]}"
    statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
    for attempt in range(50):  # a pool closing in the background may hold the template a moment
        try:
            _admin(database_url, statement)
            break
        except errors.ObjectInUse:
            if attempt == 49:
                raise
            time.sleep(0.2)
    try:
        yield make_conninfo(database_url, dbname=name)
    finally:
        _drop(database_url, name)


def _drop(database_url: str, name: str) -> None:
    _admin(database_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
