"""A view (读模型): PostgreSQL tables kept in step with a tracking record, exactly once.

Each batch of events is applied in ONE transaction that also moves the view's tracking
record (`<name>_tracking`) to the batch's last position. Within it the batch is set-based
(`projections/views/tables.py`): the rows it changes are loaded with one query a table, every
event is applied to them in memory, and each table is written once. A crash loses the whole
transaction or none of it, so after a restart the runner resumes from the tracked
position: no event is applied twice, none is skipped. The tracking row is locked first
(`FOR UPDATE`) and compared with the batch, so even two runners started by mistake on the
same view cannot both apply an event: the second is refused (`IntegrityError`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from infra.clock import SHANGHAI
from infra.log_reader import APPLICATION, names_of
from infra.postgres import serialise_ddl
from projections.views.tables import Fold, Statements, Table

Handler = Callable[[Fold, Any, int], None]  # fn(fold, event, position): changes rows in memory
KeyOf = Callable[[Any], Any]


@functools.cache
def kind_of(event_class: type) -> str:
    """"Hazard.Reported": the key of a view's handlers (from the log reader's names)."""
    aggregate, name = names_of(event_class)
    return f"{aggregate}.{name}"


@functools.lru_cache(maxsize=1 << 14)
def id_text(originator_id: Any) -> str:
    """An aggregate's id as the views store it (str of the UUID), remembered for the latest ids:
    a batch asks for each several times (ids, not rows: nothing of a table is kept)."""
    return str(originator_id)


def record_date(event: Any) -> date:
    """The record time of an event as a business date (Asia/Shanghai): for undated steps."""
    stamp: datetime = event.timestamp
    return stamp.astimezone(SHANGHAI).date()


class View(PostgresTrackingRecorder):
    """Base of every view: DDL with `{schema}` placeholders, its tables, handlers by event kind.

    `handlers` maps "Hazard.Reported" to fn(fold, event, position); `changes` maps an event kind
    to the (table, key of event) of the existing row it changes, loaded before the batch runs."""

    layout: tuple[Table, ...] = ()  # the tables this view writes
    tables: tuple[str, ...] = ()  # the tables this view owns (truncated on rebuild, dumped)
    ddl: tuple[str, ...] = ()
    handlers: dict[str, Handler] = {}
    changes: dict[str, tuple[str, KeyOf]] = {}

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        for statement in self.ddl:
            self.sql_create_statements.append(self.sql(statement))
        self.statements = Statements(self.datastore.schema, self.layout)

    def _create_table(self, curs: Any) -> None:
        serialise_ddl(curs)  # processes starting together create tables one after the other
        self._reread_tracking_state(curs)
        super()._create_table(curs)

    def _reread_tracking_state(self, curs: Any) -> None:
        """The library reads whether the tracking table exists (and its migration row) before our
        DDL lock; a process that waited for the lock reads it again, else it would insert the
        migration row the first process already stored (IntegrityError when API processes start
        together on a new store)."""
        curs.execute("SELECT to_regclass(%s) IS NOT NULL AS present",
                     (f'"{self.datastore.schema}"."{self.tracking_table_name}"',))
        if curs.fetchone()["present"]:
            curs.execute(self.max_tracking_id_statement, (self.table_migration_identifier,))
            self.tracking_table_exists = True
            self.tracking_migration_current = self.tracking_migration_previous = curs.fetchone()["max"]

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
        if batch:
            self.apply([event for event, _ in batch], [t.notification_id for _, t in batch])

    def apply(self, events: Sequence[Any], positions: Sequence[int]) -> None:
        """`process`, given the events and their positions in the log side by side (a replay
        makes no tracking object per event)."""
        if not events:
            return
        with self.datastore.transaction(commit=True) as curs:
            # Durability of a view row is not needed: a lost commit loses its tracking with
            # it and the events are applied again. Visibility is immediate either way.
            curs.execute("SET LOCAL synchronous_commit = off")
            self._claim(curs, positions[0])
            fold = self.fold(curs, events, positions)
            self.statements.write(curs, fold)
            self._insert_tracking(curs, Tracking(APPLICATION, positions[-1]))

    def fold(self, curs: Cursor[DictRow], events: Sequence[Any], positions: Sequence[int]) -> Fold:
        """The batch applied in memory to the rows it changes (loaded first, one query a table)."""
        handlers, changes = self.handlers, self.changes
        kinds = [kind_of(type(event)) for event in events]
        keys: dict[str, set] = {}
        for kind, event in zip(kinds, events):
            change = changes.get(kind)
            if change is not None:
                keys.setdefault(change[0], set()).add(change[1](event))
        fold = Fold()
        self.statements.load(curs, fold, keys)
        self.prepare(curs, fold, events)
        for kind, event, position in zip(kinds, events, positions):
            handler = handlers.get(kind)
            if handler is not None:
                handler(fold, event, position)
        return fold

    def prepare(self, curs: Cursor[DictRow], fold: Fold, events: Sequence[Any]) -> None:
        """Anything else the batch's handlers need from the tables, put into the fold before
        they run (the ledger: the last hazard number of each year, issue 17 §4)."""

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
