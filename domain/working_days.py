"""Working days (工作日) over a published holiday calendar — pure arithmetic, no I/O.

A day is a working day when it is a make-up working day (调休上班), or a weekday that is not a
public holiday (放假). The calendar covers only the years whose State Council notice it holds;
asked about any other year it raises `OutsideCalendar` and never guesses.

`working_days_between(a, b)` counts the working days in [a, b): the request day counts, the
deadline does not. `subtract_working_days(d, n)` is the n-th working day before d, so
`working_days_between(subtract_working_days(d, n), d) == n`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from domain.errors import InvalidValue

_DAY = timedelta(days=1)


class OutsideCalendar(InvalidValue):
    """A date in a year the working calendar does not cover (工作日历未覆盖的年份)."""

    def __init__(self, day: date, years: frozenset[int]) -> None:
        covered = "、".join(str(y) for y in sorted(years)) or "无"
        super().__init__("date", f"{day.isoformat()} 不在工作日历覆盖的年份内（已覆盖：{covered}），不作推算")
        self.day = day


class WorkingCalendar:
    """Public holidays and make-up working days of the covered years."""

    def __init__(self, holidays: Iterable[date], workdays: Iterable[date], *,
                 years: Iterable[int] | None = None) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"both holiday and working day: {sorted(d.isoformat() for d in both)}")
        days = self.holidays | self.workdays
        self.years = frozenset(years) if years is not None else frozenset(d.year for d in days)
        outside = sorted(d.isoformat() for d in days if d.year not in self.years)
        if outside:
            raise ValueError(f"days outside the covered years: {outside}")

    def covers(self, d: date) -> bool:
        return d.year in self.years

    def _require(self, d: date) -> None:
        if d.year not in self.years:
            raise OutsideCalendar(d, self.years)

    def is_working_day(self, d: date) -> bool:
        """调休上班 → working; 放假 → off; otherwise Monday–Friday."""
        self._require(d)
        if d in self.workdays:
            return True
        return d not in self.holidays and d.weekday() < 5

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in [a, b); negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        count, d = 0, a
        while d < b:
            count += self.is_working_day(d)
            d += _DAY
        return count

    def subtract_working_days(self, d: date, n: int) -> date:
        """The n-th working day before d (n ≥ 1); d itself never counts."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day = d
        while n:
            day -= _DAY
            n -= self.is_working_day(day)
        return day
