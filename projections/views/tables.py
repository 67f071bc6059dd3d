"""Set-based batches (按批折叠): a batch's rows folded in memory, each table written once.

A view describes its tables (`Table`: columns, and the key of rows that later events change).
For one batch of events it:

1. loads, with one query per table, the existing rows the batch's events change (`Fold.load`);
2. applies every event to those rows in memory (`Fold.get` / `put` / `add`) — a row changed by
   ten events of the batch is changed ten times in memory and written once;
3. writes each table once (`write`): rows only added go in by COPY; changed rows are staged by
   COPY in a temporary table and merged with one `INSERT … SELECT … ON CONFLICT DO UPDATE`.
   Small batches (live following: one event a transaction) use one `executemany` instead, the
   same statement row by row; both give the same rows.

Nothing is kept between batches: the rows live in the batch's `Fold` only (a view's tables may
be swapped underneath a live follower by an online rebuild).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson
from psycopg import Cursor
from psycopg.sql import SQL, Composable, Identifier

COPY_MIN = 16  # from this many rows of a table in one batch, COPY; fewer: executemany

Row = dict[str, Any]


def to_json(value: Any) -> str:
    """A jsonb column's text (dates and decimals as strings)."""
    return orjson.dumps(value, default=str).decode()


@dataclass(frozen=True)
class Table:
    """One table of a view: the columns a view writes (generated ones left out) and, for rows
    later events change, their key (None: rows are only ever added)."""

    name: str
    columns: tuple[str, ...]
    key: str | None = None
    json: tuple[str, ...] = ()  # jsonb columns: Python values in memory, JSON text when written

    def values(self) -> Callable[[Row], tuple]:
        """A function turning a row into the values of `columns`, in order."""
        columns, json = self.columns, set(self.json)
        pick = itemgetter(*columns)
        if len(columns) == 1:
            return lambda row: (pick(row),)
        if not json:
            return pick
        dump = [c in json for c in columns]
        return lambda row: tuple(to_json(v) if d else v for v, d in zip(pick(row), dump))


@dataclass
class Fold:
    """The rows one batch changes, in memory: loaded once, changed by every event, written once."""

    rows: dict[str, dict[Any, Row]] = field(default_factory=dict)  # table → key → row
    loaded: dict[str, set] = field(default_factory=dict)  # table → keys of rows already stored
    changed: dict[str, set] = field(default_factory=dict)  # table → keys of rows to write
    added: dict[str, list[Row]] = field(default_factory=dict)  # table → rows only added
    added_values: dict[str, list[tuple]] = field(default_factory=dict)  # the same, in column order

    def get(self, table: str, key: Any) -> Row | None:
        """The row as the batch has made it so far (None if it does not exist)."""
        return self.rows.get(table, {}).get(key)

    def put(self, table: str, key: Any, row: Row) -> None:
        """The row's new state (written once, at the end of the batch)."""
        self.rows.setdefault(table, {})[key] = row
        self.changed.setdefault(table, set()).add(key)

    def add(self, table: str, row: Row) -> None:
        """A row of a table whose rows are only added."""
        self.added.setdefault(table, []).append(row)

    def add_values(self, table: str, values: tuple) -> None:
        """The same, as the values of the table's columns in order (no JSON columns)."""
        self.added_values.setdefault(table, []).append(values)


def changing(table: str, key_of: Callable[[Any], Any]) -> Callable:
    """Decorate `change(row, event, position)` into a handler changing an existing row of
    `table` in the fold (as an UPDATE would: an event for a missing row changes nothing)."""
    def decorate(change: Callable[[Row, Any, int], None]) -> Callable[[Fold, Any, int], None]:
        def handler(fold: Fold, event: Any, position: int) -> None:
            key = key_of(event)
            row = fold.get(table, key)
            if row is not None:
                change(row, event, position)
                fold.put(table, key, row)
        handler.__doc__ = change.__doc__
        return handler
    return decorate


class Statements:
    """A view's statements per table, rendered once (composing per batch is slow)."""

    def __init__(self, schema: str, tables: Iterable[Table]) -> None:
        self.tables = {t.name: t for t in tables}
        self._values = {t.name: t.values() for t in self.tables.values()}
        self._sql: dict[tuple[str, str], str] = {}
        self._types: dict[str, list[int]] = {}  # table → type oids of its columns (binary COPY)
        self.schema = schema

    def _render(self, kind: str, table: Table) -> str:
        rendered = self._sql.get((kind, table.name))
        if rendered is None:
            rendered = self._sql[(kind, table.name)] = getattr(self, f"_{kind}")(table).as_string(None)
        return rendered

    def _target(self, table: Table) -> Composable:
        return SQL("{}.{}").format(Identifier(self.schema), Identifier(table.name))

    @staticmethod
    def _stage_name(table: Table) -> Identifier:
        return Identifier(f"stage_{table.name}")

    @staticmethod
    def _columns(table: Table) -> Composable:
        return SQL(", ").join(map(Identifier, table.columns))


    def _select(self, table: Table) -> Composable:
        return SQL("SELECT {} FROM {} WHERE {} = ANY(%b)").format(
            self._columns(table), self._target(table), Identifier(table.key))

    def _copy(self, table: Table) -> Composable:
        return SQL("COPY {} ({}) FROM STDIN{}").format(self._target(table), self._columns(table),
                                                       self._format(table))

    @staticmethod
    def _format(table: Table) -> Composable:
        """Binary COPY (a third of the text format's cost in Python), except for tables with
        jsonb columns (their text is made by `to_json`)."""
        return SQL("") if table.json else SQL(" (FORMAT BINARY)")

    def _insert(self, table: Table) -> Composable:
        return SQL("INSERT INTO {} ({}) VALUES ({})").format(
            self._target(table), self._columns(table), SQL(", ").join(SQL("%s") for _ in table.columns))

    def _update(self, table: Table) -> Composable:
        return SQL("UPDATE {} SET {} WHERE {} = %s").format(
            self._target(table), SQL(", ").join(SQL("{} = %s").format(Identifier(c))
                                                for c in table.columns if c != table.key),
            Identifier(table.key))

    def _stage(self, table: Table) -> Composable:
        return SQL("CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS "
                   "SELECT {} FROM {} WITH NO DATA").format(
            self._stage_name(table), self._columns(table), self._target(table))

    def _copy_stage(self, table: Table) -> Composable:
        return SQL("COPY {} ({}) FROM STDIN{}").format(self._stage_name(table), self._columns(table),
                                                       self._format(table))

    def _oids(self, curs: Cursor, table: Table) -> list[int]:
        """The type of each written column, from the catalog (binary COPY needs exact types)."""
        oids = self._types.get(table.name)
        if oids is None:
            curs.execute("SELECT attname, atttypid::int AS oid FROM pg_attribute "
                         "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                         (f'"{self.schema}"."{table.name}"',))
            types = {row["attname"]: row["oid"] for row in curs.fetchall()}
            oids = self._types[table.name] = [types[c] for c in table.columns]
        return oids

    def _copy_rows(self, curs: Cursor, statement: str, table: Table, values: Iterable[tuple]) -> None:
        oids = None if table.json else self._oids(curs, table)  # before the COPY starts
        with curs.copy(statement) as copy:
            if oids is not None:
                copy.set_types(oids)
            for row in values:
                copy.write_row(row)

    def _merge(self, table: Table) -> Composable:
        return SQL("UPDATE {} AS t SET {} FROM {} AS s WHERE t.{} = s.{}").format(
            self._target(table), SQL(", ").join(SQL("{0} = s.{0}").format(Identifier(c))
                                                for c in table.columns if c != table.key),
            self._stage_name(table), Identifier(table.key), Identifier(table.key))

    # --- a batch ---------------------------------------------------------------------------
    def load(self, curs: Cursor, fold: Fold, keys: dict[str, set]) -> None:
        """Put the existing rows with these keys (table → keys) into the fold: one query a table."""
        for name, wanted in keys.items():
            if not wanted:
                continue
            table = self.tables[name]
            curs.execute(self._render("select", table), (list(wanted),))
            rows = fold.rows.setdefault(name, {})
            key = table.key
            for row in curs.fetchall():
                rows[row[key]] = row
            fold.loaded[name] = set(rows)

    def write(self, curs: Cursor, fold: Fold) -> None:
        """Write what the batch changed: each table once — new rows added, stored rows updated."""
        for name, rows in fold.added.items():
            self._add(curs, self.tables[name], list(map(self._values[name], rows)))
        for name, values in fold.added_values.items():
            self._add(curs, self.tables[name], values)
        for name, keys in fold.changed.items():
            current, stored = fold.rows[name], fold.loaded.get(name, set())
            values = self._values[name]
            self._add(curs, self.tables[name], [values(current[k]) for k in keys - stored])
            self._update_rows(curs, self.tables[name], [values(current[k]) for k in keys & stored])

    def _add(self, curs: Cursor, table: Table, values: list[tuple]) -> None:
        if not values:
            return
        if len(values) < COPY_MIN:
            curs.executemany(self._render("insert", table), values)
            return
        self._copy_rows(curs, self._render("copy", table), table, values)

    def _update_rows(self, curs: Cursor, table: Table, values: list[tuple]) -> None:
        if not values:
            return
        if len(values) < COPY_MIN:
            at = table.columns.index(table.key)  # the key moves last, for WHERE
            curs.executemany(self._render("update", table), [(*v[:at], *v[at + 1:], v[at]) for v in values])
            return
        curs.execute(self._render("stage", table))
        self._copy_rows(curs, self._render("copy_stage", table), table, values)
        curs.execute(self._render("merge", table))
