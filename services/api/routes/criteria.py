"""GET /criteria (filter by sector, regulation, major, branch) and GET /criteria/{id}: the criteria
for major hazards (重大事故隐患判定标准), read by every role. Each code comes with its Chinese
label: the regulation's title, the sectors' names, the article as cited (article_zh)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from domain.criteria import Criterion, article_zh, level_required
from domain.errors import InvalidValue
from infra.auth import Principal
from infra.criteria import VERIFIED, Catalogue
from projections.labels import LEVEL
from services.access import check_role
from services.api.deps import principal
from services.errors import NotFound

router = APIRouter(tags=["criteria"])


@router.get("/criteria", summary="重大事故隐患判定标准条款", name="criteria.list")
def list_criteria(request: Request, who: Principal = Depends(principal),
                  sector: str | None = Query(None, max_length=40, description="行业代码，如 trade"),
                  regulation: str | None = Query(None, max_length=40, description="法规，如 gm10"),
                  major: bool | None = Query(None, description="true：重大隐患判定情形"),
                  branch: str | None = Query(None, max_length=40, description="法规内的分类，如 machinery")
                  ) -> list[dict]:
    check_role(who, "criteria.list")
    catalogue: Catalogue = request.app.state.criteria
    sectors = request.app.state.ledger.reference.sectors
    if sector is not None and sector not in sectors:
        raise InvalidValue("sector", f"未知行业代码 {sector}（可选：{'、'.join(sectors)}）")
    if regulation is not None and regulation not in catalogue.regulations:
        raise InvalidValue("regulation", f"未知法规 {regulation}（可选：{'、'.join(catalogue.regulations)}）")
    found = catalogue.find(sector=sector, regulation=regulation, major=major, branch=branch)
    return [criterion_view(c, catalogue, sectors) for c in found]


@router.get("/criteria/{criterion_id}", summary="一条判定标准条款", name="criteria.read")
def read_criterion(criterion_id: str, request: Request, who: Principal = Depends(principal)) -> dict:
    check_role(who, "criteria.read")
    catalogue: Catalogue = request.app.state.criteria
    criterion = catalogue.get(criterion_id)
    if criterion is None:
        raise NotFound("判定标准条款", criterion_id)
    return criterion_view(criterion, catalogue, request.app.state.ledger.reference.sectors)


def criterion_view(c: Criterion, catalogue: Catalogue, sectors: dict[str, str]) -> dict:
    """A criterion as the API shows it: codes with their Chinese labels."""
    required = level_required(c)
    branch = catalogue.branch_name(c)
    return {
        "id": c.id,
        "regulation": regulation_view(c.regulation),
        "article": c.article, "item": c.item, "article_zh": article_zh(c),
        "sectors": [{"code": s, "name": sectors.get(s, s)} for s in c.sectors],
        "branch": {"code": c.branch, "name": branch} if branch else None,
        "scope": c.scope,
        "condition": c.condition,
        "major": c.major,
        "level_required": {"code": str(required), "name": LEVEL[str(required)]} if required else None,
        "verified": {"code": c.verified, "name": VERIFIED[c.verified]},
    }


def criterion_brief(c: Criterion) -> dict:
    """A criterion where something cites it (a checklist item)."""
    return {"id": c.id, "article_zh": article_zh(c), "major": c.major,
            "regulation": regulation_view(c.regulation)}


def regulation_view(regulation) -> dict:
    return {"code": regulation.id, "name": regulation.title, "number": regulation.number,
            "in_force_from": regulation.in_force_from}
