// The time-allocation chart (ECharts): actual share of activity time per account category
// against the guideline; the same figures are in the table below it.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("time-allocation-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  window.kamChart("chart-time-allocation", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 40, right: 10, top: 20, bottom: 50 },
    xAxis: { type: "category", data: data.categories },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: data.names.actual, type: "bar", data: data.actual },
      { name: data.names.guideline, type: "bar", data: data.guideline },
    ],
  });
});
