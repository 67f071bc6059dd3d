// Acting on a hazard from the browser (issue 17 §2): the report form (on an inspection's page, and
// on the ledger: an enterprise's own, or an official's for an enterprise found in 企业名录) and
// the steps of a hazard's life as forms on its page — 落实责任人, 治理方案备案, 挂牌督办, 整改完成,
// 复查 / 联合验收签字, 书面销号报告, 销号, and (folded away) 调整等级 and 撤销. Every form posts to the hazard API through write.js; a form
// is shown only to a role the server's policy lists for the step (write.js may), and only while
// the hazard's state calls for it. The write still judges scope and state: its refusal is shown.
import { api } from "./api.js";
import { CATEGORY, ENFORCEMENT, LEVEL, PARTY, PLAN_PARTS, SOURCE, SUPERVISION, h, today } from "./dom.js";
import { may, wholeNumber, writeForm } from "./write.js";

const hazardHref = (id) => `/hazards/${encodeURIComponent(id)}`;
const options = (table) => Object.entries(table);
const dateField = (name, label) => ({ name, label, type: "date", value: today(), hint: "默认今天；补录时填实际日期" });

// The joint review (联合验收) of a major or 挂牌督办 hazard (domain/hazard.py needs_joint_review):
// one signature each of the parties PARTY names (乡镇（街道）, 行业主管部门, 中介机构).
export const needsJointReview = (s) => s.level === "major" || Boolean(s.supervision);

// 上报隐患 with photos taken on the spot: found on an inspection (its page: source 隐患排查), by
// the enterprise's own check (the ledger of an enterprise's token: source 企业自查), or by an
// official (the ledger of a township's, a regulator's or the bureau's token: an enterprise picked
// from 企业名录, source 执法检查 / 群众举报 / 网格化协查 — `official`, the enterprise's name as `title`).
export const OFFICIAL_SOURCES = ["government_check", "public_tip", "grid"];

export async function reportForm({ enterpriseId, sector, inspectionId = null, official = null }) {
  if (!(await may("hazard.report"))) return null;
  const criteria = await api("/criteria", { sector, major: true }).catch(() => []);
  const onInspection = Boolean(inspectionId);
  const source = onInspection ? "inspection" : official ? "government_check" : "self_check";
  return writeForm({
    id: "report-form", action: "hazard.report", submit: "上报隐患", path: "/hazards",
    title: onInspection ? "上报本次排查发现的隐患" : official ? `上报${official}的隐患` : "上报本企业自查发现的隐患",
    intro: "在现场拍照上传，照片作为隐患证据记入事件；重大隐患请选择判定依据。",
    fields: [
      ...(official ? [{ name: "source", label: "隐患来源", type: "select", value: source,
        options: OFFICIAL_SOURCES.map((k) => [k, SOURCE[k]]) }] : []),
      { name: "description", label: "隐患描述", type: "textarea", required: true, placeholder: "如：纱库与车间未设防火分隔" },
      { name: "level", label: "隐患等级", type: "radio", options: [["general", LEVEL.general], ["major", LEVEL.major]], value: "general" },
      { name: "category", label: "隐患类别", type: "select", options: options(CATEGORY), value: "unsafe_condition" },
      { name: "criterion", label: "判定依据（重大隐患）", type: "select",
        options: [["", "（不引用判定标准条款）"], ...criteria.map((c) => [c.id, `${c.article_zh} ${c.condition || ""}`.slice(0, 80)])] },
      { name: "location", label: "位置", placeholder: "如：二号车间东侧" },
      { name: "evidence", label: "现场照片", type: "photos", caption: "现场照片" },
      { name: "evidence_note", label: "证据说明", placeholder: "如：现场照片两张、检查记录一份" },
      dateField("discovered_on", "发现日期"),
    ],
    body: (v) => ({
      enterprise_id: enterpriseId, inspection_id: inspectionId, source: official ? v.source : source,
      description: v.description, level: v.level, category: v.category, criterion: v.criterion,
      location: v.location, evidence: [...v.evidence, ...(v.evidence_note ? [v.evidence_note] : [])],
      discovered_on: v.discovered_on,
    }),
    hrefOf: hazardHref,
    doneText: "隐患已上报，正在打开隐患页面…",
    done: (answer) => { location.assign(hazardHref(answer.id)); },
  });
}

// The steps the hazard's state calls for now, each as [action, form spec]; the page keeps those
// the holder's role may take.
function steps(s, role, criteria = []) {
  const id = encodeURIComponent(s.id);
  const out = [];
  const open = s.status === "reported" || s.status === "assigned";
  const joint = needsJointReview(s);
  if (s.status === "reported") {
    out.push(["hazard.assign", {
      id: "assign-form", title: "落实整改责任人和整改期限", submit: "确认落实", path: `/hazards/${id}/assign`,
      fields: [
        { name: "responsible_person", label: "整改责任人", required: true, placeholder: "姓名" },
        { name: "responsible_phone", label: "联系电话", type: "tel", inputmode: "tel" },
        { name: "deadline", label: "整改期限", type: "date", required: true },
        dateField("assigned_on", "落实日期"),
      ],
      doneText: "已落实整改责任人和期限。",
    }]);
  }
  if (s.status === "assigned" && s.level === "major" && !s.plan) {
    out.push(["hazard.plan", {
      id: "plan-form", title: "治理方案备案（重大隐患）", submit: "备案治理方案", path: `/hazards/${id}/plan`,
      intro: "重大隐患须制定治理方案，包括以下六项内容，备案后方可报告整改完成。",
      fields: [
        ...Object.entries(PLAN_PARTS).map(([name, label]) => ({ name, label, type: "textarea", required: true, rows: 2 })),
        dateField("filed_on", "备案日期"),
      ],
      doneText: "治理方案已备案。",
    }]);
  }
  // 挂牌督办 by notice (issue 14 §1, docs/supervision.md): 下达 → 送达 → 签收; the old one-step
  // `supervise` (recorded as 已挂牌（旧记录）) is left to the API
  const listing = s.listing || {};
  const inForce = ["listed", "issued", "served", "signed"].includes(listing.state);
  if (open && !inForce) {
    out.push(["hazard.listing-issue", {
      id: "listing-form", title: "挂牌督办：下达挂牌督办通知书", submit: "下达通知书", path: `/hazards/${id}/listing`,
      intro: "挂牌督办的隐患须经乡镇（街道）、行业主管部门和中介机构联合验收，并提交书面销号报告后方可销号。期限自企业签收之日起算。",
      fields: [
        { name: "level", label: "督办级别", type: "select", options: options(SUPERVISION), value: "county" },
        { name: "government", label: "挂牌政府", required: true, placeholder: "如：宁海县人民政府" },
        { name: "department", label: "督办部门", required: true, placeholder: "如：宁海县应急管理局" },
        { name: "document_no", label: "通知书文号", required: true, placeholder: "如：宁安督〔2026〕12号" },
        { name: "finish_days", label: "治理完毕期限（签收后天数）", type: "number", required: true, min: 1, inputmode: "numeric" },
        { name: "plan_days", label: "治理方案备案期限（签收后天数）", type: "number", required: true, min: 1, inputmode: "numeric" },
        { name: "signatory", label: "签发人", required: true },
        dateField("issued_on", "下达日期"),
      ],
      body: (v) => ({ ...v, finish_days: wholeNumber(v.finish_days), plan_days: wholeNumber(v.plan_days) }),
      doneText: "挂牌督办通知书已下达，待送达。",
    }]);
  }
  if (open && listing.state === "issued") {
    out.push(["hazard.listing-serve", {
      id: "serve-form", title: `送达挂牌督办通知书（${listing.document_no || ""}）`, submit: "登记送达", path: `/hazards/${id}/listing/serve`,
      fields: [{ name: "served_by", label: "送达人", required: true }, dateField("served_on", "送达日期")],
      doneText: "已登记送达，待企业签收。",
    }]);
  }
  if (open && listing.state === "served") {
    const paper = role !== "enterprise";
    out.push(["hazard.listing-sign", {
      id: "sign-form", title: paper ? "登记挂牌督办通知书的纸质签收回执" : `签收挂牌督办通知书（${listing.document_no || ""}）`,
      submit: paper ? "登记签收" : "签收", path: `/hazards/${id}/listing/sign`,
      intro: `签收后 ${listing.finish_days} 日内治理完毕、${listing.plan_days} 日内备案治理方案。`,
      fields: [{ name: "signed_by", label: "签收人", required: true }, dateField("signed_on", "签收日期")],
      doneText: "通知书已签收。",
    }]);
  }
  if (open && inForce) {
    out.push(["hazard.listing-cancel", {
      id: "cancel-listing-form", more: true, title: "撤销挂牌督办", submit: "撤销挂牌督办", path: `/hazards/${id}/listing/cancel`,
      fields: [
        { name: "reason", label: "撤销理由", type: "textarea", required: true, rows: 2 },
        { name: "document_no", label: "撤销文号", required: true },
        dateField("cancelled_on", "撤销日期"),
      ],
      doneText: "已撤销挂牌督办。",
    }]);
  }
  if (s.status === "assigned" && !s.extension_request) {
    out.push(["hazard.extension-request", {
      id: "extension-form", title: "申请延期", submit: "提交延期申请", path: `/hazards/${id}/extension-requests`,
      intro: `现整改期限 ${s.deadline || ""}。须在期限前提出，并说明期间的临时管控措施；审批前期限不变。`,
      fields: [
        { name: "new_deadline", label: "申请延至", type: "date", required: true },
        { name: "reason", label: "延期理由", type: "textarea", required: true, rows: 2 },
        { name: "interim_controls", label: "临时管控措施", type: "textarea", required: true, rows: 2 },
        dateField("requested_on", "申请日期"),
      ],
      doneText: "延期申请已提交，待审批。",
    }]);
  }
  // the approver the domain names (extension-approver): the bureau for major or 挂牌督办, else the township
  if (s.status === "assigned" && s.extension_request && role === (joint ? "bureau" : "township")) {
    const r = s.extension_request;
    out.push(["hazard.extension-decision", {
      id: "decision-form", title: "延期审批", submit: "提交审批意见", path: `/hazards/${id}/extension-requests/decision`,
      intro: `${r.requested_on} 申请将整改期限由 ${r.deadline} 延至 ${r.new_deadline}。理由：${r.reason}${r.interim_controls ? "；临时管控措施：" + r.interim_controls : ""}`,
      fields: [
        { name: "approved", label: "审批结论", type: "radio", options: [["true", "同意延期"], ["false", "不同意"]], value: "true" },
        { name: "opinion", label: "审批意见", type: "textarea", required: true, rows: 2 },
        dateField("decided_on", "审批日期"),
      ],
      body: (v) => ({ ...v, approved: v.approved === "true" }),
      doneText: "审批意见已提交。",
    }]);
  }
  if (open || s.status === "rectified") {
    out.push(["hazard.enforce", {
      id: "enforce-form", title: "记录执法措施", submit: "记录执法措施", path: `/hazards/${id}/enforce`,
      fields: [
        { name: "kind", label: "执法措施", type: "select", options: options(ENFORCEMENT), value: "order_rectification" },
        { name: "document_no", label: "执法文书文号", required: true },
        dateField("taken_on", "执法日期"),
      ],
      doneText: "执法措施已记录。",
    }]);
  }
  if (s.status === "assigned") {
    out.push(["hazard.rectify", {
      id: "rectify-form", title: "报告整改完成", submit: "报告整改完成", path: `/hazards/${id}/rectify`,
      intro: s.level === "major" && !s.plan ? "重大隐患须先备案治理方案。" : "请上传整改后的现场照片。",
      fields: [
        { name: "evidence", label: "整改后照片", type: "photos", caption: "整改照片" },
        { name: "evidence_note", label: "整改情况说明", type: "textarea", rows: 2 },
        { name: "cost", label: "整改资金（元）", type: "number", required: true, step: "0.01", min: 0, inputmode: "decimal" },
        dateField("rectified_on", "整改完成日期"),
      ],
      body: (v) => ({ evidence: [...v.evidence, ...(v.evidence_note ? [v.evidence_note] : [])],
        cost: v.cost, rectified_on: v.rectified_on }),
      doneText: "已报告整改完成，等待复查。",
    }]);
  }
  if (s.status === "rectified" && !s.review) {
    const signed = s.joint_review || {};
    if (!joint || (role in PARTY && !(role in signed))) {
      out.push(["hazard.review", {
        id: "review-form", submit: joint ? "签字" : "提交复查结论", path: `/hazards/${id}/review`,
        title: joint ? `联合验收签字（${PARTY[role]}）` : "复查",
        intro: joint ? `重大、挂牌督办隐患须经${Object.values(PARTY).join("、")}三方联合验收签字。已签字：${Object.keys(signed).map((p) => PARTY[p] || p).join("、") || "无"}。` : "",
        fields: [
          { name: "passed", label: "验收结论", type: "radio", options: [["true", "通过"], ["false", "不通过（退回整改）"]], value: "true" },
          { name: "notes", label: "意见", type: "textarea", rows: 2 },
          { name: "evidence", label: "验收照片", type: "photos", caption: "验收照片" },
          dateField("reviewed_on", "验收日期"),
        ],
        body: (v) => ({ ...v, passed: v.passed === "true" }),
        doneText: joint ? "已签字。" : "复查结论已提交。",
      }]);
    }
  }
  if (s.status === "rectified" && joint && !s.closure_report && Object.keys(PARTY).every((p) => p in (s.joint_review || {}))) {
    out.push(["hazard.closure-report", {
      id: "closure-report-form", title: "提交书面销号报告", submit: "提交销号报告", path: `/hazards/${id}/closure-report`,
      fields: [
        { name: "document_no", label: "报告文号", required: true, placeholder: "如：销号〔2026〕5号" },
        dateField("filed_on", "报告日期"),
      ],
      doneText: "书面销号报告已提交。",
    }]);
  }
  if (s.status === "rectified") {
    out.push(["hazard.close", {
      id: "close-form", title: "销号", submit: "销号", path: `/hazards/${id}/close`,
      intro: joint ? "须三方联合验收签字通过并提交书面销号报告。" : "须复查通过。",
      fields: [dateField("closed_on", "销号日期")],
      doneText: "已销号。",
    }]);
  }
  if (open || s.status === "rectified") {
    const to = s.level === "major" ? "general" : "major";
    out.push(["hazard.regrade", {
      id: "regrade-form", more: true, title: "调整隐患等级", submit: "调整等级", path: `/hazards/${id}/regrade`,
      intro: `现为${LEVEL[s.level] || ""}。调整理由和调整人记入事件；定为重大隐患的，请选择判定依据。`,
      fields: [
        { name: "level", label: "调整为", type: "radio", options: [["general", LEVEL.general], ["major", LEVEL.major]], value: to },
        { name: "reason", label: "调整理由", type: "textarea", required: true, rows: 2 },
        { name: "criterion", label: "判定依据（重大隐患）", type: "select",
          options: [["", "（不引用判定标准条款）"], ...criteria.map((c) => [c.id, `${c.article_zh} ${c.condition || ""}`.slice(0, 80)])] },
      ],
      body: (v) => ({ level: v.level, reason: v.reason, ...(v.criterion ? { criterion: v.criterion } : {}) }),
      doneText: "隐患等级已调整。",
    }]);
    out.push(["hazard.withdraw", {
      id: "withdraw-form", more: true, title: "撤销误报", submit: "撤销该隐患", path: `/hazards/${id}/withdraw`,
      intro: "只用于误报：撤销后不计入隐患统计，撤销理由和批准人记入事件。",
      fields: [{ name: "reason", label: "撤销理由", type: "textarea", required: true, rows: 2 }],
      doneText: "已撤销。",
    }]);
  }
  return out;
}

// The forms of the steps `s` calls for that the holder's role may take (an element, or null).
// `done()`: called after a step is stored (the page reads the hazard again).
// What the last stored step said (shown once above the next forms, which replace its form).
let lastDone = "";

export async function stepForms(s, role, done) {
  // the major-hazard criteria of the hazard's sector, for the regrade form's 判定依据
  const criteria = (await may("hazard.regrade")) ? await api("/criteria", { sector: s.sector, major: true }).catch(() => []) : [];
  const wanted = steps(s, role, criteria);
  const allowed = await Promise.all(wanted.map(([action]) => may(action)));
  const built = wanted.filter((_, n) => allowed[n]).map(([action, spec]) => [spec.more, writeForm({
    ...spec, action, hrefOf: hazardHref, done: (answer) => { lastDone = spec.doneText; return done(answer); },
  })]);
  const forms = built.filter(([more]) => !more).map(([, form]) => form);
  const rare = built.filter(([more]) => more).map(([, form]) => form); // undoing steps: folded away
  const said = lastDone ? h("p", { class: "notice", id: "step-done", role: "status" }, lastDone) : null;
  lastDone = "";
  if (!built.length && !said) return null;
  return h("section", { class: "steps", id: "steps", "aria-label": "办理" },
    said, built.length ? h("h2", { class: "steps-title" }, "办理") : null, forms,
    rare.length ? h("details", { class: "more-steps", id: "more-steps" }, h("summary", {}, "更多办理（调整等级、撤销）"), h("div", { class: "steps" }, rare)) : null);
}
