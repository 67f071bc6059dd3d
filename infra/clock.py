"""Time: UTC in storage, Asia/Shanghai for people and for business dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in China: the bound for business dates ("never in the future")."""
    return datetime.now(SHANGHAI).date()


def local(moment: datetime) -> str:
    """A stored UTC moment as people read it (ISO 8601 with +08:00)."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def parse_moment(value: str) -> datetime:
    """A moment from a query: a datetime (naive means Shanghai) or a date (its end, Shanghai)."""
    value = value.strip()
    if len(value) == 10:
        day = date.fromisoformat(value)
        return datetime.combine(day, time.max, SHANGHAI).astimezone(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)
