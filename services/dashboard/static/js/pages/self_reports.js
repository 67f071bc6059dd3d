// 自查自报: the month's self-reports in the reader's scope (按时/逾期, 代报, 零隐患, hazard count),
// filters in the address (month, township), paging, CSV / Excel export; each row links to the
// report's page. An enterprise's token also gets a form to file this month's or last month's.
import { api, download } from "../api.js";
import { clear, h, input, int, link, pager, select, shiftMonth, table, today } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";
import { foundText, lateBadge, proxyText } from "../self_report_labels.js";
import { filingForm } from "./self_report_form.js";

const PAGE_SIZE = 50;

startPage("self-reports", async (ctx, main) => {
  const thisMonth = today().slice(0, 7);
  const given = Object.fromEntries(Object.entries(readQuery(["month", "township", "page"])).filter(([, v]) => v));
  const chosen = { month: shiftMonth(thisMonth, -1), township: "", page: "1", ...given };
  const form = h("form", { class: "filters card", id: "filters" },
    input("month", chosen.month, { label: "月份", type: "month" }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("button", { type: "button", id: "export-csv" }, "导出 CSV"),
    h("button", { type: "button", id: "export-xlsx" }, "导出 Excel"),
    h("p", { class: "hint" }, "企业每月报送本月自查发现的隐患，或声明本月未发现隐患（零隐患）。次月宽限日前报送的为按时，之后报送的仍记录并标为逾期；乡镇（街道）或县局代录的纸质自查自报标为代报。"));
  const result = h("section", { class: "card", id: "result" });
  const filing = ctx.holder.enterprise_id
    ? filingForm(ctx.holder.enterprise_id, thisMonth, (month, position) => {
      Object.assign(chosen, { month, township: "", page: "1" });
      form.elements.month.value = month;
      return show(position);
    })
    : null;
  clear(main, h("h1", {}, "自查自报"), filing, form, result);

  const params = () => ({ month: chosen.month, township: chosen.township });
  const show = async (after) => {
    writeQuery(chosen);
    const answer = await api("/self-reports", { ...params(), page: chosen.page, page_size: PAGE_SIZE, after });
    const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
    clear(result,
      h("p", { class: "hint" }, `${answer.month} · 已报送 `, h("b", { id: "total" }, int(answer.total)), " 家"),
      table([
        { label: "企业名称", value: (r) => link(`/self-reports/${encodeURIComponent(r.report_id)}`, r.name) },
        { label: "乡镇（街道）", value: (r) => r.township_name || "" },
        { label: "行业", value: (r) => r.sector_name || "" },
        { label: "报送日期", value: (r) => r.filed_on },
        { label: "按时/逾期", value: (r) => lateBadge(r.late) },
        { label: "报送方式", value: (r) => proxyText(r.proxy) },
        { label: "自查结果", value: (r) => foundText(r.none_found, r.hazards) },
        { label: "隐患数", class: "num", value: (r) => int(r.hazards) },
        { label: "修改次数", class: "num", value: (r) => int(r.amendments) },
      ], answer.items, { empty: `${answer.month} 没有自查自报`, testid: "self-reports-table", rowAttrs: (r) => ({ dataset: { report: r.report_id, late: String(r.late) } }) }),
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
      download("/self-reports", { ...params(), format }, `自查自报-${chosen.month}.${format}`).catch((e) => showError(result, e)));
  }
  await show();
});
