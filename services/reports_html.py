"""The investigator's trace as a printable HTML report (事故调查追溯报告), Chinese labels,
times in Asia/Shanghai. Input: the trace as `projections.queries.trace.trace` answers it,
with record times already localised (`projections.queries.oversight.localize`)."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimSun", sans-serif; font-size: 10.5pt;
       margin: 2em; color: #111; }
h1 { font-size: 16pt; text-align: center; } h2 { font-size: 12.5pt; border-bottom: 1px solid #444;
margin-top: 1.6em; } table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 1px solid #888; padding: 2px 5px; vertical-align: top; text-align: left; }
th { background: #eee; } .warn { color: #a00; font-weight: bold; } .meta { color: #555; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } tr { page-break-inside: avoid; } }
"""

ACTS = {"scheduled": "安排", "performed": "实施", "report_filed": "报告备案", "cancelled": "取消"}


def _v(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_v(v) for v in value) or "—"
    return escape(str(value))


def _table(headers: list[str], rows: list[list[Any]], raw: set[int] = frozenset()) -> str:
    if not rows:
        return '<p class="meta">（无）</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if i in raw else _v(c)}</td>" for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _warn(flag: bool, text: str) -> str:
    return f'<span class="warn">{escape(text)}</span>' if flag else "—"


def _agencies(t: dict) -> str:
    rows = []
    for a in t["agencies"]:
        bound = "；".join(f"{b['label']}（{b.get('start_on')} 至 {b.get('end_on')}）" for b in a["bound_by"])
        listing = "；".join(f"{b['label']}：{b['reason']}（{b['by']}，{b['recorded_at']}）"
                            for b in a["blacklist"])
        rows.append([a["name"], a["credit_code"], bound or "仅实施排查",
                     _warn(a["blacklisted_on_until"], "是"), _warn(a["blacklisted_now"], "是"),
                     escape(listing) or "—"])
    return _table(["中介机构", "统一社会信用代码", "约束依据", "截止日在黑名单", "现在黑名单", "黑名单记录"],
                  rows, raw={3, 4, 5})


def _inspections(t: dict) -> str:
    rows = [[i["performed_on"] or f"计划 {i['scheduled_for']}", i["kind_label"], i["agency_name"],
             "、".join(f"{x['name']}（{x['certificate_no']}）" for x in i["experts"]),
             i["status_label"], i["report_document_no"] and f"{i['report_document_no']}（{i['report_filed_on']}）",
             i["hazards_found"], "；".join(f"{ACTS.get(k, k)}：{v}" for k, v in i["actors"].items())]
            for i in t["inspections"]]
    missed = "".join(f"<p class=\"warn\">合同 {escape(m['contract_id'][:8])} 漏查月份：{_v(m['months'])}</p>"
                     for m in t["missed_months"])
    return _table(["排查日期", "类型", "中介机构", "专家", "状态", "排查报告备案", "发现隐患", "经办人"],
                  rows) + missed


def _hazards(t: dict) -> str:
    rows = []
    for h in t["hazards"]:
        checks = "<br>".join(f"{escape(c['title'])}：{escape(c['label'])}（{escape(c['why'])}）"
                             for c in h["checks"].values())
        rows.append([h["discovered_on"], h["description"], h["grade_label"], h.get("criterion_article"),
                     h["agency_name"], h["status_label"], h["responsible_person"], h["deadline"],
                     _warn(h["overdue"], "逾期"), _warn(h["unenforced"], "执法未到位"), checks])
    return _table(["发现日期", "隐患描述", "等级", "判定依据", "排查机构", "截止日状态", "责任人", "整改期限",
                   "逾期", "执法", "三不放过"], rows, raw={8, 9, 10})


def _steps(t: dict) -> str:
    rows = [[s["business_date"], s["label"], s["subject_id"][:8], s["by"], s["recorded_at"],
             _warn(s["late_entry_days"] > 0, f"补录（晚 {s['late_entry_days']} 日）")] for s in t["steps"]]
    return _table(["业务日期", "环节", "对象", "经办人", "记录时间", "备注"], rows, raw={5})


def _actors(t: dict) -> str:
    rows = [[p["label"], len(p["steps"]),
             "；".join(f"{s['business_date']} {s['label']}" for s in p["steps"][:40])
             + ("……" if len(p["steps"]) > 40 else "")] for p in t["actors"]]
    return _table(["经办人", "环节数", "经办环节"], rows)


def _accidents(t: dict) -> str:
    rows = [[x["occurred_on"], x["category_label"], x["deaths"], x["injuries"], x["description"],
             "；".join(f"{f['agency_name']}：{f['kind_label']}，{f['description']}（{f['by']}）"
                      for f in x["findings"])] for x in t["accidents"]]
    return _table(["发生日期", "类别", "死亡", "受伤", "经过", "调查认定（中介机构责任）"], rows)


def trace_html(t: dict[str, Any], *, generated_at: str) -> str:
    e, s = t["enterprise"], t["summary"]
    summary = (f"中介机构 {s['agencies']} 家；排查 {s['inspections']} 次；隐患 {s['hazards']} 条，"
               f"其中截止日逾期 {s['overdue']} 条、执法未到位 {s['unenforced']} 条、已销号 {s['closed']} 条；"
               f"经办环节 {s['steps']} 个（补录 {s['late_entries']} 个）。")
    sections = [("一、约束该企业的中介机构", _agencies(t)), ("二、隐患排查及专家", _inspections(t)),
                ("三、隐患及截止日状态", _hazards(t)), ("四、事故及调查认定", _accidents(t)),
                ("五、全部环节及经办人（按业务日期）", _steps(t)), ("六、经办人汇总", _actors(t))]
    body = "".join(f"<h2>{escape(title)}</h2>{html}" for title, html in sections)
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>事故调查追溯报告 {escape(e['name'])}</title><style>{STYLE}</style></head><body>"
            f"<h1>事故调查追溯报告</h1>"
            f"<p>企业：{_v(e['name'])}（统一社会信用代码 {_v(e['credit_code'])}）　"
            f"{_v(e['township_name'])}　{_v(e['sector_name'])}　{_v(e['scale_label'])}</p>"
            f"<p>追溯截止日（业务日期）：{_v(t['until'])}　生成时间：{_v(generated_at)}（北京时间）</p>"
            f"<p>{escape(summary)}</p>{body}"
            f"<p class=\"meta\">说明：隐患状态按业务日期回溯至截止日（晚于截止日补录、但业务日期在其前的环节计入）；"
            f"记录时间为北京时间。</p></body></html>")


# --- the enterprise's quarterly 统计分析表 (issue 13) ----------------------------------------------
def _figures(t: dict) -> str:
    five = t["five"]
    rows = [["一般隐患", "本期发现", t["general_found"]], ["一般隐患", "其中未整改", t["general_open"]],
            ["重大隐患", "本期发现", t["major_found"]], ["重大隐患", "其中未整改", t["major_open"]],
            ["重大隐患", "未整改且列入治理方案", t["major_open_with_plan"]],
            ["重大隐患", "到期未整改", t["major_overdue"]],
            ["重大隐患", "以前期间发现、截至日仍未整改", t["major_open_earlier"]],
            *(["五到位（本期发现的重大隐患）", label, five[key]] for key, label in t["five_labels"].items()),
            ["五到位（本期发现的重大隐患）", "五项均到位", t["five_all"]],
            ["整改资金", "本期发现隐患已整改的资金（元 / 万元）", f"{t['funds']} / {t['funds_wan']}"],
            ["整改资金", "本年截至日累计（元 / 万元）", f"{t['funds_year']} / {t['funds_year_wan']}"]]
    return _table(["类别", "项目", "数量"], rows)


def _majors(t: dict) -> str:
    rows = [[h["discovered_on"], h["description"], h["grade_label"], h["status_label"],
             h["responsible_person"], h["deadline"], h["plan_filed_on"], h["rectified_on"],
             h["rectification_cost"], *(h["five"][key] for key in t["five_labels"])]
            for h in t["major_hazards"]]
    return _table(["发现日期", "隐患描述", "等级", "截至日状态", "责任人", "整改期限", "治理方案备案",
                   "整改完成", "整改资金（元）", *t["five_labels"].values()], rows)


def enterprise_statistics_html(t: dict[str, Any], *, generated_at: str) -> str:
    """The enterprise's quarterly 统计分析表 as a printable page, with lines to sign."""
    e = t["enterprise"]
    state = "" if t["complete"] else "（期间未结束，按今日统计）"
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>事故隐患排查治理统计分析表 {escape(e['name'])} {escape(t['period'])}</title>"
            f"<style>{STYLE}</style></head><body><h1>事故隐患排查治理统计分析表</h1>"
            f"<p>企业：{_v(e['name'])}（统一社会信用代码 {_v(e['credit_code'])}）　"
            f"{_v(e.get('township_name'))}　{_v(e.get('sector_name'))}　{_v(e.get('scale_label'))}</p>"
            f"<p>统计期间：{_v(t['period'])}（{_v(t['start'])} 至 {_v(t['end'])}）　"
            f"截至日（业务日期）：{_v(t['as_of'])}{escape(state)}　报送期限：{_v(t['due_on'])}</p>"
            f"<p>记录截至：{_v(t['known_at'] or '生成时')}　生成时间：{_v(generated_at)}（北京时间）</p>"
            f"<h2>一、统计数据</h2>{_figures(t)}<h2>二、重大隐患及五到位</h2>{_majors(t)}"
            f"<p>单位主要负责人（签字）：＿＿＿＿＿＿　安全管理人员（签字）：＿＿＿＿＿＿　"
            f"日期：＿＿＿＿＿＿</p>"
            f"<p class=\"meta\">说明：由台账记录计算，非人工填报。隐患按其业务日期不晚于截至日的最近一次变化统计；"
            f"撤销的误报不计。五到位：整改措施、整改资金、应急预案到位以治理方案备案（六部分齐全）为准，"
            f"资金亦可由已报整改资金认定；整改责任到位以落实责任人为准；整改时限到位以设定整改期限为准。</p>"
            f"</body></html>")
