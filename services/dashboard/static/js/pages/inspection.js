// 排查记录: one inspection — who, when, its report — and its checklists (检查表): items checked,
// 合格 / 不合格 / 不适用, the failed items and the hazards they became (linked to their pages).
// Codes and ids are never shown as text: ids only in links, codes through their Chinese labels.
import { api, probe } from "../api.js";
import { badge, clear, facts, h, int, link, section, statusBadge, table } from "../dom.js";
import { gallery } from "../evidence.js";
import { reportForm } from "../hazard_forms.js";
import { startPage } from "../layout.js";
import { debounce, follow } from "../live.js";

const ident = decodeURIComponent(location.pathname.split("/")[2] || "");

export const STATUS = { scheduled: "已计划", performed: "已实施", report_filed: "报告已备案", cancelled: "已取消" };
export const KIND = {
  comprehensive: "全面排查", monthly: "按月排查", special: "专项排查", self: "企业自查", mutual: "组内互查", inter_group: "组间互查", association: "行业协会互查", reinspection: "复查",
};
export const RESULT = { passed: "合格", failed: "不合格", not_applicable: "不适用" };

// issue 15: a group's or association's 互查 — its basis is the group or association, whose
// member experts (their names on its record, where the reader may read it) performed it
const GROUP_PATH = { mutual: "/groups", inter_group: "/groups", association: "/associations" };
const GROUP_WORD = { mutual: "企业互助组", inter_group: "企业互助组", association: "行业协会" };

startPage("ledger", async (ctx, main) => {
  let report; // 上报隐患 (issue 17 §2): built once, kept across redraws (what is typed stays)
  const show = async () => {
    const inspection = await api(`/inspections/${ident}`);
    const hazardIds = inspection.checklist_summary.hazard_ids || [];
    const [enterprise, agency, criteria, hazards] = await Promise.all([
      body(probe(`/enterprises/${inspection.enterprise_id}`)),
      inspection.agency_id ? body(probe(`/agencies/${inspection.agency_id}`))
        : GROUP_PATH[inspection.kind] ? body(probe(`${GROUP_PATH[inspection.kind]}/${inspection.basis_id}`)) : null,
      Object.keys(inspection.checklists || {}).length ? body(probe("/criteria")) : null,
      Promise.all(hazardIds.map((id) => body(probe(`/hazards/${id}`)))),
    ]);
    const articles = new Map((criteria || []).map((c) => [c.id, c.article_zh]));
    const hazardById = new Map(hazardIds.map((id, n) => [id, hazards[n]]));
    if (report === undefined && ["performed", "report_filed"].includes(inspection.status)) report = await reportForm({ enterpriseId: inspection.enterprise_id, sector: inspection.sector, inspectionId: inspection.id });
    render(ctx, main, inspection, enterprise, agency, articles, hazardById, report);
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

function render(ctx, main, insp, enterprise, agency, articles, hazards, report) {
  const name = enterprise ? enterprise.name : "企业";
  document.title = `${name} ${KIND[insp.kind] || "排查"} · 排查记录`;
  const experts = (insp.expert_ids || []).map((id) => agency && agency.experts && agency.experts[id] && agency.experts[id].name).filter(Boolean);
  clear(main,
    h("p", { class: "no-print" }, link(`/ledger?inspection_id=${encodeURIComponent(insp.id)}`, "← 本次排查发现的隐患")),
    h("h1", { id: "title" }, `排查记录：${name}`, " ", statusBadge(insp.status, STATUS[insp.status] || "")),
    section("基本情况", facts([
      ["企业", enterprise ? link(`/ledger?enterprise_id=${encodeURIComponent(insp.enterprise_id)}`, enterprise.name) : ""],
      ["乡镇（街道）", ctx.townshipName(insp.township)],
      ["行业", ctx.sectorName(insp.sector)],
      ["排查类型", KIND[insp.kind] || ""],
      ["排查机构", insp.agency_id ? link(`/agencies/${encodeURIComponent(insp.agency_id)}`, agency ? agency.name : "中介机构")
        : GROUP_PATH[insp.kind] ? `${GROUP_WORD[insp.kind]}${agency ? "：" + agency.name : ""}` : "企业自查"],
      ["计划日期", insp.scheduled_for],
      ["实施日期", insp.performed_on],
      ["排查专家", experts.length ? experts.join("、") : (insp.expert_ids || []).length ? `${insp.expert_ids.length} 名` : ""],
      ["排查报告", insp.report_document_no ? `${insp.report_document_no} · ${insp.report_filed_on} 备案` : ""],
    ])),
    report || null,
    summarySection(insp, hazards),
    Object.entries(insp.checklists || {}).map(([tid, checklist]) => checklistSection(tid, checklist, articles, hazards)));
}

function tile(key, label, value, alert = false) {
  return h("div", { class: `tile${alert ? " alert" : ""}`, dataset: { summary: key } },
    h("span", { class: "label" }, label), h("span", { class: "value" }, int(value)));
}

function hazardLink(id, hazard) {
  if (!id) return badge("未关联隐患", "overdue");
  const text = hazard ? hazard.description : "查看隐患";
  return h("a", { href: `/hazards/${encodeURIComponent(id)}`, dataset: { hazard: id } }, text,
    hazard ? [" ", statusBadge(hazard.status)] : "");
}

function summarySection(insp, hazards) {
  const s = insp.checklist_summary;
  if (!s.templates) return section("检查表", h("p", { class: "muted", id: "no-checklist" }, "本次排查尚未记录检查表结果。"));
  const failed = Object.values(insp.checklists).flatMap((c) => c.items.filter((i) => i.result === "failed"));
  const unlinked = s.failed_without_hazard.length;
  return section("检查表小结",
    h("div", { class: "tiles", id: "checklist-summary" },
      tile("items", "检查项", s.items), tile("passed", "合格", s.passed), tile("failed", "不合格", s.failed, s.failed > 0),
      tile("not_applicable", "不适用", s.not_applicable), tile("hazards", "形成隐患", s.hazard_ids.length),
      tile("failed_without_hazard", "未关联隐患的不合格项", unlinked, unlinked > 0)),
    unlinked ? h("p", { class: "notice" }, `有 ${unlinked} 个不合格项尚未关联隐患：排查报告在全部关联前不能备案。`) : null,
    failed.length ? h("div", {},
      h("h3", {}, "不合格项及其隐患"),
      h("ol", { id: "failed-items", class: "failed-items" }, failed.map((i) => h("li", { dataset: { item: i.item_id } },
        h("div", {}, i.text), h("div", {}, "→ ", hazardLink(i.hazard_id, hazards.get(i.hazard_id))))))) : null);
}

function checklistSection(tid, checklist, articles, hazards) {
  const columns = [
    { label: "序号", class: "num", value: (i) => String(checklist.items.indexOf(i) + 1) },
    { label: "检查内容", class: "wrap", value: (i) => i.text },
    { label: "判定依据", class: "wrap", value: (i) => i.criterion ? [articles.get(i.criterion) || "", i.major ? [" ", badge("重大隐患情形", "overdue")] : ""] : "" },
    { label: "结果", value: (i) => badge(RESULT[i.result] || "", `result-${i.result}`) },
    { label: "说明", class: "wrap", value: (i) => i.note || "" },
    { label: "证据", value: (i) => gallery(i.evidence) || "" },
    { label: "隐患", class: "wrap", value: (i) => (i.result === "failed" ? hazardLink(i.hazard_id, hazards.get(i.hazard_id)) : "") },
  ];
  return section(checklist.title,
    table(columns, checklist.items, { testid: "checklist-items", rowAttrs: (i) => ({ dataset: { item: i.item_id, result: i.result, template: tid } }) }));
}
