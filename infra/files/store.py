"""The evidence-file store's interface (证据文件): what any engine keeps and answers.

Files are content-addressed: a file *is* its SHA-256, so the same bytes stored twice are one
file, and an event that cites `sha256:<hex>` (issue 13 point 2) pins the exact bytes. Each
upload also records the uploading party (an opaque string chosen by the access policy), so
reading can be limited to the parties that uploaded a file until events cite it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from infra.files.check import FileFault
from infra.files.kinds import Declared
from infra.files.spool import Spool


@dataclass(frozen=True)
class StoredFile:
    """What an upload answers: the file's name (its hash), size and detected media type."""

    sha256: str
    size: int
    media_type: str
    created: bool  # this put stored the bytes (False: they were already there)

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type}


@dataclass(frozen=True)
class FileMeta:
    """A stored file's facts (EXIF time in UTC; positions in WGS-84 degrees, as cameras write)."""

    sha256: str
    size: int
    media_type: str
    chunks: int
    stored_at: datetime
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    has_thumbnail: bool = False
    note: str | None = None  # why there is no thumbnail, or what else people should know


class FileStore(Protocol):
    """One interface for every engine: PostgreSQL (`postgres.py`), S3-compatible (`s3.py`)."""

    def put(self, source: Spool | BinaryIO, *, party: str, actor: str,
            declared: Declared | None = None) -> StoredFile:
        """Store the bytes once (idempotent, also under concurrent uploads of the same bytes),
        and record `party` as one that uploaded them. Raises a `Refused` (nothing stored)."""

    def open(self, sha256: str) -> Iterator[bytes]:
        """The file's bytes, chunk by chunk (never whole in memory)."""

    def thumbnail(self, sha256: str) -> bytes | None:
        """The JPEG thumbnail of an image, or None."""

    def exists(self, sha256: str) -> bool: ...

    def metadata(self, sha256: str) -> FileMeta | None: ...

    def parties(self, sha256: str) -> frozenset[str]:
        """The parties that uploaded the file."""

    def verify(self, progress: Callable[[int, int], None] | None = None) -> Iterator[FileFault]:
        """Re-hash every stored file (streamed); a fault for each changed or vanished one;
        `progress(files, bytes)` as it goes."""
