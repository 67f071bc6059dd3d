"""The insurance tables of the activity view (安责险, issue 15 §3): insurers, policies, the
accident-prevention services insurers paid for.

Kept by the activity view's transactions (one more follower would hold three more connections:
see `projections/views/referrals.py`). A store whose activity view was built before these
tables needs `hazard projections rebuild activity` once for insurance events stored earlier.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

INSURERS, POLICIES, SERVICES = ("activity_insurers", "activity_insurance_policies",
                                "activity_prevention_services")

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_insurers (insurer_id text PRIMARY KEY, "
    "credit_code text NOT NULL, name text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_insurance_policies (policy_id text PRIMARY KEY, "
    "insurer_id text NOT NULL, enterprise_id text NOT NULL, township text NOT NULL, "
    "sector text NOT NULL, policy_no text NOT NULL, start_on date NOT NULL, end_on date NOT NULL, "
    "premium numeric NOT NULL, mandatory boolean NOT NULL, assess_from date NOT NULL, "
    "agencies jsonb NOT NULL, recorded_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_insurance_policies_insurer "
    "ON {schema}.activity_insurance_policies (insurer_id, start_on)",
    "CREATE INDEX IF NOT EXISTS activity_insurance_policies_enterprise "
    "ON {schema}.activity_insurance_policies (enterprise_id)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_prevention_services (insurer_id text NOT NULL, "
    "reference text NOT NULL, kind text NOT NULL, amount numeric NOT NULL, paid_on date NOT NULL, "
    "enterprise_id text, description text NOT NULL, PRIMARY KEY (insurer_id, reference))",
)

LAYOUT = (
    Table(INSURERS, ("insurer_id", "credit_code", "name")),
    Table(POLICIES, ("policy_id", "insurer_id", "enterprise_id", "township", "sector", "policy_no",
                     "start_on", "end_on", "premium", "mandatory", "assess_from", "agencies",
                     "recorded_at"), key="policy_id", json=("agencies",)),
    Table(SERVICES, ("insurer_id", "reference", "kind", "amount", "paid_on", "enterprise_id",
                     "description")),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _insurer(fold: Fold, e: Any, position: int) -> None:
    fold.add(INSURERS, {"insurer_id": _id(e), "credit_code": e.credit_code, "name": e.name})


def _policy(fold: Fold, e: Any, position: int) -> None:
    fold.put(POLICIES, _id(e), {
        "policy_id": _id(e), "insurer_id": e.insurer_id, "enterprise_id": e.enterprise_id,
        "township": e.township, "sector": e.sector, "policy_no": e.policy_no, "start_on": e.start,
        "end_on": e.end, "premium": Decimal(e.premium), "mandatory": e.mandatory,
        "assess_from": e.assess_from, "agencies": [], "recorded_at": e.timestamp})


@changing(POLICIES, _id)
def _commissioned(row: dict, e: Any, position: int) -> None:
    row["agencies"] = [*row["agencies"], {"agency_id": e.agency_id, "on": e.commissioned_on}]


def _service(fold: Fold, e: Any, position: int) -> None:
    fold.add(SERVICES, {"insurer_id": _id(e), "reference": e.reference, "kind": e.kind,
                        "amount": Decimal(e.amount), "paid_on": e.paid_on,
                        "enterprise_id": e.enterprise_id, "description": e.description})


HANDLERS = {"Insurer.Registered": _insurer, "InsurancePolicy.Issued": _policy,
            "InsurancePolicy.AgencyCommissioned": _commissioned,
            "Insurer.PreventionServicePaid": _service}
CHANGES = {"InsurancePolicy.AgencyCommissioned": (POLICIES, _id)}
