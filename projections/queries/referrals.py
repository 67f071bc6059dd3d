"""Referrals (交办) from the activity view's `activity_referrals`: a unit's list by state, paged,
and the referrals behind the monthly joint meeting pack (`projections/queries/meetings.py`).

The state is judged on a day (`day`: today for the list, the month's end for the pack), never
stored: answered (已答复) when answered on or before the day; else overdue (逾期未答复) when the
due date is before the day, open (办理中) otherwise.

Scope (`read_scope(...).as_filters()`): a township's token reads the referrals to its township,
a regulator's those to its sector, the county-wide roles all; any other scope (an enterprise's,
an agency's) matches nothing — a referral is no party's record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg.sql import SQL, Composable

from infra.reference import ReferenceData
from projections.labels import REFERRAL_RECEIVER, REFERRAL_STATE
from projections.queries.base import fetch
from projections.views.base import View

STATES = ("open", "overdue", "answered")
_UNANSWERED = "(answered_on IS NULL OR answered_on > %(day)s)"
STATE_CLAUSE = {
    "answered": SQL("answered_on <= %(day)s"),
    "overdue": SQL(f"{_UNANSWERED} AND due_on < %(day)s"),
    "open": SQL(f"{_UNANSWERED} AND due_on >= %(day)s"),
}


def receiver_clause(scope: dict[str, str]) -> tuple[Composable, dict[str, Any]]:
    """The token's scope as a condition on the receiver (see the module's docstring)."""
    if not scope:
        return SQL("TRUE"), {}
    if len(scope) == 1 and next(iter(scope)) in ("township", "sector"):
        [(kind, code)] = scope.items()
        return SQL("receiver_kind = %(scope_kind)s AND receiver = %(scope_code)s"), {
            "scope_kind": kind, "scope_code": code}
    return SQL("FALSE"), {}


def state_of(row: dict[str, Any], day: date) -> str:
    """open, overdue or answered, on `day` (as STATE_CLAUSE selects)."""
    if row["answered_on"] is not None and row["answered_on"] <= day:
        return "answered"
    return "overdue" if row["due_on"] < day else "open"


def rows(activity: View, *, scope: dict[str, str], day: date, state: str | None = None,
         where: Composable = SQL("TRUE"), params: dict[str, Any] | None = None,
         limit: int | None = None, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, the rows from `offset`, at most `limit`), oldest first (log order).
    `where`/`params`: a further condition (the pack's month, meeting)."""
    clause, values = receiver_clause(scope)
    conditions = [clause, where, STATE_CLAUSE[state] if state else SQL("TRUE")]
    condition = SQL(" AND ").join(SQL("({})").format(c) for c in conditions)
    values = {**values, **(params or {}), "day": day, "limit": limit, "offset": offset}
    table = activity.table("activity_referrals")
    total = fetch(activity, SQL("SELECT count(*) AS n FROM {} WHERE {}").format(table, condition),
                  values)[0]["n"]
    found = fetch(activity, SQL("SELECT * FROM {} WHERE {} ORDER BY position "
                                "LIMIT %(limit)s OFFSET %(offset)s").format(table, condition), values)
    return total, found


def receiver_name(row: dict[str, Any], reference: ReferenceData) -> str:
    names = reference.townships if row["receiver_kind"] == "township" else reference.sectors
    return names.get(row["receiver"], row["receiver"])


def item(row: dict[str, Any], reference: ReferenceData, day: date) -> dict[str, Any]:
    """One referral for people and programs (the contract of GET /referrals, docs/referrals.md):
    the receiver and state in Chinese, the hazards as referred."""
    state = state_of(row, day)
    signed = row["signed_on"] is not None and row["signed_on"] <= day
    return {"id": row["referral_id"], "receiver_kind": row["receiver_kind"],
            "receiver_kind_label": REFERRAL_RECEIVER[row["receiver_kind"]],
            "receiver": row["receiver"], "receiver_name": receiver_name(row, reference),
            "hazards": [{"id": h["id"], "description": h["description"]} for h in row["hazards"]],
            "instructions": row["instructions"], "document_no": row["document_no"],
            "meeting": row["meeting"], "referred_on": row["referred_on"], "due_on": row["due_on"],
            "signed_on": row["signed_on"] if signed else None,
            "signed_by": row["signed_by"] if signed else None,
            "signed": "已签收" if signed else "待签收",
            "answered_on": row["answered_on"] if state == "answered" else None,
            "answer": row["answer"] if state == "answered" else None,
            "state": state, "state_label": REFERRAL_STATE[state]}
