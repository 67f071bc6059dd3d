// 督办: the 挂牌督办 hazards in the token's scope with their paperwork (GET /supervision/listings):
// level, department, document number, listed / served / signed-for / cancelled, the deadlines
// (治理完毕期限, 方案备案期限), who served and who signed for each notice — all from the ledger's
// row. Filters in the address.
import { api } from "../api.js";
import { LISTING_STATE, badge, clear, date, h, int, link, pager, select, statusBadge, table } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

const PAGE_SIZE = 20;
const STATE_CLASS = { issued: "status-reported", served: "status-assigned", signed: "status-closed", cancelled: "status-withdrawn" };

// a step's date and, below it, who took it (as far as it is known): 2026-07-02 / （张三）
function step(day, who) {
  if (!day) return "—";
  return who ? [date(day), h("br"), `（${who}）`] : date(day);
}

startPage("supervision", async (ctx, main) => {
  const chosen = { state: "", township: "", page: "1", ...Object.fromEntries(Object.entries(readQuery(["state", "township", "page"])).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    select("state", Object.entries(LISTING_STATE), chosen.state, { label: "文书状态" }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("p", { class: "hint" }, "挂牌督办通知书下达后须送达企业，企业签收之日起计算治理完毕期限和治理方案备案期限。"));
  const result = h("section", { class: "card", id: "result" });
  clear(main, h("h1", {}, "挂牌督办"), form, result);

  const show = async () => {
    writeQuery(chosen);
    const page = Number(chosen.page) || 1;
    const answer = await api("/supervision/listings", { state: chosen.state, township: chosen.township,
      limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
    clear(result,
      h("p", { class: "hint" }, "共 ", h("b", { id: "total" }, int(answer.total)), " 项挂牌督办隐患"),
      table([
        { label: "企业 / 隐患", value: (r) => [r.enterprise_name, h("br"), link(`/hazards/${encodeURIComponent(r.hazard_id)}`, r.description)] },
        { label: "督办级别", value: (r) => r.supervision_level_label || "—" },
        { label: "督办部门", value: (r) => r.listing_department || "—" },
        { label: "文号", value: (r) => r.supervision_doc || "—" },
        { label: "挂牌日期", value: (r) => date(r.listed_on) || "—" },
        { label: "文书状态", value: (r) => badge(r.listing_state_label, STATE_CLASS[r.listing_state] || "") },
        { label: "送达", value: (r) => step(r.listing_served_on, r.listing_served_by) },
        { label: "签收", value: (r) => step(r.listing_signed_on, r.listing_signed_by) },
        { label: "治理完毕期限", value: (r) => date(r.listing_finish_by) || "—" },
        { label: "方案备案期限", value: (r) => date(r.listing_plan_by) || "—" },
        { label: "撤销", value: (r) => date(r.listing_cancelled_on) || "—" },
        { label: "隐患状态", value: (r) => statusBadge(r.status, r.status_label) },
      ], answer.items, { empty: "没有挂牌督办的隐患", testid: "listings-table",
        rowAttrs: (r) => ({ dataset: { hazard: r.hazard_id, state: r.listing_state } }) }),
      pager(page, pages, go));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.state = form.elements.state.value;
    chosen.township = form.elements.township ? form.elements.township.value : "";
    chosen.page = "1";
    run();
  });
  await show();
});
