// A reporting period: a year, one of its quarters, or one of its months → discovered_from / _to.
import { shiftMonth, thisYear, today } from "./dom.js";

export function years(back = 5) {
  const now = thisYear();
  return Array.from({ length: back + 1 }, (_, i) => String(now - i)).map((y) => [y, `${y} 年`]);
}

export const PERIODS = [
  ["", "全年"], ["R12", "近 12 个月"],
  ["Q1", "第一季度"], ["Q2", "第二季度"], ["Q3", "第三季度"], ["Q4", "第四季度"],
  ...Array.from({ length: 12 }, (_, i) => [`M${i + 1}`, `${i + 1} 月`]),
];

const pad = (n) => String(n).padStart(2, "0");
const lastDay = (year, month) => new Date(Date.UTC(year, month, 0)).getUTCDate();

// [from, to] as ISO dates
export function range(year, period) {
  if (period === "R12") return rolling();
  const y = Number(year);
  let first = 1;
  let last = 12;
  if (/^Q[1-4]$/.test(period)) {
    last = Number(period[1]) * 3;
    first = last - 2;
  } else if (/^M([1-9]|1[0-2])$/.test(period)) {
    first = last = Number(period.slice(1));
  }
  return [`${y}-${pad(first)}-01`, `${y}-${pad(last)}-${pad(lastDay(y, last))}`];
}

// the rolling 12 months: this month and the 11 before it, up to today (the year is ignored)
function rolling() {
  const day = today();
  return [`${shiftMonth(day.slice(0, 7), -11)}-01`, day];
}

export function describe(year, period) {
  if (period === "R12") {
    const [from, to] = rolling();
    return `近 12 个月（${from} 至 ${to}）`;
  }
  const label = (PERIODS.find(([v]) => v === (period || "")) || PERIODS[0])[1];
  return `${year} 年${period ? label : "全年"}`;
}
