// 报送自查自报 (an enterprise's token): this month's or last month's, either 零隐患 or the
// enterprise's hazards discovered that month (from the ledger). The API's refusal is shown as
// it gives it (e.g. 409 self-report-once-a-month), ids inside it as links.
import { api } from "../api.js";
import { clear, h, link, shiftMonth, statusBadge } from "../dom.js";
import { monthEnd } from "../self_report_labels.js";
import { post, refusal } from "../write.js";

const reportHref = (id) => `/self-reports/${encodeURIComponent(id)}`;

// `filed(month, position)`: called after a report is stored (the list reloads with ?after=).
export function filingForm(enterpriseId, thisMonth, filed) {
  const months = [thisMonth, shiftMonth(thisMonth, -1)];
  const hazards = h("div", { id: "file-hazards", class: "hazard-choices" });
  const message = h("div", { id: "file-message", "aria-live": "polite" });
  const form = h("form", { class: "card self-report-form", id: "file-form" },
    h("h2", {}, "报送本企业自查自报"),
    h("label", { class: "field" }, h("span", {}, "月份"),
      h("select", { name: "month", id: "file-month" }, months.map((m, n) => h("option", { value: m }, `${m}（${n ? "上月" : "本月"}）`)))),
    h("fieldset", { class: "choice" },
      h("legend", {}, "自查结果"),
      h("label", {}, h("input", { type: "radio", name: "result", value: "none", id: "file-none", checked: true }), " 本月未发现隐患（零隐患）"),
      h("label", {}, h("input", { type: "radio", name: "result", value: "hazards", id: "file-some" }), " 本月发现以下隐患：")),
    hazards,
    h("button", { type: "submit", class: "primary", id: "file-submit" }, "报送"),
    message);

  const loadHazards = async () => {
    const month = form.elements.month.value;
    clear(hazards, h("p", { class: "hint" }, "正在读取本月发现的隐患…"));
    const answer = await api("/ledger", { enterprise_id: enterpriseId, discovered_from: `${month}-01`, discovered_to: monthEnd(month), page_size: 1000 });
    const rows = answer.items.filter((r) => r.status !== "withdrawn");
    clear(hazards, rows.length
      ? h("ul", { class: "plain" }, rows.map((r) => h("li", {},
        h("label", {}, h("input", { type: "checkbox", name: "hazard", value: r.hazard_id }), " ", r.description, " "),
        statusBadge(r.status, r.status_label), " ", h("span", { class: "muted" }, `发现于 ${r.discovered_on}`), " ",
        link(`/hazards/${encodeURIComponent(r.hazard_id)}`, "查看"))))
      : h("p", { class: "hint", id: "no-hazards" }, `台账中没有本企业 ${month} 发现的隐患。`));
  };
  const reload = () => loadHazards().catch((e) => clear(hazards, h("p", { class: "error" }, e.message)));
  form.elements.month.addEventListener("change", reload);
  hazards.addEventListener("change", () => { form.querySelector("#file-some").checked = true; }); // picking a hazard means "found these"

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const month = form.elements.month.value;
    const noneFound = form.elements.result.value === "none";
    const ids = noneFound ? [] : [...form.querySelectorAll("input[name=hazard]:checked")].map((el) => el.value);
    const button = form.querySelector("#file-submit");
    button.disabled = true;
    clear(message);
    let written;
    try {
      written = await post("/self-reports", { enterprise_id: enterpriseId, month, none_found: noneFound, hazard_ids: ids });
    } catch (e) {
      clear(message, refusal(e, reportHref));
      return;
    } finally {
      button.disabled = false;
    }
    clear(message, h("p", { class: "notice", id: "file-done" }, `${month} 自查自报已报送。`, link(reportHref(written.id), "查看报送记录")));
    await filed(month, written.position);
  });
  reload();
  return form;
}
