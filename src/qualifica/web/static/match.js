// The match page: filters the competency list while typing (the Filter button does the same
// on the server without script) and moves focus to the error summary or the result after a
// submit. No inline script or style: rows are hidden with the `hidden` attribute.
(function () {
  "use strict";

  function fold(text) {
    return text.toLocaleLowerCase("de").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/ß/g, "ss");
  }
  function spell(text) {
    return fold(text.toLocaleLowerCase("de").replace(/ä/g, "ae").replace(/ö/g, "oe")
      .replace(/ü/g, "ue"));
  }

  var form = document.getElementById("match-form");
  var find = document.getElementById("find");
  var status = document.getElementById("find-status");
  if (form && find) {
    var rows = form.querySelectorAll("li.choice");
    var timer = null;
    var apply = function () {
      var q = find.value.trim();
      var shown = 0;
      rows.forEach(function (row) {
        var label = row.getAttribute("data-label") || "";
        var held = row.querySelector("input[type=checkbox]").checked ||
          row.querySelector("select").value !== "";
        var match = !q || fold(label).indexOf(fold(q)) >= 0 || spell(label).indexOf(spell(q)) >= 0;
        row.hidden = !(match || held);
        if (!row.hidden) { shown += 1; }
      });
      form.querySelectorAll("details.framework").forEach(function (d) {
        var visible = d.querySelectorAll("li.choice:not([hidden])").length;
        d.hidden = visible === 0;
        if (q && visible) { d.open = true; }
      });
      if (status) { status.textContent = status.getAttribute("data-shown").replace("{n}", String(shown)); }
    };
    find.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(apply, 120);
    });
    // with every competency on the page, Enter filters here; otherwise the server filters
    if (form.getAttribute("data-all") === "true") {
      find.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); apply(); }
      });
    }
  }

  var target = document.getElementById("errors") || document.getElementById("result");
  if (target && window.location.search.indexOf("held=") >= 0 ||
      target && window.location.search.indexOf("level-") >= 0) {
    target.scrollIntoView({ block: "start" });
    target.focus();
  }
})();
