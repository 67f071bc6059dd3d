"""Reading the record itself: an aggregate's full history and its state at any past moment.

Time travel uses record time (when events were stored), not business dates: the state
"as of" a moment is the aggregate at the last version stored at or before that moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from infra.audit_chain import AuditChain
from services.errors import NotFound

A = TypeVar("A", bound=Aggregate)


class AuditQueries:
    def audit_chain(self) -> AuditChain:
        """The hash chain over this store's events (infra/audit_chain.py)."""
        return AuditChain(self.recorder.datastore, self.recorder.events_table_name)

    def history_of(self, cls: type[A], ident: str) -> list[Any]:
        """Every stored event of one aggregate, oldest first."""
        self.load(cls, ident)  # 404 unless it exists and is of this kind
        return list(self.events.get(UUID(str(ident))))

    def state_as_of(self, cls: type[A], ident: str, as_of: datetime | None = None) -> A:
        if as_of is None:
            return self.load(cls, ident)
        version = None
        for event in self.history_of(cls, ident):
            if event.timestamp > as_of:
                break
            version = event.originator_version
        if version is None:
            raise NotFound(cls.__name__, f"{ident} (as of {as_of.isoformat()})")
        return self.repository.get(UUID(str(ident)), version=version)
