"""The service platform's tables of the activity view (服务平台, issue 15 §5): needs, offers and
the served enterprises' ratings of their agencies (绩效评比).

Kept by the activity view's transactions like `oversight.py` and `referrals.py` (no view of its
own: a view is one more follower and three connections). `activity_needs`: one row per need
(open / accepted / withdrawn; on acceptance the offer and the contract it made);
`activity_offers`: every offer (added only); `activity_ratings`: one row per rated contract,
the year the contract ended in (the 考评 year it feeds).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.views.base import id_text
from projections.views.tables import Fold, Table, changing

NEEDS, OFFERS, RATINGS = "activity_needs", "activity_offers", "activity_ratings"

DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.activity_needs (need_id text PRIMARY KEY, "
    "enterprise_id text NOT NULL, township text NOT NULL, sector text NOT NULL, "
    "services text[] NOT NULL, description text NOT NULL, posted_on date NOT NULL, "
    "status text NOT NULL, accepted_offer text, contract_id text, closed_on date, "
    "position bigint NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_needs_status ON {schema}.activity_needs (status, position)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_offers (offer_id text PRIMARY KEY, "
    "need_id text NOT NULL, agency_id text NOT NULL, service text NOT NULL, start_on date NOT NULL, "
    "end_on date NOT NULL, fee numeric NOT NULL, terms text NOT NULL, offered_on date NOT NULL, "
    "position bigint NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_offers_need ON {schema}.activity_offers (need_id)",
    "CREATE INDEX IF NOT EXISTS activity_offers_agency ON {schema}.activity_offers (agency_id)",
    "CREATE TABLE IF NOT EXISTS {schema}.activity_ratings (rating_id text PRIMARY KEY, "
    "contract_id text NOT NULL, enterprise_id text NOT NULL, agency_id text NOT NULL, "
    "township text NOT NULL, sector text NOT NULL, year integer NOT NULL, scores jsonb NOT NULL, "
    "total numeric NOT NULL, comment text NOT NULL, rated_on date NOT NULL)",
    "CREATE INDEX IF NOT EXISTS activity_ratings_agency ON {schema}.activity_ratings (agency_id, year)",
)

LAYOUT = (
    Table(NEEDS, ("need_id", "enterprise_id", "township", "sector", "services", "description",
                  "posted_on", "status", "accepted_offer", "contract_id", "closed_on", "position"),
          key="need_id"),
    Table(OFFERS, ("offer_id", "need_id", "agency_id", "service", "start_on", "end_on", "fee",
                   "terms", "offered_on", "position")),
    Table(RATINGS, ("rating_id", "contract_id", "enterprise_id", "agency_id", "township", "sector",
                    "year", "scores", "total", "comment", "rated_on"), json=("scores",)),
)


def _id(e: Any) -> str:
    return id_text(e.originator_id)


def _posted(fold: Fold, e: Any, position: int) -> None:
    fold.put(NEEDS, _id(e), {
        "need_id": _id(e), "enterprise_id": e.enterprise_id, "township": e.township,
        "sector": e.sector, "services": list(e.services), "description": e.description,
        "posted_on": e.posted_on, "status": "open", "accepted_offer": None, "contract_id": None,
        "closed_on": None, "position": position})


def _offered(fold: Fold, e: Any, position: int) -> None:
    fold.add(OFFERS, {
        "offer_id": e.offer_id, "need_id": _id(e), "agency_id": e.agency_id, "service": e.service,
        "start_on": e.start, "end_on": e.end, "fee": Decimal(e.fee), "terms": e.terms,
        "offered_on": e.offered_on, "position": position})


@changing(NEEDS, _id)
def _accepted(row: dict, e: Any, position: int) -> None:
    row.update(status="accepted", accepted_offer=e.offer_id, contract_id=e.contract_id,
               closed_on=e.accepted_on)


@changing(NEEDS, _id)
def _withdrawn(row: dict, e: Any, position: int) -> None:
    row.update(status="withdrawn", closed_on=e.withdrawn_on)


def _rated(fold: Fold, e: Any, position: int) -> None:
    fold.add(RATINGS, {
        "rating_id": _id(e), "contract_id": e.contract_id, "enterprise_id": e.enterprise_id,
        "agency_id": e.agency_id, "township": e.township, "sector": e.sector, "year": e.year,
        "scores": dict(e.scores), "total": Decimal(e.total), "comment": e.comment,
        "rated_on": e.rated_on})


HANDLERS = {"ServiceNeed.Posted": _posted, "ServiceNeed.Offered": _offered,
            "ServiceNeed.Accepted": _accepted, "ServiceNeed.Withdrawn": _withdrawn,
            "AgencyRating.Rated": _rated}
CHANGES = dict.fromkeys(["ServiceNeed.Accepted", "ServiceNeed.Withdrawn"], (NEEDS, _id))
