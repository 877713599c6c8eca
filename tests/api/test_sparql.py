"""The SPARQL 1.1 Protocol endpoint ``/sparql`` (query part), in process, over small data.

Each test's store holds two named graphs of a few triples, so that what the union default graph,
``default-graph-uri``, ``named-graph-uri`` and ``FROM`` select can be told apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica_testing import LOCAL

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
PROBLEM = "application/problem+json"
SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def n(local: str) -> NamedNode:
    return NamedNode(EX + local)


QUADS = [
    Quad(n("alice"), n("name"), Literal('Alice "A", Smith', language="de"), NamedNode(G1)),
    Quad(n("alice"), n("age"), Literal("42", datatype=NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), NamedNode(G1)),
    Quad(n("bob"), n("knows"), n("alice"), NamedNode(G2)),
]


def make_client(tmp: Path, **overrides: object) -> tuple[TestClient, Context]:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp, **overrides)
    ctx = open_context(settings)
    ctx.store.add(QUADS)
    return TestClient(create_app(settings, context=ctx), base_url=LOCAL), ctx


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    client, ctx = make_client(tmp_path_factory.mktemp("sparql-api"))
    with client:
        yield client
    ctx.close()


def bindings(response: object) -> list[dict[str, str]]:
    doc = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]


def assert_problem(response: object, status: int, *words: str) -> None:
    r = response
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    for word in words:
        assert word.lower() in body["detail"].lower(), body["detail"]


# --- results in every format ---------------------------------------------------------------

def test_get_select_defaults_to_sparql_json_over_the_union_of_all_graphs(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert "Accept" in r.headers["vary"]
    assert r.json()["head"]["vars"] == ["s", "p", "o"]
    rows = bindings(r)
    assert len(rows) == 3  # both graphs: the default graph is their union
    name = next(b for b in r.json()["results"]["bindings"] if b["p"]["value"] == EX + "name")
    assert name["o"] == {"type": "literal", "value": 'Alice "A", Smith', "xml:lang": "de"}
    age = next(b for b in r.json()["results"]["bindings"] if b["p"]["value"] == EX + "age")
    assert age["o"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ],
)
def test_select_round_trips_in_each_results_format(api: TestClient, accept: str,
                                                   fmt: QueryResultsFormat) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == accept
    solutions = list(parse_query_results(r.content, format=fmt))
    got = {(s["s"], s["p"], s["o"]) for s in solutions}
    assert got == {(q.subject, q.predicate, q.object) for q in QUADS}


def test_select_as_csv_quotes_and_uses_crlf(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode().split("\r\n")
    assert lines[0] == "s,p,o"
    assert f'{EX}alice,{EX}name,"Alice ""A"", Smith"' in lines


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", b'"boolean":true'),
        ("application/sparql-results+xml", b"<boolean>true</boolean>"),
    ],
)
def test_ask(api: TestClient, accept: str, expected: bytes) -> None:
    r = api.get("/sparql", params={"query": f"ASK {{ <{EX}bob> ?p ?o }}"},
                headers={"Accept": accept})
    assert r.status_code == 200
    assert expected in r.content.replace(b" ", b"")


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_construct_round_trips_in_each_graph_format(api: TestClient, accept: str,
                                                    fmt: RdfFormat) -> None:
    r = api.post("/sparql", content=CONSTRUCT_ALL,
                 headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    triples = {q.triple for q in parse(r.content, format=fmt)}
    assert triples == {Triple(q.subject, q.predicate, q.object) for q in QUADS}


def test_construct_defaults_to_turtle_and_describe_works(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": CONSTRUCT_ALL})
    assert r.headers["content-type"].startswith("text/turtle")
    r = api.get("/sparql", params={"query": f"DESCRIBE <{EX}bob>"},
                headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert f"<{EX}bob> <{EX}knows> <{EX}alice> ." in r.text


def test_q_values_pick_the_best_offer(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL},
                headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = api.get("/sparql", params={"query": SELECT_ALL},
                headers={"Accept": "text/csv;q=0.9, text/tab-separated-values;q=0.2"})
    assert r.headers["content-type"].startswith("text/csv")
    r = api.get("/sparql", params={"query": SELECT_ALL}, headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = api.get("/sparql", params={"query": SELECT_ALL}, headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")


def test_format_parameter_overrides_accept(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL, "format": "tsv"},
                headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_nothing_acceptable_is_406(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL}, headers={"Accept": "image/png"})
    assert_problem(r, 406, "image/png")
    r = api.get("/sparql", params={"query": CONSTRUCT_ALL}, headers={"Accept": "text/csv"})
    assert_problem(r, 406)
    r = api.get("/sparql", params={"query": SELECT_ALL, "format": "ttl"},
                headers={"Accept": "image/png"})
    assert_problem(r, 406)


def test_format_of_the_other_kind_leaves_the_choice_to_accept(api: TestClient) -> None:
    """As SPARQLWrapper sends Turtle asked of a SELECT: ``format=turtle``, ``Accept: */*``."""
    r = api.get("/sparql", params={"query": SELECT_ALL, "format": "turtle"},
                headers={"Accept": "*/*"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = api.get("/sparql", params={"query": CONSTRUCT_ALL, "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")


# --- requests ------------------------------------------------------------------------------

def test_post_form_and_direct_give_the_same_answer(api: TestClient) -> None:
    get = api.get("/sparql", params={"query": SELECT_ALL})
    form = api.post("/sparql", data={"query": SELECT_ALL})
    direct = api.post("/sparql", content=SELECT_ALL.encode(),
                      headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert get.json() == form.json() == direct.json()


def test_dataset_parameters(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL, "default-graph-uri": G2})
    assert [row["s"] for row in bindings(r)] == [EX + "bob"]
    r = api.post("/sparql", data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g "
                                           "{ ?s ?p ?o } } GROUP BY ?g",
                                  "named-graph-uri": G1})
    assert bindings(r) == [{"g": G1, "n": "2"}]
    # with only named graphs given, the default graph is empty
    r = api.get("/sparql", params={"query": SELECT_ALL, "named-graph-uri": G1})
    assert bindings(r) == []
    # direct POST takes the dataset from the URL
    r = api.post("/sparql", params={"default-graph-uri": [G1, G2]}, content=SELECT_ALL,
                 headers={"Content-Type": "application/sparql-query"})
    assert len(bindings(r)) == 3


def test_from_clause_is_honoured(api: TestClient) -> None:
    q = "SELECT ?s WHERE { ?s ?p ?o }"
    r = api.get("/sparql", params={"query": q.replace("WHERE", f"FROM <{G2}> WHERE")})
    assert [row["s"] for row in bindings(r)] == [EX + "bob"]
    # the protocol's dataset wins over the query's
    r = api.get("/sparql", params={"query": q.replace("WHERE", f"FROM <{G2}> WHERE"),
                                   "default-graph-uri": G1})
    assert {row["s"] for row in bindings(r)} == {EX + "alice"}


def test_bad_graph_iri_is_400(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": SELECT_ALL, "default-graph-uri": "not an iri"})
    assert_problem(r, 400, "default-graph-uri")


def test_malformed_query_is_400_with_position(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p "})
    assert_problem(r, 400, "malformed")
    assert "1:" in r.json()["detail"]  # line:column of the error
    r = api.get("/sparql", params={"query": "this is not sparql"})
    assert_problem(r, 400, "malformed")
    r = api.get("/sparql", params={"query": ""})
    assert_problem(r, 400, "empty")


def test_two_queries_are_400(api: TestClient) -> None:
    r = api.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert_problem(r, 400, "2 'query'")
    r = api.post("/sparql", content="query=ASK%20%7B%7D&query=ASK%20%7B%7D",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 400, "query")
    r = api.post("/sparql", params={"query": "ASK {}"}, content="ASK {}",
                 headers={"Content-Type": "application/sparql-query"})
    assert_problem(r, 400)
    r = api.get("/sparql", params={"query": "ASK {} ASK {}"})
    assert_problem(r, 400, "malformed")


def test_wrong_or_missing_content_type_is_400(api: TestClient) -> None:
    r = api.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert_problem(r, 400, "content-type")
    r = api.post("/sparql", content="ASK {}")
    assert_problem(r, 400, "content-type")
    r = api.post("/sparql", content="ASK {}",
                 headers={"Content-Type": "application/sparql-query; charset=latin-1"})
    assert_problem(r, 400, "utf-8")


def test_non_utf8_is_400(api: TestClient) -> None:
    r = api.post("/sparql", content=b"SELECT * { ?s ?p \"\xe9\" }",
                 headers={"Content-Type": "application/sparql-query"})
    assert_problem(r, 400, "utf-8")
    r = api.post("/sparql", content=b"query=ASK%20%7B%7D%20%23%E9",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 400, "utf-8")
    r = api.get("/sparql?query=ASK%20%7B%7D%20%23%E9")
    assert_problem(r, 400, "utf-8")


def test_oversize_query_is_413(tmp_path: Path) -> None:
    client, ctx = make_client(tmp_path, max_query_chars=200)
    with client:
        r = client.get("/sparql", params={"query": "ASK {}" + " " * 300})
        assert_problem(r, 413, "200")
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    ctx.close()


# --- read-only -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs",
    [
        {"params": {"query": f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}"}},
        {"params": {"query": f"PREFIX ex: <{EX}>\nDELETE WHERE {{ ?s ?p ?o }}"}},
        {"data": {"update": f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}"}},
        {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-query"}},
    ],
    ids=["get-insert", "get-delete", "form-update", "sparql-update", "direct-drop"],
)
def test_updates_are_refused_and_change_nothing(api: TestClient, kwargs: dict[str, object]
                                                ) -> None:
    method = api.get if "params" in kwargs and len(kwargs) == 1 else api.post
    r = method("/sparql", **kwargs)  # type: ignore[operator]
    assert_problem(r, 403, "read-only", "/sparql/update")
    count = api.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert bindings(count) == [{"n": str(len(QUADS))}]


# --- SERVICE -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "PREFIX r: <http://127.0.0.1:9/>\nSELECT * WHERE { service r:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
        "BASE <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    ],
    ids=["iri", "silent", "prefixed", "variable", "relative"],
)
def test_service_is_refused_by_default(api: TestClient, query: str) -> None:
    r = api.get("/sparql", params={"query": query})
    assert_problem(r, 403, "SERVICE")


def test_service_word_in_strings_and_comments_is_not_a_service(api: TestClient) -> None:
    q = ('SELECT ?o WHERE { ?s ?p ?o # SERVICE <http://127.0.0.1:9/>\n'
         ' FILTER(?o != "SERVICE <http://127.0.0.1:9/> {}") }')
    r = api.get("/sparql", params={"query": q})
    assert r.status_code == 200
    assert len(bindings(r)) == 3


def test_service_allowed_by_prefix(tmp_path: Path) -> None:
    client, ctx = make_client(tmp_path, service_allow=["http://127.0.0.1:9/"])
    with client:
        # allowed: the store calls it (SILENT: the unreachable endpoint gives one empty row)
        r = client.get("/sparql", params={
            "query": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
        assert r.status_code == 200, r.text
        assert bindings(r) == [{}]
        r = client.get("/sparql", params={
            "query": "SELECT * WHERE { SERVICE <http://127.0.0.2:9/sparql> { ?s ?p ?o } }"})
        assert_problem(r, 403, "QUALIFICA_SERVICE_ALLOW")
    ctx.close()


# --- service description, page, docs ------------------------------------------------------

def test_get_without_query_is_a_service_description(api: TestClient) -> None:
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "text/turtle"}):
        r = api.get("/sparql", headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/turtle")
        triples = {q.triple for q in parse(r.content, format=RdfFormat.TURTLE)}
        sd = "http://www.w3.org/ns/sparql-service-description#"
        service = NamedNode("http://127.0.0.1:8000/sparql")
        rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        assert Triple(service, rdf_type, NamedNode(sd + "Service")) in triples
        assert Triple(service, NamedNode(sd + "feature"),
                      NamedNode(sd + "UnionDefaultGraph")) in triples
        assert Triple(service, NamedNode(sd + "supportedLanguage"),
                      NamedNode(sd + "SPARQL11Query")) in triples
        names = {t.object for t in triples if t.predicate == NamedNode(sd + "name")}
        assert names == {NamedNode(G1), NamedNode(G2)}
    r = api.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert json.loads(r.content)


def test_browser_gets_the_query_page_with_named_queries(api: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = api.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<textarea" in html and 'id="run"' in html
    # Self-contained: scripts and styles come from this server (no CDN), as the CSP demands.
    assert "cdn" not in html.lower()
    sources = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
    assert sources == ["/static/style.css", "/static/sparql.css", "/static/codemirror.js",
                       "/static/sparql.js"]
    for src in sources:
        assert api.get(src).status_code == 200, src
    registry = api.app.state.ctx.registry  # type: ignore[attr-defined]
    for named in registry:
        assert f'action="/sparql/examples/{named.name}"' in html


def test_cors_and_docs(api: TestClient) -> None:
    r = api.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://x.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = api.options("/sparql", headers={"Origin": "https://x.example",
                                          "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert api.get("/docs").status_code == 200
    spec = api.get("/openapi.json").json()
    assert {"get", "post"} <= set(spec["paths"]["/sparql"])
    names = {p["name"] for p in spec["paths"]["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= names
    assert api.get("/healthz").json()["status"] == "ok"


def test_oversize_body_is_413(tmp_path: Path) -> None:
    client, ctx = make_client(tmp_path, max_body_bytes=2048)
    with client:
        r = client.post("/sparql", content="ASK {}" + " " * 3000,
                        headers={"Content-Type": "application/sparql-query"})
        assert_problem(r, 413, "2048")
        assert r.json()["title"] == "Content too large"
    ctx.close()
