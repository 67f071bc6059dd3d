// 追溯: the investigator's trace of an enterprise up to a date (GET /trace/enterprises/{id}?until=)
// when the API answers it; otherwise the enterprise's record and its ledger rows as of that date.
// Printable: the print style sheet drops navigation and filters and adds a heading.
import { api, claims, probe } from "../api.js";
import { $, ROLE, badge, clear, facts, h, int, input, link, section, statusBadge, table, time, today } from "../dom.js";
import { traceView } from "../views/trace.js";
import { readQuery, startPage, writeQuery } from "../layout.js";

const SHOWN = 100; // enterprises listed per search
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

startPage("trace", async (ctx, main) => {
  const chosen = { enterprise: "", until: today(), ...Object.fromEntries(Object.entries(readQuery(["enterprise", "until"])).filter(([, v]) => v)) };
  const search = input("q", "", { label: "企业名称、信用代码（部分即可）或企业编号", placeholder: "例如：化工" });
  const form = h("form", { class: "filters card no-print", id: "filters" },
    search, input("until", chosen.until, { label: "截至日期", type: "date" }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "查找"),
      h("button", { type: "button", id: "print", on: { click: () => window.print() } }, "打印")),
    h("p", { class: "hint" }, "按企业名称或统一社会信用代码在企业名录中查找（含没有隐患记录的企业），或直接粘贴企业编号。"));
  const matches = h("div", { id: "matches", class: "no-print" });
  const report = h("div", { id: "report" });
  clear(main, h("h1", { class: "no-print" }, "事故调查追溯"), form, matches, report);

  const show = async () => {
    if (!chosen.enterprise) return;
    writeQuery(chosen);
    clear(matches);
    await trace(ctx, main, report, chosen.enterprise, chosen.until);
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    chosen.until = form.elements.until.value || today();
    const q = form.elements.q.value.trim();
    if (UUID.test(q)) {
      chosen.enterprise = q;
      await show();
      return;
    }
    if (!q && chosen.enterprise) { await show(); return; }
    const answer = await api("/enterprises", { q, limit: SHOWN }); // 企业名录: the holder's scope only
    clear(matches, section(answer.total > answer.items.length ? `找到 ${answer.total} 家企业，列出前 ${answer.items.length} 家` : `找到 ${answer.total} 家企业`, table([
      { label: "企业名称", value: (r) => h("a", { href: "#", on: { click: (e) => { e.preventDefault(); chosen.enterprise = r.enterprise_id; show(); } } }, r.name) },
      { label: "统一社会信用代码", value: (r) => r.credit_code },
      { label: "乡镇（街道）", value: (r) => r.township_name },
      { label: "行业", value: (r) => r.sector_name },
    ], answer.items, { empty: "企业名录中没有名称或信用代码包含该词的企业", testid: "trace-matches" })));
  });
  await show();
});

async function trace(ctx, main, report, enterprise, until) {
  const holder = claims() || {};
  const [record, answer] = await Promise.all([
    api(`/enterprises/${enterprise}`),
    probe(`/trace/enterprises/${enterprise}`, { until }),
  ]);
  const heading = h("div", { class: "print-heading" },
    h("h1", { id: "title" }, `追溯：${record.name}`),
    h("p", { class: "hint" }, `截至 ${until} · 统一社会信用代码 ${record.credit_code} · ${ctx.townshipName(record.township)} · ${ctx.sectorName(record.sector)}`),
    h("p", { class: "hint print-only" }, `生成于 ${time(new Date().toISOString())}（北京时间） · 查询人 ${holder.name || ""}（${ROLE[holder.role] || holder.role || ""}）`));
  document.title = `追溯 · ${record.name} · 截至 ${until}`;
  if (answer.status === 200) {
    main.dataset.source = "trace";
    clear(report, heading, traceView(answer.body));
    return;
  }
  if (answer.status === 401 || answer.status === 403) throw new Error(answer.body?.message || "无权查看");
  main.dataset.source = "ledger";
  const rows = await api("/ledger", { enterprise_id: enterprise, as_of: until, page_size: 1000 });
  clear(report, heading,
    h("p", { class: "hint" }, "追溯接口暂未提供：以下为该企业截至该日（业务日期）的隐患台账记录，每条隐患的完整事件见其详情页。"),
    section("企业登记信息", facts([
      ["企业名称", record.name], ["统一社会信用代码", record.credit_code], ["乡镇（街道）", ctx.townshipName(record.township)],
      ["行业", ctx.sectorName(record.sector)], ["规模", { above_size: "规上", small_micro: "小微", individual: "个体" }[record.scale] || record.scale],
      ["登记时间", time(record.created_at)],
    ])),
    section(`隐患记录（截至 ${until}，共 ${int(rows.total)} 条）`, table([
      { label: "发现日期", value: (r) => r.discovered_on },
      { label: "隐患编号 · 描述", class: "wrap", value: (r) => [r.hazard_no ? h("div", { class: "muted" }, r.hazard_no) : "", link(`/hazards/${r.hazard_id}`, r.description)] },
      { label: "等级", value: (r) => r.grade_label },
      { label: "来源", value: (r) => r.source_label },
      { label: "排查机构", value: (r) => r.agency_name || "" },
      { label: "状态", value: (r) => [statusBadge(r.status, r.status_label), r.overdue ? [" ", badge("逾期", "overdue")] : ""] },
      { label: "责任人", value: (r) => r.responsible_person || "" },
      { label: "整改期限", value: (r) => r.deadline || "" },
      { label: "执法", class: "num", value: (r) => (r.enforcement_count ? `${r.enforcement_count} 次` : "") },
      { label: "整改完成", value: (r) => r.rectified_on || "" },
      { label: "复查通过", value: (r) => r.review_passed_on || r.joint_review_on || "" },
      { label: "销号", value: (r) => r.closed_on || "" },
    ], [...rows.items].reverse(), { empty: "截至该日没有隐患记录", testid: "trace-table", rowAttrs: (r) => ({ dataset: { hazard: r.hazard_id } }) })));
  $("#f-q").value = "";
}
