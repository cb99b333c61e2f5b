// The manager dashboard's charts (ECharts); each chart's figures are also in the table below it.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const charts = [];
  const make = (id, option) => {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    window.kamCharts = window.kamCharts || {};
    window.kamCharts[id] = chart;
  };
  make("chart-funnel", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 60, right: 60, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.funnel.map((r) => r.stage) },
    yAxis: [{ type: "value", name: "#" }, { type: "value", name: "¥" }],
    series: [
      { name: "count", type: "bar", data: data.funnel.map((r) => r.count) },
      { name: "amount", type: "line", yAxisIndex: 1, data: data.funnel.map((r) => r.amount) },
    ],
  });
  make("chart-weighted", {
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 20, top: 20, bottom: 30 },
    xAxis: { type: "category", data: data.weighted.map((r) => r.quarter) },
    yAxis: { type: "value" },
    series: [{ name: "weighted", type: "bar", data: data.weighted.map((r) => r.weighted) }],
  });
  make("chart-forecast", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 80, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.forecast.map((r) => r.week) },
    yAxis: { type: "value" },
    series: [
      { name: "weighted", type: "line", data: data.forecast.map((r) => r.weighted) },
      { name: "commit", type: "line", data: data.forecast.map((r) => r.commit) },
      { name: "actual", type: "line", lineStyle: { type: "dashed" }, data: data.forecast.map(() => data.actual) },
    ],
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
});

document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const draw = (id, option) => {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el);
    chart.setOption(option);
    window.kamCharts = window.kamCharts || {};
    window.kamCharts[id] = chart;
    window.addEventListener("resize", () => chart.resize());
  };
  draw("chart-conversion", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 50, right: 50, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.conversion.map((r) => r.stage) },
    yAxis: [{ type: "value", max: 1 }, { type: "value", name: "days" }],
    series: [
      { name: "conversion", type: "bar", data: data.conversion.map((r) => r.conversion) },
      { name: "win rate", type: "bar", data: data.conversion.map((r) => r.win_rate) },
      { name: "days", type: "line", yAxisIndex: 1, data: data.conversion.map((r) => r.days) },
    ],
  });
  draw("chart-ageing", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 80, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.ageing.map((r) => r.owner) },
    yAxis: { type: "value" },
    series: data.buckets.map((name, i) => ({ name, type: "bar", stack: "age", data: data.ageing.map((r) => r.buckets[i]) })),
  });
});
