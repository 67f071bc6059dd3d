"""Who may read an evidence file because of the records citing it (引用该文件的记录).

`file_citations` (infra/citations.py) lists the records whose events cite a file; a token may
read the file if it may read one of them — for a hazard, `authorize(principal, "hazard.read",
subject_of(Hazard, id))`; for an inspection's checklist, "inspection.read". An agency whose service to the enterprise has ended sees a hazard only
up to that day (`authorize_reading`), so it reads the file only if one of the steps it still
sees cites it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.errors import InvalidValue
from domain.evidence import PREFIX, cited_files, evidence_entries
from domain.hazard import Hazard
from domain.inspection import Inspection
from infra.auth import Principal
from infra.citations import CitationIndex
from infra.files import FileStore
from services.access import Forbidden, may_read_file
from services.errors import NotFound


def require_citable(ledger: Any, store: FileStore, who: Principal, entries: list[str] | None) -> None:
    """A token cites only files it may read itself (uploaded by its party, county-wide, or cited
    by a record it reads): otherwise citing would hand the file to everyone reading the new
    record. A file that does not exist and one it may not read are refused alike (422 naming
    the hash), so the answer does not tell whether someone else stored those bytes."""
    for sha in cited_files(evidence_entries("evidence", entries)):
        if not (store.exists(sha) and may_read_file(who, store.parties(sha),
                                                    lambda: reads_a_record_citing(ledger, who, sha))):
            raise InvalidValue("evidence", UNKNOWN_FILE.format(sha=sha))


UNKNOWN_FILE = "证据文件 sha256:{sha} 不存在或无权引用（请先上传：POST /api/v1/files）"


def reads_a_record_citing(ledger: Any, who: Principal, sha256: str) -> bool:
    """Whether `who` may read a record whose events cite the file."""
    for kind, record_id, _ in CitationIndex(ledger.recorder.datastore).records_citing(sha256):
        reads = READERS.get(kind)
        if reads is not None and reads(ledger, who, record_id, sha256):
            return True
    return False


def _reads_hazard(ledger: Any, who: Principal, hazard_id: str, sha256: str) -> bool:
    try:
        last_day = ledger.authorize_reading(who, "hazard.read", ledger.subject_of(Hazard, hazard_id))
    except (Forbidden, NotFound):
        return False
    if last_day is None:
        return True
    cited = PREFIX + sha256
    return any(cited in (getattr(e, "evidence", None) or ())
               for e in ledger.history_until(Hazard, hazard_id, last_day))


def _reads_inspection(ledger: Any, who: Principal, inspection_id: str, sha256: str) -> bool:
    """An inspection's checklist evidence (kind `inspection`): whoever may read the inspection."""
    try:
        ledger.authorize_reading(who, "inspection.read", ledger.subject_of(Inspection, inspection_id))
    except (Forbidden, NotFound):
        return False
    return True


READERS: dict[str, Callable[[Any, Principal, str, str], bool]] = {
    "hazard": _reads_hazard, "inspection": _reads_inspection}
