// Evidence files (证据文件) cited as `sha256:<hex>`: thumbnails, the full photo on click, documents
// opened as they are. The file routes need the bearer token, so every file is fetched with it and
// shown from a blob: URL — the token never goes into an address. Files are content-addressed and
// never change, so each is fetched once per page and kept for re-renders.
import { API, ApiError, token } from "./api.js";
import { h, time } from "./dom.js";

const FILE_REF = /^sha256:([0-9a-f]{64})$/;
const blobs = new Map(); // "<sha>" or "<sha>/thumbnail" → Promise<blob: URL>
const facts = new Map(); // sha → Promise<metadata>

// The hash of an evidence entry that cites a file, or null for plain text.
export function fileHash(entry) {
  const match = typeof entry === "string" ? entry.trim().match(FILE_REF) : null;
  return match ? match[1] : null;
}

async function fetched(path) {
  const response = await fetch(API + path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response;
}

function blobUrl(sha, part = "") {
  const key = part ? `${sha}/${part}` : sha;
  if (!blobs.has(key)) {
    const load = fetched(`/files/${sha}${part ? "/" + part : ""}`).then((r) => r.blob()).then((b) => URL.createObjectURL(b));
    load.catch(() => blobs.delete(key));
    blobs.set(key, load);
  }
  return blobs.get(key);
}

function metadata(sha) {
  if (!facts.has(sha)) {
    const load = fetched(`/files/${sha}/metadata`).then((r) => r.json());
    load.catch(() => facts.delete(sha));
    facts.set(sha, load);
  }
  return facts.get(sha);
}

const KIND = { "application/pdf": "PDF 文档", "image/heic": "HEIC 照片" };

// One cited file: a thumbnail that opens the photo, or a button that opens the document.
// `caption`: its words; without them, `named` = {prefix, n} makes 「<prefix>照片 n」 or 「<prefix>文件 n」
// once the file's kind is known (a caption, never a file name or hash).
export function evidenceFile(sha, caption = "", named = null) {
  const figure = h("figure", { class: "evidence-file", dataset: { sha256: sha, state: "loading" } },
    h("div", { class: "thumb-box" }, h("span", { class: "muted" }, "加载中…")),
    h("figcaption", {}, h("span", { class: "caption" }, caption)));
  figure.named = named;
  fill(figure, sha).catch((e) => {
    figure.dataset.state = "error";
    figure.querySelector(".thumb-box").replaceChildren(h("span", { class: "error" }, e.message || "无法读取文件"));
  });
  return figure;
}

async function fill(figure, sha) {
  const meta = await metadata(sha);
  const box = figure.querySelector(".thumb-box");
  if (figure.named) {
    const { prefix = "证据", n } = figure.named;
    figure.querySelector(".caption").textContent = `${prefix}${meta.thumbnail ? "照片" : "文件"} ${n}`;
  }
  const when = meta.taken_at ? `拍摄于 ${time(meta.taken_at)}` : "";
  if (when) figure.querySelector("figcaption").append(h("span", { class: "muted taken" }, when));
  if (meta.thumbnail) {
    const img = h("img", { class: "thumb", alt: "证据照片缩略图（点击查看原图）", src: await blobUrl(sha, "thumbnail") });
    const open = h("button", { type: "button", class: "thumb-button", title: "查看原图", on: { click: () => showPhoto(sha, when) } }, img);
    box.replaceChildren(open);
    await img.decode().catch(() => null);
  } else {
    const kind = KIND[meta.media_type] || "文件";
    box.replaceChildren(h("button", { type: "button", class: "file-link", on: { click: () => openFile(sha) } },
      `打开${kind}（${size(meta.size)}）`));
  }
  figure.dataset.state = "ready";
}

function size(bytes) {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

// A document in a new tab, from its blob (a link's click: the tab gets no opener).
async function openFile(sha) {
  const a = h("a", { href: await blobUrl(sha), target: "_blank", rel: "noopener" });
  document.body.append(a);
  a.click();
  a.remove();
}

// The full photo over the page, in a <dialog>; Esc, a click outside or 关闭 closes it.
async function showPhoto(sha, when) {
  let dialog = document.getElementById("photo-dialog");
  if (!dialog) {
    dialog = h("dialog", { id: "photo-dialog", class: "photo-dialog" });
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
    document.body.append(dialog);
  }
  const img = h("img", { class: "photo", alt: "证据照片" });
  dialog.replaceChildren(
    h("div", { class: "photo-bar" }, h("span", {}, when || "证据照片"),
      h("button", { type: "button", on: { click: () => dialog.close() } }, "关闭")),
    img);
  dialog.showModal();
  try {
    img.src = await blobUrl(sha);
    await img.decode().catch(() => null);
    dialog.dataset.state = "ready";
  } catch (e) {
    dialog.append(h("p", { class: "error" }, e.message));
  }
}

// Thumbnails of the files among `entries` (text entries are left to the caller), or null.
// `prefix`: the captions' first words (现场, 整改, 验收 …): 「现场照片 1」, 「整改文件 2」.
export function gallery(entries, testid, prefix = "证据") {
  const hashes = [...new Set((entries || []).map(fileHash).filter(Boolean))];
  if (!hashes.length) return null;
  return h("div", { class: "gallery", dataset: testid ? { testid } : undefined }, hashes.map((sha, n) => evidenceFile(sha, "", { prefix, n: n + 1 })));
}

// Plain-text evidence entries (descriptions rather than files).
export function textEntries(entries) {
  return (entries || []).filter((e) => !fileHash(e));
}
