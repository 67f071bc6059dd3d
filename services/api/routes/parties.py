from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from domain.accident import Accident
from domain.errors import InvalidValue
from domain.parties import Agency
from infra.auth import Principal
from projections.queries import enterprises as enterprises_q
from projections.readmodels import ReadModels
from services.access import Subject, read_scope
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.routes.readmodels import caught_up, read_models

router = APIRouter(tags=["parties"])


@router.get("/enterprises", summary="企业名录：本范围内的企业，按名称或信用代码查找", name="enterprise.list",
            description="按企业名称排序；每行：企业、统一社会信用代码、乡镇（街道）、行业、规模及其中文名称。"
                        "乡镇（街道）只见本乡镇的企业，行业主管部门只见本行业的，企业只见本企业；中介机构、保险机构无此名录。")
def enterprise_list(q: str | None = Query(None, max_length=100, description="企业名称或统一社会信用代码（部分即可）"),
                    township: str | None = Query(None, max_length=40, description="乡镇（街道）代码；不会超出令牌的范围"),
                    sector: str | None = Query(None, max_length=40, description="行业代码；不会超出令牌的范围"),
                    limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000),
                    _: None = Depends(caught_up("enterprise.list")),
                    who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)) -> dict:
    if township is not None and township not in rm.reference.townships:
        raise InvalidValue("township", f"未知乡镇（街道）代码 {township!r}")
    if sector is not None and sector not in rm.reference.sectors:
        raise InvalidValue("sector", f"未知行业代码 {sector!r}")
    result = enterprises_q.directory(rm.ledger, scope=read_scope(who).as_filters(), reference=rm.reference,
                                     q=q, township=township, sector=sector, limit=limit, offset=offset)
    return {"q": q, "limit": limit, "offset": offset, **result}


@router.post("/enterprises", status_code=201, summary="登记企业", name="enterprise.register")
def register_enterprise(body: s.NewEnterprise, who: Principal = Depends(principal),
                        app=Depends(ledger)) -> s.Written:
    app.authorize(who, "enterprise.register",
                  Subject(frozenset({body.township}), frozenset({body.sector})))
    return app.register_enterprise(who.actor, **body.model_dump())


@router.post("/agencies", status_code=201, summary="登记中介机构", name="agency.register")
def register_agency(body: s.NewAgency, who: Principal = Depends(principal),
                    app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.register")
    return app.register_agency(who.actor, **body.model_dump())


@router.post("/agencies/{agency_id}/experts", status_code=201, summary="专家加入",
             name="agency.expert.add")
def add_expert(agency_id: str, body: s.NewExpert, who: Principal = Depends(principal),
               app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.expert.add", app.subject_of(Agency, agency_id))
    return app.add_expert(who.actor, agency_id, **body.model_dump())


@router.post("/agencies/{agency_id}/experts/{expert_id}/leave", summary="专家离开",
             name="agency.expert.leave")
def remove_expert(agency_id: str, expert_id: str, body: s.ExpertLeaves,
                  who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.expert.leave", app.subject_of(Agency, agency_id))
    return app.remove_expert(who.actor, agency_id, expert_id, **body.model_dump())


@router.post("/agencies/{agency_id}/admit", summary="入库（两年）", name="agency.admit")
def admit_agency(agency_id: str, body: s.PoolAdmission, who: Principal = Depends(principal),
                 app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.admit", app.subject_of(Agency, agency_id))
    return app.admit_agency_to_pool(who.actor, agency_id, **body.model_dump())


@router.post("/accidents", status_code=201, summary="事故登记", name="accident.record")
def record_accident(body: s.NewAccident, who: Principal = Depends(principal),
                    app=Depends(ledger)) -> s.Written:
    app.authorize(who, "accident.record", app.subject_of_enterprise(body.enterprise_id))
    return app.record_accident(who.actor, **body.model_dump())


@router.post("/agencies/{agency_id}/evaluate", summary="考评", name="agency.evaluate")
def evaluate_agency(agency_id: str, body: s.Evaluation, who: Principal = Depends(principal),
                    app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.evaluate", app.subject_of(Agency, agency_id))
    return app.evaluate_agency(who.actor, agency_id, **body.model_dump())


@router.post("/agencies/{agency_id}/blacklist", summary="列入黑名单", name="agency.blacklist")
def blacklist_agency(agency_id: str, body: s.Blacklisting, who: Principal = Depends(principal),
                     app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.blacklist", app.subject_of(Agency, agency_id))
    return app.blacklist_agency(who.actor, agency_id, **body.model_dump())


@router.post("/agencies/{agency_id}/reinstate", summary="移出黑名单", name="agency.reinstate")
def reinstate_agency(agency_id: str, body: s.Blacklisting, who: Principal = Depends(principal),
                     app=Depends(ledger)) -> s.Written:
    app.authorize(who, "agency.reinstate", app.subject_of(Agency, agency_id))
    return app.reinstate_agency(who.actor, agency_id, **body.model_dump())


@router.post("/accidents/{accident_id}/findings", summary="事故调查认定（中介机构责任）",
             name="accident.finding")
def record_finding(accident_id: str, body: s.Finding, who: Principal = Depends(principal),
                   app=Depends(ledger)) -> s.Written:
    app.authorize(who, "accident.finding", app.subject_of(Accident, accident_id))
    return app.record_finding(who.actor, accident_id, **body.model_dump())
