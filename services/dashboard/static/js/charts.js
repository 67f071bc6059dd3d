// Charts with Apache ECharts (vendored: /static/dashboard/vendor/echarts/, loaded as a classic script).
const echarts = window.echarts;
const FONT = '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif';
const charts = new Set();
window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

function chart(el) {
  const existing = echarts.getInstanceByDom(el);
  if (existing) return existing;
  const c = echarts.init(el, null, { renderer: "canvas" });
  charts.add(c);
  return c;
}

// 整改率 by township (rows) × sector (columns). cells: [{township, sector, found, rectified, overdue, rate}]
export function heatmap(el, townships, sectors, cells, { onClick } = {}) {
  const c = chart(el);
  const x = sectors.map(([code]) => code);
  const y = townships.map(([code]) => code);
  const data = cells.filter((cell) => cell.found > 0).map((cell) => ({
    value: [x.indexOf(cell.sector), y.indexOf(cell.township), Math.round(cell.rate * 1000) / 10],
    cell,
  }));
  el.style.height = `${Math.max(160, 70 + townships.length * 26)}px`;
  c.resize();
  c.setOption({
    textStyle: { fontFamily: FONT },
    animation: false,
    tooltip: {
      formatter: (p) => {
        const cell = p.data.cell;
        return `${townships[p.value[1]][1]} · ${sectors[p.value[0]][1]}<br>发现 ${cell.found}，已整改 ${cell.rectified}，逾期 ${cell.overdue}<br>整改率 ${p.value[2]}%`;
      },
    },
    grid: { left: 96, right: 16, top: 8, bottom: 64 },
    xAxis: { type: "category", data: sectors.map(([, name]) => name), splitArea: { show: true }, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "category", data: townships.map(([, name]) => name), inverse: true, splitArea: { show: true } },
    visualMap: {
      type: "piecewise", orient: "horizontal", left: "center", bottom: 0, dimension: 2,
      pieces: [
        { lt: 80, label: "低于 80%", color: "#c0392b" },
        { gte: 80, lt: 90, label: "80%–90%", color: "#e67e22" },
        { gte: 90, lt: 95, label: "90%–95%", color: "#f1c40f" },
        { gte: 95, lt: 100, label: "95%–100%", color: "#9ccc65" },
        { value: 100, label: "100%", color: "#2e7d32" },
      ],
    },
    series: [{
      type: "heatmap", data,
      label: { show: true, formatter: (p) => `${Math.round(p.value[2])}`, fontSize: 11 },
      emphasis: { itemStyle: { borderColor: "#1f4e79", borderWidth: 2 } },
    }],
  }, true);
  c.off("click");
  if (onClick) c.on("click", (p) => onClick(p.data.cell));
  return c;
}

// Found against rectified, month by month. groups: rates groups by county per month.
export function trend(el, groups) {
  const c = chart(el);
  c.setOption({
    textStyle: { fontFamily: FONT },
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: ["发现隐患", "已整改", "逾期未整改"], top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 28 },
    xAxis: { type: "category", data: groups.map((g) => g.period) },
    yAxis: [{ type: "value", name: "条", minInterval: 1 }],
    series: [
      { name: "发现隐患", type: "bar", data: groups.map((g) => g.found), itemStyle: { color: "#5b8ff9" } },
      { name: "已整改", type: "bar", data: groups.map((g) => g.rectified), itemStyle: { color: "#5ad8a6" } },
      { name: "逾期未整改", type: "line", data: groups.map((g) => g.overdue), itemStyle: { color: "#c0392b" } },
    ],
  }, true);
  return c;
}

// Stacked bars: e.g. 三不放过 violated and pending per township.
export function stacked(el, categories, series, { onClick } = {}) {
  const c = chart(el);
  c.setOption({
    textStyle: { fontFamily: FONT },
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 64 },
    xAxis: { type: "category", data: categories, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: series.map((s) => ({ type: "bar", stack: "all", ...s })),
  }, true);
  c.off("click");
  if (onClick) c.on("click", (p) => onClick(p.dataIndex, p.seriesIndex));
  return c;
}
