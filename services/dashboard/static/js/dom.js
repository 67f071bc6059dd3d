// Small DOM helpers, formatting in Asia/Shanghai, and the Chinese labels the pages use.
// Data is always put into the page as text (textContent), never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

// --- time: everything is shown in Asia/Shanghai ------------------------------------------------
const TZ = "Asia/Shanghai";
const dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
const timeFormat = new Intl.DateTimeFormat("zh-CN", {
  timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  second: "2-digit", hourCycle: "h23",
});

export function today() {
  return dayFormat.format(new Date()); // YYYY-MM-DD in Shanghai
}

// "2026-11" moved by `delta` months
export function shiftMonth(month, delta) {
  const [y, m] = month.split("-").map(Number);
  const n = y * 12 + (m - 1) + delta;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, "0")}`;
}

export function thisYear() {
  return Number(today().slice(0, 4));
}

export function time(iso) {
  if (!iso) return "";
  const parts = Object.fromEntries(timeFormat.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export function date(value) {
  return value ? String(value).slice(0, 10) : "";
}

export function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

export function pct(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`;
}

export function int(n) {
  return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN");
}

export function money(value) {
  return value === null || value === undefined || value === "" ? "" : `${Number(value).toLocaleString("zh-CN")} 元`;
}

// --- labels ------------------------------------------------------------------------------------
export const ROLE = {
  bureau: "县应急管理局", township: "乡镇（街道）", regulator: "行业主管部门", agency: "中介机构",
  enterprise: "企业", auditor: "审计", investigator: "事故调查", admin: "管理员", insurer: "保险机构",
};
export const STATUS = { reported: "已上报", assigned: "整改中", rectified: "待复查", closed: "已销号", withdrawn: "已撤销" };
export const LEVEL = { general: "一般隐患", major: "重大隐患", supervised: "挂牌督办隐患" };
export const SUPERVISION = { province: "省级", city: "市级", county: "县级", township: "乡镇" };
// 挂牌督办通知书 paperwork states (issue 14 §1; as projections/labels.py LISTING_STATE, docs/supervision.md)
export const LISTING_STATE = { listed: "已挂牌（旧记录）", issued: "已下达待送达", served: "已送达待签收", signed: "已签收", cancelled: "已撤销" };
// 交办 states (issue 14 §3; as projections/labels.py REFERRAL_STATE)
export const REFERRAL_STATE = { open: "办理中", overdue: "逾期未答复", answered: "已答复" };
export const SOURCE = { inspection: "隐患排查", self_check: "企业自查", government_check: "执法检查", public_tip: "群众举报", grid: "网格化协查", mutual_help: "企业互助互查", association: "行业协会互查", insurance: "安责险评估" };
export const CATEGORY = { unsafe_act: "人的不安全行为", unsafe_condition: "物的不安全状态", management_defect: "管理上的缺陷" };
export const ENFORCEMENT = { order_rectification: "责令限期整改", suspend: "停产停业整顿", fine: "罚款", case: "立案" };
export const CHECKS = { responsibility: "责任不落实不放过", enforcement: "执法不到位不放过", elimination: "隐患不消除不放过" };
export const CHECK_STATE = { met: "已落实", pending: "待落实", violated: "未落实", "n/a": "不适用" };
// 服务类型 (projections/oversight_labels.py SERVICE)
export const SERVICE = { monthly: "按月排查", comprehensive: "全面排查", standardisation: "安全标准化", training: "安全培训", consulting: "安全咨询", other: "其他" };
export const PARTY = { township: "乡镇（街道）", regulator: "行业主管部门", agency: "中介机构" };
export const PLAN_PARTS = {
  objectives: "治理目标和任务", measures: "采取的方法和措施", funds: "经费和物资落实", organisation: "负责治理的机构和人员",
  timeline: "治理时限和要求", safety_measures: "安全措施和应急预案",
};

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}`.trim() }, text);
}

export function statusBadge(status, label) {
  return badge(label || STATUS[status] || status, `status-${status}`);
}

export function checkBadge(check) {
  if (!check) return "";
  return h("span", { class: `badge check-${check.state.replace("/", "")}`, title: check.why || "" }, check.label || CHECK_STATE[check.state]);
}

export function actorText(actor) {
  if (!actor) return "";
  return `${actor.name || actor.id}（${ROLE[actor.role] || actor.role}）`;
}

// --- tables ------------------------------------------------------------------------------------
// columns: [{label, value: row => text | Node, class?}]
export function table(columns, rows, { empty = "无数据", testid, rowAttrs } = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.class }, c.label))));
  const body = h("tbody", {});
  if (!rows.length) body.append(h("tr", {}, h("td", { class: "empty", colSpan: columns.length }, empty)));
  for (const row of rows) {
    body.append(h("tr", rowAttrs ? rowAttrs(row) : {}, columns.map((c) => h("td", { class: c.class }, c.value(row)))));
  }
  return h("div", { class: "table-wrap" }, h("table", { class: "data", dataset: testid ? { testid } : undefined }, head, body));
}

// A definition list of [label, value] pairs; empty values are shown as "—".
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([label, value]) => [
    h("dt", {}, label),
    h("dd", {}, value === null || value === undefined || value === "" ? "—" : value),
  ]));
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function link(href, text) {
  return h("a", { href }, text);
}

export function select(name, options, value, { label, all = "全部" } = {}) {
  const el = h("select", { name, id: `f-${name}` },
    all !== null ? h("option", { value: "" }, all) : null,
    options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, text)));
  return label ? h("label", { class: "field" }, h("span", {}, label), el) : el;
}

export function input(name, value, { label, type = "text", placeholder } = {}) {
  const el = h("input", { name, id: `f-${name}`, type, value: value ?? "", placeholder });
  return label ? h("label", { class: "field" }, h("span", {}, label), el) : el;
}

// the pager of a paged list: 上一页 / 第 n / m 页 / 下一页, and 跳至第 [ ] 页 when there are
// several (issue 17 §4); `go(page)` shows that page, `extra` (e.g. a page-size select) sits beside
export function pager(page, pages, go, ...extra) {
  const jump = h("input", { type: "number", id: "page-jump", min: 1, max: pages, value: page, "aria-label": "页码",
    style: "width:5em" });
  const goTo = () => {
    const wanted = Math.min(pages, Math.max(1, Math.trunc(Number(jump.value)) || 1));
    if (wanted !== page) go(wanted);
    else jump.value = page;
  };
  jump.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); goTo(); } });
  return h("div", { class: "pager" }, h("span", { id: "page-of" }, `第 ${page} / ${pages} 页`),
    h("div", { class: "pages" },
      h("button", { type: "button", id: "prev", disabled: page <= 1, on: { click: () => go(page - 1) } }, "上一页"),
      h("button", { type: "button", id: "next", disabled: page >= pages, on: { click: () => go(page + 1) } }, "下一页"),
      pages > 1 ? h("span", { class: "jump" }, "跳至第", jump, "页",
        h("button", { type: "button", id: "page-go", on: { click: goTo } }, "跳转")) : null),
    ...extra);
}
