"""``/sparql`` over real HTTP, as a client like curl sees it: each result format, problems,
and the per-query time limit that frees the server for the next request."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
)

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica_testing import LiveServer

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 7"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 7"
RUNAWAY = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
EX = "http://example.org/"


def small_quads(count: int) -> list[Quad]:
    graph = NamedNode(EX + "g")
    return [Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(f"value {i}"), graph)
            for i in range(count)]


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = Settings(in_memory=True, load_bundled=False,
                        data_dir=tmp_path_factory.mktemp("sparql-http"))
    ctx = open_context(settings)
    ctx.store.add(small_quads(20))
    server = LiveServer(create_app(settings, context=ctx)).start()
    yield server
    server.stop()
    ctx.close()


@pytest.fixture(params=["small", "bundled"])
def server(request: pytest.FixtureRequest) -> LiveServer:
    """Each test runs over small data and over the bundled graph."""
    name = "small_server" if request.param == "small" else "live_server"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", QueryResultsFormat.JSON),
        ("application/sparql-results+xml", QueryResultsFormat.XML),
        ("text/csv", QueryResultsFormat.CSV),
        ("text/tab-separated-values", QueryResultsFormat.TSV),
    ],
)
def test_select_in_each_format(server: LiveServer, accept: str,
                               fmt: QueryResultsFormat) -> None:
    r = httpx.get(server.url + "/sparql", params={"query": SELECT},
                  headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    assert "accept" in r.headers["vary"].lower()
    if fmt is QueryResultsFormat.CSV:  # pyoxigraph reads no CSV: check its shape instead
        lines = r.content.decode().split("\r\n")
        assert lines[0] == "s,p,o" and len([x for x in lines[1:] if x]) == 7
        return
    assert len(list(parse_query_results(r.content, format=fmt))) == 7


@pytest.mark.parametrize("accept", ["application/sparql-results+json",
                                    "application/sparql-results+xml"])
def test_ask_by_post_form(server: LiveServer, accept: str) -> None:
    r = httpx.post(server.url + "/sparql", data={"query": ASK},
                   headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    assert parse_query_results(r.content, format=QueryResultsFormat.from_media_type(accept))


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_construct_by_direct_post_in_each_format(server: LiveServer, accept: str,
                                                 fmt: RdfFormat) -> None:
    r = httpx.post(server.url + "/sparql", content=CONSTRUCT.encode(),
                   headers={"Content-Type": "application/sparql-query", "Accept": accept},
                   timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    assert len(list(parse(r.content, format=fmt))) == 7


def test_problems_over_http(server: LiveServer) -> None:
    url = server.url + "/sparql"
    bad = httpx.get(url, params={"query": "SELECT * {"}, timeout=30)
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(url, params={"query": SELECT}, headers={"Accept": "image/png"},
                     timeout=30).status_code == 406
    assert httpx.post(url, content=b"ASK {}", timeout=30).status_code == 400
    update = httpx.post(url, data={"update": "CLEAR ALL"}, timeout=30)
    assert update.status_code == 403 and "read-only" in update.json()["detail"]
    sd = httpx.get(url, timeout=30)
    assert sd.status_code == 200 and sd.headers["content-type"].startswith("text/turtle")


def _timeout_server(tmp: Path, store_ctx: Context | None) -> tuple[LiveServer, Context]:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp, query_timeout_s=0.5,
                        query_workers=2)
    if store_ctx is None:
        ctx = open_context(settings)
        ctx.store.add(small_quads(400))  # 400³ rows: far more than 0.5 s
    else:
        ctx = Context(settings=settings, store=store_ctx.store, registry=store_ctx.registry)
    return LiveServer(create_app(settings, context=ctx)).start(), ctx


@pytest.mark.parametrize("data", ["small", "bundled"])
def test_runaway_query_ends_with_a_problem_and_the_server_keeps_answering(
    tmp_path: Path, request: pytest.FixtureRequest, data: str
) -> None:
    bundled = request.getfixturevalue("bundled_ctx") if data == "bundled" else None
    server, _ctx = _timeout_server(tmp_path, bundled)
    try:
        started = time.monotonic()
        r = httpx.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=30)
        elapsed = time.monotonic() - started
        assert r.status_code == 503, r.text[:200]
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["title"] == "Query timeout"
        assert elapsed < 5
        # the server answers at once, and further queries still run
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
        ok = httpx.get(server.url + "/sparql", params={"query": ASK}, timeout=10)
        assert ok.status_code == 200
        # several runaways in a row neither block the server nor exhaust the pool for good
        for _ in range(3):
            assert httpx.get(server.url + "/sparql", params={"query": RUNAWAY},
                             timeout=30).status_code == 503
        assert httpx.get(server.url + "/sparql", params={"query": ASK},
                         timeout=10).status_code == 200
    finally:
        server.stop()
