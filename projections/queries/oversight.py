"""Shared reads of the oversight tables (activity view) and small date helpers."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from psycopg.sql import SQL

from domain.actor import ROLE_NAMES_ZH, Role
from infra.clock import local
from projections.queries.base import fetch
from projections.views.base import View


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def ended_on(row: dict[str, Any]) -> date:
    """The last day of a contract's period: its end, or the day before its termination (issue 10:
    a contract no longer binds from the day it is terminated)."""
    terminated = row.get("terminated_on")
    return row["end_on"] if terminated is None else min(row["end_on"], terminated - timedelta(days=1))


def select(view: View, statement: str, params: dict[str, Any], **tables: str) -> list[dict[str, Any]]:
    """Run a statement whose `{name}` placeholders are tables of the view."""
    query = SQL(statement).format(**{k: view.table(v) for k, v in tables.items()})
    return fetch(view, query, params)


def agencies(activity: View, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Agencies by id (all of them, or those named)."""
    where = "" if ids is None else "WHERE agency_id = ANY(%(ids)s)"
    rows = select(activity, f"SELECT * FROM {{a}} {where} ORDER BY name",
                  {"ids": ids}, a="activity_agencies")
    return {r["agency_id"]: r for r in rows}


def experts(activity: View, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Experts by id (also those who have left their agency since)."""
    rows = select(activity, "SELECT * FROM {x} WHERE expert_id = ANY(%(ids)s)", {"ids": ids},
                  x="activity_experts")
    return {r["expert_id"]: r for r in rows}


def blacklist(activity: View, agency_ids: list[str]) -> list[dict[str, Any]]:
    return select(activity, "SELECT * FROM {b} WHERE agency_id = ANY(%(ids)s) ORDER BY position",
                  {"ids": agency_ids}, b="activity_blacklist")


def findings(activity: View, *, agency_id: str | None = None,
             enterprise_id: str | None = None) -> list[dict[str, Any]]:
    """Investigators' findings about agencies (002 §八(二)), with their accident."""
    return select(activity, "SELECT f.*, x.enterprise_id, x.occurred_on, x.category, x.deaths, "
                  "x.injuries, e.name AS enterprise_name FROM {f} f JOIN {x} x USING (accident_id) "
                  "LEFT JOIN {e} e ON e.enterprise_id = x.enterprise_id "
                  "WHERE (%(agency)s::text IS NULL OR f.agency_id = %(agency)s) "
                  "AND (%(ent)s::text IS NULL OR x.enterprise_id = %(ent)s) ORDER BY f.position",
                  {"agency": agency_id, "ent": enterprise_id}, f="activity_findings",
                  x="activity_accidents", e="activity_enterprises")


def actor_name(actor: dict[str, Any] | None) -> str:
    if not actor:
        return ""
    try:
        role = ROLE_NAMES_ZH[Role(actor.get("role"))]
    except ValueError:
        role = actor.get("role", "")
    return f"{actor.get('name', '')}（{role}）"


def localize(value: Any) -> Any:
    """Record times (UTC) as people read them, in Asia/Shanghai, throughout a result."""
    if isinstance(value, datetime):
        return local(value)
    if isinstance(value, dict):
        return {k: localize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [localize(v) for v in value]
    return value
