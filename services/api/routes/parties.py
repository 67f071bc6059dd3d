from __future__ import annotations

from fastapi import APIRouter, Depends

from domain.accident import Accident
from domain.parties import Agency
from infra.auth import Principal
from services.access import Subject
from services.api import schemas as s
from services.api.deps import ledger, principal

router = APIRouter(tags=["parties"])


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
