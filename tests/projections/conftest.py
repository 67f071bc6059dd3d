"""Read-model fixtures: views in a fresh schema, a small lifecycle, a simulated county-year.

`simulated` is one county-year at scale 0.01 (seed 4), simulated once per session into a
schema of its own; tests that read it put their views in their own fresh schema
(`LEDGER_POSTGRES_SCHEMA`, `ACTIVITY_POSTGRES_SCHEMA`), so they never disturb each other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import psycopg
import pytest
from psycopg import sql

from domain.actor import Role
from infra.postgres import event_store_env
from projections.operations import catch_up
from projections.readmodels import ReadModels
from services.application import HazardLedger
from services.simulate import simulate
from tests.conftest import POOL_SIZE, actor, credit_code, one_at_a_time

BUREAU, TOWNSHIP, REGULATOR = actor(Role.BUREAU), actor(Role.TOWNSHIP), actor(Role.REGULATOR)
AGENCY, OWNER = actor(Role.AGENCY), actor(Role.ENTERPRISE)


def views_in(env: dict[str, str], schema: str) -> dict[str, str]:
    """The same event store, with the views in another schema."""
    return {**env, "LEDGER_POSTGRES_SCHEMA": schema, "ACTIVITY_POSTGRES_SCHEMA": schema}


@pytest.fixture
def read_models(ledger: HazardLedger, store_env: dict[str, str]) -> Iterator[ReadModels]:
    rm = ReadModels(one_at_a_time(store_env))
    yield rm
    rm.close()


@pytest.fixture
def refresh(store_env: dict[str, str]):
    """Bring the views up to date with the store (what a runner does continuously)."""
    return lambda: catch_up(one_at_a_time(store_env))


@dataclass
class Simulated:
    env: dict[str, str]
    summary: dict
    seconds: float


@pytest.fixture(scope="session")
def simulated(database_url: str) -> Iterator[Simulated]:
    name = f"sim_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    env = event_store_env(database_url, schema=name, pool_size=POOL_SIZE)
    app = HazardLedger(env, clock=lambda: date(2025, 12, 31))
    started = time.monotonic()
    summary = simulate(app, seed=4, scale=0.01, year=2025)
    seconds = time.monotonic() - started
    app.close()
    yield Simulated(env, summary, seconds)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def sim_env(simulated: Simulated, schema: str) -> dict[str, str]:
    """The simulated store with this test's own (empty) views."""
    return views_in(simulated.env, schema)


class Scenario:
    """A few hazards with known dates at one enterprise (西店镇, chem), found by one agency."""

    def __init__(self, ledger: HazardLedger) -> None:
        self.app = ledger
        self.enterprise = ledger.register_enterprise(
            BUREAU, credit_code=credit_code(), name="宁海县某化工有限公司", township="330226011",
            sector="chem", scale="small_micro").id
        self.agency = ledger.register_agency(BUREAU, credit_code=credit_code(), name="宁海安评咨询有限公司").id
        self.expert = ledger.add_expert(AGENCY, self.agency, name="李工", certificate_no=f"C-{uuid.uuid4().hex[:6]}").id
        self.contract = ledger.propose_contract(BUREAU, enterprise_id=self.enterprise, agency_id=self.agency,
                                                service="monthly", start=date(2026, 1, 1),
                                                end=date(2026, 12, 31), fee=3600).id
        ledger.countersign_contract(AGENCY, self.contract)  # issue 10: in force once countersigned
        self.inspection = ledger.schedule_inspection(
            AGENCY, enterprise_id=self.enterprise, agency_id=self.agency, kind="monthly",
            basis_id=self.contract, scheduled_for=date(2026, 4, 10)).id
        ledger.perform_inspection(AGENCY, self.inspection, expert_ids=[self.expert],
                                  performed_on=date(2026, 4, 10))

    def hazard(self, found: date = date(2026, 4, 10), level: str = "general", **kw) -> str:
        return self.app.report_hazard(AGENCY, enterprise_id=self.enterprise, source="inspection",
                                      inspection_id=self.inspection, category="unsafe_condition",
                                      description="储罐区可燃气体报警器失效", level=level,
                                      discovered_on=found, **kw).id

    def hazard_position(self) -> int:
        """Report a hazard; answer its position in the store."""
        return self.app.report_hazard(AGENCY, enterprise_id=self.enterprise, source="inspection",
                                      inspection_id=self.inspection, category="unsafe_condition",
                                      description="消防通道堵塞", level="general",
                                      discovered_on=date(2026, 4, 10)).position

    def assign(self, h: str, on: date, deadline: date):
        return self.app.assign_responsibility(OWNER, h, responsible_person="王五", deadline=deadline,
                                              assigned_on=on)

    def rectify(self, h: str, on: date):
        return self.app.report_rectification(OWNER, h, evidence=["after.jpg"], cost="800.50",
                                             rectified_on=on)

    def review(self, h: str, on: date, passed: bool = True, who=TOWNSHIP):
        return self.app.review_rectification(who, h, passed=passed, reviewed_on=on)

    def close(self, h: str, on: date):
        return self.app.close_hazard(BUREAU, h, closed_on=on)

    def closed_general(self, found: date, deadline: date, rectified: date, closed: date) -> str:
        """A general hazard through its whole life (closed in `closed`'s month)."""
        h = self.hazard(found)
        self.assign(h, found, deadline)
        self.rectify(h, rectified)
        self.review(h, rectified)
        self.close(h, closed)
        return h


@pytest.fixture
def scenario(ledger: HazardLedger) -> Scenario:
    return Scenario(ledger)
