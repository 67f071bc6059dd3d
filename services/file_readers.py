"""Who may read an evidence file because of the records citing it (引用该文件的记录).

`file_citations` (infra/citations.py) lists the records whose events cite a file; a token may
read the file if it may read one of them — for a hazard, `authorize(principal, "hazard.read",
subject_of(Hazard, id))`. An agency whose service to the enterprise has ended sees a hazard only
up to that day (`authorize_reading`), so it reads the file only if one of the steps it still
sees cites it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.evidence import PREFIX
from domain.hazard import Hazard
from infra.auth import Principal
from infra.citations import CitationIndex
from services.access import Forbidden
from services.errors import NotFound


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


READERS: dict[str, Callable[[Any, Principal, str, str], bool]] = {"hazard": _reads_hazard}
