"""The service platform (服务平台, issue 15 §5; docs/platform.md): POST /needs (an enterprise
posts a need), GET /needs (open needs for agencies in the pool; an enterprise its own with every
offer; offices their scope's), POST /needs/{id}/offers (an agency in the pool offers),
POST /needs/{id}/accept (the enterprise accepts one offer: the countersigned contract),
POST /needs/{id}/withdraw; POST /ratings and GET /ratings (绩效评比). One need or rating:
the generic record routes (GET /needs/{id}, /ratings/{id}, /history: routes/records.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from domain import rules
from domain.actor import Role
from domain.contracts import ServiceContract
from domain.parties import Agency
from domain.platform import ServiceNeed
from infra.auth import Principal
from projections.queries import platform as platform_q
from projections.readmodels import ReadModels
from services.access import read_scope
from services.api import schemas as s
from services.api import vocabularies as vocab
from services.api.deps import ledger, principal
from services.api.routes.readmodels import caught_up, read_models
from services.errors import NotFound

router = APIRouter(tags=["platform"])


@router.post("/needs", status_code=201, summary="发布服务需求", name="need.post",
             description="企业在服务平台发布所需的服务（`services`，服务类型可多选）和说明；入库中介机构可报价。")
def post_need(body: s.NewNeed, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    app.authorize(who, "need.post", app.subject_of_enterprise(body.enterprise_id))
    return app.post_need(who.actor, **body.model_dump())


@router.post("/needs/{need_id}/offers", status_code=201, summary="中介机构报价", name="need.offer",
             description="入库有效期内、未列入黑名单的中介机构对公开的需求报价（需求所列服务之一、服务期限、费用、"
                         "条款），每家机构对一项需求报价一次；报价机构为令牌所属机构。报价不使机构获得对该企业记录的"
                         "任何权限，只有企业接受报价后签订的合同才使其服务该企业。应答的 id 为报价 id。")
def offer(need_id: str, body: s.NewOffer, who: Principal = Depends(principal),
          app=Depends(ledger)) -> s.Written:
    app.authorize(who, "need.offer")
    app.load(ServiceNeed, need_id)  # 404 for an unknown need
    return app.offer_on_need(who.actor, need_id, agency_id=who.agency_id, **body.model_dump())


@router.post("/needs/{need_id}/accept", summary="接受报价（会签服务合同）", name="need.accept",
             description="发布需求的企业接受一个报价：即由该中介机构提出（报价即其签署）、企业会签的委托服务合同，"
                         "与双方分别签署的合同完全相同。一项需求只接受一次。应答的 id 为合同 id。")
def accept(need_id: str, body: s.OfferAcceptance, who: Principal = Depends(principal),
           app=Depends(ledger)) -> s.Written:
    app.authorize(who, "need.accept", app.subject_of(ServiceNeed, need_id))
    return app.accept_offer(who.actor, need_id, offer_id=body.offer_id)


@router.post("/needs/{need_id}/withdraw", summary="撤回服务需求", name="need.withdraw")
def withdraw(need_id: str, body: s.NeedWithdrawal, who: Principal = Depends(principal),
             app=Depends(ledger)) -> s.Written:
    app.authorize(who, "need.withdraw", app.subject_of(ServiceNeed, need_id))
    return app.withdraw_need(who.actor, need_id, reason=body.reason)


@router.get("/needs", summary="服务平台需求清单", name="need.list",
            description="入库有效期内、未列入黑名单的中介机构看征集报价中的需求及本机构的报价（不看其他机构的报价）；"
                        "企业看本企业的需求及全部报价；乡镇（街道）、行业监管部门看其范围内的；县级角色看全部。最新的在前。")
def needs(status: vocab.NeedStatus | None = Query(None, description="open 征集报价中 / accepted 已接受报价 / "
                                                                    "withdrawn 已撤回；不填为全部"),
          limit: int = Query(50, ge=1, le=500, description="每页条数"),
          offset: int = Query(0, ge=0, le=1_000_000, description="跳过的条数"),
          _: None = Depends(caught_up("need.list", ("activity",))),
          who: Principal = Depends(principal), rm: ReadModels = Depends(read_models),
          app=Depends(ledger)) -> dict:
    if who.role == Role.AGENCY:
        agency = app.find(Agency, who.agency_id) if who.agency_id else None
        if agency is None or agency.blacklisted or not agency.in_pool(app.today()):
            rule = rules.OFFER_BY_POOL_AGENCY
            return {"status": "open", "status_label": "征集报价中", "total": 0, "count": 0,
                    "limit": limit, "offset": offset, "items": [],
                    "note": f"{rule.text}（{rule.code}）：本机构不在入库有效期内或已列入黑名单"}
        return platform_q.needs(rm.activity, rm.reference, scope={}, status="open",
                                agency_id=str(agency.id), limit=limit, offset=offset)
    return platform_q.needs(rm.activity, rm.reference, scope=read_scope(who).as_filters(),
                            status=status, limit=limit, offset=offset)


@router.post("/ratings", status_code=201, summary="被服务企业评价中介机构（绩效评比）", name="rating.rate",
             description="接受过服务的企业在合同期满之日或之后，按服务质量（quality）、服务态度（attitude）、"
                         "服务效果（effect）各打 0–100 分并可附意见；每份合同评价一次。评价计入该中介机构的考评。")
def rate(body: s.NewRating, who: Principal = Depends(principal), app=Depends(ledger)) -> s.Written:
    try:
        subject = app.subject_of(ServiceContract, body.contract_id)
    except NotFound:
        subject = None  # the domain names the field (422)
    if subject is not None:
        subject = app.subject_of_enterprise(subject.enterprise_id)  # the contract's enterprise only
    app.authorize(who, "rating.rate", subject)
    return app.rate_agency(who.actor, **body.model_dump())


@router.get("/ratings", summary="中介机构服务评价（绩效评比）", name="rating.list",
            description="被服务企业对中介机构的评价及每家机构每年的平均分：中介机构看对本机构的评价，企业看本企业作出的，"
                        "乡镇（街道）、行业监管部门看其范围内企业作出的，县级角色看全部。")
def ratings(agency_id: str | None = Query(None, max_length=64, description="只看这家中介机构"),
            year: int | None = Query(None, ge=1990, le=2099, description="合同期满的年度"),
            _: None = Depends(caught_up("rating.list", ("activity",))),
            who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)) -> dict:
    return platform_q.ratings(rm.activity, scope=read_scope(who).as_filters(), agency_id=agency_id,
                              year=year)
