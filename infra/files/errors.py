"""Why a file was refused (nothing is stored for any of them). The HTTP status each maps to is
the API's business (services/api/routes/files.py); the messages are for people, in Chinese."""

from __future__ import annotations


class Refused(Exception):
    """A file not stored; `message` says what was found."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLarge(Refused):
    """More bytes than the limit (HAZARD_FILE_MAX_BYTES)."""

    def __init__(self, limit: int) -> None:
        mib = f"（{limit // 1048576} MiB）" if limit % 1048576 == 0 else ""
        super().__init__(f"文件超过 {limit:,} 字节{mib}上限，未保存")
        self.limit = limit


class Empty(Refused):
    def __init__(self) -> None:
        super().__init__("文件为空（0 字节），未保存")


class Unsupported(Refused):
    """The bytes are of a kind not accepted (named: what was found)."""

    def __init__(self, found: str, message: str) -> None:
        super().__init__(message)
        self.found = found


class Mismatch(Refused):
    """The bytes are an accepted kind, but not the one the upload declared."""


class Unreadable(Refused):
    """The bytes start as an accepted kind but are not a readable file of it (truncated, corrupt,
    or an image with more pixels than a photo has)."""
