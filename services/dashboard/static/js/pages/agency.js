// 机构详情: the agency's accountability (GET /agencies/{id}/accountability?year=) when the API
// answers it; otherwise the agency's record and the hazards its inspections found (/ledger?agency_id=).
import { api, probe } from "../api.js";
import { badge, clear, facts, h, int, link, pct, section, select, statusBadge, table, thisYear } from "../dom.js";
import { records } from "../generic.js";
import { accountabilityView } from "../views/accountability.js";
import { readQuery, startPage, writeQuery } from "../layout.js";
import { years } from "../period.js";

const ident = decodeURIComponent(location.pathname.split("/")[2] || "");
const PAGE_SIZE = 20;

startPage("agencies", async (ctx, main) => {
  const chosen = { year: readQuery(["year"]).year || String(thisYear()) };
  const title = h("h1", { id: "title" }, "机构");
  const form = h("form", { class: "filters card no-print", id: "filters" }, select("year", years(), chosen.year, { label: "年度", all: null }));
  const body = h("div", { id: "body" });
  clear(main, h("p", { class: "no-print" }, link("/agencies", "← 机构")), title, form, body);

  const show = async () => {
    writeQuery(chosen);
    const [record, accountability] = await Promise.all([api(`/agencies/${ident}`), probe(`/agencies/${ident}/accountability`, { year: chosen.year })]);
    title.replaceChildren(record.name, " ", record.blacklisted ? badge("黑名单", "overdue") : "");
    document.title = `${record.name} · 机构`;
    if (accountability.status === 200) {
      main.dataset.source = "accountability";
      clear(body, h("p", { class: "hint" }, `履职情况（${chosen.year} 年）：合同、应排查与已排查、发现隐患、排查报告按时备案、考评、黑名单。`),
        accountabilityView(ctx, accountability.body));
    } else {
      if (accountability.status === 401 || accountability.status === 403) throw new Error(accountability.body?.message || "无权查看");
      main.dataset.source = "record";
      clear(body, await fallback(ctx, record, chosen.year));
    }
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  form.addEventListener("change", () => { chosen.year = form.elements.year.value; show().catch(console.error); });
  await show();
});

async function fallback(ctx, record, year) {
  const range = { discovered_from: `${year}-01-01`, discovered_to: `${year}-12-31` };
  const [rates, hazards] = await Promise.all([
    api("/rates", { by: "agency", period: "year", agency_id: record.id, ...range }),
    api("/ledger", { agency_id: record.id, ...range, page_size: PAGE_SIZE }),
  ]);
  const t = rates.total;
  const experts = Object.entries(record.experts || {});
  const agreements = Object.entries(record.agreements || {});
  return [
    h("p", { class: "hint" }, "机构履职汇总接口暂未提供，先显示机构登记信息及其排查发现的隐患。"),
    h("div", { class: "grid2" },
      section("登记信息", facts([
        ["统一社会信用代码", record.credit_code],
        ["入库日期", record.pool_admitted_on],
        ["入库有效期至", record.pool_expires_on],
        ["黑名单", record.blacklisted ? `是（${record.blacklist_reason}）` : "否"],
        ["专家", experts.length ? experts.map(([, e]) => `${e.name}（${e.certificate_no}）`).join("、") : ""],
        ["政府购买服务协议", agreements.length ? h("ul", {}, agreements.map(([, a]) =>
          h("li", {}, `${(a.townships || []).map((c) => ctx.townshipName(c)).join("、")} · ${(a.sectors || []).map((c) => ctx.sectorName(c)).join("、")}`))) : ""],
        ["考评", (record.evaluations || []).length ? records(record.evaluations) : ""],
      ])),
      section(`${year} 年发现的隐患`, h("div", { class: "tiles small", id: "agency-counters" },
        [["found", "发现隐患", int(t.found)], ["rectified", "已整改", int(t.rectified)], ["rate", "整改率", pct(t.rate)],
          ["overdue", "逾期未整改", int(t.overdue)], ["closed", "已销号", int(t.closed)], ["on_time_rate", "按期整改率", pct(t.on_time_rate)]]
          .map(([key, label, v]) => h("div", { class: "tile", dataset: { counter: key } }, h("span", { class: "label" }, label), h("span", { class: "value" }, v)))))),
    section(`排查发现的隐患（共 ${int(hazards.total)} 条）`,
      table([
        { label: "发现日期", value: (r) => r.discovered_on },
        { label: "企业名称", value: (r) => r.enterprise_name },
        { label: "乡镇（街道）", value: (r) => r.township_name },
        { label: "隐患描述", class: "wrap", value: (r) => link(`/hazards/${r.hazard_id}`, r.description) },
        { label: "等级", value: (r) => r.grade_label },
        { label: "状态", value: (r) => statusBadge(r.status, r.status_label) },
        { label: "逾期", value: (r) => (r.overdue ? badge("逾期", "overdue") : "") },
      ], hazards.items, { empty: "该年度没有该机构发现的隐患", testid: "agency-hazards", rowAttrs: (r) => ({ dataset: { hazard: r.hazard_id } }) }),
      hazards.total > hazards.items.length ? h("p", {}, link(`/ledger?agency_id=${record.id}&discovered_from=${range.discovered_from}&discovered_to=${range.discovered_to}`, `在台账中查看全部 ${int(hazards.total)} 条 →`)) : null),
  ];
}
