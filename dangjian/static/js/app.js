// dangjian: small behaviours that need no framework. No inline scripts anywhere (CSP).
(function () {
  "use strict";
  // Buttons and links with data-confirm ask before acting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Forms with data-autosubmit submit when a select changes (list filters).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.matches("select, input[type=checkbox]")) {
      form.requestSubmit();
    }
  });
  // Elements with data-href navigate on click (table rows).
  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-href]");
    if (row && !event.target.closest("a, button, input, label")) {
      window.location = row.getAttribute("data-href");
    }
  });
})();
