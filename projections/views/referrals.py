"""The referrals table of the activity view (交办, issue 14 §3 and §4): one row per referral.

`activity_referrals` is kept by the activity view's transactions (same tracking position, so
exactly once like the rest of it; merged into `ActivityView` as `oversight.py` is). Fed by
`Referral.Referred` (the row: receiver, instructions, hazards as referred, the joint meeting's
month), `Referral.SignedFor` (签收: date and the signer's name) and `Referral.Answered` (答复).

Why a table of the activity view and not a view of its own: a view is one more follower, and a
follower holds three PostgreSQL connections for as long as `hazard serve` runs (its subscription
LISTENs on one and pulls the log through another, its view writes through a third:
`projections.runners.runner_env`) — the suite's busiest test already peaks at 17–19 of its 20.
The price: a store whose activity view was built before this table needs
`hazard projections rebuild activity` once for the referrals stored earlier (docs/referrals.md).

The state (办理中 / 逾期未答复 / 已答复) is not stored: it depends on the day it is read on, and
is derived from `due_on` and `answered_on` at query time (`projections/queries/referrals.py`).
"""

from __future__ import annotations

from typing import Any

from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

REFERRALS = "activity_referrals"

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_referrals (referral_id text PRIMARY KEY, "
    "receiver_kind text NOT NULL, receiver text NOT NULL, instructions text NOT NULL, "
    "document_no text NOT NULL, referred_on date NOT NULL, due_on date NOT NULL, "
    "signed_on date, signed_by text, answered_on date, answer text, hazards jsonb NOT NULL, "
    "meeting text, position bigint NOT NULL, recorded_at timestamptz NOT NULL)",
    # a unit's list, oldest first (the order referred in the log)
    "CREATE INDEX IF NOT EXISTS activity_referrals_receiver "
    "ON {schema}.activity_referrals (receiver_kind, receiver, position)",
    "CREATE INDEX IF NOT EXISTS activity_referrals_meeting ON {schema}.activity_referrals (meeting) "
    "WHERE meeting IS NOT NULL",
)

LAYOUT = (
    Table(REFERRALS, ("referral_id", "receiver_kind", "receiver", "instructions", "document_no",
                      "referred_on", "due_on", "signed_on", "signed_by", "answered_on", "answer",
                      "hazards", "meeting", "position", "recorded_at"),
          key="referral_id", json=("hazards",)),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _name(actor: dict | None) -> str | None:
    return (actor or {}).get("name")


def _referred(fold: Fold, e: Any, position: int) -> None:
    fold.put(REFERRALS, _id(e), {
        "referral_id": _id(e), "receiver_kind": e.receiver_kind, "receiver": e.receiver,
        "instructions": e.instructions, "document_no": e.document_no or "",
        "referred_on": e.referred_on, "due_on": e.due_on, "signed_on": None, "signed_by": None,
        "answered_on": None, "answer": None,
        "hazards": [{k: h.get(k) for k in ("id", "description", "township", "sector", "enterprise_id")}
                    for h in e.hazards],
        "meeting": e.meeting,  # None: not a meeting's decision (Referred v1 upcast: docs/events.md)
        "position": position, "recorded_at": e.timestamp})


@changing(REFERRALS, _id)
def _signed_for(row: dict, e: Any, position: int) -> None:
    row.update(signed_on=e.signed_on, signed_by=_name(e.actor))


@changing(REFERRALS, _id)
def _answered(row: dict, e: Any, position: int) -> None:
    row.update(answered_on=e.answered_on, answer=e.answer)


HANDLERS = {"Referral.Referred": _referred, "Referral.SignedFor": _signed_for,
            "Referral.Answered": _answered}
CHANGES = dict.fromkeys(["Referral.SignedFor", "Referral.Answered"], (REFERRALS, _id))
