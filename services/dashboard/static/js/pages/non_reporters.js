// 未报名单: the month's enterprises with neither a self-report (自查自报) nor an agency's inspection,
// with the month's counts; filters in the address (month, township), paging, CSV / Excel export.
import { api, download } from "../api.js";
import { clear, h, input, int, link, pager, select, shiftMonth, table, today } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

const PAGE_SIZE = 50;


const COUNTS = [
  ["enterprises", "应报企业"], ["self_reported", "已自查自报"], ["late", "其中逾期报送"], ["none_found", "其中零隐患"],
  ["inspected_by_agency", "中介机构已排查"], ["non_reporters", "未报"],
];

startPage("non-reporters", async (ctx, main) => {
  const chosen = { month: shiftMonth(today().slice(0, 7), -1), township: "", page: "1", ...Object.fromEntries(Object.entries(readQuery(["month", "township", "page"])).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    input("month", chosen.month, { label: "月份", type: "month" }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("button", { type: "button", id: "export-csv" }, "导出 CSV"),
    h("button", { type: "button", id: "export-xlsx" }, "导出 Excel"),
    h("p", { class: "hint" }, "当月既没有自查自报、也没有中介机构排查的企业（宁波“未报”名单）。次月宽限日前报送的为按时，之后报送的仍记录并标为逾期。"));
  const counts = h("div", { class: "tiles", id: "counts" });
  const result = h("section", { class: "card", id: "result" });
  clear(main, h("h1", {}, "未报名单"), form, counts, result);

  const params = () => ({ month: chosen.month, township: chosen.township });
  const show = async () => {
    writeQuery(chosen);
    const answer = await api("/non-reporters", { ...params(), page: chosen.page, page_size: PAGE_SIZE });
    clear(counts, COUNTS.map(([key, label]) => h("div", { class: `tile${key === "non_reporters" && answer[key] ? " alert" : ""}`, dataset: { counter: key } },
      h("span", { class: "label" }, label), h("span", { class: "value" }, int(answer[key])))));
    const pages = Math.max(1, Math.ceil(answer.non_reporters / PAGE_SIZE));
    clear(result,
      h("p", { class: "hint" }, `${answer.month} · 宽限日 ${answer.due_on} · 未报 `, h("b", { id: "total" }, int(answer.non_reporters)), " 家"),
      table([
        { label: "企业名称", value: (r) => link(`/ledger?enterprise_id=${encodeURIComponent(r.enterprise_id)}`, r.name) },
        { label: "乡镇（街道）", value: (r) => r.township_name || "" },
        { label: "行业", value: (r) => r.sector_name || "" },
        { label: "规模", value: (r) => r.scale_label || "" },
        { label: "最近自报月份", value: (r) => r.last_reported_month || "从未自报" },
      ], answer.items, { empty: `${answer.month} 没有未报企业`, testid: "non-reporters-table", rowAttrs: (r) => ({ dataset: { enterprise: r.enterprise_id } }) }),
      pager(answer.page, pages, go));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.month = form.elements.month.value;
    chosen.township = form.elements.township ? form.elements.township.value : "";
    chosen.page = "1";
    run();
  });
  for (const format of ["csv", "xlsx"]) {
    form.querySelector(`#export-${format}`).addEventListener("click", () =>
      download("/non-reporters", { ...params(), format }, `未报名单-${chosen.month}.${format}`).catch((e) => showError(result, e)));
  }
  await show();
});
