"""Subjects of the fan-out (分发主题): `<prefix>.<township>.<sector>.<aggregate>.<event>`, SPEC §4.

Every token is lower-case ASCII (letters, digits, `-`, `_`); anything else becomes `_`, and
an event without a township or sector (an agency's, a procurement agreement's) gets `_` there.
A township office (乡镇·街道) follows `hz.330226011.>`, a chemicals regulator (危化 行业主管部门)
`hz.*.chem.>`.
"""

from __future__ import annotations

import re
from functools import lru_cache

STREAM = "HAZARD_EVENTS"
PREFIX = "hz"
NONE = "_"

# Short names where the class name is long; every other aggregate is its lower-cased class name.
AGGREGATE_TOKENS = {"ServiceContract": "contract", "ProcurementAgreement": "agreement"}

_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]")


def token(value: object) -> str:
    """One subject token: lower-case ASCII letters, digits, `-` and `_`; `_` when empty."""
    text = str(value).strip().lower() if value is not None else ""
    return _NOT_ALLOWED.sub("_", text) or NONE


def aggregate_token(class_name: str) -> str:
    return AGGREGATE_TOKENS.get(class_name) or token(class_name)


def event_token(class_name: str) -> str:
    return token(class_name)


@lru_cache(maxsize=8192)
def event_subject(prefix: str, township: str | None, sector: str | None, aggregate: str,
                  event: str) -> str:
    """The subject of one event, e.g. `hz.330226011.chem.hazard.reported`."""
    return ".".join((prefix, token(township), token(sector), aggregate_token(aggregate),
                     event_token(event)))


def filter_subject(prefix: str = PREFIX, township: str | None = None,
                   sector: str | None = None) -> str:
    """What a subscriber follows: `hz.330226011.>`, `hz.*.chem.>`, `hz.*.*.>` for everything."""
    if township and sector:
        return f"{prefix}.{token(township)}.{token(sector)}.>"
    if township:
        return f"{prefix}.{token(township)}.>"
    if sector:
        return f"{prefix}.*.{token(sector)}.>"
    return f"{prefix}.>"


def valid_name(name: str) -> bool:
    """Whether a stream, consumer or prefix name is safe as one subject token."""
    return bool(name) and not re.search(r"[\s.*>]", name)
