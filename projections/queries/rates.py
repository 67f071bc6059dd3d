"""Rectification rates (整改率) by township, sector, agency or enterprise, per month/quarter/year.

Definitions (docs/readmodels.md): hazards are counted in the period they were found
(discovered_on) and judged on the day D (as_of, default today); withdrawn false reports
are left out.
- found 发现: not withdrawn;
- rectified 已整改: rectification reported and not sent back by a failed review (status
  rectified or closed) by D;
- on time 按期整改: rectified on or before the deadline in force (approved extensions count);
- closed 已销号; overdue 逾期未整改: responsibility assigned, deadline before D, not rectified;
- 整改率 = rectified / found; 按期整改率 = on time / due, where due 应整改 = rectified + overdue.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Identifier

from infra.reference import ReferenceData
from projections.queries.base import Filters, Moment, fetch, hazards
from projections.views.base import View

DIMENSIONS = {"county": None, "township": "township", "sector": "sector", "agency": "agency_id",
              "enterprise": "enterprise_id"}
PERIODS = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}
COUNTS = ("found", "rectified", "on_time", "closed", "overdue")

_AGGREGATES = SQL(
    "count(*) AS found, "
    "count(*) FILTER (WHERE status IN ('rectified', 'closed')) AS rectified, "
    "count(*) FILTER (WHERE status IN ('rectified', 'closed') AND rectified_on <= deadline) AS on_time, "
    "count(*) FILTER (WHERE status = 'closed') AS closed, "
    "count(*) FILTER (WHERE overdue) AS overdue")


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def with_rates(counts: dict[str, Any]) -> dict[str, Any]:
    due = counts["rectified"] + counts["overdue"]
    return {**counts, "due": due, "rate": ratio(counts["rectified"], counts["found"]),
            "on_time_rate": ratio(counts["on_time"], due)}


def rates(view: View, moment: Moment, filters: Filters, *, by: str, period: str,
          reference: ReferenceData) -> dict[str, Any]:
    column = DIMENSIONS[by]
    key = SQL("'county'") if column is None else Identifier(column)
    name = {"agency": SQL("max(agency_name)"), "enterprise": SQL("max(enterprise_name)")}.get(
        by, SQL("NULL"))
    cte, params = hazards(view, moment)
    clause, more = filters.clause()
    params.update(more, fmt=PERIODS[period])
    rows = fetch(view, cte + SQL(
        "SELECT {key} AS key, {name} AS name, to_char(discovered_on, %(fmt)s) AS period, {agg} "
        "FROM base WHERE status <> 'withdrawn' AND {clause} GROUP BY 1, 3 ORDER BY 3, 1").format(
        key=key, name=name, agg=_AGGREGATES, clause=clause), params)
    names = {"township": reference.townships, "sector": reference.sectors}.get(by, {})
    groups = [{"key": r["key"], "name": r["name"] or names.get(r["key"]) or
               ("全县" if by == "county" else None), "period": r["period"],
               **with_rates({c: r[c] for c in COUNTS})} for r in rows]
    total = with_rates({c: sum(g[c] for g in groups) for c in COUNTS})
    return {**moment.describe(), "by": by, "period": period, "groups": groups, "total": total}


EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("period", "期间"), ("key", "代码"), ("name", "名称"), ("found", "发现隐患"),
    ("rectified", "已整改"), ("on_time", "按期整改"), ("closed", "已销号"), ("overdue", "逾期未整改"),
    ("due", "应整改"), ("rate", "整改率"), ("on_time_rate", "按期整改率"),
]
