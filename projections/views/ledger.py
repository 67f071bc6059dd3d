"""The hazard ledger view (隐患台账): a row per hazard, every change kept with its dates.

Tables (schema of the event store):
- `ledger_hazards`: the current row of each hazard;
- `ledger_hazard_changes`: the row after each change, with the change's business date
  and record time — time travel (`as_of`, `known_at`) picks from these;
- `ledger_enterprises`, `ledger_agencies`: small lookups (names, codes) kept by the same
  transactions, so the ledger never loads an aggregate.
"""

from __future__ import annotations

from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from projections.views import hazard_rows
from projections.views.base import View
from projections.views.hazard_rows import COLUMNS

_COLS = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
_NAMES = list(COLUMNS)

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
    "CREATE INDEX IF NOT EXISTS ledger_hazard_changes_hazard "
    "ON {schema}.ledger_hazard_changes (hazard_id, position DESC)",
    # the ledger's order (newest first): a page reads its rows from the index, not the whole table
    "CREATE INDEX IF NOT EXISTS ledger_hazards_page ON {schema}.ledger_hazards (discovered_on DESC, hazard_id)",
)


class LedgerView(View):
    tables = ("ledger_enterprises", "ledger_agencies", "ledger_hazards", "ledger_hazard_changes")
    ddl = DDL

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._current_columns = ["hazard_id", *_NAMES, "reported_at", "recorded_at", "position"]
        self._change_columns = ["position", "hazard_id", "change", "business_date", "recorded_at", *_NAMES]
        updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in [*_NAMES, "recorded_at", "position"])
        self._stage = SQL("CREATE TEMP TABLE IF NOT EXISTS ledger_stage "
                          "(LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS").format(
            self.table("ledger_hazards")).as_string(None)
        self._copy_stage = self._copy("ledger_stage", self._current_columns, temporary=True)
        self._upsert = SQL("INSERT INTO {} SELECT * FROM ledger_stage "
                           f"ON CONFLICT (hazard_id) DO UPDATE SET {updates}").format(
            self.table("ledger_hazards")).as_string(None)
        self._copy_changes = self._copy("ledger_hazard_changes", self._change_columns)
        self._insert_enterprise = self._insert("ledger_enterprises", [
            "enterprise_id", "name", "credit_code", "township", "sector", "scale"])
        self._insert_agency = self._insert("ledger_agencies", ["agency_id", "name", "credit_code"])
        self._select = SQL("SELECT * FROM {} WHERE hazard_id = ANY(%s)").format(
            self.table("ledger_hazards")).as_string(None)
        self.begin_batch(None, ())

    def _insert(self, table: str, columns: list[str]) -> str:
        """An INSERT with named placeholders, rendered once (composing per row is slow)."""
        return SQL("INSERT INTO {} ({}) VALUES ({})").format(
            self.table(table), SQL(", ").join(map(Identifier, columns)),
            SQL(", ".join(f"%({c})s" for c in columns))).as_string(None)

    def _copy(self, table: str, columns: list[str], temporary: bool = False) -> str:
        name = Identifier(table) if temporary else self.table(table)
        return SQL("COPY {} ({}) FROM STDIN").format(
            name, SQL(", ").join(map(Identifier, columns))).as_string(None)

    # --- a batch: load the rows it changes with one query, write them once at its end -------
    def begin_batch(self, curs: Cursor[DictRow] | None, batch: Any) -> None:
        self._rows: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self._pending: dict[str, list[dict]] = {"changes": [], "enterprises": [], "agencies": []}
        ids = list({str(e.originator_id) for e, _ in batch if type(e).__qualname__ in hazard_rows.STEPS})
        if ids and curs is not None:
            curs.execute(self._select, (ids,))
            self._rows = {r["hazard_id"]: r for r in curs.fetchall()}

    def end_batch(self, curs: Cursor[DictRow]) -> None:
        """Lookups by INSERT; current rows staged by COPY and upserted; changes by COPY."""
        for statement, rows in ((self._insert_enterprise, self._pending["enterprises"]),
                                (self._insert_agency, self._pending["agencies"])):
            if rows:
                curs.executemany(statement, rows)
        if self._dirty:
            curs.execute(self._stage)
            self._copy_rows(curs, self._copy_stage, self._current_columns,
                            [self._rows[h] for h in self._dirty])
            curs.execute(self._upsert)
        self._copy_rows(curs, self._copy_changes, self._change_columns, self._pending["changes"])

    @staticmethod
    def _copy_rows(curs: Cursor[DictRow], statement: str, columns: list[str], rows: list[dict]) -> None:
        if rows:
            with curs.copy(statement) as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])

    def _current(self, hazard_id: str) -> dict:
        try:
            return self._rows[hazard_id]
        except KeyError:
            raise LookupError(f"ledger: hazard {hazard_id} changed before it was reported") from None

    def _write(self, hazard_id: str, row: dict, event: Any, position: int, business_date: Any) -> None:
        row = {**row, "hazard_id": hazard_id, "recorded_at": event.timestamp, "position": position}
        self._rows[hazard_id] = row
        self._dirty.add(hazard_id)
        self._pending["changes"].append({**row, "change": type(event).__name__,
                                         "business_date": business_date})

    # --- handlers ---------------------------------------------------------------------------
    def on_reported(self, curs: Cursor[DictRow], event: Any, position: int) -> None:
        row = {**hazard_rows.reported(event), "reported_at": event.timestamp}
        self._write(str(event.originator_id), row, event, position, event.discovered_on)

    def on_step(self, curs: Cursor[DictRow], event: Any, position: int) -> None:
        hazard_id = str(event.originator_id)
        row, business_date = hazard_rows.apply(self._current(hazard_id), event)
        self._write(hazard_id, row, event, position, business_date)

    def on_enterprise(self, curs: Cursor[DictRow], event: Any, position: int) -> None:
        self._pending["enterprises"].append({
            "enterprise_id": str(event.originator_id), "name": event.name,
            "credit_code": event.credit_code, "township": event.township, "sector": event.sector,
            "scale": event.scale})

    def on_agency(self, curs: Cursor[DictRow], event: Any, position: int) -> None:
        self._pending["agencies"].append({"agency_id": str(event.originator_id), "name": event.name,
                                          "credit_code": event.credit_code})

    handlers = {
        "Enterprise.Registered": on_enterprise,
        "Agency.Registered": on_agency,
        "Hazard.Reported": on_reported,
        **dict.fromkeys(hazard_rows.STEPS, on_step),
    }
