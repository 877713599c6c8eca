/* The SPARQL query editor (templates/sparql.html, qualifica.web.editor).

   A CodeMirror 6 editor (static/codemirror.js, global QualificaCodeMirror) replaces the
   textarea: SPARQL highlighting, prefix completion from the prefixes the server lists in the
   page, Ctrl+Enter runs. Results come from the SPARQL endpoint with fetch(): SELECT and ASK as
   SPARQL JSON, CONSTRUCT and DESCRIBE as N-Triples, shown in a paged, sortable table with
   prefixed names; IRIs under the public bases link to this server's pages. Served from /static
   so that the page's Content-Security-Policy can forbid inline scripts and styles. Without the
   script the page is a plain form whose GET is the permalink of the query. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var W = data.words;
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var body = document.getElementById("result-body");
  var downloads = document.getElementById("downloads");
  var permalink = document.getElementById("permalink");
  var CM = window.QualificaCodeMirror;
  var view = null;
  var PAGE_SIZES = [10, 25, 50, 100, 500];

  function say(key, values) {
    return W[key].replace(/\{(\w+)\}/g, function (m, k) {
      return values && values[k] !== undefined ? String(values[k]) : m;
    });
  }

  // --- the editor ----------------------------------------------------------------------

  function getText() { return view ? view.state.doc.toString() : textarea.value; }

  function setText(text) {
    if (view) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text },
                      selection: { anchor: 0 } });
      view.dispatch(CM.setDiagnostics(view.state, []));
    } else {
      textarea.value = text;
    }
  }

  function declared(text) {
    var found = {};
    var re = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi;
    var m;
    while ((m = re.exec(text)) !== null) { found[m[1] || ""] = m[2]; }
    return found;
  }

  function prefixLine(name) { return "PREFIX " + name + ": <" + data.prefixes[name] + ">\n"; }

  // Where a new PREFIX line goes: after the last PREFIX or BASE line at the top.
  function prologueEnd(doc) {
    var pos = 0;
    for (var i = 1; i <= doc.lines; i++) {
      var line = doc.line(i);
      if (/^\s*(PREFIX|BASE)\b/i.test(line.text)) { pos = line.to + 1; }
      else if (/^\s*(#.*)?$/.test(line.text)) { continue; }
      else { break; }
    }
    return Math.min(pos, doc.length);
  }

  function completePrefixes(context) {
    var line = context.state.doc.lineAt(context.pos);
    var before = line.text.slice(0, context.pos - line.from);
    var names = Object.keys(data.prefixes);
    // Nothing to complete in a comment (a # outside IRIs and strings).
    if (/#/.test(before.replace(/<[^>\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ""))) {
      return null;
    }
    var decl = /^\s*PREFIX\s+([A-Za-z][\w-]*)?$/i.exec(before);
    if (decl) {
      return {
        from: context.pos - (decl[1] || "").length,
        options: names.map(function (name) {
          return { label: name + ":", detail: "<" + data.prefixes[name] + ">", type: "namespace",
                   apply: name + ": <" + data.prefixes[name] + ">" };
        }),
        validFor: /^[\w-]*$/
      };
    }
    var name = context.matchBefore(/[A-Za-z][\w-]*:[\w-]*/);
    if (name && !(name.from > line.from && /[?$<"'\w:]/.test(
      context.state.sliceDoc(name.from - 1, name.from)))) {
      var pfx = name.text.slice(0, name.text.indexOf(":"));
      var known = data.terms.filter(function (t) { return t[0].indexOf(pfx + ":") === 0; });
      if (!known.length) { return null; }
      var declaredNow = declared(context.state.doc.toString());
      return {
        from: name.from + pfx.length + 1,
        options: known.map(function (t) {
          var local = t[0].slice(pfx.length + 1);
          return {
            label: local, detail: t[2] ? t[1] + " · " + t[2] : t[1],
            type: t[1] === "class" ? "class" : t[1] === "individual" ? "constant" : "property",
            apply: function (v, completion, from, to) {
              var changes = [{ from: from, to: to, insert: local }];
              var extra = 0;
              if (declaredNow[pfx] === undefined && data.prefixes[pfx] !== undefined) {
                var at = prologueEnd(v.state.doc);
                changes.push({ from: at, insert: prefixLine(pfx) });
                extra = at <= from ? prefixLine(pfx).length : 0;
              }
              v.dispatch({ changes: changes, selection: { anchor: from + extra + local.length } });
            }
          };
        }),
        validFor: /^[\w-]*$/
      };
    }
    var word = context.matchBefore(/[A-Za-z][\w-]*/);
    if (!word || (word.from > line.from && /[?$<"'\w:]/.test(
      context.state.sliceDoc(word.from - 1, word.from)))) {
      if (!context.explicit) { return null; }
      word = { from: context.pos, to: context.pos, text: "" };
    }
    var have = declared(context.state.doc.toString());
    return {
      from: word.from,
      options: names.map(function (name) {
        return {
          label: name + ":", detail: data.prefixes[name], type: "namespace",
          apply: function (v, completion, from, to) {
            var changes = [{ from: from, to: to, insert: name + ":" }];
            var extra = 0;
            if (have[name] === undefined) {
              var at = prologueEnd(v.state.doc);
              changes.push({ from: at, insert: prefixLine(name) });
              extra = at <= from ? prefixLine(name).length : 0;
            }
            v.dispatch({ changes: changes,
                         selection: { anchor: from + extra + name.length + 1 } });
          }
        };
      }),
      validFor: /^[\w-]*$/
    };
  }

  function makeEditor() {
    if (!CM) { return; }  // the bundle did not load: the textarea stays
    var t = CM.tags;
    var style = CM.HighlightStyle.define([
      { tag: t.keyword, color: "#6a1b9a", fontWeight: "600" },
      { tag: [t.special(t.variableName), t.variableName], color: "#0b4f8a" },
      { tag: [t.atom, t.url, t.link], color: "#1e6b34" },
      { tag: t.string, color: "#a4161a" },
      { tag: t.number, color: "#7a4a00" },
      { tag: t.comment, color: "#595959", fontStyle: "italic" },
      { tag: [t.standard(t.variableName), t.function(t.variableName)], color: "#6b3e00" },
      { tag: t.meta, color: "#4a4a4a" }
    ]);
    var theme = CM.EditorView.theme({
      "&": { border: "1px solid #6e7781", borderRadius: "4px", backgroundColor: "#fff" },
      "&.cm-focused": { outline: "3px solid #ffbf47", outlineOffset: "2px" },
      ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
                       fontSize: "0.9rem", minHeight: "14rem" },
      ".cm-gutters": { backgroundColor: "#f3f5f8", color: "#4a4a4a", borderRight: "1px solid #d0d7de" },
      ".cm-scroller": { overflow: "auto", maxHeight: "32rem" }
    });
    view = new CM.EditorView({
      doc: textarea.value,
      extensions: [
        CM.Prec.highest(CM.keymap.of([{ key: "Mod-Enter", run: function () { run(); return true; } }])),
        CM.lineNumbers(),
        CM.history(),
        CM.drawSelection(),
        CM.indentOnInput(),
        CM.bracketMatching(),
        CM.closeBrackets(),
        CM.StreamLanguage.define(CM.sparql),
        CM.syntaxHighlighting(style),
        CM.autocompletion({ override: [completePrefixes], activateOnTyping: true }),
        CM.keymap.of([].concat(CM.closeBracketsKeymap, CM.defaultKeymap, CM.historyKeymap,
                               CM.completionKeymap)),
        CM.EditorView.lineWrapping,
        theme,
        CM.EditorView.contentAttributes.of({
          "aria-labelledby": "query-label", "aria-describedby": "editor-hint", "id": "query-editor"
        })
      ]
    });
    textarea.hidden = true;
    textarea.insertAdjacentElement("afterend", view.dom);
  }

  // --- terms: prefixed names and local links ---------------------------------------------

  var SAFE = { "http:": true, "https:": true, "mailto:": true };

  function safeHref(value) {
    // Only http, https and mailto IRIs become links (the rule of qualifica.web.hrefs).
    if (/[\u0000-\u0020\u007f\\]/.test(value)) { return false; }
    try { return SAFE[new URL(value).protocol] === true; } catch (e) { return false; }
  }

  function localHref(iri) {
    for (var i = 0; i < data.links.length; i++) {
      var base = data.links[i][0], path = data.links[i][1];
      if (iri === base) { return withLang(path, ""); }
      if (iri.indexOf(base) === 0) {
        var rest = iri.slice(base.length);
        if (path.charAt(path.length - 1) === "#") {
          return /^[\w.-]+$/.test(rest) ? withLang(path.slice(0, -1), "#" + rest) : null;
        }
        return /^[\w.~%-]+$/.test(rest) ? withLang(path + rest, "") : null;
      }
    }
    return null;
  }

  function withLang(path, fragment) {
    // /id/ pages follow Accept-Language unless the language is named (see web.render.with_lang).
    var lang = data.lang === "de" && path.indexOf("/id/") !== 0 ? "" : "?lang=" + data.lang;
    return path + lang + fragment;
  }

  function compact(iri, prefixes) {
    var best = null;
    Object.keys(prefixes).forEach(function (name) {
      var ns = prefixes[name];
      if (ns && iri.indexOf(ns) === 0 && (best === null || ns.length > prefixes[best].length)) {
        var local = iri.slice(ns.length);
        if (/^([A-Za-z0-9_]([\w.-]*[\w-])?)?$/.test(local)) { best = name; }
      }
    });
    return best === null ? null : best + ":" + iri.slice(prefixes[best].length);
  }

  function termText(v, prefixes) {
    if (!v) { return ""; }
    if (v.type === "uri") { return compact(v.value, prefixes) || "<" + v.value + ">"; }
    if (v.type === "bnode") { return "_:" + v.value; }
    if (v.type === "triple") {
      return "<< " + termText(v.value.subject, prefixes) + " " + termText(v.value.predicate, prefixes) +
        " " + termText(v.value.object, prefixes) + " >>";
    }
    return v.value;
  }

  function cell(v, prefixes) {
    var td = document.createElement("td");
    if (!v) { return td; }
    if (v.type === "uri") {
      var local = localHref(v.value);
      var text = compact(v.value, prefixes) || v.value;
      if (local || safeHref(v.value)) {
        var a = document.createElement("a");
        a.href = local || v.value;
        a.textContent = text;
        a.title = v.value;
        td.appendChild(a);
      } else {
        td.textContent = text;  // a javascript: or data: IRI is text, never a link
      }
      return td;
    }
    td.textContent = termText(v, prefixes);
    if (v.type === "literal" || v.type === "typed-literal") {
      var note = v["xml:lang"] ? "@" + v["xml:lang"]
        : v.datatype ? "^^" + (compact(v.datatype, prefixes) || "<" + v.datatype + ">") : "";
      if (note) {
        var span = document.createElement("span");
        span.className = "dt";
        span.textContent = " " + note;
        td.appendChild(span);
      }
    }
    return td;
  }

  // --- N-Triples (graph results) -------------------------------------------------------------

  function unescapeLiteral(s) {
    return s.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, function (m, u4, u8, c) {
      if (u4 || u8) { return String.fromCodePoint(parseInt(u4 || u8, 16)); }
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f" }[c] || c;
    });
  }

  var NT_TERM = /^\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?)/;

  function ntTerm(rest) {
    var m = NT_TERM.exec(rest);
    if (!m) { return null; }
    var term;
    if (m[1] !== undefined) { term = { type: "uri", value: m[1] }; }
    else if (m[2] !== undefined) { term = { type: "bnode", value: m[2] }; }
    else {
      term = { type: "literal", value: unescapeLiteral(m[3]) };
      if (m[4]) { term["xml:lang"] = m[4]; }
      if (m[5]) { term.datatype = m[5]; }
    }
    return { term: term, rest: rest.slice(m[0].length) };
  }

  function parseNTriples(text) {
    var rows = [];
    text.split("\n").forEach(function (line) {
      if (!line.trim() || line.trim().charAt(0) === "#") { return; }
      var s = ntTerm(line), p = s && ntTerm(s.rest), o = p && ntTerm(p.rest);
      if (o) { rows.push({ subject: s.term, predicate: p.term, object: o.term }); }
    });
    return { head: { vars: ["subject", "predicate", "object"] }, results: { bindings: rows } };
  }

  // --- the result table: paging and sorting ------------------------------------------------

  var NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedLong|unsignedInt)$/;

  function sortKey(v) {
    if (!v) { return null; }
    if (v.datatype && NUMERIC.test(v.datatype) && !isNaN(Number(v.value))) { return Number(v.value); }
    return v.value;
  }

  function compareTerms(a, b) {
    var x = sortKey(a), y = sortKey(b);
    if (x === null || y === null) { return x === y ? 0 : x === null ? 1 : -1; }  // unbound last
    if (typeof x === "number" && typeof y === "number") { return x - y; }
    return String(x).localeCompare(String(y), data.lang);
  }

  function Table(doc, prefixes) {
    this.vars = doc.head.vars || [];
    this.rows = doc.results.bindings.slice();
    this.prefixes = prefixes;
    this.page = 0;
    this.size = 25;
    this.sortVar = null;
    this.sortDir = 1;
  }

  Table.prototype.sortBy = function (name) {
    this.sortDir = this.sortVar === name ? -this.sortDir : 1;
    this.sortVar = name;
    var dir = this.sortDir;
    var indexed = this.rows.map(function (row, i) { return [row, i]; });
    indexed.sort(function (a, b) { return dir * compareTerms(a[0][name], b[0][name]) || a[1] - b[1]; });
    this.rows = indexed.map(function (p) { return p[0]; });
    this.page = 0;
    this.render();
    var again = body.querySelector("th[data-var='" + name + "'] button");
    if (again) { again.focus(); }
  };

  Table.prototype.render = function () {
    var self = this;
    body.textContent = "";
    if (!this.rows.length) {
      var empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = W.empty_result;
      body.appendChild(empty);
      return;
    }
    var pages = Math.ceil(this.rows.length / this.size);
    this.page = Math.min(this.page, pages - 1);
    var start = this.page * this.size;
    var end = Math.min(start + this.size, this.rows.length);

    var scroll = document.createElement("div");
    scroll.className = "scroll";
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", W.result_table);
    scroll.tabIndex = 0;
    var table = document.createElement("table");
    table.id = "result-table";
    var head = table.createTHead().insertRow();
    this.vars.forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.dataset.var = name;
      th.setAttribute("aria-sort", self.sortVar !== name ? "none"
        : self.sortDir > 0 ? "ascending" : "descending");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = "?" + name;
      button.setAttribute("aria-label", say("sort_by", { col: "?" + name }));
      button.addEventListener("click", function () { self.sortBy(name); });
      th.appendChild(button);
      head.appendChild(th);
    });
    var tbody = table.createTBody();
    this.rows.slice(start, end).forEach(function (row) {
      var tr = tbody.insertRow();
      self.vars.forEach(function (name) { tr.appendChild(cell(row[name], self.prefixes)); });
    });
    scroll.appendChild(table);
    body.appendChild(scroll);
    body.appendChild(this.pager(start, end, pages));
  };

  Table.prototype.pager = function (start, end, pages) {
    var self = this;
    var nav = document.createElement("div");
    nav.className = "pager";
    var label = document.createElement("label");
    label.htmlFor = "page-size";
    label.textContent = W.page_size + " ";
    var select = document.createElement("select");
    select.id = "page-size";
    PAGE_SIZES.forEach(function (n) {
      var o = document.createElement("option");
      o.value = String(n); o.textContent = String(n); o.selected = n === self.size;
      select.appendChild(o);
    });
    select.addEventListener("change", function () {
      self.size = Number(select.value); self.page = 0; self.render();
      document.getElementById("page-size").focus();
    });
    label.appendChild(select);
    function button(id, text, enabled, page) {
      var b = document.createElement("button");
      b.type = "button"; b.id = id; b.textContent = text; b.disabled = !enabled;
      b.addEventListener("click", function () {
        self.page = page; self.render();
        var again = document.getElementById(id);
        (again && !again.disabled ? again : document.getElementById("page-size")).focus();
      });
      return b;
    }
    var info = document.createElement("span");
    info.id = "page-info";
    info.textContent = say("page_of", { from: start + 1, to: end, n: this.rows.length });
    nav.appendChild(label);
    nav.appendChild(button("page-prev", W.previous, this.page > 0, this.page - 1));
    nav.appendChild(info);
    nav.appendChild(button("page-next", W.next, this.page < pages - 1, this.page + 1));
    return nav;
  };

  // --- running a query -----------------------------------------------------------------------

  function queryUrl(text, extra) {
    var params = new URLSearchParams({ query: text });
    Object.keys(extra).forEach(function (k) { params.set(k, extra[k]); });
    return "/sparql?" + params.toString();
  }

  function showDownloads(text, kind) {
    downloads.textContent = "";
    var label = document.createElement("span");
    label.textContent = W.download + ": ";
    downloads.appendChild(label);
    data.downloads[kind].forEach(function (d, i) {
      var a = document.createElement("a");
      a.className = "csv";
      a.href = queryUrl(text, { format: d[0] });
      a.setAttribute("download", "query-results." + d[1]);
      a.dataset.format = d[0];
      a.textContent = d[2];
      if (i) { downloads.appendChild(document.createTextNode(" ")); }
      downloads.appendChild(a);
    });
  }

  // Oxigraph reports where its parse stopped: the column just past the token it could not use.
  // The message names that token's line and first column, says an undeclared prefix plainly,
  // and keeps only the first line of a long list of expectations.
  function showError(code, detail, text) {
    var m = /error at (\d+):(\d+): ([\s\S]*)$/.exec(detail);
    status.className = "error";
    status.dataset.state = "error";
    if (!m) {
      status.textContent = say("error", { status: code, msg: detail });
      return;
    }
    var line = Number(m[1]), col = Number(m[2]), msg = m[3].split("\n")[0];
    var doc = view ? view.state.doc : null;
    var from = null, to = null;
    var lineText = doc && line <= doc.lines ? doc.line(line).text
      : (text.split("\n")[line - 1] || "");
    var end = Math.min(col - 2, lineText.length - 1);
    if (end >= 0 && /\S/.test(lineText.charAt(end))) {
      var start = end;
      if (!/[{}()\[\];,]/.test(lineText.charAt(end))) {
        while (start > 0 && /[^\s{}()\[\];,]/.test(lineText.charAt(start - 1))) { start--; }
      }
      col = start + 1;
      var token = lineText.slice(start, end + 1);
      var pfx = /^([A-Za-z][\w.-]*)?:/.exec(token);
      if (pfx && declared(text)[pfx[1] || ""] === undefined) {
        msg = say("undeclared_prefix", { prefix: (pfx[1] || "") + ":" });
      }
      if (doc) { from = doc.line(line).from + start; to = doc.line(line).from + end + 1; }
    } else if (doc && line <= doc.lines) {
      from = Math.min(doc.line(line).from + col - 1, doc.line(line).to);
      to = Math.min(from + 1, doc.length);
    }
    msg = msg.replace(/,?\s*\[[^\]]*$/, "");
    if (msg.length > 100) { msg = msg.slice(0, 99) + "…"; }
    status.textContent = say("syntax_error", { line: line, col: col, msg: msg });
    if (view && from !== null) {
      view.dispatch(CM.setDiagnostics(view.state, [
        { from: from, to: Math.max(to, from), severity: "error", message: status.textContent }
      ]));
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    }
  }

  function run() {
    var text = getText();
    textarea.value = text;
    var link = queryUrl(text, data.lang === "de" ? {} : { lang: data.lang });
    permalink.href = link;
    history.replaceState(null, "", link);
    if (view) { view.dispatch(CM.setDiagnostics(view.state, [])); }
    status.className = "";
    status.dataset.state = "running";
    status.textContent = W.running;
    results.hidden = true;
    body.textContent = "";
    downloads.textContent = "";
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 // N-Triples first: a graph query asked for SPARQL JSON would answer JSON-LD.
                 "Accept": data.accept.graph + ", " + data.accept.solutions + ";q=0.9" },
      body: new URLSearchParams({ query: text })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (payload) {
        var ms = Math.round(performance.now() - started);
        if (!response.ok) {
          var detail = payload;
          try { detail = JSON.parse(payload).detail || payload; } catch (e) { /* not JSON */ }
          showError(response.status, detail, text);
          return;
        }
        var prefixes = Object.assign({}, data.prefixes, declared(text));
        status.dataset.state = "done";
        results.hidden = false;
        if (type.indexOf(data.accept.solutions) === 0) {
          var doc = JSON.parse(payload);
          showDownloads(text, "solutions");
          if (typeof doc.boolean === "boolean") {
            status.textContent = doc.boolean ? W.ask_true : W.ask_false;
            var p = document.createElement("p");
            p.className = "ask";
            p.textContent = doc.boolean ? W.ask_true : W.ask_false;
            body.appendChild(p);
            return;
          }
          status.textContent = say("rows", { n: doc.results.bindings.length, ms: ms });
          new Table(doc, prefixes).render();
        } else {
          var graph = parseNTriples(payload);
          showDownloads(text, "graph");
          status.textContent = say("graph_result", { n: graph.results.bindings.length, ms: ms });
          new Table(graph, prefixes).render();
        }
      });
    }).catch(function (err) {
      status.className = "error";
      status.dataset.state = "error";
      status.textContent = say("request_failed", { msg: String(err) });
    });
  }

  // --- examples ------------------------------------------------------------------------------

  function loadExample(ev) {
    var exForm = ev.target.closest("form.example-form");
    if (!exForm) { return; }
    ev.preventDefault();
    var params = new URLSearchParams(new FormData(exForm));
    params.delete("page-lang");
    fetch(exForm.getAttribute("action") + "?" + params.toString(),
          { headers: { "Accept": "application/sparql-query" } })
      .then(function (response) {
        return response.text().then(function (payload) {
          if (!response.ok) {
            var detail = payload;
            try { detail = JSON.parse(payload).detail || payload; } catch (e) { /* not JSON */ }
            status.className = "error";
            status.dataset.state = "error";
            status.textContent = say("error", { status: response.status, msg: detail });
            return;
          }
          setText(payload);
          if (view) { view.focus(); } else { textarea.focus(); }
          run();
        });
      });
  }

  makeEditor();
  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  document.addEventListener("submit", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("example-form")) { loadExample(ev); }
  });
  if (form.dataset.autorun === "true") { run(); }
}());
