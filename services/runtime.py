"""The composition root: settings → database → application → tokens, started and stopped together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from infra.auth import Tokens
from infra.chain_keeper import ChainKeeper
from infra.nats import Broker
from infra.relay import running_relay
from projections.compliance import Policy
from projections.operations import running_projections
from projections.oversight_policy import contract_policy
from projections.readmodels import ReadModels
from infra.postgres import Database
from infra.reference import ReferenceData
from infra.settings import Settings
from services.application import HazardLedger


@dataclass
class Runtime:
    settings: Settings
    database: Database
    ledger: HazardLedger
    tokens: Tokens
    read_models: ReadModels | None = None  # set while `background_work` runs the projections


@contextmanager
def background_work(rt: Runtime) -> Iterator[None]:
    """What `hazard serve` runs beside the API: the projections (read models), NATS (embedded
    unless NATS_URL is set; started again if it dies, see `infra.nats.Supervisor`), the relay
    to JetStream (it follows the broker's address), and the audit chain keeper."""
    chain = rt.ledger.audit_chain()
    policy = Policy.load(rt.settings.policy_file)
    with running_projections(rt.database.env(), reference=rt.ledger.reference, policy=policy) as read_models, \
            Broker(rt.settings) as broker, running_relay(rt.ledger, broker.address, chain_head=chain.head), \
            ChainKeeper(chain):
        rt.read_models = read_models
        try:
            yield
        finally:
            rt.read_models = None


@contextmanager
def running(settings: Settings) -> Iterator[Runtime]:
    with Database(settings) as database:
        ledger = HazardLedger(database.env(), reference=ReferenceData.load(settings.county_file))
        ledger.contract_policy = contract_policy(settings.policy_file)  # back-dating limit (issue 10)
        try:
            yield Runtime(settings, database, ledger, Tokens.from_settings(settings))
        finally:
            ledger.close()
