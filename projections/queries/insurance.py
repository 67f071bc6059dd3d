"""安责险 (issue 15 §3): policies, the prevention-fee ledger per insurer and year, and the coverage
of the sectors where the insurance is mandatory, per township. Read from the activity view's
insurance tables (`projections/views/insurance.py`) and its enterprises.

- Premium income of a year: the premiums of the policies whose period starts in that year (a
  premium is income when underwritten; the papers do not say which year a premium belongs to).
- Fee due (应提取事故预防费用): `prevention_rate` (10%, 002 §三(二)) of that income, to the fen.
- Paid (已支出): the prevention services the insurer recorded as paid in that year, by kind.
- Shortfall (缺口): fee due − paid when positive, else 0.
- Coverage (强制投保行业覆盖率): enterprises of a mandatory sector with a policy (any insurer) in
  force on the day read / all enterprises of those sectors, per township.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from psycopg.sql import SQL, Composable

from domain.insurance import InsuranceRules, prevention_fee
from infra.reference import ReferenceData
from projections.labels import PREVENTION_KIND
from projections.queries.base import fetch
from projections.views.base import View

ZERO = Decimal("0.00")


def _clause(alias: str, scope: dict[str, str], allowed: tuple[str, ...]) -> tuple[Composable, dict[str, Any]]:
    """Equalities for the token's scope on the columns a table has; a scope on any other column
    matches nothing (such rows are nobody else's to read)."""
    parts: list[Composable] = [SQL("TRUE")]
    params: dict[str, Any] = {}
    for i, (column, value) in enumerate(sorted(scope.items())):
        if column not in allowed:
            return SQL("FALSE"), {}
        parts.append(SQL(f"{alias}.{column} = %(s{i})s"))
        params[f"s{i}"] = value
    return SQL(" AND ").join(parts), params


POLICY_KEYS = ("policy_id", "policy_no", "insurer_id", "insurer_name", "enterprise_id",
               "enterprise_name", "township", "township_name", "sector", "sector_name", "start_on",
               "end_on", "premium", "mandatory", "mandatory_label", "assess_from", "agencies",
               "in_force")


def policies(activity: View, *, scope: dict[str, str], reference: ReferenceData, on: date,
             year: int | None = None, insurer_id: str | None = None,
             policy_id: str | None = None) -> list[dict[str, Any]]:
    """The policies in scope (an insurer: its own; a township, a sector, an enterprise: theirs),
    newest first; `year`: those whose period starts that year."""
    clause, params = _clause("p", scope, ("insurer_id", "township", "sector", "enterprise_id"))
    extra = []
    if year is not None:
        extra.append(SQL(" AND extract(year FROM p.start_on) = %(year)s"))
        params["year"] = year
    if insurer_id is not None:
        extra.append(SQL(" AND p.insurer_id = %(insurer)s"))
        params["insurer"] = insurer_id
    if policy_id is not None:
        extra.append(SQL(" AND p.policy_id = %(policy)s"))
        params["policy"] = policy_id
    query = SQL("SELECT p.*, i.name AS insurer_name, e.name AS enterprise_name FROM {p} p "
                "LEFT JOIN {i} i ON i.insurer_id = p.insurer_id "
                "LEFT JOIN {e} e ON e.enterprise_id = p.enterprise_id "
                "WHERE {clause}{extra} ORDER BY p.start_on DESC, p.policy_no").format(
        p=activity.table("activity_insurance_policies"), i=activity.table("activity_insurers"),
        e=activity.table("activity_enterprises"), clause=clause, extra=SQL("").join(extra))
    rows = fetch(activity, query, params)
    return [{k: r[k] for k in POLICY_KEYS} for r in (
        {**r, "township_name": reference.townships.get(r["township"], r["township"]),
         "sector_name": reference.sectors.get(r["sector"], r["sector"]),
         "mandatory_label": "强制投保行业" if r["mandatory"] else "非强制",
         "in_force": r["start_on"] <= on <= r["end_on"]} for r in rows)]


def assessments(activity: View, policy_id: str) -> list[dict[str, Any]]:
    """The policy's risk assessments (inspections whose basis it is) and their hazards' counts."""
    query = SQL("SELECT i.inspection_id, i.agency_id, a.name AS agency_name, i.scheduled_for, "
                "i.status, i.performed_on, i.report_filed_on FROM {i} i "
                "LEFT JOIN {a} a ON a.agency_id = i.agency_id "
                "WHERE i.basis_id = %(p)s ORDER BY i.scheduled_for, i.inspection_id").format(
        i=activity.table("activity_inspections"), a=activity.table("activity_agencies"))
    return fetch(activity, query, {"p": policy_id})


def prevention(activity: View, year: int, *, scope: dict[str, str], rules: InsuranceRules) -> dict[str, Any]:
    """The prevention-fee ledger (事故预防费用台账) of a year: one row per insurer in scope."""
    clause, params = _clause("i", scope, ("insurer_id",))
    params["year"] = year
    query = SQL(
        "SELECT i.insurer_id, i.name, "
        "(SELECT count(*) FROM {p} p WHERE p.insurer_id = i.insurer_id "
        " AND extract(year FROM p.start_on) = %(year)s) AS policies, "
        "(SELECT coalesce(sum(p.premium), 0) FROM {p} p WHERE p.insurer_id = i.insurer_id "
        " AND extract(year FROM p.start_on) = %(year)s) AS premiums, "
        "(SELECT coalesce(jsonb_object_agg(k.kind, k.amount), '{{}}'::jsonb) FROM "
        " (SELECT s.kind, sum(s.amount)::text AS amount FROM {s} s WHERE s.insurer_id = i.insurer_id "
        "  AND extract(year FROM s.paid_on) = %(year)s GROUP BY s.kind) k) AS paid_by_kind "
        "FROM {i} i WHERE {clause} ORDER BY i.name, i.insurer_id").format(
        p=activity.table("activity_insurance_policies"), s=activity.table("activity_prevention_services"),
        i=activity.table("activity_insurers"), clause=clause)
    rows = []
    for r in fetch(activity, query, params):
        premiums = Decimal(r["premiums"]).quantize(Decimal("0.01"))
        due = prevention_fee(premiums, rules.prevention_rate)
        by_kind = {k: Decimal(v).quantize(Decimal("0.01")) for k, v in r["paid_by_kind"].items()}
        paid = sum(by_kind.values(), ZERO)
        shortfall = max(due - paid, ZERO)
        rows.append({"insurer_id": r["insurer_id"], "name": r["name"], "year": year,
                     "policies": r["policies"], "premiums": premiums, "fee_due": due,
                     "paid": paid, "paid_by_kind": {PREVENTION_KIND.get(k, k): v for k, v in by_kind.items()},
                     "shortfall": shortfall, "met": shortfall == ZERO,
                     "met_label": "已足额" if shortfall == ZERO else "未足额"})
    return {"year": year, "rate": rules.prevention_rate,
            "summary": f"{year} 年：{len(rows)} 家保险机构，应提取事故预防费用合计 "
                       f"{sum((r['fee_due'] for r in rows), ZERO)} 元，已支出 "
                       f"{sum((r['paid'] for r in rows), ZERO)} 元，未足额 "
                       f"{sum(not r['met'] for r in rows)} 家",
            "items": rows}


def coverage(activity: View, on: date, *, scope: dict[str, str], rules: InsuranceRules,
             reference: ReferenceData) -> dict[str, Any]:
    """Enterprises of the mandatory sectors with a policy in force on `on` / all of them, per
    township (only the townships and sectors of the scope)."""
    clause, params = _clause("e", scope, ("township", "sector", "enterprise_id"))
    params.update(sectors=sorted(rules.mandatory_sectors), on=on)
    query = SQL(
        "SELECT e.township, count(*) AS enterprises, count(*) FILTER (WHERE EXISTS ("
        " SELECT 1 FROM {p} p WHERE p.enterprise_id = e.enterprise_id "
        " AND p.start_on <= %(on)s AND p.end_on >= %(on)s)) AS insured "
        "FROM {e} e WHERE e.sector = ANY(%(sectors)s) AND {clause} "
        "GROUP BY e.township ORDER BY e.township").format(
        p=activity.table("activity_insurance_policies"), e=activity.table("activity_enterprises"),
        clause=clause)
    rows = [{"township": r["township"], "township_name": reference.townships.get(r["township"], r["township"]),
             "enterprises": r["enterprises"], "insured": r["insured"],
             "uninsured": r["enterprises"] - r["insured"], "rate": _rate(r["insured"], r["enterprises"])}
            for r in fetch(activity, query, params)]
    total = sum(r["enterprises"] for r in rows)
    insured = sum(r["insured"] for r in rows)
    return {"on": on, "sectors": [{"sector": s, "sector_name": reference.sectors.get(s, s)}
                                  for s in sorted(rules.mandatory_sectors)],
            "enterprises": total, "insured": insured, "rate": _rate(insured, total),
            "summary": f"截至 {on.isoformat()}：强制投保行业企业 {total} 家，安责险在保 {insured} 家"
                       f"（{_rate(insured, total) or 0}%）",
            "items": rows}


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


POLICY_COLUMNS = [
    ("policy_no", "保单号"), ("insurer_name", "保险机构"), ("enterprise_name", "企业名称"),
    ("township_name", "乡镇（街道）"), ("sector_name", "行业"), ("start_on", "保险起期"),
    ("end_on", "保险止期"), ("premium", "保费（元）"), ("mandatory_label", "强制投保"),
]
PREVENTION_COLUMNS = [
    ("name", "保险机构"), ("year", "年度"), ("policies", "保单数"), ("premiums", "保费收入（元）"),
    ("fee_due", "应提取事故预防费用（元）"), ("paid", "已支出（元）"), ("shortfall", "缺口（元）"),
    ("met_label", "是否足额"),
]
COVERAGE_COLUMNS = [
    ("township_name", "乡镇（街道）"), ("enterprises", "强制投保行业企业数"), ("insured", "在保企业数"),
    ("uninsured", "未投保企业数"), ("rate", "覆盖率（%）"),
]


def hazards_of(ledger: View, inspection_ids: list[str]) -> list[dict[str, Any]]:
    """The hazards the assessments found (source 安责险评估), with their status in words."""
    if not inspection_ids:
        return []
    from projections.labels import LEVEL, STATUS
    query = SQL("SELECT hazard_id, inspection_id, description, level, status, discovered_on, deadline "
                "FROM {h} WHERE inspection_id = ANY(%(ids)s) ORDER BY discovered_on, hazard_id").format(
        h=ledger.table("ledger_hazards"))
    return [{**r, "level_label": LEVEL.get(r["level"], r["level"]),
             "status_label": STATUS.get(r["status"], r["status"])}
            for r in fetch(ledger, query, {"ids": inspection_ids})]


def insurers(activity: View, *, scope: dict[str, str]) -> list[dict[str, Any]]:
    clause, params = _clause("i", scope, ("insurer_id",))
    query = SQL("SELECT i.insurer_id, i.name, i.credit_code, (SELECT count(*) FROM {p} p "
                "WHERE p.insurer_id = i.insurer_id) AS policies FROM {i} i WHERE {clause} "
                "ORDER BY i.name").format(i=activity.table("activity_insurers"),
                                          p=activity.table("activity_insurance_policies"), clause=clause)
    return fetch(activity, query, params)
