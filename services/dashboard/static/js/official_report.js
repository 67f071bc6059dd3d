// 上报检查发现的隐患 for an official — a township office, a sector regulator, the bureau — on the
// ledger page: find the enterprise in 企业名录 (GET /enterprises: only the token's scope), pick it,
// then the report form for it (hazard_forms.js reportForm, source 执法检查 / 群众举报 / 网格化协查).
// The write still judges scope: a refusal is shown under the form.
import { api } from "./api.js";
import { clear, h } from "./dom.js";
import { reportForm } from "./hazard_forms.js";
import { may } from "./write.js";

const SHOWN = 20; // enterprises listed per search

export async function officialReportBox() {
  if (!(await may("hazard.report")) || !(await may("enterprise.list"))) return null;
  const found = h("div", { id: "enterprise-found", "aria-live": "polite" });
  const report = h("div", { id: "official-report" });
  const query = h("input", { type: "search", id: "enterprise-q", name: "q", maxlength: 100,
    placeholder: "企业名称或统一社会信用代码（部分即可）" });

  const pick = async (e) => {
    clear(found, h("p", {}, "已选择：", h("strong", { id: "enterprise-picked" }, e.name), `（${e.township_name}·${e.sector_name}）`));
    clear(report, await reportForm({ enterpriseId: e.enterprise_id, sector: e.sector, official: e.name }));
  };
  const search = async (event) => {
    event.preventDefault();
    clear(report);
    let answer;
    try {
      answer = await api("/enterprises", { q: query.value.trim(), limit: SHOWN });
    } catch (e) {
      clear(found, h("p", { class: "error", role: "alert" }, e.message));
      return;
    }
    if (!answer.items.length) {
      clear(found, h("p", { class: "muted", id: "enterprise-none" }, "本范围内没有找到该企业"));
      return;
    }
    clear(found,
      h("ul", { class: "picks", id: "enterprise-picks" }, answer.items.map((e) => h("li", {},
        h("button", { type: "button", class: "link-button", on: { click: () => pick(e) } }, e.name),
        h("span", { class: "muted" }, `　${e.township_name}·${e.sector_name}·${e.scale_label || "规模未填"}`)))),
      answer.total > answer.items.length
        ? h("p", { class: "hint" }, `共 ${answer.total} 家，仅列前 ${answer.items.length} 家；请输入更完整的名称或信用代码`) : null);
  };
  return h("details", { class: "report-box", id: "report-box" },
    h("summary", {}, "上报检查发现的隐患（执法检查、群众举报、网格化协查）"),
    h("form", { class: "finder", id: "enterprise-finder", on: { submit: search } },
      h("label", { for: "enterprise-q" }, "查找企业"), query, h("button", { type: "submit" }, "查找")),
    found, report);
}
