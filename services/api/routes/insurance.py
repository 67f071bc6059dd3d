"""安责险 over HTTP (issue 15 §3, docs/insurance.md): insurers, policies, commissions of assessment
agencies, accident-prevention services, the prevention-fee ledger and the coverage of the
mandatory sectors.

Who records a policy: the insurer, for itself only (its token's insurer must be the body's
`insurer_id`: 403 otherwise), or the bureau entering a paper policy. Recording a policy gives an
insurer nothing of the enterprise's: its scope is its own policies and what hangs on them
(the assessments whose basis they are and the hazards those found), read through these routes.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query

from domain.insurance import InsurancePolicy, Insurer
from infra.auth import Principal
from projections.export import render
from projections.queries import insurance as q
from projections.queries.oversight import localize
from projections.readmodels import NotCaughtUp, ReadModels
from services.access import Subject, check_role, read_scope, scope_words
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.downloads import download
from services.api.json import JSON
from services.api.routes.accountability import YEAR
from services.api.routes.readmodels import caught_up, read_models

router = APIRouter(tags=["insurance"])
FORMAT = Query("json", description="json，或导出 csv / xlsx")


# --- insurers ------------------------------------------------------------------------------------
@router.post("/insurers", status_code=201, summary="登记保险机构", name="insurer.register")
def register_insurer(body: s.NewInsurer, who: Principal = Depends(principal),
                     app=Depends(ledger)) -> s.Written:
    app.authorize(who, "insurer.register")
    return app.register_insurer(who.actor, **body.model_dump())


@router.get("/insurers", summary="保险机构名单（保险机构只见本机构）", name="insurer.list")
def list_insurers(_: None = Depends(caught_up("insurer.list", ("activity",))),
                  who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
    check_role(who, "insurer.list")
    rows = q.insurers(rm.activity, scope=read_scope(who).as_filters())
    return JSON({"items": rows, "total": len(rows)})


@router.get("/insurers/{insurer_id}", summary="保险机构：登记信息、保单期间、事故预防服务", name="insurer.read")
def read_insurer(insurer_id: str, who: Principal = Depends(principal), app=Depends(ledger)):
    app.authorize(who, "insurer.read", app.subject_of(Insurer, insurer_id))
    insurer = app.load(Insurer, insurer_id)
    return JSON({"id": str(insurer.id), "credit_code": insurer.credit_code, "name": insurer.name,
                 "policies": len(insurer.policies), "prevention_services": insurer.services})


@router.post("/insurers/{insurer_id}/prevention-services", status_code=201,
             summary="登记事故预防服务支出（风险评估、培训、专家检查、宣传教育）",
             name="insurer.prevention-record",
             description="保险机构为本机构登记已支付的事故预防服务：类型、金额、凭证号（同一保险机构内唯一，"
                         "重复提交为 409 `prevention-reference-unique`）、支付日期。")
def record_prevention(insurer_id: str, body: s.PreventionService, who: Principal = Depends(principal),
                      app=Depends(ledger)) -> s.Written:
    app.authorize(who, "insurer.prevention-record", app.subject_of(Insurer, insurer_id))
    return app.record_prevention_service(who.actor, insurer_id, **body.model_dump())


# --- policies ------------------------------------------------------------------------------------
@router.post("/insurance-policies", status_code=201, summary="登记安责险保单", name="insurance_policy.record",
             description="保险机构为本机构登记保单（县应急管理局可代录纸质保单）。同一保险机构对同一企业的保单，"
                         "保险期间不能重叠（409 `insurance-policy-no-overlap`，不存储任何内容）；保费须大于 0，"
                         "止期须晚于起期（422）。是否属于强制投保行业按企业所属行业和县里的数据判定。")
def record_policy(body: s.NewInsurancePolicy, who: Principal = Depends(principal),
                  app=Depends(ledger)) -> s.Written:
    # the insurer in the body is the record's party: an insurer token for another insurer is 403
    app.authorize(who, "insurance_policy.record", Subject(insurer_ids=frozenset({body.insurer_id})))
    return app.record_insurance_policy(who.actor, **body.model_dump())


@router.post("/insurance-policies/{policy_id}/commission", summary="委托中介机构实施安责险风险评估",
             name="insurance_policy.commission")
def commission(policy_id: str, body: s.Commission, who: Principal = Depends(principal),
               app=Depends(ledger)) -> s.Written:
    app.authorize(who, "insurance_policy.commission", app.subject_of(InsurancePolicy, policy_id))
    return app.commission_assessment(who.actor, policy_id, **body.model_dump())


@router.get("/insurance-policies", summary="安责险保单列表（按令牌范围），CSV / XLSX 导出",
            name="insurance_policy.list")
def list_policies(year: int | None = Query(None, ge=1990, le=2099, description="保险期间开始的年度"),
                  insurer_id: str | None = Query(None, max_length=64, description="只列该保险机构的保单"),
                  format: Literal["json", "csv", "xlsx"] = FORMAT,
                  _: None = Depends(caught_up("insurance_policy.list", ("activity",))),
                  who: Principal = Depends(principal), app=Depends(ledger),
                  rm: ReadModels = Depends(read_models)):
    check_role(who, "insurance_policy.list")
    rows = q.policies(rm.activity, scope=read_scope(who).as_filters(), reference=rm.reference,
                      on=app.today(), year=year, insurer_id=insurer_id)
    if format != "json":
        data = render(format, q.POLICY_COLUMNS, rows, "安责险保单", scope_words(who, rm.reference))
        return download(data, format, "安责险保单")
    return JSON({"items": localize(rows), "total": len(rows)})


@router.get("/insurance-policies/{policy_id}", summary="安责险保单：风险评估及其发现的隐患",
            name="insurance_policy.read")
def read_policy(policy_id: str, _: None = Depends(caught_up("insurance_policy.read", ("ledger", "activity"))),
                who: Principal = Depends(principal), app=Depends(ledger),
                rm: ReadModels = Depends(read_models)):
    app.authorize(who, "insurance_policy.read", app.subject_of(InsurancePolicy, policy_id))
    pid = str(app.load(InsurancePolicy, policy_id).id)
    rows = q.policies(rm.activity, scope={}, reference=rm.reference, on=app.today(), policy_id=pid)
    if not rows:  # recorded, not yet in the view
        raise NotCaughtUp("activity", rm.max_position(), rm.activity.position())
    assessments = q.assessments(rm.activity, pid)
    hazards = q.hazards_of(rm.ledger, [a["inspection_id"] for a in assessments])
    return JSON(localize({**rows[0], "assessments": assessments, "hazards": hazards}))


# --- the prevention-fee ledger and the coverage of mandatory sectors ------------------------------
@router.get("/insurance/prevention", summary="事故预防费用台账：各保险机构年度保费收入、应提取 10%、已支出与缺口",
            name="insurance.prevention")
def prevention(year: int | None = YEAR, format: Literal["json", "csv", "xlsx"] = FORMAT,
               _: None = Depends(caught_up("insurance.prevention", ("activity",))),
               who: Principal = Depends(principal), app=Depends(ledger),
               rm: ReadModels = Depends(read_models)):
    check_role(who, "insurance.prevention")
    chosen = year or app.today().year
    result = q.prevention(rm.activity, chosen, scope=read_scope(who).as_filters(), rules=app.insurance_rules)
    if format != "json":
        data = render(format, q.PREVENTION_COLUMNS, result["items"], f"事故预防费用台账 {chosen}",
                      scope_words(who, rm.reference))
        return download(data, format, f"事故预防费用台账-{chosen}")
    return JSON(result)


@router.get("/insurance/coverage", summary="强制投保行业安责险覆盖率（按乡镇）", name="insurance.coverage")
def coverage(on: date | None = Query(None, description="统计日（缺省为今天）：该日保单在保"),
             format: Literal["json", "csv", "xlsx"] = FORMAT,
             _: None = Depends(caught_up("insurance.coverage", ("activity",))),
             who: Principal = Depends(principal), app=Depends(ledger),
             rm: ReadModels = Depends(read_models)):
    check_role(who, "insurance.coverage")
    day = on or app.today()
    result = q.coverage(rm.activity, day, scope=read_scope(who).as_filters(), rules=app.insurance_rules,
                        reference=rm.reference)
    if format != "json":
        data = render(format, q.COVERAGE_COLUMNS, result["items"], f"强制投保行业安责险覆盖率 {day}",
                      scope_words(who, rm.reference))
        return download(data, format, f"安责险覆盖率-{day}")
    return JSON(result)
