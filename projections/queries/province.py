"""The export for the province (省级上报, issue 16 §2): the county's hazards in the Zhejiang field set
the Ningbo system exports (`../shared/NINGBO-REFERENCE.md`): levels in its codes (NORMAL / MAJOR),
sources in its vocabulary, funds in 万元, the six 到位 flags per major hazard, 销号日期 and 确认时间.

Which hazards: those found (发现日期) in the period — a month (2026-11), a quarter (2026Q3) or a
year (2026) — as they stood at the period's end (or today, for a period not yet over); hazards
withdrawn as false reports (撤销) are left out, even when withdrawn after the period. Every field is documented in `FIELDS` and in
docs/province-export.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from psycopg.sql import SQL

from infra.clock import FIRST_DAY, LAST_DAY, local
from projections import labels
from projections.queries import ledger as ledger_q
from projections.queries.base import Filters, Moment, fetch
from projections.queries.statistics import Period

LEVEL_CODE = {"general": "NORMAL", "major": "MAJOR"}  # the Ningbo system's level codes
LEVEL_NAME = {"general": "一般", "major": "重大"}
# Our sources in the Ningbo vocabulary (隐患排查, 执法检查, 网格化协查, 中介机构评审); a public tip
# has no term of its own there and is exported as 其他（群众举报）; nor have the 互查 of mutual-help
# groups and industry associations (issue 15): 其他（企业互助互查）, 其他（行业协会互查）.
SOURCE_NAME = {"inspection": "中介机构评审", "self_check": "隐患排查", "government_check": "执法检查",
               "grid": "网格化协查", "public_tip": "其他（群众举报）",
               "mutual_help": "其他（企业互助互查）", "association": "其他（行业协会互查）"}
FLAGS = (("target_in_place", "整改目标到位"), ("responsibility_in_place", "整改责任到位"),
         ("measures_in_place", "治理措施到位"), ("funds_in_place", "整改资金到位"),
         ("time_limit_in_place", "整改时限到位"), ("emergency_plan_in_place", "应急预案到位"))

# (key, header, what it holds) in the file's order
FIELDS: list[tuple[str, str, str]] = [
    ("hazard_no", "隐患编号", "文书式编号：县简称-发现年份-六位序号，如 宁海-2026-000123（issue 17 §4）"),
    ("hazard_id", "系统标识", "本系统内部的隐患标识，供对账"),
    ("credit_code", "统一社会信用代码", "18 位，按文本"),
    ("enterprise_name", "企业名称", ""),
    ("region_code", "行政区划代码", "乡镇（街道）9 位代码，按文本"),
    ("township_name", "乡镇（街道）", ""),
    ("sector_name", "行业", ""),
    ("level_code", "隐患级别代码", "NORMAL 一般 / MAJOR 重大"),
    ("level_name", "隐患级别", "一般 / 重大"),
    ("source_name", "隐患来源", "隐患排查 / 执法检查 / 网格化协查 / 中介机构评审 / 其他（群众举报）"),
    ("category_name", "隐患类别", "人的不安全行为 / 物的不安全状态 / 管理上的缺陷"),
    ("description", "隐患描述", ""),
    ("discovered_on", "发现日期", "YYYY-MM-DD"),
    ("planned_on", "计划完成日期", "整改期限（延期获批后为新期限）"),
    ("rectified", "是否整改", "是 / 否（截至期末）"),
    ("rectified_on", "整改完成日期", ""),
    ("funds_wan", "整改资金（万元）", "实际投入，万元，四位小数"),
    ("supervision_name", "挂牌督办级别", "省级 / 市级 / 县级 / 乡镇；未挂牌为空"),
    *((key, header, "重大隐患：是 / 否；一般隐患为空") for key, header in FLAGS),
    ("closed_on", "销号日期", ""),
    ("confirmed_at", "确认时间", "销号记录入库的时刻（北京时间）"),
]
COLUMNS: list[tuple[str, str]] = [(key, header) for key, header, _ in FIELDS]

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Span:
    """The period of an export: its name and first and last days."""
    name: str
    start: date
    end: date


def parse_period(text: str) -> Span:
    """"2026-11" (a month), "2026Q3" (a quarter) or "2026" (a year); ValueError in Chinese."""
    m = _MONTH.fullmatch(text.strip())
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not (1 <= month <= 12 and FIRST_DAY.year <= year <= LAST_DAY.year):
            raise ValueError(f"月份须为 {FIRST_DAY.year}-01 至 {LAST_DAY.year}-12，收到 {text!r}")
        start = date(year, month, 1)
        return Span(f"{year}-{month:02d}", start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    try:
        period = Period.parse(text)
    except ValueError:
        raise ValueError(f"期间须为月份（2026-11）、季度（2026Q3）或年份（2026），收到 {text!r}") from None
    return Span(str(period), period.start, period.end)


def province_export(rm: Any, span: Span, scope: dict[str, Any], today: date) -> dict[str, Any]:
    """The rows of the export; `scope`: the token's read filters."""
    as_of = min(span.end, today)
    filters = Filters(equals={}, ranges={"discovered_on": (span.start, span.end)})
    filters.scope = scope
    _, rows = ledger_q.ledger(rm.ledger, Moment(as_of=as_of), filters, None)
    withdrawn = _withdrawn(rm.ledger, [r["hazard_id"] for r in rows])  # false reports, whenever found out
    rows = [r for r in rows if r["hazard_id"] not in withdrawn]
    confirmed = _closures_recorded(rm.ledger, [r["hazard_id"] for r in rows if r["closed_on"]])
    return {"county": rm.reference.county_name, "county_code": rm.reference.county_code,
            "period": span.name, "start": span.start, "end": span.end, "as_of": as_of,
            "total": len(rows), "fields": [{"key": k, "header": h, "note": n} for k, h, n in FIELDS],
            "items": [_item(r, rm.reference, confirmed.get(r["hazard_id"])) for r in rows]}


def _withdrawn(view: Any, ids: list[str]) -> set[str]:
    found = fetch(view, SQL("SELECT hazard_id FROM {hazards} WHERE status = 'withdrawn' AND hazard_id = ANY(%(ids)s)")
                  .format(hazards=view.table("ledger_hazards")), {"ids": ids}) if ids else []
    return {row["hazard_id"] for row in found}


def _closures_recorded(view: Any, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    found = fetch(view, SQL("SELECT hazard_id, max(recorded_at) AS at FROM {changes} "
                            "WHERE change = 'Closed' AND hazard_id = ANY(%(ids)s) GROUP BY hazard_id")
                  .format(changes=view.table("ledger_hazard_changes")), {"ids": ids})
    return {row["hazard_id"]: local(row["at"]) for row in found}


def _item(row: dict[str, Any], reference: Any, confirmed_at: str | None) -> dict[str, Any]:
    major = row["level"] == "major"
    rectified = row["status"] in ("rectified", "closed")
    planned = row["plan_filed_on"] is not None  # a plan holds all six parts (domain/plan.py)
    flags = {"target_in_place": planned, "responsibility_in_place": row["assigned_on"] is not None,
             "measures_in_place": planned, "funds_in_place": planned,
             "time_limit_in_place": row["deadline"] is not None, "emergency_plan_in_place": planned}
    cost = row["rectification_cost"]
    return {
        "hazard_no": ledger_q.number(row.get("hazard_no"), reference),
        "hazard_id": row["hazard_id"], "credit_code": row["credit_code"],
        "enterprise_name": row["enterprise_name"], "region_code": row["township"],
        "township_name": reference.townships.get(row["township"]),
        "sector_name": reference.sectors.get(row["sector"]),
        "level_code": LEVEL_CODE[row["level"]], "level_name": LEVEL_NAME[row["level"]],
        "source_name": SOURCE_NAME.get(row["source"], row["source"]),
        "category_name": labels.CATEGORY.get(row["category"], row["category"]),
        "description": row["description"], "discovered_on": row["discovered_on"],
        "planned_on": row["deadline"], "rectified": "是" if rectified else "否",
        "rectified_on": row["rectified_on"] if rectified else None,
        "funds_wan": (Decimal(cost) / 10000).quantize(Decimal("0.0001"), ROUND_HALF_UP) if cost is not None else None,
        "supervision_name": labels.SUPERVISION.get(row["supervision_level"]) if row["supervision_level"] else None,
        **{key: (("是" if flags[key] else "否") if major else None) for key, _ in FLAGS},
        "closed_on": row["closed_on"], "confirmed_at": confirmed_at if row["closed_on"] else None,
    }
