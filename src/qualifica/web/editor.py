"""The SPARQL query editor at ``/sparql`` (HTML): what the page shows and what its script needs.

The page (``templates/sparql.html``) is a CodeMirror 6 editor (``static/codemirror.js``, built
from the npm registry by ``scripts/build_editor.sh``) driven by ``static/sparql.js``. The server
hands the script everything it must not hard-code, as JSON in the page: the prefixes for
completion and for compact result names (``namespaces.PREFIXES``, the prefixes of the ontology
and its instances), the ontology's terms for completion after their prefix, the map from
public IRIs to this server's pages, the named queries as examples with their parameters, and
the words of the page in its language.

A named query with its parameter values becomes query text only through ``sparql.binding``
(:func:`example_text`); the editor never builds SPARQL from form values itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qualifica.context import Context
from qualifica.errors import QualificaError
from qualifica.labels import pick_label
from qualifica.linkeddata.ontology import ontology_doc
from qualifica.namespaces import ID, KINDS, ONTOLOGY_IRI, PREFIXES, QD
from qualifica.sparql import binding, protocol
from qualifica.sparql.registry import NamedQuery, Param
from qualifica.web.i18n import pick_lang, words
from qualifica.web.render import PageInfo, environment, with_lang

log = logging.getLogger(__name__)

#: The ``#+`` header of a named query file (the registry's, not the query's): left out of the
#: text the editor shows.
_HEADER = re.compile(r"\A(?:#\+[^\n]*\n)+")

#: The query the editor opens with when no query is given.
DEFAULT_QUERY = """PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?role ?label WHERE {
  ?role a qd:Role ;
        skos:prefLabel ?label .
  FILTER(lang(?label) = "de")
}
ORDER BY ?label
"""

#: The downloads of a result: (format parameter, file suffix, label) for each query form.
SOLUTION_DOWNLOADS = (("csv", "csv", "CSV"), ("tsv", "tsv", "TSV"), ("json", "json", "JSON"))
GRAPH_DOWNLOADS = (("ttl", "ttl", "Turtle"), ("nt", "nt", "N-Triples"),
                   ("jsonld", "jsonld", "JSON-LD"))

#: The words of the editor (German, English); the site's words come from ``web.i18n``.
_WORDS: dict[str, tuple[str, str]] = {
    "title": ("SPARQL-Abfrage", "SPARQL query"),
    "intro": ("Nur-lesender SPARQL-1.1-Endpunkt unter /sparql. Eine Abfrage ohne Datensatz sieht "
              "alle Graphen (der Standardgraph ist ihre Vereinigung). Zeitlimit je Abfrage: "
              "{timeout} s.",
              "Read-only SPARQL 1.1 endpoint at /sparql. A query that names no dataset sees all "
              "graphs (the default graph is their union). Time limit per query: {timeout} s."),
    "service_description": ("Service-Beschreibung", "Service description"),
    "query": ("Abfrage", "Query"),
    "editor_hint": ("Strg+Enter führt die Abfrage aus; Strg+Leertaste schlägt Präfixe vor; "
                    "Tab verlässt den Editor.",
                    "Ctrl+Enter runs the query; Ctrl+Space suggests prefixes; Tab leaves the "
                    "editor."),
    "run": ("Abfrage ausführen", "Run query"),
    "permalink": ("Permalink", "Permalink"),
    "examples": ("Benannte Abfragen als Beispiele", "Named queries as examples"),
    "example": ("Beispiel", "Example"),
    "load_example": ("In den Editor laden", "Load into the editor"),
    "no_examples": ("Es sind keine benannten Abfragen installiert.",
                    "No named queries are installed."),
    "no_params": ("Ohne Parameter.", "No parameters."),
    "results": ("Ergebnisse", "Results"),
    "running": ("Abfrage läuft …", "Running …"),
    "rows": ("{n} Ergebnis(se) in {ms} ms", "{n} result(s) in {ms} ms"),
    "graph_result": ("{n} Tripel in {ms} ms", "{n} triple(s) in {ms} ms"),
    "ask_true": ("Antwort: ja (true)", "Answer: yes (true)"),
    "ask_false": ("Antwort: nein (false)", "Answer: no (false)"),
    "page_of": ("Zeilen {from}–{to} von {n}", "Rows {from}–{to} of {n}"),
    "previous": ("Zurück", "Previous"),
    "next": ("Weiter", "Next"),
    "page_size": ("Zeilen je Seite", "Rows per page"),
    "sort_by": ("Sortieren nach {col}", "Sort by {col}"),
    "download": ("Herunterladen", "Download"),
    "syntax_error": ("Syntaxfehler in Zeile {line}, Spalte {col}: {msg}",
                     "Syntax error at line {line}, column {col}: {msg}"),
    "undeclared_prefix": ("Präfix {prefix} ist nicht deklariert",
                          "prefix {prefix} is not declared"),
    "error": ("Fehler {status}: {msg}", "Error {status}: {msg}"),
    "request_failed": ("Anfrage fehlgeschlagen: {msg}", "Request failed: {msg}"),
    "empty_result": ("Keine Ergebnisse.", "No results."),
    "result_table": ("Ergebnistabelle", "Result table"),
    "required": ("erforderlich", "required"),
    "default": ("Standard", "default"),
}


def editor_words(lang: str) -> dict[str, str]:
    """The editor's words in ``lang`` (``de`` unless ``en``)."""
    index = 1 if pick_lang(lang) == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


@dataclass(frozen=True)
class Field:
    """A form field for one parameter of a named query."""

    name: str
    id: str
    type: str
    input: str  # text | number | select
    value: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Example:
    """A named query as the editor offers it: its summary, fields and text with example values."""

    name: str
    summary: str
    description: str
    form: str
    text: str
    fields: tuple[Field, ...]


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def param_field(query: NamedQuery, param: Param) -> Field:
    """The form field of ``param``, holding the query's example value (else its default)."""
    value = query.example.get(param.name, param.default)
    if param.type == "boolean":
        choices: tuple[str, ...] = ("true", "false")
    elif param.type == "language":
        choices = ("de", "en")
    else:
        choices = tuple(param.enum or ())
    kind = "select" if choices else "number" if param.type == "integer" else "text"
    return Field(name=param.name, id=f"p-{query.name}-{param.name}", type=param.type,
                 input=kind, value=_value_text(value), required=param.required,
                 description=param.description, choices=choices,
                 minimum=param.minimum, maximum=param.maximum)


def _raw(query: NamedQuery, values: Mapping[str, str]) -> dict[str, object]:
    """Form values as ``sparql.binding`` takes them (``iris`` split on blanks and commas)."""
    raw: dict[str, object] = {}
    for name, value in values.items():
        try:
            param = query.param(name)
        except QualificaError:
            raw[name] = value  # unknown: binding refuses it with a clear message
            continue
        raw[name] = value.replace(",", " ").split() if param.type == "iris" else value
    return raw


def example_text(query: NamedQuery, values: Mapping[str, str]) -> str:
    """The text of ``query`` with ``values`` bound (a ``VALUES`` block, see ``sparql.binding``).

    Raises ``BadParameter`` for a value that does not fit its parameter.
    """
    text = query.text if not query.params else binding.bind(query, _raw(query, values)).as_values()
    return _HEADER.sub("", text)


def examples(ctx: Context) -> list[Example]:
    """Every named query as an example, bound to its example values."""
    out = []
    for named in ctx.registry:
        fields = tuple(param_field(named, p) for p in named.params)
        try:
            text = example_text(named, {f.name: f.value for f in fields if f.value})
        except QualificaError:
            log.debug("named query %s: example values do not bind", named.name)
            text = named.text
        out.append(Example(name=named.name, summary=named.summary,
                           description=named.description, form=named.form, text=text,
                           fields=fields))
    return out


def links() -> list[list[str]]:
    """Public IRI bases and the local paths they map to: the instances of each kind that
    ``/id/{kind}/{slug}`` serves, ontology terms as anchors of the ontology page, the
    ontology itself."""
    kinds = [[f"{ID}{kind}/", f"/id/{kind}/"] for kind in sorted(KINDS)]
    return [*kinds, [QD, "/ontology#"], [ONTOLOGY_IRI, "/ontology"]]


def terms(ctx: Context, lang: str) -> list[list[str]]:
    """The ontology's classes, properties and individuals for completion: prefixed name, kind
    and label in ``lang``."""
    return [[t.name, t.kind, pick_label(t.labels, lang, "")] for t in ontology_doc(ctx).terms
            if ":" in t.name and not t.name.startswith("<")]


def editor_data(ctx: Context, lang: str) -> dict[str, Any]:
    """What ``static/sparql.js`` reads from the page (JSON): prefixes, ontology terms, links,
    words, examples, the download formats."""
    lang = pick_lang(lang)
    return {
        "lang": lang,
        "prefixes": dict(sorted(PREFIXES.items())),
        "terms": terms(ctx, lang),
        "links": links(),
        "words": editor_words(lang),
        "examples": {e.name: e.text for e in examples(ctx)},
        "downloads": {
            "solutions": [list(d) for d in SOLUTION_DOWNLOADS],
            "graph": [list(d) for d in GRAPH_DOWNLOADS],
        },
        "accept": {
            "solutions": protocol.SPARQL_JSON,
            "graph": "application/n-triples",
        },
    }


def render_editor(ctx: Context, lang: str, query: str | None = None) -> str:
    """The editor page; with ``query`` (a permalink) the editor holds it and the page's script
    runs it at once."""
    lang = pick_lang(lang)
    params = [("query", query)] if query is not None else []
    info = PageInfo("/sparql", lang, params)
    return environment().get_template("sparql.html").render(
        t=words(lang), e=editor_words(lang), lang=lang, page=info,
        link=lambda href: with_lang(href, lang),
        query=DEFAULT_QUERY if query is None else query, autorun=query is not None,
        examples=examples(ctx), data=editor_data(ctx, lang),
        timeout=ctx.settings.query_timeout_s,
    )
