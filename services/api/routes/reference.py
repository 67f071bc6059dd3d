from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from infra.auth import Principal
from services.api.deps import principal

router = APIRouter(tags=["reference"])


@router.get("/townships", summary="乡镇（街道）", name="reference.townships")
def townships(request: Request, who: Principal = Depends(principal)) -> list[dict]:
    request.app.state.ledger.authorize(who, "reference.townships")
    return [{"code": c, "name": n} for c, n in request.app.state.ledger.reference.townships.items()]


@router.get("/sectors", summary="行业", name="reference.sectors")
def sectors(request: Request, who: Principal = Depends(principal)) -> list[dict]:
    request.app.state.ledger.authorize(who, "reference.sectors")
    return [{"code": c, "name": n} for c, n in request.app.state.ledger.reference.sectors.items()]
