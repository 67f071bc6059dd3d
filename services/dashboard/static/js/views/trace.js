// 事故调查追溯 (GET /trace/enterprises/{id}?until=) drawn as designed tables: agencies and what
// bound them, inspections, missed months, hazards with their 三不放过 checks, accidents, the
// timeline and who did what. Narrow columns, long text wraps: nothing overflows on screen or A4.
import { badge, checkBadge, h, int, link, section, statusBadge, table, time } from "../dom.js";

const tile = (key, label, value) =>
  h("div", { class: "tile", dataset: { counter: key } }, h("span", { class: "label" }, label), h("span", { class: "value" }, value));
const yes = (v) => (v ? badge("是", "overdue") : "否");
const dash = (v) => (v === null || v === undefined || v === "" ? "—" : v);

export function traceView(t) {
  const s = t.summary;
  const hazardName = Object.fromEntries(t.hazards.map((x) => [x.hazard_id, x.description]));
  const agencyName = Object.fromEntries(t.agencies.map((a) => [a.agency_id, a.name]));
  const subject = (id) => hazardName[id] || "";
  return [
    section("概况", h("div", { class: "tiles small", id: "trace-summary" },
      tile("agencies", "相关中介机构", int(s.agencies)), tile("inspections", "排查", int(s.inspections)),
      tile("hazards", "隐患", int(s.hazards)), tile("overdue", "逾期未整改", int(s.overdue)),
      tile("unenforced", "执法不到位", int(s.unenforced)), tile("closed", "已销号", int(s.closed)),
      tile("steps", "经办事项", int(s.steps)), tile("late_entries", "补录事项", int(s.late_entries)))),
    section("中介机构及服务依据", table([
      { label: "机构名称", value: (a) => link(`/agencies/${a.agency_id}`, dash(a.name)) },
      { label: "统一社会信用代码", value: (a) => dash(a.credit_code) },
      { label: "服务依据", class: "wrap", value: (a) => a.bound_by.map(bound).join("；") || "仅有排查记录" },
      { label: "截至当日在黑名单", value: (a) => yes(a.blacklisted_on_until) },
      { label: "现在黑名单", value: (a) => yes(a.blacklisted_now) },
      { label: "黑名单记录", class: "wrap", value: (a) => a.blacklist.map((b) => `${b.label}（${time(b.recorded_at)}，${b.reason || ""}）`).join("；") || "—" },
    ], t.agencies, { empty: "没有相关中介机构", testid: "trace-agencies" })),
    section("排查记录", table([
      { label: "计划日期", class: "date", value: (i) => dash(i.scheduled_for) },
      { label: "实施日期", class: "date", value: (i) => dash(i.performed_on) },
      { label: "机构", value: (i) => dash(i.agency_name) },
      { label: "类型", value: (i) => dash(i.kind_label) },
      { label: "状态", value: (i) => dash(i.status_label) },
      { label: "专家", class: "wrap", value: (i) => i.experts.map((x) => x.name || "（已删除）").join("、") || "—" },
      { label: "报告备案", class: "date", value: (i) => dash(i.report_filed_on) },
      { label: "报告文号", value: (i) => dash(i.report_document_no) },
      { label: "发现隐患", class: "num", value: (i) => int(i.hazards_found) },
    ], t.inspections, { empty: "截至该日没有排查记录", testid: "trace-inspections" })),
    t.missed_months.length ? section("未按月排查", table([
      { label: "机构", value: (m) => dash(agencyName[m.agency_id]) },
      { label: "未排查的月份", class: "wrap", value: (m) => m.months.map((x) => `${x.slice(0, 4)} 年 ${Number(x.slice(5))} 月`).join("、") },
    ], t.missed_months, { testid: "trace-missed" })) : null,
    section(`隐患（${int(t.hazards.length)} 条）`, table([
      { label: "发现日期", class: "date", value: (x) => x.discovered_on },
      { label: "隐患编号 · 描述", class: "wrap", value: (x) => [x.hazard_no ? h("div", { class: "muted" }, x.hazard_no) : "", link(`/hazards/${x.hazard_id}`, x.description)] },
      { label: "等级", value: (x) => dash(x.grade_label) },
      { label: "来源", value: (x) => dash(x.source_label) },
      { label: "排查机构", value: (x) => dash(x.agency_name) },
      { label: "状态", value: (x) => [statusBadge(x.status, x.status_label), x.overdue ? [" ", badge("逾期", "overdue")] : ""] },
      { label: "责任人", value: (x) => dash(x.responsible_person) },
      { label: "整改期限", class: "date", value: (x) => dash(x.deadline) },
      { label: "三不放过", class: "three-checks", value: (x) => Object.values(x.checks).map((c) => h("div", {}, `${c.title}：`, checkBadge(c))) },
      { label: "执法", class: "num", value: (x) => (x.enforcement.length ? `${x.enforcement.length} 次` : "—") },
      { label: "整改完成", class: "date", value: (x) => dash(x.rectified_on) },
      { label: "销号", class: "date", value: (x) => dash(x.closed_on) },
    ], t.hazards, { empty: "截至该日没有隐患记录", testid: "trace-table", rowAttrs: (x) => ({ dataset: { hazard: x.hazard_id } }) })),
    t.accidents.length ? section("事故", table([
      { label: "发生日期", class: "date", value: (a) => a.occurred_on },
      { label: "类别", value: (a) => dash(a.category_label) },
      { label: "死亡", class: "num", value: (a) => int(a.deaths) },
      { label: "受伤", class: "num", value: (a) => int(a.injuries) },
      { label: "对机构的认定", class: "wrap", value: (a) => a.findings.map((f) => `${f.agency_name || ""}：${f.kind_label || ""}${f.description ? "（" + f.description + "）" : ""}`).join("；") || "—" },
    ], t.accidents, { testid: "trace-accidents" })) : null,
    section(`经办时间线（${int(t.steps.length)} 项）`, table([
      { label: "业务日期", class: "date", value: (x) => x.business_date },
      { label: "事项", value: (x) => x.label },
      { label: "对象", class: "wrap", value: (x) => subject(x.subject_id) || "—" },
      { label: "经办人", value: (x) => dash(x.by) },
      { label: "记录时间", class: "date", value: (x) => time(x.recorded_at) },
      { label: "补录", value: (x) => (x.late_entry_days ? `晚 ${int(x.late_entry_days)} 天录入` : "—") },
    ], t.steps, { empty: "截至该日没有经办事项", testid: "trace-steps" })),
    section("经办人", table([
      { label: "经办人", value: (p) => dash(p.label) },
      { label: "事项数", class: "num", value: (p) => int(p.steps.length) },
      { label: "最早", class: "date", value: (p) => p.steps[0]?.business_date || "—" },
      { label: "最近", class: "date", value: (p) => p.steps[p.steps.length - 1]?.business_date || "—" },
    ], t.actors, { empty: "—", testid: "trace-actors" })),
  ];
}

function bound(b) {
  if (b.by === "contract") {
    const state = b.in_force_on_until ? "当日有效" : b.countersigned_on ? "当日不在有效期" : "未会签";
    return `${b.label}：${b.service_label || ""}，${b.start_on} 至 ${b.end_on}（${state}）`;
  }
  return `${b.label}：${b.start_on} 至 ${b.end_on}（${b.in_force_on_until ? "当日有效" : "当日不在有效期"}）`;
}
