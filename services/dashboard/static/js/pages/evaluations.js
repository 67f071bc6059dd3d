// 考评 (issue 15 §6): the yearly 考评 of townships, sector regulators and enterprises — each criterion
// from the record (据记录计算) or scored by the bureau (县局评分), the total and the grade by the county's
// thresholds (GET /evaluations/townships|regulators|enterprises), and the reward fund (GET /reward-funds).
import { api, download } from "../api.js";
import { clear, h, int, money, pager, section, select, table, thisYear } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

const PAGE_SIZE = 50;
const KINDS = {
  townships: { label: "乡镇（街道）", roles: ["bureau", "township", "auditor", "investigator", "admin"], name: (r) => r.township_name },
  regulators: { label: "行业监管部门", roles: ["bureau", "regulator", "auditor", "investigator", "admin"], name: (r) => `${r.sector_name}行业监管部门` },
  enterprises: { label: "生产经营单位", roles: ["bureau", "township", "regulator", "enterprise", "auditor", "investigator", "admin"], name: (r) => r.name },
};
const FUND_ROLES = ["bureau", "township", "regulator", "auditor", "investigator", "admin"];

// a score as people write it: 80.7, 100, 0; none: 不计入 / 待评分
const score = (c) => (c.score === null || c.score === undefined
  ? (c.source === "record" ? "不计入" : "待评分")
  : String(Number(c.score)));

startPage("evaluations", async (ctx, main) => {
  const role = ctx.holder.role;
  const kinds = Object.entries(KINDS).filter(([, k]) => k.roles.includes(role));
  const years = Array.from({ length: 5 }, (_, i) => [String(thisYear() - i), `${thisYear() - i} 年`]);
  const chosen = { year: String(thisYear()), kind: kinds.length ? kinds[0][0] : "", page: "1",
    ...Object.fromEntries(Object.entries(readQuery(["year", "kind", "page"])).filter(([, v]) => v)) };
  if (!kinds.some(([k]) => k === chosen.kind) && kinds.length) chosen.kind = kinds[0][0]; // a table the holder may read
  if (!years.some(([y]) => y === chosen.year)) years.push([chosen.year, `${chosen.year} 年`]);
  const form = h("form", { class: "filters card", id: "filters" },
    select("year", years, chosen.year, { label: "年度", all: null }),
    select("kind", kinds.map(([k, v]) => [k, v.label]), chosen.kind, { label: "考评对象", all: null }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("button", { type: "button", id: "export-csv" }, "导出 CSV"),
    h("button", { type: "button", id: "export-xlsx" }, "导出 Excel"),
    h("p", { class: "hint" }, "各考评项 0–100 分：据记录计算的由台账得出，记录无法反映的由县应急管理局评分；总分为有分数各项的平均分，按县定分数线评定等级。县局尚未评分的，只显示据记录计算的部分。"));
  const result = h("section", { class: "card", id: "result" });
  const fund = h("div", { id: "fund" });
  clear(main, h("h1", {}, "考评"), form, result, fund);
  if (!kinds.length) {
    clear(result, h("p", { class: "hint" }, "本账号没有可查看的考评表。"));
    return;
  }

  const show = async () => {
    writeQuery(chosen);
    const kind = KINDS[chosen.kind] || KINDS[kinds[0][0]];
    const page = Number(chosen.page) || 1;
    const answer = await api(`/evaluations/${chosen.kind}`, { year: chosen.year,
      ...(chosen.kind === "enterprises" ? { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } : {}) });
    const first = answer.items[0];
    const criteria = first ? first.criteria.map((c, i) => ({
      label: [c.label, h("br"), h("small", {}, c.source_label)],
      value: (r) => h("span", { title: r.criteria[i].basis }, score(r.criteria[i])),
    })) : [];
    const columns = [
      { label: kind.label, value: kind.name },
      ...criteria,
      { label: "总分", value: (r) => (r.total === null ? "—" : String(Number(r.total))) },
      { label: "等级", value: (r) => r.grade_label },
    ];
    const t = answer.thresholds;
    const pages = chosen.kind === "enterprises" ? Math.max(1, Math.ceil(answer.total_count / PAGE_SIZE)) : 1;
    clear(result,
      h("p", { class: "hint" }, `${answer.year} 年 · 分数线：优秀 ${Number(t.excellent)} 分，良好 ${Number(t.good)} 分，合格 ${Number(t.pass)} 分 · `,
        Object.entries(answer.grades).map(([g, n]) => `${g} ${int(n)} 个`).join("，")),
      table(columns, answer.items, { empty: "没有考评对象", testid: "evaluations-table" }),
      pages > 1 ? pager(page, pages, go) : null);
    if (FUND_ROLES.includes(role)) {
      const funds = await api("/reward-funds", { year: chosen.year });
      clear(fund, section(`${chosen.year} 年奖励专项资金`, funds.items.length ? funds.items.map((f) => [
        h("p", {}, `${f.document_no}：${money(f.amount)}，已分配 ${money(f.allocated)}，剩余 ${money(f.remaining)}`),
        table([
          { label: "分配决定", value: (a) => a.document_no },
          { label: "对象类别", value: (a) => a.kind_label },
          { label: "奖励对象", value: (a) => a.recipient_name },
          { label: "金额", value: (a) => money(a.amount) },
          { label: "理由", value: (a) => a.reason },
        ], f.decisions.flatMap((d) => d.awards.map((a) => ({ ...a, document_no: d.document_no }))), { empty: "尚未分配", testid: "awards-table" }),
      ]) : h("p", { class: "hint" }, "当年尚未设立奖励专项资金。")));
    }
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.year = form.elements.year.value;
    chosen.kind = form.elements.kind.value;
    chosen.page = "1";
    run();
  });
  for (const format of ["csv", "xlsx"]) {  // the whole table (an enterprises' export is not paged)
    form.querySelector(`#export-${format}`).addEventListener("click", () => {
      const label = (KINDS[chosen.kind] || KINDS[kinds[0][0]]).label;
      download(`/evaluations/${chosen.kind}`, { year: chosen.year, format }, `${label}考评-${chosen.year}.${format}`)
        .catch((e) => showError(result, e));
    });
  }
  await show();
});
