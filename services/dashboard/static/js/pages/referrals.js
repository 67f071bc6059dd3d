// 交办: the referrals to the token's unit (GET /referrals; the county-wide roles: all), oldest first,
// with the dom.js pager. A township office or a sector regulator signs for a referral (签收) and then
// answers it (答复) here — the steps its 待办 links to (`?id=` puts that referral on top).
import { api } from "../api.js";
import { REFERRAL_STATE, badge, clear, date, h, int, link, pager, select, table } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";
import { post, refusal } from "../write.js";

const PAGE_SIZE = 20;
const STATE_CLASS = { open: "status-assigned", overdue: "overdue", answered: "status-closed" };

startPage("referrals", async (ctx, main) => {
  const receiver = ["township", "regulator"].includes(ctx.role); // only the receiving unit signs and answers
  const chosen = { state: "", page: "1", id: "", ...Object.fromEntries(Object.entries(readQuery(["state", "page", "id"])).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    select("state", Object.entries(REFERRAL_STATE), chosen.state, { label: "办理状态" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("p", { class: "hint" }, "县安委会办公室交办的隐患事项：接收单位先签收，再在办理期限内答复办理情况。"));
  const current = h("section", { class: "card", id: "current", hidden: true });
  const result = h("section", { class: "card", id: "result" });
  clear(main, h("h1", {}, "交办事项"), form, current, result);

  let position = 0; // the last write's position: reads wait for it (?after=)
  const act = async (action) => {
    try {
      position = (await action()).position;
      await show();
    } catch (e) {
      for (const old of main.querySelectorAll("#file-error")) old.remove();
      form.after(refusal(e, (ident) => `/hazards/${ident}`)); // the API's words, as it gives them
    }
  };

  const steps = (r) => {
    if (!receiver || r.state === "answered") return "";
    if (r.signed === "待签收") {
      return h("button", { type: "button", class: "primary", dataset: { action: "sign" },
        on: { click: () => act(() => post(`/referrals/${r.id}/sign`, {})) } }, "签收");
    }
    const answer = h("textarea", { rows: 2, placeholder: "办理情况", "aria-label": "答复内容", dataset: { field: "answer" } });
    return h("div", { class: "answer" }, answer, h("button", { type: "button", class: "primary", dataset: { action: "answer" },
      on: { click: () => act(() => post(`/referrals/${r.id}/answer`, { answer: answer.value })) } }, "答复"));
  };
  const columns = [
    { label: "文号", value: (r) => r.document_no || "—" },
    { label: "交办日期", value: (r) => date(r.referred_on) },
    { label: "办理期限", value: (r) => date(r.due_on) },
    { label: "接收单位", value: (r) => r.receiver_name },
    { label: "隐患", value: (r) => r.hazards.map((x) => h("div", {}, link(`/hazards/${encodeURIComponent(x.id)}`, x.description))) },
    { label: "交办要求", value: (r) => r.instructions },
    { label: "签收", value: (r) => (r.signed_on ? [date(r.signed_on), h("br"), `（${r.signed_by || ""}）`] : r.signed) },
    { label: "答复", value: (r) => (r.answered_on ? [date(r.answered_on), h("br"), r.answer] : "—") },
    { label: "状态", value: (r) => badge(r.state_label, STATE_CLASS[r.state] || "") },
    { label: "办理", value: steps },
  ];
  const rowAttrs = (r) => ({ dataset: { referral: r.id, state: r.state }, class: r.id === chosen.id ? "highlight" : null });

  const show = async () => {
    writeQuery(chosen);
    const page = Number(chosen.page) || 1;
    const [answer, all] = await Promise.all([
      api("/referrals", { state: chosen.state, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, after: position }),
      chosen.id ? api("/referrals", { limit: 500, after: position }) : null,
    ]);
    const mine = all && all.items.find((r) => r.id === chosen.id);
    current.hidden = !mine;
    clear(current, mine ? [h("h2", {}, "待办事项"), table(columns, [mine], { testid: "current-referral", rowAttrs })] : null);
    const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
    clear(result,
      h("p", { class: "hint" }, "共 ", h("b", { id: "total" }, int(answer.total)), " 项"),
      table(columns, answer.items, { empty: "没有交办事项", testid: "referrals-table", rowAttrs }),
      pager(page, pages, go));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.state = form.elements.state.value;
    chosen.page = "1";
    run();
  });
  await show();
});
