"""The subsidy ledger (补贴台账): what each agency is owed for a year, and its approval state.

The bill is `domain.subsidy.bill()` under the year's policy (`infra/subsidy_policy.py`), fed
with facts from the activity view, per enterprise:
- comprehensive (全面排查): the agency performed a comprehensive inspection of it that year
  under a basis in force on the day it was performed (a countersigned contract, or a
  procurement agreement covering the enterprise);
- monthly (按月服务): a monthly-inspection contract (按月排查) with the agency, countersigned by
  the other side (会签), was in force on some day of the year.
A proposal nobody countersigned counts for nothing (issue 10: a subsidy only from the record
that binds both parties).
The approval state is the agency's claim for the year (`SubsidyClaim`, one per agency and
year) as the activity view keeps it: filed → 初审 → 审核 → 审定 → 公示 → paid, or returned.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from domain.subsidy import ServedEnterprise, SubsidyBill, SubsidyPolicy, bill
from domain.subsidy_claim import SubsidyClaim
from projections import oversight_labels as L
from projections.queries.oversight import agencies, select, year_span
from projections.views.base import View


def served(activity: View, year: int, agency_ids: list[str] | None = None
           ) -> dict[str, list[ServedEnterprise]]:
    """Per agency, what it did for each enterprise in the year (the facts a bill needs)."""
    start, end = year_span(year)
    rows = select(activity, (
        "SELECT agency_id, enterprise_id, bool_or(comprehensive) AS comprehensive, "
        "bool_or(monthly) AS monthly FROM ("
        " SELECT i.agency_id, i.enterprise_id, true AS comprehensive, false AS monthly FROM {i} i "
        " WHERE i.kind = 'comprehensive' AND i.agency_id IS NOT NULL "
        " AND i.performed_on BETWEEN %(start)s AND %(end)s AND (EXISTS (SELECT 1 FROM {c} b "
        "  WHERE b.contract_id = i.basis_id AND b.agency_id = i.agency_id "
        "  AND i.performed_on BETWEEN b.start_on AND b.last_day) OR EXISTS (SELECT 1 FROM {g} b "
        "  WHERE b.agreement_id = i.basis_id AND b.agency_id = i.agency_id "
        "  AND i.performed_on BETWEEN b.start_on AND b.end_on "
        "  AND i.township = ANY(b.townships) AND i.sector = ANY(b.sectors))) "
        " UNION ALL SELECT agency_id, enterprise_id, false, true FROM {c} WHERE service = 'monthly' "
        " AND start_on <= %(end)s AND last_day >= %(start)s) f "
        "WHERE (%(ids)s::text[] IS NULL OR agency_id = ANY(%(ids)s)) "
        "GROUP BY agency_id, enterprise_id ORDER BY agency_id, enterprise_id"),
        {"start": start, "end": end, "ids": agency_ids},
        i="activity_inspections", c="activity_contracts", g="activity_agreements")
    out: dict[str, list[ServedEnterprise]] = defaultdict(list)
    for r in rows:
        out[r["agency_id"]].append(ServedEnterprise(r["enterprise_id"], r["comprehensive"], r["monthly"]))
    return out


def claims(activity: View, year: int) -> dict[str, dict[str, Any]]:
    rows = select(activity, "SELECT * FROM {c} WHERE year = %(year)s", {"year": year},
                  c="activity_claims")
    return {r["agency_id"]: r for r in rows}


def bill_row(the_bill: SubsidyBill, detail: bool = False) -> dict[str, Any]:
    row = {"signing_rate": the_bill.signing_rate.quantize(Decimal("0.0001")),
           "factor": the_bill.factor,
           "comprehensive_enterprises": sum(1 for x in the_bill.lines if x.comprehensive),
           "monthly_enterprises": sum(1 for x in the_bill.lines if x.monthly),
           "comprehensive_total": the_bill.comprehensive_total,
           "monthly_total": the_bill.monthly_total, "total": the_bill.total}
    if detail:
        row["lines"] = [{"enterprise_id": x.enterprise_id, "comprehensive": x.comprehensive,
                         "monthly": x.monthly, "total": x.total} for x in the_bill.lines]
    return row


def claim_state(claim: dict[str, Any] | None, owed: Decimal) -> dict[str, Any]:
    if claim is None:
        return {"status": None, "status_label": L.CLAIM[None]}
    steps = [{**s, "label": L.CLAIM_STEP.get(s["step"], s["step"])} for s in claim["steps"]]
    return {"claim_id": claim["claim_id"], "status": claim["status"],
            "status_label": L.CLAIM.get(claim["status"]), "claimed_total": claim["total"],
            "matches_bill": Decimal(claim["total"]) == owed, "filed_at": claim["filed_at"],
            "steps": steps, "notice": {"start": claim["notice_start"], "end": claim["notice_end"]},
            "paid_on": claim["paid_on"]}


def subsidy_ledger(activity: View, year: int, policy: SubsidyPolicy, *,
                   agency_id: str | None = None, detail: bool = False) -> dict[str, Any]:
    """Every agency (or one, for an agency's token) with its bill and claim for the year."""
    chosen = agencies(activity, None if agency_id is None else [agency_id])
    facts = served(activity, year, list(chosen))
    filed = claims(activity, year)
    rows = []
    for a in chosen.values():
        the_bill = bill(policy, facts.get(a["agency_id"], []))
        rows.append({"agency_id": a["agency_id"], "name": a["name"], "credit_code": a["credit_code"],
                     "blacklisted": a["blacklisted"],
                     "claim_id": str(SubsidyClaim.create_id(a["agency_id"], year)),
                     **bill_row(the_bill, detail),
                     "claim": claim_state(filed.get(a["agency_id"]), the_bill.total)})
    totals = {k: sum((r[k] for r in rows), Decimal(0)) for k in
              ("comprehensive_total", "monthly_total", "total")}
    totals.update(comprehensive_enterprises=sum(r["comprehensive_enterprises"] for r in rows),
                  monthly_enterprises=sum(r["monthly_enterprises"] for r in rows),
                  paid=sum((Decimal(r["claim"]["claimed_total"]) for r in rows
                            if r["claim"]["status"] == "paid"), Decimal(0)))
    return {"year": year, "policy": {k: str(v) for k, v in vars(policy).items()},
            "agencies": rows, "total": totals}
