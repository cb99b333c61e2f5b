// The visit completion rate per rep (ECharts); the figures are also in the table below it.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("visit-rates-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  window.kamChart("chart-visit-rates", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, top: 10, bottom: 60 },
    xAxis: { type: "category", data: data.map((r) => r.rep), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: "%", type: "bar", data: data.map((r) => r.rate) }],
  });
});
