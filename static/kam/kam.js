// Behaviour the templates ask for with data attributes (the CSP allows no inline handlers):
// <select data-autosubmit> submits its form on change; <form data-confirm="..."> asks first.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// Every ECharts chart on a page: drawn into the element `id` (nothing when the element or ECharts
// is missing), registered in window.kamCharts for tests and resized with the window.
window.kamChart = (id, option) => {
  const el = document.getElementById(id);
  if (!el || !window.echarts) return null;
  const chart = echarts.init(el);
  chart.setOption(option);
  window.kamCharts = window.kamCharts || {};
  window.kamCharts[id] = chart;
  window.addEventListener("resize", () => chart.resize());
  return chart;
};
