"""Time: UTC in storage, Asia/Shanghai for people and for business dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Business dates, periods and moments a query may name: 1990 (the earliest ledgers anyone
# migrates) to 2099 — the same bounds as request bodies' dates (services/api/schemas.py: Day).
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2099, 12, 31)


def today() -> date:
    """Today's date in China: the bound for business dates ("never in the future")."""
    return datetime.now(SHANGHAI).date()


def local(moment: datetime) -> str:
    """A stored UTC moment as people read it (ISO 8601 with +08:00)."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


class OutOfRange(ValueError):
    """A date or moment outside FIRST_DAY..LAST_DAY (the message is in Chinese, for a 422)."""


def within_bounds(day: date) -> date:
    """`day` if it lies in FIRST_DAY..LAST_DAY, else OutOfRange."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(f"日期须在 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间，收到 {day.isoformat()}")
    return day


def parse_moment(value: str) -> datetime:
    """A moment from a query: a datetime (naive means Shanghai) or a date (its end, Shanghai),
    within FIRST_DAY..LAST_DAY (else OutOfRange; ValueError for what is no date at all)."""
    value = value.strip()
    if len(value) == 10:
        day = within_bounds(date.fromisoformat(value))
        return datetime.combine(day, time.max, SHANGHAI).astimezone(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    within_bounds(moment.date())  # before any arithmetic: year 1 or 9999 overflow in astimezone
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)
