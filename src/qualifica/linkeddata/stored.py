"""Stored (named) queries as an API: run ``queries/<name>.rq`` with typed values, describe
each query for listings and OpenAPI, and write SELECT results as JSON-LD.

Values reach a query only through ``sparql.binding.bind``; the result is whatever the store
answers. Shared by ``GET /api/queries/{name}`` and ``qualifica query --name``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from qualifica.errors import BadParameter
from qualifica.namespaces import XSD
from qualifica.sparql import run as runner
from qualifica.sparql.registry import NamedQuery, Param, Registry
from qualifica.store.base import AskResult, GraphResult, QueryResult, SelectResult, Store, Term

#: The namespace of the variables of a named query's JSON-LD rows.
QUERY_NS = "https://w3id.org/qualifica/query/"



def raw_values(query: NamedQuery, params: Sequence[tuple[str, str]]) -> dict[str, object]:
    """Request parameters (name, value pairs, possibly repeated) as raw values for ``bind``:
    lists for ``iris`` parameters (repeated or comma-separated), single strings otherwise.
    A single-valued parameter given twice is refused (422 naming it)."""
    types = {p.name: p.type for p in query.params}
    raw: dict[str, object] = {}
    for name, value in params:
        if types.get(name) == "iris":
            items = raw.setdefault(name, [])
            assert isinstance(items, list)
            items.extend(v for v in value.split(",") if v.strip())
        elif name in raw:
            raise BadParameter(f"parameter {name!r} is given more than once", param=name,
                               status=422)
        else:
            raw[name] = value
    return raw


def run(store: Store, registry: Registry, name: str, raw: Mapping[str, object], *,
        timeout_s: float | None = None) -> tuple[NamedQuery, QueryResult]:
    """Run the named query ``name`` with raw values (checked and bound by ``sparql.binding``)."""
    query = registry.get(name)
    return query, runner.execute(store, runner.bound(query, raw), timeout_s=timeout_s)


def describe_param(param: Param) -> dict[str, Any]:
    """One parameter as it is listed (``datatype`` is the header's ``type``)."""
    out: dict[str, Any] = {"name": param.name, "datatype": param.type,
                           "required": param.required}
    for key in ("kind", "default", "description", "minimum", "maximum"):
        value = getattr(param, key)
        if value not in (None, ""):
            out[key] = value
    if param.enum:
        out["enum"] = list(param.enum)
    return out


def describe(query: NamedQuery, url: str) -> dict[str, Any]:
    """A named query as a listing node (``iri`` is its API operation URL)."""
    return {
        "iri": url,
        "id": query.name,
        "label": query.summary,
        "type": "named-query",
        "description": query.description,
        "tags": list(query.tags),
        "form": query.form,
        "params": [describe_param(p) for p in query.params],
        "example": {k: v if isinstance(v, str | int | bool) else ",".join(map(str, v))
                    for k, v in query.example.items()},
    }


def _term_jsonld(term: Term) -> Any:
    if isinstance(term, NamedNode):
        return {"@id": term.value}
    if isinstance(term, BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        dt = term.datatype.value
        if dt == XSD + "string":
            return term.value
        return {"@value": term.value, "@type": dt}
    return {"@value": str(term)}


def select_jsonld(query: NamedQuery, result: QueryResult, context_url: str) -> bytes:
    """A SELECT or ASK result as JSON-LD: one blank node per row, a property per variable
    (``https://w3id.org/qualifica/query/{name}#{var}``); ASK as ``{"boolean": …}``."""
    ns = f"{QUERY_NS}{query.name}#"
    if isinstance(result, AskResult):
        doc: dict[str, Any] = {"@context": [context_url, {"boolean": ns + "boolean"}],
                               "boolean": result.value}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if isinstance(result, GraphResult) or not isinstance(result, SelectResult):
        raise TypeError("graph results are written by the RDF serialisers")
    # variables get their own terms, overriding the REST context's (``iri``, ``type`` …)
    local: dict[str, Any] = {"@vocab": ns}
    local.update({v: {"@id": ns + v} for v in result.variables})
    rows = [{k: _term_jsonld(v) for k, v in row.items()} for row in result.rows]
    doc = {"@context": [context_url, local], "@graph": rows}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
