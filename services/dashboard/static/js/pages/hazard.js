// 隐患详情: current state, the 三不放过 checks, the plan, evidence, and the timeline of events.
import { api, probe } from "../api.js";
import {
  CATEGORY, CHECKS, ENFORCEMENT, LEVEL, LISTING_STATE, PARTY, PLAN_PARTS, SOURCE, SUPERVISION, actorText, badge, checkBadge, clear,
  facts, h, link, money, section, statusBadge, time,
} from "../dom.js";
import { fileHash, gallery, textEntries } from "../evidence.js";
import { stepForms } from "../hazard_forms.js";
import { startPage } from "../layout.js";
import { debounce, follow } from "../live.js";

const ident = decodeURIComponent(location.pathname.split("/")[2] || "");

startPage("ledger", async (ctx, main) => {
  // the step forms (issue 17 §2) are rebuilt only when the hazard changes (a redraw on another
  // event keeps what is being typed)
  const steps = { version: null, el: null };
  const show = async () => {
    const [state, history] = await Promise.all([api(`/hazards/${ident}`), api(`/hazards/${ident}/history`)]);
    if (steps.version !== state.version) {
      steps.el = await stepForms(state, ctx.role, () => show().catch(console.error));
      steps.version = state.version;
    }
    // the checks come from the 三不放过 read model: this enterprise's hazards, then this one
    const [compliance, enterprise, agency, number] = await Promise.all([
      api("/compliance", { enterprise_id: state.enterprise_id, page_size: 1000 }).then((a) => {
        const item = a.items.find((i) => i.hazard_id === state.id);
        return item ? { ...item, as_of: a.as_of } : null;
      }),
      probe(`/enterprises/${state.enterprise_id}`).then((r) => (r.status === 200 ? r.body : null)),
      state.agency_id ? probe(`/agencies/${state.agency_id}`).then((r) => (r.status === 200 ? r.body : null)) : null,
      // 隐患编号 (宁海-2026-000123) lives in the ledger read model (issue 17 §4)
      api("/ledger", { hazard_id: state.id, page_size: 1 }).then((a) => (a.items[0] || {}).hazard_no || null, () => null),
    ]);
    render(ctx, main, state, history, compliance, enterprise, agency, number, steps.el);
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  await show();
  const refresh = debounce(() => show().catch(console.error), 500);
  follow({ onEvent: (m) => { if (m.aggregate_id === ident) refresh(); } });
});

function grade(state) {
  if (state.supervision) return `挂牌督办隐患（${SUPERVISION[state.supervision.level] || state.supervision.level}）`;
  return LEVEL[state.level] || state.level;
}

function render(ctx, main, s, history, compliance, enterprise, agency, number, steps) {
  const overdue = compliance && compliance.overdue;
  document.title = `${number ? number + " " : ""}${s.description} · 隐患详情`;
  clear(main,
    h("p", { class: "no-print" }, link("/ledger", "← 隐患台账")),
    h("h1", { id: "title" }, number ? h("span", { id: "hazard-no", class: "muted" }, number, " ") : "", s.description, " ", statusBadge(s.status), overdue ? [" ", badge("逾期", "overdue")] : ""),
    steps,
    h("div", { class: "grid2" },
      section("基本情况", facts([
        ["企业", enterprise ? link(`/ledger?enterprise_id=${s.enterprise_id}`, enterprise.name) : s.enterprise_id],
        ["统一社会信用代码", enterprise && enterprise.credit_code],
        ["乡镇（街道）", ctx.townshipName(s.township)],
        ["行业", ctx.sectorName(s.sector)],
        ["隐患等级", grade(s)],
        ["判定依据", s.criterion ? h("span", { id: "criterion-article" }, s.criterion_article || "（所引条款已不在本县的判定标准目录中）") : ""],
        ["隐患来源", SOURCE[s.source] || s.source],
        ["隐患类别", CATEGORY[s.category] || s.category],
        ["位置", s.location],
        ["发现日期", s.discovered_on],
        ["排查记录", s.inspection_id ? h("a", { href: `/inspections/${s.inspection_id}`, id: "inspection-link" }, "查看排查记录与检查表") : ""],
        ["排查机构", s.agency_id ? link(`/agencies/${s.agency_id}`, agency ? agency.name : s.agency_id) : ""],
        ["责任人", s.responsible_person ? `${s.responsible_person}${s.responsible_phone ? "（" + s.responsible_phone + "）" : ""}` : ""],
        ["整改期限", s.deadline ? [s.deadline, s.extensions && s.extensions.length ? `（延期 ${s.extensions.length} 次）` : ""] : ""],
        ["销号日期", s.closed_on],
        ["隐患编号", number || "（待编号）"],
      ])),
      section("三不放过", compliance ? h("div", { class: "checks3 stack", id: "checks" },
        Object.entries(CHECKS).map(([key, title]) => {
          const check = compliance.checks[key];
          return h("div", { class: "check", dataset: { check: key, state: check.state } },
            h("h3", {}, title, checkBadge(check)), h("p", {}, check.why || ""));
        })) : h("p", { class: "muted" }, "三不放过核查暂无（读模型尚未处理该隐患，或已撤销）"),
      compliance ? h("p", { class: "hint" }, `核查日期 ${compliance.as_of || ""}`) : null)),
    h("div", { class: "grid2" },
      section("治理方案", s.plan ? facts([
        ...Object.entries(PLAN_PARTS).map(([key, label]) => [label, s.plan[key]]),
        ["备案日期", s.plan.filed_on],
      ]) : h("p", { class: "muted" }, s.level === "major" ? "重大隐患尚未备案治理方案" : "一般隐患无需治理方案")),
      section("整改、复查与证据", facts([
        ["挂牌督办", s.supervision ? `${SUPERVISION[s.supervision.level] || s.supervision.level} · ${s.supervision.document_no} · ${s.supervision.listed_on}` : ""],
        ["督办文书", listingText(s.listing)],
        ["执法措施", (s.enforcement || []).length ? h("ul", {}, s.enforcement.map((e) =>
          h("li", {}, `${e.taken_on} ${ENFORCEMENT[e.kind] || e.kind} ${e.document_no}（${e.by ? e.by.name : ""}）`))) : ""],
        ["上报时证据", textEntries(s.evidence).length ? h("ul", {}, textEntries(s.evidence).map((e) => h("li", {}, e))) : ""],
        ["整改完成", s.rectification ? s.rectification.rectified_on : ""],
        ["整改证据", s.rectification && textEntries(s.rectification.evidence).length ? h("ul", { id: "evidence" }, textEntries(s.rectification.evidence).map((e) => h("li", {}, e))) : ""],
        ["整改资金", s.rectification ? money(s.rectification.cost) : ""],
        ["复查", s.review ? `${s.review.reviewed_on} 通过 · ${actorText(s.review.by)}${s.review.notes ? " · " + s.review.notes : ""}` : ""],
        ["联合复查", s.joint_review && Object.keys(s.joint_review).length ? h("ul", {}, Object.entries(s.joint_review).map(([party, sig]) =>
          h("li", {}, `${PARTY[party] || party}：${sig.reviewed_on} ${sig.by ? sig.by.name : ""}${sig.notes ? " · " + sig.notes : ""}`))) : ""],
        ["复查不通过", s.failed_reviews ? `${s.failed_reviews} 次` : ""],
        ["书面销号报告", s.closure_report ? `${s.closure_report.document_no} · ${s.closure_report.filed_on}` : ""],
        ["撤销", s.withdrawal ? `${s.withdrawal.reason}（批准：${actorText(s.withdrawal.approver)}）` : ""],
      ]))),
    photos(history),
    section(`时间线（${history.length} 个事件）`,
      h("p", { class: "hint" }, "每个事件：业务日期、操作人及其角色、记录时间（北京时间）。事件只增不改。"),
      h("ol", { class: "timeline", id: "timeline" }, history.map((e) => h("li", { dataset: { version: e.version, type: e.type } },
        h("div", { class: "what" }, e.label, " ", h("span", { class: "muted" }, businessDate(e.data))),
        h("div", { class: "detail" }, detail(e)),
        h("div", { class: "when" }, `${actorText(e.actor)} · 记录于 `, h("time", { datetime: e.recorded_at }, time(e.recorded_at)), ` · 版本 ${e.version}`))))));
}

// captions of a step's files: 现场照片 1, 整改照片 2, 验收照片 1 …
const EVIDENCE_OF = { Reported: "现场", RectificationReported: "整改", Reviewed: "复查", JointReviewSigned: "验收" };

// 证据照片和文件: every step's cited files (`sha256:` entries of its evidence), step by step.
function photos(history) {
  const steps = history.filter((e) => e.data && (e.data.evidence || []).some(fileHash));
  if (!steps.length) return null;
  return section("证据照片和文件",
    h("p", { class: "hint" }, "点击缩略图查看原图；文件按内容的 SHA-256 保存，其哈希记入事件，受审计链保护。"),
    h("div", { id: "evidence-files" }, steps.map((e) => h("div", { class: "evidence-step", dataset: { version: e.version } },
      h("h3", {}, e.label, " ", h("span", { class: "muted" }, businessDate(e.data))),
      gallery(e.data.evidence, undefined, EVIDENCE_OF[e.type.split(".").pop()])))));
}

const DATE_KEYS = ["discovered_on", "assigned_on", "filed_on", "listed_on", "issued_on", "served_on", "signed_on",
  "cancelled_on", "requested_on", "decided_on", "taken_on", "rectified_on", "reviewed_on", "closed_on"];

// 挂牌督办通知书 (issue 14 §1): the paperwork's state and dates in Chinese (docs/supervision.md)

function listingText(l) {
  if (!l) return "";
  const parts = [LISTING_STATE[l.state] || l.state];
  if (l.government) parts.push(`${l.government} · ${l.department} · 签发人 ${l.signatory}`);
  if (l.served_on) parts.push(`${l.served_on} 由 ${l.served_by} 送达`);
  if (l.signed_on) parts.push(`${l.signed_on} ${l.signed_by} 签收${l.channel === "paper" ? "（纸质回执）" : ""}`);
  if (l.finish_by) parts.push(`责令治理完毕期限 ${l.finish_by}，治理方案备案期限 ${l.plan_by}`);
  if (l.cancellation) parts.push(`${l.cancellation.cancelled_on} 撤销（${l.cancellation.document_no}）：${l.cancellation.reason}`);
  return parts.join("；");
}

function businessDate(data) {
  const key = DATE_KEYS.find((k) => data && data[k]);
  return key ? data[key] : "";
}

function evidenceText(entries) {
  const files = (entries || []).filter(fileHash).length;
  const words = textEntries(entries);
  return [...words, files ? `文件 ${files} 个` : ""].filter(Boolean).join("、") || "无";
}

function detail(e) {
  const d = e.data || {};
  const name = e.type.split(".").pop();
  switch (name) {
    case "Reported": return `${LEVEL[d.level] || d.level} · ${SOURCE[d.source] || d.source} · ${d.description}`;
    case "ResponsibilityAssigned": return `责任人 ${d.responsible_person}，整改期限 ${d.deadline}`;
    case "ListedForSupervision": return `${SUPERVISION[d.level] || d.level} · ${d.document_no}`;
    case "EnforcementRecorded": return `${ENFORCEMENT[d.kind] || d.kind} · ${d.document_no}`;
    case "RectificationReported": return `证据 ${evidenceText(d.evidence)} · 资金 ${money(d.cost)}`;
    case "Reviewed": return `${d.passed ? "通过" : "不通过"}${d.notes ? " · " + d.notes : ""}`;
    case "JointReviewSigned": return `${PARTY[d.party] || d.party} ${d.passed ? "签字通过" : "不通过"}${d.notes ? " · " + d.notes : ""}`;
    case "ClosureReportFiled": return d.document_no;
    case "DeadlineExtended": return `整改期限 ${d.previous} → ${d.deadline}，理由：${d.reason}`;
    case "ListingIssued": return `${SUPERVISION[d.level] || d.level} · ${d.government} · ${d.department} · ${d.document_no} · 签发人 ${d.signatory} · 签收后 ${d.finish_days} 日内治理完毕、${d.plan_days} 日内备案治理方案`;
    case "ListingServed": return `送达人 ${d.served_by}`;
    case "ListingSigned": return `签收人 ${d.signed_by}${d.channel === "paper" ? "（纸质回执，县应急管理局登记）" : ""} · 责令治理完毕期限 ${d.finish_by} · 治理方案备案期限 ${d.plan_by}`;
    case "ListingCancelled": return `${d.document_no} · 理由：${d.reason}`;
    case "ExtensionRequested": return `申请延至 ${d.new_deadline}${d.channel === "paper" ? "（纸质申请，审批人登记）" : ""}，理由：${d.reason}${d.interim_controls ? "；临时管控措施：" + d.interim_controls : ""}`;
    case "ExtensionDecided": return `${d.approved ? "同意" : "不同意"}${d.approved ? `，整改期限 ${d.previous} → ${d.deadline}` : ""}${d.opinion ? "；意见：" + d.opinion : ""}`;
    case "Regraded": return `${LEVEL[d.previous] || d.previous} → ${LEVEL[d.level] || d.level}，理由：${d.reason}`;
    case "Withdrawn": return `理由：${d.reason}`;
    default: return "";
  }
}
