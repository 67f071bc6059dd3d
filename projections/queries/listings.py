"""挂牌督办 listings and their paperwork (GET /supervision/listings, the dashboard's 督办 page).

One row per hazard ever listed (`ledger_hazards.listing_state` set: the old one-step
`supervise` reads 'listed'; the paperwork issued → served → signed; cancelled), read from the
ledger's current rows with the token's scope, newest listing first. Every code comes with its
Chinese label; the hazard is named by its enterprise and description.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composable, Identifier

from infra.reference import ReferenceData
from projections.labels import LEVEL, LISTING_STATE, STATUS, SUPERVISION
from projections.queries.base import SCOPE_COLUMNS, fetch
from projections.views.base import View

__all__ = ["LISTING_STATE", "listings"]  # LISTING_STATE: the one table (projections/labels.py), re-exported
STATES = tuple(LISTING_STATE)

_COLUMNS = ("hazard_id, h.enterprise_id, h.township, h.sector, h.description, h.level, h.status, "
            "h.discovered_on, h.deadline, h.supervision_level, h.supervision_doc, h.listed_on, "
            "h.listing_state, h.listing_department, h.listing_served_on, h.listing_signed_on, "
            "h.listing_served_by, h.listing_signed_by, "
            "h.listing_finish_by, h.listing_plan_by, h.listing_cancelled_on, h.plan_filed_on, "
            "h.rectified_on, h.closed_on, e.name AS enterprise_name")
_ROWS = SQL("SELECT h." + _COLUMNS + ", count(*) OVER () AS total "
            "FROM {hz} h LEFT JOIN {ent} e ON e.enterprise_id = h.enterprise_id WHERE {clause} "
            "ORDER BY coalesce(h.listed_on, h.listing_cancelled_on) DESC NULLS LAST, h.hazard_id "
            "LIMIT %(limit)s OFFSET %(offset)s")


def _clause(scope: dict[str, str], state: str | None, township: str | None) -> tuple[Composable, dict[str, Any]]:
    """Listed hazards in the token's scope (its equalities always apply; a filter never widens
    them), in one state and one township if asked."""
    parts: list[Composable] = [SQL("h.listing_state IS NOT NULL")]
    params: dict[str, Any] = {}
    pairs = [(c, scope[c]) for c in SCOPE_COLUMNS if c in scope]
    if township is not None:
        pairs.append(("township", township))
    for i, (column, value) in enumerate(pairs):
        parts.append(SQL("h.{} = %({})s").format(Identifier(column), SQL(f"s{i}")))
        params[f"s{i}"] = value
    if state is not None:
        parts.append(SQL("h.listing_state = %(state)s"))
        params["state"] = state
    return SQL(" AND ").join(parts), params


def _labelled(row: dict[str, Any], reference: ReferenceData) -> dict[str, Any]:
    row = dict(row)
    row.pop("total", None)
    return {**row, "enterprise_name": row["enterprise_name"] or "（企业名称未登记）",
            "township_name": reference.townships.get(row["township"], ""),
            "sector_name": reference.sectors.get(row["sector"], ""),
            "level_label": LEVEL.get(row["level"], row["level"]),
            "status_label": STATUS.get(row["status"], row["status"]),
            "supervision_level_label": SUPERVISION.get(row["supervision_level"], "") if row["supervision_level"] else "",
            "listing_state_label": LISTING_STATE.get(row["listing_state"], row["listing_state"])}


def listings(ledger: View, *, scope: dict[str, str], reference: ReferenceData, state: str | None = None,
             township: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The listed hazards in scope, newest listing first: {total, items}."""
    clause, params = _clause(scope, state, township)
    query = _ROWS.format(hz=ledger.table("ledger_hazards"), ent=ledger.table("ledger_enterprises"), clause=clause)
    rows = fetch(ledger, query, {**params, "limit": limit, "offset": offset})
    total = rows[0]["total"] if rows else _count(ledger, clause, params)
    return {"total": total, "items": [_labelled(r, reference) for r in rows]}


def _count(ledger: View, clause: Composable, params: dict[str, Any]) -> int:
    """The total when the page asked for is past the last row (no row carries it)."""
    query = SQL("SELECT count(*) AS n FROM {hz} h WHERE {clause}").format(
        hz=ledger.table("ledger_hazards"), clause=clause)
    return fetch(ledger, query, params)[0]["n"]
