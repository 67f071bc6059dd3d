"""Reading the record itself: an aggregate's full history and its state at any past moment.

Time travel uses record time (when events were stored), not business dates: the state
"as of" a moment is the aggregate at the last version stored at or before that moment.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.hazard import Hazard
from infra.audit_chain import AuditChain
from infra.log_reader import LogReader
from projections.views.hazard_rows import step_dates
from services.errors import NotFound

A = TypeVar("A", bound=Aggregate)


class AuditQueries:
    @cached_property
    def log_reader(self) -> LogReader:
        """The one reader of this store's notification log (infra/log_reader.py), on this
        application's recorder and mapper: the event stream, the audit chain and the exports
        read the log through it."""
        return LogReader(self)

    def audit_chain(self) -> AuditChain:
        """The hash chain over this store's events (infra/audit_chain.py)."""
        return AuditChain(self.log_reader)

    def history_of(self, cls: type[A], ident: str) -> list[Any]:
        """Every stored event of one aggregate, oldest first."""
        self.load(cls, ident)  # 404 unless it exists and is of this kind
        return list(self.events.get(UUID(str(ident))))

    def history_until(self, cls: type[A], ident: str, last_day: date | None = None) -> list[Any]:
        """A record's events, for a hazard stopping before its first step dated after `last_day`
        (what an agency whose service ended on that day may still see; None: every event)."""
        events = self.history_of(cls, ident)
        if last_day is None or cls is not Hazard:
            return events
        kept = []
        for event, day in zip(events, step_dates(events)):
            if day > last_day:
                break
            kept.append(event)
        return kept

    def state_as_of(self, cls: type[A], ident: str, as_of: datetime | None = None,
                    last_day: date | None = None) -> A:
        """The record as stored at `as_of` (record time), and no later than its steps up to
        `last_day` (business date, see `history_until`)."""
        if as_of is None and last_day is None:
            return self.load(cls, ident)
        version = None
        for event in self.history_until(cls, ident, last_day):
            if as_of is not None and event.timestamp > as_of:
                break
            version = event.originator_version
        if version is None:
            raise NotFound(cls.__name__, f"{ident} (as of {as_of.isoformat() if as_of else last_day})")
        return self.repository.get(UUID(str(ident)), version=version)
