// 企业名录: the registered enterprises in the token's scope (GET /enterprises) — a township office its
// township's, a regulator its sector's, the county-wide roles all — found by part of the name or
// the credit code, by township and sector; each links to its ledger rows and (for the roles that
// may trace) its 追溯. Filters in the address, 20 a page.
import { api } from "../api.js";
import { clear, h, input, int, link, pager, select, table } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";
import { may } from "../write.js";

const PAGE_SIZE = 20;

startPage("enterprises", async (ctx, main) => {
  const chosen = { q: "", township: "", sector: "", page: "1",
    ...Object.fromEntries(Object.entries(readQuery(["q", "township", "sector", "page"])).filter(([, v]) => v)) };
  const form = h("form", { class: "filters card", id: "filters" },
    input("q", chosen.q, { label: "企业名称或统一社会信用代码（部分即可）", placeholder: "例如：化工" }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    ctx.sector ? null : select("sector", ctx.sectorOptions(), chosen.sector, { label: "行业" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("p", { class: "hint" }, "本范围内登记的企业（含没有隐患记录的）。点企业名称看其隐患台账。"));
  const result = h("section", { class: "card", id: "result" });
  clear(main, h("h1", {}, "企业名录"), form, result);
  const traces = await may("trace.enterprise");

  const show = async () => {
    writeQuery(chosen);
    const page = Number(chosen.page) || 1;
    const answer = await api("/enterprises", { q: chosen.q, township: chosen.township, sector: chosen.sector,
      limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    clear(result,
      h("p", { class: "hint" }, "共 ", h("b", { id: "total" }, int(answer.total)), " 家企业"),
      table([
        { label: "企业名称", value: (e) => link(`/ledger?enterprise_id=${encodeURIComponent(e.enterprise_id)}`, e.name) },
        { label: "统一社会信用代码", value: (e) => e.credit_code },
        { label: "乡镇（街道）", value: (e) => e.township_name },
        { label: "行业", value: (e) => e.sector_name },
        { label: "规模", value: (e) => e.scale_label || "未填" },
        ...(traces ? [{ label: "追溯", value: (e) => link(`/trace?enterprise=${encodeURIComponent(e.enterprise_id)}`, "追溯") }] : []),
      ], answer.items, { empty: "本范围内没有符合条件的企业", testid: "enterprises-table",
        rowAttrs: (e) => ({ dataset: { enterprise: e.enterprise_id } }) }),
      pager(page, Math.max(1, Math.ceil(answer.total / PAGE_SIZE)), go));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  const go = (page) => { chosen.page = String(page); run(); };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.q = form.elements.q.value.trim();
    chosen.township = form.elements.township ? form.elements.township.value : "";
    chosen.sector = form.elements.sector ? form.elements.sector.value : "";
    chosen.page = "1";
    run();
  });
  await show();
});
