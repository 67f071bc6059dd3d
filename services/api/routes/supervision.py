"""GET /supervision/listings (督办, issue 14 §6): the 挂牌督办 hazards in the token's scope with
their paperwork state, from the ledger view (projections/queries/listings.py)."""

from __future__ import annotations


from fastapi import APIRouter, Depends, Query

from domain.errors import InvalidValue
from infra.auth import Principal
from projections.queries import listings as listings_q
from projections.readmodels import ReadModels
from services.access import read_scope
from services.api.deps import principal
from services.api.routes.readmodels import caught_up, read_models
from services.api import vocabularies as vocab  # issue 17 §6

router = APIRouter(prefix="/supervision", tags=["supervision"])

State = vocab.ListingState  # issue 17 §6: enum with labels (projections/labels.py LISTING_STATE)


@router.get("/listings", summary="挂牌督办隐患及其文书状态（送达、签收、期限、撤销）", name="supervision.list")
def listings(state: State | None = Query(None, description="listed 已挂牌 / issued 已下达 / served 已送达 / "
                                                           "signed 已签收 / cancelled 已撤销；不填为全部"),
             township: str | None = Query(None, max_length=40, description="乡镇（街道）代码；不会超出令牌的范围"),
             limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000),
             _: None = Depends(caught_up("supervision.list")),
             who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)) -> dict:
    """Newest listing first; each row: the hazard (enterprise, description, level, status), the
    listing's level, department, document number, listed / served / signed-for / cancelled dates,
    治理完毕期限 (`listing_finish_by`) and 治理方案备案期限 (`listing_plan_by`), with labels."""
    if township is not None and township not in rm.reference.townships:
        raise InvalidValue("township", f"未知乡镇（街道）代码 {township!r}")
    result = listings_q.listings(rm.ledger, scope=read_scope(who).as_filters(), reference=rm.reference,
                                 state=state, township=township, limit=limit, offset=offset)
    return {"state": state, "township": township, "limit": limit, "offset": offset, **result}
