// dangjian: behaviours of the organisation and roster pages. No inline scripts (CSP).
(function () {
  "use strict";

  // Restructure form: show the fields of the chosen kind (elements with data-show-kind="a b").
  function applyKind() {
    var checked = document.querySelector("input[data-kind-switch]:checked");
    if (!checked) { return; }
    document.querySelectorAll("[data-show-kind]").forEach(function (el) {
      var kinds = el.getAttribute("data-show-kind").split(" ");
      el.classList.toggle("d-none", kinds.indexOf(checked.value) === -1);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-kind-switch]")) { applyKind(); }
  });
  document.addEventListener("htmx:afterSettle", applyKind);

  // Transfer form: show the fields of the chosen kind (院内调整 / 转出本院).
  function applyTransfer() {
    var checked = document.querySelector("input[data-transfer-switch]:checked");
    if (!checked) { return; }
    document.querySelectorAll("[data-show-transfer]").forEach(function (el) {
      el.classList.toggle("d-none", el.getAttribute("data-show-transfer") !== checked.value);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-transfer-switch]")) { applyTransfer(); }
  });

  document.addEventListener("DOMContentLoaded", function () { applyKind(); applyTransfer(); });
})();
