from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from domain.actor import ROLE_NAMES_ZH
from infra.auth import Principal
from services.access import POLICY
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


@router.get("/access/actions", summary="本令牌的角色可以执行的操作（访问策略 POLICY；记录范围仍逐条核查）",
            name="access.actions",
            description="令牌角色按访问策略可以执行的操作名（即接口名，如 hazard.assign）。看板只向列出该操作的角色显示"
                        "相应表单；记录是否在令牌范围内、是否符合隐患当前状态，仍由写入时核查。")
def actions(request: Request, who: Principal = Depends(principal)) -> dict:
    # what the holder's role may do at all, from the one policy table (services/access.py POLICY)
    request.app.state.ledger.authorize(who, "access.actions")
    return {"role": str(who.role), "role_label": ROLE_NAMES_ZH.get(who.role, str(who.role)),
            "actions": sorted(action for action, roles in POLICY.items() if who.role in roles)}
