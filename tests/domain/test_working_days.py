"""Working days over China's published calendar: the State Council's 2025 and 2026 notices.

The calendar is built here from the dates of the notices themselves (pure domain, no file).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.working_days import OutsideCalendar, WorkingCalendar


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)
HOLIDAYS_2026 = (_span(date(2026, 1, 1), date(2026, 1, 3)) + _span(date(2026, 2, 15), date(2026, 2, 23))
                 + _span(date(2026, 4, 4), date(2026, 4, 6)) + _span(date(2026, 5, 1), date(2026, 5, 5))
                 + _span(date(2026, 6, 19), date(2026, 6, 21)) + _span(date(2026, 9, 25), date(2026, 9, 27))
                 + _span(date(2026, 10, 1), date(2026, 10, 7)))
WORKDAYS_2026 = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                 date(2026, 9, 20), date(2026, 10, 10)]
CALENDAR = WorkingCalendar(HOLIDAYS_2026, WORKDAYS_2026)


def test_national_day_week_is_off_and_its_make_up_sunday_and_saturday_are_worked():
    assert not any(CALENDAR.is_working_day(d) for d in _span(date(2026, 10, 1), date(2026, 10, 7)))
    assert CALENDAR.is_working_day(date(2026, 9, 20))    # 周日 上班
    assert CALENDAR.is_working_day(date(2026, 10, 10))   # 周六 上班
    assert not CALENDAR.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert CALENDAR.is_working_day(date(2026, 10, 8))    # Thursday after the holiday


def test_ordinary_weekdays_work_and_weekends_rest():
    assert CALENDAR.is_working_day(date(2026, 12, 1))      # Tuesday
    assert not CALENDAR.is_working_day(date(2026, 12, 5))  # Saturday


def test_counting_over_national_day_counts_the_make_up_saturday():
    # 2026-09-28 (Mon) … 10-12 (Mon): 28, 29, 30 Sep; 8, 9 Oct; 10 Oct (调休上班) = 6
    assert CALENDAR.working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert CALENDAR.working_days_between(date(2026, 10, 12), date(2026, 9, 28)) == -6
    assert CALENDAR.working_days_between(date(2026, 10, 1), date(2026, 10, 1)) == 0


def test_fifteen_working_days_before_a_deadline_after_national_day():
    deadline = date(2026, 10, 20)  # Tuesday
    latest = CALENDAR.subtract_working_days(deadline, 15)
    # back from 10-19: 19, 16, 15, 14, 13, 12, 10 (Sat, worked), 9, 8 = 9; 1–7 Oct off;
    # 30, 29, 28 Sep = 12; 25–27 中秋 off; 24, 23, 22 = 15 → 2026-09-22
    assert latest == date(2026, 9, 22)
    assert CALENDAR.working_days_between(latest, deadline) == 15
    assert CALENDAR.working_days_between(latest + timedelta(1), deadline) == 14


def test_spring_festival_nine_days_and_two_make_up_saturdays():
    assert CALENDAR.working_days_between(date(2026, 2, 9), date(2026, 3, 2)) == 5 + 1 + 0 + 4 + 1
    # 9–13 Feb (5), 14 Feb Sat worked (1), 15–23 off, 24–27 (4), 28 Feb Sat worked (1)


def test_outside_the_covered_years_it_refuses_rather_than_guesses():
    with pytest.raises(OutsideCalendar, match="2027-01-04"):
        CALENDAR.is_working_day(date(2027, 1, 4))
    with pytest.raises(OutsideCalendar):
        CALENDAR.working_days_between(date(2026, 12, 28), date(2027, 1, 8))
    with pytest.raises(OutsideCalendar, match="2025"):
        CALENDAR.subtract_working_days(date(2026, 1, 5), 3)  # crosses into 2025, not in this calendar


def test_a_day_both_holiday_and_working_day_is_refused():
    with pytest.raises(ValueError, match="2026-10-10"):
        WorkingCalendar([date(2026, 10, 10)], [date(2026, 10, 10)])
