"""A file on its way in (暂存): hashed and counted while it streams to a temporary spool.

The spool keeps the first MiB in memory and the rest in a temporary file on disk, so a 10 MiB
photo is never whole in memory; its SHA-256 and size are known when the last byte arrives, and
more bytes than the limit stop it at once (`TooLarge`). The first `HEAD` bytes are kept aside
for the magic-byte check.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from infra.files.errors import TooLarge

CHUNK = 256 * 1024  # stored rows and reads: 256 KiB each
IN_MEMORY = 1024 * 1024  # the spool rolls to disk above this
HEAD = 4096  # bytes kept for content detection


class Spool:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.head = b""
        self._hash = hashlib.sha256()
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)

    def write(self, data: bytes) -> None:
        if self.size + len(data) > self.limit:
            raise TooLarge(self.limit)
        if len(self.head) < HEAD:
            self.head += data[:HEAD - len(self.head)]
        self._hash.update(data)
        self._file.write(data)
        self.size += len(data)

    @property
    def on_disk(self) -> bool:
        """Whether writes now go to the disk (then a server writes from a worker thread)."""
        return bool(getattr(self._file, "_rolled", False))

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def reader(self) -> BinaryIO:
        """The spooled bytes from the start (one reader at a time)."""
        self._file.seek(0)
        return self._file  # type: ignore[return-value]

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        reader = self.reader()
        while block := reader.read(size):
            yield block

    def tail(self, size: int) -> bytes:
        self._file.seek(max(0, self.size - size))
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def spooled(stream: BinaryIO, limit: int) -> Spool:
    """Read a stream into a spool, CHUNK at a time (TooLarge past `limit`, spool closed)."""
    spool = Spool(limit)
    try:
        while block := stream.read(CHUNK):
            spool.write(block)
    except BaseException:
        spool.close()
        raise
    return spool
