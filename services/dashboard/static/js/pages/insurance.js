// 保险机构（安责险, issue 15 §3）: the prevention-fee ledger of a year (premiums, 10% due, paid,
// shortfall), the coverage of the mandatory sectors per township, and the year's policies — each
// section as far as the reader's token may see it (an insurer: its own; a township: its rows).
import { api, download } from "../api.js";
import { badge, clear, h, input, int, section, table, thisYear } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

// amounts as the API gives them (元, to the fen), without separators; zero as 0
const yuan = (v) => (v === null || v === undefined ? "" : Number(v) === 0 ? "0 元" : `${Number(v).toFixed(2)} 元`);
const rate = (v) => (v === null || v === undefined ? "—" : `${v}%`);

async function part(where, load, render) {
  try {
    render(await load());
  } catch (e) {
    if (e.status === 403) clear(where, h("p", { class: "hint" }, "本令牌无权查看此项。"));
    else showError(where, e);
  }
}

startPage("insurance", async (ctx, main) => {
  const chosen = { year: String(thisYear()), ...Object.fromEntries(Object.entries(readQuery(["year"])).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    input("year", chosen.year, { label: "年度", type: "number" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("button", { type: "button", id: "export-csv" }, "导出费用台账 CSV"),
    h("button", { type: "button", id: "export-xlsx" }, "导出费用台账 Excel"),
    h("p", { class: "hint" }, "商业保险机构每年从安全生产责任保险收入中提取 10% 作为事故预防费用，用于安全生产宣传教育、聘请专家参与检查、风险评估等事故预防工作。保费按保险期间开始的年度计入收入。"));
  const fee = h("div", { id: "prevention" });
  const coverage = h("div", { id: "coverage" });
  const policies = h("div", { id: "policies" });
  clear(main, h("h1", {}, "保险机构（安责险）"), form,
    section("事故预防费用台账", fee), section("强制投保行业覆盖率", coverage), section("安责险保单", policies));

  const show = async () => {
    writeQuery(chosen);
    const year = Number(chosen.year);
    await Promise.all([
      part(fee, () => api("/insurance/prevention", { year }), (answer) => clear(fee,
        h("p", { class: "hint" }, answer.summary),
        table([
          { label: "保险机构", value: (r) => r.name },
          { label: "保单数", class: "num", value: (r) => int(r.policies) },
          { label: "保费收入", class: "num", value: (r) => yuan(r.premiums) },
          { label: "应提取事故预防费用", class: "num", value: (r) => yuan(r.fee_due) },
          { label: "已支出", class: "num", value: (r) => yuan(r.paid) },
          { label: "支出构成", value: (r) => Object.entries(r.paid_by_kind).map(([k, v]) => `${k} ${yuan(v)}`).join("；") || "—" },
          { label: "缺口", class: "num", value: (r) => yuan(r.shortfall) },
          { label: "是否足额", value: (r) => badge(r.met_label, r.met ? "status-closed" : "status-assigned") },
        ], answer.items, { empty: `${year} 年没有保险机构`, testid: "prevention-table" }))),
      part(coverage, () => api("/insurance/coverage", {}), (answer) => clear(coverage,
        h("p", { class: "hint" }, answer.summary, "（强制投保行业：", answer.sectors.map((s) => s.sector_name).join("、"), "）"),
        table([
          { label: "乡镇（街道）", value: (r) => r.township_name },
          { label: "强制投保行业企业", class: "num", value: (r) => int(r.enterprises) },
          { label: "在保", class: "num", value: (r) => int(r.insured) },
          { label: "未投保", class: "num", value: (r) => int(r.uninsured) },
          { label: "覆盖率", class: "num", value: (r) => rate(r.rate) },
        ], answer.items, { empty: "没有强制投保行业的企业", testid: "coverage-table" }))),
      part(policies, () => api("/insurance-policies", { year }), (answer) => clear(policies,
        h("p", { class: "hint" }, `${year} 年起保的保单 `, h("b", {}, int(answer.total)), " 份"),
        table([
          { label: "保单号", value: (r) => r.policy_no },
          { label: "保险机构", value: (r) => r.insurer_name || "" },
          { label: "企业名称", value: (r) => r.enterprise_name || "" },
          { label: "乡镇（街道）", value: (r) => r.township_name },
          { label: "行业", value: (r) => r.sector_name },
          { label: "保险期间", value: (r) => `${r.start_on} 至 ${r.end_on}` },
          { label: "保费", class: "num", value: (r) => yuan(r.premium) },
          { label: "强制投保", value: (r) => r.mandatory_label },
          { label: "在保", value: (r) => (r.in_force ? "在保" : "不在保险期间") },
        ], answer.items.slice(0, 200), { empty: `${year} 年没有起保的保单`, testid: "policies-table" }))),
    ]);
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.year = form.elements.year.value;
    show();
  });
  for (const format of ["csv", "xlsx"]) {
    form.querySelector(`#export-${format}`).addEventListener("click", () =>
      download("/insurance/prevention", { year: chosen.year, format }, `事故预防费用台账-${chosen.year}.${format}`).catch((e) => showError(fee, e)));
  }
  await show();
});
