"""Read models over HTTP: 隐患台账, 整改率, 三不放过, 统计分析表 (JSON, CSV, XLSX).

Every read is limited to the token's scope (`read_scope(...).as_filters()`), may travel in
time (`as_of` business date, `known_at` record time) and may wait for its own writes
(`after=<position>`: up to 5 s, else 503 with Retry-After).
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from domain.errors import InvalidValue
from domain.values import Status
from infra.auth import Principal
from infra.clock import parse_moment
from projections import reports
from projections.export import MEDIA, render
from projections.queries.base import RANGES, Filters, Moment
from projections.queries.ledger import Page
from projections.queries.statistics import Period
from projections.readmodels import NotCaughtUp, ReadModels
from services.access import check_role, read_scope
from services.api.deps import principal
from services.api.json import JSON

router = APIRouter(tags=["read models"])

Format = Literal["json", "csv", "xlsx"]
AFTER = Query(None, ge=0, le=2**62, description="写入返回的 position：等读模型追上后再读（最多 5 秒，否则 503）")
AS_OF = Query(None, description="业务日期：各隐患按其业务日期不晚于该日的最近一次变化呈现")
KNOWN_AT = Query(None, max_length=40, description="记录时间：只看该时刻前已记录的变化（审计视角）")


def read_models(request: Request) -> ReadModels:
    """The views `hazard serve` runs; an app built without them reads them beside its ledger."""
    state = request.app.state
    if getattr(state, "read_models", None) is None:
        state.read_models = ReadModels.beside(state.ledger)
    return state.read_models


def moment(as_of: date | None = AS_OF, known_at: str | None = KNOWN_AT) -> Moment:
    try:
        return Moment(as_of=as_of, known_at=parse_moment(known_at) if known_at else None)
    except ValueError:
        raise InvalidValue("known_at", f"无法解析的时间 {known_at!r}") from None


def filters(township: str | None = None, sector: str | None = None,
            enterprise_id: str | None = None, agency_id: str | None = None,
            inspection_id: str | None = None, source: str | None = None,
            category: str | None = None, supervision_level: str | None = None,
            responsible_person: str | None = None,
            level: Literal["general", "major", "supervised"] | None = None,
            status: str | None = Query(None, description="逗号分隔：reported,assigned,rectified,closed,withdrawn"),
            overdue: bool | None = None, enterprise: str | None = Query(None, description="企业名称包含"),
            discovered_from: date | None = None, discovered_to: date | None = None,
            deadline_from: date | None = None, deadline_to: date | None = None,
            rectified_from: date | None = None, rectified_to: date | None = None,
            closed_from: date | None = None, closed_to: date | None = None) -> Filters:
    given = locals()
    statuses = tuple(s.strip() for s in (status or "").split(",") if s.strip())
    for s in statuses:
        if s not in set(Status):
            raise InvalidValue("status", f"未知状态 {s!r}，可选：{', '.join(Status)}")
    equals = {k: given[k] for k in ("township", "sector", "enterprise_id", "agency_id", "inspection_id",
                                     "source", "category", "supervision_level", "responsible_person")
              if given[k] is not None}
    ranges = {c: (given[f"{c.removesuffix('_on')}_from"], given[f"{c.removesuffix('_on')}_to"])
              for c in RANGES}
    return Filters(equals=equals, grade=level, status=statuses, overdue=overdue,
                   enterprise_name=enterprise, ranges=ranges)


def page(page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=1000)) -> Page:
    return Page(page, page_size)


def _scoped(f: Filters, who: Principal) -> Filters:
    f.scope = read_scope(who).as_filters()
    return f


def _not_caught_up(e: NotCaughtUp) -> JSON:
    return JSON(status_code=503, headers={"Retry-After": "1"}, content={
        "error": "not_caught_up", "view": e.view, "position": e.position, "reached": e.reached,
        "message": f"读模型 {e.view} 尚未处理到位置 {e.position}（当前 {e.reached}），请稍后重试"})


def _answer(kind: str, result: dict, fmt: Format, name: str) -> Response | dict:
    if fmt == "json":
        return result
    columns, rows, title = reports.table(kind, result)
    filename = quote(f"{name}.{fmt}")
    return Response(render(fmt, columns, rows, title), media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


@router.get("/ledger", summary="隐患台账（可按日期回溯；CSV / XLSX 导出）", name="ledger.read")
def ledger(f: Filters = Depends(filters), m: Moment = Depends(moment), p: Page = Depends(page),
           format: Format = "json", after: int | None = AFTER, who: Principal = Depends(principal),
           rm: ReadModels = Depends(read_models)):
    check_role(who, "ledger.read")
    try:
        rm.wait(after, ("ledger",))
    except NotCaughtUp as e:
        return _not_caught_up(e)
    result = reports.ledger(rm, m, _scoped(f, who), None if format != "json" else p)
    return _answer("ledger", result, format, f"隐患台账-{m.day}")


@router.get("/rates", summary="整改率：按乡镇、行业、机构或企业，按月、季、年", name="rates.read")
def rates(f: Filters = Depends(filters), m: Moment = Depends(moment),
          by: Literal["county", "township", "sector", "agency", "enterprise"] = "township",
          period: Literal["month", "quarter", "year"] = "month",
          year: int | None = Query(None, ge=2000, le=2100, description="只计该年发现的隐患"),
          format: Format = "json", after: int | None = AFTER, who: Principal = Depends(principal),
          rm: ReadModels = Depends(read_models)):
    check_role(who, "rates.read")
    try:
        rm.wait(after, ("ledger",))
    except NotCaughtUp as e:
        return _not_caught_up(e)
    if year is not None:
        f.ranges["discovered_on"] = (date(year, 1, 1), date(year, 12, 31))
    result = reports.rates(rm, m, _scoped(f, who), by, period)
    return _answer("rates", result, format, f"整改率-{by}-{period}-{m.day}")


@router.get("/compliance", summary="三不放过：每条隐患三项核查，及按乡镇、行业汇总", name="compliance.read")
def compliance(f: Filters = Depends(filters), m: Moment = Depends(moment), p: Page = Depends(page),
               check: Literal["responsibility", "enforcement", "elimination"] | None = None,
               state: Literal["met", "pending", "violated"] | None = None,
               format: Format = "json", after: int | None = AFTER,
               who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
    check_role(who, "compliance.read")
    try:
        rm.wait(after, ("ledger",))
    except NotCaughtUp as e:
        return _not_caught_up(e)
    result = reports.compliance(rm, m, _scoped(f, who), None if format != "json" else p, check, state)
    return _answer("compliance", result, format, f"三不放过-{m.day}")


@router.get("/statistics", summary="统计分析表：季报（次季首月 15 日前）、年报（次年 1 月 31 日前）",
            name="statistics.read")
def statistics(period: str = Query(..., description="2025（年报）或 2025Q1（季报）"),
               by: Literal["township", "enterprise"] = "township",
               known_at: str | None = KNOWN_AT, p: Page = Depends(page), format: Format = "json",
               after: int | None = AFTER, who: Principal = Depends(principal),
               rm: ReadModels = Depends(read_models)):
    check_role(who, "statistics.read")
    try:
        chosen = Period.parse(period)
    except ValueError as e:
        raise InvalidValue("period", str(e)) from None
    try:
        rm.wait(after, ("ledger", "activity"))
    except NotCaughtUp as e:
        return _not_caught_up(e)
    result = reports.statistics(rm, chosen, by, read_scope(who).as_filters(),
                                moment(None, known_at).known_at, None if format != "json" else p)
    return _answer("statistics", result, format, f"统计分析表-{chosen}-{by}")
