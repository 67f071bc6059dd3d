"""Evidence files (证据文件: photos and documents), content-addressed by SHA-256.

- `store.FileStore`: the interface; `postgres.PostgresFileStore`: the default engine, in the
  event store's own PostgreSQL (backed up with the events); `s3.S3FileStore` (HAZARD_FILE_STORE=s3,
  the extra `hazardledger[s3]`): the facts in the same tables, the bytes in an S3-compatible bucket
  (imported only where chosen: `services.runtime.Config.file_store`).
- `spool.Spool`: a file on its way in, hashed and counted while it streams.
- `kinds`: what a file is by its magic bytes; `images`: thumbnail, EXIF time and GPS (Pillow);
  `accept`: the checks every engine applies before storing; `errors`: the refusals.
"""

from infra.files.errors import Empty, Mismatch, Refused, TooLarge, Unreadable, Unsupported
from infra.files.kinds import Declared
from infra.files.postgres import PostgresFileStore
from infra.files.spool import Spool, spooled
from infra.files.store import FileMeta, FileStore, StoredFile

__all__ = ["Declared", "Empty", "FileMeta", "FileStore", "Mismatch", "PostgresFileStore", "Refused",
           "Spool", "StoredFile", "TooLarge", "Unreadable", "Unsupported", "spooled"]
