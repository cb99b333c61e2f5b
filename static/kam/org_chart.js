// An account's org chart (reporting lines) as an ECharts tree; each node shows title, buying role, attitude.
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("org-chart");
  const source = document.getElementById("org-chart-data");
  if (!el || !source) return;
  const roots = JSON.parse(source.textContent);
  const data = roots.length === 1 ? roots[0] : { name: "", value: "", children: roots };
  window.kamChart("org-chart", {
    tooltip: { formatter: (p) => `${p.data.name}<br>${p.data.value}` },
    series: [{
      type: "tree", data: [data], orient: "TB", top: 20, bottom: 40, left: 20, right: 20,
      symbolSize: 8, expandAndCollapse: true, initialTreeDepth: -1,
      label: { position: "top", fontSize: 11 }, leaves: { label: { position: "bottom" } },
    }],
  });
});
