// 总览: counters, 整改率 heat map township × sector, monthly trend, overdue list, latest events.
import { api, query } from "../api.js";
import { heatmap, trend } from "../charts.js";
import { $, LEVEL, clear, daysBetween, h, int, link, pct, select, input, table, time, thisYear } from "../dom.js";
import { formValues, readQuery, startPage, writeQuery } from "../layout.js";
import { debounce, follow } from "../live.js";
import { PERIODS, describe, range, years } from "../period.js";

const OVERDUE_ROWS = 20;
const NOT_WITHDRAWN = "reported,assigned,rectified,closed";
const ALL_NOT_WITHDRAWN = { status: NOT_WITHDRAWN };

startPage("overview", async (ctx, main) => {
  const chosen = { year: String(thisYear()), period: "", township: "", sector: "", as_of: "",
    ...Object.fromEntries(Object.entries(readQuery(["year", "period", "township", "sector", "as_of"])).filter(([, v]) => v)) };

  const form = h("form", { class: "filters card", id: "filters" },
    select("year", years(), chosen.year, { label: "年度", all: null }),
    select("period", PERIODS, chosen.period, { label: "期间", all: null }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    ctx.sector ? null : select("sector", ctx.sectorOptions(), chosen.sector, { label: "行业" }),
    input("as_of", chosen.as_of, { label: "截至（业务日期）", type: "date" }),
    h("p", { class: "hint" }, "按发现日期统计；逾期按截至日期判定（默认今天）。"));
  const title = h("h1", { id: "title" });
  const tiles = h("div", { class: "tiles", id: "counters" });
  const heat = h("div", { class: "chart", id: "heatmap" });
  const heatTable = h("div", { id: "heat-table" });
  const trendChart = h("div", { class: "chart", id: "trend", style: "height: 280px" });
  const overdue = h("div", { id: "overdue" });
  const feed = h("ol", { class: "feed", id: "feed" }, h("li", { class: "muted" }, "等待新事件…"));
  clear(main,
    title, form, tiles,
    h("section", { class: "card" }, h("h2", {}, "整改率：乡镇（街道）× 行业"),
      h("p", { class: "hint" }, "格中数字为整改率（%），空白为无隐患；点击格子查看台账。"), heat,
      h("details", {}, h("summary", {}, "数据表"), heatTable)),
    h("div", { class: "columns" },
      h("section", { class: "card wide" }, h("h2", {}, "逐月：发现与整改"), trendChart),
      h("section", { class: "card" }, h("h2", {}, "最新动态"), feed)),
    h("section", { class: "card" }, h("h2", {}, "逾期未整改隐患（最早发现的在前）"), overdue));

  let after = null;
  const reload = async () => {
    Object.assign(chosen, formValues(form));
    writeQuery(chosen);
    await load(ctx, chosen, { title, tiles, heat, heatTable, trendChart, overdue }, after);
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  form.addEventListener("change", () => reload().catch(report));
  await reload();

  const refresh = debounce(() => reload().catch(report), 800);
  const live = follow({
    onEvent: (message) => {
      addToFeed(ctx, feed, message);
      if (message.aggregate_type === "Hazard") {
        after = message.position; // the read models answer once they have applied it
        refresh();
      }
    },
    onReset: () => { after = live.position(); refresh(); },
  });
});

function report(e) {
  console.error(e);
  const box = h("p", { class: "error banner", role: "alert" }, e.message || String(e));
  $("main").prepend(box);
  setTimeout(() => box.remove(), 10_000);
}

function filtersOf(chosen) {
  const [from, to] = range(chosen.year, chosen.period);
  return { township: chosen.township, sector: chosen.sector, as_of: chosen.as_of, discovered_from: from, discovered_to: to };
}

async function load(ctx, chosen, parts, after) {
  const f = filtersOf(chosen);
  const wait = after ? { after } : {};
  const [byMonth, major, supervised, cells, carried] = await Promise.all([
    api("/rates", { ...f, ...wait, by: "county", period: "month" }),
    api("/rates", { ...f, ...wait, by: "county", period: "year", level: "major" }),
    api("/rates", { ...f, ...wait, by: "county", period: "year", level: "supervised" }),
    heatCells(ctx, f, wait),
    carriedOver(f, wait),
  ]);
  const total = byMonth.total;
  const rows = await oldestOverdue(f, total.overdue);

  const where = [chosen.township && ctx.townshipName(chosen.township), chosen.sector && ctx.sectorName(chosen.sector)].filter(Boolean).join(" · ");
  parts.title.textContent = `总览 · ${describe(chosen.year, chosen.period)}${where ? " · " + where : ""}`;
  document.title = `${parts.title.textContent} · 隐患排查治理台账`;

  const ledger = (extra) => `/ledger${query({ ...f, ...extra })}`;
  clear(parts.tiles,
    tile("found", "发现隐患", total.found, ledger(ALL_NOT_WITHDRAWN), "不含已撤销的误报"),
    tile("rectified", "已整改", total.rectified, ledger({ status: "rectified,closed" }), `整改率 ${pct(total.rate)}`),
    tile("closed", "已销号", total.closed, ledger({ status: "closed" }), `按期整改率 ${pct(total.on_time_rate)}`),
    tile("overdue", "逾期未整改", total.overdue, ledger({ overdue: "true" }), `截至 ${byMonth.as_of}`, total.overdue ? "alert" : ""),
    tile("major", "重大隐患", major.total.found, ledger({ ...ALL_NOT_WITHDRAWN, level: "major" }), "未挂牌督办的重大隐患"),
    tile("supervised", "挂牌督办", supervised.total.found, ledger({ ...ALL_NOT_WITHDRAWN, level: "supervised" }), "挂牌督办隐患"),
    tile("carried", chosen.period ? "期初结转未整改" : "上年结转未整改", carried.open, `/ledger${query(carried.filters)}`,
      `${carried.before} 前发现，其中逾期 ${int(carried.overdue)}`, carried.overdue ? "alert" : ""));

  const townships = chosen.township ? ctx.townshipOptions().filter(([c]) => c === chosen.township) : ctx.townshipOptions();
  const sectors = chosen.sector ? ctx.sectorOptions().filter(([c]) => c === chosen.sector) : ctx.sectorOptions();
  heatmap(parts.heat, townships, sectors, cells, {
    onClick: (cell) => { location.href = ledger({ ...ALL_NOT_WITHDRAWN, township: cell.township, sector: cell.sector }); },
  });
  clear(parts.heatTable, heatTable(townships, sectors, cells));
  trend(parts.trendChart, everyMonth(f, byMonth.groups));

  clear(parts.overdue,
    table([
      { label: "发现日期", value: (r) => r.discovered_on },
      { label: "隐患", class: "wrap", value: (r) => link(`/hazards/${r.hazard_id}`, r.description) },
      { label: "企业", value: (r) => r.enterprise_name },
      { label: "乡镇（街道）", value: (r) => r.township_name },
      { label: "行业", value: (r) => r.sector_name },
      { label: "等级", value: (r) => r.grade_label || LEVEL[r.grade] },
      { label: "责任人", value: (r) => r.responsible_person },
      { label: "整改期限", value: (r) => r.deadline },
      { label: "逾期天数", value: (r) => `${daysBetween(r.deadline, byMonth.as_of)} 天`, class: "num alert" },
    ], rows, { empty: "没有逾期未整改的隐患", testid: "overdue-table", rowAttrs: (r) => ({ dataset: { hazard: r.hazard_id } }) }),
    total.overdue > rows.length ? h("p", {}, link(ledger({ overdue: "true" }), `全部 ${int(total.overdue)} 条逾期隐患 →`)) : null);
}

// 上年结转 (carried over): hazards found before the period that are still not rectified on the
// judging day, and how many of them are overdue — so a new year never opens on an empty page.
const OPEN = "reported,assigned";
async function carriedOver(f, wait) {
  const start = new Date(`${f.discovered_from}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - 1);
  const before = start.toISOString().slice(0, 10);
  const filters = { township: f.township, sector: f.sector, as_of: f.as_of, discovered_to: before, status: OPEN };
  const [open, overdue] = await Promise.all([
    api("/ledger", { ...filters, ...wait, page_size: 1 }),
    api("/ledger", { ...filters, ...wait, overdue: "true", page_size: 1 }),
  ]);
  return { open: open.total, overdue: overdue.total, before: f.discovered_from, filters };
}

// A month without hazards is a month with zero: the trend shows every month of the period.
function everyMonth(f, groups) {
  const found = new Map(groups.map((g) => [g.period, g]));
  const months = [];
  for (let d = new Date(`${f.discovered_from}T00:00:00Z`); d <= new Date(`${f.discovered_to}T00:00:00Z`); d.setUTCMonth(d.getUTCMonth() + 1)) {
    const period = d.toISOString().slice(0, 7);
    months.push(found.get(period) || { period, found: 0, rectified: 0, overdue: 0 });
  }
  return months;
}

function tile(key, label, value, href, note, kind = "") {
  return h("a", { class: `tile ${kind}`.trim(), href, dataset: { counter: key, value: String(value) } },
    h("span", { class: "label" }, label),
    h("span", { class: "value" }, int(value)),
    h("span", { class: "note" }, note));
}

// Cells of the heat map with as few calls as the scope allows: one township or one sector →
// one call; otherwise one call per sector (rates by township, filtered to the sector).
async function heatCells(ctx, f, wait) {
  const fixedTownship = f.township || ctx.township;
  const fixedSector = f.sector || ctx.sector;
  const ask = (params) => api("/rates", { ...f, ...wait, ...params, period: "year" });
  const cell = (g, township, sector) => ({ township, sector, found: g.found, rectified: g.rectified, overdue: g.overdue, rate: g.rate });
  if (fixedTownship) {
    const answer = await ask({ by: "sector" });
    return answer.groups.map((g) => cell(g, fixedTownship, g.key));
  }
  if (fixedSector) {
    const answer = await ask({ by: "township", sector: fixedSector });
    return answer.groups.map((g) => cell(g, g.key, fixedSector));
  }
  const answers = await Promise.all(ctx.sectorOptions().map(([code]) => ask({ by: "township", sector: code })));
  return answers.flatMap((answer, i) => answer.groups.map((g) => cell(g, g.key, ctx.sectorOptions()[i][0])));
}

function heatTable(townships, sectors, cells) {
  const at = new Map(cells.map((c) => [`${c.township}/${c.sector}`, c]));
  return table([
    { label: "乡镇（街道）", value: ([, name]) => name },
    ...sectors.map(([code, name]) => ({
      label: name, class: "num",
      value: ([township]) => {
        const c = at.get(`${township}/${code}`);
        return c && c.found ? h("span", { title: `发现 ${c.found}，已整改 ${c.rectified}`, dataset: { cell: `${township}/${code}`, rate: c.rate } }, pct(c.rate)) : "";
      },
    })),
  ], townships, { testid: "heat-table" });
}

// The overdue hazards found earliest: the ledger is ordered newest first, so read its last page(s).
async function oldestOverdue(f, count) {
  if (!count) return [];
  const pages = Math.ceil(count / OVERDUE_ROWS);
  const wanted = count % OVERDUE_ROWS && pages > 1 ? [pages - 1, pages] : [pages];
  const answers = await Promise.all(wanted.map((page) => api("/ledger", { ...f, overdue: "true", page, page_size: OVERDUE_ROWS })));
  return answers.flatMap((a) => a.items).reverse().slice(0, OVERDUE_ROWS);
}

function addToFeed(ctx, feed, m) {
  if (feed.firstElementChild && feed.firstElementChild.classList.contains("muted")) feed.replaceChildren();
  const where = [ctx.townshipName(m.township), ctx.sectorName(m.sector)].filter(Boolean).join(" · ");
  const what = m.aggregate_type === "Hazard" ? link(`/hazards/${m.aggregate_id}`, m.label) : m.label;
  feed.prepend(h("li", { dataset: { position: m.position } },
    h("time", {}, time(m.time).slice(11)), " ", h("b", {}, what),
    m.data && m.data.description ? ` ${m.data.description}` : "",
    h("span", { class: "muted" }, ` ${where}${m.actor ? " · " + m.actor.name : ""}`)));
  while (feed.children.length > 12) feed.lastElementChild.remove();
}

