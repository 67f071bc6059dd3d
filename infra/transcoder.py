"""Event encoding with orjson.

orjson writes str, int, float, bool, None, list and dict natively. Dates, datetimes and
decimals are written as tagged objects `{"_type_": …, "_data_": …}` so they come back as the
same Python types — the same convention as the library's own JSONTranscoder, so stored
events stay readable with plain SQL (`convert_from(state, 'UTF8')::jsonb`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _encode_default(obj: Any) -> Any:
    if isinstance(obj, datetime):
        return {"_type_": "datetime_iso", "_data_": obj.isoformat()}
    if isinstance(obj, date):
        return {"_type_": "date_iso", "_data_": obj.isoformat()}
    if isinstance(obj, Decimal):
        return {"_type_": "decimal_str", "_data_": str(obj)}
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not serialisable in an event")


_DECODERS = {
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
    "decimal_str": Decimal,
    "uuid_hex": UUID,
}


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return _DECODERS[value["_type_"]](value["_data_"])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


class OrjsonTranscoder(Transcoder):
    """The event store's transcoder (set as TRANSCODER_TOPIC)."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=_encode_default, option=_OPTIONS)

    def decode(self, data: bytes) -> Any:
        return _restore(orjson.loads(data))
