"""Enterprise self-reports (企业隐患自查自报) of a month, and the non-reporters (未报名单).

An enterprise has reported for a month when it filed the month's self-report (hazards found,
or none found — 零隐患; late ones count, flagged), or when an agency performed an inspection of
it that month (an inspection with an agency whose `performed_on` falls in the month; the
enterprise's own `self` inspections do not count). The non-reporters are the registered
enterprises in scope that have neither — Ningbo's 未报 list. Both read the activity view
(`activity_enterprises`, `activity_self_reports`, `activity_inspections`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg.sql import SQL, Composable

from infra.reference import ReferenceData
from projections.oversight_labels import SCALE
from projections.queries.base import fetch
from projections.queries.oversight import month_end
from projections.views.base import View

SCOPED = ("township", "sector", "enterprise_id")  # the enterprise's columns a scope may fix

_FACTS = SQL(
    "SELECT e.enterprise_id, e.name, e.township, e.sector, e.scale, "
    "s.report_id, s.filed_on, s.late, s.proxy, s.none_found, s.hazards, s.amendments, "
    "EXISTS (SELECT 1 FROM {insp} i WHERE i.enterprise_id = e.enterprise_id "
    " AND i.agency_id IS NOT NULL AND i.performed_on BETWEEN %(start)s AND %(end)s) AS inspected, "
    "(SELECT max(p.month) FROM {sr} p WHERE p.enterprise_id = e.enterprise_id "
    " AND p.month < %(month)s) AS last_reported_month "
    "FROM {ent} e LEFT JOIN {sr} s ON s.enterprise_id = e.enterprise_id AND s.month = %(month)s "
    "WHERE {clause} ORDER BY e.township, e.name, e.enterprise_id")


def scope_clause(scope: dict[str, str], township: str | None = None) -> tuple[Composable, dict[str, Any]]:
    """Equalities on the enterprise's columns: the token's scope, and the township asked for (a
    filter never widens the scope). A scope on any other column (an agency's) matches nothing —
    an enterprise's self-report is no agency's record."""
    pairs = sorted(scope.items()) + ([("township", township)] if township is not None else [])
    parts: list[Composable] = [SQL("TRUE")]
    params: dict[str, Any] = {}
    for i, (column, value) in enumerate(pairs):
        if column not in SCOPED:
            return SQL("FALSE"), {}
        parts.append(SQL(f"e.{column} = %(p{i})s"))
        params[f"p{i}"] = value
    return SQL(" AND ").join(parts), params


def _span(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), month_end(year, number)


def facts(activity: View, month: str, scope: dict[str, str],
          township: str | None = None) -> list[dict[str, Any]]:
    """Each registered enterprise in scope (and in `township`, if given) with its self-report of
    the month (if any) and whether an agency inspected it that month."""
    start, end = _span(month)
    clause, params = scope_clause(scope, township)
    query = _FACTS.format(insp=activity.table("activity_inspections"),
                          sr=activity.table("activity_self_reports"),
                          ent=activity.table("activity_enterprises"), clause=clause)
    return fetch(activity, query, {**params, "month": month, "start": start, "end": end})


def _labelled(row: dict[str, Any], reference: ReferenceData) -> dict[str, Any]:
    return {**row, "township_name": reference.townships.get(row["township"]),
            "sector_name": reference.sectors.get(row["sector"]),
            "scale_label": SCALE.get(row["scale"], row["scale"])}


NON_REPORTER_KEYS = ("enterprise_id", "name", "township", "township_name", "sector", "sector_name",
                     "scale", "scale_label", "last_reported_month")


def non_reporters(activity: View, month: str, *, scope: dict[str, str], reference: ReferenceData,
                  due_on: date, township: str | None = None) -> dict[str, Any]:
    """未报名单: the enterprises in scope with neither a self-report nor an agency inspection in
    `month`, and the month's counts (应报, 已自报 of which late / 代报 / 零隐患, agency-inspected)."""
    rows = facts(activity, month, scope, township)
    reported = [r for r in rows if r["report_id"] is not None]
    missing = [_labelled(r, reference) for r in rows if r["report_id"] is None and not r["inspected"]]
    counts = {"enterprises": len(rows), "self_reported": len(reported),
              "late": sum(r["late"] for r in reported), "proxy": sum(r["proxy"] for r in reported),
              "none_found": sum(r["none_found"] for r in reported),
              "inspected_by_agency": sum(r["inspected"] for r in rows),
              "inspected_only": sum(r["inspected"] and r["report_id"] is None for r in rows),
              "non_reporters": len(missing)}
    return {"month": month, "due_on": due_on, "township": township, **counts,
            "items": [{k: r[k] for k in NON_REPORTER_KEYS} for r in missing]}


SELF_REPORT_KEYS = ("report_id", "enterprise_id", "name", "township", "township_name", "sector",
                    "sector_name", "month", "filed_on", "late", "proxy", "none_found", "hazards",
                    "amendments")


def self_reports(activity: View, month: str, *, scope: dict[str, str], reference: ReferenceData,
                 township: str | None = None) -> list[dict[str, Any]]:
    """The month's self-reports in scope (自查自报), by township and enterprise name."""
    rows = facts(activity, month, scope, township)
    return [{k: r[k] for k in SELF_REPORT_KEYS}
            for r in (_labelled({**r, "month": month}, reference) for r in rows)
            if r["report_id"] is not None]


NON_REPORTER_COLUMNS = [
    ("name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
    ("scale_label", "规模"), ("last_reported_month", "最近自报月份"), ("enterprise_id", "企业编号"),
]
SELF_REPORT_COLUMNS = [
    ("name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
    ("month", "月份"), ("filed_on", "报送日期"), ("late", "逾期报送"), ("proxy", "代报"),
    ("none_found", "零隐患"), ("hazards", "隐患数"), ("amendments", "修改次数"),
    ("enterprise_id", "企业编号"),
]
