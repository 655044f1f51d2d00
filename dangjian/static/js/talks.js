// Talk pages: the coverage chart, drawn from a <script type="application/json"> block (no inline scripts; CSP).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  document.querySelectorAll("[data-talk-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    // One bar per rule and unit: the chart grows with the rows (CSSOM, not an inline style attribute).
    el.style.height = Math.max(160, 40 * data.labels.length + 60) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 180, overflow: "truncate" } },
      series: [
        { name: el.getAttribute("data-done-label") || "已谈", type: "bar", stack: "t", data: data.done, color: "#2fb344" },
        { name: el.getAttribute("data-missing-label") || "未谈", type: "bar", stack: "t", data: data.missing, color: "#d63939" }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
