from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from domain.inspection import Inspection
from infra.auth import Principal
from services.api import schemas as s
from services.api.deps import ledger, principal

router = APIRouter(prefix="/inspections", tags=["inspections"])


def _guard(app, who: Principal, action: str, inspection_id: str) -> None:
    app.authorize(who, action, app.subject_of(Inspection, inspection_id))


@router.post("", status_code=201, summary="安排排查", name="inspection.schedule")
def schedule(body: s.NewInspection, who: Principal = Depends(principal),
             app=Depends(ledger)) -> s.Written:
    app.authorize(who, "inspection.schedule", app.subject_of_party(body.enterprise_id, body.agency_id)
                  | app.insurance_subject(body.basis_id))  # 安责险: a policy as basis (issue 15 §3)
    return app.schedule_inspection(who.actor, **body.model_dump())


@router.post("/{inspection_id}/perform", summary="实施排查", name="inspection.perform")
def perform(inspection_id: str, body: s.InspectionPerformed, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    _guard(app, who, "inspection.perform", inspection_id)
    return app.perform_inspection(who.actor, inspection_id, **body.model_dump())


@router.post("/{inspection_id}/file-report", summary="排查报告备案", name="inspection.file-report")
def file_report(inspection_id: str, body: s.InspectionReport, who: Principal = Depends(principal),
                app=Depends(ledger)) -> s.Written:
    _guard(app, who, "inspection.file-report", inspection_id)
    return app.file_inspection_report(who.actor, inspection_id, **body.model_dump())


@router.post("/{inspection_id}/cancel", summary="取消排查", name="inspection.cancel")
def cancel(inspection_id: str, body: s.Cancellation, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    _guard(app, who, "inspection.cancel", inspection_id)
    return app.cancel_inspection(who.actor, inspection_id, **body.model_dump())


@router.post("/{inspection_id}/checklist", summary="记录检查表结果", name="inspection.checklist",
             description="按一份检查表模板（GET /checklists/{id}）逐项判定：符合（passed）、不符合（failed）、"
                         "不适用（not_applicable），可附说明和证据文件；不符合的检查项须关联作为隐患上报的隐患"
                         "（可稍后经 POST …/checklist/link 关联）。排查报告备案前再次记录同一模板即替换原结果。")
def record_checklist(inspection_id: str, body: s.ChecklistRecord, request: Request,
                     who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    """Every item of one template (GET /checklists/{id}) judged passed / failed / not_applicable,
    with a note and evidence files; a failed item names the hazard it was reported as, now or
    later (POST …/checklist/link). Recording a template again before the report replaces it."""
    _guard(app, who, "inspection.checklist", inspection_id)
    return app.record_checklist(who.actor, inspection_id, template_id=body.template_id,
                                results=[r.model_dump() for r in body.results],
                                templates=request.app.state.checklists)


@router.post("/{inspection_id}/checklist/link", summary="检查项关联隐患",
             name="inspection.checklist-link")
def link_checklist_hazard(inspection_id: str, body: s.ChecklistLink,
                          who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    _guard(app, who, "inspection.checklist-link", inspection_id)
    return app.link_checklist_hazard(who.actor, inspection_id, **body.model_dump())

