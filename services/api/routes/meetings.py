"""The monthly joint meeting pack (联席会材料, issue 14 §4): GET /meetings/pack?month=2026-11
&format=json|html|xlsx — per township and per sector regulator: new major hazards, overdue ones,
挂牌督办 and its paperwork, referrals open and answered, enforcement, non-reporters, and the
meeting's decisions (referrals recorded with that month's `meeting`). Queries:
`projections/queries/meetings.py`; printable page: `services/meetings_html.py`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from domain.self_report import past_month
from infra.auth import Principal
from infra.clock import local
from projections.export import workbook
from projections.queries import meetings as meetings_q
from projections.readmodels import ReadModels
from services.access import read_scope, scope_words
from services.api.deps import ledger, principal
from services.api.downloads import download
from services.api.routes.readmodels import caught_up, read_models
from services.meetings_html import meeting_pack_html

router = APIRouter(prefix="/meetings", tags=["meetings"])

MONTH = Query(..., max_length=20, description="月份 YYYY-MM（不能是将来的月份）")


@router.get("/pack", name="meeting.pack",
            summary="联席会材料：分乡镇（街道）和行业监管部门的新增重大隐患、逾期隐患、挂牌督办、交办事项、"
                    "执法、未报企业，及本次会议交办事项（JSON、可打印 HTML、XLSX）",
            description="乡镇（街道）的令牌得到本乡镇部分，行业监管部门的得到本行业部分，县级角色得到全部乡镇和行业。"
                        "月份格式不对或尚未开始：422，指明 `month`。")
def meeting_pack(month: str = MONTH, format: Literal["json", "html", "xlsx"] = "json",
                 _: None = Depends(caught_up("meeting.pack", ("ledger", "activity"))),
                 who: Principal = Depends(principal), app=Depends(ledger),
                 rm: ReadModels = Depends(read_models)):
    """A township's token gets its township's section, a regulator's its sector's, the
    county-wide roles every township and sector. A malformed month or one not yet begun: 422
    naming `month`."""
    today = app.today()
    month = past_month(month, today)
    facts = meetings_q.gather(rm.ledger, rm.activity, month=month, scope=read_scope(who).as_filters(),
                              reference=rm.reference, today=today,
                              due_on=app.self_report_policy.due(month))
    if format == "xlsx":
        return download(workbook(meetings_q.sheets(facts), scope_words(who, rm.reference)), "xlsx",
                        f"联席会材料-{month}")
    pack = meetings_q.pack(facts)
    if format == "html":
        return HTMLResponse(meeting_pack_html(pack, generated_at=local(datetime.now(UTC))))
    return pack
