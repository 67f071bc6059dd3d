"""Quarterly and yearly statistics (事故隐患排查治理统计分析表) per enterprise and per township.

A quarter's table is due by the 15th of the first month of the next quarter, a year's by
31 January (`due_on`). It counts hazards found in the period, as they stood at the period's
last day (business date; `known_at` may restrict it to what was recorded by a moment), and
inspections performed in the period (the activity view).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from psycopg.sql import SQL

from infra.clock import FIRST_DAY, LAST_DAY
from infra.reference import ReferenceData
from projections.queries.base import Filters, Moment, fetch, hazards
from projections.queries.rates import ratio
from projections.views.base import View

_PERIOD = re.compile(r"(\d{4})(?:-?Q([1-4]))?")


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """"2025" (a year) or "2025Q1" / "2025-Q1" (a quarter)."""
        m = _PERIOD.fullmatch(text.strip().upper())
        if not m:
            raise ValueError(f"期间须为年份（2025）或季度（2025Q1），收到 {text!r}")
        year = int(m.group(1))
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ValueError(f"期间的年份须在 {FIRST_DAY.year} 至 {LAST_DAY.year} 之间，收到 {text!r}")
        return cls(year, int(m.group(2)) if m.group(2) else None)

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def due_on(self) -> date:
        """季报: 15th of the next quarter's first month; 年报: 31 January of the next year."""
        if self.quarter is None:
            return date(self.year + 1, 1, 31)
        return self.end + timedelta(days=15)

    def __str__(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"


_HAZARDS = SQL(
    "SELECT enterprise_id, "
    "count(*) FILTER (WHERE level = 'general') AS general_found, "
    "count(*) FILTER (WHERE level = 'general' AND status NOT IN ('rectified', 'closed')) AS general_open, "
    "count(*) FILTER (WHERE level = 'major') AS major_found, "
    "count(*) FILTER (WHERE level = 'major' AND status NOT IN ('rectified', 'closed')) AS major_open, "
    "count(*) FILTER (WHERE level = 'major' AND status NOT IN ('rectified', 'closed') "
    "AND plan_filed_on IS NOT NULL) AS major_in_plan, "
    "count(*) FILTER (WHERE level = 'major' AND overdue) AS major_overdue, "
    "count(*) FILTER (WHERE supervision_level IS NOT NULL) AS supervised, "
    "count(*) FILTER (WHERE supervision_level IS NOT NULL AND status NOT IN ('rectified', 'closed')) "
    "AS supervised_open, "
    "coalesce(sum(rectification_cost) FILTER (WHERE status IN ('rectified', 'closed')), 0) AS funds "
    "FROM base WHERE status <> 'withdrawn' AND discovered_on BETWEEN %(start)s AND %(end)s AND {} "
    "GROUP BY enterprise_id")

_ACTIVITY = SQL(
    "SELECT e.enterprise_id, e.name, e.township, e.sector, e.scale, "
    "(SELECT count(*) FROM {insp} i WHERE i.enterprise_id = e.enterprise_id AND i.status <> 'cancelled' "
    " AND i.performed_on BETWEEN %(start)s AND %(end)s {agency_i}) AS inspections, "
    "EXISTS (SELECT 1 FROM {con} c WHERE c.enterprise_id = e.enterprise_id AND c.service = 'monthly' "
    " AND c.start_on <= %(end)s AND c.last_day >= %(start)s {agency_c}) "
    "AS monthly_contract "
    "FROM {ent} e WHERE {clause} ORDER BY e.township, e.name")

COUNTS = ("general_found", "general_open", "major_found", "major_open", "major_in_plan",
          "major_overdue", "supervised", "supervised_open")


def _enterprises(activity: View, period: Period, scope: dict[str, str]) -> list[dict[str, Any]]:
    parts, params = [SQL("TRUE")], {"start": period.start, "end": period.end}
    for column in ("township", "sector", "enterprise_id"):
        if column in scope:
            parts.append(SQL(f"e.{column} = %({column})s"))
            params[column] = scope[column]
    agency_i = agency_c = SQL("")
    if "agency_id" in scope:  # an agency sees the enterprises it inspected or serves
        params["agency_id"] = scope["agency_id"]
        agency_i, agency_c = SQL("AND i.agency_id = %(agency_id)s"), SQL("AND c.agency_id = %(agency_id)s")
    query = _ACTIVITY.format(insp=activity.table("activity_inspections"),
                             con=activity.table("activity_contracts"),
                             ent=activity.table("activity_enterprises"),
                             clause=SQL(" AND ").join(parts), agency_i=agency_i, agency_c=agency_c)
    rows = fetch(activity, query, params)
    if "agency_id" in scope:
        rows = [r for r in rows if r["inspections"] or r["monthly_contract"]]
    return rows


def _hazard_counts(ledger: View, period: Period, known_at: datetime | None,
                   scope: dict[str, str]) -> dict[str, dict[str, Any]]:
    cte, params = hazards(ledger, Moment(as_of=period.end, known_at=known_at))
    clause, more = Filters(scope=scope).clause()
    params.update(more, start=period.start, end=period.end)
    return {r["enterprise_id"]: r for r in fetch(ledger, cte + _HAZARDS.format(clause), params)}


def _enterprise_row(e: dict[str, Any], h: dict[str, Any] | None) -> dict[str, Any]:
    counts = {c: (h or {}).get(c, 0) for c in COUNTS}
    found = counts["general_found"] + counts["major_found"]
    rectified = found - counts["general_open"] - counts["major_open"]
    return {**e, **counts, "funds": (h or {}).get("funds", 0), "found": found,
            "rectified": rectified, "rate": ratio(rectified, found),
            "inspected": e["inspections"] > 0, "zero_hazard": e["inspections"] > 0 and found == 0}


def statistics(ledger: View, activity: View, period: Period, *, by: str, scope: dict[str, str],
               known_at: datetime | None, reference: ReferenceData) -> dict[str, Any]:
    counts = _hazard_counts(ledger, period, known_at, scope)
    rows = [_enterprise_row(e, counts.get(e["enterprise_id"]))
            for e in _enterprises(activity, period, scope)]
    for r in rows:
        r["township_name"] = reference.townships.get(r["township"])
        r["sector_name"] = reference.sectors.get(r["sector"])
    out = rows if by == "enterprise" else _by_township(rows, reference)
    return {"period": str(period), "start": period.start, "end": period.end,
            "due_on": period.due_on, "known_at": known_at.isoformat() if known_at else None,
            "by": by, "rows": out}


def _by_township(rows: list[dict[str, Any]], reference: ReferenceData) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = out.setdefault(r["township"], {
            "township": r["township"], "township_name": reference.townships.get(r["township"]),
            "enterprises": 0, "inspected": 0, "monthly_contract": 0, "zero_hazard": 0,
            "inspections": 0, "found": 0, "rectified": 0, "funds": 0, **dict.fromkeys(COUNTS, 0)})
        t["enterprises"] += 1
        for key in ("inspected", "monthly_contract", "zero_hazard"):
            t[key] += bool(r[key])
        for key in ("inspections", "found", "rectified", "funds", *COUNTS):
            t[key] += r[key]
    for t in out.values():
        t["coverage"] = ratio(t["inspected"], t["enterprises"])
        t["rate"] = ratio(t["rectified"], t["found"])
    return [out[k] for k in sorted(out)]


_COMMON = [
    ("inspections", "排查次数"), ("general_found", "一般隐患数"), ("general_open", "一般隐患未整改数"),
    ("major_found", "重大隐患数"), ("major_open", "重大隐患未整改数"),
    ("major_in_plan", "列入治理方案的未整改重大隐患"), ("major_overdue", "重大隐患到期未整改数"),
    ("supervised", "挂牌督办数"), ("supervised_open", "挂牌督办未整改数"),
    ("found", "隐患总数"), ("rectified", "已整改数"), ("rate", "整改率"), ("funds", "整改资金（元）"),
]
EXPORT_COLUMNS = {
    "enterprise": [("name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
                   ("monthly_contract", "按月排查签约"), ("zero_hazard", "零隐患"), *_COMMON],
    "township": [("township_name", "乡镇（街道）"), ("enterprises", "应报企业数"),
                 ("inspected", "已排查企业数"), ("coverage", "排查覆盖率"),
                 ("monthly_contract", "按月排查签约企业数"), ("zero_hazard", "零隐患企业数"), *_COMMON],
}
