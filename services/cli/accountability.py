"""`hazard accountability | trace | coverage | subsidies | audit export` (issue 6).

`register(commands)` adds the subcommands to the `hazard` parser; when the `audit` command
exists already (services/cli/hazard.py builds it before registering the others) `export` and
`check-export` join it, else `register_audit(audit_actions)` can be called with its
subparsers. Reads first bring the views up to date (unless another process follows them,
or --no-catch-up). An agency or an enterprise may be named by its id or its credit code.
The store, the views and the county's policies come from `services.runtime`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from services.cli.output import add_format, emit, print_table
from services.runtime import Config, running

_JSON = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("accountability", help="中介机构履职 an agency's accountability for a year")
    p.add_argument("agency", help="agency id or credit code")
    p.add_argument("--year", type=int)
    _common(p, run_accountability)
    p = commands.add_parser("trace", help="事故调查追溯 an enterprise's trace up to a date")
    p.add_argument("enterprise", help="enterprise id or credit code")
    p.add_argument("--until", type=date.fromisoformat, help="截止日（业务日期），缺省今天")
    p.add_argument("--html", metavar="FILE", help="write the printable report (Chinese) to FILE")
    _common(p, run_trace, files=True)
    p = commands.add_parser("coverage", help="社会化服务覆盖率 and the annual enforcement list")
    p.add_argument("--year", type=int)
    p.add_argument("--township")
    add_format(p)
    p.add_argument("--table", choices=["enforcement", "townships"], default="enforcement",
                   help="CSV 导出哪张表：enforcement 执法名单、townships 各乡镇覆盖率（XLSX 两张都有）")
    _common(p, run_coverage, json_flag=False)
    p = commands.add_parser("subsidies", help="补贴台账 what each agency is owed, and its approval state")
    p.add_argument("--year", type=int)
    p.add_argument("--detail", action="store_true", help="per enterprise")
    _common(p, run_subsidies, files=True)
    audit = commands.choices.get("audit")
    if audit is not None:
        register_audit(next(a for a in audit._actions if isinstance(a, argparse._SubParsersAction)))


def register_audit(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser("export", help="one enterprise's complete history, with the hash chain")
    p.add_argument("enterprise", help="enterprise id or credit code")
    p.add_argument("--out", required=True, help="the JSON file to write")
    p.add_argument("--no-catch-up", action="store_true")
    p.set_defaults(run=run_export)
    p = actions.add_parser("check-export", help="recheck an export file: digests, links, the store's chain")
    p.add_argument("file")
    p.set_defaults(run=run_check_export)


def _common(p: argparse.ArgumentParser, run: Any, json_flag: bool = True, files: bool = False) -> None:
    if json_flag:
        add_format(p, files=files)
        p.add_argument("--json", action="store_const", dest="format", const="json",
                       help="同 --format json")
    p.add_argument("--no-catch-up", action="store_true", help="read the views as they are")
    p.set_defaults(run=run)


@contextmanager
def _session(args: argparse.Namespace, config: Config) -> Iterator[tuple[Any, Any]]:
    """The application (for events and today) and the read models, caught up."""
    from services.cli.readmodels import caught_up

    with running(config) as rt, caught_up(rt, ("ledger", "activity"),
                                          catch_up=not getattr(args, "no_catch_up", False)) as rm:
        yield rt.ledger, rm


def _party_id(app: Any, kind: str, value: str, command: str) -> str | None:
    """The stored id of the agency or enterprise named by an id or its credit code (18
    characters); None, said on stderr, when there is none."""
    from domain.parties import Agency, Enterprise
    from services.errors import NotFound

    cls = Agency if kind == "agency" else Enterprise
    try:
        return str(app.load(cls, str(cls.create_id(value)) if len(value) == 18 else value).id)
    except NotFound as e:
        print(f"hazard {command}: {e}", file=sys.stderr)
        return None


def _print_json(result: Any) -> None:
    from projections.queries.oversight import localize

    sys.stdout.buffer.write(orjson.dumps(localize(result), option=_JSON, default=str) + b"\n")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


# --- hazard accountability -------------------------------------------------------------------------
def run_accountability(args: argparse.Namespace, config: Config) -> int:
    from projections.queries.accountability import accountability

    with _session(args, config) as (app, rm):
        agency_id = _party_id(app, "agency", args.agency, "accountability")
        if agency_id is None:
            return 1
        result = accountability(rm, agency_id, args.year or app.today().year,
                                policy=config.oversight, day=app.today())
    if result is None:
        print("hazard accountability: the view has not caught up with this agency", file=sys.stderr)
        return 1
    if args.format == "json":
        _print_json(result)
        return 0
    print("\n".join(accountability_lines(result)))
    return 0


def accountability_lines(r: dict[str, Any]) -> list[str]:
    a, i, rect = r["agency"], r["inspections"], r["rectification"]
    reports = i["reports"]
    lines = [f"{a['name']}（{a['credit_code']}）{r['year']} 年履职情况，判断日 {r['judged_on']}"
             + ("  【黑名单】" + (a["blacklist_reason"] or "") if a["blacklisted"] else ""),
             f"  政府购买服务协议 {len(r['agreements'])} 份；有效委托合同 {r['contracts']['in_force']} 份"
             f"（按月排查 {r['contracts']['monthly']} 份）",
             f"  按月排查：应查 {r['monthly_inspections']['months_due']} 个月次，"
             f"漏查 {r['monthly_inspections']['months_missed']} 个月次",
             f"  排查：安排 {i['scheduled']} 次，实施 {i['performed']} 次，发现隐患 {i['hazards_found']} 条"
             f"（每次 {i['hazards_per_inspection'] or 0}），零隐患 {i['zero_hazard']} 次",
             f"  报告备案（{r['policy']['report_within_days']} 日内为按时）：按时 {reports['on_time']}，"
             f"迟报 {reports['late']}，逾期未备案 {reports['overdue']}，待备案 {reports['pending']}",
             f"  服务企业 {rect['enterprises']} 家：隐患 {rect['found']} 条，已整改 {rect['rectified']} 条，"
             f"整改率 {_pct(rect['rate'])}，逾期 {rect['overdue']} 条"]
    for e in r["evaluations"]:
        lines.append(f"  考评 {e['year']}：{e['total']} 分 {e['grade_label']}  "
                     + "，".join(f"{c['label']} {c['score']}" for c in e["criteria"]))
    lines += [f"  {b['label']}：{b['reason']}（{b['by']}，{b['recorded_at']}）" for b in r["blacklist"]]
    lines += [f"  漏查：{e['enterprise_name']} {e['months_missed']} 月" for e in r["enterprises"]
              if e["months_missed"]]
    return lines


# --- hazard trace -------------------------------------------------------------------------------------
def run_trace(args: argparse.Namespace, config: Config) -> int:
    from infra.clock import local
    from projections.queries.oversight import localize
    from projections.queries.records import enterprise_events
    from projections.queries.trace import trace
    from projections.field_labels import describe
    from services.cli.output import record_names
    from services.reports_html import trace_html

    with _session(args, config) as (app, rm):
        enterprise_id = _party_id(app, "enterprise", args.enterprise, "trace")
        if enterprise_id is None:
            return 1
        names = record_names(app)
        _, records = enterprise_events(app, rm, enterprise_id)
        result = localize(trace(rm, records, enterprise_id, args.until or app.today(),
                                policy=config.policy, oversight=config.oversight))
        steps = [{**step, "fields": "；".join(
            f"{k}：{v}" for k, v in describe(step["data"], reference=config.reference, names=names)
            if v != "—")} for step in result["steps"]] if args.format != "json" else []
    if args.html:
        Path(args.html).write_text(trace_html(result, generated_at=local(datetime.now(UTC))), "utf-8")
        print(f"追溯报告 → {args.html}", file=sys.stderr)
    if args.format == "json":
        _print_json(result)
    elif not args.html or args.format != "table":
        s = result["summary"]
        emit(args, columns=TRACE_STEPS, rows=steps, result=result, sheet="事故调查追溯",
             title=f"{result['enterprise']['name']} 截至 {result['until']}：中介机构 {s['agencies']} 家，"
                   f"排查 {s['inspections']} 次，隐患 {s['hazards']} 条（逾期 {s['overdue']}，"
                   f"执法未到位 {s['unenforced']}，已销号 {s['closed']}）")
    return 0


TRACE_STEPS = [("business_date", "业务日期"), ("label", "步骤"), ("by", "操作人"), ("fields", "内容"),
               ("recorded_at", "记录时间"), ("late_entry_days", "补录晚（日）")]


# --- hazard coverage ----------------------------------------------------------------------------------
def run_coverage(args: argparse.Namespace, config: Config) -> int:
    from projections.queries import coverage as coverage_q

    with _session(args, config) as (app, rm):
        result = coverage_q.coverage(rm.activity, args.year or app.today().year,
                                     scope={"township": args.township} if args.township else {},
                                     reference=rm.reference,
                                     goal=config.oversight.coverage_goal)
    if args.format == "json":
        _print_json(result)
    elif args.format == "table":
        print_table(coverage_q.TOWNSHIP_COLUMNS, [*result["townships"], result["total"]],
                    title=f"{result['year']} 年社会化服务覆盖率（目标 {result['goal'] * 100:g}%）")
    else:
        data, _ = coverage_q.export(result, args.format, args.table)
        if args.output:
            Path(args.output).write_bytes(data)
            print(f"→ {args.output}", file=sys.stderr)
        else:
            sys.stdout.buffer.write(data)
    return 0


# --- hazard subsidies ---------------------------------------------------------------------------------
def run_subsidies(args: argparse.Namespace, config: Config) -> int:
    from domain.errors import InvalidValue
    from projections.queries.subsidies import subsidy_ledger
    from services.commands.subsidies import subsidy_policy

    with _session(args, config) as (app, rm):
        year = args.year or app.today().year
        try:
            result = subsidy_ledger(rm.activity, year, subsidy_policy(year), detail=args.detail)
        except InvalidValue as e:
            print(f"hazard subsidies: {e.message}", file=sys.stderr)
            return 1
    if args.format == "json":
        _print_json(result)
        return 0
    rows = [{**a, "status": a["claim"]["status_label"], "signing_rate": float(a["signing_rate"])}
            for a in result["agencies"]]
    rows.append({"name": "合计", "total": result["total"]["total"], "paid": result["total"]["paid"]})
    return emit(args, columns=SUBSIDY_COLUMNS, rows=rows, result=result, sheet=f"{year}年补贴台账",
                title=f"{year} 年补贴台账（全面排查 {result['policy']['comprehensive']} 元，"
                      f"按月服务 {result['policy']['monthly']} 元）")


SUBSIDY_COLUMNS = [("name", "中介机构"), ("comprehensive_enterprises", "全面排查（家）"),
                   ("monthly_enterprises", "按月服务（家）"), ("signing_rate", "签约率"), ("total", "应得（元）"),
                   ("paid", "已拨付（元）"), ("status", "申报状态")]


# --- hazard audit export / check-export -----------------------------------------------------------------
def run_export(args: argparse.Namespace, config: Config) -> int:
    from projections.audit_export import export

    with _session(args, config) as (app, rm):
        enterprise_id = _party_id(app, "enterprise", args.enterprise, "audit export")
        if enterprise_id is None:
            return 1
        document = export(app, rm, enterprise_id, exported_by="hazard audit export (CLI)",
                          now=datetime.now(UTC))
    Path(args.out).write_bytes(orjson.dumps(document, option=_JSON, default=str))
    print(f"{document['event_count']} 个事件 → {args.out}（链头位置 "
          f"{(document['chain_head'] or {}).get('position')}）", file=sys.stderr)
    return 0


def run_check_export(args: argparse.Namespace, config: Config) -> int:
    from projections.audit_export import check_against_store, check_offline

    document = orjson.loads(Path(args.file).read_bytes())
    problems = check_offline(document)
    with running(config) as rt:
        problems += check_against_store(document, rt.ledger.audit_chain())
    for p in problems:
        print(f"  {p}")
    print(f"{document['event_count']} 个事件：" + ("全部与哈希链一致" if not problems else f"{len(problems)} 处不符"))
    return 0 if not problems else 1
