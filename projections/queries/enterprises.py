"""企业名录 (GET /enterprises): the registered enterprises in the token's scope, found by name or
credit code — what an official picks from to report a hazard found on a government check
(执法检查) from the browser. Read from the ledger view's `ledger_enterprises`.

The token's scope always applies and a filter never widens it: a township sees its township's
enterprises, a regulator its sector's, an enterprise itself; a scope on a column the directory
does not carry (an agency's, an insurer's) sees none.
"""

from __future__ import annotations

from typing import Any

from psycopg.sql import SQL, Composable, Identifier

from infra.reference import ReferenceData
from projections.oversight_labels import SCALE
from projections.queries.base import fetch, like
from projections.views.base import View

COLUMNS = ("township", "sector", "enterprise_id")  # the directory's scope columns
_ROWS = SQL("SELECT enterprise_id, name, credit_code, township, sector, scale, count(*) OVER () AS total "
            "FROM {ent} WHERE {clause} ORDER BY name, enterprise_id LIMIT %(limit)s OFFSET %(offset)s")


def _clause(scope: dict[str, str], q: str | None, township: str | None,
            sector: str | None) -> tuple[Composable, dict[str, Any]]:
    if any(column not in COLUMNS for column in scope):
        return SQL("FALSE"), {}
    parts: list[Composable] = [SQL("TRUE")]
    params: dict[str, Any] = {}
    pairs = list(scope.items())  # the token's scope, then the filters asked for (never wider)
    if township is not None:
        pairs.append(("township", township))
    if sector is not None:
        pairs.append(("sector", sector))
    for i, (column, value) in enumerate(pairs):
        parts.append(SQL("{} = %({})s").format(Identifier(column), SQL(f"s{i}")))
        params[f"s{i}"] = value
    if q:
        parts.append(SQL("(name ILIKE %(q)s OR credit_code ILIKE %(q)s)"))
        params["q"] = like(q)
    return SQL(" AND ").join(parts), params


def directory(ledger: View, *, scope: dict[str, str], reference: ReferenceData, q: str | None = None,
              township: str | None = None, sector: str | None = None, limit: int = 50,
              offset: int = 0) -> dict[str, Any]:
    """The enterprises in scope by name: {total, items} with township, sector and scale labels."""
    clause, params = _clause(scope, (q or "").strip() or None, township, sector)
    rows = fetch(ledger, _ROWS.format(ent=ledger.table("ledger_enterprises"), clause=clause),
                 {**params, "limit": limit, "offset": offset})
    if not rows and offset:
        count = SQL("SELECT count(*) AS total FROM {ent} WHERE {clause}").format(
            ent=ledger.table("ledger_enterprises"), clause=clause)
        total = fetch(ledger, count, params)[0]["total"]
    else:
        total = rows[0]["total"] if rows else 0
    return {"total": total, "items": [{
        "enterprise_id": r["enterprise_id"], "name": r["name"], "credit_code": r["credit_code"],
        "township": r["township"], "township_name": reference.townships.get(r["township"], ""),
        "sector": r["sector"], "sector_name": reference.sectors.get(r["sector"], ""),
        "scale": r["scale"], "scale_label": SCALE.get(r["scale"] or "", "")} for r in rows]}
