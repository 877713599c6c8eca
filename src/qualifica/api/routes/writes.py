"""Authenticated writes: the SPARQL 1.1 Graph Store Protocol at ``/graphs`` and SPARQL 1.1 Update
at ``/sparql/update``.

Reads (GET, HEAD) are open. Writes need ``Authorization: Bearer <token>`` with a token listed in
``QUALIFICA_API_TOKENS``: none → 401, a wrong one → 403; with no tokens configured writes are
switched off (403). Every write passes the SHACL gate first (``validation.changes``); a
non-conforming write is answered with 422, the SHACL report as JSON-LD and as readable text in
German and English, and changes nothing.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import Quad
from starlette.concurrency import run_in_threadpool

from qualifica import media
from qualifica.api.body import decode_utf8, read_body
from qualifica.api.deps import CtxDep, SandboxDep, SettingsDep
from qualifica.api.memory import release_memory
from qualifica.context import Context
from qualifica.errors import BadParameter, Forbidden, NotFound, Unauthorized, ValidationFailed
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import PREFIXES
from qualifica.sandbox import Sandbox
from qualifica.sparql import binding, guard, protocol
from qualifica.validation import changes
from qualifica.validation.changes import WriteResult
from qualifica.validation.gate import GateRejected

log = logging.getLogger(__name__)

router = APIRouter(tags=["writes"])

#: The RDF formats a graph is read and written in (aliases such as ``text/plain`` and
#: ``application/x-turtle`` are understood through ``qualifica.media``).
_READ_TYPES: tuple[str, ...] = (media.TURTLE, media.N_TRIPLES, media.JSON_LD, media.RDF_XML)
_GRAPH_PARAMS: list[dict[str, Any]] = [
    {"name": "graph", "in": "query", "required": False,
     "schema": {"type": "string", "format": "iri"}, "description": "The graph's IRI.",
     "example": "https://w3id.org/qualifica/graph/roles"},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "allowEmptyValue": True, "description": "The store's default graph (instead of graph)."},
]
#: A real triple set of the bundled graph (``role/prozessmanager`` in the graph ``roles``).
_TURTLE_EXAMPLE = """@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix role: <https://w3id.org/qualifica/id/role/> .
@prefix task: <https://w3id.org/qualifica/id/task/> .
@prefix req: <https://w3id.org/qualifica/id/requirement/> .
role:prozessmanager a qd:Role ;
\tskos:prefLabel "Prozessmanager"@de , "Process manager"@en ;
\tqd:performsTask task:prozesse-erheben , task:prozesse-optimieren ,
\t\ttask:verwaltungsleistungen-digitalisieren ;
\tqd:requires req:prozessmanager-digcomp-4-2 , req:prozessmanager-digcomp-1-3 ;
\tdcterms:source <urn:isbn:978-3-946209-03-4> .
"""
#: A body the gate refuses (no English label, no source), and the real answer to it.
_BAD_TURTLE = """@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/qualifica/id/role/planungslotse> a qd:Role ;
\tskos:prefLabel "Planungslotse"@de .
"""
_REJECTED_EXAMPLE: dict[str, Any] = {
    "type": "about:blank", "title": "Validation failed", "status": 422,
    "detail": "the write does not conform to the shapes; nothing was changed",
    "instance": "/graphs",
    "text": {
        "de": "2 Verstoß/Verstöße:\nViolation: <https://w3id.org/qualifica/id/role/planungslotse> "
              "http://purl.org/dc/terms/source: Mindestens eine Quelle (dcterms:source) als IRI "
              "oder Zitation ist nötig. [https://w3id.org/qualifica/shapes#source]\n…",
        "en": "2 violation(s):\nViolation: <https://w3id.org/qualifica/id/role/planungslotse> "
              "http://purl.org/dc/terms/source: At least one source (dcterms:source) as an IRI "
              "or a citation is required. [https://w3id.org/qualifica/shapes#source]\n…",
    },
    "results": [{
        "focusNode": "https://w3id.org/qualifica/id/role/planungslotse",
        "resultPath": "http://purl.org/dc/terms/source",
        "sourceShape": "https://w3id.org/qualifica/shapes#source",
        "sourceConstraintComponent": "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
        "resultSeverity": "Violation",
        "message": {
            "en": "At least one source (dcterms:source) as an IRI or a citation is required.",
            "de": "Mindestens eine Quelle (dcterms:source) als IRI oder Zitation ist nötig.",
        },
    }],
    "report": [{"@type": ["http://www.w3.org/ns/shacl#ValidationReport"],
                "http://www.w3.org/ns/shacl#conforms": [
                    {"@type": "http://www.w3.org/2001/XMLSchema#boolean", "@value": False}]}],
}
_UNAUTHORIZED_EXAMPLE: dict[str, Any] = {
    "type": "about:blank", "title": "Unauthorized", "status": 401,
    "detail": "a bearer token is required to write", "instance": "/graphs",
}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token",
          "content": {"application/problem+json": {"example": _UNAUTHORIZED_EXAMPLE}}},
    403: {"description": "A wrong token, or writes are switched off"},
    422: {"description": "The write does not conform to the shapes (SHACL report attached)",
          "content": {"application/problem+json": {"example": _REJECTED_EXAMPLE}}},
}
_GRAPH_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "text/turtle": {"schema": {"type": "string"}, "examples": {
            "conforming": {"summary": "A role as in the bundled graph",
                           "value": _TURTLE_EXAMPLE},
            "refused": {"summary": "Refused with 422: no English label, no source",
                        "value": _BAD_TURTLE},
        }},
        **{m: {"schema": {"type": "string"}} for m in _READ_TYPES if m != "text/turtle"},
    },
}
_GRAPH_READ: dict[int | str, dict[str, Any]] = {
    200: {"description": "The graph in the negotiated RDF format",
          "content": {"text/turtle": {"example": _TURTLE_EXAMPLE},
                      **{m: {} for m in _READ_TYPES if m != "text/turtle"}}},
    404: {"description": "No such graph"},
    406: {"description": "None of the RDF formats is acceptable"},
}
_UPDATE_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/sparql-update": {"schema": {"type": "string"}, "example": (
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "INSERT DATA { GRAPH <https://w3id.org/qualifica/graph/roles> {\n"
            "  <https://w3id.org/qualifica/id/role/prozessmanager> "
            "skos:altLabel \"Prozessmanagerin\"@de } }")},
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": {"update": {"type": "string"}},
                       "required": ["update"]},
            "example": {"update": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                                  "DELETE DATA { GRAPH <https://w3id.org/qualifica/graph/roles> "
                                  "{ <https://w3id.org/qualifica/id/role/prozessmanager> "
                                  "skos:altLabel \"Prozessmanagerin\"@de } }"}},
    },
}


def require_token(request: Request, settings: SettingsDep) -> None:
    """Writes need a bearer token listed in ``QUALIFICA_API_TOKENS``."""
    if not settings.api_tokens:
        raise Forbidden("writes are switched off on this server (no API tokens configured)")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required to write",
                           challenge='Bearer realm="qualifica"')
    token = token.strip()
    if not any(secrets.compare_digest(token.encode(), t.encode()) for t in settings.api_tokens):
        raise Forbidden("this token may not write")


WriteAuth = Annotated[None, Depends(require_token)]


def _target(request: Request) -> str | None:
    """``?graph=IRI`` (checked) or ``?default``; exactly one of them."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise BadParameter("give either ?graph=IRI or ?default, not both", param="graph")
    if "default" in params:
        return None
    if len(graphs) != 1:
        raise BadParameter("name one graph with ?graph=IRI (or ?default)", param="graph")
    return binding.iri(graphs[0], param="graph").value


async def _parse_body(request: Request, ctx: Context, sandbox: Sandbox,
                      graph: str | None) -> list[Quad]:
    """The body's quads for ``graph``, parsed in a sandbox worker within the upload limits."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body_type = media.resolve_format(ctype, _READ_TYPES) if ctype else None
    if body_type is None:
        raise BadParameter(
            f"unsupported content type {ctype or '(none)'!r}; send one of "
            + ", ".join(sorted(_READ_TYPES)),
            param="content-type", status=415,
        )
    data = await read_body(request, ctx.settings.max_body_bytes)
    return await sandbox.parse_rdf(data, body_type, graph=graph,
                                   base_iri=graph or ctx.settings.base_iri)


def _rejected(exc: GateRejected) -> ValidationFailed:
    report = exc.report
    graph = report.report_graph()
    jsonld: Any = None
    if graph is not None:
        jsonld = json.loads(graph.serialize(format="json-ld"))
    return ValidationFailed(
        "the write does not conform to the shapes; nothing was changed",
        report=jsonld,
        text={"de": report.text("de"), "en": report.text("en")},
        results=report.as_json()["results"],
    )


def _read(request: Request, ctx: Context, *, head: bool) -> Response:
    graph = _target(request)
    chosen = media.negotiate(request.headers.get("accept"), _READ_TYPES)
    quads = changes.graph_quads(ctx.store, graph)
    if graph is not None and not quads:
        raise NotFound(f"there is no graph {graph}", graph=graph)
    body = b""
    if not head:
        body = protocol.serialize_graph([q.triple for q in quads], chosen, PREFIXES)
    headers = {"Vary": "Accept"}
    return Response(body, media_type=media.content_type(chosen), headers=headers)


@router.get("/graphs", summary="Read one graph (SPARQL 1.1 Graph Store Protocol; HEAD too)",
            response_class=Response, responses=_GRAPH_READ,
            openapi_extra={"parameters": _GRAPH_PARAMS})
def get_graph(request: Request, ctx: CtxDep) -> Response:
    """The triples of ``?graph=IRI`` (or ``?default``) in the negotiated RDF format."""
    return _read(request, ctx, head=request.method == "HEAD")


async def _gated(ctx: Context, write: Callable[..., WriteResult], *args: Any) -> WriteResult:
    """Run ``write(ctx, *args)``, a gated write, on a worker thread: the event loop keeps
    answering reads meanwhile, and the write lock inside ``write`` keeps writes one at a time."""
    try:
        result = await run_in_threadpool(write, ctx, *args)
    except GateRejected as exc:
        raise _rejected(exc) from exc
    finally:
        release_memory()
    # The REST catalogue of the new generation is built before the write answers (readers
    # meanwhile get the previous one), so a read after this answer sees the write.
    await run_in_threadpool(catalogue_for, ctx)
    return result


async def _write_body(request: Request, ctx: Context, sandbox: Sandbox,
                      write: Callable[..., WriteResult]) -> Response:
    """Parse the body for ``?graph``/``?default`` and write it through the gate (PUT or POST)."""
    graph = _target(request)
    quads = await _parse_body(request, ctx, sandbox, graph)
    result = await _gated(ctx, write, graph, quads, sandbox)
    return Response(status_code=201 if result.created else 204)


@router.put("/graphs", summary="Replace one graph (gated)", status_code=204,
            responses=_WRITE_RESPONSES,
            openapi_extra={"parameters": _GRAPH_PARAMS, "requestBody": _GRAPH_BODY})
async def put_graph(request: Request, ctx: CtxDep, sandbox: SandboxDep,
                    _auth: WriteAuth) -> Response:
    """Replace the graph's content with the body; 201 when the graph is new."""
    return await _write_body(request, ctx, sandbox, changes.put_graph)


@router.post("/graphs", summary="Add to one graph (gated)", status_code=204,
             responses=_WRITE_RESPONSES,
             openapi_extra={"parameters": _GRAPH_PARAMS, "requestBody": _GRAPH_BODY})
async def post_graph(request: Request, ctx: CtxDep, sandbox: SandboxDep,
                     _auth: WriteAuth) -> Response:
    """Merge the body into the graph; 201 when the graph is new."""
    return await _write_body(request, ctx, sandbox, changes.post_graph)


@router.delete("/graphs", summary="Delete one graph (gated)", status_code=204,
               responses=_WRITE_RESPONSES, openapi_extra={"parameters": _GRAPH_PARAMS})
async def delete_graph(request: Request, ctx: CtxDep, sandbox: SandboxDep,
                       _auth: WriteAuth) -> Response:
    """Remove the graph and all its triples, if what remains still conforms."""
    graph = _target(request)
    await _gated(ctx, changes.delete_graph, graph, sandbox)
    return Response(status_code=204)


@router.post("/sparql/update", summary="SPARQL 1.1 Update (gated)", status_code=204,
             responses=_WRITE_RESPONSES, openapi_extra={"requestBody": _UPDATE_BODY})
async def sparql_update(request: Request, ctx: CtxDep, sandbox: SandboxDep,
                        _auth: WriteAuth) -> Response:
    """An update as ``application/sparql-update`` or the form field ``update``."""
    s = ctx.settings
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/sparql-update", "application/x-www-form-urlencoded"):
        raise BadParameter("send application/sparql-update or a form with 'update'",
                           param="content-type", status=415)
    data = await read_body(request, s.max_body_bytes)
    if ctype == "application/sparql-update":
        text = decode_utf8(data, param="update")
    else:
        fields = protocol.read_params(data, source="request body")
        updates = [value for name, value in fields if name == "update"]
        if len(updates) != 1:
            raise BadParameter("send exactly one 'update' field", param="update")
        text = updates[0]
    text = guard.canonical(text)
    info = guard.check_update(text, service_allow=s.service_allow, load_allow=s.load_allow,
                              max_chars=s.max_query_chars, max_depth=s.max_query_depth)
    await _gated(ctx, changes.run_update, text,
                 lambda _store, update: sandbox.update_change(update, info), sandbox)
    return Response(status_code=204)
