// The API under /api/v1, with the signed-in holder's token (kept in this tab's sessionStorage).

const KEY = "hazardledger.token";
export const API = "/api/v1";

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value.trim().replace(/^Bearer\s+/i, ""));
}

export function signOut() {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith("hazardledger.")) sessionStorage.removeItem(key);
}

// What the token says about its holder (read without checking the signature: display only;
// the server verifies the token on every request).
export function claims(value = token()) {
  try {
    const part = value.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part + "=".repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

export class ApiError extends Error {
  constructor(status, body) {
    super(message(status, body));
    this.status = status;
    this.body = body;
  }
}

function message(status, body) {
  const detail = body && (body.message || body.detail || body.error);
  const text = typeof detail === "string" ? detail : detail ? JSON.stringify(detail) : "";
  if (status === 401) return "令牌无效、已过期或已吊销，请重新登录";
  if (status === 403) return `无权查看：${text || "超出令牌的范围"}`;
  if (status === 404) return `未找到：${text || "记录不存在"}`;
  if (status === 422) return `查询条件有误：${text}`;
  if (status === 503) return "读模型正在更新，请稍后重试";
  return `服务出错（${status}）${text ? "：" + text : ""}`;
}

export function query(params = {}) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "" || value === false) continue;
    q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

async function request(path, params) {
  const response = await fetch(API + path + query(params), {
    headers: { Authorization: `Bearer ${token()}`, Accept: "application/json" },
  });
  if (response.status === 401) {
    signOut();
    document.dispatchEvent(new CustomEvent("hazard:signed-out"));
  }
  return response;
}

// Reads under way: <html data-loading="n"> while any is (a "progress" cursor; the browser
// tests wait for it to go, rather than for the network to fall quiet).
let loading = 0;

async function tracked(work) {
  document.documentElement.dataset.loading = String(++loading);
  try {
    return await work();
  } finally {
    if (--loading) document.documentElement.dataset.loading = String(loading);
    else delete document.documentElement.dataset.loading;
  }
}

// GET a JSON answer, or throw ApiError.
export function api(path, params) {
  return tracked(async () => {
    const response = await request(path, params);
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  });
}

// GET without throwing on 4xx: {status, body} (to try an endpoint that may not exist yet).
export function probe(path, params) {
  return tracked(async () => {
    const response = await request(path, params);
    return { status: response.status, body: await response.json().catch(() => null) };
  });
}

// Download an export (CSV / XLSX) with the token: fetch, then save under the server's file name.
export async function download(path, params, fallbackName) {
  const response = await request(path, params);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const blob = await response.blob();
  const disposition = response.headers.get("content-disposition") || "";
  const match = disposition.match(/filename\*=UTF-8''([^;]+)/i);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
