"""The API answers the same over the embedded store and over a real SPARQL server.

Every named query (with its example values) runs on both backends; so do the API's GET routes
(ids filled in), a set of planning requests and SPARQL-endpoint queries. Answers must be equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import to_canonical_graph

from qualifica.api import create_app
from qualifica.context import Context
from qualifica.sparql.binding import bind
from qualifica.store.base import AskResult, GraphResult, QueryResult, SelectResult
from qualifica_testing import LOCAL

pytestmark = pytest.mark.remote

IDS = {
    "roles": "prozessmanager", "competencies": "digcomp-4-2", "frameworks": "digcomp-2-2",
    "levels": "digcomp-4", "tasks": "verwaltungsleistungen-digitalisieren",
    "training-formats": "ausbildung-fachinformatiker", "legal-bases": "bbig",
}
KIND_SLUG = {"role": "prozessmanager", "competency": "digcomp-4-2", "framework": "digcomp-2-2",
             "level": "digcomp-4", "legal-basis": "bbig"}


_BNODE = re.compile(r"_:[A-Za-z0-9]+")


def _term(value: object) -> str:
    """N-Triples of a term, blank node labels (local to each store) made equal."""
    return _BNODE.sub("_:b", str(value))


def _rdflib_graph(triples: list[Any]) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data="".join(f"{t} .\n" for t in triples), format="nt")
    return graph


def canonical(result: QueryResult) -> Any:
    """A comparable form: rows as sorted tuples of N-Triples strings."""
    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, GraphResult):
        # an RDF graph is a set (the embedded store's CONSTRUCT may repeat a triple, Virtuoso's
        # does not); blank nodes are compared by structure (canonical labels)
        return sorted(to_canonical_graph(_rdflib_graph(result.triples)).serialize(
            format="nt").splitlines())
    assert isinstance(result, SelectResult)
    return sorted(
        tuple(sorted((k, _term(v)) for k, v in row.items())) for row in result.rows
    )


#: Properties of the dump files in the DCAT catalogue: the bytes of a dump follow the backend's
#: serialisation order, so their checksum and size differ while the data are the same.
BYTE_LEVEL = frozenset({"spdx:checksumValue", "dcat:byteSize"})

# Sizes and checksums of the dump files: the bytes of a dump follow the backend's own order and
# blank node labels, so they differ between backends while the graphs in them are equal.
DUMP_FACTS = (rdflib.URIRef("http://www.w3.org/ns/dcat#byteSize"),
              rdflib.URIRef("http://spdx.org/rdf/terms#checksum"))


def _jsonld_triples(text: str) -> list[str]:
    """The triples of a JSON-LD document (inline context) without the dump sizes and checksums,
    as canonical N-Triples, sorted."""
    graph = rdflib.Graph().parse(data=text, format="json-ld")
    for predicate in DUMP_FACTS:
        for s, o in list(graph.subject_objects(predicate)):
            graph.remove((s, predicate, o))
            graph.remove((o, None, None))
    return sorted(to_canonical_graph(graph).serialize(format="nt").splitlines())


def unordered_scalars(value: Any) -> Any:
    """JSON with lists of plain values sorted: such lists are sets (e.g. sources), and their
    order follows the store's iteration order where no ORDER BY fixes it."""
    if isinstance(value, dict):
        return {k: unordered_scalars(v) for k, v in value.items() if k not in BYTE_LEVEL}
    if isinstance(value, list):
        items = [unordered_scalars(v) for v in value]
        if all(isinstance(v, str | int | float | bool) for v in items):
            return sorted(items, key=repr)
        if all(isinstance(v, dict) for v in items) and any("@id" in v for v in items):
            # a JSON-LD @graph: a set of nodes, some of them blank with store-made labels
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return items
    if isinstance(value, str) and value.startswith("_:"):
        return "_:blank"
    return value


def test_remote_store_holds_the_bundled_graph(bundled_ctx: Context,
                                              remote_bundled_ctx: Context) -> None:
    assert remote_bundled_ctx.store.count() == bundled_ctx.store.count() > 0
    assert remote_bundled_ctx.store.named_graphs() == bundled_ctx.store.named_graphs()


def test_every_named_query_answers_the_same(bundled_ctx: Context,
                                            remote_bundled_ctx: Context) -> None:
    names = [q.name for q in bundled_ctx.registry]
    assert names, "the registry holds named queries"
    for name in names:
        query = bundled_ctx.registry.get(name)
        bound = bind(query, query.example)
        text, subs = bound.for_substitution()
        local = bundled_ctx.store.query(text, substitutions=subs)
        remote = remote_bundled_ctx.store.query(bound.as_values())
        assert canonical(local) == canonical(remote), name


def test_quality_and_library_queries_answer_the_same(bundled_ctx: Context,
                                                     remote_bundled_ctx: Context) -> None:
    for query in [*bundled_ctx.registry.qc.values(), *bundled_ctx.registry.lib.values()]:
        if query.params and any(p.required for p in query.params):
            continue
        local = bundled_ctx.store.query(query.text)
        remote = remote_bundled_ctx.store.query(query.text)
        assert canonical(local) == canonical(remote), query.name


@pytest.fixture(scope="module")
def clients(bundled_ctx: Context, remote_bundled_ctx: Context
            ) -> Iterator[tuple[TestClient, TestClient]]:
    local = TestClient(create_app(bundled_ctx.settings, context=bundled_ctx), base_url=LOCAL)
    remote = TestClient(create_app(remote_bundled_ctx.settings, context=remote_bundled_ctx),
                        base_url=LOCAL)
    with local, remote:
        yield local, remote


def _example(param: dict[str, Any]) -> Any:
    """The documented example value of an OpenAPI parameter (None: none documented)."""
    if "example" in param:
        return param["example"]
    if param.get("examples"):
        return next(iter(param["examples"].values()))["value"]
    examples = param.get("schema", {}).get("examples")
    return examples[0] if examples else None


def _fill(path: str, operation: dict[str, Any]) -> str | None:
    """A GET path with its placeholders filled from known ids, else from the documented
    examples of its path parameters (None: cannot be filled)."""
    m = re.match(r"^/(?:api/)?([a-z-]+)/\{id\}", path)
    if m:
        slug = IDS.get(m.group(1))
        if slug is None:
            return None
        path = path.replace("{id}", slug)
    path = path.replace("{kind}/{slug}", "competency/digcomp-4-2")
    for param in operation.get("parameters", []):
        value = _example(param)
        if param["in"] == "path" and value is not None:
            path = path.replace("{" + param["name"] + "}", str(value))
    if "{" in path:
        return None
    return path


def _same(local: Any, remote: Any, url: str, status: int = 200) -> None:
    """Both answers have the expected status and the same content."""
    assert local.status_code == status, (url, local.text[:300])
    assert remote.status_code == status, (url, remote.text[:300])
    ctype = local.headers.get("content-type", "")
    if ctype.startswith("application/ld+json") and local.json() != {} and (
            graph := _jsonld_triples(local.text)):
        # an RDF graph: compared as a set of triples, blank nodes by structure (the order of
        # nodes in "@graph" follows the store)
        assert graph == _jsonld_triples(remote.text), url
    elif "json" in ctype:
        assert unordered_scalars(local.json()) == unordered_scalars(remote.json()), url
    elif ctype.startswith(("text/csv", "text/plain", "text/html")):
        assert local.text == remote.text, url


def _required_query(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The required query parameters of an operation, filled with their documented examples
    (None: one has no example)."""
    params: dict[str, Any] = {}
    for param in operation.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            value = _example(param)
            if value is None:
                return None
            params[param["name"]] = value
    return params


# JSON where a route offers it, else JSON-LD, else what it has (RDF-only and HTML routes)
ACCEPT = "application/json, application/ld+json;q=0.9, */*;q=0.1"
# GET routes whose documented example request does not answer 200 on the bundled graph
# optional parameters a route needs for a meaningful answer (its documented examples)
GET_PARAMS: dict[str, dict[str, Any]] = {
    "/gap/{table}.csv": {"role": "prozessmanager", "held": "digcomp-4-2",
                         "level-digcomp-4-2": 4},
    "/gap/{table}.xlsx": {"role": "prozessmanager", "held": "digcomp-4-2",
                          "level-digcomp-4-2": 4},
}
GET_STATUS = {
    "/api/changes": 404,  # the bundled graph has no releases to compare
    "/api/releases/{version}/{name}": 404,
    "/releases/{version}": 404,
    "/releases/{version}/{name}": 404,
}


def test_get_routes_answer_the_same(clients: tuple[TestClient, TestClient]) -> None:
    local, remote = clients
    paths = local.app.openapi()["paths"]  # type: ignore[attr-defined]
    checked = 0
    for path, ops in sorted(paths.items()):
        # /feeds: each server stores its own feed (entry ids and times differ by design)
        if "get" not in ops or path.startswith(("/graphs", "/downloads", "/healthz",
                                                "/feeds")):
            continue
        url = _fill(path, ops["get"])
        params = _required_query(ops["get"])
        if url is None or params is None:
            continue
        headers = {"Accept": ACCEPT}
        params.update(GET_PARAMS.get(path, {}))
        _same(local.get(url, params=params, headers=headers),
              remote.get(url, params=params, headers=headers), url, GET_STATUS.get(path, 200))
        checked += 1
    assert checked >= 50


@pytest.mark.parametrize("url", [
    "/api/roles?lang=en",
    "/api/competencies?framework=digcomp-2-2",
    "/api/competencies/digcomp-4-2/roles",
    "/api/roles/prozessmanager/curriculum",
    "/api/paths?from=digcomp-4-2&to=prozessmanager",
    "/api/search?q=daten",
    "/api/queries",
])
def test_planning_and_rest_requests_answer_the_same(
    clients: tuple[TestClient, TestClient], url: str
) -> None:
    local, remote = clients
    _same(local.get(url), remote.get(url), url)


def test_named_queries_over_http_answer_the_same(clients: tuple[TestClient, TestClient],
                                                 bundled_ctx: Context) -> None:
    local, remote = clients
    for query in bundled_ctx.registry:
        url = f"/api/queries/{query.name}"
        params = {k: (",".join(v) if isinstance(v, list) else str(v))
                  for k, v in query.example.items()}
        a = local.get(url, params=params, headers={"Accept": "application/json"})
        b = remote.get(url, params=params, headers={"Accept": "application/json"})
        assert a.status_code == b.status_code == 200, (url, a.text[:300], b.text[:300])
        _same(a, b, url)


@pytest.mark.parametrize("query", [
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/qualifica/ontology#Role> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?s STR(?label) LANG(?label)",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { <https://w3id.org/qualifica/id/competency/digcomp-4-2> ?p ?o }",
])
def test_sparql_endpoint_answers_the_same(clients: tuple[TestClient, TestClient],
                                          query: str) -> None:
    local, remote = clients
    headers = {"Accept": "application/sparql-results+json"}
    a = local.post("/sparql", data={"query": query}, headers=headers)
    b = remote.post("/sparql", data={"query": query}, headers=headers)
    assert a.status_code == b.status_code == 200, (a.text[:300], b.text[:300])
    assert a.json() == b.json()


@pytest.mark.parametrize(("url", "body", "status"), [
    ("/api/gap", {"role": "prozessmanager",
                  "have": [{"competency": "digcomp-4-2", "level": 3},
                           {"competency": "digcomp-5-3", "level": 6}]}, 200),
    ("/api/gap?lang=en", {"role": "cio", "have": []}, 200),
    ("/api/match", {"have": [{"competency": "digcomp-4-2", "level": 5}]}, 200),
    ("/api/match?lang=en", {"have": [{"competency": "digcomp-4-2", "level": 4},
                                     {"competency": "digcomp-1-2", "level": 2}],
                            "limit": 5}, 200),
    ("/api/gap", {"role": "gibt-es-nicht", "have": []}, 404),
    ("/api/gap", {"role": "prozessmanager",
                  "have": [{"competency": "digcomp-4-2", "level": 99}]}, 422),
])
def test_planning_posts_answer_the_same(clients: tuple[TestClient, TestClient], url: str,
                                        body: dict[str, Any], status: int) -> None:
    local, remote = clients
    a, b = local.post(url, json=body), remote.post(url, json=body)
    _same(a, b, url, status)
    if status == 200:
        answer = a.json()
        # the answer is about the request, not an empty shell: requirements or ranked roles
        assert answer.get("requirements") or answer.get("roles"), answer
