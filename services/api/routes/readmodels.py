"""Read models over HTTP: 隐患台账, 整改率, 三不放过, 统计分析表, 自查自报 and 未报名单 (JSON, CSV, XLSX).

Every read is limited to the token's scope (`read_scope(...).as_filters()`), may travel in
time (`as_of` business date, `known_at` record time, both within 1990–2099) and may wait for its
own writes (`after=<position>`): a position beyond the store's last is 422 naming `after` (with
the last position in the message); one the views have not applied yet is awaited on the event
loop, holding no worker thread, up to 5 s, else 503 `not_caught_up` with Retry-After. Pages are
bounded (`page` ≤ MAX_PAGE, `page_size` ≤ 1000).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from domain.errors import InvalidValue
from domain.self_report import past_month
from domain.values import Status
from infra.auth import Principal
from infra.clock import FIRST_DAY, LAST_DAY, OutOfRange, parse_moment
from projections import reports
from projections.export import render
from projections.queries import ledger as ledger_q
from projections.queries import self_reports as self_reports_q
from projections.queries.base import RANGES, Filters, Moment
from projections.queries.ledger import Page
from projections.queries.statistics import Period
from projections.readmodels import ReadModels
from services.access import check_role, read_scope, scope_words
from services.api.deps import ledger as ledger_app
from services.api.deps import principal
from services.api import vocabularies as vocab  # issue 17 §6
from services.api.downloads import download
from projections.labels import STATUS  # issue 17 §6: ?status= takes 整改中 as well as assigned

router = APIRouter(tags=["read models"])

Format = Literal["json", "csv", "xlsx"]
MAX_POSITION = 2**63 - 1  # PostgreSQL's bigint: no notification id is larger
MAX_PAGE = 1_000_000      # × page_size ≤ 1000: more rows than any county's ledger will hold
AFTER = Query(None, ge=0, le=MAX_POSITION,
              description="写入返回的 position：等读模型追上后再读（最多 5 秒，否则 503；超出库中最大位置为 422）")
KNOWN_AT = Query(None, max_length=40, description="记录时间：只看该时刻前已记录的变化（审计视角）")


def day_query(description: str | None = None):
    """A business-date query parameter: 1990-01-01 to 2099-12-31, else 422 naming it."""
    return Query(None, ge=FIRST_DAY, le=LAST_DAY, description=description)


AS_OF = day_query("业务日期：各隐患按其业务日期不晚于该日的最近一次变化呈现")


def read_models(request: Request) -> ReadModels:
    """The views `hazard serve` runs; an app built without them reads them beside its ledger."""
    state = request.app.state
    if getattr(state, "read_models", None) is None:
        state.read_models = ReadModels.beside(state.ledger)
    return state.read_models


def caught_up(action: str, names: tuple[str, ...] = ("ledger",)) -> Callable[..., Awaitable[None]]:
    """A dependency for read-your-writes (`?after=`): the role's check first (`action`), then a
    position beyond the store's last is 422 naming `after`; else the views are awaited on the
    event loop (`ReadModels.reached`: no worker thread held) — NotCaughtUp is 503."""

    async def wait_for_after(after: int | None = AFTER, who: Principal = Depends(principal),
                             rm: ReadModels = Depends(read_models)) -> None:
        check_role(who, action)
        if not after:
            return
        head = await run_in_threadpool(rm.max_position)
        if after > head:
            raise InvalidValue("after", f"位置 {after} 尚未写入（库中最大位置为 {head}）")
        await rm.reached(after, names)

    return wait_for_after


def known_moment(known_at: str | None, field: str = "known_at") -> datetime | None:
    """A record-time query parameter as a UTC moment (None when absent); 422 naming `field`."""
    if known_at is None:
        return None
    try:
        return parse_moment(known_at)
    except ValueError as e:
        reason = str(e) if isinstance(e, OutOfRange) else f"无法解析的时间 {known_at!r}"
        raise InvalidValue(field, reason) from None


def moment(as_of: date | None = AS_OF, known_at: str | None = KNOWN_AT) -> Moment:
    return Moment(as_of=as_of, known_at=known_moment(known_at))


def filters(township: str | None = None, sector: str | None = None,
            enterprise_id: str | None = None, agency_id: str | None = None,
            inspection_id: str | None = None, source: vocab.Source | None = None,
            category: vocab.Category | None = None, supervision_level: vocab.SupervisionLevel | None = None,
            responsible_person: str | None = None,
            level: vocab.Grade | None = None,  # issue 17 §6: enums with labels, Chinese accepted
            status: str | None = Query(None, description="隐患状态，逗号分隔（代码或中文名称）：" + vocab.listed(STATUS)),
            overdue: bool | None = None, enterprise: str | None = Query(None, description="企业名称包含"),
            discovered_from: date | None = day_query(), discovered_to: date | None = day_query(),
            deadline_from: date | None = day_query(), deadline_to: date | None = day_query(),
            rectified_from: date | None = day_query(), rectified_to: date | None = day_query(),
            closed_from: date | None = day_query(), closed_to: date | None = day_query()) -> Filters:
    given = locals()
    statuses = tuple(vocab.code_of(STATUS, s) for s in (status or "").split(",") if s.strip())
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


def statistics_period(period: str = Query(..., max_length=20,
                                          description="2025（年报）或 2025Q1（季报），1990–2099")) -> Period:
    try:
        return Period.parse(period)
    except ValueError as e:
        raise InvalidValue("period", str(e)) from None


def page(page: int = Query(1, ge=1, le=MAX_PAGE), page_size: int = Query(50, ge=1, le=1000)) -> Page:
    return Page(page, page_size)


def _scoped(f: Filters, who: Principal) -> Filters:
    f.scope = read_scope(who).as_filters()
    return f


def _answer(kind: str, result: dict, fmt: Format, name: str, scope: str = "") -> Response | dict:
    """JSON, or the file (the XLSX's title row names `scope`: whose rows these are)."""
    if fmt == "json":
        return result
    columns, rows, title = reports.table(kind, result)
    return download(render(fmt, columns, rows, title, scope), fmt, name)


CRITERION = Query(None, max_length=80, description="判定依据：引用该判定标准条款的隐患（如 gm10-4-1）")


def _citing(f: Filters, criterion: str | None, rm: ReadModels) -> Filters:
    """The filter `criterion=<id>`: an id the catalogue does not have is 422 naming it."""
    if criterion is not None:
        if rm.criteria.get(criterion) is None:
            raise InvalidValue("criterion", f"判定标准条款 {criterion} 不存在")
        f.equals["criterion"] = criterion
    return f


# issue 17 §4: sorting by any column of the ledger and one search box
SORT = Query(None, max_length=300, description="排序：逗号分隔的列，列名前加 - 为降序，如 deadline,-discovered_on；"
             "可选 " + "、".join(f"{k}（{v}）" for k, v in ledger_q.SORTABLE.items()))
SEARCH = Query(None, max_length=60, description="搜索：企业名称、统一社会信用代码或隐患编号（如 宁海-2026-000123）包含该文字")
HAZARD = Query(None, max_length=40, description="只看这一条隐患（隐患详情页取其编号）")


def ledger_order(sort: str | None = SORT) -> tuple[tuple[str, bool], ...]:
    """`?sort=` against the ledger's sortable columns: anything else is 422 naming `sort`."""
    try:
        return ledger_q.parse_sort(sort)
    except ValueError as e:
        raise InvalidValue("sort", str(e)) from None


@router.get("/ledger", summary="隐患台账（可按日期回溯；CSV / XLSX 导出）", name="ledger.read")
def ledger(f: Filters = Depends(filters), m: Moment = Depends(moment), p: Page = Depends(page),
           format: Format = "json", criterion: str | None = CRITERION,
           order: tuple[tuple[str, bool], ...] = Depends(ledger_order), q: str | None = SEARCH,
           hazard_id: str | None = HAZARD,
           _: None = Depends(caught_up("ledger.read")),
           who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
    f = _citing(f, criterion, rm)
    f.search = (q or "").strip() or None
    if hazard_id is not None:
        f.equals["hazard_id"] = hazard_id
    result = reports.ledger(rm, m, _scoped(f, who), None if format != "json" else p, order)
    return _answer("ledger", result, format, f"隐患台账-{m.day}", scope_words(who, rm.reference))


@router.get("/rates", summary="整改率：按乡镇、行业、机构或企业，按月、季、年", name="rates.read")
def rates(f: Filters = Depends(filters), m: Moment = Depends(moment),
          by: Literal["county", "township", "sector", "agency", "enterprise"] = "township",
          period: Literal["month", "quarter", "year"] = "month",
          year: int | None = Query(None, ge=FIRST_DAY.year, le=LAST_DAY.year, description="只计该年发现的隐患"),
          format: Format = "json", _: None = Depends(caught_up("rates.read")),
          who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
    if year is not None:
        f.ranges["discovered_on"] = (date(year, 1, 1), date(year, 12, 31))
    result = reports.rates(rm, m, _scoped(f, who), by, period)
    return _answer("rates", result, format, f"整改率-{by}-{period}-{m.day}", scope_words(who, rm.reference))


@router.get("/compliance", summary="三不放过：每条隐患三项核查，及按乡镇、行业汇总", name="compliance.read")
def compliance(f: Filters = Depends(filters), m: Moment = Depends(moment), p: Page = Depends(page),
               check: Literal["responsibility", "enforcement", "elimination"] | None = None,
               state: Literal["met", "pending", "violated"] | None = None,
               format: Format = "json", _: None = Depends(caught_up("compliance.read")),
               who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
    result = reports.compliance(rm, m, _scoped(f, who), None if format != "json" else p, check, state)
    return _answer("compliance", result, format, f"三不放过-{m.day}", scope_words(who, rm.reference))


@router.get("/statistics", summary="统计分析表：季报（次季首月 15 日前）、年报（次年 1 月 31 日前）",
            name="statistics.read")
def statistics(chosen: Period = Depends(statistics_period),
               by: Literal["township", "enterprise"] = "township",
               known_at: str | None = KNOWN_AT, p: Page = Depends(page), format: Format = "json",
               _: None = Depends(caught_up("statistics.read", ("ledger", "activity"))),
               who: Principal = Depends(principal), rm: ReadModels = Depends(read_models)):
    result = reports.statistics(rm, chosen, by, read_scope(who).as_filters(),
                                known_moment(known_at), None if format != "json" else p)
    return _answer("statistics", result, format, f"统计分析表-{chosen}-{by}", scope_words(who, rm.reference))


# --- self-reports (自查自报) and the non-reporters (未报名单), issue 13 -------------------------------
MONTH = Query(..., max_length=20, description="月份 YYYY-MM（不能是将来的月份）")
TOWNSHIP = Query(None, max_length=40, description="乡镇（街道）代码；不会超出令牌的范围")
SELF_REPORT_READERS = ("activity",)


def month_township(month: str = MONTH, township: str | None = TOWNSHIP,
                   app=Depends(ledger_app)) -> tuple[str, str | None]:
    """A month that has begun (else 422 naming `month`) and a known township (else 422 naming
    `township`)."""
    month = past_month(month, app.today())
    if township is not None and township not in app.reference.townships:
        raise InvalidValue("township", f"未知乡镇（街道）代码 {township!r}")
    return month, township


@router.get("/non-reporters", name="non_reporters.read",
            summary="未报名单：当月既无自查自报、又无中介机构排查的企业（CSV / XLSX 导出）")
def non_reporters(_: None = Depends(caught_up("non_reporters.read", SELF_REPORT_READERS)),
                  chosen: tuple[str, str | None] = Depends(month_township), format: Format = "json",
                  p: Page = Depends(page), who: Principal = Depends(principal),
                  rm: ReadModels = Depends(read_models), app=Depends(ledger_app)):
    month, township = chosen
    result = self_reports_q.non_reporters(rm.activity, month, scope=read_scope(who).as_filters(),
                                          reference=rm.reference, township=township,
                                          due_on=app.self_report_policy.due(month))
    if format != "json":
        data = render(format, self_reports_q.NON_REPORTER_COLUMNS, result["items"], f"{month} 未报名单",
                      scope_words(who, rm.reference))
        return download(data, format, f"未报名单-{month}")
    result["page"], result["page_size"] = p.number, p.size
    result["items"] = result["items"][p.offset:p.offset + p.size]
    return result


@router.get("/self-reports", name="self_report.list",
            summary="月度自查自报一览：报送日期、逾期、代报、零隐患、隐患数（CSV / XLSX 导出）")
def self_report_list(_: None = Depends(caught_up("self_report.list", SELF_REPORT_READERS)),
                     chosen: tuple[str, str | None] = Depends(month_township), format: Format = "json",
                     p: Page = Depends(page), who: Principal = Depends(principal),
                     rm: ReadModels = Depends(read_models)):
    month, township = chosen
    rows = self_reports_q.self_reports(rm.activity, month, scope=read_scope(who).as_filters(),
                                       reference=rm.reference, township=township)
    if format != "json":
        data = render(format, self_reports_q.SELF_REPORT_COLUMNS, rows, f"{month} 自查自报",
                      scope_words(who, rm.reference))
        return download(data, format, f"自查自报-{month}")
    return {"month": month, "township": township, "total": len(rows), "page": p.number,
            "page_size": p.size, "items": rows[p.offset:p.offset + p.size]}
