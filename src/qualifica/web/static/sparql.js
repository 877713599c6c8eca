/* The SPARQL query page (templates/sparql.html): example buttons, running the query with
   fetch() and rendering the results. Served from /static so that the page's
   Content-Security-Policy can forbid inline scripts. */
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("example-data").textContent);
  var form = document.getElementById("query-form");
  var query = document.getElementById("query");
  var format = document.getElementById("format");
  var status = document.getElementById("status");
  var results = document.getElementById("results");

  document.getElementById("examples").addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-index]");
    if (!button) { return; }
    query.value = examples[Number(button.dataset.index)].text;
    query.focus();
  });

  function term(v) {
    if (!v) { return ""; }
    if (v.type === "uri") { return v.value; }
    if (v.type === "bnode") { return "_:" + v.value; }
    if (v.type === "triple") { return "<< " + term(v.value.subject) + " " + term(v.value.predicate) + " " + term(v.value.object) + " >>"; }
    var s = v.value;
    if (v["xml:lang"]) { s += " @" + v["xml:lang"]; }
    return s;
  }

  // Only http, https and mailto IRIs become links; a javascript: or data: IRI in the results
  // is shown as text (the same rule as the server's pages, qualifica.web.hrefs).
  var SAFE = { "http:": true, "https:": true, "mailto:": true };

  function safeHref(value) {
    if (/[\u0000-\u0020\u007f\\]/.test(value)) { return false; }
    try {
      return SAFE[new URL(value).protocol] === true;
    } catch (e) {
      return false;  // not an absolute URL
    }
  }

  function cell(v) {
    var td = document.createElement("td");
    if (v && v.type === "uri" && safeHref(v.value)) {
      var a = document.createElement("a");
      a.href = v.value; a.textContent = v.value; td.appendChild(a);
    } else {
      td.textContent = term(v);
    }
    return td;
  }

  function table(doc) {
    if (typeof doc.boolean === "boolean") {
      var p = document.createElement("p");
      p.textContent = "ASK: " + doc.boolean;
      return p;
    }
    var vars = doc.head.vars || [];
    var t = document.createElement("table");
    var head = t.createTHead().insertRow();
    vars.forEach(function (name) {
      var th = document.createElement("th"); th.textContent = "?" + name; head.appendChild(th);
    });
    var body = t.createTBody();
    doc.results.bindings.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (name) { tr.appendChild(cell(row[name])); });
    });
    return t;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var accept = format.value === "auto"
      ? "application/sparql-results+json, text/turtle;q=0.9"
      : format.value;
    status.className = ""; status.textContent = "running …";
    results.textContent = "";
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: new URLSearchParams({ query: query.value })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) {
          var detail = text;
          try { detail = JSON.parse(text).detail || text; } catch (e) { /* not JSON */ }
          status.className = "error";
          status.textContent = response.status + ": " + detail;
          return;
        }
        if (type.indexOf("application/sparql-results+json") === 0) {
          var doc = JSON.parse(text);
          var n = doc.results ? doc.results.bindings.length : 1;
          status.textContent = n + " result(s) in " + ms + " ms";
          results.appendChild(table(doc));
        } else {
          status.textContent = type.split(";")[0] + " in " + ms + " ms";
          var pre = document.createElement("pre");
          pre.textContent = text;
          results.appendChild(pre);
        }
      });
    }).catch(function (err) {
      status.className = "error";
      status.textContent = "request failed: " + err;
    });
  });
}());
