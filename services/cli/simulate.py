"""`hazard simulate`: a county-year through the real commands (services/simulate.py), and its
summary in the words of the county's year-end report."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

import orjson

from services.runtime import Config, running


def register(commands: argparse._SubParsersAction) -> None:
    _simulate(commands.add_parser("simulate", help="a county-year through the real commands"))


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
    print(f"模拟 {summary['year']} 年（种子 {summary['seed']}，规模 {summary['scale']}）："
          f"{summary['commands']:,} 条命令，{summary['events']:,} 个事件，{summary['seconds']} 秒")
    print("\n".join(simulate_lines(summary)))
    return 1 if summary["failures"] else 0


SIMULATED = {  # hazard simulate's summary, in the words of the county's year-end report
    "enterprises": "企业", "agencies": "中介机构", "experts": "专家", "agreements": "政府购买服务协议",
    "monthly_contracts": "按月排查委托合同", "comprehensive_enterprises": "全面排查企业",
    "inspections": "隐患排查", "reports_filed": "排查报告备案", "hazards": "隐患", "general": "一般隐患",
    "major": "重大隐患", "regraded_to_general": "重大降为一般", "supervised": "挂牌督办",
    "enforcement_actions": "执法措施", "withdrawn": "撤销", "rectified": "已整改", "closed": "已销号",
    "overdue_at_year_end": "年末逾期未整改", "checklists": "检查表", "recorded": "记录",
    "items_failed": "不合格项", "photos_attached": "照片", "self_reports": "企业自查自报",
    "filed": "报送", "late": "逾期报送", "none_found": "零隐患", "with_hazards": "报告隐患",
    "rectification_rate": "整改率", "referrals": "联席会交办", "referred": "交办", "answered": "已答复",
    "platform": "服务平台与考评", "needs": "服务需求", "offers": "报价", "accepted": "接受报价签约",
    "needs_withdrawn": "撤回需求", "ratings": "服务评价", "assessments": "考评评分", "reward_allocated": "奖励资金分配（元）",
    # 安责险 (issue 15 §3)
    "insurance": "安责险", "insurers": "保险机构", "policies": "保单", "mandatory_policies": "强制投保行业保单",
    "premiums": "保费（元）", "prevention_services": "事故预防服务", "prevention_paid": "事故预防支出（元）",
    "electricity": "智慧用电", "enterprises_with_devices": "接入企业", "alarms": "告警", "hazards_raised": "自动生成隐患",
    "commands_per_second": "每秒命令数", "failures": "失败的命令",
    # issue 15: mutual-help groups and industry associations (services/simulate_groups.py)
    "mutual_help": "企业互助与行业协会", "groups": "互助组", "group_members": "互助组成员企业",
    "group_hazards": "组内（组间）互查发现隐患", "group_trainings": "互助组培训",
    "associations": "行业协会", "association_members": "协会会员单位",
    "association_hazards": "协会互查发现隐患", "association_trainings": "协会培训",
}
_NOT_SHOWN = ("seed", "scale", "year", "commands", "events", "seconds")


def simulate_lines(summary: dict[str, Any]) -> list[str]:
    """The summary as labelled lines; nested counts as 名称 数 pairs; inspection kinds by their labels."""
    from projections.oversight_labels import INSPECTION_KIND

    def words(key: str, value: Any) -> str:
        if isinstance(value, dict):
            names = {**SIMULATED, **INSPECTION_KIND}
            return "，".join(f"{names.get(k, k)} {v}" for k, v in value.items()) or "无"
        if key == "rectification_rate":
            return f"{value * 100:.1f}%"
        return f"{value:,}" if isinstance(value, int) else str(value)

    return [f"  {SIMULATED.get(k, k)}：{words(k, v)}" for k, v in summary.items() if k not in _NOT_SHOWN]
