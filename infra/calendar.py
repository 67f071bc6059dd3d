"""The county's working calendar (工作日历), read from a data file (China's, by default).

`infra/data/calendar_cn.json` holds, per year, the State Council's notice (国务院办公厅关于…年
部分节假日安排的通知): holiday ranges (放假, with the notice's own day count) and make-up working
days (调休上班). `load_calendar` reads it once (through `services.runtime.Config.calendar`) and
checks it; any fault raises `CalendarError` naming the file and the entry.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from domain.working_days import WorkingCalendar

DEFAULT_FILE = Path(__file__).with_name("data") / "calendar_cn.json"


class CalendarError(ValueError):
    """A calendar file that cannot be served, with the place of the fault."""


def load_calendar(path: str | Path = DEFAULT_FILE) -> WorkingCalendar:
    path = Path(path)
    try:
        data = orjson.loads(path.read_bytes())
        years = data["years"]
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as e:
        raise CalendarError(f"{path}: cannot read the calendar ({e})") from e
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for year, entry in years.items():
        where = f"{path}: year {year}"
        covered = _year(year, where)
        for h in entry.get("holidays", []):
            for d in _range(h, covered, f"{where}, holiday {h!r}"):
                holidays[d] = h.get("name", "")
        for w in entry.get("workdays", []):
            d = _day(w.get("date"), covered, f"{where}, workday {w!r}")
            if d.weekday() < 5:
                raise CalendarError(f"{where}, workday {w!r}: {d} is a weekday, not a make-up day")
            workdays[d] = w.get("name", "")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise CalendarError(f"{path}: both a holiday and a working day: {[d.isoformat() for d in both]}")
    return WorkingCalendar(holidays, workdays, years={int(y) for y in years})


def _year(text: Any, where: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError) as e:
        raise CalendarError(f"{where}: not a year") from e


def _day(text: Any, year: int, where: str) -> date:
    try:
        d = date.fromisoformat(text)
    except (TypeError, ValueError) as e:
        raise CalendarError(f"{where}: bad date {text!r}") from e
    if d.year != year:
        raise CalendarError(f"{where}: {d} is not in {year}")
    return d


def _range(entry: dict[str, Any], year: int, where: str) -> list[date]:
    first, last = _day(entry.get("from"), year, where), _day(entry.get("to"), year, where)
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    if not days:
        raise CalendarError(f"{where}: ends before it starts")
    if "days" in entry and entry["days"] != len(days):
        raise CalendarError(f"{where}: the notice says {entry['days']} days, the range has {len(days)}")
    return days


DEFAULT_MIN_WORKING_DAYS = 15


def load_min_working_days(policy_file: str | Path) -> int:
    """Section `extensions` of the county policy file: `{"min_working_days": 15}` — an extension
    request (延期申请) is due at least that many working days before the deadline. A file
    without the section gets 15; a value that is not a whole number from 0 to 60 is refused."""
    data = orjson.loads(Path(policy_file).read_bytes())
    section = data.get("extensions", {}) if isinstance(data, dict) else {}
    value = section.get("min_working_days", DEFAULT_MIN_WORKING_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60:
        raise CalendarError(f"{policy_file}: extensions.min_working_days must be 0–60, got {value!r}")
    return value
