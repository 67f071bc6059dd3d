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

# Reminders (issue 14 §5) have a stream of their own: `<prefix>.<township>.<sector>.reminder.<kind>`.
# JetStream refuses two streams whose subjects overlap, so the events stream no longer takes
# `<prefix>.>` but one subject per aggregate token (`hz.*.*.hazard.*`, …); a token the relay meets
# that is not yet there is added before the event is published (`StreamPublisher.cover`).
REMINDER_STREAM = "HAZARD_REMINDERS"
REMINDER = "reminder"  # the reserved aggregate token of reminders: no aggregate may be named so

# Short names where the class name is long; every other aggregate is its lower-cased class name.
AGGREGATE_TOKENS = {"ServiceContract": "contract", "ProcurementAgreement": "agreement"}
# The aggregates' tokens the events stream is created with (and `audit`: the chain's checkpoints).
EVENT_TOKENS = ("enterprise", "agency", "agreement", "contract", "inspection", "hazard", "accident",
                "selfreport", "referral", "subsidyclaim", "audit")

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


def event_stream_subject(prefix: str, aggregate_token: str) -> str:
    """The events stream's subject for one aggregate token, e.g. `hz.*.*.hazard.*`."""
    if aggregate_token == REMINDER:
        raise ValueError(f"aggregate token {REMINDER!r} is reserved for reminders")
    return f"{prefix}.*.*.{aggregate_token}.*"


def event_stream_subjects(prefix: str, tokens: tuple[str, ...] = EVENT_TOKENS) -> list[str]:
    return [event_stream_subject(prefix, t) for t in tokens]


def aggregate_of_subject(subject: str) -> str:
    """The aggregate token of an event's subject (its fourth token)."""
    parts = subject.split(".")
    return parts[3] if len(parts) == 5 else ""


def reminder_subject(prefix: str, township: str | None, sector: str | None, kind: str) -> str:
    """The subject of one reminder, e.g. `hz.330226011.chem.reminder.overdue`."""
    return ".".join((prefix, token(township), token(sector), REMINDER, token(kind)))


def reminder_stream_subject(prefix: str = PREFIX) -> str:
    return f"{prefix}.*.*.{REMINDER}.*"


def valid_name(name: str) -> bool:
    """Whether a stream, consumer or prefix name is safe as one subject token."""
    return bool(name) and not re.search(r"[\s.*>]", name)
