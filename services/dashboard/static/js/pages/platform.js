// 平台需求 (issue 15 §5): the service platform's needs — an agency in the pool sees the open needs with
// its own offer, an enterprise its own needs with every offer, the offices their scope's (GET /needs).
// The enterprise posts, accepts, withdraws and rates, the agency offers, from here (platform_forms.js).
import { api } from "../api.js";
import { badge, clear, date, h, int, money, pager, select, table, today } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";
import { acceptForm, needForm, offerForm, ratingForm, withdrawForm } from "../platform_forms.js";
import { may } from "../write.js";

const PAGE_SIZE = 20;
const NEED_STATUS = { open: "征集报价中", accepted: "已接受报价", withdrawn: "已撤回" };
const STATUS_CLASS = { open: "status-assigned", accepted: "status-closed", withdrawn: "" };

startPage("platform", async (ctx, main) => {
  const agency = ctx.holder.role === "agency";
  const chosen = { status: agency ? "open" : "", page: "1", ...Object.fromEntries(Object.entries(readQuery(["status", "page"])).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    agency ? null : select("status", Object.entries(NEED_STATUS), chosen.status, { label: "需求状态" }),
    agency ? null : h("button", { type: "submit", class: "primary" }, "查询"),
    h("p", { class: "hint" }, agency
      ? "企业在服务平台发布的、正在征集报价的服务需求，以及本机构的报价。入库有效期内且未列入黑名单的机构才能查看和报价。"
      : "企业发布服务需求，入库中介机构报价，企业接受其中一个报价即与该机构签订委托服务合同。"));
  const result = h("section", { class: "card", id: "result" });
  let after = 0; // the last write's position: the next read waits for the views to have it
  const written = (position) => { after = position || after; run(); };
  const enterpriseId = ctx.holder.enterprise_id;
  const can = Object.fromEntries(await Promise.all(["need.offer", "need.accept", "need.withdraw", "rating.rate"]
    .map(async (action) => [action, await may(action)])));
  clear(main, h("h1", {}, "服务平台需求"), await needForm(enterpriseId, written), form, result);
  let rated = new Set(); // the contracts this enterprise has rated

  const mine = (n) => enterpriseId && n.enterprise_id === enterpriseId;
  const actions = (n) => {
    const accepted = n.offers.find((o) => o.accepted);
    return [
      agency && can["need.offer"] && n.status === "open" && !n.offers.length ? offerForm(n, written) : null,
      mine(n) && can["need.withdraw"] && n.status === "open" ? withdrawForm(n, written) : null,
      mine(n) && can["rating.rate"] && accepted && n.contract_id && !rated.has(n.contract_id) && accepted.end <= today()
        ? ratingForm(n, accepted, written) : null,
      mine(n) && accepted && rated.has(n.contract_id) ? h("span", { class: "muted" }, "已评价") : null,
    ];
  };

  const offers = (n) => (n.offers.length
    ? n.offers.map((o) => h("div", { class: o.accepted ? "accepted" : null, dataset: { offer: "" } },
      `${o.agency_name}：${o.service_label}，${date(o.start)} 至 ${date(o.end)}，${money(o.fee)}${o.accepted ? "（已接受）" : ""}`,
      mine(n) && can["need.accept"] && n.status === "open"
        ? h("details", { class: "act-box" }, h("summary", {}, "接受此报价"), acceptForm(n, o, written)) : null))
    : "尚无报价");
  const columns = [
    { label: "发布日期", value: (n) => date(n.posted_on) },
    { label: "企业", value: (n) => n.enterprise_name || "" },
    { label: "乡镇（街道）", value: (n) => n.township_name },
    { label: "行业", value: (n) => n.sector_name },
    { label: "所需服务", value: (n) => n.services_label },
    { label: "需求说明", value: (n) => n.description },
    { label: "状态", value: (n) => badge(n.status_label, STATUS_CLASS[n.status] || "") },
    { label: agency ? "本机构的报价" : "报价", value: offers },
    ...(agency || enterpriseId ? [{ label: "办理", value: actions }] : []),
  ];

  const show = async () => {
    writeQuery(chosen);
    const page = Number(chosen.page) || 1;
    const answer = await api("/needs", { status: agency ? "" : chosen.status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, after: after || "" });
    if (enterpriseId && can["rating.rate"]) {
      rated = new Set((await api("/ratings", { after: after || "" })).items.map((r) => r.contract_id));
    }
    const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
    clear(result,
      answer.note ? h("p", { class: "hint", id: "note" }, "本机构不在入库有效期内或已列入黑名单，不能查看平台需求和报价。") : null,
      h("p", { class: "hint" }, "共 ", h("b", { id: "total" }, int(answer.total)), " 项需求"),
      table(columns, answer.items, { empty: "没有服务需求", testid: "needs-table" }),
      pager(page, pages, go));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.status = form.elements.status ? form.elements.status.value : "";
    chosen.page = "1";
    run();
  });
  await show();
});
