"""The read-only SPARQL 1.1 Protocol endpoint ``/sparql`` (query operation).

GET and POST (form or ``application/sparql-query``) run a query over the store — with no dataset
named, the default graph is the union of all graphs. ``GET /sparql`` without a query answers a
Service Description, or for a browser the query page. The request checks, negotiation and
serialisation live in ``sparql.protocol`` and ``sparql.guard``; queries are evaluated in the
sandbox's worker processes (``qualifica.sandbox``) with the configured time limit.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qualifica.api.body import read_body
from qualifica.api.deps import CtxDep, SandboxDep
from qualifica.context import Context
from qualifica.errors import BadParameter
from qualifica.linkeddata.service_description import service_description
from qualifica.namespaces import PREFIXES, SD
from qualifica.sparql import guard, protocol
from qualifica.web import editor
from qualifica.web.i18n import pick_lang

log = logging.getLogger(__name__)

router = APIRouter(tags=["sparql"])

_PARAMS: list[dict[str, Any]] = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without it, "
                    "GET answers the Service Description (or the query page for a browser).",
     "example": "PREFIX qd: <https://w3id.org/qualifica/ontology#>\n"
                "SELECT ?role WHERE { ?role a qd:Role } ORDER BY ?role LIMIT 3"},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
     "description": "A graph of the default graph (repeatable); replaces the union default.",
     "example": ["https://w3id.org/qualifica/graph/roles"]},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
     "description": "A named graph the query may use in GRAPH (repeatable).",
     "example": ["https://w3id.org/qualifica/graph/requirements"]},
    {"name": "format", "in": "query", "required": False,
     "schema": {"type": "string",
                "enum": ["csv", "json", "jsonld", "nt", "rdfxml", "tsv", "ttl", "xml"]},
     "description": "Overrides Accept: json, xml, csv, tsv, ttl, nt, jsonld, rdfxml (also "
                    "turtle, n3, json-ld, rdf+xml, ntriples or a media type; xml and json name "
                    "RDF/XML and JSON-LD for CONSTRUCT and DESCRIBE). A format the result has "
                    "not (csv for a CONSTRUCT) leaves the choice to Accept.",
     "example": "json"},
]
#: Real answers over the bundled graph: the query example above, and the Service Description.
_SELECT_EXAMPLE: dict[str, Any] = {
    "head": {"vars": ["role"]},
    "results": {"bindings": [
        {"role": {"type": "uri", "value": "https://w3id.org/qualifica/id/role/agenda-setter"}},
        {"role": {"type": "uri",
                  "value": "https://w3id.org/qualifica/id/role/anwender"}},
        {"role": {"type": "uri",
                  "value": "https://w3id.org/qualifica/id/role/berater-dienstleister"}},
    ]},
}
_CSV_EXAMPLE = ("role\r\nhttps://w3id.org/qualifica/id/role/agenda-setter\r\n"
                "https://w3id.org/qualifica/id/role/anwender\r\n"
                "https://w3id.org/qualifica/id/role/berater-dienstleister\r\n")
_SD_EXAMPLE = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<http://127.0.0.1:8000/sparql> a sd:Service ;
\tsd:endpoint <http://127.0.0.1:8000/sparql> ;
\tdcterms:title "Qualifica SPARQL endpoint"@en ;
\tsd:supportedLanguage sd:SPARQL11Query ;
\tsd:feature sd:UnionDefaultGraph ;
\tsd:defaultDataset _:defaultDataset .
"""
_EXAMPLES: dict[str, dict[str, Any]] = {
    protocol.SPARQL_JSON: {"example": _SELECT_EXAMPLE},
    protocol.CSV: {"example": _CSV_EXAMPLE},
    protocol.TURTLE: {"example": _SD_EXAMPLE},
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Query results in the negotiated format",
          "content": {m: _EXAMPLES.get(m, {})
                      for m in (*protocol.SOLUTION_TYPES, *protocol.GRAPH_TYPES)}},
    400: {"description": "Malformed query, two queries, wrong content type or encoding"},
    403: {"description": "An update (read-only endpoint) or a SERVICE that is not allowed"},
    406: {"description": "No acceptable result format"},
    413: {"description": "The query is longer than QUALIFICA_MAX_QUERY_CHARS"},
    503: {"description": "The query ran past QUALIFICA_QUERY_TIMEOUT_S"},
}


async def _answer(request: Request, ctx: Context, sandbox: SandboxDep, body: bytes) -> Response:
    req = protocol.parse_request(request.method, request.scope.get("query_string", b""),
                                 request.headers.get("content-type"), body)
    accept = request.headers.get("accept")
    if req.query is None:
        if request.method != "GET":
            raise BadParameter("the request has no 'query' parameter", param="query")
        return _service_or_page(ctx, accept, req.format, request.query_params.get("lang"))
    if wants_page(request, req.format):
        return _page(ctx, request.query_params.get("lang"), req.query)
    s = ctx.settings
    text = guard.canonical(req.query)
    info = guard.check_query(text, service_allow=s.service_allow, max_chars=s.max_query_chars,
                             max_depth=s.max_query_depth)
    # Refuse an unacceptable Accept before the query costs anything.
    protocol.negotiate(accept, protocol.kind_of_form(info.form or "select"), req.format)
    dataset = req.dataset if req.dataset is not None else info.dataset()
    media, payload = await sandbox.query(text, info, dataset=dataset, accept=accept,
                                         fmt=req.format)
    return Response(payload, media_type=protocol.content_type(media),
                    headers={"Vary": "Accept"})


def _page(ctx: Context, lang: str | None, query: str | None = None) -> HTMLResponse:
    language = pick_lang(lang)
    return HTMLResponse(render_page(ctx, language, query),
                        headers={"Vary": "Accept", "Content-Language": language})


def _service_or_page(ctx: Context, accept: str | None, fmt: tuple[str, ...] | None,
                     lang: str | None = None) -> Response:
    named = protocol.format_for("graph", fmt)
    offers = (protocol.HTML, *protocol.GRAPH_TYPES)
    media = protocol.choose(accept, offers) if named is None else named
    # A client that sends no Accept (or only */*) gets RDF: only a browser asks for HTML.
    if media == protocol.HTML and not accept_names_html(accept):
        media = protocol.TURTLE
    if media == protocol.HTML:
        return _page(ctx, lang)
    media = protocol.negotiate(accept, "graph", named)
    s = ctx.settings
    triples = service_description(
        s.public_base + "sparql",
        formats=(*protocol.SOLUTION_TYPES, *protocol.GRAPH_TYPES),
        named_graphs=ctx.store.named_graphs(),
        triple_count=ctx.store.count(),
        federated=bool(s.service_allow),
    )
    prefixes = {**PREFIXES, "sd": SD, "formats": "http://www.w3.org/ns/formats/"}
    return Response(protocol.serialize_graph(triples, media, prefixes),
                    media_type=protocol.content_type(media), headers={"Vary": "Accept"})


def accept_names_html(accept: str | None) -> bool:
    """Whether the ``Accept`` header names ``text/html`` itself (with q > 0)."""
    return any(r.type == "text" and r.subtype == "html" and r.q > 0
               for r in protocol.parse_accept(accept))


def wants_page(request: Request, fmt: tuple[str, ...] | None) -> bool:
    """Whether a GET with a query is a browser opening a permalink: no ``format``, and an
    ``Accept`` that names ``text/html`` and prefers it to every result format. Machine clients
    (which never name HTML) keep getting results."""
    accept = request.headers.get("accept")
    if request.method != "GET" or fmt is not None or not accept_names_html(accept):
        return False
    offers = (protocol.HTML, *protocol.SOLUTION_TYPES, *protocol.GRAPH_TYPES)
    return protocol.choose(accept, offers) == protocol.HTML


def render_page(ctx: Context, lang: str | None = None, query: str | None = None) -> str:
    """The query editor page (``web.editor``), holding ``query`` when one is given."""
    return editor.render_editor(ctx, lang or "de", query)


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET)",
    description="Runs `query` over all graphs (or the dataset named by `default-graph-uri` / "
    "`named-graph-uri`). Without `query`: the Service Description (Turtle by default), or the "
    "query page for a browser. Read-only; SERVICE only to allowed endpoints.",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={"parameters": _PARAMS},
)
async def sparql_get(request: Request, ctx: CtxDep, sandbox: SandboxDep) -> Response:
    """SPARQL protocol query via GET."""
    return await _answer(request, ctx, sandbox, b"")


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST)",
    description="POST with `application/x-www-form-urlencoded` (`query=`) or with "
    "`application/sparql-query` (the body is the query). Updates are refused here.",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={
        "parameters": _PARAMS[1:],
        "requestBody": {"required": True, "content": {
            protocol.DIRECT: {"schema": {"type": "string"},
                              "example": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"},
            protocol.FORM: {"schema": {"type": "object", "properties": {
                "query": {"type": "string"},
                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                "named-graph-uri": {"type": "array", "items": {"type": "string"}},
            }, "required": ["query"]},
                "example": {"query": "SELECT ?level ?rank WHERE { ?level "
                                     "<https://w3id.org/qualifica/ontology#rank> ?rank } "
                                     "ORDER BY ?rank LIMIT 8"}},
        }},
    },
)
async def sparql_post(request: Request, ctx: CtxDep, sandbox: SandboxDep) -> Response:
    """SPARQL protocol query via POST."""
    body = await read_body(request, ctx.settings.max_body_bytes)
    return await _answer(request, ctx, sandbox, body)


@router.get("/sparql/examples/{name}", include_in_schema=False)
def sparql_example(name: str, request: Request, ctx: CtxDep) -> Response:
    """A named query with the parameter values of the query string bound (``sparql.binding``):
    its text for the editor's script (``Accept: application/sparql-query``), else a redirect
    to the editor's permalink of that text (the example forms work without script).

    Every parameter but ``page-lang`` (the language of the editor page) is the query's own:
    a named query may have a parameter called ``lang``."""
    named = ctx.registry.get(name)
    values = {k: v for k, v in request.query_params.items() if k != "page-lang" and v.strip()}
    try:
        text = editor.example_text(named, values)
    except BadParameter as exc:
        if exc.status == 400:
            exc.status = 422
        raise
    if protocol.DIRECT in (request.headers.get("accept") or ""):
        return Response(text, media_type=f"{protocol.DIRECT}; charset=utf-8")
    page_lang = request.query_params.get("page-lang")
    params = {"query": text, **({"lang": page_lang} if page_lang == "en" else {})}
    return RedirectResponse("/sparql?" + urlencode(params), status_code=303)
