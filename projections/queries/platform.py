"""The service platform's lists (服务平台, issue 15 §5) from the activity view: needs with their
offers, and the served enterprises' ratings of their agencies (绩效评比) with their means — the
figure the agency's 考评 reads beside its scored criteria (`projections/queries/accountability.py`).

Scope (`read_scope(...).as_filters()`): an enterprise reads its own needs with every offer; a
township or a regulator its township's or sector's; the county-wide roles all. An agency reads
the OPEN needs only (when the caller has found it in the pool), each with its own offer and no
other agency's. Ratings: an agency its own, an enterprise its own, offices their scope's.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg.sql import SQL, Composable

from domain.platform import RATING_CRITERIA
from infra.reference import ReferenceData
from projections.labels import NEED_STATUS
from projections.oversight_labels import SERVICE
from projections.queries.base import fetch
from projections.views.base import View

_NEED_SCOPE = ("township", "sector", "enterprise_id")


def _clause(scope: dict[str, str], alias: str, columns: tuple[str, ...]) -> tuple[Composable, dict]:
    parts: list[Composable] = [SQL("TRUE")]
    params: dict[str, Any] = {}
    for i, (column, value) in enumerate(sorted(scope.items())):
        if column not in columns:
            return SQL("FALSE"), {}
        parts.append(SQL(f"{alias}.{column} = %(s{i})s"))
        params[f"s{i}"] = value
    return SQL(" AND ").join(parts), params


def needs(activity: View, reference: ReferenceData, *, scope: dict[str, str], status: str | None,
          agency_id: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Needs, newest first, with their offers. `agency_id`: an agency in the pool reading the
    open needs (its scope is then not the needs' columns: every open need, its own offer only)."""
    if agency_id is not None:
        clause, params, status = SQL("TRUE"), {}, "open"
    else:
        clause, params = _clause(scope, "n", _NEED_SCOPE)
    condition = SQL("{} AND (%(status)s::text IS NULL OR n.status = %(status)s)").format(clause)
    query = SQL(
        "SELECT n.*, e.name AS enterprise_name, count(*) OVER () AS total "
        "FROM {needs} n LEFT JOIN {ent} e ON e.enterprise_id = n.enterprise_id "
        "WHERE {cond} ORDER BY n.position DESC LIMIT %(limit)s OFFSET %(offset)s").format(
        needs=activity.table("activity_needs"), ent=activity.table("activity_enterprises"),
        cond=condition)
    rows = fetch(activity, query, {**params, "status": status, "limit": limit, "offset": offset})
    ids = [r["need_id"] for r in rows]
    offers = fetch(activity, SQL(
        "SELECT o.*, a.name AS agency_name FROM {offers} o "
        "LEFT JOIN {ag} a ON a.agency_id = o.agency_id "
        "WHERE o.need_id = ANY(%(ids)s) AND (%(agency)s::text IS NULL OR o.agency_id = %(agency)s) "
        "ORDER BY o.position").format(offers=activity.table("activity_offers"),
                                      ag=activity.table("activity_agencies")),
        {"ids": ids, "agency": agency_id}) if ids else []
    by_need: dict[str, list[dict]] = {}
    for o in offers:
        by_need.setdefault(o["need_id"], []).append(o)
    items = [_need(r, by_need.get(r["need_id"], []), reference) for r in rows]
    return {"status": status, "status_label": NEED_STATUS.get(status) if status else "全部",
            "total": rows[0]["total"] if rows else 0, "count": len(items), "limit": limit,
            "offset": offset, "items": items}


def _need(r: dict[str, Any], offers: list[dict], reference: ReferenceData) -> dict[str, Any]:
    return {
        "need_id": r["need_id"], "enterprise_id": r["enterprise_id"],
        "enterprise_name": r["enterprise_name"], "township": r["township"],
        "township_name": reference.townships.get(r["township"], r["township"]),
        "sector": r["sector"], "sector_name": reference.sectors.get(r["sector"], r["sector"]),
        "services": list(r["services"]), "services_label": "、".join(SERVICE.get(s, s) for s in r["services"]),
        "description": r["description"], "posted_on": r["posted_on"], "status": r["status"],
        "status_label": NEED_STATUS[r["status"]], "closed_on": r["closed_on"],
        "contract_id": r["contract_id"],
        "offers": [{"offer_id": o["offer_id"], "agency_id": o["agency_id"],
                    "agency_name": o["agency_name"], "service": o["service"],
                    "service_label": SERVICE.get(o["service"], o["service"]),
                    "start": o["start_on"], "end": o["end_on"], "fee": o["fee"], "terms": o["terms"],
                    "offered_on": o["offered_on"], "accepted": o["offer_id"] == r["accepted_offer"]}
                   for o in offers],
    }


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratings(activity: View, *, scope: dict[str, str], agency_id: str | None = None,
            year: int | None = None) -> dict[str, Any]:
    """The ratings in scope (an agency's own, an enterprise's own, an office's scope's), newest
    first, and per agency and year their count and means (overall and by criterion)."""
    clause, params = _clause(scope, "r", ("township", "sector", "enterprise_id", "agency_id"))
    rows = fetch(activity, SQL(
        "SELECT r.*, a.name AS agency_name, e.name AS enterprise_name FROM {ratings} r "
        "LEFT JOIN {ag} a ON a.agency_id = r.agency_id "
        "LEFT JOIN {ent} e ON e.enterprise_id = r.enterprise_id "
        "WHERE {clause} AND (%(agency)s::text IS NULL OR r.agency_id = %(agency)s) "
        "AND (%(year)s::int IS NULL OR r.year = %(year)s) "
        "ORDER BY r.rated_on DESC, r.rating_id").format(
        ratings=activity.table("activity_ratings"), ag=activity.table("activity_agencies"),
        ent=activity.table("activity_enterprises"), clause=clause),
        {**params, "agency": agency_id, "year": year})
    return {"year": year, "summary": summary(rows), "items": [_rating(r) for r in rows]}


def _rating(r: dict[str, Any]) -> dict[str, Any]:
    return {"rating_id": r["rating_id"], "contract_id": r["contract_id"],
            "agency_id": r["agency_id"], "agency_name": r["agency_name"],
            "enterprise_id": r["enterprise_id"], "enterprise_name": r["enterprise_name"],
            "year": r["year"], "total": r["total"], "comment": r["comment"], "rated_on": r["rated_on"],
            "scores": [{"criterion": k, "label": label, "score": r["scores"].get(k)}
                       for k, label in RATING_CRITERIA.items()]}


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per agency and year: how many ratings, the mean of their totals and of each criterion."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["agency_id"], r["year"]), []).append(r)
    out = []
    for (agency, year), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[1][0].get("agency_name") or "")):
        out.append({"agency_id": agency, "agency_name": rs[0].get("agency_name"), "year": year,
                    "ratings": len(rs), "mean": _mean([Decimal(x["total"]) for x in rs]),
                    "criteria": [{"criterion": k, "label": label,
                                  "mean": _mean([Decimal(x["scores"][k]) for x in rs])}
                                 for k, label in RATING_CRITERIA.items()]})
    return out


def agency_ratings(activity: View, agency_id: str) -> dict[int, dict[str, Any]]:
    """An agency's ratings per year (for its 考评): year → count, means."""
    return {s["year"]: s for s in ratings(activity, scope={}, agency_id=agency_id)["summary"]}
