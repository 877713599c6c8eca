"""Routes: the stored queries of ``queries/*.rq`` as API operations.

``GET /api/queries`` lists them; ``GET /api/queries/{name}`` runs one with its typed
parameters from the query string, answering SPARQL JSON, XML, CSV, TSV or JSON-LD (SELECT/ASK)
or Turtle, N-Triples, JSON-LD, RDF/XML (CONSTRUCT/DESCRIBE) by ``Accept``. ``install(app)``
extends the OpenAPI document with one documented operation per named query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response

from qualifica import media
from qualifica.api.caching import context_url
from qualifica.api.deps import CtxDep
from qualifica.api.examples import problem
from qualifica.errors import NotAcceptable
from qualifica.linkeddata import stored
from qualifica.sparql import protocol
from qualifica.sparql.registry import NamedQuery, Param, Registry

router = APIRouter(tags=["queries"])

SOLUTION_OFFERS: tuple[str, ...] = (protocol.SPARQL_JSON, protocol.CSV, protocol.JSONLD,
                                    protocol.SPARQL_XML, protocol.TSV)
GRAPH_OFFERS: tuple[str, ...] = protocol.GRAPH_TYPES


_LIST_EXAMPLE = {"items": [{
    "iri": "http://127.0.0.1:8000/api/queries/roles-for-competency",
    "id": "roles-for-competency", "label": "Roles that require a competency",
    "type": "named-query", "description": "", "tags": ["planning"], "form": "select",
    "params": [{"name": "competency", "datatype": "iri", "kind": "competency",
                "required": True}],
    "example": {"competency": "digcomp-4-2"}}], "total": 1}


@router.get("/api/queries", summary="The stored queries",
            responses={200: {"description": "Every named query with its typed parameters",
                             "content": {"application/json": {"example": _LIST_EXAMPLE}}}})
def list_queries(request: Request, ctx: CtxDep) -> dict[str, Any]:
    """Every ``queries/*.rq`` with summary, parameters and an example."""
    # Under the public base, never the request's Host (see api.security).
    path = request.app.url_path_for("run_query", name="_").removesuffix("_")
    base = ctx.settings.public_base + path.lstrip("/")
    items = [stored.describe(q, base + q.name) for q in ctx.registry]
    return {"items": items, "total": len(items)}


def _negotiate(accept: str | None, query: NamedQuery) -> str:
    offers = GRAPH_OFFERS if protocol.kind_of_form(query.form) == "graph" else SOLUTION_OFFERS
    chosen = media.choose(accept, offers)
    if chosen is None:
        raise NotAcceptable(f"none of the accepted types ({accept}) is available for query "
                            f"{query.name!r}; offered: " + ", ".join(offers))
    return chosen


@router.get("/api/queries/{name}", summary="Run a stored query",
            responses={
                200: {"description": "The result in the negotiated format",
                      "content": {protocol.SPARQL_JSON: {"example": {
                          "head": {"vars": ["role"]},
                          "results": {"bindings": [{"role": {
                              "type": "uri",
                              "value": "https://w3id.org/qualifica/id/role/cio"}}]}}},
                          protocol.CSV: {"example": "role\r\n"
                                                    "https://w3id.org/qualifica/id/role/cio\r\n"},
                          protocol.JSONLD: {"example": {"@graph": [{"role": {
                              "@id": "https://w3id.org/qualifica/id/role/cio"}}]}}}},
                404: problem(404, "Not found", "there is no named query 'nope'"),
                406: problem(406, "Not acceptable", "none of the accepted types is available"),
                422: problem(422, "Bad request", "parameter 'competency': expected a "
                              "competency slug or an absolute IRI, got 'x\" }'", "competency"),
            })
def run_query(name: str, request: Request, ctx: CtxDep) -> Response:
    """Run the named query with the values of the query string (see each query's own
    operation for its parameters)."""
    query = ctx.registry.get(name)
    chosen = _negotiate(request.headers.get("accept"), query)
    raw = stored.raw_values(query, request.query_params.multi_items())
    query, result = stored.run(ctx.store, ctx.registry, name, raw,
                               timeout_s=ctx.settings.query_timeout_s)
    if chosen == protocol.JSONLD and protocol.result_kind(result) == "solutions":
        body = stored.select_jsonld(query, result, context_url(ctx.settings))
    else:
        body = protocol.serialize_result(result, chosen)
    return Response(body, media_type=protocol.content_type(chosen), headers={"Vary": "Accept"})


# --- OpenAPI: one operation per named query ----------------------------------------------------

def _schema(param: Param) -> dict[str, Any]:
    if param.type == "iris":
        return {"type": "array", "items": {"type": "string"}}
    if param.type == "integer":
        out: dict[str, Any] = {"type": "integer"}
        if param.minimum is not None:
            out["minimum"] = param.minimum
        if param.maximum is not None:
            out["maximum"] = param.maximum
        return out
    if param.type == "boolean":
        return {"type": "boolean"}
    out = {"type": "string"}
    if param.type == "language":
        out["pattern"] = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
    if param.type == "date":
        out["format"] = "date"
    if param.type == "iri":
        out["description"] = (f"a {param.kind} slug or an absolute IRI" if param.kind
                              else "an absolute IRI")
    if param.enum:
        out["enum"] = list(param.enum)
    return out


def _describe_type(param: Param) -> str:
    kinds = {"iri": "IRI", "iris": "list of IRIs (repeat the parameter or separate by commas)",
             "string": "string", "integer": "integer", "boolean": "true or false",
             "language": "language tag"}
    what = kinds.get(param.type, param.type)
    if param.kind and param.type in ("iri", "iris"):
        what += f" (or {param.kind} slug)"
    return what


def operation(query: NamedQuery) -> dict[str, Any]:
    """The OpenAPI operation object of one named query."""
    params = []
    for p in query.params:
        spec: dict[str, Any] = {
            "name": p.name, "in": "query", "required": p.required,
            "description": f"{p.description} — {_describe_type(p)}".strip(" —"),
            "schema": _schema(p),
        }
        if p.default is not None:
            spec["schema"]["default"] = p.default
        if p.type == "iris":
            spec["style"], spec["explode"] = "form", True
        if p.name in query.example:
            example = query.example[p.name]
            if p.type == "iris" and isinstance(example, str):
                example = example.split(",")
            spec["example"] = example
        params.append(spec)
    graph = protocol.kind_of_form(query.form) == "graph"
    offers = GRAPH_OFFERS if graph else SOLUTION_OFFERS
    first_param = query.params[0].name if query.params else "param"
    return {
        "tags": ["queries", *query.tags],
        "summary": query.summary,
        "description": (query.description + "\n\n" if query.description else "")
        + f"Stored query `queries/{query.name}.rq` ({query.form.upper()}).",
        "operationId": f"query_{query.name.replace('-', '_')}",
        "parameters": params,
        "responses": {
            "200": {"description": f"The {query.form.upper()} result",
                    "content": {m: {"schema": {}} for m in offers}},
            "406": problem(406, "Not acceptable", "none of the accepted types is available"),
            "422": problem(422, "Bad request", f"parameter {first_param!r}: invalid value",
                            first_param),
        },
    }


def openapi_paths(registry: Registry) -> dict[str, Any]:
    """One path item per named query."""
    return {f"/api/queries/{q.name}": {"get": operation(q)} for q in registry}


def install(app: FastAPI) -> None:
    """Extend ``app.openapi`` with the named queries of the running context."""
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        ctx = getattr(app.state, "ctx", None)
        schema = original()
        if ctx is None:
            return schema
        if not schema.get("x-named-queries"):
            schema["paths"].update(openapi_paths(ctx.registry))
            schema["x-named-queries"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
