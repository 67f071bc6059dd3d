"""Mutual-help groups and industry associations (issue 15 §1–2): the list with members, their
inspections, their training records — from the activity view (`projections/views/groups.py`).

Scope (the token's `read_scope` filters): a member row, an inspection row is shown when its
enterprise's township, sector or id is the token's; a group or association is listed when it is of
the token's township or sector, or has a member the token sees. An agency's scope is its own
records: no group or association is one (empty lists).
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composable

from infra.reference import ReferenceData
from projections.labels import FORM
from projections.oversight_labels import INSPECTION_KIND, INSPECTION_STATUS
from projections.queries.base import fetch
from projections.views.base import View

SCOPED = ("township", "sector", "enterprise_id")


def _scope(scope: dict[str, str], alias: str) -> tuple[Composable, dict[str, Any]]:
    parts: list[Composable] = [SQL("TRUE")]
    params: dict[str, Any] = {}
    for column, value in sorted(scope.items()):
        if column not in SCOPED:
            return SQL("FALSE"), {}
        parts.append(SQL(f"{alias}.{column} = %(s_{column})s"))
        params[f"s_{column}"] = value
    return SQL(" AND ").join(parts), params


def _group_visible(scope: dict[str, str], members_table: Composable) -> tuple[Composable, dict[str, Any]]:
    """A group of the token's township or sector, or with a current member the token sees."""
    if not scope:
        return SQL("TRUE"), {}
    members, params = _scope(scope, "m")
    own = [SQL(f"g.{c} = %(s_{c})s") for c in ("township", "sector") if c in scope]
    visible = SQL("EXISTS (SELECT 1 FROM {members} m WHERE m.group_id = g.group_id "
                  "AND m.left_on IS NULL AND ").format(members=members_table) + members + SQL(")")
    return SQL("(") + SQL(" OR ").join([*own, visible]) + SQL(")"), params


def groups(activity: View, *, form: str, scope: dict[str, str], reference: ReferenceData,
           township: str | None = None, sector: str | None = None) -> list[dict[str, Any]]:
    """The groups (or associations) in scope, each with its current members and counts of
    inspections and training records; `township`, `sector`: filters (never widening the scope).
    `agency_id`: an association registered as an agency under its own credit code (it holds
    agreements and contracts as one), else None."""
    tables = dict(insp=activity.table("activity_inspections"), tr=activity.table("activity_group_trainings"),
                  groups=activity.table("activity_groups"), ag=activity.table("activity_agencies"))
    clause, params = _group_visible(scope, activity.table("activity_group_members"))
    extra = []
    if township:
        extra.append(SQL("g.township = %(f_township)s"))
        params["f_township"] = township
    if sector:
        extra.append(SQL("g.sector = %(f_sector)s"))
        params["f_sector"] = sector
    where = SQL(" AND ").join([SQL("g.form = %(form)s"), clause, *extra])
    query = (SQL("SELECT g.group_id, g.form, g.name, g.credit_code, g.township, g.sector, g.founded_on, "
                 "(SELECT count(*) FROM {insp} i WHERE i.basis_id = g.group_id) AS inspections, "
                 "(SELECT count(*) FROM {insp} i WHERE i.basis_id = g.group_id "
                 " AND i.performed_on IS NOT NULL) AS performed, "
                 "(SELECT count(*) FROM {tr} t WHERE t.group_id = g.group_id) AS trainings, "
                 "(SELECT a.agency_id FROM {ag} a WHERE a.credit_code = g.credit_code) AS agency_id "
                 "FROM {groups} g WHERE ").format(**tables) + where
             + SQL(" ORDER BY g.township NULLS FIRST, g.name"))
    rows = fetch(activity, query, {**params, "form": form})
    members = _members(activity, [r["group_id"] for r in rows], scope, reference)
    for r in rows:
        r["form_label"] = FORM.get(r["form"], r["form"])
        r["township_name"] = reference.townships.get(r["township"]) if r["township"] else "全县"
        r["sector_name"] = reference.sectors.get(r["sector"]) if r["sector"] else "各行业"
        r["members"] = members.get(r["group_id"], [])
        r["member_count"] = len(r["members"])
    return rows


def _members(activity: View, group_ids: list[str], scope: dict[str, str],
             reference: ReferenceData) -> dict[str, list[dict[str, Any]]]:
    if not group_ids:
        return {}
    clause, params = _scope(scope, "m")
    query = (SQL("SELECT m.group_id, m.enterprise_id, m.name, m.township, m.sector, m.joined_on "
                 "FROM {members} m WHERE m.group_id = ANY(%(ids)s) AND m.left_on IS NULL AND ").format(
                     members=activity.table("activity_group_members"))
             + clause + SQL(" ORDER BY m.township, m.name"))
    out: dict[str, list[dict[str, Any]]] = {}
    for r in fetch(activity, query, {**params, "ids": group_ids}):
        r["township_name"] = reference.townships.get(r["township"])
        r["sector_name"] = reference.sectors.get(r["sector"])
        out.setdefault(r.pop("group_id"), []).append(r)
    return out


def inspections(activity: View, group_id: str, *, scope: dict[str, str],
                reference: ReferenceData) -> list[dict[str, Any]]:
    """The inspections whose basis is the group or association, in scope, newest first."""
    clause, params = _scope(scope, "i")
    query = (SQL("SELECT i.inspection_id, i.enterprise_id, e.name AS enterprise_name, i.township, "
                 "i.sector, i.kind, i.status, i.scheduled_for, i.performed_on, i.experts, "
                 "i.report_filed_on "
                 "FROM {insp} i JOIN {ent} e ON e.enterprise_id = i.enterprise_id "
                 "WHERE i.basis_id = %(group_id)s AND ").format(
                     insp=activity.table("activity_inspections"), ent=activity.table("activity_enterprises"))
             + clause + SQL(" ORDER BY i.scheduled_for DESC, i.inspection_id"))
    rows = fetch(activity, query, {**params, "group_id": group_id})
    for r in rows:
        r["kind_label"] = INSPECTION_KIND.get(r["kind"], r["kind"])
        r["status_label"] = INSPECTION_STATUS.get(r["status"], r["status"])
        r["township_name"] = reference.townships.get(r["township"])
        r["sector_name"] = reference.sectors.get(r["sector"])
    return rows


def trainings(activity: View, group_id: str) -> list[dict[str, Any]]:
    query = SQL("SELECT training_id, held_on, topic, hours, attendees FROM {tr} "
                "WHERE group_id = %(group_id)s ORDER BY held_on DESC, training_id")
    return fetch(activity, query.format(tr=activity.table("activity_group_trainings")),
                 {"group_id": group_id})
