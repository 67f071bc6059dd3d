"""Coverage (社会化服务覆盖率) and the annual enforcement list (年度执法名单), per year.

An enterprise is under socialised service (纳入社会化服务) in a year when
- a service contract (企业委托服务合同, any service), countersigned by both sides (会签),
  binds it to an agency on some day of the year, or
- a procurement agreement (政府购买服务协议) in force that year covers its township and sector
  and an agency performed a comprehensive inspection (全面排查) of it that year.
  or (issue 15 §7, the other forms of 000 §二) when, that year,
- the experts of a mutual-help group inspected it (an inspection of kind `mutual` 组内互查 or
  `inter_group` 组间互查 performed, its basis the group: 企业互助),
- the experts of an industry association inspected it (kind `association`: 行业协会),
- an insurer's risk assessment of it was performed (kind `insurance_assessment`: 安责险 事故预防服务;
  the kind is another part of issue 15 — counted by its code, 0 until such inspections exist).
Each form has its column (`by_contract`, `by_agreement`, `by_group`, `by_association`,
`by_insurance`: an enterprise served by several forms is in each of their columns, and
`several_forms` counts those); `served` counts each enterprise once, whatever its forms.
The goal is a share of the county's enterprises (5 %, 001 §二: policy `coverage.goal`).
The enforcement list (004 §四4): enterprises that neither inspected themselves (an inspection
of kind `self` performed that year) nor contracted an agency (a service contract in force
that year). Enterprises served that year by an agency blacklisted now are flagged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from psycopg.sql import SQL

from infra.reference import ReferenceData
from projections.export import MEDIA, to_csv, workbook
from projections.oversight_labels import SCALE
from projections.queries.oversight import year_span
from projections.queries.rates import ratio
from projections.views.base import View

_FACTS = SQL(
    "SELECT e.enterprise_id, e.name, e.township, e.sector, e.scale, "
    "EXISTS (SELECT 1 FROM {con} c WHERE c.enterprise_id = e.enterprise_id "
    " AND c.start_on <= %(end)s AND c.last_day >= %(start)s) AS contracted, "
    "EXISTS (SELECT 1 FROM {agr} g WHERE e.township = ANY(g.townships) AND e.sector = ANY(g.sectors) "
    " AND g.start_on <= %(end)s AND g.end_on >= %(start)s) AS covered, "
    "EXISTS (SELECT 1 FROM {insp} i WHERE i.enterprise_id = e.enterprise_id AND i.kind = 'comprehensive' "
    " AND i.agency_id IS NOT NULL AND i.performed_on BETWEEN %(start)s AND %(end)s) AS comprehensive, "
    "EXISTS (SELECT 1 FROM {insp} i WHERE i.enterprise_id = e.enterprise_id AND i.kind = 'self' "
    " AND i.performed_on BETWEEN %(start)s AND %(end)s) AS self_inspected, "
    "EXISTS (SELECT 1 FROM {insp} i WHERE i.enterprise_id = e.enterprise_id "
    " AND i.kind IN ('mutual', 'inter_group') "
    " AND i.performed_on BETWEEN %(start)s AND %(end)s) AS group_inspected, "
    "EXISTS (SELECT 1 FROM {insp} i WHERE i.enterprise_id = e.enterprise_id AND i.kind = 'association' "
    " AND i.performed_on BETWEEN %(start)s AND %(end)s) AS association_inspected, "
    "EXISTS (SELECT 1 FROM {insp} i WHERE i.enterprise_id = e.enterprise_id "
    " AND i.kind = 'insurance_assessment' "
    " AND i.performed_on BETWEEN %(start)s AND %(end)s) AS insurance_assessed, "
    "ARRAY(SELECT DISTINCT a.name FROM {ag} a WHERE a.blacklisted AND a.agency_id IN ("
    "  SELECT c.agency_id FROM {con} c WHERE c.enterprise_id = e.enterprise_id "
    "  AND c.start_on <= %(end)s AND c.last_day >= %(start)s "
    "  UNION SELECT i.agency_id FROM {insp} i WHERE i.enterprise_id = e.enterprise_id "
    "  AND i.performed_on BETWEEN %(start)s AND %(end)s)) AS blacklisted_agencies "
    "FROM {ent} e WHERE {clause} ORDER BY e.township, e.name, e.enterprise_id")


def _scope_clause(scope: dict[str, str]) -> tuple[SQL, dict[str, Any]]:
    parts, params = [SQL("TRUE")], {}
    for column in ("township", "sector", "enterprise_id"):
        if column in scope:
            parts.append(SQL(f"e.{column} = %({column})s"))
            params[column] = scope[column]
    return SQL(" AND ").join(parts), params


def facts(activity: View, year: int, scope: dict[str, str]) -> list[dict[str, Any]]:
    """Each enterprise in scope with what it did, or had done for it, that year."""
    start, end = year_span(year)
    clause, params = _scope_clause(scope)
    query = _FACTS.format(con=activity.table("activity_contracts"),
                          agr=activity.table("activity_agreements"),
                          insp=activity.table("activity_inspections"),
                          ag=activity.table("activity_agencies"),
                          ent=activity.table("activity_enterprises"), clause=clause)
    with activity.datastore.transaction(commit=False) as curs:
        curs.execute(query, {**params, "start": start, "end": end})
        rows = list(curs.fetchall())
    for r in rows:
        r["forms"] = [form for form, by in (
            ("contract", r["contracted"]), ("agreement", r["covered"] and r["comprehensive"]),
            ("group", r["group_inspected"]), ("association", r["association_inspected"]),
            ("insurance", r["insurance_assessed"])) if by]
        r["served"] = bool(r["forms"])
        r["enforcement"] = not r["self_inspected"] and not r["contracted"]
        r["served_by_blacklisted"] = bool(r["blacklisted_agencies"])
    return rows


FORMS = ("contract", "agreement", "group", "association", "insurance")  # 000 §二's service forms
BY_FORM = tuple(f"by_{form}" for form in FORMS)


def _townships(rows: list[dict[str, Any]], reference: ReferenceData, goal: Decimal) -> list[dict]:
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = out.setdefault(r["township"], {
            "township": r["township"], "township_name": reference.townships.get(r["township"]),
            "enterprises": 0, "served": 0, "contracted": 0, "agreement_inspected": 0,
            "self_inspected": 0, "enforcement": 0, "served_by_blacklisted": 0,
            **dict.fromkeys(BY_FORM, 0), "several_forms": 0})
        t["enterprises"] += 1
        t["served"] += r["served"]
        for form in r["forms"]:
            t[f"by_{form}"] += 1
        t["several_forms"] += len(r["forms"]) > 1
        t["contracted"] += r["contracted"]
        t["agreement_inspected"] += r["covered"] and r["comprehensive"] and not r["contracted"]
        for key in ("self_inspected", "enforcement", "served_by_blacklisted"):
            t[key] += r[key]
    for t in out.values():
        _share(t, goal)
    return [out[k] for k in sorted(out)]


def _share(t: dict[str, Any], goal: Decimal) -> None:
    t["coverage"] = ratio(t["served"], t["enterprises"])
    t["meets_goal"] = t["coverage"] is not None and Decimal(str(t["coverage"])) >= goal


def coverage(activity: View, year: int, *, scope: dict[str, str], reference: ReferenceData,
             goal: Decimal) -> dict[str, Any]:
    rows = facts(activity, year, scope)
    for r in rows:
        r["township_name"] = reference.townships.get(r["township"])
        r["sector_name"] = reference.sectors.get(r["sector"])
        r["scale_label"] = SCALE.get(r["scale"], r["scale"])
    townships = _townships(rows, reference, goal)
    total = {"township": None, "township_name": "合计", "enterprises": len(rows)}
    for key in ("served", "contracted", "agreement_inspected", "self_inspected", "enforcement",
                "served_by_blacklisted", *BY_FORM, "several_forms"):
        total[key] = sum(t[key] for t in townships)
    _share(total, goal)
    keep = ("enterprise_id", "name", "township", "township_name", "sector", "sector_name", "scale",
            "scale_label",
            "covered", "comprehensive", "blacklisted_agencies")
    return {"year": year, "goal": goal, "townships": townships, "total": total,
            "enforcement_list": [{k: r[k] for k in keep} for r in rows if r["enforcement"]],
            "served_by_blacklisted": [{k: r[k] for k in keep} for r in rows
                                      if r["served_by_blacklisted"]]}


TOWNSHIP_COLUMNS = [
    ("township_name", "乡镇（街道）"), ("enterprises", "企业数"), ("served", "纳入社会化服务企业数"),
    ("coverage", "覆盖率"), ("meets_goal", "达到目标"), ("contracted", "委托服务合同企业数"),
    ("agreement_inspected", "政府购买服务全面排查企业数（无合同）"), ("self_inspected", "自查企业数"),
    ("enforcement", "列入执法名单企业数"), ("served_by_blacklisted", "由黑名单机构服务企业数"),
    # issue 15 §7: by form (an enterprise served by several forms is in each of their columns)
    ("by_contract", "企业委托服务企业数"), ("by_agreement", "政府购买服务排查企业数"),
    ("by_group", "企业互助互查企业数"), ("by_association", "行业协会互查企业数"),
    ("by_insurance", "安责险风险评估企业数"), ("several_forms", "多种形式服务企业数"),
]
ENFORCEMENT_COLUMNS = [
    ("name", "企业名称"), ("township_name", "乡镇（街道）"), ("sector_name", "行业"),
    ("scale_label", "规模"), ("covered", "在政府购买服务范围内"), ("comprehensive", "已全面排查"),
    ("enterprise_id", "企业编号"),
]


def _tables(result: dict[str, Any]) -> dict[str, tuple[list, list[dict], str]]:
    year = result["year"]
    return {"townships": (TOWNSHIP_COLUMNS, [*result["townships"], result["total"]],
                          f"{year}年社会化服务覆盖率"),
            "enforcement": (ENFORCEMENT_COLUMNS, result["enforcement_list"], f"{year}年度执法名单")}


def export(result: dict[str, Any], fmt: str, table: str) -> tuple[bytes, str]:
    """CSV: one table (the enforcement list, or the townships); XLSX: both, one sheet each."""
    tables = _tables(result)
    if fmt == "csv":
        columns, rows, _ = tables[table]
        return to_csv(columns, rows), MEDIA["csv"]
    return workbook(tables[name] for name in ("townships", "enforcement")), MEDIA["xlsx"]
