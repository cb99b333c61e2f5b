// The manager dashboard's charts (ECharts); each chart's figures are also in the table below it.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const make = window.kamChart;
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
});

document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const draw = window.kamChart;
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

// The account funnel, accuracy per rep, the tier matrix heatmap, migrations, RFM and pyramid.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const names = data.names || {};
  const draw = window.kamChart;
  draw("chart-accounts", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 60, right: 60, top: 20, bottom: 50, containLabel: true },
    xAxis: { type: "category", data: data.accounts.map((r) => r.stage), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: [{ type: "value", name: "#" }, { type: "value", name: "¥" }],
    series: [
      { name: names.reached, type: "bar", data: data.accounts.map((r) => r.reached) },
      { name: names.revenue, type: "line", yAxisIndex: 1, data: data.accounts.map((r) => r.revenue) },
    ],
  });
  const quarters = [...new Set(data.rep_accuracy.map((r) => r.quarter))];
  const reps = [...new Set(data.rep_accuracy.map((r) => r.rep))];
  draw("chart-rep-accuracy", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 50, right: 20, top: 20, bottom: 50 },
    xAxis: { type: "category", data: quarters },
    yAxis: { type: "value", min: -1, max: 1 },
    series: reps.flatMap((rep) => [
      {
        name: `${rep} ${names.accuracy}`,
        type: "line",
        data: quarters.map((q) => (data.rep_accuracy.find((r) => r.rep === rep && r.quarter === q) || {}).accuracy ?? null),
      },
      {
        name: `${rep} ${names.bias}`,
        type: "line",
        lineStyle: { type: "dashed" },
        data: quarters.map((q) => (data.rep_accuracy.find((r) => r.rep === rep && r.quarter === q) || {}).bias ?? null),
      },
    ]),
  });
  const letters = ["A", "B", "C"];
  const cells = data.tiers.flatMap((row, y) => row.map((n, x) => [x, y, n]));
  draw("chart-tiers", {
    tooltip: { position: "top" },
    grid: { left: 40, right: 20, top: 10, bottom: 60 },
    xAxis: { type: "category", data: ["1", "2", "3", "4", "5", "6"], splitArea: { show: true } },
    yAxis: { type: "category", data: letters, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max: Math.max(1, ...cells.map((c) => c[2])),
      calculable: true,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 80,
    },
    series: [{ name: names.accounts, type: "heatmap", data: cells, label: { show: true } }],
  });
  draw("chart-migrations", {
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 20, top: 10, bottom: 30 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.migrations.map((m) => m.label) },
    series: [{ name: names.accounts, type: "bar", data: data.migrations.map((m) => m.accounts) }],
  });
  draw("chart-segments", {
    tooltip: { trigger: "axis" },
    grid: { left: 110, right: 20, top: 10, bottom: 30 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.segments.map((r) => r.segment) },
    series: [{ name: names.accounts, type: "bar", data: data.segments.map((r) => r.accounts) }],
  });
  draw("chart-pyramid", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 80, right: 50, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.pyramid.map((r) => r.label) },
    yAxis: [{ type: "value", name: "¥" }, { type: "value", name: "#" }],
    series: [
      { name: names.revenue, type: "bar", data: data.pyramid.map((r) => r.revenue) },
      { name: names.accounts, type: "line", yAxisIndex: 1, data: data.pyramid.map((r) => r.accounts) },
    ],
  });
});
