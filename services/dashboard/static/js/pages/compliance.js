// 三不放过: violations and pending checks by township and by sector, and the hazards behind them.
import { api } from "../api.js";
import { stacked } from "../charts.js";
import { $, CHECKS, CHECK_STATE, LEVEL, checkBadge, clear, h, input, int, link, section, select, table, thisYear } from "../dom.js";
import { formValues, readQuery, startPage, writeQuery } from "../layout.js";
import { debounce, follow } from "../live.js";
import { PERIODS, range, years } from "../period.js";

const KEYS = ["year", "period", "township", "sector", "level", "as_of", "check", "state", "page", "in_township", "in_sector"];
const PAGE_SIZE = 20;
const SHORT = { responsibility: "责任", enforcement: "执法", elimination: "消除" };

startPage("compliance", async (ctx, main) => {
  const chosen = { year: String(thisYear()), period: "", state: "violated", page: "1",
    ...Object.fromEntries(Object.entries(readQuery(KEYS)).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    select("year", years(), chosen.year, { label: "年度", all: null }),
    select("period", PERIODS, chosen.period, { label: "期间", all: null }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    ctx.sector ? null : select("sector", ctx.sectorOptions(), chosen.sector, { label: "行业" }),
    select("level", Object.entries(LEVEL), chosen.level, { label: "隐患等级" }),
    input("as_of", chosen.as_of, { label: "截至（业务日期）", type: "date" }),
    h("p", { class: "hint" }, "按发现日期选取隐患；每条隐患三项核查：已落实 / 待落实（时限内）/ 未落实（超时或违规）。已撤销的误报不计。"));
  const chart = h("div", { class: "chart", id: "chart", style: "height: 300px" });
  const byTownship = h("div", { id: "by-township" });
  const bySector = h("div", { id: "by-sector" });
  const list = h("section", { class: "card", id: "list" });
  const policy = h("p", { class: "hint", id: "policy" });
  clear(main, h("h1", {}, "三不放过"), form,
    section("各乡镇（街道）未落实与待落实", chart, policy),
    section("按乡镇（街道）", byTownship),
    section("按行业", bySector),
    list);

  const filters = () => {
    const [from, to] = range(chosen.year, chosen.period);
    return { township: chosen.township, sector: chosen.sector, level: chosen.level, as_of: chosen.as_of, discovered_from: from, discovered_to: to };
  };
  // the list may be narrowed to one township or sector (a click in the totals) without changing the totals
  const pick = (extra) => { Object.assign(chosen, extra, { page: "1" }); return showList(); };

  const showTotals = async (after) => {
    const answer = await api("/compliance", { ...filters(), page_size: 1, after });
    const p = answer.policy;
    policy.textContent = `${p.name}：落实责任 ${p.responsibility_days} 日内；执法 ${p.enforcement_days} 日内；复查 ${p.review_days} 日内。截至 ${answer.as_of}。`;
    const rows = answer.totals.by_township;
    stacked(chart, rows.map((r) => r.name), [
      ...Object.keys(CHECKS).map((key) => ({ name: `${SHORT[key]}未落实`, data: rows.map((r) => r[key].violated), itemStyle: { color: { responsibility: "#c0392b", enforcement: "#e74c3c", elimination: "#922b21" }[key] } })),
      { name: "待落实（三项合计）", data: rows.map((r) => Object.keys(CHECKS).reduce((n, k) => n + r[k].pending, 0)), itemStyle: { color: "#f0b429" } },
    ], { onClick: (i) => pick({ in_township: rows[i].key, in_sector: "", state: "violated", check: "" }) });
    clear(byTownship, totalsTable(rows, "township", pick));
    clear(bySector, totalsTable(answer.totals.by_sector, "sector", pick));
  };

  const showList = async (after) => {
    writeQuery({ ...chosen, page: chosen.page === "1" ? "" : chosen.page });
    const f = filters();
    const narrowed = { township: chosen.in_township || f.township, sector: chosen.in_sector || f.sector };
    const answer = await api("/compliance", { ...f, ...narrowed, check: chosen.check, state: chosen.state, page: chosen.page, page_size: PAGE_SIZE, after });
    const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
    const what = `${chosen.check ? CHECKS[chosen.check] : "任一项"}${CHECK_STATE[chosen.state] || "全部"}`;
    clear(list,
      h("h2", {}, `隐患清单：${what}`, narrowed.township ? ` · ${ctx.townshipName(narrowed.township)}` : "", narrowed.sector ? ` · ${ctx.sectorName(narrowed.sector)}` : "",
        h("span", { class: "muted" }, `（共 `, h("b", { id: "list-total" }, int(answer.total)), ` 条）`)),
      h("div", { class: "actions no-print" },
        select("list-check", Object.entries(CHECKS), chosen.check, { all: "任一项核查" }),
        select("list-state", Object.entries(CHECK_STATE).filter(([k]) => k !== "n/a"), chosen.state, { all: "全部状态" }),
        chosen.in_township || chosen.in_sector ? h("button", { type: "button", id: "list-all", on: { click: () => pick({ in_township: "", in_sector: "" }) } }, "显示全部乡镇和行业") : null),
      table([
        { label: "发现日期", value: (r) => r.discovered_on },
        { label: "隐患", value: (r) => link(`/hazards/${r.hazard_id}`, `${r.enterprise_name} · ${r.grade_label}`) },
        { label: "乡镇（街道）", value: (r) => r.township_name },
        { label: "行业", value: (r) => r.sector_name },
        { label: "状态", value: (r) => r.status_label },
        ...Object.entries(CHECKS).map(([key, title]) => ({ label: title, class: "wrap", value: (r) => [checkBadge(r.checks[key]), " ", h("span", { class: "muted" }, r.checks[key].state === "met" ? "" : r.checks[key].why)] })),
      ], answer.items, { empty: "没有符合条件的隐患", testid: "compliance-table", rowAttrs: (r) => ({ dataset: { hazard: r.hazard_id } }) }),
      h("div", { class: "pager" }, h("div", { class: "pages" },
        h("button", { type: "button", disabled: Number(chosen.page) <= 1, on: { click: () => { chosen.page = String(Number(chosen.page) - 1); showList(); } } }, "上一页"),
        h("span", { id: "list-page" }, `第 ${chosen.page} / ${pages} 页`),
        h("button", { type: "button", disabled: Number(chosen.page) >= pages, on: { click: () => { chosen.page = String(Number(chosen.page) + 1); showList(); } } }, "下一页"))));
    $("#f-list-check").addEventListener("change", (e) => pick({ check: e.target.value }));
    $("#f-list-state").addEventListener("change", (e) => pick({ state: e.target.value }));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };

  const showAll = async (after) => {
    await Promise.all([showTotals(after), showList(after)]);
  };
  form.addEventListener("change", () => {
    Object.assign(chosen, formValues(form), { page: "1", in_township: "", in_sector: "" });
    showAll().catch(console.error);
  });
  await showAll();
  let last = null;
  const refresh = debounce(() => showAll(last).catch(console.error), 1000);
  follow({ onEvent: (m) => { if (m.aggregate_type === "Hazard") { last = m.position; refresh(); } } });
});

// hazards, all met, any violated, and each check's met / pending / violated; a count opens the list
function totalsTable(rows, column, pick) {
  const count = (row, check, state) => {
    const n = row[check][state];
    if (!n || state === "met") return int(n);
    return link("#list", int(n));
  };
  const columns = [
    { label: column === "township" ? "乡镇（街道）" : "行业", value: (r) => r.name || r.key },
    { label: "隐患", class: "num", value: (r) => int(r.hazards) },
    { label: "全部落实", class: "num", value: (r) => int(r.all_met) },
    { label: "存在未落实", class: "num", value: (r) => int(r.any_violated) },
    ...Object.keys(CHECKS).flatMap((check) => ["met", "pending", "violated"].map((state) => ({
      label: `${SHORT[check]}·${CHECK_STATE[state]}`, class: "num",
      value: (r) => count(r, check, state),
    }))),
  ];
  const el = table(columns, rows, { testid: `totals-${column}`, rowAttrs: (r) => ({ dataset: { key: r.key } }) });
  // colour and make clickable the cells that need attention
  el.querySelectorAll("tbody tr").forEach((tr, i) => {
    const row = rows[i];
    if (!row) return;
    Object.keys(CHECKS).forEach((check, c) => {
      ["pending", "violated"].forEach((state, s) => {
        const td = tr.children[4 + c * 3 + 1 + s];
        if (!row[check][state]) return;
        td.classList.add(state === "violated" ? "hot" : "warm");
        td.addEventListener("click", (e) => {
          e.preventDefault();
          pick(column === "township" ? { in_township: row.key, in_sector: "", check, state } : { in_sector: row.key, in_township: "", check, state });
          $("#list").scrollIntoView();
        });
      });
    });
  });
  return el;
}
