// 机构: the agencies whose inspections found hazards, with their rectification figures.
import { api } from "../api.js";
import { clear, h, int, link, pct, select, table, thisYear } from "../dom.js";
import { readQuery, startPage, writeQuery } from "../layout.js";
import { years } from "../period.js";

startPage("agencies", async (ctx, main) => {
  if (ctx.role === "agency" && ctx.holder.agency_id) {
    location.replace(`/agencies/${ctx.holder.agency_id}`);
    return;
  }
  const chosen = { year: readQuery(["year"]).year || String(thisYear()) };
  const form = h("form", { class: "filters card", id: "filters" }, select("year", years(), chosen.year, { label: "年度", all: null }),
    h("p", { class: "hint" }, "中介服务机构按其排查发现的隐患统计（当年发现）；点击机构查看其履职情况。"));
  const result = h("section", { class: "card", id: "result" });
  clear(main, h("h1", {}, "中介服务机构"), form, result);
  const show = async () => {
    writeQuery(chosen);
    const answer = await api("/rates", { by: "agency", period: "year", year: chosen.year });
    const rows = [...answer.groups].sort((a, b) => (a.key === null) - (b.key === null) || b.found - a.found);
    clear(result, table([
      { label: "机构", value: (r) => (r.key ? link(`/agencies/${r.key}?year=${chosen.year}`, r.name || r.key) : h("span", { class: "muted" }, "非机构发现（执法检查、企业自查、举报等）")) },
      { label: "发现隐患", class: "num", value: (r) => int(r.found) },
      { label: "已整改", class: "num", value: (r) => int(r.rectified) },
      { label: "整改率", class: "num", value: (r) => pct(r.rate) },
      { label: "按期整改率", class: "num", value: (r) => pct(r.on_time_rate) },
      { label: "逾期未整改", class: "num", value: (r) => int(r.overdue) },
      { label: "已销号", class: "num", value: (r) => int(r.closed) },
    ], rows, { empty: `${chosen.year} 年没有机构发现的隐患`, testid: "agencies-table", rowAttrs: (r) => ({ dataset: { agency: r.key || "" } }) }));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  form.addEventListener("change", () => { chosen.year = form.elements.year.value; show().catch(console.error); });
  await show();
});
