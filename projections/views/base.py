"""A view (读模型): PostgreSQL tables kept in step with a tracking record, exactly once.

Each batch of events is applied in ONE transaction (statements pipelined) that also moves the view's tracking
record (`<name>_tracking`) to the batch's last position. A crash loses the whole
transaction or none of it, so after a restart the runner resumes from the tracked
position: no event is applied twice, none is skipped. The tracking row is locked first
(`FOR UPDATE`) and compared with the batch, so even two runners started by mistake on the
same view cannot both apply an event: the second is refused (`IntegrityError`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from infra.clock import SHANGHAI
from infra.log_reader import APPLICATION


Handler = Callable[[Any, Cursor[DictRow], Any, int], None]


def record_date(event: Any) -> date:
    """The record time of an event as a business date (Asia/Shanghai): for undated steps."""
    stamp: datetime = event.timestamp
    return stamp.astimezone(SHANGHAI).date()


class View(PostgresTrackingRecorder):
    """Base of every view: DDL with `{schema}` placeholders, handlers by event class name."""

    tables: tuple[str, ...] = ()  # the tables this view owns (truncated on rebuild)
    ddl: tuple[str, ...] = ()
    handlers: dict[str, Handler] = {}  # "Hazard.Reported" → fn(view, curs, event, position)

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        for statement in self.ddl:
            self.sql_create_statements.append(self.sql(statement))

    # --- helpers -------------------------------------------------------------------------
    def sql(self, statement: str, **identifiers: str) -> Composed:
        """A statement with `{schema}` and other identifiers filled in safely."""
        names = {k: Identifier(v) for k, v in identifiers.items()}
        return SQL(statement).format(schema=Identifier(self.datastore.schema), **names)

    def table(self, name: str) -> Composed:
        return SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(name))

    # --- applying events -----------------------------------------------------------------
    def process(self, batch: Sequence[tuple[Any, Tracking]]) -> None:
        """Apply a batch of events and record the last one's position, in one transaction."""
        if not batch:
            return
        first = batch[0][1].notification_id
        with self.datastore.transaction(commit=True) as curs:
            # Durability of a view row is not needed: a lost commit loses its tracking with
            # it and the events are applied again. Visibility is immediate either way.
            curs.execute("SET LOCAL synchronous_commit = off")
            self._claim(curs, first)
            self.begin_batch(curs, batch)
            with curs.connection.pipeline():
                for event, tracking in batch:
                    handler = self.handlers.get(type(event).__qualname__)
                    if handler is not None:
                        handler(self, curs, event, tracking.notification_id)
            self.end_batch(curs)
            self._insert_tracking(curs, batch[-1][1])

    def begin_batch(self, curs: Cursor[DictRow], batch: Sequence[tuple[Any, Tracking]]) -> None:
        """Hook: called before the first event of a batch (e.g. to load rows it will change)."""

    def end_batch(self, curs: Cursor[DictRow]) -> None:
        """Hook: called after the last event of a batch, inside its transaction (COPY allowed)."""

    def _claim(self, curs: Cursor[DictRow], first: int) -> None:
        """Lock the tracking row; refuse a batch that starts at or before the tracked position."""
        curs.execute(self.sql("SELECT notification_id FROM {schema}.{t} "
                              "WHERE application_name = %s FOR UPDATE", t=self.tracking_table_name),
                     (APPLICATION,))
        row = curs.fetchone()
        if row is not None and row["notification_id"] is not None and row["notification_id"] >= first:
            msg = (f"{self.tracking_table_name}: position {first} already applied "
                   f"(tracked {row['notification_id']}); another runner is following this view")
            raise IntegrityError(msg)

    # --- operations ------------------------------------------------------------------------
    def position(self) -> int:
        """The position of the last event applied (0 when none)."""
        return self.max_tracking_id(APPLICATION) or 0

    def truncate(self) -> None:
        """Forget everything (for a rebuild): the view's rows and its tracking, together."""
        with self.datastore.transaction(commit=True) as curs:
            for name in self.tables:
                curs.execute(SQL("TRUNCATE {}").format(self.table(name)))
            curs.execute(self.sql("DELETE FROM {schema}.{t} WHERE application_name = %s",
                                  t=self.tracking_table_name), (APPLICATION,))

    def dump(self) -> dict[str, list[tuple]]:
        """Every row of every table, sorted (to compare a resumed view with a clean rebuild)."""
        out: dict[str, list[tuple]] = {}
        with self.datastore.transaction(commit=False) as curs:
            for name in self.tables:
                curs.execute(SQL("SELECT * FROM {}").format(self.table(name)))
                out[name] = sorted((tuple(r.values()) for r in curs.fetchall()), key=repr)
        return out
