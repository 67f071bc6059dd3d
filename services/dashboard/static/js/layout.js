// Every page: the header (navigation, who is signed in, live status), sign-in, reference data.
import { api, claims, signIn, signOut, token } from "./api.js";
import { $, ROLE, clear, h } from "./dom.js";

const NAV = [
  ["todo", "/todo", "待办"], // the landing page after signing in on the overview (issue 14 §6)
  ["overview", "/", "总览"],
  ["ledger", "/ledger", "隐患台账"],
  ["supervision", "/supervision", "督办"],
  ["compliance", "/compliance", "三不放过"],
  ["agencies", "/agencies", "机构"],
  ["trace", "/trace", "追溯"],
  ["enterprises", "/enterprises", "企业名录"], // the enterprises in scope (GET /enterprises)
  ["non-reporters", "/non-reporters", "未报名单"],
  ["self-reports", "/self-reports", "自查自报"],
  ["referrals", "/referrals", "交办"],
  ["groups", "/groups", "互助与协会"], // issue 15 §1–2
  ["platform", "/platform", "服务平台"], // issue 15 §5
  ["evaluations", "/evaluations", "考评"], // issue 15 §6
  ["electricity", "/electricity", "智慧用电"], // issue 15 §4
  ["insurance", "/insurance", "保险机构"], // 安责险 (issue 15 §3)
];
const NOT_FOR_AGENCIES = ["non-reporters", "self-reports", "groups", "electricity"]; // the API refuses agencies these lists
const NOT_FOR = { referrals: ["agency", "enterprise"], evaluations: ["agency"], insurance: ["agency", "enterprise"], enterprises: ["agency", "enterprise"] }; // GET /referrals: the receiving units and the county-wide roles
const INSURER_PAGES = ["insurance"]; // an insurer's token reads its own policies and ledger row only

// The page's context: reference data, the holder and their scope.
export class Context {
  constructor(townships, sectors, holder) {
    this.townships = new Map(townships.map((t) => [t.code, t.name]));
    this.sectors = new Map(sectors.map((s) => [s.code, s.name]));
    this.holder = holder; // the token's claims: name, role, township, sector, agency_id, enterprise_id
    this.home = {}; // an enterprise's own township and sector (its token names neither)
  }

  // The township and the sector the holder's rows all lie in, where there is one.
  get township() {
    return this.holder.township || this.home.township || "";
  }

  get sector() {
    return this.holder.sector || this.home.sector || "";
  }

  get role() {
    return this.holder.role;
  }

  // The columns the token fixes (the API filters by them whatever the page asks).
  get fixed() {
    const { township, sector, agency_id, enterprise_id } = this.holder;
    return Object.fromEntries(Object.entries({ township, sector, agency_id, enterprise_id }).filter(([, v]) => v));
  }

  townshipName(code) {
    return this.townships.get(code) || code || "";
  }

  sectorName(code) {
    return this.sectors.get(code) || code || "";
  }

  // [code, name] lists for filters, limited to what the token can see.
  townshipOptions() {
    const all = [...this.townships];
    return this.township ? all.filter(([code]) => code === this.township) : all;
  }

  sectorOptions() {
    const all = [...this.sectors];
    return this.sector ? all.filter(([code]) => code === this.sector) : all;
  }
}

async function cached(key, load) {
  const stored = sessionStorage.getItem(key);
  if (stored) return JSON.parse(stored);
  const value = await load();
  sessionStorage.setItem(key, JSON.stringify(value));
  return value;
}

// Where the token's holder stands, in words: 全县 / 西店镇 / 危险化学品 / an agency's or enterprise's name.
async function scopeText(holder, ctx) {
  if (holder.township) return ctx.townshipName(holder.township);
  if (holder.sector) return ctx.sectorName(holder.sector);
  const named = async (kind, id) => {
    try {
      return (await cached(`hazardledger.name.${id}`, async () => (await api(`/${kind}/${id}`)).name)) || id;
    } catch {
      return id;
    }
  };
  if (holder.agency_id) return named("agencies", holder.agency_id);
  if (holder.enterprise_id) return named("enterprises", holder.enterprise_id);
  if (holder.insurer_id) return named("insurers", holder.insurer_id);
  return "全县";
}

function header(active) {
  const top = $("#top");
  const holder = token() ? claims() : null;
  const agencyHome = holder && holder.role === "agency" && holder.agency_id ? `/agencies/${holder.agency_id}` : null;
  clear(top,
    h("div", { class: "brand" }, h("a", { href: "/" }, h("strong", {}, "隐患排查治理台账"), h("span", {}, "安全生产社会化服务"))),
    h("nav", { "aria-label": "主导航" }, NAV.filter(([key]) => !(NOT_FOR_AGENCIES.includes(key) && holder && holder.role === "agency")
      && !(holder && (NOT_FOR[key] || []).includes(holder.role))
      && !(holder && holder.role === "insurer" && !INSURER_PAGES.includes(key))).map(([key, href, text]) =>
      h("a", { href: key === "agencies" && agencyHome ? agencyHome : href, class: key === active ? "active" : null, "aria-current": key === active ? "page" : null }, text))),
    h("div", { class: "who", id: "who" },
      h("span", { id: "live", class: "live off", title: "实时事件流", hidden: true }, "○ 未连接"),
      holder ? [
        h("span", { class: "holder", dataset: { testid: "holder" } },
          h("b", { id: "holder-name" }, holder.name || holder.sub), " · ",
          h("span", { id: "holder-role" }, ROLE[holder.role] || holder.role), " · ",
          h("span", { id: "holder-scope" }, "…")),
        h("button", { type: "button", class: "link", id: "sign-out", on: { click: () => { signOut(); location.reload(); } } }, "退出"),
      ] : null));
}

function signInForm(problem) {
  const field = h("textarea", { id: "token", name: "token", rows: 4, required: true, placeholder: "eyJhbGciOiJIUzI1NiIs…", autocomplete: "off", spellcheck: false });
  const error = h("p", { class: "error", id: "sign-in-error", role: "alert" }, problem || "");
  const form = h("form", { class: "card sign-in", id: "sign-in" },
    h("h1", {}, "登录"),
    h("p", {}, "粘贴管理员为您签发的令牌（", h("code", {}, "hazard token issue --role … --name …"), "）。令牌只保存在本浏览器标签页中，关闭标签页即退出。"),
    field, error,
    h("button", { type: "submit", class: "primary" }, "登录"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    signIn(field.value);
    try {
      await api("/townships"); // the server verifies the token
      // signed in on the overview: land on the holder's 待办; any other page (a link someone
      // sent, a bookmark) opens as asked
      if (location.pathname === "/") location.assign(claims().role === "insurer" ? "/insurance" : "/todo");
      else location.reload();
    } catch (e) {
      signOut();
      error.textContent = e.status === 401 ? "令牌无效、已过期或已吊销" : e.message;
    }
  });
  return form;
}

export function showError(where, error) {
  console.error(error);
  const box = h("p", { class: "error banner", role: "alert" }, error.message || String(error));
  where.prepend(box);
  return box;
}

// Start a page: header, sign-in when needed, reference data, then `render(ctx)`.
export async function startPage(active, render) {
  header(active);
  const main = $("main");
  main.dataset.page = active; // the print style picks A4 landscape for the wide pages
  if (!token()) {
    clear(main, signInForm());
    $("#token").focus();
    return;
  }
  document.addEventListener("hazard:signed-out", () => {
    header(active);
    clear(main, signInForm("登录已失效，请重新登录"));
  }, { once: true });
  let ctx;
  try {
    const [townships, sectors] = await Promise.all([
      cached("hazardledger.townships", () => api("/townships")),
      cached("hazardledger.sectors", () => api("/sectors")),
    ]);
    ctx = new Context(townships, sectors, claims() || {});
    if (ctx.holder.enterprise_id) {
      const { township, sector } = await cached(`hazardledger.home.${ctx.holder.enterprise_id}`, () => api(`/enterprises/${ctx.holder.enterprise_id}`));
      ctx.home = { township, sector };
    }
  } catch (e) {
    if (!token()) return; // signed out: the form is shown
    showError(main, e);
    return;
  }
  scopeText(ctx.holder, ctx).then((text) => { $("#holder-scope").textContent = text; });
  try {
    await render(ctx, main);
    main.dataset.ready = "true";
  } catch (e) {
    if (token()) showError(main, e);
  }
}

// Filters kept in the address bar, so a view can be bookmarked or sent to a colleague.
export function readQuery(keys) {
  const q = new URLSearchParams(location.search);
  return Object.fromEntries(keys.map((k) => [k, q.get(k) || ""]));
}

export function writeQuery(values) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
  const text = q.toString();
  history.replaceState(null, "", location.pathname + (text ? `?${text}` : ""));
}

export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") {
      if (el.checked) values[el.name] = values[el.name] ? `${values[el.name]},${el.value}` : el.value;
    } else values[el.name] = el.value.trim();
  }
  return values;
}
