// Suggestions while typing in a search box (form[data-suggest]): an ARIA 1.2 combobox with a
// listbox popup (WAI-ARIA Authoring Practices, "list autocomplete"). Without this script the
// form still submits to /search. No inline script or style: the popup is shown with `hidden`.
(function () {
  "use strict";

  function setup(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    if (!input || !list) { return; }
    var endpoint = form.getAttribute("data-suggest");
    var lang = form.getAttribute("data-lang") || "de";
    var items = [];
    var active = -1;
    var timer = null;
    var seq = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(index) {
      var item = items[index];
      if (item && item.href && item.href.charAt(0) === "/" && item.href.charAt(1) !== "/") {
        window.location.assign(item.href + (lang !== "de" ? (item.href.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang : ""));
      }
    }

    function show(answer) {
      items = answer.items || [];
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var label = document.createElement("span");
        label.className = "label";
        label.textContent = item.label;
        var kind = document.createElement("span");
        kind.className = "kind-tag";
        kind.textContent = item.kind;
        li.appendChild(label);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(kind);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { go(i); });
        list.appendChild(li);
      });
      if (status) {
        status.textContent = items.length
          ? status.getAttribute("data-count").replace("{n}", String(items.length))
          : status.getAttribute("data-none");
      }
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        active = -1;
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++seq;
      var url = endpoint + "?q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (answer) { if (mine === seq) { show(answer); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) { fetchSuggestions(); return; }
        event.preventDefault();
        mark(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        mark(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        go(active);
      } else if (event.key === "Escape") {
        // close and drop any answer still on its way; the text stays
        window.clearTimeout(timer);
        seq += 1;
        if (open) { event.preventDefault(); close(); }
      } else if (event.key === "Enter") {
        window.clearTimeout(timer);
        seq += 1;
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  document.querySelectorAll("form[data-suggest]").forEach(setup);
})();
