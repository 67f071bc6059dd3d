// Acting on the service platform from the browser (issue 15 §5, docs/platform.md): an enterprise
// posts a need (发布服务需求), accepts one offer (接受报价: the contract is signed by both sides at
// once) or withdraws the need, and rates the agency once the contract has ended (绩效评比); an
// agency in the pool offers on an open need (报价). Each form is shown only to a role the server's
// policy lists (write.js may); the write judges the rest (the pool, one offer per agency, dates)
// and its refusal is shown under the form. `done(position)`: the page reads again after the write.
import { SERVICE, h, today } from "./dom.js";
import { may, wholeNumber, writeForm } from "./write.js";

const short = (id) => String(id).slice(0, 8);
const score = (name, label) => ({ name, label, type: "number", required: true, min: 0, step: 1, placeholder: "0–100" });

export async function needForm(enterpriseId, done) {
  if (!enterpriseId || !(await may("need.post"))) return null;
  return h("details", { class: "report-box", id: "need-box" }, h("summary", {}, "发布服务需求"), writeForm({
    id: "need-form", action: "need.post", title: "发布服务需求", submit: "发布", path: "/needs",
    intro: "入库有效期内的中介机构可以看到需求并报价；接受其中一个报价即与该机构签订委托服务合同。",
    fields: [
      { name: "services", label: "所需服务", type: "checks", required: true, options: Object.entries(SERVICE) },
      { name: "description", label: "需求说明", type: "textarea", required: true, placeholder: "如：每月一次隐患排查，出具排查报告" },
    ],
    body: (v) => ({ enterprise_id: enterpriseId, services: v.services, description: v.description }),
    doneText: "需求已发布。",
    done: (answer) => done(answer.position),
  }));
}

export function offerForm(need, done) {
  return h("details", { class: "act-box" }, h("summary", {}, "报价"), writeForm({
    id: `offer-${short(need.need_id)}`, action: "need.offer", title: `向${need.enterprise_name || "该企业"}报价`, submit: "提交报价",
    path: `/needs/${encodeURIComponent(need.need_id)}/offers`,
    fields: [
      { name: "service", label: "服务类型", type: "select", options: need.services.map((s) => [s, SERVICE[s] || s]), value: need.services[0] },
      { name: "start", label: "服务开始", type: "date", required: true, value: today() },
      { name: "end", label: "服务结束", type: "date", required: true },
      { name: "fee", label: "费用（元）", type: "number", required: true, min: 0, step: 1 },
      { name: "terms", label: "服务承诺", type: "textarea", rows: 2, required: true, placeholder: "如：每月排查一次，三日内出具报告" },
    ],
    body: (v) => ({ ...v, fee: wholeNumber(v.fee) }),
    doneText: "报价已提交。",
    done: (answer) => done(answer.position),
  }));
}

export function acceptForm(need, offer, done) {
  return writeForm({
    id: `accept-${short(offer.offer_id)}`, action: "need.accept", title: `接受${offer.agency_name}的报价`, submit: "接受此报价",
    intro: "接受后即与该机构签订委托服务合同，其他报价不再有效。",
    path: `/needs/${encodeURIComponent(need.need_id)}/accept`, fields: [],
    body: () => ({ offer_id: offer.offer_id }),
    doneText: "已接受报价，服务合同已签订。",
    done: (answer) => done(answer.position),
  });
}

export function withdrawForm(need, done) {
  return h("details", { class: "act-box" }, h("summary", {}, "撤回需求"), writeForm({
    id: `withdraw-${short(need.need_id)}`, action: "need.withdraw", title: "撤回服务需求", submit: "撤回",
    path: `/needs/${encodeURIComponent(need.need_id)}/withdraw`,
    fields: [{ name: "reason", label: "撤回原因", required: true, placeholder: "如：已自行委托其他机构" }],
    doneText: "需求已撤回。",
    done: (answer) => done(answer.position),
  }));
}

export function ratingForm(need, offer, done) {
  return h("details", { class: "act-box" }, h("summary", {}, "评价服务机构"), writeForm({
    id: `rating-${short(need.contract_id)}`, action: "rating.rate", title: `评价${offer.agency_name}的服务`, submit: "提交评价",
    path: "/ratings",
    fields: [score("quality", "服务质量"), score("attitude", "服务态度"), score("effect", "服务效果"),
      { name: "comment", label: "评价意见", type: "textarea", rows: 2 }],
    body: (v) => ({ contract_id: need.contract_id, comment: v.comment,
      scores: { quality: wholeNumber(v.quality), attitude: wholeNumber(v.attitude), effect: wholeNumber(v.effect) } }),
    doneText: "评价已提交。",
    done: (answer) => done(answer.position),
  }));
}
