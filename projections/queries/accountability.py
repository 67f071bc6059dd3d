"""Agency accountability (中介机构履职) for one agency and one year (SPEC §3, issue 6).

Judged on a day D (the ledger's today unless given):
- contracts (企业委托服务合同) and procurement agreements (政府购买服务协议) in force in the year;
- inspections due against done: a monthly contract owes one inspection for each month on
  whose `monthly_due_day` it is in force; a month that has ended by D without an inspection
  by this agency at that enterprise is missed (漏查). Scheduled inspections past their date
  and never performed are listed too;
- hazards found per inspection performed in the year (withdrawn false reports apart);
- inspection reports (排查报告备案): filed within `report_within_days` of performing (on
  time), later (late, by how many days), or not yet filed (overdue once the limit has passed);
- the rectification rate (整改率) of the enterprises it served in the year — hazards found
  there in the year, from any source, as they stood on D;
- evaluations (考评, each criterion scored), blacklist entries with reasons, accident findings.
Enterprises served by a blacklisted agency carry `served_by_blacklisted`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from psycopg.sql import SQL

from projections import oversight_labels as L
from projections.oversight_policy import OversightPolicy
from projections.queries.base import Moment, fetch, hazards
from projections.queries.oversight import (actor_name, blacklist, ended_on, findings, month_end,
                                           select, year_span)
from projections.queries.rates import ratio
from projections.queries import platform  # issue 15 §5: 绩效评比 beside the 考评
from projections.readmodels import ReadModels

PERFORMED = ("performed", "report_filed")


def owed_months(contract: dict[str, Any], year: int, due_day: int, day: date) -> list[int]:
    """Months of the year a monthly contract owes an inspection for, that have ended by `day`."""
    months = []
    for month in range(1, 13):
        if month_end(year, month) >= day:
            break
        due = date(year, month, min(due_day, month_end(year, month).day))
        if contract["start_on"] <= due <= ended_on(contract):
            months.append(month)
    return months


def _contracts(rm: ReadModels, agency_id: str, year: int) -> list[dict[str, Any]]:
    start, end = year_span(year)
    return select(rm.activity, "SELECT c.*, e.name AS enterprise_name, e.township, e.sector "
                  "FROM {c} c LEFT JOIN {e} e USING (enterprise_id) WHERE c.agency_id = %(a)s "
                  "AND c.start_on <= %(end)s AND c.last_day >= %(start)s "
                  "ORDER BY e.name, c.start_on", {"a": agency_id, "start": start, "end": end},
                  c="activity_contracts", e="activity_enterprises")


def _agreements(rm: ReadModels, agency_id: str, year: int) -> list[dict[str, Any]]:
    start, end = year_span(year)
    rows = select(rm.activity, "SELECT * FROM {g} WHERE agency_id = %(a)s AND start_on <= %(end)s "
                  "AND end_on >= %(start)s ORDER BY start_on", {"a": agency_id, "start": start,
                                                                 "end": end}, g="activity_agreements")
    for r in rows:
        r["township_names"] = [rm.reference.townships.get(t, t) for t in r["townships"]]
        r["sector_names"] = [rm.reference.sectors.get(s, s) for s in r["sectors"]]
    return rows


def _inspections(rm: ReadModels, agency_id: str, year: int) -> list[dict[str, Any]]:
    start, end = year_span(year)
    return select(rm.activity, "SELECT i.*, e.name AS enterprise_name FROM {i} i "
                  "LEFT JOIN {e} e USING (enterprise_id) WHERE i.agency_id = %(a)s AND "
                  "(i.performed_on BETWEEN %(start)s AND %(end)s OR (i.performed_on IS NULL "
                  "AND i.scheduled_for BETWEEN %(start)s AND %(end)s)) "
                  "ORDER BY coalesce(i.performed_on, i.scheduled_for)",
                  {"a": agency_id, "start": start, "end": end},
                  i="activity_inspections", e="activity_enterprises")


def _found(rm: ReadModels, agency_id: str, year: int, day: date) -> dict[str | None, dict[str, int]]:
    """Hazards this agency's inspections found in the year, by inspection (as of `day`)."""
    start, end = year_span(year)
    cte, params = hazards(rm.ledger, Moment(as_of=day))
    params.update(agency=agency_id, start=start, end=end)
    rows = fetch(rm.ledger, cte + SQL(
        "SELECT inspection_id, count(*) FILTER (WHERE status <> 'withdrawn') AS found, "
        "count(*) FILTER (WHERE status <> 'withdrawn' AND level = 'major') AS major, "
        "count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn FROM base "
        "WHERE agency_id = %(agency)s AND discovered_on BETWEEN %(start)s AND %(end)s "
        "GROUP BY inspection_id"), params)
    return {r["inspection_id"]: r for r in rows}


def _rectification(rm: ReadModels, enterprise_ids: list[str], year: int,
                   day: date) -> dict[str, dict[str, Any]]:
    """Per served enterprise: hazards found there in the year (any source), as of `day`."""
    start, end = year_span(year)
    cte, params = hazards(rm.ledger, Moment(as_of=day))
    params.update(ids=enterprise_ids, start=start, end=end)
    rows = fetch(rm.ledger, cte + SQL(
        "SELECT enterprise_id, count(*) AS found, "
        "count(*) FILTER (WHERE status IN ('rectified', 'closed')) AS rectified, "
        "count(*) FILTER (WHERE status = 'closed') AS closed, "
        "count(*) FILTER (WHERE overdue) AS overdue FROM base WHERE enterprise_id = ANY(%(ids)s) "
        "AND status <> 'withdrawn' AND discovered_on BETWEEN %(start)s AND %(end)s "
        "GROUP BY enterprise_id"), params)
    return {r["enterprise_id"]: r for r in rows}


def _report(i: dict[str, Any], limit: int, day: date) -> dict[str, Any]:
    """When the inspection's report was filed, against the limit."""
    if i["report_filed_on"] is not None:
        delay = (i["report_filed_on"] - i["performed_on"]).days
        state = "on_time" if delay <= limit else "late"
        return {"state": state, "delay_days": delay, "days_late": max(0, delay - limit)}
    waited = (day - i["performed_on"]).days
    state = "overdue" if waited > limit else "pending"
    return {"state": state, "delay_days": None, "days_late": max(0, waited - limit)}


REPORT_LABELS = {"on_time": "按时备案", "late": "迟报", "overdue": "逾期未备案", "pending": "待备案"}


def _inspection_rows(inspections: list[dict[str, Any]], found: dict, limit: int,
                     day: date) -> list[dict[str, Any]]:
    rows = []
    for i in inspections:
        row = {k: i[k] for k in ("inspection_id", "enterprise_id", "enterprise_name", "kind",
                                 "basis_id", "scheduled_for", "status", "performed_on",
                                 "report_filed_on", "report_document_no", "experts")}
        row.update(kind_label=L.INSPECTION_KIND.get(i["kind"]),
                   status_label=L.INSPECTION_STATUS.get(i["status"]))
        if i["status"] in PERFORMED:
            f = found.get(i["inspection_id"], {})
            row.update(hazards_found=f.get("found", 0), major_found=f.get("major", 0),
                       report=_report(i, limit, day))
            row["report"]["label"] = REPORT_LABELS[row["report"]["state"]]
        else:
            row["not_performed_past_date"] = i["status"] == "scheduled" and i["scheduled_for"] < day
        rows.append(row)
    return rows


def _inspection_summary(rows: list[dict[str, Any]], found: dict) -> dict[str, Any]:
    done = [r for r in rows if r["status"] in PERFORMED]
    by_kind: dict[str, dict[str, Any]] = {}
    for r in rows:
        k = by_kind.setdefault(r["kind"], {"kind": r["kind"], "label": r["kind_label"],
                                           "scheduled": 0, "performed": 0, "cancelled": 0,
                                           "not_performed_past_date": 0, "hazards_found": 0})
        k["scheduled"] += 1
        k["performed"] += r["status"] in PERFORMED
        k["cancelled"] += r["status"] == "cancelled"
        k["not_performed_past_date"] += bool(r.get("not_performed_past_date"))
        k["hazards_found"] += r.get("hazards_found", 0)
    for k in by_kind.values():
        k["hazards_per_inspection"] = ratio(k["hazards_found"], k["performed"])
    reports: dict[str, int] = dict.fromkeys(REPORT_LABELS, 0)
    for r in done:
        reports[r["report"]["state"]] += 1
    found_total = sum(r["hazards_found"] for r in done)
    return {"scheduled": len(rows), "performed": len(done),
            "zero_hazard": sum(1 for r in done if r["hazards_found"] == 0),
            "hazards_found": found_total, "hazards_per_inspection": ratio(found_total, len(done)),
            "withdrawn_reports": sum(f["withdrawn"] for f in found.values()),
            "by_kind": sorted(by_kind.values(), key=lambda k: k["kind"]), "reports": reports}


def _enterprises(contracts: list[dict], inspections: list[dict], rect: dict, blacklisted: bool,
                 year: int, due_day: int, day: date) -> list[dict[str, Any]]:
    """Per served enterprise: its contracts, months owed / done / missed, inspections, 整改率."""
    done: dict[str, set[int]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    names = {}
    for i in inspections:
        names[i["enterprise_id"]] = i["enterprise_name"]
        if i["status"] in PERFORMED and i["performed_on"].year == year:
            done[i["enterprise_id"]].add(i["performed_on"].month)
            count[i["enterprise_id"]] += 1
    out: dict[str, dict[str, Any]] = {}
    for c in contracts:
        names[c["enterprise_id"]] = c["enterprise_name"]
        e = out.setdefault(c["enterprise_id"], {"months_due": [], "contracts": []})
        e["contracts"].append({"contract_id": c["contract_id"], "service": c["service"],
                               "service_label": L.SERVICE.get(c["service"]), "start": c["start_on"],
                               "end": ended_on(c), "terminated_on": c["terminated_on"]})
        if c["service"] == "monthly":
            e["months_due"] = sorted(set(e["months_due"]) | set(owed_months(c, year, due_day, day)))
    for enterprise_id in names.keys() - out.keys():
        out[enterprise_id] = {"months_due": [], "contracts": []}
    rows = []
    for enterprise_id, e in out.items():
        r = rect.get(enterprise_id, {})
        found, rectified = r.get("found", 0), r.get("rectified", 0)
        rows.append({"enterprise_id": enterprise_id, "enterprise_name": names[enterprise_id], **e,
                     "months_done": sorted(done[enterprise_id]),
                     "months_missed": [m for m in e["months_due"] if m not in done[enterprise_id]],
                     "inspections": count[enterprise_id], "hazards_found": found,
                     "rectified": rectified, "overdue": r.get("overdue", 0),
                     "rectification_rate": ratio(rectified, found),
                     "served_by_blacklisted": blacklisted})
    return sorted(rows, key=lambda x: (x["enterprise_name"] or "", x["enterprise_id"]))


def _evaluations(rm: ReadModels, agency_id: str) -> list[dict[str, Any]]:
    """The 考评 of each year, with the served enterprises' ratings of that year (绩效评比, issue
    15 §5: `ratings` — how many, their mean; None when no enterprise rated it that year)."""
    rows = select(rm.activity, "SELECT * FROM {v} WHERE agency_id = %(a)s ORDER BY year",
                  {"a": agency_id}, v="activity_evaluations")
    rated = platform.agency_ratings(rm.activity, agency_id)
    return [{"year": r["year"], "total": r["total"], "grade": r["grade"], "ratings": rated.get(r["year"]),
             "grade_label": L.GRADE.get(r["grade"]), "notes": r["notes"],
             "criteria": [{"criterion": k, "label": L.CRITERIA[k], "score": r["scores"].get(k)}
                          for k in L.CRITERIA],
             "by": actor_name(r["actor"]), "recorded_at": r["recorded_at"]} for r in rows]


def accountability(rm: ReadModels, agency_id: str, year: int, *, policy: OversightPolicy,
                   day: date) -> dict[str, Any] | None:
    """The accountability record of one agency for one year (None if the view lacks it)."""
    agency = select(rm.activity, "SELECT * FROM {a} WHERE agency_id = %(a)s", {"a": agency_id},
                    a="activity_agencies")
    if not agency:
        return None
    agency = agency[0]
    contracts, inspections = _contracts(rm, agency_id, year), _inspections(rm, agency_id, year)
    found = _found(rm, agency_id, year, day)
    rows = _inspection_rows(inspections, found, policy.report_within_days, day)
    served = sorted({c["enterprise_id"] for c in contracts} | {i["enterprise_id"] for i in inspections
                                                              if i["status"] in PERFORMED})
    rect = _rectification(rm, served, year, day)
    enterprises = _enterprises(contracts, inspections, rect, agency["blacklisted"], year,
                               policy.monthly_due_day, day)
    found_sum = sum(r.get("found", 0) for r in rect.values())
    rectified_sum = sum(r.get("rectified", 0) for r in rect.values())
    entries = blacklist(rm.activity, [agency_id])
    return {
        "agency": {**agency, "experts": _experts(rm, agency_id)}, "year": year, "judged_on": day,
        "policy": policy.describe(), "agreements": _agreements(rm, agency_id, year),
        "contracts": {"in_force": len(contracts),
                      "monthly": sum(1 for c in contracts if c["service"] == "monthly")},
        "monthly_inspections": {
            "months_due": sum(len(e["months_due"]) for e in enterprises),
            "months_missed": sum(len(e["months_missed"]) for e in enterprises)},
        "inspections": _inspection_summary(rows, found), "inspection_list": rows,
        "enterprises": enterprises,
        "rectification": {"enterprises": len(served), "found": found_sum, "rectified": rectified_sum,
                          "overdue": sum(r.get("overdue", 0) for r in rect.values()),
                          "rate": ratio(rectified_sum, found_sum)},
        "evaluations": _evaluations(rm, agency_id),
        "ratings": platform.agency_ratings(rm.activity, agency_id).get(year),  # 绩效评比 of the year
        "blacklist": [{"action": b["action"], "label": L.BLACKLIST[b["action"]], "reason": b["reason"],
                       "by": actor_name(b["actor"]), "recorded_at": b["recorded_at"]} for b in entries],
        "findings": [{**f, "kind_label": L.FINDING.get(f["kind"]), "by": actor_name(f["actor"])}
                     for f in findings(rm.activity, agency_id=agency_id)],
    }


def _experts(rm: ReadModels, agency_id: str) -> list[dict[str, Any]]:
    return select(rm.activity, "SELECT expert_id, name, certificate_no, joined_at, left_at, "
                  "left_reason FROM {x} WHERE agency_id = %(a)s ORDER BY joined_at",
                  {"a": agency_id}, x="activity_experts")
