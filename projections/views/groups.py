"""Mutual-help groups (企业互助组) and industry associations (行业协会) in the activity view
(issue 15 §1–2): one row per group or association, one per membership (a member that left keeps
its row, with `left_on`). Their inspections are rows of `activity_inspections` whose `basis_id`
is the group's or association's id (kinds `mutual`, `inter_group`, `association`).

Tables (schema of the activity view):
- `activity_groups`: form (`group` | `association`), name, credit code (associations), township and
  sector (NULL: any), founding date;
- `activity_group_members`: group, enterprise, its township and sector, joined, left;
- `activity_group_trainings`: training records (培训、交流活动): date, topic, hours, attendees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

GROUPS, MEMBERS, TRAININGS = "activity_groups", "activity_group_members", "activity_group_trainings"
DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_groups (group_id text PRIMARY KEY, "
    "form text NOT NULL, name text NOT NULL, credit_code text, township text, sector text, "
    "founded_on date NOT NULL, formed_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_group_members (member_key text PRIMARY KEY, "
    "group_id text NOT NULL, enterprise_id text NOT NULL, name text NOT NULL, township text NOT NULL, "
    "sector text NOT NULL, joined_on date NOT NULL, left_on date)",
    "CREATE INDEX IF NOT EXISTS activity_group_members_group "
    "ON {schema}.activity_group_members (group_id)",
    "CREATE INDEX IF NOT EXISTS activity_group_members_enterprise "
    "ON {schema}.activity_group_members (enterprise_id)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_group_trainings (training_id text PRIMARY KEY, "
    "group_id text NOT NULL, held_on date NOT NULL, topic text NOT NULL, hours numeric NOT NULL, "
    "attendees integer NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_group_trainings_group "
    "ON {schema}.activity_group_trainings (group_id, held_on)",
    "CREATE INDEX IF NOT EXISTS activity_inspections_basis ON {schema}.activity_inspections (basis_id)",
)
LAYOUT = (
    Table(GROUPS, ("group_id", "form", "name", "credit_code", "township", "sector", "founded_on",
                   "formed_at"), key="group_id"),
    Table(MEMBERS, ("member_key", "group_id", "enterprise_id", "name", "township", "sector",
                    "joined_on", "left_on"), key="member_key"),
    Table(TRAININGS, ("training_id", "group_id", "held_on", "topic", "hours", "attendees")),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _member(e: Any) -> str:
    return f"{_id(e)}:{e.enterprise_id}"


def _formed(form: str):
    def handler(fold: Fold, e: Any, position: int) -> None:
        fold.put(GROUPS, _id(e), {
            "group_id": _id(e), "form": form, "name": e.name,
            "credit_code": getattr(e, "credit_code", None), "township": e.township,
            "sector": e.sector, "founded_on": e.founded_on,
            "formed_at": e.timestamp})
    return handler


def _joined(fold: Fold, e: Any, position: int) -> None:
    fold.put(MEMBERS, _member(e), {
        "member_key": _member(e), "group_id": _id(e), "enterprise_id": e.enterprise_id,
        "name": e.name, "township": e.township, "sector": e.sector, "joined_on": e.joined_on,
        "left_on": None})


@changing(MEMBERS, _member)
def _left(row: dict, e: Any, position: int) -> None:
    row["left_on"] = e.left_on


def _trained(fold: Fold, e: Any, position: int) -> None:
    fold.add(TRAININGS, {"training_id": e.training_id, "group_id": _id(e), "held_on": e.held_on,
                         "topic": e.topic, "hours": Decimal(e.hours), "attendees": len(e.attendee_ids)})


HANDLERS: dict[str, Any] = {}
CHANGES: dict[str, Any] = {}
for _kind, _form in (("MutualHelpGroup", "group"), ("IndustryAssociation", "association")):
    HANDLERS.update({f"{_kind}.Formed": _formed(_form), f"{_kind}.MemberJoined": _joined,
                     f"{_kind}.MemberLeft": _left, f"{_kind}.TrainingRecorded": _trained})
    CHANGES[f"{_kind}.MemberLeft"] = (MEMBERS, _member)
