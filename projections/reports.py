"""The four reports as the API and the CLI ask for them, and how each exports to a table."""

from __future__ import annotations

from typing import Any

from projections.queries import compliance as compliance_q
from projections.queries import ledger as ledger_q
from projections.queries import rates as rates_q
from projections.queries import statistics as statistics_q
from projections.queries.base import Filters, Moment
from projections.queries.ledger import Page
from projections.queries.statistics import Period
from projections.readmodels import ReadModels


def ledger(rm: ReadModels, moment: Moment, filters: Filters, page: Page | None,
           order: tuple[tuple[str, bool], ...] = ledger_q.DEFAULT_ORDER) -> dict[str, Any]:
    """隐患台账: `page` None gives every matching row (exports), in `order` (ledger_q.parse_sort)."""
    total, rows = ledger_q.ledger(rm.ledger, moment, filters, page, order)
    return {**moment.describe(), "total": total, "page": page.number if page else None,
            "page_size": page.size if page else None,
            "items": [ledger_q.item(r, rm.reference, rm.criteria) for r in rows]}


def rates(rm: ReadModels, moment: Moment, filters: Filters, by: str, period: str) -> dict[str, Any]:
    """整改率 by a dimension and a period."""
    return rates_q.rates(rm.ledger, moment, filters, by=by, period=period, reference=rm.reference)


def compliance(rm: ReadModels, moment: Moment, filters: Filters, page: Page | None,
               check: str | None = None, state: str | None = None) -> dict[str, Any]:
    """三不放过: per hazard, and totals by township and sector."""
    return compliance_q.compliance(rm.ledger, moment, filters, policy=rm.policy,
                                   reference=rm.reference, page=page, check=check, state=state)


def statistics(rm: ReadModels, period: Period, by: str, scope: dict[str, str],
               known_at: Any, page: Page | None) -> dict[str, Any]:
    """统计分析表 for a quarter or a year, per enterprise (paged) or per township."""
    result = statistics_q.statistics(rm.ledger, rm.activity, period, by=by, scope=scope,
                                     known_at=known_at, reference=rm.reference)
    rows = result["rows"]
    result["total"] = len(rows)
    if page is not None and by == "enterprise":
        result["rows"] = rows[page.offset:page.offset + page.size]
    return result


def table(kind: str, result: dict[str, Any]) -> tuple[list[tuple[str, str]], list[dict], str]:
    """(columns, rows, sheet title) of a report, for CSV and XLSX."""
    if kind == "ledger":
        return ledger_q.EXPORT_COLUMNS, result["items"], "隐患台账"
    if kind == "rates":
        return rates_q.EXPORT_COLUMNS, result["groups"], "整改率"
    if kind == "compliance":
        return (compliance_q.EXPORT_COLUMNS, [compliance_q.flat(i) for i in result["items"]],
                "三不放过")
    return (statistics_q.EXPORT_COLUMNS[result["by"]], result["rows"],
            f"统计分析表 {result['period']}")
