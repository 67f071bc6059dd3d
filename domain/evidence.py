"""Evidence entries (证据): a stored file cited by its hash, or a line of text.

An entry `sha256:<64 hex>` cites an evidence file (infra/files) by its content: the event keeps
the hash, so the audit chain covers the photo's exact bytes. Any other entry is text, as clients
before issue 13 sent it ("整改后照片已存档"). An entry that starts like a citation but is not one
(`sha256:abc`) is refused: it was meant to cite a file and would silently cite none.
Pure: whether a cited file exists is the store's question (services.commands.hazards).
"""

from __future__ import annotations

import re

from domain.errors import InvalidValue
from domain.values import text

PREFIX = "sha256:"
_DIGEST = re.compile(r"[0-9a-f]{64}")
MAX_ENTRY = 500


def evidence_entries(field: str, entries: list[str] | None) -> list[str]:
    """The entries checked and normalised: text trimmed and bounded; a citation lower-cased
    (`SHA256:ABC…` → `sha256:abc…`). A malformed citation is 422 naming it."""
    checked = []
    for entry in entries or []:
        entry = text(field, entry, max_len=MAX_ENTRY)
        if entry[:len(PREFIX)].lower() == PREFIX:
            digest = entry[len(PREFIX):].strip().lower()
            if not _DIGEST.fullmatch(digest):
                raise InvalidValue(field, f"证据 {entry[:80]!r} 不是有效的文件引用（应为 sha256:<64 位十六进制>）")
            entry = PREFIX + digest
        checked.append(entry)
    return checked


def cited_files(entries: list[str] | None) -> list[str]:
    """The SHA-256 of each file the (normalised) entries cite, in order, each once."""
    return list(dict.fromkeys(e[len(PREFIX):] for e in entries or [] if e.startswith(PREFIX)))
