// 自查自报: the Chinese words for a self-report's flags, and filing one (POST with the tab's token).
import { API, ApiError, signOut, token } from "./api.js";
import { badge, h } from "./dom.js";

export const lateBadge = (late) => badge(late ? "逾期" : "按时", late ? "overdue" : "on-time");
export const proxyText = (proxy) => (proxy ? "代报" : "企业自报");
export const foundText = (noneFound, count) => (noneFound ? "零隐患" : `${count} 项隐患`);

// A month YYYY-MM moved by `delta` months.

// The last day of a month YYYY-MM, as YYYY-MM-DD.
export function monthEnd(month) {
  const [y, m] = month.split("-").map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

// The API's refusal as it gives it, an id inside it replaced by a link to that record
// (ids are never shown as text).
export function refusal(error, hrefOf) {
  const text = error.body && typeof error.body.message === "string" ? error.body.message : error.message;
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(UUID)) {
    parts.push(text.slice(last, match.index), h("a", { href: hrefOf(match[0]), class: "refused-link" }, "（查看）"));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return h("p", { class: "error banner", role: "alert", id: "file-error", dataset: { status: String(error.status || ""), rule: (error.body && error.body.rule) || "" } }, parts);
}

// POST a JSON body; the answer's JSON, or ApiError (401 signs out, as every read does).
export async function post(path, body) {
  const response = await fetch(API + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${token()}`, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  if (response.status === 401) {
    signOut();
    document.dispatchEvent(new CustomEvent("hazard:signed-out"));
  }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}
