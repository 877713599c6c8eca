// The gap page: the result's summary takes the focus by itself (autofocus, no script
// needed); this only scrolls it to the top of the window, so that the tables below it are in
// view too.
(function () {
  "use strict";
  function lift() {
    var summary = document.getElementById("result-summary");
    if (summary && document.activeElement === summary) {
      summary.scrollIntoView({ block: "start" });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", lift);
  } else {
    lift();
  }
})();
