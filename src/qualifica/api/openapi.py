"""The OpenAPI description as clients need it to generate working code.

- Short operation ids (``list_roles``, ``get_role``, ``gap_analysis`` ...): ``operation_id``
  names every route by its function, renamed where the function name reads badly as a
  method of a generated client.
- Every error answer is declared as what the server sends: ``application/problem+json``
  (RFC 9457) with the :class:`~qualifica.api.models.Problem` schema, in place of FastAPI's
  ``HTTPValidationError`` (which no answer of this server has). An operation that negotiates
  its format also declares ``406``.
- Every success answer has a schema: SPARQL JSON results their model, JSON-LD an object or
  array, text formats (Turtle, CSV, HTML, SVG ...) a string, binary files a binary string.
- The tags carry a description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from qualifica.api.models import Problem, SparqlResults

PROBLEM = "application/problem+json"

#: Route function names that read badly as methods of a generated client.
OPERATION_IDS: dict[str, str] = {
    "healthz": "health",
    "role_detail": "get_role",
    "task_detail": "get_task",
    "competency_detail": "get_competency",
    "format_detail": "get_training_format",
    "legal_basis_detail": "get_legal_basis",
    "framework_detail": "get_framework",
    "level_detail": "get_level",
    "list_formats": "list_training_formats",
    "search_labels": "search",
    "framework_top": "list_framework_top",
    "narrower": "list_narrower",
    "broader": "list_broader",
    "gap": "gap_analysis",
    "match": "match_roles",
    "paths": "competency_paths",
    "roles_for": "roles_for_competency",
    "template": "import_template",
    "release_file": "get_release_file",
    "resource": "get_resource",
    "ontology": "get_ontology",
    "void": "get_void",
    "catalog": "get_catalog",
    "download": "get_download",
    "gap_post": "gap_page_post",
}

TAGS: list[dict[str, str]] = [
    {"name": "rest", "description": "Listings, details, search and hierarchy as JSON "
                                    "(JSON-LD under /context.jsonld)."},
    {"name": "planning", "description": "Gap analysis, role matching, learning paths and "
                                        "curriculum gaps."},
    {"name": "queries", "description": "The named SPARQL queries, one operation each."},
    {"name": "sparql", "description": "The SPARQL 1.1 Protocol endpoint (read-only)."},
    {"name": "writes", "description": "Graph Store Protocol and SPARQL Update, with a token; "
                                      "every write passes the SHACL gate."},
    {"name": "import", "description": "Spreadsheet import through the SHACL gate."},
    {"name": "releases", "description": "Released versions of the graph and their changes."},
    {"name": "linked data", "description": "Resource IRIs and the ontology, "
                                           "content-negotiated."},
    {"name": "dataset", "description": "VoID, DCAT catalogue and downloads."},
    {"name": "pages", "description": "HTML pages and their CSV and SVG downloads."},
    {"name": "service", "description": "Health of the service."},
]

#: Answers the route declarations leave out, by operation id (status: description).
EXTRA_RESPONSES: dict[str, dict[int, str]] = {
    "get_graph": {400: "Neither or both of graph and default", 422: "graph is not an IRI"},
    "put_graph": {201: "The graph is new"},
    "post_graph": {201: "The graph is new"},
    "delete_graph": {400: "Neither or both of graph and default", 404: "There is no such graph"},
    "competency_paths": {404: "There is no such competency or role"},
    "gap_analysis": {404: "There is no such role or competency"},
    "match_roles": {404: "There is no such competency"},
}
#: The answers every operation with a non-JSON request body can give.
_BODY_ERRORS = {400: "A malformed request or body", 413: "The body is too large",
                415: "The body is in a format not read here"}

_JSON_LD: dict[str, Any] = {"anyOf": [{"type": "object", "additionalProperties": True},
                                      {"type": "array", "items": {}}],
                            "description": "A JSON-LD document"}
_TEXT: dict[str, Any] = {"type": "string"}
_BINARY: dict[str, Any] = {"type": "string", "format": "binary"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its function name, or the name it is given above."""
    return OPERATION_IDS.get(route.name, route.name)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _success_schema(media: str, offered: dict[str, Any]) -> dict[str, Any]:
    if media == "application/sparql-results+json" or (
            media == "application/json" and "application/sparql-results+json" in offered):
        return _ref("SparqlResults")
    if media in ("application/ld+json", "application/json") or media.endswith("+json"):
        return _JSON_LD
    if media.startswith("text/") or media.endswith("+xml") or media in (
            "application/n-triples", "application/n-quads", "application/trig"):
        return _TEXT
    return _BINARY


def _models(schemas: dict[str, Any], *models: type[Any]) -> None:
    for model in models:
        doc = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in doc.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas[model.__name__] = doc


def _add_known(op: dict[str, Any], responses: dict[str, Any]) -> None:
    """Declare the answers a route can give that its own declaration leaves out: 404 for an
    id in the path, 400 (and for a body that is not JSON 413 and 415) for a request body."""
    extra = dict(EXTRA_RESPONSES.get(op.get("operationId", ""), {}))
    if any(p.get("in") == "path" and p.get("name") == "id" for p in op.get("parameters", [])):
        extra.setdefault(404, "There is no such resource")
    body = op.get("requestBody", {}).get("content", {})
    if body:
        extra.setdefault(400, _BODY_ERRORS[400])
        if any(m != "application/json" for m in body):
            for status, text in _BODY_ERRORS.items():
                extra.setdefault(status, text)
    for status, description in extra.items():
        responses.setdefault(str(status), {"description": description})


def refine(doc: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an OpenAPI document FastAPI generated as described in the module docstring."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    _models(schemas, Problem, SparqlResults)
    for item in doc.get("paths", {}).values():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses = op.setdefault("responses", {})
            _add_known(op, responses)
            ok = responses.get("200", {}).get("content", {})
            for status, response in list(responses.items()):
                if not str(status).isdigit():
                    continue
                code = int(status)
                content = response.get("content") or {}
                if code >= 400:
                    example = next((c["example"] for c in content.values() if "example" in c),
                                   None)
                    entry: dict[str, Any] = {"schema": _ref("Problem")}
                    if example is not None:
                        entry["example"] = example
                    response["content"] = {PROBLEM: entry}
                    if "text/html" in ok:  # a browser gets the error as a page
                        response["content"]["text/html"] = {"schema": _TEXT}
                    continue
                for media, entry in content.items():
                    if not entry.get("schema"):
                        entry["schema"] = _success_schema(media, content)
            negotiated = len(ok) > 1 and any(not m.endswith("json") for m in ok)
            if negotiated and "406" not in responses:
                responses["406"] = {"description": "No acceptable format",
                                    "content": {PROBLEM: {"schema": _ref("Problem")}}}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    names = {t["name"] for t in TAGS}
    used = {tag for item in doc.get("paths", {}).values() for m in _METHODS
            for tag in (item.get(m) or {}).get("tags", [])}
    # The other tags come from the headers of the named queries (queries/*.rq).
    doc["tags"] = [t for t in TAGS if t["name"] in used] + [
        {"name": tag, "description": f"Named queries about {tag}."}
        for tag in sorted(used - names)]
    return doc


def install(app: FastAPI) -> None:
    """Refine the description ``app.openapi`` gives (call it after every other extension of
    ``app.openapi``, such as the named queries'); refined again whenever paths were added."""
    original: Callable[[], dict[str, Any]] = app.openapi
    refined: dict[int, int] = {}  # id of a document -> its number of paths when refined

    def build() -> dict[str, Any]:
        doc = original()
        if refined.get(id(doc)) != len(doc.get("paths", {})):
            refine(doc)
            refined.clear()
            refined[id(doc)] = len(doc.get("paths", {}))
        return doc

    app.openapi = build  # type: ignore[method-assign]
