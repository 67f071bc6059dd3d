// 互助组与行业协会 (issue 15 §1–2): the mutual-help groups and industry associations in the
// reader's scope, each with its member enterprises and counts; a row opens its inspections (互查)
// and training records. Filters in the address (form, township).
import { api } from "../api.js";
import { clear, h, int, link, select, table } from "../dom.js";
import { readQuery, showError, startPage, writeQuery } from "../layout.js";

const FORMS = [["group", "企业互助组"], ["association", "行业协会"]];
const PATHS = { group: "/groups", association: "/associations" };

startPage("groups", async (ctx, main) => {
  if (ctx.role === "agency") { // the API lists no group or association to an agency
    clear(main, h("h1", {}, "互助组与行业协会"), h("p", { class: "hint" }, "互助组和行业协会的记录不属于中介机构的查看范围。"));
    main.dataset.loaded = "1";
    return;
  }
  const given = Object.fromEntries(Object.entries(readQuery(["form", "township"])).filter(([, v]) => v));
  const chosen = { form: "group", township: "", ...given };
  const form = h("form", { class: "filters card", id: "filters" },
    select("form", FORMS, chosen.form, { label: "服务形式", all: null }),
    ctx.township ? null : select("township", ctx.townshipOptions(), chosen.township, { label: "乡镇（街道）" }),
    h("button", { type: "submit", class: "primary" }, "查询"),
    h("p", { class: "hint" }, "企业互助组由同一区域或同一行业的企业组成，成员企业派出专业技术人员开展组内互查、组间互查；"
      + "行业协会指导会员单位开展互查和培训。互查发现的隐患来源记为“企业互助互查”或“行业协会互查”。"));
  const result = h("section", { class: "card", id: "result" });
  const detail = h("section", { class: "card", id: "detail", hidden: true });
  clear(main, h("h1", {}, "互助组与行业协会"), form, result, detail);

  const members = (g) => g.members.length
    ? g.members.map((m) => m.name).join("、")
    : "—";
  const place = (g) => [g.township_name, g.sector_name].filter(Boolean).join(" · ");

  const open = async (g) => {
    const path = `${PATHS[chosen.form]}/${encodeURIComponent(g.group_id)}`;
    const inspections = await api(`${path}/inspections`);
    let trainings = null;
    if (!ctx.holder.enterprise_id) trainings = await api(`${path}/trainings`).catch(() => null);
    detail.hidden = false;
    clear(detail,
      h("h2", {}, `${g.name} · 互查`),
      table([
        { label: "企业名称", value: (r) => link(`/inspections/${encodeURIComponent(r.inspection_id)}`, r.enterprise_name) },
        { label: "乡镇（街道）", value: (r) => r.township_name || "" },
        { label: "互查方式", value: (r) => r.kind_label },
        { label: "状态", value: (r) => r.status_label },
        { label: "计划日期", value: (r) => r.scheduled_for },
        { label: "实施日期", value: (r) => r.performed_on || "—" },
        { label: "专家人数", class: "num", value: (r) => int(r.experts) },
      ], inspections.items, { empty: "没有以其为依据的互查", testid: "group-inspections" }),
      trainings ? [
        h("h2", {}, "培训（活动）记录"),
        table([
          { label: "举办日期", value: (r) => r.held_on },
          { label: "主题", value: (r) => r.topic },
          { label: "学时", class: "num", value: (r) => String(r.hours) },
          { label: "参加企业数", class: "num", value: (r) => int(r.attendees) },
        ], trainings.items, { empty: "没有培训记录", testid: "group-trainings" }),
      ] : null);
  };

  const show = async () => {
    writeQuery(chosen);
    const answer = await api(PATHS[chosen.form], chosen.township ? { township: chosen.township } : {});
    detail.hidden = true;
    clear(result,
      h("p", { class: "hint" }, `${FORMS.find(([k]) => k === chosen.form)[1]} `, h("b", { id: "total" }, int(answer.total)), " 个"),
      table([
        { label: "名称", value: (g) => h("button", { type: "button", class: "link", on: { click: () => open(g).catch((e) => showError(detail, e)) } }, g.name) },
        { label: "区域 · 行业", value: place },
        { label: "成立日期", value: (g) => g.founded_on },
        { label: "成员企业数", class: "num", value: (g) => int(g.member_count) },
        { label: "成员企业", value: members },
        { label: "互查（已实施）", class: "num", value: (g) => `${int(g.inspections)}（${int(g.performed)}）` },
        { label: "培训次数", class: "num", value: (g) => int(g.trainings) },
        { label: "承接服务的中介机构登记", value: (g) => (chosen.form === "association" ? (g.agency_id ? link(`/agencies/${g.agency_id}`, "已登记") : "未登记") : "—") },
      ], answer.items, { empty: "范围内没有记录", testid: "groups-table", rowAttrs: (g) => ({ dataset: { group: g.group_id } }) }));
    main.dataset.loaded = String(Number(main.dataset.loaded || 0) + 1);
  };
  const run = () => show().catch((e) => showError(result, e));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen.form = form.elements.form.value;
    chosen.township = form.elements.township ? form.elements.township.value : "";
    run();
  });
  await show();
});
