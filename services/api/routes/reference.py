from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from services.api.deps import principal

router = APIRouter(tags=["reference"], dependencies=[Depends(principal)])


@router.get("/townships", summary="乡镇（街道）")
def townships(request: Request) -> list[dict]:
    return [{"code": c, "name": n} for c, n in request.app.state.ledger.reference.townships.items()]


@router.get("/sectors", summary="行业")
def sectors(request: Request) -> list[dict]:
    return [{"code": c, "name": n} for c, n in request.app.state.ledger.reference.sectors.items()]
