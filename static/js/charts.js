// Charts drawn with Apache ECharts (SVG renderer) from data the page carries in
// <script type="application/json"> elements: each chart is a <div class="chart"
// data-chart="ID-of-its-data">. The page states every value and status in words too, so a
// chart never carries information alone.
// Also: on the dashboard, choosing an objective on the strategy map or in its list loads the
// objective's summary into the panel below the map (htmx); without this script the link
// opens the objective's page.
// A page with a chart carries hx-history="false": htmx then keeps no snapshot of it (the drawn
// SVG's style attributes would be refused by the CSP when a snapshot is put back, and scores
// have no place in localStorage), so back and forward ask the server for the page again.
// htmx runs this file again when it puts such a page back; it is wired once.
(() => {
  if (window.bearingCharts) return;
  window.bearingCharts = true;
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const statusColour = (status) =>
    ({ on_track: css("--green"), at_risk: css("--amber"), off_track: css("--red") })[status] || css("--grey");

  const options = {
    gauge: (d) => ({
      series: [{
        type: "gauge", min: 0, max: 10, splitNumber: 3, radius: "95%",
        axisLine: { lineStyle: { width: 14, color: [[1 / 3, css("--red")], [2 / 3, css("--amber")], [1, css("--green")]] } },
        axisLabel: { show: false }, splitLine: { length: 14 }, axisTick: { show: false },
        pointer: { show: d.score !== null }, detail: { show: false }, title: { show: false },
        data: [{ value: d.score === null ? 0 : d.score, name: d.name }],
      }],
    }),
    sparkline: (d) => ({
      grid: { left: 2, right: 2, top: 4, bottom: 4 },
      xAxis: { type: "category", show: false, data: d.labels },
      yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: d.values, symbol: "none", lineStyle: { width: 2, color: css("--accent") } }],
    }),
    heatmap: (d) => ({
      grid: { left: 80, right: 10, top: 10, bottom: 40 },
      xAxis: { type: "category", data: d.months, splitArea: { show: true } },
      yAxis: { type: "category", data: d.rows, inverse: true },
      series: [{
        type: "heatmap",
        data: d.cells.map(([x, y, score, status]) => ({
          value: [x, y, score === null ? "—" : score],
          itemStyle: { color: statusColour(status) },
        })),
        label: { show: true, color: "#fff", formatter: (p) => String(p.value[2]) },
      }],
    }),
    kpi: (d) => {
      const series = [
        { name: "Actual", type: "line", data: d.actuals, connectNulls: false, lineStyle: { width: 3, color: css("--accent") }, itemStyle: { color: css("--accent") } },
        { name: "Goal", type: "line", data: d.goals, symbol: "none", lineStyle: { type: "solid", color: css("--green") } },
        { name: "Red flag", type: "line", data: d.red_flags, symbol: "none", lineStyle: { type: "dotted", color: css("--red") },
          areaStyle: d.direction === "decrease" ? undefined : { color: css("--red"), opacity: 0.08 } },
      ];
      if (d.forecast) {
        series.push({ name: "Forecast", type: "line", data: d.forecast, symbol: "none", lineStyle: { type: "dashed", color: css("--muted") } });
      }
      return {
        legend: { bottom: 0 },
        grid: { left: 50, right: 20, top: 20, bottom: 50 },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", scale: true },
        tooltip: { trigger: "axis" },
        series,
      };
    },
  };

  const draw = (root) => {
    if (!window.echarts) return;
    root.querySelectorAll("div.chart[data-chart]").forEach((el) => {
      const source = document.getElementById(el.dataset.chart);
      if (!source) return;
      const data = JSON.parse(source.textContent);
      const old = window.echarts.getInstanceByDom(el);
      if (old) old.dispose();
      const chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({ aria: { enabled: false }, animation: false, ...options[data.kind](data) });
      el.dataset.drawn = "true";
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    draw(document);
    if (window.htmx) window.htmx.onLoad((elt) => draw(elt));
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("#dashboard-map a, a.objective-link");
    const panel = document.getElementById("objective-summary");
    if (!link || !panel || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const href = link.getAttribute("href") || link.getAttribute("xlink:href");
    window.htmx.ajax("GET", href, { target: "#objective-summary", swap: "innerHTML" });
  });
})();
