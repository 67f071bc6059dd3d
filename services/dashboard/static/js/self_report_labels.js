// 自查自报: the Chinese words for a self-report's flags (filing one: write.js).
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
