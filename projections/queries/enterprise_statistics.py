"""One enterprise's quarterly 统计分析表 (16号令: the unit's quarterly statistical analysis of its
hazard work; Ningbo's 企业季报), computed from the record, never typed.

As of the period's last day (business date, `base.hazards` — the one "as of a date" of the read
models; today when the period is still running), optionally only what was recorded by `known_at`.
Columns (Ningbo's): general hazards found in the period / not rectified; major hazards found /
not rectified / with a plan (治理方案); the 五到位 counts among the major hazards found; funds.

The 五到位, each derived from the hazard's recorded steps (docs/readmodels.md, "The
enterprise's quarterly 统计分析表"):
- 整改措施到位  a plan filed (its six parts are required, 方法措施 among them);
- 整改责任到位  a responsible person assigned;
- 整改资金到位  a plan filed (经费物资 is one of its parts) or a rectification cost reported;
- 整改时限到位  a deadline set;
- 应急预案到位  a plan filed (安全措施和应急预案 is one of its parts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg.sql import SQL

from infra.reference import ReferenceData
from projections import labels as L
from projections import oversight_labels as OL
from projections.queries.base import RECTIFIED, Moment, fetch, hazards
from projections.queries.statistics import Period
from projections.views.base import View

FIVE: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "measures": ("整改措施到位", lambda h: h["plan_filed_on"] is not None),
    "responsibility": ("整改责任到位", lambda h: h["responsible_person"] is not None),
    "funds": ("整改资金到位", lambda h: h["plan_filed_on"] is not None
              or h["rectification_cost"] is not None),
    "deadline": ("整改时限到位", lambda h: h["deadline"] is not None),
    "emergency": ("应急预案到位", lambda h: h["plan_filed_on"] is not None),
}

# The enterprise's hazards as they stood at the moment. Its hazard ids are read first and given
# as an array: a condition on the snapshot's DISTINCT ON column with a constant is pushed into
# it, so PostgreSQL reads only these hazards' changes, by index (a sub-select is not pushed).
_ROWS = SQL(
    "SELECT hazard_id, level, grade, status, description, discovered_on, responsible_person, "
    "deadline, plan_filed_on, rectified_on, rectification_cost, supervision_level, overdue "
    "FROM base WHERE hazard_id = ANY(%(ids)s) "
    "AND status <> 'withdrawn' AND (discovered_on >= %(start)s OR rectified_on >= %(year_start)s "
    "OR status NOT IN ('rectified', 'closed')) ORDER BY discovered_on, hazard_id")

_IDS = SQL("SELECT hazard_id FROM {} WHERE enterprise_id = %(eid)s")
_ENTERPRISE = SQL("SELECT enterprise_id, name, credit_code, township, sector, scale "
                  "FROM {} WHERE enterprise_id = %(eid)s")


def as_of_day(period: Period, today: date) -> date:
    """The day the table is read on: the period's last day, or today while it runs."""
    return min(period.end, today)


def enterprise_row(ledger: View, enterprise_id: str) -> dict[str, Any] | None:
    rows = fetch(ledger, _ENTERPRISE.format(ledger.table("ledger_enterprises")), {"eid": enterprise_id})
    return rows[0] if rows else None


def _hazards(ledger: View, enterprise_id: str, period: Period, moment: Moment) -> list[dict[str, Any]]:
    ids = [r["hazard_id"] for r in fetch(ledger, _IDS.format(ledger.table("ledger_hazards")),
                                         {"eid": enterprise_id})]
    if not ids:
        return []
    cte, params = hazards(ledger, moment)
    params.update(ids=ids, start=period.start, year_start=date(period.year, 1, 1))
    return fetch(ledger, cte + _ROWS, params)


def _rectified(h: dict[str, Any]) -> bool:
    return h["status"] in RECTIFIED


def _cost(rows: list[dict[str, Any]]) -> Decimal:
    return sum((h["rectification_cost"] or Decimal(0) for h in rows if _rectified(h)), Decimal(0))


def figures(rows: list[dict[str, Any]], period: Period, day: date) -> dict[str, Any]:
    """The table's figures from the enterprise's hazard rows as they stood on `day`."""
    found = [h for h in rows if period.start <= h["discovered_on"] <= period.end]
    general = [h for h in found if h["level"] == "general"]
    major = [h for h in found if h["level"] == "major"]
    major_open = [h for h in major if not _rectified(h)]
    carried = [h for h in rows if h["level"] == "major" and h["discovered_on"] < period.start
               and not _rectified(h)]
    five = {key: sum(1 for h in major if test(h)) for key, (_, test) in FIVE.items()}
    year = [h for h in rows if h["rectified_on"] is not None
            and date(period.year, 1, 1) <= h["rectified_on"] <= day]
    funds, funds_year = _cost(found), _cost(year)
    return {
        "general_found": len(general), "general_open": sum(not _rectified(h) for h in general),
        "major_found": len(major), "major_open": len(major_open),
        "major_open_with_plan": sum(h["plan_filed_on"] is not None for h in major_open),
        "major_overdue": sum(bool(h["overdue"]) for h in major),
        "major_open_earlier": len(carried),
        "five": five, "five_all": sum(all(test(h) for _, test in FIVE.values()) for h in major),
        "funds": funds, "funds_wan": _wan(funds),
        "funds_year": funds_year, "funds_year_wan": _wan(funds_year),
    }


def _wan(yuan: Decimal) -> Decimal:
    """元 → 万元, four decimals (Ningbo's unit)."""
    return (yuan / Decimal(10000)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _major_detail(h: dict[str, Any]) -> dict[str, Any]:
    return {"hazard_id": h["hazard_id"], "description": h["description"],
            "discovered_on": h["discovered_on"], "status": h["status"], "grade": h["grade"],
            "responsible_person": h["responsible_person"], "deadline": h["deadline"],
            "status_label": L.STATUS.get(h["status"], h["status"]),
            "grade_label": L.GRADE.get(h["grade"], h["grade"]),
            "plan_filed_on": h["plan_filed_on"], "rectified_on": h["rectified_on"],
            "rectification_cost": h["rectification_cost"],
            "five": {key: test(h) for key, (_, test) in FIVE.items()}}


def enterprise_statistics(ledger: View, enterprise: dict[str, Any], period: Period, *, today: date,
                          known_at: datetime | None = None,
                          reference: ReferenceData | None = None) -> dict[str, Any]:
    """The enterprise's 统计分析表 for a quarter (or a year) as of its last day."""
    day = as_of_day(period, today)
    if reference is not None:
        enterprise = {**enterprise, "township_name": reference.townships.get(enterprise["township"]),
                      "sector_name": reference.sectors.get(enterprise["sector"]),
                      "scale_label": OL.SCALE.get(enterprise["scale"])}
    rows = _hazards(ledger, enterprise["enterprise_id"], period, Moment(as_of=day, known_at=known_at))
    major = [h for h in rows if h["level"] == "major"
             and (period.start <= h["discovered_on"] <= period.end or not _rectified(h))]
    return {"enterprise": enterprise, "period": str(period), "start": period.start, "end": period.end,
            "as_of": day, "complete": day == period.end, "due_on": period.due_on,
            "known_at": known_at.isoformat() if known_at else None,
            **figures(rows, period, day),
            "five_labels": {key: label for key, (label, _) in FIVE.items()},
            "major_hazards": [_major_detail(h) for h in major]}


EXPORT_COLUMNS = [
    ("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("period", "统计期间"), ("as_of", "截至日期"),
    ("general_found", "一般隐患数"), ("general_open", "一般隐患未整改数"),
    ("major_found", "重大隐患数"), ("major_open", "重大隐患未整改数"),
    ("major_open_with_plan", "列入治理方案的未整改重大隐患"), ("major_overdue", "重大隐患到期未整改数"),
    ("major_open_earlier", "以前期间发现仍未整改的重大隐患"),
    *((f"five_{key}", label) for key, (label, _) in FIVE.items()), ("five_all", "五到位重大隐患数"),
    ("funds", "本期隐患整改资金（元）"), ("funds_year", "本年累计整改资金（元）"),
]


def export_row(result: dict[str, Any]) -> dict[str, Any]:
    """The table as one row for CSV / XLSX (EXPORT_COLUMNS)."""
    e = result["enterprise"]
    return {**result, "name": e["name"], "credit_code": e["credit_code"],
            **{f"five_{key}": n for key, n in result["five"].items()}}
