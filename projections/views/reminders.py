"""The facts reminders need (提醒所需事实), kept from the log exactly once (issue 14 §5).

Tables (beside the event store's, `reminders_tracking` for its position):
- `reminder_hazards`: each hazard's row as the ledger computes it (`hazard_rows`: deadline in
  force, status, level, 挂牌督办, pending extension request …) plus the responsible person's phone;
- `reminder_enterprises`: names and places; `reminder_self_reports`: the months each enterprise
  self-reported; `reminder_referrals`: referrals, their due dates and answers.

The sweep (`projections/reminder_sweep.py`) reads these and the day; it never loads an aggregate.
"""

from __future__ import annotations

from typing import Any

from projections.views import hazard_rows
from projections.views.base import View, id_text
from projections.views.hazard_rows import COLUMNS
from projections.views.ledger import _add_column
from projections.views.tables import Fold, Table, changing

HAZARDS, ENTERPRISES, REPORTS, REFERRALS = ("reminder_hazards", "reminder_enterprises",
                                            "reminder_self_reports", "reminder_referrals")
_HAZARD_COLUMNS = ("hazard_id", *COLUMNS, "responsible_phone")

DDL = (
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{HAZARDS} (hazard_id text PRIMARY KEY, "
    + ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items()) + ", responsible_phone text)",
    # columns the ledger's row gains later (as ledger.py adds them) are added on start
    *(_add_column(HAZARDS, f"{name} {kind}") for name, kind in COLUMNS.items()),
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{ENTERPRISES} (enterprise_id text PRIMARY KEY, "
    "name text NOT NULL, township text NOT NULL, sector text NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{REPORTS} (enterprise_id text NOT NULL, "
    "month text NOT NULL, PRIMARY KEY (enterprise_id, month))",
    f"CREATE TABLE IF NOT EXISTS {{schema}}.{REFERRALS} (referral_id text PRIMARY KEY, "
    "receiver_kind text NOT NULL, receiver text NOT NULL, referred_on date NOT NULL, "
    "due_on date NOT NULL, answered_on date, document_no text NOT NULL, hazards jsonb NOT NULL)",
)

LAYOUT = (
    Table(HAZARDS, _HAZARD_COLUMNS, key="hazard_id"),
    Table(ENTERPRISES, ("enterprise_id", "name", "township", "sector")),
    Table(REPORTS, ("enterprise_id", "month")),
    Table(REFERRALS, ("referral_id", "receiver_kind", "receiver", "referred_on", "due_on",
                      "answered_on", "document_no", "hazards"), key="referral_id", json=("hazards",)),
)


def _id(event: Any) -> str:
    return id_text(event.originator_id)


def on_reported(fold: Fold, event: Any, position: int) -> None:
    row = hazard_rows.reported(event)
    row.update(hazard_id=_id(event), responsible_phone="")
    fold.put(HAZARDS, row["hazard_id"], row)


def on_step(fold: Fold, event: Any, position: int) -> None:
    row = fold.get(HAZARDS, _id(event))
    if row is None:
        raise LookupError(f"reminders: hazard {_id(event)} changed before it was reported")
    hazard_rows.apply_in_place(row, event)
    if hasattr(event, "responsible_phone"):  # ResponsibilityAssigned (the phone since issue 13)
        row["responsible_phone"] = event.responsible_phone or ""
    fold.put(HAZARDS, row["hazard_id"], row)


def on_enterprise(fold: Fold, e: Any, position: int) -> None:
    fold.add(ENTERPRISES, {"enterprise_id": _id(e), "name": e.name, "township": e.township,
                           "sector": e.sector})


def on_self_report(fold: Fold, e: Any, position: int) -> None:
    fold.add(REPORTS, {"enterprise_id": e.enterprise_id, "month": e.month})


def on_referred(fold: Fold, e: Any, position: int) -> None:
    hazards = [{"description": h.get("description", ""), "enterprise_id": h.get("enterprise_id")}
               for h in e.hazards]
    fold.put(REFERRALS, _id(e), {
        "referral_id": _id(e), "receiver_kind": e.receiver_kind, "receiver": e.receiver,
        "referred_on": e.referred_on, "due_on": e.due_on, "answered_on": None,
        "document_no": e.document_no or "", "hazards": hazards})


@changing(REFERRALS, _id)
def on_answered(row: dict, e: Any, position: int) -> None:
    row["answered_on"] = e.answered_on


class ReminderView(View):
    layout = LAYOUT
    tables = tuple(t.name for t in LAYOUT)
    ddl = DDL
    handlers = {
        "Enterprise.Registered": on_enterprise,
        "SelfReport.Filed": on_self_report,
        "Referral.Referred": on_referred,
        "Referral.Answered": on_answered,
        "Hazard.Reported": on_reported,
        **dict.fromkeys(hazard_rows.STEPS, on_step),
    }
    changes = {**dict.fromkeys(hazard_rows.STEPS, (HAZARDS, _id)),
               "Referral.Answered": (REFERRALS, _id)}
