"""Evidence files in the event store's own PostgreSQL (the default engine): backed up with the
events, in the same schema.

Tables (created if missing):
- `files`: one row per file, keyed by its SHA-256: size, media type, how many chunks, the
  EXIF time (UTC) and GPS position, the JPEG thumbnail (a few KiB), a note.
- `file_chunks`: the bytes, `CHUNK` (256 KiB) per row, stored uncompressed (photos and PDFs do
  not compress), written and read one row at a time.
- `file_uploads`: who uploaded a file: one row per party (the access policy's name of an agency,
  enterprise or government unit), with the first uploader of that party and when.

Writing is idempotent: the `files` row is inserted with ON CONFLICT DO NOTHING in the
transaction that writes the chunks, so the same bytes twice, or two concurrent uploads of them
(the second waits on the first's row, then finds it), make one file and no error; a file row is
never visible without all its chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from eventsourcing.postgres import PostgresDatastore
from psycopg import sql

from infra.files.accept import accept
from infra.files.check import FileFault
from infra.files.kinds import Declared
from infra.files.spool import CHUNK, Spool, spooled
from infra.files.store import FileMeta, StoredFile
from infra.postgres import serialise_ddl
from infra.settings import DEFAULT_FILE_MAX_BYTES

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS {files} (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
        size bigint NOT NULL CHECK (size > 0), media_type text NOT NULL,
        chunks integer NOT NULL, stored_at timestamptz NOT NULL,
        width integer, height integer, taken_at timestamptz,
        latitude double precision, longitude double precision,
        thumbnail bytea, note text)""",
    """CREATE TABLE IF NOT EXISTS {chunks} (
        sha256 text NOT NULL REFERENCES {files} (sha256), n integer NOT NULL,
        data bytea NOT NULL, PRIMARY KEY (sha256, n))""",
    """CREATE TABLE IF NOT EXISTS {uploads} (
        sha256 text NOT NULL REFERENCES {files} (sha256), party text NOT NULL,
        actor text NOT NULL, uploaded_at timestamptz NOT NULL, PRIMARY KEY (sha256, party))""",
)
META_COLUMNS = ("sha256, size, media_type, chunks, stored_at, width, height, taken_at, latitude,"
                " longitude, thumbnail IS NOT NULL AS has_thumbnail, note")


class PostgresFileStore:
    """`FileStore` on the event store's datastore (its pool and schema)."""

    def __init__(self, datastore: PostgresDatastore, *, limit: int = DEFAULT_FILE_MAX_BYTES) -> None:
        self.datastore = datastore
        self.limit = limit
        names = {k: sql.Identifier(datastore.schema, t) for k, t in
                 (("files", "files"), ("chunks", "file_chunks"), ("uploads", "file_uploads"))}
        self._t = names
        with datastore.transaction(commit=True) as curs:
            serialise_ddl(curs)  # processes starting together on a new store create tables in turn
            curs.execute("SELECT to_regclass(%s) AS chunks", (f'"{datastore.schema}".file_chunks',))
            new = curs.fetchone()["chunks"] is None
            for statement in SCHEMA:
                curs.execute(sql.SQL(statement).format(**names))
            if new:  # once: ALTER TABLE locks the table, and PostgreSQL 15 has no STORAGE in CREATE
                curs.execute(sql.SQL("ALTER TABLE {chunks} ALTER COLUMN data SET STORAGE EXTERNAL")
                             .format(**names))

    def put(self, source: Spool | BinaryIO, *, party: str, actor: str,
            declared: Declared | None = None) -> StoredFile:
        spool = source if isinstance(source, Spool) else spooled(source, self.limit)
        try:
            kind, examined = accept(spool, declared)
            sha = spool.sha256
            self._keep_elsewhere(spool, kind.media_type)
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(sql.SQL(
                    "INSERT INTO {files} (sha256, size, media_type, chunks, stored_at, width, height,"
                    " taken_at, latitude, longitude, thumbnail, note)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (sha256) DO NOTHING RETURNING sha256").format(**self._t),
                    (sha, spool.size, kind.media_type, self._chunk_rows(spool.size), datetime.now(UTC),
                     examined.width, examined.height, examined.taken_at, examined.latitude,
                     examined.longitude, examined.thumbnail, examined.note))
                created = curs.fetchone() is not None
                if created:
                    self._write_chunks(curs, sha, spool)
                curs.execute(sql.SQL(
                    "INSERT INTO {uploads} (sha256, party, actor, uploaded_at) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (sha256, party) DO NOTHING").format(**self._t),
                    (sha, party, actor, datetime.now(UTC)))
            return StoredFile(sha, spool.size, kind.media_type, created)
        finally:
            if spool is not source:
                spool.close()

    # Where the bytes go. Here: `file_chunks`, in the transaction that inserts the file's row.
    # An engine that keeps them elsewhere (`infra.files.s3`) stores them in `_keep_elsewhere`,
    # before the row exists (a row is never visible without its bytes), and records 0 chunk rows.

    def _keep_elsewhere(self, spool: Spool, media_type: str) -> None:
        """Nothing: the bytes go into `file_chunks` with the row."""

    def _chunk_rows(self, size: int) -> int:
        return -(-size // CHUNK)

    def _write_chunks(self, curs, sha: str, spool: Spool) -> None:
        statement = sql.SQL("INSERT INTO {chunks} (sha256, n, data) VALUES (%s, %s, %s)").format(**self._t)
        for n, block in enumerate(spool.chunks(CHUNK)):
            curs.execute(statement, (sha, n, block))

    def open(self, sha256: str) -> Iterator[bytes]:
        """The chunks in order, each read in a short transaction of its own (a slow reader
        holds no connection between chunks)."""
        meta = self.metadata(sha256)
        if meta is None:
            raise KeyError(sha256)
        return self._chunks(sha256, meta.chunks)

    def _chunks(self, sha256: str, count: int) -> Iterator[bytes]:
        if count == 0:  # kept by the S3 engine (infra.files.s3): no rows here
            raise LookupError("文件在对象存储中（HAZARD_FILE_STORE=s3），PostgreSQL 中没有它的字节")
        statement = sql.SQL("SELECT data FROM {chunks} WHERE sha256 = %s AND n = %s").format(**self._t)
        for n in range(count):
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(statement, (sha256, n), binary=True)
                row = curs.fetchone()
            if row is None:
                raise LookupError(f"文件块缺失（应有 {count} 块，第 {n + 1} 块不在）")
            yield bytes(row["data"])

    def verify(self, progress: Callable[[int, int], None] | None = None) -> Iterator[FileFault]:
        """Re-hash every stored file, streamed (one chunk, one short transaction at a time);
        a fault for each whose bytes changed or whose chunks vanished. `progress(files, bytes)`
        after each file."""
        after, checked, read = "", 0, 0
        while True:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(sql.SQL("SELECT sha256, size, chunks FROM {files} WHERE sha256 > %s"
                                     " ORDER BY sha256 LIMIT 500").format(**self._t), (after,))
                page = curs.fetchall()
            if not page:
                return
            for row in page:
                fault = self._rehash(row["sha256"], row["size"], row["chunks"])
                if fault is not None:
                    yield fault
                checked, read = checked + 1, read + row["size"]
                if progress:
                    progress(checked, read)
            after = page[-1]["sha256"]

    def _rehash(self, sha256: str, size: int, count: int) -> FileFault | None:
        digest, read = hashlib.sha256(), 0
        try:
            for block in self._chunks(sha256, count):
                digest.update(block)
                read += len(block)
        except LookupError as missing:
            return FileFault(sha256, "vanished", str(missing.args[0]))
        if digest.hexdigest() != sha256 or read != size:
            return FileFault(sha256, "changed", f"重新计算的 SHA-256 为 {digest.hexdigest()}，"
                                                f"读出 {read} 字节（记录为 {size} 字节）")
        return None

    def thumbnail(self, sha256: str) -> bytes | None:
        row = self._one("SELECT thumbnail FROM {files} WHERE sha256 = %s", sha256)
        return None if row is None or row["thumbnail"] is None else bytes(row["thumbnail"])

    def exists(self, sha256: str) -> bool:
        return self._one("SELECT 1 AS one FROM {files} WHERE sha256 = %s", sha256) is not None

    def metadata(self, sha256: str) -> FileMeta | None:
        row = self._one(f"SELECT {META_COLUMNS} FROM {{files}} WHERE sha256 = %s", sha256)
        return None if row is None else FileMeta(**row)

    def parties(self, sha256: str) -> frozenset[str]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT party FROM {uploads} WHERE sha256 = %s").format(**self._t),
                         (sha256,))
            return frozenset(r["party"] for r in curs.fetchall())

    def _one(self, query: str, sha256: str) -> dict | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL(query).format(**self._t), (sha256,))
            return curs.fetchone()
