// Charts from data in <script type="application/json"> blocks (no inline scripts; CSP-safe).
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var builders = {
    "branch-bars": function (data) {
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.branches, inverse: true },
        series: [
          { name: data.labels ? data.labels.full : "正式党员", type: "bar", stack: "m", data: data.full, color: "#c0392b" },
          { name: data.labels ? data.labels.probationary : "预备党员", type: "bar", stack: "m", data: data.probationary, color: "#e67e22" }
        ]
      };
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var build = builders[el.getAttribute("data-chart")];
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!build || !source) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
