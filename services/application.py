"""The one event-sourced application: every aggregate in one store, one notification log.

Commands live in mixins by subject (parties, contracts, inspections, hazards); each loads
aggregates, lets them decide, and saves the new events atomically, answering the position
of the last event in the store's total order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Mapper, Transcoder

from domain.errors import InvalidValue
from infra.clock import today as shanghai_today
from infra.idempotency import current_request
from infra.reference import ReferenceData
from infra.personal import sealing_mapper
from infra.transcoder import OrjsonTranscoder
from services.audit import AuditQueries
from services.commands.assessments import AssessmentCommands
from services.commands.checklists import ChecklistCommands
from services.commands.contracts import ContractCommands
from services.commands.electricity import ElectricityCommands
from services.commands.groups import GroupCommands
from services.commands.hazards import HazardCommands
from services.commands.inspections import InspectionCommands
from services.commands.insurance import InsuranceCommands
from services.commands.parties import PartyCommands
from services.commands.platform import PlatformCommands
from services.commands.privacy import PrivacyCommands
from services.commands.referrals import ReferralCommands
from services.commands.self_reports import SelfReportCommands
from services.commands.subsidies import SubsidyCommands
from services.errors import ConcurrentModification, NotFound
from services.subjects import SubjectQueries

A = TypeVar("A", bound=Aggregate)
_loaded: ContextVar[dict[UUID, Aggregate] | None] = ContextVar("loaded_aggregates", default=None)


@dataclass(frozen=True)
class Written:
    """The answer to every write: the aggregate's id and the event's position in the store."""

    id: str
    position: int


class HazardLedger(PartyCommands, ContractCommands, InspectionCommands, HazardCommands,
                   SubsidyCommands, ChecklistCommands, SelfReportCommands, ReferralCommands, PlatformCommands,
                   AssessmentCommands, GroupCommands, ElectricityCommands, PrivacyCommands,
                   InsuranceCommands, AuditQueries,
                   SubjectQueries, Application):
    name = "HazardLedger"

    def __init__(self, env: dict[str, str] | None = None, *, reference: ReferenceData | None = None,
                 clock: Callable[[], date] = shanghai_today) -> None:
        super().__init__(env)
        self.reference = reference or ReferenceData.load()
        self.today = clock
        self._load_locks = [threading.Lock() for _ in range(64)]

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_mapper(self) -> Mapper:
        """Personal fields sealed under a key per person (`infra.personal`)."""
        return sealing_mapper(self.factory, self.construct_transcoder())

    # --- shared by every command -------------------------------------------------------
    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Within this block (one request: authorise, then decide) each aggregate is loaded
        once: the copy the access check looked at is the copy the command decides on and stores."""
        token = _loaded.set({})
        try:
            yield
        finally:
            _loaded.reset(token)

    def load(self, cls: type[A], ident: str | UUID) -> A:
        """The aggregate of this kind with this id, or NotFound. A copy of the cached aggregate,
        fast-forwarded from the store (the library's repository cache, see
        `infra.postgres.event_store_env`); within a `unit_of_work`, the same copy each time."""
        try:
            key = ident if isinstance(ident, UUID) else UUID(str(ident))
        except ValueError:
            raise NotFound(cls.__name__, str(ident)) from None
        loaded = _loaded.get()
        aggregate = loaded.get(key) if loaded is not None else None
        if aggregate is None:
            aggregate = self._get(key, cls)
            if loaded is not None:
                loaded[key] = aggregate
        if not isinstance(aggregate, cls):
            raise NotFound(cls.__name__, str(ident))
        return aggregate

    def _get(self, key: UUID, cls: type) -> Aggregate:
        """The library fast-forwards a cached aggregate under a lock of its own but copies it
        after letting go; this lock (one of a few, by id) keeps the copy from being taken while
        another thread fast-forwards the same aggregate."""
        self.check_erasures()  # issue 16 §6: another process's erasure empties the caches (≤ 30 s)
        with self._load_locks[hash(key) % len(self._load_locks)]:
            try:
                return self.repository.get(key)
            except AggregateNotFoundError:
                raise NotFound(cls.__name__, str(key)) from None

    def load_optional(self, cls: type[A], ident: str | None) -> A | None:
        return None if ident is None else self.load(cls, ident)

    def find(self, cls: type[A], ident: str | UUID) -> A | None:
        """The aggregate stored under `ident`, or None (a deterministic id not used yet)."""
        try:
            return self.load(cls, ident)
        except NotFound:
            return None

    def named(self, cls: type[A], ident: str, field: str, what: str) -> A:
        """The aggregate a request body names in `field`: a reference to nothing is bad input
        (422 naming the field, e.g. "隐患 … 不存在"), not a missing resource."""
        try:
            return self.load(cls, ident)
        except NotFound:
            raise InvalidValue(field, f"{what} {ident} 不存在") from None

    def named_each(self, cls: type[A], idents: list[str], field: str, what: str) -> list[A]:
        """`named` for a list in `field`: the n-th bad one is named `field.n`."""
        return [self.named(cls, ident, f"{field}.{n}", what) for n, ident in enumerate(idents)]

    def store(self, *aggregates: Aggregate, ident: Any = None,
              on_conflict: Callable[[], Exception] = ConcurrentModification) -> Written:
        """Save pending events atomically; a version conflict stores nothing and is refused.
        A write sent with an idempotency key stores the key and this answer in the same
        transaction (`infra.idempotency`): one request, one `store`."""
        answer_id = str(ident if ident is not None else aggregates[0].id)
        request = current_request()
        keyed = {"idempotency": request, "answer_id": answer_id} if request is not None else {}
        try:
            recordings = self.save(*aggregates, **keyed)
        except IntegrityError:
            raise on_conflict() from None
        return Written(id=answer_id, position=recordings[-1].notification.id)

    def change(self, cls: type[A], ident: str, decide: Callable[[A], Any]) -> Written:
        """Load one aggregate, let it decide, store what it decided."""
        aggregate = self.load(cls, ident)
        decide(aggregate)
        return self.store(aggregate)
