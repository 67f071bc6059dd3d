// 智慧用电 (issue 15 §4): alarms per township, kind and month in the reader's scope (per enterprise
// with devices), the year's totals per township, and the hazards raised from alarms (source
// 智慧用电监测), each linking to its page. Filters in the address (year, township, kind).
import { api, download } from "../api.js";
import { clear, h, input, int, link, select, table, today } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

const KINDS = [["overload", "过载"], ["leakage", "漏电"], ["over_temperature", "超温"], ["arc", "电弧"]];
const per = (v) => (v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 }));

startPage("electricity", async (ctx, main) => {
  if (ctx.role === "agency") { // the API gives agencies no alarm rows
    clear(main, h("h1", {}, "智慧用电"), h("p", { class: "hint" }, "智慧用电告警不属于中介机构的查看范围。"));
    main.dataset.loaded = "1";
    return;
  }
  const given = Object.fromEntries(Object.entries(readQuery(["year", "township", "kind"])).filter(([, v]) => v));
  const chosen = { year: today().slice(0, 4), township: "", kind: "", ...given };
  const form = h("form", { class: "filters card", id: "filters" },
    input("year", chosen.year, { label: "年度", type: "number" }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    select("kind", KINDS, chosen.kind, { label: "告警类型" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("button", { type: "button", id: "export-csv" }, "导出 CSV"),
    h("button", { type: "button", id: "export-xlsx" }, "导出 Excel"),
    h("p", { class: "hint" }, "接入企业的智慧用电监测设备上报过载、漏电、超温、电弧告警。同一企业同类告警在县定时长内达到县定次数，"
      + "自动生成一条来源为“智慧用电监测”的隐患，同一告警过程只生成一条。接入企业数自企业首次上报告警的月份起计。"));
  const totals = h("section", { class: "card", id: "totals" });
  const rates = h("section", { class: "card", id: "rates" });
  const raised = h("section", { class: "card", id: "raised" });
  clear(main, h("h1", {}, "智慧用电"), form, totals, rates, raised);

  const params = () => Object.fromEntries(Object.entries({ year: chosen.year, township: chosen.township, kind: chosen.kind }).filter(([, v]) => v));
  const show = async () => {
    writeQuery(chosen);
    const answer = await api("/alarms/rates", params());
    const byTownship = new Map();
    for (const r of answer.items) {
      const t = byTownship.get(r.township) || { name: r.township_name, alarms: 0, hazards: 0 };
      t.alarms += r.alarms;
      t.hazards += r.hazards_raised;
      byTownship.set(r.township, t);
    }
    clear(totals,
      h("h2", {}, `${chosen.year} 年各乡镇（街道）告警`),
      table([
        { label: "乡镇（街道）", value: (t) => t.name || "" },
        { label: "告警次数", class: "num", value: (t) => int(t.alarms) },
        { label: "自动生成隐患数", class: "num", value: (t) => int(t.hazards) },
      ], [...byTownship.values()], { empty: "范围内没有告警", testid: "alarm-totals" }));
    clear(rates,
      h("h2", {}, "告警率（按月、按类型）"),
      table([
        { label: "乡镇（街道）", value: (r) => r.township_name || "" },
        { label: "月份", value: (r) => r.month },
        { label: "告警类型", value: (r) => r.kind_label },
        { label: "告警次数", class: "num", value: (r) => int(r.alarms) },
        { label: "接入企业数", class: "num", value: (r) => int(r.enterprises) },
        { label: "每企业告警次数", class: "num", value: (r) => per(r.per_enterprise) },
        { label: "有告警的企业数", class: "num", value: (r) => int(r.alarming) },
        { label: "自动生成隐患数", class: "num", value: (r) => int(r.hazards_raised) },
      ], answer.items, { empty: "范围内没有告警", testid: "alarm-rates" }));
    const ledger = await api("/ledger", {
      source: "smart_electricity", discovered_from: `${chosen.year}-01-01`, discovered_to: `${chosen.year}-12-31`,
      page_size: 200, ...(chosen.township ? { township: chosen.township } : {}) });
    clear(raised,
      h("h2", {}, "自动生成的隐患 "), h("p", { class: "hint" }, "共 ", h("b", { id: "raised-total" }, int(ledger.total)), " 条（最多列出 200 条，全部见隐患台账）"),
      table([
        { label: "隐患编号", value: (r) => link(`/hazards/${encodeURIComponent(r.hazard_id)}`, r.hazard_no || "查看") },
        { label: "企业名称", value: (r) => r.enterprise_name },
        { label: "乡镇（街道）", value: (r) => r.township_name || "" },
        { label: "发现日期", value: (r) => r.discovered_on },
        { label: "描述", value: (r) => r.description },
        { label: "状态", value: (r) => r.status_label },
      ], ledger.items, { empty: "本年度没有由告警生成的隐患", testid: "alarm-hazards" }),
      h("p", {}, link(`/ledger?source=smart_electricity`, "在隐患台账中查看全部")));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(rates, e));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.year = form.elements.year.value;
    chosen.township = form.elements.township ? form.elements.township.value : "";
    chosen.kind = form.elements.kind.value;
    run();
  });
  for (const format of ["csv", "xlsx"]) {
    form.querySelector(`#export-${format}`).addEventListener("click", () =>
      download("/alarms/rates", { ...params(), format }, `智慧用电告警率-${chosen.year}.${format}`).catch((e) => showError(rates, e)));
  }
  await show();
});
