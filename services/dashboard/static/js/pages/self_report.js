// 自查自报详情: one enterprise's self-report for one month — filed on, due on, 按时/逾期, 代报,
// 零隐患 or the hazards listed (each linked to its page), and its amendments as a timeline
// (企业自查自报 / 修改自查自报, the history's labels). Ids only in links, never as text.
import { probe, api } from "../api.js";
import { ROLE, clear, facts, h, int, link, section, statusBadge, time } from "../dom.js";
import { startPage } from "../layout.js";
import { debounce, follow } from "../live.js";
import { foundText, lateBadge, proxyText } from "../self_report_labels.js";

const ident = decodeURIComponent(location.pathname.split("/")[2] || "");

startPage("self-reports", async (ctx, main) => {
  const show = async () => {
    const [report, history] = await Promise.all([api(`/self-reports/${ident}`), api(`/self-reports/${ident}/history`)]);
    const [enterprise, ...hazards] = await Promise.all([
      body(probe(`/enterprises/${report.enterprise_id}`)),
      ...report.hazard_ids.map((id) => body(probe(`/hazards/${id}`))),
    ]);
    render(ctx, main, report, history, enterprise, hazards);
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  await show();
  const refresh = debounce(() => show().catch(console.error), 500);
  follow({ onEvent: (m) => { if (m.aggregate_id === ident) refresh(); } });
});

async function body(answer) {
  const r = await answer;
  return r.status === 200 ? r.body : null;
}

function render(ctx, main, report, history, enterprise, hazards) {
  const name = enterprise ? enterprise.name : "企业";
  document.title = `${name} ${report.month} · 自查自报`;
  clear(main,
    h("p", { class: "no-print" }, link(`/self-reports?month=${encodeURIComponent(report.month)}`, `← ${report.month} 自查自报一览`)),
    h("h1", { id: "title" }, `自查自报：${name} ${report.month}`, " ", lateBadge(report.late)),
    section("报送情况", facts([
      ["企业", enterprise ? link(`/ledger?enterprise_id=${encodeURIComponent(report.enterprise_id)}`, enterprise.name) : ""],
      ["乡镇（街道）", ctx.townshipName(report.township)],
      ["行业", ctx.sectorName(report.sector)],
      ["月份", h("span", { id: "month" }, report.month)],
      ["报送日期", h("span", { id: "filed-on" }, report.filed_on)],
      ["宽限日", h("span", { id: "due-on" }, report.due_on)],
      ["按时/逾期", h("span", { id: "late" }, lateBadge(report.late))],
      ["报送方式", h("span", { id: "proxy" }, proxyText(report.proxy))],
      ["自查结果", h("span", { id: "found" }, foundText(report.none_found, report.hazard_ids.length))],
      ["修改次数", int((report.amendments || []).length)],
    ])),
    section("当月自查发现的隐患", listed(report, hazards)),
    section(`报送记录（${history.length} 次）`,
      h("p", { class: "hint" }, "首次报送的日期和按时/逾期不因修改而改变；每次修改另记其报送日期。记录只增不改。"),
      h("ol", { class: "timeline", id: "timeline" }, history.map((e) => h("li", { dataset: { version: e.version, type: e.type } },
        h("div", { class: "what" }, e.label, " ", h("span", { class: "muted" }, e.data.filed_on || ""), " ", lateBadge(e.data.late)),
        h("div", { class: "detail" }, `${proxyText(e.data.proxy)} · ${foundText(e.data.none_found, (e.data.hazard_ids || []).length)}`),
        h("div", { class: "when" }, `${who(e.actor)} · 记录于 `, h("time", { datetime: e.recorded_at }, time(e.recorded_at)))))),
    ));
}

function listed(report, hazards) {
  if (report.none_found) return h("p", { id: "none-found", class: "notice" }, "本月未发现隐患（零隐患）。");
  return h("ol", { id: "hazards", class: "failed-items" }, report.hazard_ids.map((id, n) => {
    const hz = hazards[n];
    return h("li", { dataset: { hazard: id } },
      link(`/hazards/${encodeURIComponent(id)}`, hz ? hz.description : "隐患（无权查看详情）"), " ",
      hz ? statusBadge(hz.status) : null,
      hz ? h("span", { class: "muted" }, ` 发现于 ${hz.discovered_on}`) : null);
  }));
}

// Who filed: the name and role, never an id.
function who(actor) {
  if (!actor) return "";
  const role = ROLE[actor.role] || "";
  return actor.name ? `${actor.name}（${role}）` : role;
}
