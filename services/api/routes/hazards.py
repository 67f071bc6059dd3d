from __future__ import annotations

from fastapi import APIRouter, Depends

from infra.auth import Principal
from services.api import schemas as s
from domain.hazard import Hazard
from services.api.deps import ledger, principal
from services.file_readers import require_citable

router = APIRouter(prefix="/hazards", tags=["hazards"])


def _guard(app, who: Principal, action: str, hazard_id: str) -> None:
    app.authorize(who, action, app.subject_of(Hazard, hazard_id))


@router.post("", status_code=201, summary="隐患上报", name="hazard.report")
def report(body: s.NewHazard, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "hazard.report", app.subject_of_enterprise(body.enterprise_id)
                  | app.insurance_subject_of_inspection(body.inspection_id))  # 安责险 (issue 15 §3)
    require_citable(app, app.evidence_files, who, body.evidence)
    return app.report_hazard(who.actor, **body.model_dump())


@router.post("/{hazard_id}/assign", summary="落实责任人和整改期限", name="hazard.assign")
def assign(hazard_id: str, body: s.Assignment, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.assign", hazard_id)
    return app.assign_responsibility(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/plan", summary="治理方案备案", name="hazard.plan")
def plan(hazard_id: str, body: s.RectificationPlan, who: Principal = Depends(principal),
         app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.plan", hazard_id)
    parts = body.model_dump()
    filed_on = parts.pop("filed_on")
    return app.file_rectification_plan(who.actor, hazard_id, parts=parts, filed_on=filed_on)


@router.post("/{hazard_id}/supervise", summary="挂牌督办", name="hazard.supervise")
def supervise(hazard_id: str, body: s.Supervision, who: Principal = Depends(principal),
              app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.supervise", hazard_id)
    return app.list_for_supervision(who.actor, hazard_id, **body.model_dump())


# --- 挂牌督办通知书 (issue 14 §1): issue, serve, sign, cancel -----------------------------------
@router.post("/{hazard_id}/listing", summary="下达挂牌督办通知书", name="hazard.listing-issue")
def issue_listing(hazard_id: str, body: s.ListingNotice, who: Principal = Depends(principal),
                  app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.listing-issue", hazard_id)
    return app.issue_listing(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/listing/serve", summary="挂牌督办通知书送达", name="hazard.listing-serve")
def serve_listing(hazard_id: str, body: s.ListingService, who: Principal = Depends(principal),
                  app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.listing-serve", hazard_id)
    return app.serve_listing(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/listing/sign", summary="挂牌督办通知书签收", name="hazard.listing-sign")
def sign_listing(hazard_id: str, body: s.ListingReceipt, who: Principal = Depends(principal),
                 app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.listing-sign", hazard_id)
    return app.sign_listing(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/listing/cancel", summary="撤销挂牌督办", name="hazard.listing-cancel")
def cancel_listing(hazard_id: str, body: s.ListingCancellation, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.listing-cancel", hazard_id)
    return app.cancel_listing(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/enforce", summary="执法措施", name="hazard.enforce")
def enforce(hazard_id: str, body: s.Enforcement, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.enforce", hazard_id)
    return app.record_enforcement(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/rectify", summary="整改完成", name="hazard.rectify")
def rectify(hazard_id: str, body: s.Rectification, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.rectify", hazard_id)
    require_citable(app, app.evidence_files, who, body.evidence)
    return app.report_rectification(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/review", summary="复查（重大、挂牌督办隐患为联合复查签字）", name="hazard.review")
def review(hazard_id: str, body: s.Review, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.review", hazard_id)
    require_citable(app, app.evidence_files, who, body.evidence)
    return app.review_rectification(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/closure-report", summary="书面销号报告", name="hazard.closure-report")
def closure_report(hazard_id: str, body: s.ClosureReport, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.closure-report", hazard_id)
    return app.file_closure_report(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/close", summary="销号", name="hazard.close")
def close(hazard_id: str, body: s.Closing | None = None, who: Principal = Depends(principal),
          app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.close", hazard_id)
    return app.close_hazard(who.actor, hazard_id, **(body or s.Closing()).model_dump())


@router.post("/{hazard_id}/regrade", summary="调整等级", name="hazard.regrade")
def regrade(hazard_id: str, body: s.Regrading, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.regrade", hazard_id)
    return app.regrade_hazard(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/extend", summary="延期（审批纸质延期申请）", name="hazard.extend")
def extend(hazard_id: str, body: s.Extension, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.extend", hazard_id)
    return app.extend_deadline(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/extension-requests", summary="申请延期", name="hazard.extension-request")
def request_extension(hazard_id: str, body: s.ExtensionRequest, who: Principal = Depends(principal),
                      app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.extension-request", hazard_id)
    return app.request_extension(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/extension-requests/decision", summary="延期审批",
             name="hazard.extension-decision")
def decide_extension(hazard_id: str, body: s.ExtensionDecision, who: Principal = Depends(principal),
                     app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.extension-decision", hazard_id)
    return app.decide_extension(who.actor, hazard_id, **body.model_dump())


@router.post("/{hazard_id}/withdraw", summary="撤销误报", name="hazard.withdraw")
def withdraw(hazard_id: str, body: s.Withdrawal, who: Principal = Depends(principal),
             app=Depends(ledger)) -> s.Written:
    _guard(app, who, "hazard.withdraw", hazard_id)
    return app.withdraw_hazard(who.actor, hazard_id, **body.model_dump())
