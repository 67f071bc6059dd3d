"""考评 scores and reward funds as tables of the activity view (issue 15 §6): the bureau's scored
fields per party and year (`activity_assessments`) and the yearly reward fund with its allocation
decisions (`activity_reward_funds`). Kept by the activity view's transactions like `oversight.py`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

ASSESSMENTS, FUNDS = "activity_assessments", "activity_reward_funds"

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_assessments (assessment_id text PRIMARY KEY, "
    "kind text NOT NULL, assessed text NOT NULL, township text, sector text, year integer NOT NULL, "
    "scores jsonb NOT NULL, notes text NOT NULL, actor jsonb, recorded_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_assessments_year ON {schema}.activity_assessments (kind, year)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_reward_funds (fund_id text PRIMARY KEY, "
    "year integer NOT NULL UNIQUE, amount numeric NOT NULL, document_no text NOT NULL, "
    "decided_on date NOT NULL, allocated numeric NOT NULL, decisions jsonb NOT NULL)",
)

LAYOUT = (
    Table(ASSESSMENTS, ("assessment_id", "kind", "assessed", "township", "sector", "year", "scores",
                        "notes", "actor", "recorded_at"), json=("scores", "actor")),
    Table(FUNDS, ("fund_id", "year", "amount", "document_no", "decided_on", "allocated", "decisions"),
          key="fund_id", json=("decisions",)),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _scored(fold: Fold, e: Any, position: int) -> None:
    fold.add(ASSESSMENTS, {
        "assessment_id": _id(e), "kind": e.kind, "assessed": e.assessed, "township": e.township,
        "sector": e.sector, "year": e.year, "scores": dict(e.scores), "notes": e.notes,
        "actor": e.actor, "recorded_at": e.timestamp})


def _established(fold: Fold, e: Any, position: int) -> None:
    fold.put(FUNDS, _id(e), {
        "fund_id": _id(e), "year": e.year, "amount": Decimal(e.amount), "document_no": e.document_no,
        "decided_on": e.decided_on, "allocated": Decimal(0), "decisions": []})


@changing(FUNDS, _id)
def _allocated(row: dict, e: Any, position: int) -> None:
    awards = [dict(a) for a in e.awards]
    row.update(allocated=Decimal(row["allocated"]) + sum((Decimal(a["amount"]) for a in awards), Decimal(0)),
               decisions=[*row["decisions"], {"document_no": e.document_no,
                                              "decided_on": e.decided_on.isoformat(), "awards": awards}])


HANDLERS = {"PartyAssessment.Scored": _scored, "RewardFund.Established": _established,
            "RewardFund.Allocated": _allocated}
CHANGES = {"RewardFund.Allocated": (FUNDS, _id)}
