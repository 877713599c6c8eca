"""The SPARQL 1.1 Protocol (query part): request parameters, media types, content negotiation
and result serialisation.

- ``read_params`` decodes a query string or form body strictly as UTF-8 and keeps repeated names;
  ``parse_request`` turns GET / POST-form / POST ``application/sparql-query`` into a
  ``ProtocolRequest`` and refuses what the protocol calls a bad request.
- ``negotiate`` picks a media type from ``Accept`` (q-values, wildcards) for a result kind.
- ``serialize_result`` writes SELECT/ASK as SPARQL JSON (written here), XML, CSV or TSV
  (pyoxigraph's writers, fed with that JSON), and graphs as Turtle, N-Triples, JSON-LD or RDF/XML.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from typing import Literal as TypingLiteral
from urllib.parse import parse_qsl

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse_query_results,
    serialize,
)

from qualifica import media
from qualifica.errors import BadParameter, Forbidden, NotAcceptable
from qualifica.namespaces import PREFIXES
from qualifica.sparql import binding
from qualifica.sparql.guard import READ_ONLY
from qualifica.store.base import AskResult, DatasetSpec, GraphResult, QueryResult, Term

ResultKind = TypingLiteral["solutions", "graph"]

# The media types of the protocol, under the names its callers use (from ``qualifica.media``).
from qualifica.media import CSV as CSV  # noqa: E402
from qualifica.media import HTML as HTML  # noqa: E402
from qualifica.media import JSON_LD, N_TRIPLES, RDF_XML  # noqa: E402
from qualifica.media import SPARQL_JSON as SPARQL_JSON  # noqa: E402
from qualifica.media import SPARQL_XML as SPARQL_XML  # noqa: E402
from qualifica.media import TSV as TSV  # noqa: E402
from qualifica.media import TURTLE as TURTLE  # noqa: E402

JSONLD, NTRIPLES, RDFXML = JSON_LD, N_TRIPLES, RDF_XML

#: Media types offered for SELECT/ASK results, in order of preference.
SOLUTION_TYPES: tuple[str, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
#: Media types offered for CONSTRUCT/DESCRIBE results and RDF documents, in order of preference.
GRAPH_TYPES: tuple[str, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)

#: Short names for the ``format`` parameter, each with the media type it names first; for a
#: result of the other kind ``negotiate`` reads the name again (``xml``: RDF/XML for a graph).
FORMAT_NAMES: dict[str, str] = {
    name: next(m for m in (*SOLUTION_TYPES, *GRAPH_TYPES) if m in targets)
    for name, targets in media.FORMAT_KEYS.items()
    if any(m in (*SOLUTION_TYPES, *GRAPH_TYPES) for m in targets)
}

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


# --- requests ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProtocolRequest:
    """A decoded SPARQL protocol request: the query (if any), dataset and format override.

    ``format`` holds every format the ``format`` parameters name, in order and without
    repeats (short names and media types as sent, lower-case), or ``None``.
    """

    query: str | None
    dataset: DatasetSpec | None
    format: tuple[str, ...] | None = None


def read_params(raw: bytes | str, *, source: str) -> list[tuple[str, str]]:
    """Name/value pairs of a query string or form body, strictly UTF-8 (else 400)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadParameter(f"the {source} is not valid UTF-8", param=source) from exc


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    main, *params = content_type.split(";")
    options = {}
    for p in params:
        key, _, value = p.partition("=")
        options[key.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), options


def _single(params: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise BadParameter(
            f"the request has {len(values)} '{name}' parameters; send exactly one", param=name
        )
    return values[0] if values else None


def _dataset(params: Sequence[tuple[str, str]]) -> DatasetSpec | None:
    defaults = [v for k, v in params if k == "default-graph-uri"]
    named = [v for k, v in params if k == "named-graph-uri"]
    if not defaults and not named:
        return None
    try:
        d = tuple(binding.iri(v, param="default-graph-uri").value for v in defaults)
        n = tuple(binding.iri(v, param="named-graph-uri").value for v in named)
    except BadParameter as exc:
        raise BadParameter(exc.detail, param=exc.param, status=400) from exc
    # The protocol dataset replaces the query's: an absent part is empty, not the union.
    return DatasetSpec(default_graphs=d, named_graphs=n)


def parse_request(
    method: str,
    query_string: bytes,
    content_type: str | None,
    body: bytes,
) -> ProtocolRequest:
    """Decode a protocol request; refuses bad encodings, repeated queries and updates."""
    url_params = read_params(query_string, source="query string")
    if method == "GET":
        params = url_params
    else:
        mtype, options = _media_type(content_type)
        charset = options.get("charset")
        if charset and charset not in ("utf-8", "utf8"):
            raise BadParameter(f"only UTF-8 is accepted, not charset={charset}",
                               param="content-type")
        if mtype == FORM:
            params = read_params(body, source="request body")
            if any(k in ("query", "update") for k, _ in url_params):
                raise BadParameter("with a form POST the query goes in the body, not the URL",
                                   param="query")
            params = [*params, *url_params]
        elif mtype == DIRECT:
            if any(k in ("query", "update") for k, _ in url_params):
                raise BadParameter("with application/sparql-query the body is the query; "
                                   "do not repeat it in the URL", param="query")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadParameter("the request body is not valid UTF-8",
                                   param="request body") from exc
            params = [("query", text), *url_params]
        elif mtype == UPDATE:
            raise Forbidden(READ_ONLY)
        elif not mtype:
            raise BadParameter(
                "a POST needs a Content-Type: application/x-www-form-urlencoded or "
                "application/sparql-query", param="content-type")
        else:
            raise BadParameter(
                f"unsupported Content-Type {mtype!r}: use application/x-www-form-urlencoded "
                "or application/sparql-query", param="content-type")
    if any(k == "update" for k, _ in params):
        raise Forbidden(READ_ONLY)
    query = _single(params, "query")
    return ProtocolRequest(query=query, dataset=_dataset(params),
                           format=read_formats(v for k, v in params if k == "format"))


_ALL_TYPES: tuple[str, ...] = (*SOLUTION_TYPES, *GRAPH_TYPES)


def _known_format(item: str) -> bool:
    return item in FORMAT_NAMES or media.resolve_format(item, _ALL_TYPES) is not None


def read_formats(values: Iterable[str]) -> tuple[str, ...] | None:
    """The formats that ``format`` parameters name, read as SPARQLWrapper, Fuseki and Virtuoso
    send them: a short name (``json``, ``xml``, ``turtle``, ``rdf+xml``, ``json-ld`` ...) or a
    media type, a value may list several media types (``application/ld+json,
    application/x-json+ld``), the parameter may be repeated with equivalent values, an empty
    value names nothing. An unknown name is a bad request (400)."""
    items: list[str] = []
    for value in values:
        for part in value.split(","):
            item = part.split(";")[0].strip().lower()
            if not item:
                continue
            if not _known_format(item):
                raise BadParameter(
                    f"unknown format {part.strip()[:40]!r}; use a media type or one of "
                    f"{', '.join(sorted(FORMAT_NAMES))}", param="format")
            if item not in items:
                items.append(item)
    return tuple(items) or None


# --- negotiation ---------------------------------------------------------------------------

parse_accept = media.parse_accept
choose = media.choose


def format_for(kind: ResultKind, formats: Sequence[str] | str | None) -> str | None:
    """The media type of ``kind`` the ``format`` parameters name, or ``None`` when none of
    them is a format of this kind (then ``Accept`` decides).

    A short name stands for its format of this kind (``xml``: SPARQL XML for a SELECT, RDF/XML
    for a CONSTRUCT); so does a media type of the other kind (``application/sparql-results+xml``
    asks RDF/XML of a CONSTRUCT). Of several names, the first that fits wins.
    """
    if not formats:
        return None
    offers = SOLUTION_TYPES if kind == "solutions" else GRAPH_TYPES
    for item in (formats,) if isinstance(formats, str) else formats:
        found = media.resolve_format(item, offers)
        if found is None and item in media.SHORT_NAME:
            found = media.resolve_format(media.SHORT_NAME[item], offers)
        if found is not None:
            return found
    return None


def negotiate(accept: str | None, kind: ResultKind,
              override: Sequence[str] | str | None = None) -> str:
    """The media type for a result kind; ``NotAcceptable`` (406) when nothing fits.

    ``override`` holds what the ``format`` parameters name (see ``format_for``); it wins over
    ``Accept``. Where it names no format of this kind (``format=csv`` for a CONSTRUCT, as
    SPARQLWrapper sends it with ``Accept: */*``), ``Accept`` decides.
    """
    offers = SOLUTION_TYPES if kind == "solutions" else GRAPH_TYPES
    chosen = format_for(kind, override)
    if chosen is not None:
        return chosen
    return media.negotiate(accept, offers)


def result_kind(result: QueryResult) -> ResultKind:
    """``graph`` for CONSTRUCT/DESCRIBE results, ``solutions`` for SELECT/ASK."""
    return "graph" if isinstance(result, GraphResult) else "solutions"


def kind_of_form(form: str) -> ResultKind:
    """The result kind of a query form (``select`` ...)."""
    return "graph" if form in ("construct", "describe") else "solutions"


# --- serialisation -------------------------------------------------------------------------

def term_json(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results form (triple terms as in SPARQL 1.2)."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {"type": "triple", "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        }}
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(result: QueryResult) -> dict[str, Any]:
    """A SELECT or ASK result as a SPARQL 1.1 Query Results JSON document."""
    if isinstance(result, AskResult):
        return {"head": {}, "boolean": result.value}
    if isinstance(result, GraphResult):
        raise TypeError("a graph result has no SPARQL results form")
    return {
        "head": {"vars": list(result.variables)},
        "results": {"bindings": [
            {name: term_json(value) for name, value in row.items()} for row in result.rows
        ]},
    }


content_type = media.content_type


def serialize_result(result: QueryResult, media_type: str) -> bytes:
    """Write a query result in the chosen media type."""
    if isinstance(result, GraphResult):
        return serialize_graph(result.triples, media_type)
    doc = json.dumps(results_json(result), ensure_ascii=False).encode("utf-8")
    if media_type == SPARQL_JSON:
        return doc
    fmt = media.results_format(media_type)
    if fmt is None:
        raise NotAcceptable(f"{media_type} is not a SPARQL results format")
    parsed = parse_query_results(doc, format=QueryResultsFormat.JSON)
    out = parsed.serialize(format=fmt)
    return out if out is not None else b""


def used_prefixes(triples: Sequence[Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of ``triples`` starts with."""
    iris: set[str] = set()

    def collect(term: object) -> None:
        if isinstance(term, NamedNode):
            iris.add(term.value)
        elif isinstance(term, Literal):
            iris.add(term.datatype.value)
        elif isinstance(term, Triple):
            collect(term.subject)
            collect(term.predicate)
            collect(term.object)

    for t in triples:
        collect(t)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def serialize_graph(triples: Sequence[Triple], media_type: str,
                    prefixes: Mapping[str, str] | None = None) -> bytes:
    """Triples in an RDF media type (Turtle, N-Triples, JSON-LD, RDF/XML)."""
    fmt = media.rdf_format(media_type) if media_type in GRAPH_TYPES else None
    if fmt is None:
        raise NotAcceptable(f"{media_type} is not an RDF format")
    used: dict[str, str] = {}
    if fmt in (RdfFormat.TURTLE, RdfFormat.RDF_XML):
        used = used_prefixes(triples, PREFIXES if prefixes is None else prefixes)
    out = serialize(triples, format=fmt, prefixes=used)
    return out if out is not None else b""
