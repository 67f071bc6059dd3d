"""Alarm rates per township (智慧用电告警率, issue 15 §4): per township, kind and month, the
alarms, the enterprises with devices, alarms per such enterprise, and the hazards the alarms
raised. Reads the activity view (`activity_alarms`).

"Enterprises with devices" (接入智慧用电的企业): the ledger keeps no register of devices; an
enterprise counts from the month of its first alarm on (of any kind), since a device that has
reported is known to be installed. The rate is alarms ÷ those enterprises of the township as of
the month's end, per kind.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composable

from infra.reference import ReferenceData
from projections.labels import ALARM_KIND
from projections.queries.base import fetch
from projections.views.base import View

SCOPED = ("township", "sector", "enterprise_id")

_RATES = SQL(
    "WITH scoped AS (SELECT * FROM {alarms} a WHERE {clause}), "
    "firsts AS (SELECT enterprise_id, township, min(month) AS since FROM scoped GROUP BY 1, 2), "
    "counted AS (SELECT township, kind, month, count(*) AS alarms, "
    " count(DISTINCT enterprise_id) AS alarming, count(*) FILTER (WHERE raised) AS hazards_raised "
    " FROM scoped WHERE month LIKE %(year)s AND (%(kind)s::text IS NULL OR kind = %(kind)s) "
    " GROUP BY 1, 2, 3) "
    "SELECT c.township, c.kind, c.month, c.alarms, c.alarming, c.hazards_raised, "
    "(SELECT count(*) FROM firsts f WHERE f.township = c.township AND f.since <= c.month) AS enterprises "
    "FROM counted c ORDER BY c.township, c.month, c.kind")

COLUMNS = (("township_name", "乡镇（街道）"), ("month", "月份"), ("kind_label", "告警类型"),
           ("alarms", "告警次数"), ("enterprises", "接入企业数"), ("per_enterprise", "每企业告警次数"),
           ("alarming", "有告警的企业数"), ("hazards_raised", "自动生成隐患数"))


def _clause(scope: dict[str, str], township: str | None) -> tuple[Composable, dict[str, Any]]:
    """The token's scope on the alarm's columns (an agency's matches nothing: no alarm is its
    record), then the township asked for (it never widens the scope)."""
    pairs = sorted(scope.items()) + ([("township", township)] if township else [])
    parts: list[Composable] = [SQL("TRUE")]
    params: dict[str, Any] = {}
    for i, (column, value) in enumerate(pairs):
        if column not in SCOPED:
            return SQL("FALSE"), {}
        parts.append(SQL(f"a.{column} = %(p{i})s"))
        params[f"p{i}"] = value
    return SQL(" AND ").join(parts), params


def alarm_rates(activity: View, year: int, *, scope: dict[str, str], reference: ReferenceData,
                township: str | None = None, kind: str | None = None) -> dict[str, Any]:
    clause, params = _clause(scope, township)
    rows = fetch(activity, _RATES.format(alarms=activity.table("activity_alarms"), clause=clause),
                 {**params, "year": f"{year:04d}-%", "kind": kind})
    items = []
    for r in rows:
        firms = int(r["enterprises"])
        items.append({
            "township": r["township"], "township_name": reference.townships.get(r["township"], r["township"]),
            "month": r["month"], "kind": r["kind"], "kind_label": ALARM_KIND.get(r["kind"], r["kind"]),
            "alarms": int(r["alarms"]), "enterprises": firms, "alarming": int(r["alarming"]),
            "per_enterprise": round(int(r["alarms"]) / firms, 2) if firms else None,
            "hazards_raised": int(r["hazards_raised"])})
    return {"year": year, "township": township, "kind": kind, "total": len(items), "items": items,
            "labels": dict(COLUMNS)}
