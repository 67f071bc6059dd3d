"""Import a ledger: read, check every row and decide its history (`deciding`: in two forked
processes for a large ledger; nothing stored while one row is bad, unless `skip_bad`), register
unknown enterprises, then store the rows' encoded histories in keyed writes of
a block of rows each (`infra.idempotency`: holder the file's SHA-256, key the block's row
numbers, `rows-<first>-<last>`), several blocks at once so the store's group commit puts them in
one transaction. Re-importing a file finds its blocks' keys taken and stores nothing; an import
cut short stores, when run again, only the blocks it had not stored."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from eventsourcing.persistence import StoredEvent
from psycopg import sql

from domain.errors import DomainError, InvalidValue, RuleViolation
from domain.parties import Enterprise
from domain.rules import RULES
from infra.idempotency import TABLE as KEYS_TABLE, KeyedRequest, KeyTaken, keyed
from projections.field_labels import FIELD_LABELS
from services.importer import columns, deciding, history, reading, rows as ledger_rows
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
    new_enterprises, rows = _enterprises(ledger, good, bad)
    blocks: dict[str, deciding.Rows] = {}
    for number, row, enterprise in rows:
        blocks.setdefault(_block(number), []).append((number, row, enterprise))
    with deciding.Deciders(ledger, list(blocks.items()), today) as deciders:
        events: dict[str, list[int]] = {}  # per block, the events of each good row
        done = 0
        for decided in deciders.decide():
            events[decided.key] = decided.events
            bad += [BadRow(number, [why]) for number, why in decided.bad]
            done += len(blocks[decided.key])
            if progress is not None:
                progress("check", done, len(rows))
        out.bad = sorted(bad + clashing, key=lambda b: b.number)
        if out.bad and not skip_bad:
            return out
        holder = f"{HOLDER}:{sheet.sha256}"
        taken = _taken(ledger, holder)
        out.good = sum(len(e) for e in events.values())
        out.already = sum(len(e) for k, e in events.items() if k in taken)
        todo = [k for k in blocks if k not in taken and events[k]]
        refused = {b.number for b in bad}
        used = {str(e.id) for k in todo for number, _, e in blocks[k] if number not in refused}
        new_enterprises = [e for e in new_enterprises if str(e.id) in used]
        if dry_run:
            out.enterprises = len(new_enterprises)
            out.stored_rows = sum(len(events[k]) for k in todo)
            out.stored_events = sum(sum(events[k]) for k in todo) + len(new_enterprises)
            return out
        if new_enterprises:
            if _store(ledger, holder, "enterprises", sheet.sha256, new_enterprises):
                out.enterprises = len(new_enterprises)
                out.stored_events += len(new_enterprises)
        _store_rows(ledger, holder, sheet.sha256, deciders.encode(todo), {k: events[k] for k in todo}, out, progress)
    return out


def _enterprises(ledger, good: list[LedgerRow],
                 bad: list[BadRow]) -> tuple[list[Enterprise], deciding.Rows]:
    """Each good row with its enterprise: registered already, or to be registered from the row
    (a row that cannot register it joins `bad`; the next row of that enterprise may)."""
    enterprises: dict[str, Enterprise] = {}
    new: list[Enterprise] = []
    rows: deciding.Rows = []
    stored = _stored_ids(ledger, {str(Enterprise.create_id(code)) for code in {row.credit_code for row in good}})
    for row in good:
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
                    continue
            enterprises[row.credit_code] = enterprise
        rows.append((row.number, row, enterprise))
    return new, rows


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


def _store_block(ledger, holder: str, key: str, sha: str, events: list[StoredEvent]) -> bool:
    """One block's encoded events in one keyed write: the recorder's own `insert_events`, as the
    application's `save` calls it once it has encoded them (here they were encoded beside,
    `deciding`); False if an earlier import stored this key already."""
    try:
        ledger.recorder.insert_events(events, idempotency=_request(holder, key, sha),
                                      answer_id=str(events[0].originator_id))
        return True
    except KeyTaken:
        return False


def _store_rows(ledger, holder: str, sha: str, encoded: Iterator[tuple[str, list[StoredEvent]]],
                events: dict[str, list[int]], out: Outcome, progress: Progress | None) -> None:
    def one(item: tuple[str, list[StoredEvent]]) -> tuple[int, int]:
        key, stored = item
        rows = len(events[key])
        return rows, (len(stored) if _store_block(ledger, holder, key, sha, stored) else -1)

    done, total = 0, sum(len(events[k]) for k in events)
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="import") as pool:
        for rows, stored in pool.map(one, encoded):
            done += rows
            if stored < 0:
                out.already += rows
            else:
                out.stored_rows += rows
                out.stored_events += stored
            if progress is not None:
                progress("store", done, total)
