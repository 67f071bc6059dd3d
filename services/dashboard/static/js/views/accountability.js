// 机构履职 (GET /agencies/{id}/accountability?year=) drawn as designed tables: every field in
// Chinese, counts formatted, years as plain years, report filing (备案) kept apart from
// rectification (整改) so a late report never reads as 逾期未整改.
import { badge, facts, h, int, link, pct, section, table, time } from "../dom.js";

const MONTHS = (list) => (list && list.length ? list.map((m) => `${m} 月`).join("、") : "—");
const ratio = (v) => (v === null || v === undefined ? "—" : `${Number(v).toFixed(2)} 条`);
// 绩效评比 (issue 15 §5): how many served enterprises rated the agency, their mean and each criterion's
const rated = (r) => (r ? `${int(r.ratings)} 份，平均 ${Number(r.mean)} 分（${r.criteria.map((c) => `${c.label} ${Number(c.mean)}`).join("，")}）`
  : "无");
const tile = (key, label, value) =>
  h("div", { class: "tile", dataset: { counter: key } }, h("span", { class: "label" }, label), h("span", { class: "value" }, value));

export function accountabilityView(ctx, a) {
  const i = a.inspections;
  const r = a.rectification;
  return [
    section("概况", h("div", { class: "tiles small", id: "agency-summary" },
      tile("contracts", "在履行的委托服务合同", int(a.contracts.in_force)),
      tile("monthly", "其中按月服务", int(a.contracts.monthly)),
      tile("months_due", "应按月排查（企业·月）", int(a.monthly_inspections.months_due)),
      tile("months_missed", "未按月排查（企业·月）", int(a.monthly_inspections.months_missed)),
      tile("performed", "已实施排查", int(i.performed)),
      tile("found", "排查发现隐患", int(i.hazards_found)),
      tile("zero_hazard", "零隐患排查", int(i.zero_hazard)),
      tile("rate", "服务企业整改率", pct(r.rate))),
    h("p", { class: "hint" }, `${a.year} 年，判定日期 ${a.judged_on}；排查报告应在实施后 ${a.policy.report_within_days} 日内备案，按月排查截止日为每月 ${a.policy.monthly_due_day} 日。`)),
    section("排查情况（按类型）", table([
      { label: "排查类型", value: (k) => k.label || "—" },
      { label: "已安排", class: "num", value: (k) => int(k.scheduled) },
      { label: "已实施", class: "num", value: (k) => int(k.performed) },
      { label: "已取消", class: "num", value: (k) => int(k.cancelled) },
      { label: "过期未实施", class: "num", value: (k) => int(k.not_performed_past_date) },
      { label: "发现隐患", class: "num", value: (k) => int(k.hazards_found) },
      { label: "平均每次发现", class: "num", value: (k) => ratio(k.hazards_per_inspection) },
    ], i.by_kind, { empty: "该年度没有排查", testid: "agency-by-kind" }),
    facts([
      ["排查报告按时备案", int(i.reports.on_time)], ["排查报告迟报", int(i.reports.late)],
      ["排查报告逾期未备案", int(i.reports.overdue)], ["排查报告待备案（未到期）", int(i.reports.pending)],
      ["撤销的误报", int(i.withdrawn_reports)], ["平均每次排查发现隐患", ratio(i.hazards_per_inspection)],
    ])),
    section(`服务企业（${int(a.enterprises.length)} 家）`, table([
      { label: "企业名称", value: (e) => link(`/trace?enterprise=${e.enterprise_id}`, e.enterprise_name || "—") },
      { label: "服务合同", value: (e) => e.contracts.map((c) => `${c.service_label || "—"}（${c.start} 至 ${c.end}${c.terminated_on ? "，已终止" : ""}）`).join("；") || "—" },
      { label: "应排查月份", class: "wrap", value: (e) => MONTHS(e.months_due) },
      { label: "未按月排查的月份", class: "wrap", value: (e) => (e.months_missed.length ? badge(MONTHS(e.months_missed), "overdue") : "—") },
      { label: "排查次数", class: "num", value: (e) => int(e.inspections) },
      { label: "企业隐患（各来源）", class: "num", value: (e) => int(e.hazards_found) },
      { label: "已整改", class: "num", value: (e) => int(e.rectified) },
      { label: "逾期未整改", class: "num", value: (e) => int(e.overdue) },
      { label: "整改率", class: "num", value: (e) => pct(e.rectification_rate) },
    ], a.enterprises, { empty: "该年度没有服务企业", testid: "agency-enterprises" }),
    facts([["服务企业隐患合计（各来源）", int(r.found)], ["已整改", int(r.rectified)], ["逾期未整改", int(r.overdue)], ["整改率", pct(r.rate)]])),
    section(`排查记录（${int(a.inspection_list.length)} 次）`, table([
      { label: "计划日期", class: "date", value: (x) => x.scheduled_for || "—" },
      { label: "实施日期", class: "date", value: (x) => x.performed_on || "—" },
      // the inspection's page: its checklist, and where the agency reports what it found (issue 17 §2)
      { label: "企业名称", value: (x) => (x.inspection_id ? link(`/inspections/${encodeURIComponent(x.inspection_id)}`, x.enterprise_name || "查看排查记录") : x.enterprise_name || "—") },
      { label: "类型", value: (x) => x.kind_label || "—" },
      { label: "状态", value: (x) => [x.status_label || "—", x.not_performed_past_date ? [" ", badge("过期未实施", "overdue")] : ""] },
      { label: "专家", value: (x) => (x.experts || []).length ? `${x.experts.length} 人` : "—" },
      { label: "发现隐患（重大）", class: "num", value: (x) => (x.report ? `${int(x.hazards_found)}（${int(x.major_found)}）` : "—") },
      { label: "报告备案日期", class: "date", value: (x) => x.report_filed_on || "—" },
      { label: "报告文号", value: (x) => x.report_document_no || "—" },
      { label: "备案情况", value: (x) => (x.report ? reportBadge(x.report) : "—") },
    ], a.inspection_list, { empty: "该年度没有排查", testid: "agency-inspections" })),
    a.agreements.length ? section("政府购买服务协议", table([
      { label: "期间", value: (g) => `${g.start_on} 至 ${g.end_on}` },
      { label: "乡镇（街道）", class: "wrap", value: (g) => g.township_names.join("、") },
      { label: "行业", class: "wrap", value: (g) => g.sector_names.join("、") },
    ], a.agreements, { testid: "agency-agreements" })) : null,
    section("考评", table([
      { label: "年度", value: (v) => String(v.year) },
      { label: "总分", class: "num", value: (v) => (v.total ?? "—") },
      { label: "等级", value: (v) => v.grade_label || "—" },
      { label: "各项得分", class: "wrap", value: (v) => v.criteria.map((c) => `${c.label} ${c.score ?? "—"}`).join("；") },
      { label: "被服务企业评价", class: "wrap", value: (v) => rated(v.ratings) }, // 绩效评比 (issue 15 §5)
      { label: "备注", class: "wrap", value: (v) => v.notes || "—" },
      { label: "考评人", value: (v) => v.by || "—" },
      { label: "记录时间", class: "date", value: (v) => time(v.recorded_at) },
    ], a.evaluations, { empty: "没有考评记录", testid: "agency-evaluations" }),
      h("p", { class: "hint", dataset: { testid: "agency-ratings" } }, "本年度被服务企业评价（绩效评比）：", rated(a.ratings))),
    section("黑名单记录", table([
      { label: "处理", value: (b) => b.label },
      { label: "理由", class: "wrap", value: (b) => b.reason || "—" },
      { label: "经办人", value: (b) => b.by || "—" },
      { label: "记录时间", class: "date", value: (b) => time(b.recorded_at) },
    ], a.blacklist, { empty: "没有黑名单记录", testid: "agency-blacklist" })),
    a.findings.length ? section("事故调查认定", table([
      { label: "认定", value: (f) => f.kind_label || "—" },
      { label: "说明", class: "wrap", value: (f) => f.description || "—" },
      { label: "认定人", value: (f) => f.by || "—" },
      { label: "记录时间", class: "date", value: (f) => time(f.recorded_at) },
    ], a.findings, { testid: "agency-findings" })) : null,
  ];
}

function reportBadge(report) {
  const kind = report.state === "on_time" ? "" : report.state === "pending" ? "" : "overdue";
  const late = report.days_late ? `（超期 ${int(report.days_late)} 天）` : "";
  return badge(`${report.label}${late}`, kind);
}
