"""The evidence files' part of `hazard audit verify` (issue 13 point 2): every stored file
re-hashed, streamed, and every cited hash looked up — the events' chain covers the hashes, this
covers the bytes they name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.citations import CitationIndex
from infra.files.check import FileFault, FilesVerdict


def verify_files(ledger: Any, progress: Callable[[int, int], None] | None = None) -> FilesVerdict:
    """Faults: files whose bytes changed or whose chunks vanished (with the records citing
    them), then hashes cited by events that no stored file has."""
    store = ledger.evidence_files
    index = CitationIndex(ledger.recorder.datastore)
    verdict = FilesVerdict()

    def counted(files: int, read: int) -> None:
        verdict.checked, verdict.bytes = files, read
        if progress:
            progress(files, read)

    for fault in store.verify(progress=counted):
        cited = tuple(f"{kind}:{rid}" for kind, rid, _ in index.records_citing(fault.sha256))
        verdict.faults.append(FileFault(fault.sha256, fault.problem, fault.detail, cited))
    missing: dict[str, list[str]] = {}
    for sha, kind, rid in index.cited_without_file():
        missing.setdefault(sha, []).append(f"{kind}:{rid}")
    verdict.faults += [FileFault(sha, "vanished", "被引用的文件不存在", tuple(by)) for sha, by in missing.items()]
    return verdict
