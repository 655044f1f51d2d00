// dangjian meetings pages: the compliance heat map, and small form behaviours. No inline scripts (CSP).
// The QR code refreshes itself through htmx polling (hx-trigger="every 30s"), so it needs nothing here.
(function () {
  "use strict";

  // ---- compliance heat map (units × months), data from {{ heatmap|json_script }} ----
  var COLOURS = { met: "#2fb344", missed: "#d63939", due: "#f59f00", upcoming: "#dce1e7", not_required: "#ffffff" };
  var SEVERITY = { not_required: 0, upcoming: 1, met: 2, due: 3, missed: 4 };

  function heatmap(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    el.style.height = Math.max(160, data.units.length * 30 + 50) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var pieces = ["missed", "due", "met", "upcoming", "not_required"].map(function (s) {
      return { value: SEVERITY[s], label: data.status_labels[s], color: COLOURS[s] };
    });
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var esc = window.echarts.format.encodeHTML;
          return esc(data.labels[p.data[1]]) + "<br>" + esc(data.month_labels[p.data[0]]) + "：" +
            esc(data.status_labels[p.data[3]]);
        }
      },
      grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.month_labels, splitArea: { show: true }, position: "top" },
      yAxis: { type: "category", data: data.labels, inverse: true, splitArea: { show: true },
        axisLabel: { width: 180, overflow: "truncate" } },
      // The legend is the page's own (translated, beside the table's colours); the map only colours.
      visualMap: { type: "piecewise", pieces: pieces, dimension: 2, show: false },
      series: [{
        type: "heatmap", data: data.cells, itemStyle: { borderColor: "#fff", borderWidth: 2 },
        label: { show: false }, emphasis: { itemStyle: { borderColor: "#1f2937", borderWidth: 2 } }
      }]
    });
    chart.on("click", function (p) {
      if (!p.data) { return; }
      var month = ("0" + (p.data[0] + 1)).slice(-2);
      var url = data.cell_url.replace("__unit__", encodeURIComponent(data.units[p.data[1]]))
        .replace("__period__", data.year + "-" + month);
      window.location.href = url + "?as_of=" + encodeURIComponent(data.as_of);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-heatmap]").forEach(heatmap);

  // ---- record form: the reason box matters for 请假 and 缺席 only ----
  function syncReason(select) {
    var input = document.querySelector("[data-mark-reason='" + select.getAttribute("data-mark-status") + "']");
    if (!input) { return; }
    var needs = select.value === "excused" || select.value === "absent";
    input.disabled = false;
    input.classList.toggle("invisible", !needs && !input.value);
    input.required = select.value === "excused";
  }
  document.querySelectorAll("[data-mark-status]").forEach(syncReason);
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-mark-status]")) { syncReason(event.target); }
  });

  // ---- vote form: the defaults of 应到/实到 follow the exclusions chosen ----
  function syncVoteDefaults() {
    var eligible = document.querySelector("input[name=eligible][data-default]");
    var present = document.querySelector("input[name=present][data-default]");
    if (!eligible || !present) { return; }
    var e = parseInt(eligible.getAttribute("data-default"), 10);
    var p = parseInt(present.getAttribute("data-default"), 10);
    document.querySelectorAll("[data-exclusion]").forEach(function (sel) {
      if (sel.value) {
        e -= 1;
        if (sel.getAttribute("data-present") === "1") { p -= 1; }
      }
    });
    eligible.placeholder = String(e);
    present.placeholder = String(p);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-exclusion]")) { syncVoteDefaults(); }
  });
  syncVoteDefaults();

  // ---- manual attendance form: 列席 only makes sense for someone not on the list ----
  var observer = document.querySelector("#mark-form input[name=is_observer]");
  var person = document.querySelector("#mark-form select[name=person]");
  if (observer && person) {
    person.addEventListener("change", function () {
      var option = person.options[person.selectedIndex];
      var group = option && option.parentElement && option.parentElement.tagName === "OPTGROUP" ? option.parentElement : null;
      var others = group && group === person.querySelectorAll("optgroup")[1];
      observer.checked = Boolean(others);
    });
  }
})();
