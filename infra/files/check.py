"""Re-hashing stored files (文件完整性核验): part of `hazard audit verify`.

A file is named by its SHA-256, so its bytes are checked by hashing them again, streamed chunk
by chunk (one chunk in memory at a time). A fault is one of:
- `changed`: the bytes hash to something else, or their size differs from the recorded size;
- `vanished`: a chunk is missing, or (see `infra.citations`) an event cites a file the store
  does not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROBLEMS_ZH = {"changed": "内容被改动", "vanished": "已丢失"}


@dataclass(frozen=True)
class FileFault:
    sha256: str
    problem: str        # "changed" or "vanished"
    detail: str         # in Chinese: what was found
    cited_by: tuple[str, ...] = ()  # "hazard:<id>" of each record citing it

    def as_dict(self) -> dict:
        return {"sha256": self.sha256, "problem": self.problem, "detail": self.detail,
                "cited_by": list(self.cited_by)}


@dataclass
class FilesVerdict:
    checked: int = 0    # files re-hashed
    bytes: int = 0      # bytes read
    faults: list[FileFault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults

    def as_dict(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "bytes": self.bytes,
                "faults": [f.as_dict() for f in self.faults]}
