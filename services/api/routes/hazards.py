from __future__ import annotations

from fastapi import APIRouter, Depends

from infra.auth import Principal
from services.api import schemas as s
from services.api.deps import ledger, principal

router = APIRouter(prefix="/hazards", tags=["hazards"])


@router.post("", status_code=201, summary="隐患上报")
def report(body: s.NewHazard, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    return app.report_hazard(who.actor, **body.model_dump())


@router.post("/{hazard_id}/assign", summary="落实责任人和整改期限")
def assign(hazard_id: str, body: s.Assignment, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    return app.assign_responsibility(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/plan", summary="治理方案备案")
def plan(hazard_id: str, body: s.RectificationPlan, who: Principal = Depends(principal),
         app=Depends(ledger)) -> s.Written:
    parts = body.model_dump()
    filed_on = parts.pop("filed_on")
    return app.file_rectification_plan(who.actor, hazard_id, parts=parts, filed_on=filed_on)


@router.post("/{hazard_id}/supervise", summary="挂牌督办")
def supervise(hazard_id: str, body: s.Supervision, who: Principal = Depends(principal),
              app=Depends(ledger)) -> s.Written:
    return app.list_for_supervision(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/enforce", summary="执法措施")
def enforce(hazard_id: str, body: s.Enforcement, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    return app.record_enforcement(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/rectify", summary="整改完成")
def rectify(hazard_id: str, body: s.Rectification, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    return app.report_rectification(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/review", summary="复查（重大、挂牌督办隐患为联合复查签字）")
def review(hazard_id: str, body: s.Review, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    return app.review_rectification(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/closure-report", summary="书面销号报告")
def closure_report(hazard_id: str, body: s.ClosureReport, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    return app.file_closure_report(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/close", summary="销号")
def close(hazard_id: str, body: s.Closing | None = None, who: Principal = Depends(principal),
          app=Depends(ledger)) -> s.Written:
    return app.close_hazard(who.actor, hazard_id, **(body or s.Closing()).model_dump())


@router.post("/{hazard_id}/regrade", summary="调整等级")
def regrade(hazard_id: str, body: s.Regrading, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    return app.regrade_hazard(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/extend", summary="延期")
def extend(hazard_id: str, body: s.Extension, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    return app.extend_deadline(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/withdraw", summary="撤销误报")
def withdraw(hazard_id: str, body: s.Withdrawal, who: Principal = Depends(principal),
             app=Depends(ledger)) -> s.Written:
    return app.withdraw_hazard(who.actor, hazard_id, **body.model_dump())
