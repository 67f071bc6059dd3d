"""三不放过 compliance: per hazard the three checks, totals by township and by sector."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from psycopg.sql import SQL, Identifier

from infra.reference import ReferenceData
from projections import labels
from projections.compliance import CHECKS, NA, VIOLATED, Policy, evaluate
from projections.queries.base import Filters, Moment, fetch, hazards
from projections.queries.ledger import Page
from projections.views.base import View

STATES = ("met", "pending", "violated")
NEEDED = SQL(", ").join(map(Identifier, (
    "hazard_id", "enterprise_id", "enterprise_name", "township", "sector", "agency_id", "grade",
    "level", "supervision_level", "listed_on", "status", "discovered_on", "assigned_on",
    "responsible_person", "deadline", "overdue", "enforcement_count", "last_enforcement_kind",
    "last_enforcement_doc", "last_enforced_on", "rectified_on", "review_passed_on",
    "joint_review_on", "closure_report_on", "closure_report_doc", "closed_on")))


def _checked(view: View, moment: Moment, filters: Filters, policy: Policy) -> list[dict[str, Any]]:
    cte, params = hazards(view, moment)
    clause, more = filters.clause()
    params.update(more)
    rows = fetch(view, cte + SQL("SELECT {} FROM base WHERE ").format(NEEDED) + clause +
                 SQL(" ORDER BY discovered_on DESC, hazard_id"), params)
    day = moment.day
    for row in rows:
        row["checks"] = evaluate(row, day, policy)
    return rows


def _item(row: dict[str, Any], reference: ReferenceData) -> dict[str, Any]:
    checks = row["checks"]
    return {
        "hazard_id": row["hazard_id"], "enterprise_id": row["enterprise_id"],
        "enterprise_name": row["enterprise_name"], "township": row["township"],
        "township_name": reference.townships.get(row["township"]), "sector": row["sector"],
        "sector_name": reference.sectors.get(row["sector"]), "agency_id": row["agency_id"],
        "grade": row["grade"], "grade_label": labels.grade_label(row["grade"], row["supervision_level"]),
        "status": row["status"], "status_label": labels.STATUS.get(row["status"]),
        "discovered_on": row["discovered_on"], "deadline": row["deadline"], "overdue": row["overdue"],
        "checks": {name: {"state": state, "label": labels.CHECK[state], "why": why,
                          "title": labels.THREE_CHECKS[name]}
                   for name, (state, why) in checks.items()},
        "compliant": all(state in ("met", NA) for state, _ in checks.values()),
    }


def _totals(rows: list[dict[str, Any]], column: str, names: dict[str, str]) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "hazards": 0, "all_met": 0, "any_violated": 0,
        **{check: dict.fromkeys(STATES, 0) for check in CHECKS}})
    for row in rows:
        if row["status"] == "withdrawn":
            continue
        g = groups[row[column]]
        g["hazards"] += 1
        states = [row["checks"][check][0] for check in CHECKS]
        for check, state in zip(CHECKS, states, strict=True):
            g[check][state] += 1
        g["all_met"] += all(s == "met" for s in states)
        g["any_violated"] += any(s == VIOLATED for s in states)
    return [{"key": key, "name": names.get(key), **g} for key, g in sorted(groups.items())]


def compliance(view: View, moment: Moment, filters: Filters, *, policy: Policy,
               reference: ReferenceData, page: Page | None, check: str | None = None,
               state: str | None = None) -> dict[str, Any]:
    """Items (optionally only those whose `check` is in `state`), paged, and totals."""
    rows = _checked(view, moment, filters, policy)
    totals = {"by_township": _totals(rows, "township", reference.townships),
              "by_sector": _totals(rows, "sector", reference.sectors)}
    chosen = [r for r in rows if _matches(r, check, state)]
    shown = chosen if page is None else chosen[page.offset:page.offset + page.size]
    return {**moment.describe(), "policy": policy.describe(), "total": len(chosen),
            "items": [_item(r, reference) for r in shown], "totals": totals}


def _matches(row: dict[str, Any], check: str | None, state: str | None) -> bool:
    if state is None:
        return True
    checks = [check] if check else list(CHECKS)
    return any(row["checks"][c][0] == state for c in checks)


EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("hazard_id", "隐患编号"), ("enterprise_name", "企业名称"), ("township_name", "乡镇（街道）"),
    ("sector_name", "行业"), ("grade_label", "隐患等级"), ("status_label", "状态"),
    ("discovered_on", "发现日期"), ("deadline", "整改期限"),
    ("responsibility_label", "责任不落实不放过"), ("responsibility_why", "说明（责任）"),
    ("enforcement_label", "执法不到位不放过"), ("enforcement_why", "说明（执法）"),
    ("elimination_label", "隐患不消除不放过"), ("elimination_why", "说明（消除）"),
]


def flat(item: dict[str, Any]) -> dict[str, Any]:
    """An item with its checks as columns, for CSV/XLSX."""
    out = dict(item)
    for name, c in item["checks"].items():
        out[f"{name}_label"], out[f"{name}_why"] = c["label"], c["why"]
    return out
