"""The hazard ledger view (隐患台账): a row per hazard, every change kept with its dates.

Tables (schema of the event store):
- `ledger_hazards`: the current row of each hazard;
- `ledger_hazard_changes`: the row after each change, with the change's business date
  and record time — time travel (`as_of`, `known_at`) picks from these;
- `ledger_enterprises`, `ledger_agencies`: small lookups (names, codes) kept by the same
  transactions, so the ledger never loads an aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from infra.log_reader import names_of
from projections.views import hazard_rows
from projections.views.base import View, id_text, kind_of
from projections.views.hazard_rows import COLUMNS
from projections.views.tables import Fold, Table

_COLS = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
_NAMES = list(COLUMNS)


def _add_column(table: str, column: str) -> str:
    """ALTER TABLE … ADD COLUMN, only when the column is missing: a plain `ADD COLUMN IF NOT
    EXISTS` takes the table's exclusive lock even when it has the column, so every start (each
    CLI command opens the views) would queue behind a long read, and every read behind it."""
    name = column.split()[0]
    return ("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = "
            f"'{{schema}}.{table}'::regclass AND attname = '{name}' AND NOT attisdropped) THEN "
            f"ALTER TABLE {{schema}}.{table} ADD COLUMN {column}; END IF; END $$")


DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_enterprises (enterprise_id text PRIMARY KEY, "
    "name text NOT NULL, credit_code text NOT NULL, township text, sector text, scale text)",
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_agencies (agency_id text PRIMARY KEY, "
    "name text NOT NULL, credit_code text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_hazards (hazard_id text PRIMARY KEY, "
    f"{_COLS}, reported_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL, "
    "position bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.ledger_hazard_changes (position bigint PRIMARY KEY, "
    "hazard_id text NOT NULL, change text NOT NULL, business_date date NOT NULL, "
    f"recorded_at timestamptz NOT NULL, {_COLS})",
    # issue 13: a store made before the column gets it on start (old rows NULL until a rebuild)
    *(_add_column(table, "criterion text") for table in ("ledger_hazards", "ledger_hazard_changes")),
    # issue 14: the 挂牌督办 paperwork and the pending extension request, the same way
    *(_add_column(table, f"{name} {kind}") for name, kind in hazard_rows.LISTING_COLUMNS.items()
      for table in ("ledger_hazards", "ledger_hazard_changes")),
    # issue 17 §4: the hazard number (隐患编号), the same way
    *(_add_column(table, "hazard_no text") for table in ("ledger_hazards", "ledger_hazard_changes")),
    "CREATE INDEX IF NOT EXISTS ledger_hazard_changes_hazard "
    "ON {schema}.ledger_hazard_changes (hazard_id, position DESC)",
    # the ledger's order (newest first): a page reads its rows from the index, not the whole table
    "CREATE INDEX IF NOT EXISTS ledger_hazards_page ON {schema}.ledger_hazards (discovered_on DESC, hazard_id)",
)


HAZARDS, CHANGES = "ledger_hazards", "ledger_hazard_changes"
LAYOUT = (
    Table("ledger_enterprises", ("enterprise_id", "name", "credit_code", "township", "sector", "scale")),
    Table("ledger_agencies", ("agency_id", "name", "credit_code")),
    Table(HAZARDS, ("hazard_id", *_NAMES, "reported_at", "recorded_at", "position"), key="hazard_id"),
    Table(CHANGES, ("position", "hazard_id", "change", "business_date", "recorded_at", *_NAMES)),
)


def _hazard_id(event: Any) -> str:
    return id_text(event.originator_id)


_ROW = itemgetter(*_NAMES)


def _changed(fold: Fold, row: dict, event: Any, position: int, business_date: Any) -> None:
    """The hazard's new current row, and a change row with the step's dates."""
    row["recorded_at"], row["position"] = event.timestamp, position
    hazard_id = row["hazard_id"]
    fold.put(HAZARDS, hazard_id, row)
    fold.add_values(CHANGES, (position, hazard_id, names_of(type(event))[1], business_date,
                              event.timestamp, *_ROW(row)))


NUMBERS = "ledger_hazard_numbers"  # not a table: per discovered year, the last number given


def hazard_no(fold: Fold, discovered_on: Any) -> str:
    """The next number of the hazard's discovered year, "2026-000123": hazards are numbered in
    log order within their year, so a rebuild gives every hazard the number it had."""
    counter = fold.rows[NUMBERS][discovered_on.year]
    counter["last"] += 1
    return f"{discovered_on.year}-{counter['last']:06d}"


def on_reported(fold: Fold, event: Any, position: int) -> None:
    row = hazard_rows.reported(event)
    row["hazard_no"] = hazard_no(fold, event.discovered_on)
    row["hazard_id"], row["reported_at"] = _hazard_id(event), event.timestamp
    _changed(fold, row, event, position, event.discovered_on)


def on_step(fold: Fold, event: Any, position: int) -> None:
    hazard_id = _hazard_id(event)
    current = fold.get(HAZARDS, hazard_id)
    if current is None:
        raise LookupError(f"ledger: hazard {hazard_id} changed before it was reported")
    business_date = hazard_rows.apply_in_place(current, event)  # the batch's own row
    _changed(fold, current, event, position, business_date)


def on_enterprise(fold: Fold, e: Any, position: int) -> None:
    fold.add("ledger_enterprises", {"enterprise_id": str(e.originator_id), "name": e.name,
                                    "credit_code": e.credit_code, "township": e.township,
                                    "sector": e.sector, "scale": e.scale})


def on_agency(fold: Fold, e: Any, position: int) -> None:
    fold.add("ledger_agencies", {"agency_id": str(e.originator_id), "name": e.name,
                                 "credit_code": e.credit_code})


class LedgerView(View):
    layout = LAYOUT
    tables = tuple(t.name for t in LAYOUT)
    ddl = DDL
    handlers = {
        "Enterprise.Registered": on_enterprise,
        "Agency.Registered": on_agency,
        "Hazard.Reported": on_reported,
        **dict.fromkeys(hazard_rows.STEPS, on_step),
    }
    changes = dict.fromkeys(hazard_rows.STEPS, (HAZARDS, _hazard_id))

    def prepare(self, curs: Any, fold: Fold, events: Sequence[Any]) -> None:
        """How many hazards of each year the batch's reports fall in are stored: the last number
        given (every hazard has one, none is ever deleted; a store from before the numbers
        counts its unnumbered rows, so new numbers continue where a rebuild will put them)."""
        years = {e.discovered_on.year for e in events if kind_of(type(e)) == "Hazard.Reported"}
        counters = fold.rows.setdefault(NUMBERS, {})
        for year in sorted(years):
            curs.execute(self.sql("SELECT count(*) AS n FROM {schema}.ledger_hazards "
                                  "WHERE discovered_on BETWEEN %s AND %s"),
                         (date(year, 1, 1), date(year, 12, 31)))
            counters[year] = {"last": curs.fetchone()["n"]}
