// 隐患台账: the ledger with the API's filters, search, sorting by a column header, paging with a
// page jump and CSV / XLSX export (issue 17 §4: hazard numbers 宁海-2026-000123).
import { api, download } from "../api.js";
import {
  $, CATEGORY, LEVEL, SOURCE, STATUS, SUPERVISION, badge, clear, h, input, int, link, pager, select, statusBadge, table,
} from "../dom.js";
import { formValues, readQuery, startPage, writeQuery } from "../layout.js";
import { follow } from "../live.js";
import { reportForm } from "../hazard_forms.js";
import { officialReportBox } from "../official_report.js";

const FILTERS = [
  "township", "sector", "level", "status", "overdue", "enterprise", "source", "category", "supervision_level",
  "responsible_person", "discovered_from", "discovered_to", "deadline_from", "deadline_to", "rectified_from",
  "rectified_to", "closed_from", "closed_to", "as_of", "known_at", "enterprise_id", "agency_id", "inspection_id",
  "q", "sort",
];
const HIDDEN = { enterprise_id: "企业", agency_id: "排查机构", inspection_id: "排查" }; // set by links from other pages
const SIZES = [["20", "每页 20 条"], ["50", "每页 50 条"], ["100", "每页 100 条"], ["200", "每页 200 条"]];

startPage("ledger", async (ctx, main) => {
  const state = { page: "1", page_size: "50", ...readQuery(FILTERS), ...nonEmpty(readQuery(["page", "page_size"])) };
  const statuses = new Set((state.status || "").split(",").filter(Boolean));

  const range = (key, label) => h("label", { class: "field" }, h("span", {}, label),
    h("span", { class: "actions" }, input(`${key}_from`, state[`${key}_from`], { type: "date" }), "至", input(`${key}_to`, state[`${key}_to`], { type: "date" })));
  const chips = h("div", { class: "actions", id: "chips" });
  const form = h("form", { class: "filters card", id: "filters" },
    ctx.township ? null : select("township", ctx.townshipOptions(), state.township, { label: "乡镇（街道）" }),
    ctx.sector ? null : select("sector", ctx.sectorOptions(), state.sector, { label: "行业" }),
    select("level", Object.entries(LEVEL), state.level, { label: "隐患等级" }),
    select("overdue", [["true", "逾期"], ["false", "未逾期"]], state.overdue, { label: "是否逾期" }),
    input("q", state.q, { label: "搜索（企业名称、信用代码或隐患编号）", placeholder: "如 宁海-2026-000123" }),
    input("enterprise", state.enterprise, { label: "企业名称包含" }),
    range("discovered", "发现日期"),
    h("div", { class: "field" }, h("span", {}, "状态"),
      h("div", { class: "checks" }, Object.entries(STATUS).map(([value, label]) =>
        h("label", {}, h("input", { type: "checkbox", name: "status", value, checked: statuses.has(value) }), label)))),
    h("details", { class: "more", open: Boolean(["source", "category", "supervision_level", "responsible_person", "deadline_from", "deadline_to", "rectified_from", "rectified_to", "closed_from", "closed_to", "as_of", "known_at"].some((k) => state[k])) },
      h("summary", {}, "更多条件"),
      h("div", {},
        select("source", Object.entries(SOURCE), state.source, { label: "隐患来源" }),
        select("category", Object.entries(CATEGORY), state.category, { label: "隐患类别" }),
        select("supervision_level", Object.entries(SUPERVISION), state.supervision_level, { label: "督办级别" }),
        input("responsible_person", state.responsible_person, { label: "责任人" }),
        range("deadline", "整改期限"), range("rectified", "整改完成"), range("closed", "销号日期"),
        input("as_of", state.as_of, { label: "截至（业务日期）", type: "date" }),
        input("known_at", state.known_at, { label: "记录时间不晚于（审计）", placeholder: "2026-05-31T09:00" }))),
    [...Object.keys(HIDDEN), "sort"].map((key) => h("input", { type: "hidden", name: key, value: state[key] })),
    chips,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "查询"),
      h("button", { type: "button", id: "reset", on: { click: () => { location.href = "/ledger"; } } }, "重置"),
      h("span", { class: "muted" }, "导出全部符合条件的记录："),
      h("button", { type: "button", id: "export-csv", on: { click: () => exportAs("csv") } }, "导出 CSV"),
      h("button", { type: "button", id: "export-xlsx", on: { click: () => exportAs("xlsx") } }, "导出 Excel")));
  const notice = h("div", { id: "live-notice" });
  const result = h("section", { class: "card", id: "result" });
  // an enterprise reports what its own check found (issue 17 §2), an official what a check or a tip
  // found at an enterprise picked from 企业名录; folded away until opened
  const report = ctx.holder.enterprise_id
    ? await reportForm({ enterpriseId: ctx.holder.enterprise_id, sector: ctx.sector }).catch(() => null) : null;
  const box = report
    ? h("details", { class: "report-box", id: "report-box" }, h("summary", {}, "上报本企业自查发现的隐患"), report)
    : await officialReportBox().catch(() => null);
  clear(main, h("h1", {}, "隐患台账"), box, form, notice, result);

  const filters = () => {
    const values = formValues(form);
    return Object.fromEntries(FILTERS.map((k) => [k, values[k] || ""]));
  };
  const exportAs = async (format) => {
    const button = $(`#export-${format}`);
    button.disabled = true;
    try {
      await download("/ledger", { ...filters(), format }, `隐患台账.${format}`);
    } catch (e) {
      alert(e.message);
    } finally {
      button.disabled = false;
    }
  };

  const show = async (after) => {
    writeQuery({ ...state, page: state.page === "1" ? "" : state.page, page_size: state.page_size === "50" ? "" : state.page_size });
    renderChips(chips, state, async (key) => { state[key] = ""; form.elements[key].value = ""; state.page = "1"; await show(); });
    const answer = await api("/ledger", { ...nonEmpty(Object.fromEntries(FILTERS.map((k) => [k, state[k]]))), page: state.page, page_size: state.page_size, after });
    renderResult(result, answer, state, (page) => { state.page = String(page); show(); }, (size) => { state.page_size = size; state.page = "1"; show(); },
      (sort) => { state.sort = sort; form.elements.sort.value = sort; state.page = "1"; show(); });
    clear(notice);
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    Object.assign(state, filters(), { page: "1" });
    await show();
  });
  await show();

  // Live: say that the ledger changed; reload when asked (rows would otherwise move under the reader).
  let changed = 0;
  let last = null;
  follow({
    onEvent: (message) => {
      if (message.aggregate_type !== "Hazard") return;
      changed += 1;
      last = message.position;
      clear(notice, h("p", { class: "notice" }, `有 ${changed} 项新变化。`,
        h("button", { type: "button", id: "reload", on: { click: () => { changed = 0; show(last); } } }, "刷新台账")));
    },
  });
});

function nonEmpty(values) {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "" && v !== null && v !== undefined));
}

function renderChips(chips, state, remove) {
  clear(chips, Object.entries(HIDDEN).filter(([key]) => state[key]).map(([key, label]) =>
    h("span", { class: "chip" }, `${label}：${state[key].slice(0, 8)}…`,
      h("button", { type: "button", title: "去掉此条件", on: { click: () => remove(key) } }, "×"))));
}

// A column header that sorts (`?sort=`): a click sorts by it ascending, a second click descending.
function sortable(label, key, state, sortBy) {
  const current = (state.sort || "").split(",")[0];
  const direction = current === key ? "asc" : current === `-${key}` ? "desc" : "";
  return h("button", {
    type: "button", class: "sort", dataset: { sort: key, direction },
    style: "border:0;background:none;padding:0;font:inherit;color:inherit;cursor:pointer;white-space:nowrap",
    title: direction === "asc" ? `按${label}降序` : `按${label}升序`,
    on: { click: () => sortBy(direction === "asc" ? `-${key}` : key) },
  }, label, direction === "asc" ? " ▲" : direction === "desc" ? " ▼" : "");
}

function renderResult(result, answer, state, goTo, resize, sortBy) {
  const pages = Math.max(1, Math.ceil(answer.total / answer.page_size));
  const by = (label, key) => sortable(label, key, state, sortBy);
  clear(result,
    h("div", { class: "pager" },
      h("span", {}, "共 ", h("b", { id: "total" }, int(answer.total)), " 条",
        answer.known_at ? `（记录时间截至 ${answer.known_at}）` : "", `，逾期按 ${answer.as_of} 判定`)),
    table([
      { label: by("隐患编号", "hazard_no"), value: (r) => link(`/hazards/${r.hazard_id}`, r.hazard_no || "（待编号）") },
      { label: by("发现日期", "discovered_on"), value: (r) => r.discovered_on },
      { label: by("企业名称", "enterprise_name"), value: (r) => r.enterprise_name },
      { label: by("乡镇（街道）", "township"), value: (r) => r.township_name },
      { label: by("行业", "sector"), value: (r) => r.sector_name },
      { label: "隐患描述", class: "wrap", value: (r) => link(`/hazards/${r.hazard_id}`, r.description) },
      { label: by("等级", "grade"), value: (r) => r.grade_label },
      { label: by("隐患类别", "category"), value: (r) => r.category_label || "" },
      { label: by("督办级别", "supervision_level"), value: (r) => r.supervision_level_label || "" },
      { label: by("状态", "status"), value: (r) => statusBadge(r.status, r.status_label) },
      { label: by("责任人", "responsible_person"), value: (r) => r.responsible_person || "" },
      { label: by("整改期限", "deadline"), value: (r) => [r.deadline || "", r.extensions ? h("span", { class: "muted", title: `原期限 ${r.original_deadline}` }, `（延期 ${r.extensions} 次）`) : ""] },
      { label: by("逾期", "overdue"), value: (r) => (r.overdue ? badge("逾期", "overdue") : "") },
      { label: by("排查机构", "agency_name"), value: (r) => (r.agency_id ? link(`/agencies/${r.agency_id}`, r.agency_name || "机构") : h("span", { class: "muted" }, r.source_label)) },
    ], answer.items, { empty: "没有符合条件的隐患", testid: "ledger-table", rowAttrs: (r) => ({ dataset: { hazard: r.hazard_id } }) }),
    pager(answer.page, pages, goTo, select("page_size", SIZES, state.page_size, { all: null })));
  result.querySelector("select[name=page_size]").addEventListener("change", (e) => resize(e.target.value));
}
