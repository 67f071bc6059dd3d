"""The county calendar file (infra/data/calendar_cn.json): the State Council's notices as data."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from infra.calendar import DEFAULT_FILE, CalendarError, load_calendar
from services.runtime import Config

CALENDAR = load_calendar()


def test_the_file_covers_2025_and_2026_only_and_says_why_not_2027():
    assert CALENDAR.years == {2025, 2026}
    assert "2027" in orjson.loads(DEFAULT_FILE.read_bytes())["note"]


def test_2025_spring_festival_and_national_day_as_published():
    assert not CALENDAR.is_working_day(date(2025, 1, 28))   # 除夕
    assert not CALENDAR.is_working_day(date(2025, 2, 4))    # 初七
    assert CALENDAR.is_working_day(date(2025, 1, 26))       # 周日 上班
    assert CALENDAR.is_working_day(date(2025, 2, 8))        # 周六 上班
    assert not CALENDAR.is_working_day(date(2025, 10, 8))   # 国庆节、中秋节 8 days
    assert CALENDAR.is_working_day(date(2025, 10, 11))      # 周六 上班


def test_2026_national_day_and_its_make_up_days():
    assert CALENDAR.working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert CALENDAR.is_working_day(date(2026, 9, 20)) and CALENDAR.is_working_day(date(2026, 10, 10))
    assert CALENDAR.subtract_working_days(date(2026, 10, 20), 15) == date(2026, 9, 22)


def test_counting_runs_across_the_new_year_of_two_covered_years():
    # 2025-12-29 (Mon) … 2026-01-05 (Mon): 29, 30, 31 Dec; 1–3 Jan off; 4 Jan (Sun, worked) = 4
    assert CALENDAR.working_days_between(date(2025, 12, 29), date(2026, 1, 5)) == 4


def test_config_reads_it_once():
    config = Config()
    assert config.calendar is config.calendar and config.calendar.years == {2025, 2026}


def test_a_county_adds_a_year_by_its_own_file_when_the_notice_is_published(tmp_path, monkeypatch):
    """HAZARD_CALENDAR_FILE: the bundled years and 2027 (a test year: New Year's Day off, a
    Saturday make-up day) — no new release needed when the State Council publishes."""
    years = orjson.loads(DEFAULT_FILE.read_bytes())["years"]
    years["2027"] = {"holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01", "days": 1}],
                     "workdays": [{"name": "测试调休", "date": "2027-01-09"}]}
    path = tmp_path / "calendar.json"
    path.write_bytes(orjson.dumps({"note": "本县补充 2027 年", "years": years}))
    monkeypatch.setenv("HAZARD_CALENDAR_FILE", str(path))
    calendar = Config().calendar
    assert calendar.years == {2025, 2026, 2027}
    assert not calendar.is_working_day(date(2027, 1, 1)) and calendar.is_working_day(date(2027, 1, 9))
    assert calendar.working_days_between(date(2026, 12, 31), date(2027, 1, 5)) == 2  # 12-31, 01-04


def test_a_calendar_file_that_cannot_be_read_is_refused_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HAZARD_CALENDAR_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(CalendarError, match="missing.json"):
        Config().calendar


def _write(tmp_path, year_entry: dict) -> str:
    path = tmp_path / "calendar.json"
    path.write_bytes(orjson.dumps({"note": "t", "years": {"2026": year_entry}}))
    return str(path)


@pytest.mark.parametrize("entry, fault", [
    ({"holidays": [{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"}],
      "workdays": [{"name": "x", "date": "2026-10-03"}]}, "both a holiday and a working day"),
    ({"holidays": [{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-32"}]}, "bad date"),
    ({"holidays": [{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07", "days": 8}]}, "says 8 days"),
    ({"workdays": [{"name": "国庆节", "date": "2026-10-09"}]}, "is a weekday"),
    ({"workdays": [{"name": "国庆节", "date": "2027-01-09"}]}, "not in 2026"),
])
def test_a_bad_file_is_refused_naming_the_file(tmp_path, entry, fault):
    path = _write(tmp_path, entry)
    with pytest.raises(CalendarError, match=fault) as refused:
        load_calendar(path)
    assert path in str(refused.value)
