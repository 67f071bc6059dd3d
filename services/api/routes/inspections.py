from __future__ import annotations

from fastapi import APIRouter, Depends

from infra.auth import Principal
from services.api import schemas as s
from services.api.deps import ledger, principal

router = APIRouter(prefix="/inspections", tags=["inspections"])


@router.post("", status_code=201, summary="安排排查")
def schedule(body: s.NewInspection, who: Principal = Depends(principal),
             app=Depends(ledger)) -> s.Written:
    return app.schedule_inspection(who.actor, **body.model_dump())


@router.post("/{inspection_id}/perform", summary="实施排查")
def perform(inspection_id: str, body: s.InspectionPerformed, who: Principal = Depends(principal),
            app=Depends(ledger)) -> s.Written:
    return app.perform_inspection(who.actor, inspection_id, **body.model_dump())


@router.post("/{inspection_id}/file-report", summary="排查报告备案")
def file_report(inspection_id: str, body: s.InspectionReport, who: Principal = Depends(principal),
                app=Depends(ledger)) -> s.Written:
    return app.file_inspection_report(who.actor, inspection_id, **body.model_dump())


@router.post("/{inspection_id}/cancel", summary="取消排查")
def cancel(inspection_id: str, body: s.Cancellation, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    return app.cancel_inspection(who.actor, inspection_id, **body.model_dump())
