"""`hazard ledger | rates | compliance | statistics | non-reporters | projections` (and `simulate`,
registered from services/cli/simulate.py).

`register(commands)` adds the subcommands to the `hazard` parser. Reads first bring the
views up to date (unless another process, e.g. `hazard serve`, follows them, or
--no-catch-up), then print a table, JSON, CSV or XLSX. The store, the views and the county's
files come from `services.runtime`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any


from infra.clock import parse_moment
from services.cli import simulate as simulate_cli
from services.cli.output import add_format, emit
from services.runtime import Config, Runtime, running


def register(commands: argparse._SubParsersAction) -> None:
    _ledger(commands.add_parser("ledger", help="隐患台账 the hazard ledger (filters, as of a date)"))
    _rates(commands.add_parser("rates", help="整改率 rectification rates"))
    _compliance(commands.add_parser("compliance", help="三不放过 compliance per hazard and totals"))
    _statistics(commands.add_parser("statistics", help="统计分析表 quarterly / yearly statistics"))
    _non_reporters(commands.add_parser("non-reporters", help="未报名单 enterprises with no self-report "
                                                             "nor agency inspection in a month"))
    _projections(commands.add_parser("projections", help="read models: status, rebuild, run"))
    simulate_cli.register(commands)  # simulate


# --- shared ---------------------------------------------------------------------------------
@contextmanager
def caught_up(rt: Runtime, names: tuple[str, ...], *, catch_up: bool = True) -> Iterator[Any]:
    """The read models, after bringing `names` up to date with the store (unless `catch_up`
    is false; a view another process follows is left to it)."""
    from projections import operations
    from projections.progress import ProgressBar

    if catch_up:
        operations.catch_up(rt.env, list(names),
                            progress=ProgressBar(sys.stderr, "catch-up") if sys.stderr.isatty() else None)
    read_models = rt.open_read_models()
    try:
        yield read_models
    finally:
        read_models.close()


@contextmanager
def _read_models(args: argparse.Namespace, config: Config, names: tuple[str, ...]) -> Iterator[Any]:
    with running(config) as rt, caught_up(rt, names, catch_up=not args.no_catch_up) as read_models:
        yield read_models


def _common(p: argparse.ArgumentParser, *, filters: bool = True, moment: bool = True) -> None:
    if filters:  # the API's query parameters (services/api/routes/readmodels.py: filters), `_` as `-`
        for name in EQUALS:
            p.add_argument(f"--{name.replace('_', '-')}", help=EQUALS[name])
        p.add_argument("--level", choices=["general", "major", "supervised"],
                       help="general 一般隐患、major 重大隐患、supervised 挂牌督办隐患")
        p.add_argument("--status", help="逗号分隔 reported 已上报、assigned 整改中、rectified 待复查、"
                                        "closed 已销号、withdrawn 已撤销")
        p.add_argument("--overdue", action=argparse.BooleanOptionalAction, default=None, help="是否逾期")
        p.add_argument("--enterprise", help="企业名称包含")
        for column, label in RANGES.items():
            p.add_argument(f"--{column}-from", type=date.fromisoformat, help=f"{label}不早于（YYYY-MM-DD）")
            p.add_argument(f"--{column}-to", type=date.fromisoformat, help=f"{label}不晚于（YYYY-MM-DD）")
    if moment:
        p.add_argument("--as-of", type=date.fromisoformat, help="业务日期（如 2025-06-30）")
    p.add_argument("--known-at", help="记录时间（审计视角：只看此刻之前记录的变化）")
    add_format(p)
    p.add_argument("--no-catch-up", action="store_true", help="read the views as they are")


def _filters(args: argparse.Namespace):
    from projections.queries.base import RANGES as COLUMN_RANGES, Filters

    equals = {k: getattr(args, k) for k in EQUALS if getattr(args, k)}
    status = tuple(s for s in (args.status or "").split(",") if s)
    return Filters(equals=equals, grade=args.level, status=status, overdue=args.overdue,
                   enterprise_name=args.enterprise,
                   ranges={column: (getattr(args, f"{name}_from"), getattr(args, f"{name}_to"))
                           for column in COLUMN_RANGES for name in [column.removesuffix("_on")]})


EQUALS = {"township": "乡镇（街道）代码", "sector": "行业代码", "enterprise_id": "企业编号",
          "agency_id": "中介机构编号", "inspection_id": "排查编号", "source": "隐患来源",
          "category": "隐患类别", "supervision_level": "督办级别", "responsible_person": "责任人"}
RANGES = {"discovered": "发现日期", "deadline": "整改期限", "rectified": "整改完成日期", "closed": "销号日期"}


def _moment(args: argparse.Namespace):
    from projections.queries.base import Moment

    return Moment(as_of=getattr(args, "as_of", None),
                  known_at=parse_moment(args.known_at) if args.known_at else None)


def _emit(args: argparse.Namespace, kind: str, result: dict, *, title: str,
          columns: list[tuple[str, str]], rows: list[dict], notes: list[str] | None = None) -> int:
    """A report: `columns`/`rows` on the terminal, the export's own columns in csv/xlsx."""
    from projections.reports import table

    file_columns, file_rows, sheet = table(kind, result)
    return emit(args, title=title, columns=columns, rows=rows, result=result, notes=notes or (),
                file_columns=file_columns, file_rows=file_rows, sheet=sheet)


# --- hazard ledger ----------------------------------------------------------------------------
LEDGER_TABLE = [("hazard_no", "隐患编号"), ("discovered_on", "发现日期"), ("grade_label", "隐患等级"),
                ("category_label", "隐患类别"), ("supervision_level_label", "督办级别"),
                ("status_label", "状态"), ("overdue", "逾期"), ("enterprise_name", "企业名称"),
                ("township_name", "乡镇（街道）"), ("description", "隐患描述"),
                ("responsible_person", "责任人"), ("deadline", "整改期限"), ("criterion_article", "判定依据")]


def _ledger(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--criterion", help="判定依据：引用该判定标准条款的隐患（如 gm10-4-1）")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=50)
    p.add_argument("--sort", help="排序（同 API 的 sort）：逗号分隔的列，前加 - 为降序，如 deadline,-discovered_on")
    p.add_argument("--q", help="搜索：企业名称、统一社会信用代码或隐患编号（如 宁海-2026-000123）")
    p.set_defaults(run=run_ledger)


def run_ledger(args: argparse.Namespace, config: Config) -> int:
    from projections import reports
    from projections.queries.ledger import Page, parse_sort

    page = Page(args.page, args.page_size) if args.format in ("table", "json") else None
    filters = _filters(args)
    filters.search = (args.q or "").strip() or None
    try:
        order = parse_sort(args.sort)
    except ValueError as e:
        print(f"hazard ledger: --sort {e}", file=sys.stderr)
        return 2
    if args.criterion:
        if config.criteria.get(args.criterion) is None:
            print(f"hazard ledger: 判定标准条款 {args.criterion} 不存在", file=sys.stderr)
            return 2
        filters.equals["criterion"] = args.criterion
    with _read_models(args, config, ("ledger",)) as rm:
        result = reports.ledger(rm, _moment(args), filters, page, order)
    pages = -(-result["total"] // args.page_size) if page else 1
    title = (f"隐患台账 截至 {result['as_of']}：共 {result['total']} 条"
             + (f"（第 {args.page}/{max(pages, 1)} 页，每页 {args.page_size} 条）" if page else ""))
    return _emit(args, "ledger", result, title=title, columns=LEDGER_TABLE, rows=result["items"])


# --- hazard rates -----------------------------------------------------------------------------
RATES_TABLE = [("period", "期间"), ("name", "名称"), ("found", "发现"), ("rectified", "已整改"),
               ("closed", "已销号"), ("overdue", "逾期"), ("rate", "整改率"), ("on_time_rate", "按期整改率")]
BY = {"county": "全县", "township": "乡镇（街道）", "sector": "行业", "agency": "机构", "enterprise": "企业"}
PERIOD = {"month": "月", "quarter": "季度", "year": "年"}


def _rates(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--by", choices=list(BY), default="township",
                   help="按 county 全县、township 乡镇（街道）、sector 行业、agency 机构、enterprise 企业")
    p.add_argument("--period", choices=list(PERIOD), default="year", help="按 month 月、quarter 季度、year 年")
    p.set_defaults(run=run_rates)


def run_rates(args: argparse.Namespace, config: Config) -> int:
    from projections import reports

    with _read_models(args, config, ("ledger",)) as rm:
        result = reports.rates(rm, _moment(args), _filters(args), args.by, args.period)
    rows = [{**g, "name": g["name"] or g.get("key") or ""} for g in result["groups"]]
    rows.append({**result["total"], "period": "合计", "name": ""})
    return _emit(args, "rates", result, columns=RATES_TABLE, rows=rows,
                 title=f"整改率 截至 {result['as_of']}（按{BY[args.by]}，按{PERIOD[args.period]}）")


# --- hazard compliance --------------------------------------------------------------------------
CHECKS = (("responsibility", "责任"), ("enforcement", "执法"), ("elimination", "消除"))
COMPLIANCE_TOTALS = [("name", "乡镇（街道）"), ("hazards", "隐患"),
                     *((f"{c}_{s}", f"{t}{label}") for c, t in CHECKS
                       for s, label in (("met", "已落实"), ("pending", "待落实"), ("violated", "未落实")))]
COMPLIANCE_ITEMS = [("enterprise_name", "企业名称"), ("grade_label", "隐患等级"), ("status_label", "状态"),
                    ("responsibility", "责任不落实不放过"), ("enforcement", "执法不到位不放过"),
                    ("elimination", "隐患不消除不放过"), ("hazard_id", "隐患编号")]


def _compliance(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--check", choices=[c for c, _ in CHECKS],
                   help="只看一项：responsibility 责任、enforcement 执法、elimination 消除")
    p.add_argument("--state", choices=["met", "pending", "violated"],
                   help="met 已落实、pending 待落实、violated 未落实")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=20)
    p.set_defaults(run=run_compliance)


def run_compliance(args: argparse.Namespace, config: Config) -> int:
    from projections import reports
    from projections.queries.ledger import Page
    from services.cli.output import print_table

    page = Page(args.page, args.page_size) if args.format in ("table", "json") else None
    with _read_models(args, config, ("ledger",)) as rm:
        result = reports.compliance(rm, _moment(args), _filters(args), page, args.check, args.state)
    if args.format == "table":
        totals = [{"name": t["name"] or t["key"], "hazards": t["hazards"],
                   **{f"{c}_{s}": t[c][s] for c, _ in CHECKS for s in ("met", "pending", "violated")}}
                  for t in result["totals"]["by_township"]]
        print_table(COMPLIANCE_TOTALS, totals, title=f"三不放过 截至 {result['as_of']}：{result['total']} 条")
    items = [{**i, **{c: f"{i['checks'][c]['label']}（{i['checks'][c]['why']}）"
                      for c, _ in CHECKS if c in i["checks"]}} for i in result["items"]]
    return _emit(args, "compliance", result, title=f"逐条（第 {args.page} 页）", columns=COMPLIANCE_ITEMS,
                 rows=items)


# --- hazard statistics -------------------------------------------------------------------------
STATISTICS_TABLE = [("inspections", "排查次数"), ("general_found", "一般隐患"), ("general_open", "一般未整改"),
                    ("major_found", "重大隐患"), ("major_open", "重大未整改"), ("supervised", "挂牌督办"),
                    ("rate", "整改率")]


def _statistics(p: argparse.ArgumentParser) -> None:
    _common(p, filters=False, moment=False)
    p.add_argument("period_arg", nargs="?", metavar="PERIOD", help="同 --period")
    p.add_argument("--period", help="2025（年报）或 2025Q1（季报）；与 API 的 period 参数相同")
    p.add_argument("--by", choices=["township", "enterprise"], default="township",
                   help="按 township 乡镇（街道）或 enterprise 企业")
    p.add_argument("--township", help="只看一个乡镇（街道）")
    p.set_defaults(run=run_statistics)


def run_statistics(args: argparse.Namespace, config: Config) -> int:
    from projections import reports
    from projections.queries.statistics import Period

    chosen = args.period or args.period_arg
    if not chosen:
        print("hazard statistics: 请给出期间 --period（如 2025 或 2025Q1）", file=sys.stderr)
        return 2
    period = Period.parse(chosen)
    scope = {"township": args.township} if args.township else {}
    with _read_models(args, config, ("ledger", "activity")) as rm:
        result = reports.statistics(rm, period, args.by, scope, _moment(args).known_at, None)
    name = ("township_name", "乡镇（街道）") if args.by == "township" else ("name", "企业名称")
    return _emit(args, "statistics", result, columns=[name, *STATISTICS_TABLE], rows=result["rows"],
                 title=f"统计分析表 {result['period']}（{result['start']} 至 {result['end']}，"
                       f"报送截止 {result['due_on']}）")


# --- hazard non-reporters ----------------------------------------------------------------------
def _non_reporters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", required=True, help="月份 YYYY-MM，如 2026-11（不能是将来的月份）")
    p.add_argument("--township", help="只看一个乡镇（街道）（代码）")
    add_format(p)
    p.add_argument("--no-catch-up", action="store_true", help="read the views as they are")
    p.set_defaults(run=run_non_reporters)


def run_non_reporters(args: argparse.Namespace, config: Config) -> int:
    from domain.errors import InvalidValue
    from domain.self_report import past_month
    from projections.queries import self_reports as q

    with running(config) as rt:
        try:
            month = past_month(args.month, rt.ledger.today())
            if args.township and args.township not in rt.ledger.reference.townships:
                raise InvalidValue("township", f"未知乡镇（街道）代码 {args.township!r}")
        except InvalidValue as e:
            print(f"hazard non-reporters: {e}", file=sys.stderr)
            return 2
        with caught_up(rt, ("activity",), catch_up=not args.no_catch_up) as rm:
            result = q.non_reporters(rm.activity, month, scope={}, reference=rm.reference,
                                     township=args.township, due_on=rt.ledger.self_report_policy.due(month))
    return emit(args, title=_non_reporter_title(result), columns=q.NON_REPORTER_COLUMNS,
                rows=result["items"], result=result, sheet=f"{month} 未报名单")


def _non_reporter_title(result: dict) -> str:
    return (f"未报名单 {result['month']}（报送截止 {result['due_on']}）：应报 {result['enterprises']} 家，"
            f"已自查自报 {result['self_reported']} 家（逾期 {result['late']}，代报 {result['proxy']}，"
            f"零隐患 {result['none_found']}），仅有机构排查 {result['inspected_only']} 家，"
            f"未报 {result['non_reporters']} 家")


# --- hazard projections -------------------------------------------------------------------------
def _projections(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["status", "rebuild", "run"])
    p.add_argument("names", nargs="*", metavar="NAME", help="views: ledger, activity (default all)")
    p.add_argument("--batch", type=int, default=None,
                   help="rebuild while `hazard serve` follows the view: events per transaction of the "
                        "new generation (default 5000)")
    add_format(p, files=False)
    p.set_defaults(run=run_projections)


def run_projections(args: argparse.Namespace, config: Config) -> int:
    from projections import __main__ as worker

    if args.action == "rebuild":  # the store only: no application, no pools of its own
        with config.database() as database:
            return _rebuild(database.env(), args.names, args.batch)
    with running(config) as rt:
        if args.action == "run":
            return worker.run_forever(rt.env, worker.runners.names(args.names))
        read_models = rt.open_read_models()
        try:
            status = [{**s, "name": VIEW_NAMES.get(s["view"], s["view"])} for s in read_models.status()]
        finally:
            read_models.close()
    return emit(args, title="读模型（视图）跟随事件日志的进度", columns=VIEW_STATUS, rows=status, result=status)


VIEW_NAMES = {"ledger": "隐患台账", "activity": "排查、机构与企业活动", "referrals": "交办",
              "reminders": "提醒"}
VIEW_STATUS = [("view", "视图"), ("name", "内容"), ("position", "已处理到位置"), ("head", "日志头位置"),
               ("lag", "相差位置"), ("events_behind", "未处理事件")]


def _rebuild(env: dict[str, str], names: list[str], batch: int | None) -> int:
    """Views nobody else follows: forgotten and caught up again. Views `hazard serve` follows:
    a new generation built beside them and switched in at once (`projections.generations`)."""
    from projections import generations, runners
    from projections.locks import followed_elsewhere
    from projections.operations import rebuild

    try:
        chosen = runners.names(names)
        online = [n for n in chosen if followed_elsewhere(env, n)]
        offline = [n for n in chosen if n not in online]
        if offline:
            with generations.rebuild_locks(env, offline):
                positions = rebuild(env, offline, progress=_bar("rebuild"))
            print("rebuilt: " + ", ".join(f"{n} @ {p}" for n, p in positions.items()), flush=True)
        for name in online:
            print(f"视图 {name} 正由另一个进程（hazard serve）跟随：在旁边构建新一代，追上后原子切换，"
                  "读取不中断", flush=True)
            switched = generations.rebuild_online(env, name, progress=_online_bar(name),
                                                  say=lambda line: print(line, flush=True),
                                                  **({"batch_size": batch} if batch else {}))
            print(f"已重建（新一代）：{name} @ {switched.position}，构建 {switched.build_seconds:.1f} 秒，"
                  f"切换时读取等待 {switched.switch_ms:.0f} 毫秒", flush=True)
    except (RuntimeError, KeyError) as e:
        print(f"hazard projections rebuild: {e}", file=sys.stderr)
        return 1
    return 0


def _bar(label: str):
    from projections.progress import ProgressBar

    return ProgressBar(sys.stderr, label)


def _online_bar(name: str):
    """Progress of the new generation against the live view's position (it moves on)."""
    bar = _bar("新一代")
    return lambda position, live, seconds: bar({name: position}, live, seconds)
