// Any JSON answer shown as people read it: objects as label/value lists, lists of records as
// tables, codes and keys in Chinese where known. Used for answers whose shape this dashboard
// does not fix (agency accountability, the investigator's trace), so a new field still shows.
import { CHECK_STATE, ENFORCEMENT, LEVEL, ROLE, SOURCE, STATUS, checkBadge, h, int, link, pct, time } from "./dom.js";

export const LABELS = {
  id: "编号", name: "名称", credit_code: "统一社会信用代码", year: "年度", until: "截至", as_of: "截至",
  agency: "机构", agencies: "中介机构", agency_id: "机构", agency_name: "机构名称", enterprise: "企业",
  enterprise_id: "企业", enterprise_name: "企业名称", township: "乡镇（街道）", township_name: "乡镇（街道）",
  sector: "行业", sector_name: "行业", scale: "规模", policy: "核查标准",
  contracts: "委托服务合同", agreements: "政府购买服务协议", service: "服务类型", start: "开始", end: "结束", fee: "费用（元）",
  signed_on: "签订日期", terminated: "已终止", renewed: "续签", bound_by: "服务依据",
  proposed_by: "提出方", countersigned_on: "会签日期（生效）", countersigned_by: "会签人", migrated: "补录",
  pending_renewal: "待会签的续签", terminated_on: "终止日期（当日起不再有效）",
  inspections: "排查", inspection_id: "排查", kind: "类型", due: "应排查", done: "已排查", performed: "已实施",
  scheduled: "已安排", cancelled: "已取消", missed: "未按时排查", missed_months: "未按月排查的月份",
  scheduled_for: "计划日期", performed_on: "实施日期", basis_id: "依据", experts: "专家", expert_ids: "专家",
  certificate_no: "证书编号", actors: "操作人",
  reports: "排查报告", filed: "已备案", filed_on: "备案日期", on_time: "按时", late: "逾期", reports_on_time: "按时备案",
  reports_late: "逾期备案", report_filed_on: "报告备案日期", report_document_no: "报告文号", document_no: "文号",
  hazards: "隐患", hazards_found: "发现隐患", found: "发现隐患", rectified: "已整改", closed: "已销号", overdue: "逾期未整改",
  rate: "整改率", on_time_rate: "按期整改率", major: "重大隐患", supervised: "挂牌督办", general: "一般隐患",
  hazard_id: "隐患", description: "隐患描述", location: "位置", level: "等级", grade: "等级", status: "状态",
  discovered_on: "发现日期", deadline: "整改期限", rectified_on: "整改完成", closed_on: "销号日期",
  responsible_person: "责任人", source: "来源", category: "类别", checks: "三不放过", unenforced: "未执法",
  evaluation: "考评", evaluations: "考评", score: "得分", total: "合计", passed: "合格", notes: "备注",
  blacklist: "黑名单", blacklisted: "列入黑名单", blacklisted_now: "现列入黑名单", blacklisted_on_until: "截至当日在黑名单",
  blacklist_reason: "列入黑名单理由", reason: "理由",
  pool_admitted_on: "入库日期", pool_expires_on: "入库有效期至", admitted_on: "入库日期",
  accidents: "事故", occurred_on: "发生日期", deaths: "死亡", injuries: "受伤", findings: "调查认定",
  events: "事件", steps: "事件", actor: "操作人", recorded_at: "记录时间", label: "事件", type: "类型", position: "位置",
  failures: "未履职", missed_hazards: "漏查隐患", enforcement: "执法", enforcement_count: "执法次数",
  reviews: "复查", closure: "销号", responsibility_days: "落实责任时限（日）", enforcement_days: "执法时限（日）",
  review_days: "复查时限（日）", enforcement_for: "须执法的隐患", report_within_days: "报告备案时限（日）",
  monthly_due_day: "按月排查截止日", coverage_goal: "覆盖率目标",
};

const CODES = { status: STATUS, level: LEVEL, grade: LEVEL, source: SOURCE, kind: ENFORCEMENT, role: ROLE, state: CHECK_STATE };
const LINKS = { hazard_id: (v) => `/hazards/${v}`, agency_id: (v) => `/agencies/${v}`, enterprise_id: (v) => `/trace?enterprise=${v}` };

export function label(key) {
  return LABELS[key] || key;
}

// keys worth showing: a code is dropped where its Chinese form is there too (`x_label`, or the
// township's and sector's `x_name`)
function shown(keys) {
  return keys.filter((k) => !keys.includes(`${k}_label`) && !(["township", "sector"].includes(k) && keys.includes(`${k}_name`)));
}

function titled(key) {
  return key.endsWith("_label") ? key.slice(0, -6) : key;
}

export function value(v, key = "", depth = 0) {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? "是" : "否";
  if (typeof v === "number") return /rate$|coverage/.test(key) ? pct(v) : int(v);
  if (typeof v === "string") {
    if (LINKS[key] && /^[0-9a-f-]{36}$/i.test(v)) return link(LINKS[key](v), v.slice(0, 8));
    if (CODES[key] && CODES[key][v]) return CODES[key][v];
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return time(v);
    return v;
  }
  if (Array.isArray(v)) {
    if (!v.length) return "—";
    if (v.every((x) => x === null || typeof x !== "object")) return v.map((x) => value(x, key)).join("、");
    // a list inside a table cell: folded, so the table stays readable
    return depth > 0 ? h("details", {}, h("summary", {}, `${v.length} 项`), records(v, depth + 1)) : records(v, depth + 1);
  }
  if (typeof v.state === "string" && "why" in v) return checkBadge(v); // a 三不放过 check
  if (key === "actor" || (v.name && v.role && Object.keys(v).length <= 3)) return `${v.name || v.id}（${ROLE[v.role] || v.role}）`;
  return object(v, depth + 1);
}

export function object(obj, depth = 0) {
  return h("dl", { class: "facts" }, shown(Object.keys(obj)).map((k) => [h("dt", {}, label(titled(k))), h("dd", {}, value(obj[k], k, depth))]));
}

export function records(list, depth = 0) {
  const keys = shown([...new Set(list.flatMap((r) => (r && typeof r === "object" ? Object.keys(r) : [])))]);
  return h("div", { class: "table-wrap" }, h("table", { class: "data loose" },
    h("thead", {}, h("tr", {}, keys.map((k) => h("th", {}, label(titled(k)))))),
    h("tbody", {}, list.map((r) => h("tr", {}, keys.map((k) => h("td", {}, value(r[k], k, depth + 1))))))));
}

// Top-level: the plain fields together under 概况, then each nested field as its own titled block.
export function blocks(answer, skip = []) {
  const entries = Object.entries(answer).filter(([k]) => !skip.includes(k));
  const plain = ([, v]) => v === null || typeof v !== "object" || (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object"));
  const flat = entries.filter(plain);
  return [
    flat.length ? h("section", { class: "card", dataset: { field: "summary" } }, h("h2", {}, "概况"), object(Object.fromEntries(flat))) : null,
    ...entries.filter((e) => !plain(e)).map(([k, v]) =>
      h("section", { class: "card", dataset: { field: k } }, h("h2", {}, label(k)), value(v, k))),
  ];
}
