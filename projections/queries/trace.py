"""The investigator's trace (事故调查追溯): one enterprise, everything before a date.

For the period up to `until` (a business date, e.g. the accident's):
- the agencies bound to the enterprise and by what: its service contracts (委托服务合同) and
  the procurement agreements (政府购买服务协议) covering its township and sector; whether
  each agency was blacklisted then (by record time) and is now;
- every inspection with its experts (names, also of experts who left since), its report,
  and the hazards it found; months a monthly contract owed an inspection and did not get one;
- the hazards and the state each was in on `until` — the ledger's business-date `as_of`
  machinery (`queries.base.hazards`), with overdue and the 三不放过 checks judged that day:
  `unenforced` lists hazards whose enforcement check is violated;
- closures and who reviewed them, enforcement actions, accidents and findings;
- every step with the person who took it (actor), its business date and record time
  (`late_entry_days`: recorded that many days after it happened), and the actors by person.
A step belongs to the period when its business date is on or before `until` (steps without
a date of their own take their record date, as in the ledger).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from typing import Any

from psycopg.sql import SQL

from infra.log_reader import event_data, names_of_topic
from infra.clock import SHANGHAI
from projections import compliance, labels
from projections import oversight_labels as L
from projections.oversight_policy import OversightPolicy
from projections.queries.accountability import owed_months
from projections.queries import ledger as ledger_q
from projections.queries.base import Moment, fetch, hazards
from projections.queries.oversight import actor_name, agencies, blacklist, ended_on, experts, select
from projections.queries.records import Recorded
from projections.readmodels import ReadModels
from projections.views import hazard_rows
from projections.views.base import record_date

DATED = {"Inspection.Scheduled": "scheduled_for", "Inspection.Performed": "performed_on",
         "Inspection.ReportFiled": "filed_on", "ServiceContract.Signed": "start",
         "ServiceContract.Countersigned": "countersigned_on",
         "ServiceContract.Terminated": "terminated_on", "Accident.Recorded": "occurred_on"}


def steps(records: list[Recorded]) -> list[dict[str, Any]]:
    """Every step of the enterprise's aggregates with its business date and actor."""
    rows: dict[str, dict] = {}
    out = []
    for r in records:
        e, name = r.event, r.name
        if name.startswith("Enterprise."):
            continue
        if name == "Hazard.Reported":
            rows[r.originator_id] = hazard_rows.reported(e)
            day = e.discovered_on
        elif name in hazard_rows.STEPS:
            rows[r.originator_id], day = hazard_rows.apply(rows[r.originator_id], e)
        else:
            day = getattr(e, DATED[name]) if name in DATED else record_date(e)
        late = (record_date(e) - day).days
        out.append({"position": r.position, "subject_id": r.originator_id, "event": name,
                    "label": labels.event_label(*names_of_topic(r.topic)), "business_date": day,
                    "recorded_at": e.timestamp, "late_entry_days": max(0, late),
                    "actor": e.actor, "by": actor_name(e.actor),
                    "data": event_data(e)})
    return out


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, SHANGHAI)


def _contracts(mine: list[dict], until: date) -> list[dict[str, Any]]:
    """Each contract as it stood on `until` (renewals and terminations by then)."""
    out: dict[str, dict[str, Any]] = {}
    for s in mine:
        d, cid = s["data"], s["subject_id"]
        if s["event"] == "ServiceContract.Signed":
            out[cid] = {"contract_id": cid, "agency_id": d["agency_id"], "service": d["service"],
                        "service_label": L.SERVICE.get(d["service"]), "start_on": d["start"],
                        "end_on": d["end"], "terminated_on": None, "fee": d["fee"],
                        "signed_by": s["by"], "countersigned_on": None, "countersigned_by": None,
                        "migrated": d.get("migrated", False)}
        elif s["event"] == "ServiceContract.Countersigned" and cid in out:
            out[cid].update(countersigned_on=d["countersigned_on"], countersigned_by=s["by"],
                            migrated=d["migrated"])
        elif s["event"] == "ServiceContract.Renewed" and cid in out:
            out[cid]["end_on"] = d["end"]
        elif s["event"] == "ServiceContract.Terminated" and cid in out:
            out[cid]["terminated_on"] = d["terminated_on"]
    for c in out.values():
        c["in_force_on_until"] = (c["countersigned_on"] is not None  # binds once countersigned
                                  and c["start_on"] <= until <= ended_on(c))
    return list(out.values())


def _inspections(mine: list[dict], names: dict, found: dict) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for s in mine:
        d, iid = s["data"], s["subject_id"]
        if s["event"] == "Inspection.Scheduled":
            out[iid] = {"inspection_id": iid, "agency_id": d["agency_id"], "kind": d["kind"],
                        "kind_label": L.INSPECTION_KIND.get(d["kind"]), "basis_id": d["basis_id"],
                        "scheduled_for": d["scheduled_for"], "status": "scheduled", "performed_on": None,
                        "expert_ids": [], "report_filed_on": None, "report_document_no": None,
                        "actors": {"scheduled": s["by"]}}
            continue
        i = out[iid]
        if s["event"] == "Inspection.Performed":
            i.update(status="performed", performed_on=d["performed_on"], expert_ids=d["expert_ids"])
            i["actors"]["performed"] = s["by"]
        elif s["event"] == "Inspection.ReportFiled":
            i.update(status="report_filed", report_filed_on=d["filed_on"],
                     report_document_no=d["document_no"])
            i["actors"]["report_filed"] = s["by"]
        elif s["event"] == "Inspection.Cancelled":
            i["status"] = "cancelled"
            i["actors"]["cancelled"] = s["by"]
    for i in out.values():
        i["status_label"] = L.INSPECTION_STATUS.get(i["status"])
        i["experts"] = [{"expert_id": x, "name": names.get(x, {}).get("name"),
                         "certificate_no": names.get(x, {}).get("certificate_no")}
                        for x in i.pop("expert_ids")]
        i["hazards_found"] = found.get(i["inspection_id"], 0)
    return sorted(out.values(), key=lambda i: (i["performed_on"] or i["scheduled_for"], i["inspection_id"]))


def _inspection_steps(every: list[dict], until: date) -> list[dict]:
    """Steps of the inspections with a step in the period; their scheduling always (an
    inspection may be performed before the date it was scheduled for)."""
    mine = [s for s in every if s["event"].startswith("Inspection.")]
    included = {s["subject_id"] for s in mine if s["business_date"] <= until}
    return [s for s in mine if s["subject_id"] in included
            and (s["event"] == "Inspection.Scheduled" or s["business_date"] <= until)]


def _missed(contracts: list[dict], inspections: list[dict], until: date, due_day: int) -> list[dict]:
    """Months a monthly contract owed an inspection, ended by `until`, without one by its agency."""
    out = []
    for c in contracts:
        if c["service"] != "monthly" or c["countersigned_on"] is None:  # a proposal owes nothing
            continue
        done = {(i["performed_on"].year, i["performed_on"].month) for i in inspections
                if i["agency_id"] == c["agency_id"] and i["performed_on"] is not None}
        missed = [f"{y}-{m:02d}" for y in range(c["start_on"].year, until.year + 1)
                  for m in owed_months(c, y, due_day, until) if (y, m) not in done]
        if missed:
            out.append({"contract_id": c["contract_id"], "agency_id": c["agency_id"], "months": missed})
    return out


def _hazards(rm: ReadModels, enterprise_id: str, until: date, policy: compliance.Policy,
             mine: list[dict]) -> list[dict[str, Any]]:
    """The enterprise's hazards as they stood on `until`, with their steps and actors."""
    cte, params = hazards(rm.ledger, Moment(as_of=until))
    params["e"] = enterprise_id
    rows = fetch(rm.ledger, cte + SQL("SELECT * FROM base WHERE enterprise_id = %(e)s "
                                      "ORDER BY discovered_on, hazard_id"), params)
    by_hazard = defaultdict(list)
    for s in mine:
        by_hazard[s["subject_id"]].append(s)
    out = []
    for h in rows:
        checks = compliance.evaluate(h, until, policy)
        hs = by_hazard[h["hazard_id"]]
        out.append({
            "hazard_id": h["hazard_id"], "hazard_no": ledger_q.number(h.get("hazard_no"), rm.reference),
            "description": h["description"], "location": h["location"],
            "level": h["level"], "grade_label": labels.grade_label(h["grade"], h["supervision_level"]),
            "criterion": h["criterion"], "criterion_article": ledger_q.article(h["criterion"], rm.criteria),
            "source_label": labels.SOURCE.get(h["source"]), "inspection_id": h["inspection_id"],
            "agency_id": h["agency_id"], "agency_name": h["agency_name"],
            "status": h["status"], "status_label": labels.STATUS.get(h["status"]),
            "discovered_on": h["discovered_on"], "responsible_person": h["responsible_person"],
            "deadline": h["deadline"], "overdue": h["overdue"], "rectified_on": h["rectified_on"],
            "closed_on": h["closed_on"],
            "checks": {k: {"state": v[0], "label": labels.CHECK[v[0]], "why": v[1],
                           "title": labels.THREE_CHECKS[k]} for k, v in checks.items()},
            "unenforced": checks["enforcement"][0] == compliance.VIOLATED,
            "enforcement": [s for s in hs if s["event"] == "Hazard.EnforcementRecorded"],
            "reviews": [s for s in hs if s["event"] in ("Hazard.Reviewed", "Hazard.JointReviewSigned")],
            "closure": [s for s in hs if s["event"] in ("Hazard.ClosureReportFiled", "Hazard.Closed")],
            "steps": hs})
    return out


def _agencies(rm: ReadModels, contracts: list, agreements: list, inspections: list,
              until: date) -> list[dict[str, Any]]:
    bound: dict[str, list[dict]] = defaultdict(list)
    for c in contracts:
        bound[c["agency_id"]].append({"by": "contract", "label": L.BOUND_BY["contract"], **c})
    for g in agreements:
        bound[g["agency_id"]].append({"by": "agreement", "label": L.BOUND_BY["agreement"], **g})
    ids = sorted(set(bound) | {i["agency_id"] for i in inspections if i["agency_id"]})
    rows, entries = agencies(rm.activity, ids), blacklist(rm.activity, ids)
    out = []
    for agency_id in ids:
        a = rows.get(agency_id, {})
        mine = [b for b in entries if b["agency_id"] == agency_id]
        before = [b for b in mine if b["recorded_at"] <= _end_of(until)]
        out.append({"agency_id": agency_id, "name": a.get("name"), "credit_code": a.get("credit_code"),
                    "bound_by": bound.get(agency_id, []), "blacklisted_now": a.get("blacklisted", False),
                    "blacklisted_on_until": bool(before) and before[-1]["action"] == "blacklisted",
                    "blacklist": [{"label": L.BLACKLIST[b["action"]], "reason": b["reason"],
                                   "by": actor_name(b["actor"]), "recorded_at": b["recorded_at"]}
                                  for b in mine]})
    return out


def _agreements(rm: ReadModels, township: str, sector: str, until: date) -> list[dict[str, Any]]:
    return select(rm.activity, "SELECT agreement_id, agency_id, start_on, end_on, townships, sectors "
                  "FROM {g} WHERE %(t)s = ANY(townships) AND %(s)s = ANY(sectors) "
                  "AND start_on <= %(u)s ORDER BY start_on",
                  {"t": township, "s": sector, "u": until}, g="activity_agreements")


def _accidents(rm: ReadModels, enterprise_id: str, until: date) -> list[dict[str, Any]]:
    rows = select(rm.activity, "SELECT * FROM {x} WHERE enterprise_id = %(e)s AND occurred_on <= %(u)s "
                  "ORDER BY occurred_on", {"e": enterprise_id, "u": until}, x="activity_accidents")
    found = select(rm.activity, "SELECT f.*, a.name AS agency_name FROM {f} f LEFT JOIN {a} a "
                   "USING (agency_id) WHERE f.accident_id = ANY(%(ids)s) ORDER BY f.position",
                   {"ids": [r["accident_id"] for r in rows]}, f="activity_findings", a="activity_agencies")
    for r in rows:
        r["category_label"] = L.ACCIDENT.get(r["category"])
        r["findings"] = [{"agency_id": f["agency_id"], "agency_name": f["agency_name"], "kind": f["kind"],
                          "kind_label": L.FINDING.get(f["kind"]), "description": f["description"],
                          "by": actor_name(f["actor"]), "recorded_at": f["recorded_at"]}
                         for f in found if f["accident_id"] == r["accident_id"]]
    return rows


def _actors(all_steps: list[dict]) -> list[dict[str, Any]]:
    """Each person and every step they took (经办人)."""
    people: dict[tuple, dict[str, Any]] = {}
    for s in all_steps:
        a = s["actor"] or {}
        key = (a.get("id"), a.get("name"), a.get("role"))
        p = people.setdefault(key, {"id": a.get("id"), "name": a.get("name"), "role": a.get("role"),
                                    "label": s["by"], "steps": []})
        p["steps"].append({"business_date": s["business_date"], "label": s["label"],
                           "subject_id": s["subject_id"], "position": s["position"]})
    return sorted(people.values(), key=lambda p: (p["role"] or "", p["name"] or ""))


def trace(rm: ReadModels, records: list[Recorded], enterprise_id: str, until: date, *,
          policy: compliance.Policy, oversight: OversightPolicy) -> dict[str, Any]:
    """The trace of one enterprise up to `until` (records: its aggregates' stored events)."""
    registered = next(r.event for r in records if r.name == "Enterprise.Registered")
    enterprise = {"enterprise_id": enterprise_id, "name": registered.name,
                  "credit_code": registered.credit_code, "township": registered.township,
                  "township_name": rm.reference.townships.get(registered.township),
                  "sector": registered.sector, "sector_name": rm.reference.sectors.get(registered.sector),
                  "scale": registered.scale, "scale_label": L.SCALE.get(registered.scale)}
    every = steps(records)  # in the store's order: each aggregate's own history stays in order
    in_period = [s for s in every if s["business_date"] <= until]
    kind = lambda prefix: [s for s in in_period if s["event"].startswith(prefix)]  # noqa: E731
    period = sorted(in_period, key=lambda s: (s["business_date"], s["position"]))
    # a countersignature (会签) binds both parties over the contract's period, whenever recorded
    contracts = _contracts([s for s in every if s["event"].startswith("ServiceContract.") and (
        s["business_date"] <= until or s["event"] == "ServiceContract.Countersigned")], until)
    agreements = _agreements(rm, registered.township, registered.sector, until)
    for g in agreements:
        g["in_force_on_until"] = g["start_on"] <= until <= g["end_on"]
    hazard_list = _hazards(rm, enterprise_id, until, policy, kind("Hazard."))
    found: dict[str, int] = defaultdict(int)
    for h in hazard_list:
        if h["inspection_id"] and h["status"] != "withdrawn":
            found[h["inspection_id"]] += 1
    insp = _inspection_steps(every, until)
    names = experts(rm.activity, sorted({x for s in insp for x in s["data"].get("expert_ids", [])}))
    inspections = _inspections(insp, names, found)
    agency_rows = _agencies(rm, contracts, agreements, inspections, until)
    agency_names = {a["agency_id"]: a["name"] for a in agency_rows}
    for i in inspections:
        i["agency_name"] = agency_names.get(i["agency_id"])
    return {
        "enterprise": enterprise, "until": until, "policy": {**policy.describe(), **oversight.describe()},
        "agencies": agency_rows, "inspections": inspections,
        "missed_months": _missed(contracts, inspections, until, oversight.monthly_due_day),
        "hazards": hazard_list,
        "overdue": [h["hazard_id"] for h in hazard_list if h["overdue"]],
        "unenforced": [h["hazard_id"] for h in hazard_list if h["unenforced"]],
        "enforcement_actions": [s for h in hazard_list for s in h["enforcement"]],
        "closures": [{"hazard_id": h["hazard_id"], "closed_on": h["closed_on"],
                      "reviews": h["reviews"], "closure": h["closure"]}
                     for h in hazard_list if h["status"] == "closed"],
        "accidents": _accidents(rm, enterprise_id, until),
        "steps": period, "actors": _actors(period),
        "summary": {"agencies": len(agency_rows), "inspections": len(inspections),
                    "hazards": len(hazard_list), "overdue": sum(h["overdue"] for h in hazard_list),
                    "unenforced": sum(h["unenforced"] for h in hazard_list),
                    "closed": sum(h["status"] == "closed" for h in hazard_list),
                    "steps": len(period), "late_entries": sum(s["late_entry_days"] > 0 for s in period)},
    }
