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
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import RdfFormat, serialize
from starlette.exceptions import HTTPException

from qualifica.api.deps import CtxDep, SettingsDep
from qualifica.config import Settings
from qualifica.context import Context
from qualifica.errors import BadParameter, Forbidden, NotAcceptable, NotFound, ValidationFailed
from qualifica.namespaces import PREFIXES
from qualifica.sparql import binding
from qualifica.validation import changes
from qualifica.validation.gate import GateRejected
from qualifica.validation.shacl import parse_bytes

log = logging.getLogger(__name__)

router = APIRouter(tags=["writes"])

_READ_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
_BODY_TYPES = {
    **_READ_TYPES,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/json": RdfFormat.JSON_LD,
}
_GRAPH_PARAMS: list[dict[str, Any]] = [
    {"name": "graph", "in": "query", "required": False,
     "schema": {"type": "string", "format": "iri"}, "description": "The graph's IRI."},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"},
     "allowEmptyValue": True, "description": "The store's default graph (instead of graph)."},
]
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token"},
    403: {"description": "A wrong token, or writes are switched off"},
    422: {"description": "The write does not conform to the shapes (SHACL report attached)"},
}


def require_token(request: Request, settings: SettingsDep) -> None:
    """Writes need a bearer token listed in ``QUALIFICA_API_TOKENS``."""
    if not settings.api_tokens:
        raise Forbidden("writes are switched off on this server (no API tokens configured)")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "a bearer token is required to write",
                            headers={"WWW-Authenticate": 'Bearer realm="qualifica"'})
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


async def _body(request: Request, settings: Settings) -> bytes:
    data = await request.body()
    if len(data) > settings.max_body_bytes:
        raise BadParameter(f"the body is larger than {settings.max_body_bytes} bytes",
                           param="body", status=413)
    return data


def _parse_body(request: Request, data: bytes, graph: str | None, base: str) -> list[Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = _BODY_TYPES.get(ctype)
    if fmt is None:
        raise BadParameter(
            f"unsupported content type {ctype or '(none)'!r}; send one of "
            + ", ".join(sorted(_READ_TYPES)),
            param="content-type", status=415,
        )
    try:
        return parse_bytes(data, fmt, source="body", graph=graph, base_iri=base)
    except ValidationFailed as exc:
        raise BadParameter(exc.detail, param="body") from exc


def _rejected(exc: GateRejected) -> ValidationFailed:
    report = exc.report
    graph = report.graph
    jsonld: Any = None
    if graph is not None:
        jsonld = json.loads(graph.serialize(format="json-ld"))
    return ValidationFailed(
        "the write does not conform to the shapes; nothing was changed",
        report=jsonld,
        text={"de": report.text("de"), "en": report.text("en")},
        results=report.as_json()["results"],
    )


def _negotiate(request: Request) -> str:
    accept = request.headers.get("accept", "*/*")
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _READ_TYPES:
            return media
        if media in ("*/*", "text/*", "application/*", ""):
            return "text/turtle"
    raise NotAcceptable("offered: " + ", ".join(_READ_TYPES))


def _read(request: Request, ctx: Context, *, head: bool) -> Response:
    graph = _target(request)
    media = _negotiate(request)
    quads = changes.graph_quads(ctx.store, graph)
    if graph is not None and not quads:
        raise NotFound(f"there is no graph {graph}", graph=graph)
    body = b""
    if not head:
        body = serialize((q.triple for q in quads), format=_READ_TYPES[media],
                         prefixes=PREFIXES) or b""
    headers = {"Vary": "Accept"}
    return Response(body, media_type=media, headers=headers)


@router.get("/graphs", summary="Read one graph (SPARQL 1.1 Graph Store Protocol; HEAD too)",
            openapi_extra={"parameters": _GRAPH_PARAMS})
def get_graph(request: Request, ctx: CtxDep) -> Response:
    """The triples of ``?graph=IRI`` (or ``?default``) in the negotiated RDF format."""
    return _read(request, ctx, head=request.method == "HEAD")


@router.put("/graphs", summary="Replace one graph (gated)", status_code=204,
            responses=_WRITE_RESPONSES, openapi_extra={"parameters": _GRAPH_PARAMS})
async def put_graph(request: Request, ctx: CtxDep, _auth: WriteAuth) -> Response:
    """Replace the graph's content with the body; 201 when the graph is new."""
    graph = _target(request)
    quads = _parse_body(request, await _body(request, ctx.settings), graph,
                        graph or ctx.settings.base_iri)
    try:
        result = changes.put_graph(ctx, graph, quads)
    except GateRejected as exc:
        raise _rejected(exc) from exc
    return Response(status_code=201 if result.created else 204)


@router.post("/graphs", summary="Add to one graph (gated)", status_code=204,
             responses=_WRITE_RESPONSES, openapi_extra={"parameters": _GRAPH_PARAMS})
async def post_graph(request: Request, ctx: CtxDep, _auth: WriteAuth) -> Response:
    """Merge the body into the graph; 201 when the graph is new."""
    graph = _target(request)
    quads = _parse_body(request, await _body(request, ctx.settings), graph,
                        graph or ctx.settings.base_iri)
    try:
        result = changes.post_graph(ctx, graph, quads)
    except GateRejected as exc:
        raise _rejected(exc) from exc
    return Response(status_code=201 if result.created else 204)


@router.delete("/graphs", summary="Delete one graph (gated)", status_code=204,
               responses=_WRITE_RESPONSES, openapi_extra={"parameters": _GRAPH_PARAMS})
def delete_graph(request: Request, ctx: CtxDep, _auth: WriteAuth) -> Response:
    """Remove the graph and all its triples, if what remains still conforms."""
    graph = _target(request)
    try:
        changes.delete_graph(ctx, graph)
    except GateRejected as exc:
        raise _rejected(exc) from exc
    return Response(status_code=204)


@router.post("/sparql/update", summary="SPARQL 1.1 Update (gated)", status_code=204,
             responses=_WRITE_RESPONSES)
async def sparql_update(request: Request, ctx: CtxDep, _auth: WriteAuth) -> Response:
    """An update as ``application/sparql-update`` or the form field ``update``."""
    data = await _body(request, ctx.settings)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        text = data.decode("utf-8", errors="strict")
    elif ctype == "application/x-www-form-urlencoded":
        from urllib.parse import parse_qs

        fields = parse_qs(data.decode("utf-8"), keep_blank_values=True)
        updates = fields.get("update", [])
        if len(updates) != 1:
            raise BadParameter("send exactly one 'update' field", param="update")
        text = updates[0]
    else:
        raise BadParameter("send application/sparql-update or a form with 'update'",
                           param="content-type", status=415)
    if len(text) > ctx.settings.max_query_chars:
        raise BadParameter("the update is too long", param="update", status=413)
    try:
        changes.run_update(ctx, text)
    except GateRejected as exc:
        raise _rejected(exc) from exc
    return Response(status_code=204)
