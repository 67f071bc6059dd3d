// Writing through the API from the dashboard's forms (issue 17 §2): the one helper every form uses.
// - post(): a JSON POST with the tab's token and an Idempotency-Key (a retry of the same submission
//   is answered from the first answer: stored once); a 401 signs out, as reads do.
// - upload(): a photo or document to POST /files (content-addressed: the same bytes store once).
// - may(): whether the holder's role may take an action at all (GET /access/actions, the server's
//   POLICY table); scope and state are still judged by the write itself.
// - writeForm(): a form whose fields are named as the API's body fields, so a 422's errors[] land
//   next to their fields; a 409/403 shows the rule's own (Chinese) text under the form.
import { API, ApiError, probe, signOut, token } from "./api.js";
import { clear, h } from "./dom.js";
import { evidenceFile } from "./evidence.js";

function signedOutOn(response) {
  if (response.status === 401) {
    signOut();
    document.dispatchEvent(new CustomEvent("hazard:signed-out"));
  }
}

// 128 random bits (crypto.randomUUID exists only on https or localhost; getRandomValues everywhere)
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// POST a JSON body; the answer's JSON, or ApiError. `key`: the submission's Idempotency-Key.
export async function post(path, body, { key = newKey() } = {}) {
  const response = await fetch(API + path, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token()}`, Accept: "application/json", "Content-Type": "application/json",
      "Idempotency-Key": key,
    },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  signedOutOn(response);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// Upload one file (multipart, field `file`): {sha256, size, media_type}, or ApiError.
export async function upload(file) {
  const data = new FormData();
  data.append("file", file, file.name || "photo.jpg");
  const response = await fetch(`${API}/files`, { method: "POST", headers: { Authorization: `Bearer ${token()}`, Accept: "application/json" }, body: data });
  const answer = await response.json().catch(() => null);
  signedOutOn(response);
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

let allowed = null;
// Whether the holder's role may take `action` (a route name of services/access.py POLICY).
export async function may(action) {
  if (!allowed) {
    allowed = probe("/access/actions")
      .then(({ status, body }) => new Set((status === 200 && body && body.actions) || []), () => new Set());
  }
  return (await allowed).has(action);
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function refusalText(error) {
  const body = error.body || {};
  if (typeof body.message === "string" && body.message) return body.message;
  return error.message;
}

// The API's refusal as it gives it (a rule's text), an id inside it replaced by a link to that
// record (ids are never shown as text).
export function refusal(error, hrefOf, id = "file-error") {
  const text = refusalText(error);
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(UUID)) {
    parts.push(text.slice(last, match.index), hrefOf ? h("a", { href: hrefOf(match[0]), class: "refused-link" }, "（查看）") : "");
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return h("p", { class: "error banner", role: "alert", id, dataset: { status: String(error.status || ""), rule: (error.body && error.body.rule) || "" } }, parts);
}

// --- forms ------------------------------------------------------------------------------------
// A field: {name (the API's body field), label, type: text | textarea | date | number | select |
// radio | checks (several of the options: a list) | photos, options: [[value, text]], value,
// required, hint, placeholder}.
function control(form, f) {
  const id = `${form}-${f.name}`;
  const common = { name: f.name, id, required: f.required || null, placeholder: f.placeholder || null };
  switch (f.type) {
    case "textarea": return h("textarea", { ...common, rows: f.rows || 3 }, f.value || "");
    case "select": return h("select", common, f.options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(f.value ?? "") }, text)));
    case "radio": return h("div", { class: "choice", id, role: "radiogroup" }, f.options.map(([v, text], n) =>
      h("label", {}, h("input", { type: "radio", name: f.name, value: v, id: `${id}-${v}`, checked: String(v) === String(f.value ?? (n ? "" : v)) }), " ", text)));
    case "checks": return h("div", { class: "choice", id, role: "group" }, f.options.map(([v, text]) =>
      h("label", {}, h("input", { type: "checkbox", name: f.name, value: v, id: `${id}-${v}` }), " ", text)));
    case "photos": return photos(id, f);
    default: return h("input", { ...common, type: f.type || "text", value: f.value ?? "", step: f.step || null, min: f.min ?? null, inputmode: f.inputmode || null });
  }
}

// Photos taken or picked on the spot, uploaded at once; the field's value is their `sha256:` list.
function photos(id, f) {
  const shown = h("div", { class: "gallery uploads", id: `${id}-list` });
  const status = h("p", { class: "hint", id: `${id}-status`, "aria-live": "polite" }, f.hint || "");
  const picker = h("input", { type: "file", accept: "image/*", capture: "environment", multiple: true, id, class: "photo-input" });
  const box = h("div", { class: "photos", dataset: { field: f.name, kind: "photos" } },
    h("label", { class: "photo-pick button", for: id }, "拍照或选择照片"), picker, shown, status);
  box.files = [];
  picker.addEventListener("change", async () => {
    const chosen = [...picker.files];
    picker.value = "";
    box.dataset.busy = "true"; // the form waits for the uploads before it is sent
    for (const file of chosen) {
      status.textContent = `正在上传 ${file.name || "照片"}…`;
      status.classList.remove("error");
      try {
        const stored = await upload(file);
        if (!box.files.includes(stored.sha256)) {
          box.files.push(stored.sha256);
          const n = box.files.length;
          const figure = evidenceFile(stored.sha256, `${f.caption || "照片"} ${n}`);
          figure.append(h("button", { type: "button", class: "link-button", on: { click: () => {
            box.files = box.files.filter((s) => s !== stored.sha256);
            figure.remove();
            box.dispatchEvent(new Event("input", { bubbles: true }));
          } } }, "移除"));
          shown.append(figure);
        }
        status.textContent = `已上传 ${box.files.length} 张`;
      } catch (e) {
        status.textContent = `上传失败：${refusalText(e)}`;
        status.classList.add("error");
      }
    }
    delete box.dataset.busy;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
  return box;
}

function valueOf(form, f) {
  if (f.type === "photos") return [...form.querySelector(`.photos[data-field="${f.name}"]`).files].map((sha) => `sha256:${sha}`);
  if (f.type === "radio") return (form.querySelector(`input[name="${f.name}"]:checked`) || {}).value || "";
  if (f.type === "checks") return [...form.querySelectorAll(`input[name="${f.name}"]:checked`)].map((box) => box.value);
  return form.elements[f.name].value.trim();
}

// A whole number typed in a number field, sent as a JSON number (the API's numbers are strict);
// anything else is sent as typed, for the API to name.
export const wholeNumber = (text) => (text === "" ? "" : /^\d+$/.test(text) ? Number(text) : text);

// A field left blank is not sent: the API then applies its default or names the field (必填).
function given(body) {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== "" && v !== null && v !== undefined));
}

// `spec`: {id, title, intro, fields, submit, path, body(values) → JSON, done(answer, values)}.
// One Idempotency-Key per submission: the same values submitted again (a double click, a retry
// after a lost answer) carry the same key and are stored once; changed values get a new key.
export function writeForm(spec) {
  const message = h("div", { class: "form-message", id: `${spec.id}-message`, "aria-live": "polite" });
  const button = h("button", { type: "submit", class: "primary", id: `${spec.id}-submit` }, spec.submit);
  const form = h("form", { class: "card write-form", id: spec.id, novalidate: true, dataset: { action: spec.action || "" } },
    h("h2", {}, spec.title),
    spec.intro ? h("p", { class: "hint" }, spec.intro) : null,
    spec.fields.map((f) => h("div", { class: "field write-field", dataset: { field: f.name } },
      h("label", { for: `${spec.id}-${f.name}` }, f.label, f.required ? h("span", { class: "required", title: "必填" }, " *") : null),
      control(spec.id, f),
      f.hint && f.type !== "photos" ? h("span", { class: "hint" }, f.hint) : null,
      h("span", { class: "field-error error", id: `${spec.id}-${f.name}-error`, role: "alert" }))),
    h("div", { class: "actions" }, button),
    message);
  // a field being corrected loses its error
  const corrected = (event) => {
    const field = event.target.closest && event.target.closest(".write-field");
    if (!field || !field.classList.contains("invalid")) return;
    field.classList.remove("invalid");
    const slot = field.querySelector(".field-error");
    if (slot) slot.textContent = "";
  };
  form.addEventListener("input", corrected);
  form.addEventListener("change", corrected);
  let sent = null; // {text, key}: the last submission's values and key
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    if (form.querySelector(".photos[data-busy]")) {
      clear(message, h("p", { class: "notice", id: `${spec.id}-busy` }, "照片正在上传，请上传完成后再提交。"));
      return;
    }
    const values = Object.fromEntries(spec.fields.map((f) => [f.name, valueOf(form, f)]));
    const body = given(spec.body ? spec.body(values) : values);
    const text = JSON.stringify([spec.path, body]);
    if (!sent || sent.text !== text) sent = { text, key: newKey() };
    for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
    for (const el of form.querySelectorAll(".write-field.invalid")) el.classList.remove("invalid");
    clear(message);
    button.disabled = true;
    let answer;
    try {
      answer = await post(spec.path, body, { key: sent.key });
    } catch (e) {
      showRefusal(form, spec, e, message);
      return;
    } finally {
      button.disabled = false;
    }
    clear(message, h("p", { class: "notice done", id: `${spec.id}-done` }, spec.doneText || "已提交。"));
    if (spec.done) await spec.done(answer, values);
  });
  return form;
}

// 422: each of errors[] next to its field (`evidence.0` → evidence); what names no field of the
// form, and every 409/403/other refusal, under the form as the API words it.
function showRefusal(form, spec, e, message) {
  const errors = e.status === 422 && e.body && Array.isArray(e.body.errors) ? e.body.errors : [];
  const names = new Set(spec.fields.map((f) => f.name));
  const rest = [];
  for (const err of errors) {
    const name = String(err.field || "").split(".")[0];
    if (!names.has(name)) {
      rest.push(err);
      continue;
    }
    const slot = form.querySelector(`#${spec.id}-${name}-error`);
    slot.textContent = [slot.textContent, err.message].filter(Boolean).join("；");
    slot.closest(".write-field").classList.add("invalid");
  }
  const first = form.querySelector(".write-field.invalid input, .write-field.invalid textarea, .write-field.invalid select");
  if (first) first.focus();
  if (errors.length && !rest.length) {
    clear(message, h("p", { class: "error banner", role: "alert", id: `${spec.id}-error`, dataset: { status: "422" } }, "请按提示修改标红的栏目后再提交。"));
    return;
  }
  if (rest.length) {
    clear(message, h("p", { class: "error banner", role: "alert", id: `${spec.id}-error`, dataset: { status: "422" } },
      rest.map((err) => err.message).join("；")));
    return;
  }
  if (!(e instanceof ApiError)) { // no answer at all (the network): it may or may not be stored
    clear(message, h("p", { class: "error banner", role: "alert", id: `${spec.id}-error`, dataset: { status: "network" } },
      "网络中断，未收到服务器的应答。请再次提交：同一次提交只会保存一次。"));
    return;
  }
  clear(message, refusal(e, spec.hrefOf, `${spec.id}-error`));
}
