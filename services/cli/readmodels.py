"""`hazard ledger | rates | compliance | statistics | non-reporters | projections | simulate`.

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

import orjson

from infra.clock import parse_moment
from services.runtime import Config, Runtime, running

FORMATS = ("table", "json", "csv", "xlsx")


def register(commands: argparse._SubParsersAction) -> None:
    _ledger(commands.add_parser("ledger", help="隐患台账 the hazard ledger (filters, as of a date)"))
    _rates(commands.add_parser("rates", help="整改率 rectification rates"))
    _compliance(commands.add_parser("compliance", help="三不放过 compliance per hazard and totals"))
    _statistics(commands.add_parser("statistics", help="统计分析表 quarterly / yearly statistics"))
    _non_reporters(commands.add_parser("non-reporters", help="未报名单 enterprises with no self-report "
                                                             "nor agency inspection in a month"))
    _projections(commands.add_parser("projections", help="read models: status, rebuild, run"))
    _simulate(commands.add_parser("simulate", help="a county-year through the real commands"))


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
    if filters:
        for name in ("township", "sector", "enterprise-id", "agency-id", "source", "responsible-person"):
            p.add_argument(f"--{name}")
        p.add_argument("--level", choices=["general", "major", "supervised"])
        p.add_argument("--status", help="逗号分隔 reported,assigned,rectified,closed,withdrawn")
        p.add_argument("--overdue", action=argparse.BooleanOptionalAction, default=None)
        p.add_argument("--enterprise", help="企业名称包含")
        p.add_argument("--discovered-from", type=date.fromisoformat)
        p.add_argument("--discovered-to", type=date.fromisoformat)
    if moment:
        p.add_argument("--as-of", type=date.fromisoformat, help="业务日期（如 2025-06-30）")
    p.add_argument("--known-at", help="记录时间（审计视角：只看此刻之前记录的变化）")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--output", "-o", help="file for csv/xlsx (default: stdout)")
    p.add_argument("--no-catch-up", action="store_true", help="read the views as they are")


def _filters(args: argparse.Namespace):
    from projections.queries.base import Filters

    equals = {k: getattr(args, k) for k in ("township", "sector", "enterprise_id", "agency_id",
                                             "source", "responsible_person") if getattr(args, k)}
    status = tuple(s for s in (args.status or "").split(",") if s)
    return Filters(equals=equals, grade=args.level, status=status, overdue=args.overdue,
                   enterprise_name=args.enterprise,
                   ranges={"discovered_on": (args.discovered_from, args.discovered_to)})


def _moment(args: argparse.Namespace):
    from projections.queries.base import Moment

    return Moment(as_of=getattr(args, "as_of", None),
                  known_at=parse_moment(args.known_at) if args.known_at else None)


def _emit(args: argparse.Namespace, kind: str, result: dict, lines: list[str]) -> int:
    from projections.export import render
    from projections.reports import table

    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
                                             default=str) + b"\n")
    elif args.format == "table":
        print("\n".join(lines))
    else:
        columns, rows, title = table(kind, result)
        data = render(args.format, columns, rows, title)
        if args.output:
            with open(args.output, "wb") as f:
                f.write(data)
            print(f"{len(rows)} 行 → {args.output}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


# --- hazard ledger ----------------------------------------------------------------------------
def _ledger(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--criterion", help="判定依据：引用该判定标准条款的隐患（如 gm10-4-1）")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=50)
    p.set_defaults(run=run_ledger)


def run_ledger(args: argparse.Namespace, config: Config) -> int:
    from projections import reports
    from projections.queries.ledger import Page

    page = Page(args.page, args.page_size) if args.format in ("table", "json") else None
    filters = _filters(args)
    if args.criterion:
        if config.criteria.get(args.criterion) is None:
            print(f"hazard ledger: 判定标准条款 {args.criterion} 不存在", file=sys.stderr)
            return 2
        filters.equals["criterion"] = args.criterion
    with _read_models(args, config, ("ledger",)) as rm:
        result = reports.ledger(rm, _moment(args), filters, page)
    lines = [f"隐患台账 截至 {result['as_of']}：共 {result['total']} 条"
             + (f"（第 {args.page} 页）" if page else "")]
    for i in result["items"]:
        cited = f"  判定依据 {i['criterion_article']}" if i["criterion_article"] else ""
        lines.append(f"  {i['discovered_on']}  {i['grade_label']:<8} {i['status_label']:<4} "
                     f"{'逾期 ' if i['overdue'] else ''}{i['enterprise_name']}  {i['township_name']}  "
                     f"{i['description'][:24]}  责任人 {i['responsible_person'] or '-'} "
                     f"期限 {i['deadline'] or '-'}  {i['hazard_id']}{cited}")
    return _emit(args, "ledger", result, lines)


# --- hazard rates -----------------------------------------------------------------------------
def _rates(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--by", choices=["county", "township", "sector", "agency", "enterprise"],
                   default="township")
    p.add_argument("--period", choices=["month", "quarter", "year"], default="year")
    p.set_defaults(run=run_rates)


def run_rates(args: argparse.Namespace, config: Config) -> int:
    from projections import reports

    with _read_models(args, config, ("ledger",)) as rm:
        result = reports.rates(rm, _moment(args), _filters(args), args.by, args.period)
    by = {"county": "全县", "township": "乡镇（街道）", "sector": "行业", "agency": "机构",
          "enterprise": "企业"}.get(args.by, args.by)
    period = {"month": "月", "quarter": "季度", "year": "年"}.get(args.period, args.period)
    lines = [f"整改率 截至 {result['as_of']}（按{by}，按{period}）",
             f"  {'期间':<8} {'名称':<16} {'发现':>6} {'已整改':>6} {'已销号':>6} {'逾期':>5} {'整改率':>7} {'按期整改率':>8}"]
    for g in [*result["groups"], {**result["total"], "period": "合计", "name": ""}]:
        lines.append(f"  {g['period']:<8} {(g['name'] or g.get('key') or '')[:16]:<16} {g['found']:>6} "
                     f"{g['rectified']:>6} {g['closed']:>6} {g['overdue']:>5} {_pct(g['rate']):>7} "
                     f"{_pct(g['on_time_rate']):>8}")
    return _emit(args, "rates", result, lines)


# --- hazard compliance --------------------------------------------------------------------------
def _compliance(p: argparse.ArgumentParser) -> None:
    _common(p)
    p.add_argument("--check", choices=["responsibility", "enforcement", "elimination"])
    p.add_argument("--state", choices=["met", "pending", "violated"])
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=20)
    p.set_defaults(run=run_compliance)


def run_compliance(args: argparse.Namespace, config: Config) -> int:
    from projections import reports
    from projections.queries.ledger import Page

    page = Page(args.page, args.page_size) if args.format in ("table", "json") else None
    with _read_models(args, config, ("ledger",)) as rm:
        result = reports.compliance(rm, _moment(args), _filters(args), page, args.check, args.state)
    lines = [f"三不放过 截至 {result['as_of']}：{result['total']} 条",
             "  乡镇（街道）           隐患  责任 已/待/未      执法 已/待/未      消除 已/待/未"]
    for t in result["totals"]["by_township"]:
        cells = "  ".join(f"{t[c]['met']:>5}/{t[c]['pending']:<4}/{t[c]['violated']:<4}"
                          for c in ("responsibility", "enforcement", "elimination"))
        lines.append(f"  {(t['name'] or t['key']):<12} {t['hazards']:>6}  {cells}")
    for i in result["items"]:
        lines.append(f"  {i['hazard_id'][:8]} {i['enterprise_name']} {i['grade_label']} {i['status_label']}")
        lines += [f"      {c['title']}：{c['label']}（{c['why']}）" for c in i["checks"].values()]
    return _emit(args, "compliance", result, lines)


# --- hazard statistics -------------------------------------------------------------------------
def _statistics(p: argparse.ArgumentParser) -> None:
    _common(p, filters=False, moment=False)
    p.add_argument("period", help="2025（年报）或 2025Q1（季报）")
    p.add_argument("--by", choices=["township", "enterprise"], default="township")
    p.add_argument("--township", help="只看一个乡镇（街道）")
    p.set_defaults(run=run_statistics)


def run_statistics(args: argparse.Namespace, config: Config) -> int:
    from projections import reports
    from projections.queries.statistics import Period

    period = Period.parse(args.period)
    scope = {"township": args.township} if args.township else {}
    with _read_models(args, config, ("ledger", "activity")) as rm:
        result = reports.statistics(rm, period, args.by, scope, _moment(args).known_at, None)
    lines = [f"统计分析表 {result['period']}（{result['start']} 至 {result['end']}，报送截止 {result['due_on']}）"]
    for r in result["rows"]:
        name = r.get("township_name") if args.by == "township" else r.get("name")
        lines.append(f"  {name:<14} 排查 {r['inspections']:>5}  一般 {r['general_found']:>5}/未整改 "
                     f"{r['general_open']:<4} 重大 {r['major_found']:>3}/未整改 {r['major_open']:<3} "
                     f"挂牌 {r['supervised']:>3}  整改率 {_pct(r['rate'])}")
    return _emit(args, "statistics", result, lines)


# --- hazard non-reporters ----------------------------------------------------------------------
def _non_reporters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", required=True, help="月份 YYYY-MM，如 2026-11（不能是将来的月份）")
    p.add_argument("--township", help="只看一个乡镇（街道）（代码）")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--output", "-o", help="file for csv/xlsx (default: stdout)")
    p.add_argument("--no-catch-up", action="store_true", help="read the views as they are")
    p.set_defaults(run=run_non_reporters)


def run_non_reporters(args: argparse.Namespace, config: Config) -> int:
    from domain.errors import InvalidValue
    from domain.self_report import past_month
    from projections.export import render
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
    if args.format in ("csv", "xlsx"):
        data = render(args.format, q.NON_REPORTER_COLUMNS, result["items"], f"{month} 未报名单")
        if args.output:
            with open(args.output, "wb") as f:
                f.write(data)
            print(f"{len(result['items'])} 行 → {args.output}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
        return 0
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps(result, option=orjson.OPT_INDENT_2, default=str) + b"\n")
        return 0
    print("\n".join(_non_reporter_lines(result, q.NON_REPORTER_COLUMNS)))
    return 0


def _non_reporter_lines(result: dict, columns: list[tuple[str, str]]) -> list[str]:
    lines = [f"未报名单 {result['month']}（报送截止 {result['due_on']}）：应报 {result['enterprises']} 家，"
             f"已自查自报 {result['self_reported']} 家（逾期 {result['late']}，代报 {result['proxy']}，"
             f"零隐患 {result['none_found']}），仅有机构排查 {result['inspected_only']} 家，"
             f"未报 {result['non_reporters']} 家",
             "  " + "  ".join(header for _, header in columns)]
    for item in result["items"]:
        lines.append("  " + "  ".join(str(item.get(key) or "-") for key, _ in columns))
    return lines


# --- hazard projections -------------------------------------------------------------------------
def _projections(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["status", "rebuild", "run"])
    p.add_argument("names", nargs="*", metavar="NAME", help="views: ledger, activity (default all)")
    p.add_argument("--batch", type=int, default=None,
                   help="rebuild while `hazard serve` follows the view: events per transaction of the "
                        "new generation (default 5000)")
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
            print(f"{'view':<10} {'position':>10} {'store head':>11} {'lag (ids)':>10} {'events behind':>14}")
            for s in read_models.status():
                print(f"{s['view']:<10} {s['position']:>10} {s['head']:>11} {s['lag']:>10} {s['events_behind']:>14}")
        finally:
            read_models.close()
    return 0


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


# --- hazard simulate ----------------------------------------------------------------------------
def _simulate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--scale", type=float, default=0.01, help="1.0 = Ninghai's year (seed 004)")
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--threads", type=int, default=8,
                   help="同一天不同企业的命令并行执行的线程数（1：逐条执行；每个线程至多占用一个数据库连接，"
                        "线程多于连接池（HAZARD_DB_POOL_SIZE 及其溢出）的连接时排队等待）")
    p.set_defaults(run=run_simulate)


def run_simulate(args: argparse.Namespace, config: Config) -> int:
    from services.simulate import simulate

    with running(config, clock=lambda: date(args.year, 12, 31)) as rt:  # "today": the year's end
        try:
            summary = simulate(rt.ledger, seed=args.seed, scale=args.scale, year=args.year,
                               progress=sys.stderr, threads=max(1, args.threads),
                               checklists=config.checklists)
        except RuntimeError as e:
            print(f"hazard simulate: {e}", file=sys.stderr)
            return 1
    if args.json:
        print(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
        return 0
    print(f"模拟 {summary['year']} 年（seed {summary['seed']}，scale {summary['scale']}）："
          f"{summary['commands']:,} 条命令，{summary['events']:,} 个事件，{summary['seconds']} 秒")
    for key, value in summary.items():
        if key not in ("seed", "scale", "year", "commands", "events", "seconds"):
            print(f"  {key:<26} {value}")
    return 1 if summary["failures"] else 0
