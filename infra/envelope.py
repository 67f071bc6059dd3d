"""The message body of one relayed event (JSON, orjson).

    {"type": "Hazard.Reported", "aggregate_type": "Hazard", "position": 42,
     "aggregate_id": "…", "aggregate_version": 1, "time": "2026-06-30T10:15:02.123456+08:00",
     "actor": {"id", "role", "name"}, "township": "330226011", "sector": "chem",
     "data": {…the event's own fields, dates ISO 8601, amounts as strings…}}

`position` is the event's place in the store's one total order (also the `Nats-Msg-Id`
header); `time` is the record time in Asia/Shanghai; `township`/`sector` are null where the
event has none (the subject then carries `_`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

import orjson

from infra.clock import SHANGHAI
from infra.log_reader import event_data, names_of
from infra.placement import Place


class Outgoing(NamedTuple):
    """One message ready for JetStream (a tuple: it crosses from the encoding process)."""

    position: int
    subject: str
    body: bytes
    msg_id: str = ""  # Nats-Msg-Id; the position unless set (audit checkpoints)

    @property
    def message_id(self) -> str:
        return self.msg_id or str(self.position)


def checkpoint(prefix: str, after: int, head: tuple[int, str]) -> Outgoing:
    """The audit chain's head as a witness message on `<prefix>._._.audit.checkpoint`
    (infra/audit_chain.py). It rides in the relay's own sequence right after event `after`,
    and its `Nats-Msg-Id` is `checkpoint-<after>`, so the relay still knows where it stood."""
    position, chain = head
    body = orjson.dumps({"type": "AuditCheckpoint", "position": position, "chain": chain,
                         "time": datetime.now(SHANGHAI).isoformat()})
    return Outgoing(after, f"{prefix}._._.audit.checkpoint", body, msg_id=f"checkpoint-{after}")


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON")


def envelope(event: Any, position: int, place: Place, names: tuple[str, str] | None = None) -> bytes:
    """The body of one event's message; `names` = (aggregate, event), as the log reader named
    them (`Logged.aggregate`, `Logged.name`; `infra.log_reader.names_of` when not given)."""
    aggregate, name = names or names_of(type(event))
    return orjson.dumps({
        "type": f"{aggregate}.{name}",
        "aggregate_type": aggregate,
        "position": position,
        "aggregate_id": event.originator_id,   # orjson writes a UUID as str() does, and a
        "aggregate_version": event.originator_version,  # datetime as isoformat() does
        "time": event.timestamp.astimezone(SHANGHAI),
        "actor": getattr(event, "actor", None),
        "township": place.township,
        "sector": place.sector,
        "data": event_data(event),
    }, default=_default)
