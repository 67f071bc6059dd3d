"""GET /checklists (filter by sector) and GET /checklists/{id}: the checklist templates (检查表)
an inspection is recorded against, read by every role; items show the criterion they check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from domain.checklist import Checklist
from domain.errors import InvalidValue
from infra.auth import Principal
from infra.criteria import Catalogue, Checklists
from services.access import check_role
from services.api.deps import principal
from services.api.routes.criteria import criterion_brief, regulation_view
from services.errors import NotFound

router = APIRouter(tags=["criteria"])


@router.get("/checklists", summary="检查表模板", name="checklist.list")
def list_checklists(request: Request, who: Principal = Depends(principal),
                    sector: str | None = Query(None, max_length=40, description="行业代码，如 trade")
                    ) -> list[dict]:
    check_role(who, "checklist.list")
    sectors = request.app.state.ledger.reference.sectors
    if sector is not None and sector not in sectors:
        raise InvalidValue("sector", f"未知行业代码 {sector}（可选：{'、'.join(sectors)}）")
    templates: Checklists = request.app.state.checklists
    return [_summary(t, request.app.state.criteria, sectors) for t in templates.find(sector=sector)]


@router.get("/checklists/{checklist_id}", summary="一张检查表及其检查项", name="checklist.read")
def read_checklist(checklist_id: str, request: Request, who: Principal = Depends(principal)) -> dict:
    check_role(who, "checklist.read")
    template = request.app.state.checklists.get(checklist_id)
    if template is None:
        raise NotFound("检查表", checklist_id)
    sectors = request.app.state.ledger.reference.sectors
    return {**_summary(template, request.app.state.criteria, sectors), "judge": template.judge,
            "items": [{"id": i.id, "text": i.text, "sectors": _sectors(i.sectors, sectors),
                       "criterion": criterion_brief(i.criterion) if i.criterion else None}
                      for i in template.items]}


def _summary(t: Checklist, catalogue: Catalogue, sectors: dict[str, str]) -> dict:
    branch = catalogue.branches.get(t.regulation.id, {}).get(t.branch or "") if t.regulation else None
    return {"id": t.id, "title": t.title, "sectors": _sectors(t.sectors, sectors),
            "regulation": regulation_view(t.regulation) if t.regulation else None,
            "branch": {"code": t.branch, "name": branch} if branch else None,
            "items_count": len(t.items),
            "major_items": sum(1 for i in t.items if i.criterion and i.criterion.major)}


def _sectors(codes: tuple[str, ...], names: dict[str, str]) -> list[dict]:
    return [{"code": s, "name": names.get(s, s)} for s in codes]
