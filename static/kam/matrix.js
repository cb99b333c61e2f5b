// The A1–C6 matrix as a heatmap of revenue; clicking a cell lists its accounts.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("matrix-chart");
  const data = JSON.parse(document.getElementById("matrix-data").textContent);
  if (!el) return;
  const max = Math.max(1, ...data.map((d) => d[3]));
  const chart = window.kamChart("matrix-chart", {
    title: { text: el.dataset.title, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { formatter: (p) => `${p.data[4]}: ${p.data[2]} · ${p.data[3].toLocaleString(document.documentElement.lang)}` },
    grid: { top: 40, bottom: 30, left: 40, right: 10 },
    xAxis: { type: "category", data: ["1", "2", "3", "4", "5", "6"] },
    yAxis: { type: "category", data: ["A", "B", "C"], inverse: true },
    visualMap: { show: false, min: 0, max, dimension: 3, inRange: { color: ["#f8f9fa", "#0d6efd"] } },
    series: [{ type: "heatmap", data, label: { show: true, formatter: (p) => `${p.data[4]}\n${p.data[2]}` } }],
  });
  if (chart) chart.on("click", (p) => { window.location = `/accounts/?tier=${p.data[4]}`; });
});
