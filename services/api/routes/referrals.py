"""Referrals (交办、抄告, issue 14): POST /referrals, /referrals/{id}/sign (签收),
/referrals/{id}/answer (答复), GET /referrals?state=open|overdue|answered (the token's unit's);
reading one is the generic record route (GET /referrals/{id}, /history: routes/records.py).
The list reads the activity view's `activity_referrals` (docs/referrals.md)."""

from __future__ import annotations


from fastapi import APIRouter, Depends, Query

from domain.actor import Role
from domain.referral import Referral
from infra.auth import Principal
from projections.queries import referrals as referrals_q
from projections.readmodels import ReadModels
from services.access import read_scope
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.routes.readmodels import caught_up, read_models
from services.api import vocabularies as vocab  # issue 17 §6

router = APIRouter(prefix="/referrals", tags=["referrals"])


def _unit(who: Principal) -> str | None:
    """The token's unit: its township's code, or its sector's for a regulator."""
    return who.township if who.role == Role.TOWNSHIP else who.sector if who.role == Role.REGULATOR else None


@router.post("", status_code=201, summary="交办隐患（抄告）", name="referral.refer",
             description="县安委会办公室（县应急管理局）将隐患交办给乡镇（街道）（`township`）或行业监管部门"
                         "（`sector`）；未知的代码或隐患为 422，并指明字段。")
def refer(body: s.NewReferral, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    """The bureau (县安委会办公室) refers hazards to a township (`township`) or a sector
    regulator (`sector`): an unknown code or hazard is 422 naming it."""
    app.authorize(who, "referral.refer")
    return app.refer_hazards(who.actor, **body.model_dump())


@router.post("/{referral_id}/sign", summary="签收交办", name="referral.sign")
def sign(referral_id: str, body: s.ReferralSigning | None = None, who: Principal = Depends(principal),
         app=Depends(ledger)) -> s.Written:
    app.authorize(who, "referral.sign", app.subject_of(Referral, referral_id))
    return app.sign_referral(who.actor, referral_id, unit=_unit(who),
                             **(body or s.ReferralSigning()).model_dump())


@router.post("/{referral_id}/answer", summary="答复交办", name="referral.answer")
def answer(referral_id: str, body: s.ReferralAnswer, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    app.authorize(who, "referral.answer", app.subject_of(Referral, referral_id))
    return app.answer_referral(who.actor, referral_id, unit=_unit(who), **body.model_dump())


@router.get("", summary="交办事项清单", name="referral.list",
            description="交给令牌所属单位的交办事项（乡镇（街道）看本乡镇的，行业监管部门看本行业的，县级角色看全部），"
                        "最早的在前，`limit`/`offset` 分页；办理状态按今天（北京时间）判断。读自活动读模型"
                        "（`?after=` 等待其处理到该位置）。")
def referrals(state: vocab.ReferralState | None = Query(  # issue 17 §6: enum with labels
                  None, description="open 办理中 / overdue 逾期未答复 / answered 已答复；不填为全部"),
              limit: int = Query(50, ge=1, le=500, description="每页条数"),
              offset: int = Query(0, ge=0, le=1_000_000, description="跳过的条数"),
              _: None = Depends(caught_up("referral.list", ("activity",))),
              who: Principal = Depends(principal), rm: ReadModels = Depends(read_models),
              app=Depends(ledger)) -> dict:
    """The referrals to the token's unit (a township its own, a regulator its sector's; the
    county-wide roles all), oldest first, `limit`/`offset` as the other lists of issue 14; the
    state judged on today (Asia/Shanghai). Read from the activity view (`?after=` waits for it)."""
    today = app.today()
    total, rows = referrals_q.rows(rm.activity, scope=read_scope(who).as_filters(), day=today,
                                   state=state, limit=limit, offset=offset)
    items = [referrals_q.item(row, rm.reference, today) for row in rows]
    return {"state": state, "total": total, "count": len(items), "limit": limit, "offset": offset,
            "items": items}
