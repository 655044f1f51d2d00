// dangjian: recruitment pages — the funnel charts and the audit report download. No inline scripts (CSP).
(function () {
  "use strict";
  var STAGE_COLOURS = ["#9aa0ac", "#1f5fa8", "#e67e22", "#e74c3c", "#c0392b"];
  var builders = {
    "funnel": function (data) {
      return {
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{
          type: "funnel", left: "5%", width: "90%", top: 10, bottom: 10, sort: "none", minSize: "12%",
          label: { show: true, position: "inside", formatter: function (p) { return p.value ? p.name + " " + p.value : ""; } },
          data: data.stages.map(function (name, i) {
            return { name: name, value: data.totals[i], itemStyle: { color: STAGE_COLOURS[i] } };
          })
        }]
      };
    },
    "branches": function (data) {
      var series = data.stages.map(function (name, i) {
        return { name: name, type: "bar", stack: "s", data: data.series[i], color: STAGE_COLOURS[i] };
      });
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.branches, inverse: true },
        series: series
      };
    }
  };
  if (window.echarts) {
    document.querySelectorAll("[data-rj-chart]").forEach(function (el) {
      var build = builders[el.getAttribute("data-rj-chart")];
      var source = document.getElementById(el.getAttribute("data-source"));
      if (!build || !source) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(JSON.parse(source.textContent)));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // Buttons with data-download-json="<id of a json_script>" save that JSON as a file.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-download-json]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-download-json"));
    if (!source) { return; }
    var text = JSON.stringify(JSON.parse(source.textContent), null, 2);
    var url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = button.getAttribute("data-filename") || "report.json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  });
})();
