// The visit completion rate per rep (ECharts); the figures are also in the table below it.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("chart-visit-rates");
  if (!window.echarts || !el) return;
  const data = JSON.parse(document.getElementById("visit-rates-data").textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, top: 10, bottom: 60 },
    xAxis: { type: "category", data: data.map((r) => r.rep), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: "%", type: "bar", data: data.map((r) => r.rate) }],
  });
  window.kamCharts = window.kamCharts || {};
  window.kamCharts["chart-visit-rates"] = chart;
  window.addEventListener("resize", () => chart.resize());
});
