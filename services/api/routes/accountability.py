"""Accountability over HTTP (issue 6): agency accountability, the investigator's trace,
subsidies and their approval chain, coverage and the enforcement list, the auditor's export.

Every route checks the role first (`check_role`), then the record's scope (`authorize`) or,
for lists, filters rows by `read_scope`. Reads accept `?after=<position>` (read your writes:
`routes/readmodels.caught_up` — beyond the store's last position 422, else awaited without
holding a thread up to 5 s, then 503). Record times are shown in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from domain.errors import InvalidValue
from domain.parties import Agency
from domain.subsidy_claim import SubsidyClaim
from infra.auth import Principal
from infra.clock import local
from projections import audit_export
from projections.export import render
from projections.oversight_policy import OversightPolicy
from projections.queries import enterprise_statistics as es
from projections.queries import coverage as coverage_q
from projections.queries.accountability import accountability
from projections.queries.oversight import localize, select
from projections.queries.records import enterprise_events
from projections.queries.subsidies import served, subsidy_ledger
from projections.queries.statistics import Period
from projections.queries.trace import trace
from projections.readmodels import NotCaughtUp, ReadModels
from services.access import Subject, check_role, read_scope
from services.api import schemas as s
from services.api.deps import ledger, principal
from services.api.downloads import download
from services.api.json import JSON
from services.api.routes.readmodels import KNOWN_AT, caught_up, known_moment, read_models, statistics_period
from services.commands.subsidies import subsidy_policy
from services.presenters import aggregate_state
from services.reports_html import enterprise_statistics_html, trace_html

router = APIRouter(tags=["accountability"])
YEAR = Query(None, ge=1990, le=2099, description="年度（缺省为今年）")
BOTH = ("ledger", "activity")


class ClaimFiling(s.Body):
    agency_id: s.Ident
    year: int = Field(ge=1990, le=2099)


class ClaimCheck(s.Body):
    passed: bool
    notes: s.Text = ""
    on: s.Day | None = None


class ClaimNotice(s.Body):
    start: s.Day
    end: s.Day


class ClaimPayment(s.Body):
    paid_on: s.Day | None = None


@lru_cache(maxsize=8)
def _policy(path: Path | None) -> OversightPolicy:
    return OversightPolicy.load(path)


def oversight_policy(request: Request) -> OversightPolicy:
    """The county's accountability limits (Settings.policy_file, else Ninghai's), read once."""
    return _policy(getattr(request.app.state, "policy_file", None))


# --- agency accountability ----------------------------------------------------------------------
@router.get("/agencies/{agency_id}/accountability", name="agency.accountability",
            summary="中介机构履职：合同协议、应查与实查、发现隐患、报告备案、整改率、考评、黑名单")
def agency_accountability(agency_id: str, year: int | None = YEAR,
                          _: None = Depends(caught_up("agency.accountability", BOTH)),
                          who: Principal = Depends(principal), app=Depends(ledger),
                          rm: ReadModels = Depends(read_models),
                          oversight: OversightPolicy = Depends(oversight_policy)):
    check_role(who, "agency.accountability")
    app.authorize(who, "agency.accountability", app.subject_of(Agency, agency_id))
    result = accountability(rm, str(app.load(Agency, agency_id).id), year or app.today().year,
                            policy=oversight, day=app.today())
    if result is None:  # registered, not yet in the view
        raise NotCaughtUp("activity", rm.max_position(), rm.activity.position())
    return JSON(localize(result))


# --- the investigator's trace -------------------------------------------------------------------
@router.get("/trace/enterprises/{enterprise_id}", name="trace.enterprise",
            summary="事故调查追溯：截止日前的中介机构、排查与专家、隐患及其状态、执法、销号、经办人")
def trace_enterprise(enterprise_id: str, until: s.Day | None = Query(None, description="截止日（业务日期）"),
                     format: Literal["json", "html"] = "json",
                     _: None = Depends(caught_up("trace.enterprise", BOTH)),
                     who: Principal = Depends(principal), app=Depends(ledger),
                     rm: ReadModels = Depends(read_models),
                     oversight: OversightPolicy = Depends(oversight_policy)):
    check_role(who, "trace.enterprise")
    app.authorize(who, "trace.enterprise", app.subject_of_enterprise(enterprise_id))
    _, records = enterprise_events(app, rm, enterprise_id)
    result = localize(trace(rm, records, enterprise_id, until or app.today(), policy=rm.policy,
                            oversight=oversight))
    if format == "html":
        return HTMLResponse(trace_html(result, generated_at=local(datetime.now(UTC))))
    return JSON(result)


# --- coverage and the enforcement list ------------------------------------------------------------
@router.get("/coverage", name="coverage.read",
            summary="社会化服务覆盖率（目标 5%）及年度执法名单（既不自查又不委托），CSV / XLSX 导出")
def coverage(year: int | None = YEAR, format: Literal["json", "csv", "xlsx"] = "json",
             table: Literal["enforcement", "townships"] = Query(
                 "enforcement", description="CSV 导出哪张表：执法名单或各乡镇覆盖率（XLSX 两张都有）"),
             page: int = Query(1, ge=1, le=1_000_000, description="执法名单分页（JSON；导出为全部）"),
             page_size: int = Query(200, ge=1, le=1000),
             _: None = Depends(caught_up("coverage.read", ("activity",))),
             who: Principal = Depends(principal), app=Depends(ledger), rm: ReadModels = Depends(read_models),
             oversight: OversightPolicy = Depends(oversight_policy)):
    check_role(who, "coverage.read")
    chosen = year or app.today().year
    result = coverage_q.coverage(rm.activity, chosen, scope=read_scope(who).as_filters(),
                                 reference=rm.reference, goal=oversight.coverage_goal)
    if format == "json":
        listed = result["enforcement_list"]
        result["enforcement_total"] = len(listed)
        result["page"], result["page_size"] = page, page_size
        result["enforcement_list"] = listed[(page - 1) * page_size:page * page_size]
        return JSON(localize(result))
    data, _ = coverage_q.export(result, format, table)
    return download(data, format, f"社会化服务覆盖率与执法名单-{chosen}")


# --- subsidies ---------------------------------------------------------------------------------------
@router.get("/subsidies", name="subsidy.read", summary="补贴台账：各中介机构按政策应得补贴及审批状态")
def subsidies(year: int | None = YEAR, detail: bool = Query(False, description="列出每家企业的补贴"),
              _: None = Depends(caught_up("subsidy.read", ("activity",))),
              who: Principal = Depends(principal), app=Depends(ledger), rm: ReadModels = Depends(read_models)):
    check_role(who, "subsidy.read")
    chosen = year or app.today().year
    result = subsidy_ledger(rm.activity, chosen, subsidy_policy(chosen),
                            agency_id=read_scope(who).agency_id, detail=detail)
    return JSON(localize(result))


def _claim_subject(app, rm: ReadModels, claim: SubsidyClaim) -> Subject:
    """The claim's agency, and the townships it touches: its agreements' and its enterprises'."""
    agency = app.load(Agency, claim.agency_id)
    towns = {t for a in agency.agreements.values() for t in a["townships"]}
    rows = select(rm.activity, "SELECT DISTINCT township FROM {e} WHERE enterprise_id = ANY(%(ids)s)",
                  {"ids": [x["enterprise_id"] for x in claim.lines]}, e="activity_enterprises")
    return Subject(townships=frozenset(towns | {r["township"] for r in rows}),
                   agency_ids=frozenset({claim.agency_id}), named_agency_only=True)


def _authorize_claim(app, rm: ReadModels, who: Principal, action: str, claim_id: str) -> None:
    check_role(who, action)
    app.authorize(who, action, _claim_subject(app, rm, app.load(SubsidyClaim, claim_id)))


@router.get("/subsidies/claims/{claim_id}", name="subsidy.claim.read", summary="补贴申请及审批环节")
def read_claim(claim_id: str, who: Principal = Depends(principal), app=Depends(ledger),
               rm: ReadModels = Depends(read_models)):
    _authorize_claim(app, rm, who, "subsidy.claim.read", claim_id)
    return JSON(localize(aggregate_state(app.load(SubsidyClaim, claim_id))))


@router.post("/subsidies/claims", status_code=201, name="subsidy.claim.file", response_model=s.Written,
             summary="申报年度补贴（金额由服务端按政策和读模型计算；退回后可重新申报）")
def file_claim(body: ClaimFiling, _: None = Depends(caught_up("subsidy.claim.file", ("activity",))),
               who: Principal = Depends(principal),
               app=Depends(ledger), rm: ReadModels = Depends(read_models)):
    check_role(who, "subsidy.claim.file")
    app.authorize(who, "subsidy.claim.file", Subject(agency_ids=frozenset({body.agency_id}),
                                                     named_agency_only=True))
    facts = served(rm.activity, body.year, [body.agency_id]).get(body.agency_id, [])
    return app.file_subsidy_claim(who.actor, agency_id=body.agency_id, year=body.year, served=facts)


def _step(path: str, action: str, method: str, summary: str, model: type[s.Body]) -> None:
    def take(claim_id: str, body: s.Body, who: Principal = Depends(principal),
             app=Depends(ledger), rm: ReadModels = Depends(read_models)) -> s.Written:
        _authorize_claim(app, rm, who, action, claim_id)
        return getattr(app, method)(who.actor, claim_id, **body.model_dump())

    take.__annotations__ = {**take.__annotations__, "body": model, "who": Principal,
                            "rm": ReadModels, "claim_id": str, "return": s.Written}

    router.add_api_route(f"/subsidies/claims/{{claim_id}}/{path}", take, methods=["POST"],
                         name=action, summary=summary, response_model=s.Written)


for _path, _method, _summary, _model in (
        ("township-check", "check_subsidy_claim", "乡镇（街道）初审", ClaimCheck),
        ("bureau-review", "review_subsidy_claim", "县应急管理局审核", ClaimCheck),
        ("finance-approval", "approve_subsidy_claim", "县财政局审定（由县应急管理局登记）", ClaimCheck),
        ("notice", "publish_subsidy_notice", "公示（至少 7 天）", ClaimNotice),
        ("pay", "pay_subsidy", "拨付（公示期满后）", ClaimPayment)):
    _step(_path, f"subsidy.claim.{_path}", _method, _summary, _model)


# --- the auditor's export --------------------------------------------------------------------------
@router.get("/audit/enterprises/{enterprise_id}/export", name="audit.export",
            summary="审计导出：企业全部事件（位置、类型、记录时间、经办人、数据）及各位置的哈希链值")
def export_enterprise(enterprise_id: str, _: None = Depends(caught_up("audit.export", BOTH)),
                      who: Principal = Depends(principal), app=Depends(ledger),
                      rm: ReadModels = Depends(read_models)):
    check_role(who, "audit.export")
    app.authorize(who, "audit.export", app.subject_of_enterprise(enterprise_id))
    document = audit_export.export(app, rm, enterprise_id, exported_by=who.actor.name,
                                   now=datetime.now(UTC))
    document["views_position"] = min(rm.ledger.position(), rm.activity.position())
    return JSON(document)


# --- the enterprise's quarterly 统计分析表 (16号令, issue 13) --------------------------------------
@router.get("/statistics/enterprises/{enterprise_id}", name="statistics.enterprise.read",
            summary="企业季度事故隐患排查治理统计分析表：一般、重大隐患及未整改、治理方案、五到位、整改资金"
                    "（截至期间末；JSON、可打印 HTML、CSV、XLSX）")
def enterprise_statistics_table(enterprise_id: str, chosen: Period = Depends(statistics_period),
                                known_at: str | None = KNOWN_AT,
                                format: Literal["json", "html", "csv", "xlsx"] = "json",
                                _: None = Depends(caught_up("statistics.enterprise.read")),
                                who: Principal = Depends(principal), app=Depends(ledger),
                                rm: ReadModels = Depends(read_models)):
    check_role(who, "statistics.enterprise.read")
    subject = app.subject_of_enterprise(enterprise_id)  # 404 for an unknown enterprise
    today = app.today()
    if chosen.start > today:
        raise InvalidValue("period", f"期间 {chosen} 尚未开始（今天是 {today}）")
    day = es.as_of_day(chosen, today)  # an agency reads it while it served up to that day (issue 10)
    app.authorize(who, "statistics.enterprise.read", replace(subject, made_on=day))
    row = es.enterprise_row(rm.ledger, subject.enterprise_id)
    if row is None:  # registered, not yet in the view
        raise NotCaughtUp("ledger", rm.max_position(), rm.ledger.position())
    result = localize(es.enterprise_statistics(rm.ledger, row, chosen, today=today,
                                               known_at=known_moment(known_at), reference=rm.reference))
    if format == "html":
        return HTMLResponse(enterprise_statistics_html(result, generated_at=local(datetime.now(UTC))))
    if format in ("csv", "xlsx"):
        data = render(format, es.EXPORT_COLUMNS, [es.export_row(result)], "统计分析表")
        return download(data, format, f"统计分析表-{row['name']}-{chosen}")
    return JSON(result)
