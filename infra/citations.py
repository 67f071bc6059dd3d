"""Which records cite which evidence file (引用证据文件的记录): the table `file_citations`.

A row `(sha256, kind, record_id, position)` says: the event at `position` (its place in the
store's total order) of the record `kind`/`record_id` cites the file `sha256`. The rows are
written by the event store's recorder (`infra.idempotency.KeyedRecorder`) in the SAME
transaction as that event, so a citation exists exactly when its event does; the primary key
makes a retried insert harmless. The events themselves may be encrypted (HAZARD_CIPHER_KEY), so
this table, not a search of the events, answers "who cites this file" — exactly and by index.

A command names what it cites with `citing(...)` around its `store` (a context variable, like
the idempotency key: the recorder reads it in the command's own thread).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor, sql

TABLE = "file_citations"


@dataclass(frozen=True)
class Citation:
    """A record's next stored event cites these files (SHA-256, lower-case hex)."""

    kind: str         # "hazard" (other kinds may follow: an inspection's checklist)
    record_id: str    # the aggregate's id
    sha256: tuple[str, ...]


_current: ContextVar[tuple[Citation, ...]] = ContextVar("file_citations", default=())


@contextmanager
def citing(*citations: Citation) -> Iterator[None]:
    """Within this block the events stored for these records record their citations."""
    token = _current.set(tuple(c for c in citations if c.sha256))
    try:
        yield
    finally:
        _current.reset(token)


def current_citations() -> tuple[Citation, ...]:
    return _current.get()


def create_statements(schema: str) -> list[sql.Composable]:
    table = sql.Identifier(schema, TABLE)
    return [
        sql.SQL("CREATE TABLE IF NOT EXISTS {} (sha256 text NOT NULL, kind text NOT NULL,"
                " record_id uuid NOT NULL, position bigint NOT NULL,"
                " PRIMARY KEY (sha256, kind, record_id, position))").format(table),
    ]


def insert(curs: Cursor[Any], schema: str, citations: Sequence[Citation],
           events: Sequence[Any], ids: Sequence[int]) -> None:
    """Write one write's citations: each names the last of its record's events in `events`
    (whose positions are `ids`, in the same order). Repeats are ignored (primary key)."""
    last = {str(e.originator_id): i for e, i in zip(events, ids, strict=True)}
    rows = [(sha, c.kind, c.record_id, last[str(c.record_id)])
            for c in citations if str(c.record_id) in last for sha in c.sha256]
    if rows:
        curs.execute(sql.SQL(
            "INSERT INTO {} (sha256, kind, record_id, position) SELECT * FROM"
            " unnest(%s::text[], %s::text[], %s::uuid[], %s::bigint[]) ON CONFLICT DO NOTHING")
            .format(sql.Identifier(schema, TABLE)), [list(col) for col in zip(*rows, strict=True)])


class CitationIndex:
    """Reads `file_citations`."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        self._datastore = datastore
        self._table = sql.Identifier(datastore.schema, TABLE)

    def records_citing(self, sha256: str) -> list[tuple[str, str, int]]:
        """(kind, record id, first position) of each record citing the file, oldest first."""
        with self._datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT kind, record_id::text AS record_id, min(position) AS position"
                                 " FROM {} WHERE sha256 = %s GROUP BY kind, record_id ORDER BY 3")
                         .format(self._table), (sha256,))
            return [(r["kind"], r["record_id"], r["position"]) for r in curs.fetchall()]

    def cited_without_file(self, files_table: str = "files") -> list[tuple[str, str, str]]:
        """(sha256, kind, record id) of each citation whose file the store does not have."""
        files = sql.Identifier(self._datastore.schema, files_table)
        with self._datastore.transaction(commit=False) as curs:
            curs.execute("SELECT to_regclass(%s) AS t", (f'"{self._datastore.schema}"."{files_table}"',))
            query = ("SELECT DISTINCT c.sha256, c.kind, c.record_id::text AS record_id FROM {c} c"
                     + (" LEFT JOIN {f} f USING (sha256) WHERE f.sha256 IS NULL"
                        if curs.fetchone()["t"] is not None else "") + " ORDER BY 1, 2, 3")
            curs.execute(sql.SQL(query).format(c=self._table, f=files))
            return [(r["sha256"], r["kind"], r["record_id"]) for r in curs.fetchall()]
