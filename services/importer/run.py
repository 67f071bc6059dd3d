"""Import a ledger: read, check every row (nothing stored while one is bad, unless
`skip_bad`), register unknown enterprises, then store the rows' histories in keyed writes of
a block of rows each (`infra.idempotency`: holder the file's SHA-256, key the block's row
numbers, `rows-<first>-<last>`), several blocks at once so the store's group commit puts them in
one transaction. Re-importing a file finds its blocks' keys taken and stores nothing; an import
cut short stores, when run again, only the blocks it had not stored."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql

from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.hazard import Hazard
from domain.parties import Enterprise
from domain.rules import RULES
from infra.idempotency import TABLE as KEYS_TABLE, KeyedRequest, KeyTaken, keyed
from projections.field_labels import FIELD_LABELS
from services.importer import columns, history, reading, rows as ledger_rows
from services.importer.rows import BadRow, LedgerRow

HOLDER = "ledger-import"
Progress = Callable[[str, int, int], None]  # (stage "check" or "store", rows done, rows in all)
WORKERS = 2  # two blocks in flight: one encodes while the other commits (more only fight over the GIL)
BLOCK = 500  # rows per keyed write, by row number (the header is row 1)


@dataclass
class Outcome:
    """What an import did (or, dry run, would do)."""

    file: str
    sha256: str = ""
    rows: int = 0
    header_errors: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    good: int = 0
    already: int = 0          # rows stored by an earlier import of the same file
    stored_rows: int = 0
    stored_events: int = 0
    enterprises: int = 0      # enterprises registered
    dry_run: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.header_errors)


def reason(e: DomainError) -> str:
    if isinstance(e, InvalidValue):
        return f"{FIELD_LABELS.get(e.field, e.field)}：{e.message}"
    if isinstance(e, RuleViolation) and e.rule in RULES:
        return f"{RULES[e.rule].text}（{e.message}）" if e.message else RULES[e.rule].text
    return str(e)


def import_ledger(ledger, path: Path, *, dry_run: bool = False, skip_bad: bool = False,
                  mapping: list[str] | None = None,
                  progress: Progress | None = None) -> Outcome:
    """Raises InvalidValue for a file that is not a spreadsheet or a bad `--map`."""
    out = Outcome(file=path.name, dry_run=dry_run)
    header_map = columns.parse_map(mapping or [])
    sheet = reading.read(path)
    out.sha256, out.rows = sheet.sha256, len(sheet.rows)
    positions, out.header_errors = columns.resolve(sheet.headers, header_map)
    if out.header_errors:
        return out
    today = ledger.today()
    parsed = [ledger_rows.parse(n, {c: cells[i] if i < len(cells) else None for i, c in positions.items()},
                                ledger.reference, today) for n, cells in sheet.rows]
    good = [r for r in parsed if isinstance(r, LedgerRow)]
    bad = [r for r in parsed if isinstance(r, BadRow)]
    clashing = ledger_rows.contradictions(good)
    clash = {b.number for b in clashing}
    good = [r for r in good if r.number not in clash]
    new_enterprises, built = _build(ledger, good, today, bad, progress)
    out.bad = sorted(bad + clashing, key=lambda b: b.number)
    if out.bad and not skip_bad:
        return out
    holder = f"{HOLDER}:{sheet.sha256}"
    taken = _taken(ledger, holder)
    blocks: dict[str, list[Hazard]] = {}
    for number, hazard in built:
        blocks.setdefault(_block(number), []).append(hazard)
    out.good = len(built)
    out.already = sum(len(b) for k, b in blocks.items() if k in taken)
    todo = [(k, b) for k, b in blocks.items() if k not in taken]
    used = {h.enterprise_id for _, b in todo for h in b}
    new_enterprises = [e for e in new_enterprises if str(e.id) in used]
    if dry_run:
        out.enterprises = len(new_enterprises)
        out.stored_rows = sum(len(b) for _, b in todo)
        out.stored_events = sum(len(h.pending_events) for _, b in todo for h in b) + len(new_enterprises)
        return out
    if new_enterprises:
        if _store(ledger, holder, "enterprises", sheet.sha256, new_enterprises):
            out.enterprises = len(new_enterprises)
            out.stored_events += len(new_enterprises)
    _store_rows(ledger, holder, sheet.sha256, todo, out, progress)
    return out


def _build(ledger, good: list[LedgerRow], today, bad: list[BadRow],
           progress: Progress | None) -> tuple[list[Enterprise], list[tuple[int, Hazard]]]:
    """Each good row's hazard decided by the domain; a row the domain refuses joins `bad`."""
    enterprises: dict[str, Enterprise] = {}
    new: list[Enterprise] = []
    built: list[tuple[int, Hazard]] = []
    stored = _stored_ids(ledger, {str(Enterprise.create_id(row.credit_code)) for row in good})
    for n, row in enumerate(good, 1):
        if progress is not None and (n % 500 == 0 or n == len(good)):
            progress("check", n, len(good))
        enterprise = enterprises.get(row.credit_code)
        if enterprise is None:
            ident = Enterprise.create_id(row.credit_code)
            enterprise = ledger.find(Enterprise, ident) if str(ident) in stored else None
            if enterprise is None:
                try:
                    enterprise = history.enterprise_of(row)
                    new.append(enterprise)
                except DomainError as e:
                    bad.append(BadRow(row.number, [reason(e)]))
                    continue  # the next row of this enterprise may name it fully
            enterprises[row.credit_code] = enterprise
        try:
            built.append((row.number, history.hazard_of(row, enterprise, today)))
        except DomainError as e:
            bad.append(BadRow(row.number, [reason(e)]))
    return new, built


def _stored_ids(ledger, ids: set[str]) -> set[str]:
    """Which of these aggregate ids have events in the store (one query, not one load each)."""
    recorder = ledger.recorder
    with recorder.datastore.transaction(commit=False) as curs:
        curs.execute(sql.SQL("SELECT DISTINCT originator_id FROM {} WHERE originator_id = ANY(%s::{}[])").format(
            sql.Identifier(recorder.datastore.schema, recorder.events_table_name),
            sql.SQL(recorder.datastore.originator_id_type)), ([str(i) for i in ids],))
        return {str(row["originator_id"]) for row in curs.fetchall()}


def _request(holder: str, key: str, sha: str) -> KeyedRequest:
    return KeyedRequest(holder=holder, key=key, request_hash=sha, success_status=lambda: 201)


def _store(ledger, holder: str, key: str, sha: str, aggregates) -> bool:
    """One keyed write; False if an earlier import stored this key already."""
    try:
        with keyed(_request(holder, key, sha)):
            ledger.store(*aggregates)
        return True
    except KeyTaken:
        return False


def _block(number: int) -> str:
    first = (number - 2) // BLOCK * BLOCK + 2
    return f"rows-{first}-{first + BLOCK - 1}"


def _taken(ledger, holder: str) -> set[str]:
    """The keys an earlier import of this file stored (one query)."""
    datastore = ledger.recorder.datastore
    with datastore.transaction(commit=False) as curs:
        curs.execute(sql.SQL("SELECT key FROM {} WHERE holder = %s").format(
            sql.Identifier(datastore.schema, KEYS_TABLE)), (holder,))
        return {row["key"] for row in curs.fetchall()}


def _store_rows(ledger, holder: str, sha: str, todo: list[tuple[str, list[Hazard]]], out: Outcome,
                progress: Progress | None) -> None:
    def one(item: tuple[str, list[Hazard]]) -> tuple[int, int]:
        key, hazards = item
        events = sum(len(h.pending_events) for h in hazards)
        return len(hazards), (events if _store(ledger, holder, key, sha, hazards) else -1)

    done, total = 0, sum(len(b) for _, b in todo)
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="import") as pool:
        for rows, events in pool.map(one, todo):
            done += rows
            if events < 0:
                out.already += rows
            else:
                out.stored_rows += rows
                out.stored_events += events
            if progress is not None:
                progress("store", done, total)
