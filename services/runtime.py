"""The composition root: every `hazard` command gets the store, the NATS broker and the county's
policies here.

- `Config`: the settings (read from the environment once) and the county's files — reference
  data, the 三不放过 policy, the oversight limits, the contracts' back-dating limit — each read
  once, on first use, then passed in. It pickles with what it has read, so `hazard serve` hands
  it to its processes as read (`loaded()` first).
- `running(config)`: `Database` → `HazardLedger` (→ `Tokens` on first use), started and
  stopped together.
- `followers(config, nats_address)`: what follows the store — the views, the relay to JetStream
  and the audit chain keeper (`hazard serve` runs them in a process of their own, beside the
  API's processes: `services/cli/serve.py`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import Any

from domain.contracts import ContractPolicy
from domain.electricity import ElectricityPolicy
from domain.self_report import SelfReportPolicy
from domain.working_days import WorkingCalendar
from infra.auth import Tokens
from infra.audit_chain import AuditChain
from infra.calendar import load_calendar, load_min_working_days
from infra.chain_keeper import ChainKeeper
from infra.criteria import Catalogue, Checklists, load_checklists, load_criteria
from infra.files import FileStore, PostgresFileStore
from infra.leadership import Duty, Leadership
from infra.nats import Broker, following, locate
from infra.postgres import Database
from infra.reference import ReferenceData
from infra.electricity_policy import load_electricity_policy
from infra.self_report_policy import load_self_report_policy
from infra.relay import open_reader, running_relay
from infra.settings import Settings
from domain.reminders import ReminderPolicy  # reminders (issue 14 §5)
from infra.deliveries import RetryPolicy
from infra.reminder_policy import load_reminder_policy, load_webhook_retries
from infra.webhooks import networks
from projections.compliance import DEFAULT_POLICY, Policy
from projections.locks import ViewLock, connect as lock_connection
from projections.operations import supervised as supervised_views
from projections.runners import names as view_names
from projections.oversight_policy import OversightPolicy, contract_policy
from projections.readmodels import ReadModels
from services.application import HazardLedger
from services.reminders import running_reminders
from infra.event_webhooks import running_event_webhooks  # integrators' webhooks (issue 16 §4)


class Config:
    """Settings and the county's files, each read once (on first use)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings.from_env()

    @cached_property
    def reference(self) -> ReferenceData:
        return ReferenceData.load(self.settings.county_file)

    @cached_property
    def policy(self) -> Policy:
        """三不放过 time limits (HAZARD_POLICY_FILE, else Ninghai's)."""
        return Policy.load(self.settings.policy_file)

    @cached_property
    def oversight(self) -> OversightPolicy:
        """The agencies' accountability limits and the coverage goal (same file)."""
        return OversightPolicy.load(self.settings.policy_file)

    @cached_property
    def contracts(self) -> ContractPolicy:
        """The back-dating limit of service contracts (same file, issue 10)."""
        return contract_policy(self.settings.policy_file)

    @cached_property
    def self_reports(self) -> SelfReportPolicy:
        """The grace day of enterprises' monthly self-reports (same file, section `self_reports`)."""
        return load_self_report_policy(self.settings.policy_file or DEFAULT_POLICY)

    @cached_property
    def electricity(self) -> ElectricityPolicy:
        """Alarms that raise a hazard (same file, section `electricity`; issue 15 §4)."""
        return load_electricity_policy(self.settings.policy_file or DEFAULT_POLICY)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """Public holidays and make-up working days (HAZARD_CALENDAR_FILE, by default
        infra/data/calendar_cn.json; issue 14)."""
        return load_calendar(self.settings.calendar_file)

    @cached_property
    def extension_notice(self) -> int:
        """Working days an extension request is due before the deadline (policy file, section
        `extensions.min_working_days`, default 15; issue 14)."""
        return load_min_working_days(self.settings.policy_file or DEFAULT_POLICY)

    @cached_property
    def criteria(self) -> Catalogue:
        """Criteria for major hazards (HAZARD_CRITERIA_DIR), checked against the sectors (issue 13)."""
        return load_criteria(self.settings.criteria_dir, sectors=self.reference.sectors)

    @cached_property
    def checklists(self) -> Checklists:
        """Checklist templates (HAZARD_CHECKLISTS_DIR), their items' criteria checked."""
        return load_checklists(self.settings.checklists_dir, catalogue=self.criteria,
                               sectors=self.reference.sectors)

    # --- reminders (issue 14 §5, docs/reminders.md) ------------------------------------------
    @cached_property
    def reminder_policy(self) -> ReminderPolicy:
        """Reminder limits (policy file, section `reminders`)."""
        return load_reminder_policy(self.settings.policy_file or DEFAULT_POLICY)

    @cached_property
    def webhook_retries(self) -> RetryPolicy:
        """Webhook attempts and back-off (policy file, `reminders.webhook`)."""
        return load_webhook_retries(self.settings.policy_file or DEFAULT_POLICY)

    @cached_property
    def webhook_allow(self) -> tuple:
        """The networks a webhook URL may resolve into (HAZARD_WEBHOOK_ALLOW)."""
        return networks(self.settings.webhook_allow)

    def loaded(self) -> Config:
        """Every file read now (before handing the config to other processes)."""
        _ = (self.reference, self.policy, self.oversight, self.contracts, self.self_reports,
             self.electricity,
             self.calendar, self.extension_notice, self.criteria, self.checklists,
             self.reminder_policy, self.webhook_retries, self.webhook_allow)
        return self

    def replace(self, **settings: Any) -> Config:
        """The same files, other settings (e.g. the embedded server's address for the children)."""
        other = Config(dataclasses.replace(self.settings, **settings))
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k != "settings"})
        return other

    def file_store(self, ledger: HazardLedger) -> FileStore:
        """The evidence files' engine (HAZARD_FILE_STORE, docs/files.md): PostgreSQL beside the
        events, or an S3-compatible bucket for the bytes (the facts stay in PostgreSQL)."""
        settings = self.settings
        if settings.file_store == "s3":
            from infra.files.s3 import S3FileStore, S3Target  # boto3: the optional extra [s3]
            return S3FileStore(ledger.recorder.datastore, S3Target.of(settings), limit=settings.file_max_bytes)
        return PostgresFileStore(ledger.recorder.datastore, limit=settings.file_max_bytes)

    def database(self) -> Database:
        """The event store's PostgreSQL, a context manager: DATABASE_URL, or an embedded server."""
        return Database(self.settings)

    def tokens(self) -> Tokens:
        """The token keys (generated and kept in the data folder unless HAZARD_SECRET is set)."""
        return Tokens.from_settings(self.settings)

    def broker(self) -> Broker:
        """NATS for the fan-out, as a context manager: NATS_URL, or an embedded server."""
        return Broker(self.settings)

    def nats_url(self) -> str:
        """The NATS a client command uses: NATS_URL, or the embedded server of a running
        `hazard serve` on the same data folder (NatsUnavailable if there is none)."""
        return locate(self.settings)

    def nats_address(self) -> Callable[[], str]:
        """The address of the NATS another process of this service keeps (`infra.nats.following`),
        for the relay of `hazard serve`'s followers process."""
        return following(self.settings)


def config_of(source: Config | Settings | None) -> Config:
    return source if isinstance(source, Config) else Config(source)


@dataclass
class Runtime:
    config: Config
    database: Database
    ledger: HazardLedger

    @cached_property
    def tokens(self) -> Tokens:
        return self.config.tokens()

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def env(self) -> dict[str, str]:
        """The event store's `eventsourcing` settings."""
        return self.database.env()

    def open_read_models(self) -> ReadModels:
        """The views for reading, with the county's reference data and policy (close them)."""
        return ReadModels(self.env, reference=self.config.reference, policy=self.config.policy,
                          criteria=self.config.criteria)


@contextmanager
def running(source: Config | Settings | None = None, *,
            clock: Callable[[], date] | None = None) -> Iterator[Runtime]:
    """The store (embedded PostgreSQL unless DATABASE_URL is set) and the application on it;
    `clock` sets the application's "today" (the simulator's year end)."""
    config = config_of(source)
    with config.database() as database:
        ledger = HazardLedger(database.env(), reference=config.reference,
                              **({"clock": clock} if clock else {}))
        ledger.contract_policy = config.contracts  # back-dating limit (issue 10)
        ledger.self_report_policy = config.self_reports  # self-reports' grace day (issue 13)
        ledger.electricity_policy = config.electricity  # alarms that raise a hazard (issue 15 §4)
        ledger.working_calendar = config.calendar  # working days for extension requests (issue 14)
        ledger.extension_working_days = config.extension_notice
        ledger.file_store = config.file_store(ledger)  # CLI, simulate, audit verify and serve alike
        ledger.webhook_allow = config.webhook_allow  # where webhook URLs may point (issue 14 §5)
        try:
            yield Runtime(config, database, ledger)
        finally:
            ledger.close()


@contextmanager
def followers(source: Config | Settings | None, nats_address: str | Callable[[], str]) -> Iterator[Leadership]:
    """What follows the store: the projections (read models), the relay to JetStream (it
    follows `nats_address`), the audit chain keeper and the reminders. They read the log, never
    command: the store is opened without the application, and the relay, the chain keeper and the
    reminders share one reader of the log (its pool: one connection LISTENs, one reads and
    tracks, one more at a peak), opened when the first of them starts. The reminder follower
    (issue 14 §5, `services/reminders.py`) sends on one connection of its own; the integrators'
    event webhooks (issue 16 §4, `infra/event_webhooks.py`) share that reader and that connection.
    Each follower runs in one process at a time (issue 18 §2, `infra/leadership.py`): a second
    process on the same store stands by and takes over what the first stops leading."""
    config = config_of(source)
    with config.database() as database:
        env = database.env()
        shared = SharedReader(env)
        with closing(shared), Leadership(lambda: lock_connection(env),
                                         _duties(config, env, shared, nats_address)) as leadership:
            yield leadership


class SharedReader:
    """The followers' one reader of the log and the audit chain on it, opened on first use (a
    standby opens nothing until it leads)."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env, self._reader = env, None
        self._guard = threading.Lock()

    @property
    def reader(self):  # -> LogReader
        with self._guard:
            if self._reader is None:
                self._reader = open_reader(self._env)
            return self._reader

    @cached_property
    def chain(self) -> AuditChain:
        return AuditChain(self.reader)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()


def _duties(config: Config, env: dict[str, str], shared: SharedReader,
            nats_address: str | Callable[[], str]) -> list[Duty]:
    """The followers, each with the advisory lock that elects its leader (the views' locks are
    the ones `hazard projections rebuild` looks for: `projections.locks.ViewLock`)."""
    def lock(name: str) -> str:
        return ViewLock(env, name).key

    def relay() -> Any:
        return running_relay(shared.reader, nats_address, chain_head=shared.chain.head,
                             replicas=config.settings.nats_replicas)  # JetStream copies (issue 18 §3)

    @contextmanager
    def reminders() -> Iterator[None]:
        with running_reminders(config, env, shared.reader, nats_address) as running, \
                running_event_webhooks(running.store.datastore, shared.reader, config.webhook_allow,
                                       config.webhook_retries):  # issue 16 §4: its connection, shared
            yield

    views = [Duty(f"view {name}", lock(name), partial(supervised_views, env, [name]))
             for name in view_names()]
    return [*views, Duty("relay", lock("relay"), relay),
            Duty("audit chain", lock("audit-chain"), lambda: ChainKeeper(shared.chain)),
            Duty("reminders", lock("reminders"), reminders)]

