"""POST /self-reports (企业隐患自查自报) and POST /self-reports/{id}/amend; reading one is the
generic record route (GET /self-reports/{id}, /history: services/api/routes/records.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from domain.self_report import SelfReport
from infra.auth import Principal
from services.api import schemas as s
from services.api.deps import ledger, principal

router = APIRouter(prefix="/self-reports", tags=["self-reports"])


@router.post("", status_code=201, summary="企业月度自查自报", name="self_report.file",
             description="列出本企业当月发现的隐患，或 `none_found: true`（零隐患）。每家企业每月一份"
                         "（重复申报为 409 `self-report-once-a-month`，更正请用 /amend）；宽限日之后申报的记为迟报（late）。")
def file_self_report(body: s.NewSelfReport, who: Principal = Depends(principal),
                     app=Depends(ledger)) -> s.Written:
    """The month's hazards (discovered that month, this enterprise's) or `none_found: true`.
    One per enterprise and month (id: a uuid5 of both): a second is 409
    `self-report-once-a-month`; change it with /amend. After the grace day it is stored, `late`."""
    app.authorize(who, "self_report.file", app.subject_of_enterprise(body.enterprise_id))
    return app.file_self_report(who.actor, **body.model_dump())


@router.post("/{report_id}/amend", summary="修改月度自查自报", name="self_report.amend")
def amend_self_report(report_id: str, body: s.SelfReportAmendment,
                      who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "self_report.amend", app.subject_of(SelfReport, report_id))
    return app.amend_self_report(who.actor, report_id, **body.model_dump())
