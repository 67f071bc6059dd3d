// 待办: what the signed-in holder must do next (GET /todo), oldest first; the landing page after
// signing in on the overview. Tiles per kind (a click filters), a table with the dom.js pager,
// each item linking to the page of its record. Follows the event stream: a step taken anywhere in
// scope re-reads the list.
import { api } from "../api.js";
import { badge, clear, date, h, int, link, pager, table } from "../dom.js";
import { debounce, follow } from "../live.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

const PAGE_SIZE = 20;

function state(item) {
  if (item.overdue) return badge("已逾期", "overdue");
  return item.due_on ? badge("未到期") : "";
}

startPage("todo", async (ctx, main) => {
  const chosen = { kind: "", page: "1", ...Object.fromEntries(Object.entries(readQuery(["kind", "page"])).filter(([, v]) => v)) };
  const tiles = h("div", { class: "tiles", id: "todo-counts" });
  const result = h("section", { class: "card", id: "result" });
  const note = h("p", { class: "hint", id: "todo-note" });
  clear(main, h("h1", {}, "待办"), note, tiles, result);

  const show = async (after) => {
    writeQuery(chosen);
    const page = Number(chosen.page) || 1;
    const answer = await api("/todo", { kind: chosen.kind, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, after });
    note.textContent = answer.note || `截至 ${date(answer.as_of)}，按事项起始日期排列，最早的在前。`;
    const all = Object.values(answer.counts).reduce((n, c) => n + c.count, 0);
    const overdue = Object.values(answer.counts).reduce((n, c) => n + c.overdue, 0);
    const tile = (key, label, count, late) => h("a", {
      href: "#", class: `tile${late ? " alert" : ""}${chosen.kind === key ? " active" : ""}`, dataset: { kind: key || "all" },
      on: { click: (e) => { e.preventDefault(); chosen.kind = key; chosen.page = "1"; run(); } },
    }, h("span", { class: "label" }, label), h("span", { class: "value" }, int(count)),
    h("span", { class: "note" }, late ? `其中逾期 ${int(late)}` : "\u00a0"));
    clear(tiles, Object.keys(answer.counts).length ? [tile("", "全部待办", all, overdue),
      Object.entries(answer.counts).filter(([key, c]) => c.count || key === chosen.kind)
        .map(([key, c]) => tile(key, c.label, c.count, c.overdue))] : null);
    const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
    clear(result,
      h("p", { class: "hint" }, chosen.kind ? `${answer.counts[chosen.kind]?.label || ""} · ` : "", "共 ",
        h("b", { id: "total" }, int(answer.total)), " 项"),
      table([
        { label: "事项", value: (i) => i.kind_label },
        { label: "对象", value: (i) => link(i.link, i.subject) },
        { label: "起始日期", value: (i) => date(i.since) },
        { label: "期限", value: (i) => date(i.due_on) || "—" },
        { label: "", value: state },
      ], answer.items, { empty: answer.note ? "本角色没有待办事项" : "暂无待办事项", testid: "todo-table",
        rowAttrs: (i) => ({ dataset: { kind: i.kind, overdue: String(i.overdue) } }) }),
      pager(page, pages, go));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = (after) => show(after).catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  await show();
  // a step taken anywhere in scope: read again once the views have applied it (?after=)
  const live = follow({ onEvent: debounce(() => run(live.position()), 1000), onReset: () => run() });
});
