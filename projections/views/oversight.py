"""Oversight tables of the activity view (issue 6): agencies, experts, agreements, 考评,
blacklist, accidents and findings, subsidy claims.

They belong to the activity view (`projections/views/activity.py`): the same transaction
and tracking position, so they are exactly-once like the rest of it. Handlers here are plain
functions `fn(fold, event, position)` changing the batch's rows in memory (see
`projections/views/tables.py`), merged into `ActivityView.handlers`; `CHANGES` names the
existing row each updating event changes, merged into `ActivityView.changes`.

Tables (schema of the activity view):
- `activity_agencies`: one row per agency — pool admission (入库), blacklist state;
- `activity_experts`: every expert who ever joined (left ones keep their row, with `left_at`);
- `activity_agreements`: procurement agreements (政府购买服务) with townships, sectors, period;
- `activity_evaluations`: one row per agency and year (考评), scores by criterion;
- `activity_blacklist`: every blacklisting and reinstatement, with reason and actor;
- `activity_accidents`, `activity_findings`: accidents and investigators' findings about agencies;
- `activity_claims`: subsidy claims (补贴申请) with their approval steps.
"""

from __future__ import annotations

from typing import Any

from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_agencies (agency_id text PRIMARY KEY, "
    "name text NOT NULL, credit_code text NOT NULL, registered_at timestamptz NOT NULL, "
    "pool_admitted_on date, pool_expires_on date, blacklisted boolean NOT NULL DEFAULT false, "
    "blacklist_reason text)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_experts (expert_id text PRIMARY KEY, "
    "agency_id text NOT NULL, name text NOT NULL, certificate_no text NOT NULL, "
    "joined_at timestamptz NOT NULL, left_at timestamptz, left_reason text)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_agreements (agreement_id text PRIMARY KEY, "
    "agency_id text NOT NULL, townships text[] NOT NULL, sectors text[] NOT NULL, "
    "start_on date NOT NULL, end_on date NOT NULL, prices jsonb NOT NULL, budget numeric NOT NULL, "
    "services text[] NOT NULL, signed_at timestamptz NOT NULL, signed_by jsonb)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_evaluations (agency_id text NOT NULL, "
    "year integer NOT NULL, scores jsonb NOT NULL, total numeric NOT NULL, grade text NOT NULL, "
    "notes text, actor jsonb, recorded_at timestamptz NOT NULL, PRIMARY KEY (agency_id, year))",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_blacklist (position bigint PRIMARY KEY, "
    "agency_id text NOT NULL, action text NOT NULL, reason text NOT NULL, actor jsonb, "
    "recorded_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_accidents (accident_id text PRIMARY KEY, "
    "enterprise_id text NOT NULL, township text NOT NULL, sector text NOT NULL, "
    "occurred_on date NOT NULL, category text NOT NULL, deaths integer NOT NULL, "
    "injuries integer NOT NULL, description text NOT NULL, recorded_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_findings (position bigint PRIMARY KEY, "
    "accident_id text NOT NULL, agency_id text NOT NULL, kind text NOT NULL, "
    "description text NOT NULL, actor jsonb, recorded_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_claims (claim_id text PRIMARY KEY, "
    "agency_id text NOT NULL, year integer NOT NULL, status text NOT NULL, "
    "signing_rate numeric NOT NULL, factor numeric NOT NULL, comprehensive_total numeric NOT NULL, "
    "monthly_total numeric NOT NULL, total numeric NOT NULL, lines integer NOT NULL, "
    "filed_at timestamptz NOT NULL, filed_by jsonb, steps jsonb NOT NULL DEFAULT '[]', "
    "notice_start date, notice_end date, paid_on date, updated_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_contracts_agency ON {schema}.activity_contracts (agency_id)",
    "CREATE INDEX IF NOT EXISTS activity_inspections_agency "
    "ON {schema}.activity_inspections (agency_id, performed_on)",
    "CREATE INDEX IF NOT EXISTS activity_experts_agency ON {schema}.activity_experts (agency_id)",
)
TABLES = ("activity_agencies", "activity_experts", "activity_agreements", "activity_evaluations",
          "activity_blacklist", "activity_accidents", "activity_findings", "activity_claims")


AGENCIES, EXPERTS, CLAIMS = "activity_agencies", "activity_experts", "activity_claims"
LAYOUT = (
    Table(AGENCIES, ("agency_id", "name", "credit_code", "registered_at", "pool_admitted_on",
                     "pool_expires_on", "blacklisted", "blacklist_reason"), key="agency_id"),
    Table(EXPERTS, ("expert_id", "agency_id", "name", "certificate_no", "joined_at", "left_at",
                    "left_reason"), key="expert_id"),
    Table("activity_agreements", ("agreement_id", "agency_id", "townships", "sectors", "start_on",
                                  "end_on", "prices", "budget", "services", "signed_at", "signed_by"),
          json=("prices", "signed_by")),
    Table("activity_evaluations", ("agency_id", "year", "scores", "total", "grade", "notes", "actor",
                                   "recorded_at"), json=("scores", "actor")),
    Table("activity_blacklist", ("position", "agency_id", "action", "reason", "actor", "recorded_at"),
          json=("actor",)),
    Table("activity_accidents", ("accident_id", "enterprise_id", "township", "sector", "occurred_on",
                                 "category", "deaths", "injuries", "description", "recorded_at")),
    Table("activity_findings", ("position", "accident_id", "agency_id", "kind", "description", "actor",
                                "recorded_at"), json=("actor",)),
    Table(CLAIMS, ("claim_id", "agency_id", "year", "status", "signing_rate", "factor",
                   "comprehensive_total", "monthly_total", "total", "lines", "filed_at", "filed_by",
                   "steps", "notice_start", "notice_end", "paid_on", "updated_at"),
          key="claim_id", json=("filed_by", "steps")),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _expert(e: Any) -> str:
    return e.expert_id


def _agency(fold: Fold, e: Any, position: int) -> None:
    fold.put(AGENCIES, _id(e), {
        "agency_id": _id(e), "name": e.name, "credit_code": e.credit_code, "registered_at": e.timestamp,
        "pool_admitted_on": None, "pool_expires_on": None, "blacklisted": False, "blacklist_reason": None})


@changing(AGENCIES, _id)
def _admitted(row: dict, e: Any, position: int) -> None:
    row.update(pool_admitted_on=e.admitted_on, pool_expires_on=e.expires_on)


def _expert_joined(fold: Fold, e: Any, position: int) -> None:
    fold.put(EXPERTS, e.expert_id, {
        "expert_id": e.expert_id, "agency_id": _id(e), "name": e.name,
        "certificate_no": e.certificate_no, "joined_at": e.timestamp, "left_at": None, "left_reason": None})


@changing(EXPERTS, _expert)
def _expert_left(row: dict, e: Any, position: int) -> None:
    row.update(left_at=e.timestamp, left_reason=e.reason)


def _agreement(fold: Fold, e: Any, position: int) -> None:
    fold.add("activity_agreements", {
        "agreement_id": _id(e), "agency_id": e.agency_id, "townships": list(e.townships),
        "sectors": list(e.sectors), "start_on": e.start, "end_on": e.end, "prices": e.prices,
        "budget": e.budget, "services": list(e.services), "signed_at": e.timestamp, "signed_by": e.actor})


def _evaluated(fold: Fold, e: Any, position: int) -> None:
    fold.add("activity_evaluations", {
        "agency_id": _id(e), "year": e.year, "scores": e.scores, "total": e.total, "grade": e.grade,
        "notes": e.notes, "actor": e.actor, "recorded_at": e.timestamp})


def _listing(action: str, blacklisted: bool):
    def handler(fold: Fold, e: Any, position: int) -> None:
        fold.add("activity_blacklist", {"position": position, "agency_id": _id(e), "action": action,
                                        "reason": e.reason, "actor": e.actor, "recorded_at": e.timestamp})
        _blacklist(fold, e, position)

    @changing(AGENCIES, _id)
    def _blacklist(row: dict, e: Any, position: int) -> None:
        row.update(blacklisted=blacklisted, blacklist_reason=e.reason if blacklisted else None)
    return handler


def _accident(fold: Fold, e: Any, position: int) -> None:
    fold.add("activity_accidents", {
        "accident_id": _id(e), "enterprise_id": e.enterprise_id, "township": e.township,
        "sector": e.sector, "occurred_on": e.occurred_on, "category": e.category, "deaths": e.deaths,
        "injuries": e.injuries, "description": e.description, "recorded_at": e.timestamp})


def _finding(fold: Fold, e: Any, position: int) -> None:
    fold.add("activity_findings", {
        "position": position, "accident_id": _id(e), "agency_id": e.agency_id, "kind": e.kind,
        "description": e.description, "actor": e.actor, "recorded_at": e.timestamp})


_BILL = ("signing_rate", "factor", "comprehensive_total", "monthly_total", "total")


def _bill(e: Any) -> dict:
    """The claim's bill as filed (or refiled)."""
    return {**{k: getattr(e, k) for k in _BILL}, "lines": len(e.lines), "filed_at": e.timestamp,
            "filed_by": e.actor, "updated_at": e.timestamp}


def _claim_filed(fold: Fold, e: Any, position: int) -> None:
    fold.put(CLAIMS, _id(e), {
        "claim_id": _id(e), "agency_id": e.agency_id, "year": e.year, "status": "filed", **_bill(e),
        "steps": [], "notice_start": None, "notice_end": None, "paid_on": None})


@changing(CLAIMS, _id)
def _claim_refiled(row: dict, e: Any, position: int) -> None:
    row.update(status="filed", **_bill(e))


@changing(CLAIMS, _id)
def _claim_stepped(row: dict, e: Any, position: int) -> None:
    step = {"step": e.step, "passed": e.passed, "notes": e.notes, "on": e.on, "by": e.actor,
            "recorded_at": e.timestamp}
    row.update(status=e.step if e.passed else "returned", steps=[*row["steps"], step],
               updated_at=e.timestamp)


@changing(CLAIMS, _id)
def _claim_noticed(row: dict, e: Any, position: int) -> None:
    row.update(status="noticed", notice_start=e.start, notice_end=e.end, updated_at=e.timestamp)


@changing(CLAIMS, _id)
def _claim_paid(row: dict, e: Any, position: int) -> None:
    row.update(status="paid", paid_on=e.paid_on, updated_at=e.timestamp)


HANDLERS = {
    "Agency.Registered": _agency,
    "Agency.AdmittedToPool": _admitted,
    "Agency.ExpertJoined": _expert_joined,
    "Agency.ExpertLeft": _expert_left,
    "Agency.Evaluated": _evaluated,
    "Agency.Blacklisted": _listing("blacklisted", True),
    "Agency.Reinstated": _listing("reinstated", False),
    "ProcurementAgreement.Signed": _agreement,
    "Accident.Recorded": _accident,
    "Accident.FindingRecorded": _finding,
    "SubsidyClaim.Filed": _claim_filed,
    "SubsidyClaim.Refiled": _claim_refiled,
    "SubsidyClaim.Stepped": _claim_stepped,
    "SubsidyClaim.Noticed": _claim_noticed,
    "SubsidyClaim.Paid": _claim_paid,
}
CHANGES = {
    **dict.fromkeys(["Agency.AdmittedToPool", "Agency.Blacklisted", "Agency.Reinstated"], (AGENCIES, _id)),
    "Agency.ExpertLeft": (EXPERTS, _expert),
    **dict.fromkeys(["SubsidyClaim.Refiled", "SubsidyClaim.Stepped", "SubsidyClaim.Noticed",
                     "SubsidyClaim.Paid"], (CLAIMS, _id)),
}
