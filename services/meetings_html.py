"""The monthly joint meeting pack (联席会材料) as a printable page: A4 landscape, Chinese labels,
every value escaped (the helpers of `services/reports_html.py`). Input: `projections.queries.
meetings.pack` (sections by unit) — names only, never codes or ids."""

from __future__ import annotations

from html import escape
from typing import Any

from projections.queries.meetings import COLUMNS, COUNT_TITLES, PART_TITLES, PARTS, SUMMARY_COLUMNS
from services.reports_html import STYLE, _table, _v

# Landscape A4 (the 挂牌督办 table has 15 columns); long text wraps inside its cell instead of
# widening the table, so no column is cut at the page's edge; a header row repeats on each page.
PRINT = """
@page { size: A4 landscape; margin: 10mm; }
body { font-size: 9.5pt; }
table { table-layout: fixed; } th, td { overflow-wrap: anywhere; word-break: break-word; font-size: 8.5pt; }
thead { display: table-header-group; } h3 { font-size: 11pt; margin: .8em 0 .2em; }
.unit { page-break-before: always; } .unit:first-of-type { page-break-before: auto; }
@media print { body { margin: 0; } h3 { page-break-after: avoid; } }
"""


def _rows(columns: list[tuple[str, str]], items: list[dict[str, Any]]) -> str:
    return _table([title for _, title in columns], [[item.get(key) for key, _ in columns] for item in items])


def _counts_line(counts: dict[str, int]) -> str:
    return "；".join(f"{title} {counts[key]}" for key, title in COUNT_TITLES.items())


def _section(section: dict[str, Any]) -> str:
    parts = "".join(f"<h3>{escape(PART_TITLES[part])}（{len(section[part])}）</h3>"
                    f"{_rows(COLUMNS[part], section[part])}" for part in PARTS if section[part])
    return (f'<section class="unit"><h2>{escape(section["kind_label"])}：{escape(section["name"])}</h2>'
            f'<p class="meta">{escape(_counts_line(section["counts"]))}</p>{parts}</section>')


def _month_zh(month: str) -> str:
    return f"{month[:4]}年{int(month[5:7])}月"


def meeting_pack_html(p: dict[str, Any], *, generated_at: str) -> str:
    """The pack: the summary by unit, a section per unit with anything to show, the decisions."""
    title = f"安全生产联席会议材料（{_month_zh(p['month'])}）"
    state = "" if p["complete"] else "（本月尚未结束，按今日统计）"
    sections = "".join(_section(s) for s in p["sections"]) or '<p class="meta">（本月各单位均无待议事项）</p>'
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
            f"<style>{STYLE}{PRINT}</style></head><body><h1>{escape(title)}</h1>"
            f"<p>统计期间：{_v(p['start'])} 至 {_v(p['end'])}　截至日（业务日期）：{_v(p['as_of'])}{escape(state)}"
            f"　生成时间：{_v(generated_at)}（北京时间）</p>"
            f"<h2>一、各单位情况汇总</h2>{_rows(SUMMARY_COLUMNS, p['summary'])}"
            f"<h2>二、本次联席会交办事项（{len(p['decisions'])}）</h2>{_rows(COLUMNS['referrals'], p['decisions'])}"
            f"<h2>三、分单位明细</h2>{sections}"
            f"<p class=\"meta\">说明：由台账记录计算，非人工填报。隐患按其业务日期不晚于截至日的最近一次变化统计；"
            f"逾期指已落实责任人、整改期限早于截至日而未报告整改完成；交办事项列截至日未答复的和本月答复的；"
            f"未报企业指本月既无自查自报、又无中介机构排查的企业。</p></body></html>")
