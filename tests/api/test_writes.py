"""Authenticated, SHACL-gated writes: Graph Store Protocol at /graphs and SPARQL Update, on the
embedded store and on a real Oxigraph server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualifica.context import Context
from qualifica.store.stamps import in_stamp_graph
from qualifica_testing import WRITE_TOKEN, app_client, bundled_copy, role_turtle

TOKEN = WRITE_TOKEN
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/qualifica/id/"
NEW_GRAPH = "https://w3id.org/qualifica/graph/test-writes"
TTL = "text/turtle"

GOOD_ROLE = role_turtle("testrolle", "Testrolle", "Test role")
BAD_ROLE = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}role/halbe-rolle> a qd:Role ; skos:prefLabel "Nur deutsch"@de .
"""


@pytest.fixture
def ctx(backend_copy: Context) -> Context:
    return backend_copy


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with app_client(ctx) as c:
        yield c


def snapshot(ctx: Context) -> set[str]:
    """The data (the stamps aside: ``test_modified_stamps.py``)."""
    return {str(q) for q in ctx.store.quads() if not in_stamp_graph(q)}


def data_count(ctx: Context) -> int:
    return len(snapshot(ctx))


def test_reads_are_open_and_negotiated(client: TestClient, ctx: Context) -> None:
    graph = ctx.store.named_graphs()[0]
    r = client.get("/graphs", params={"graph": graph})
    assert r.status_code == 200 and r.headers["content-type"].startswith(TTL)
    assert "@prefix" in r.text or "<" in r.text
    nt = client.get("/graphs", params={"graph": graph},
                    headers={"Accept": "application/n-triples"})
    assert nt.status_code == 200
    assert len(nt.text.strip().splitlines()) == len(list(ctx.store.quads(graph=graph)))
    head = client.head("/graphs", params={"graph": graph})
    assert head.status_code == 200 and head.content == b""
    assert client.get("/graphs", params={"graph": NEW_GRAPH}).status_code == 404
    bad = client.get("/graphs", params={"graph": "not an iri"})
    assert bad.status_code == 422 and bad.json()["param"] == "graph"


def test_writes_need_a_valid_token(client: TestClient, ctx: Context) -> None:
    before = snapshot(ctx)
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content=GOOD_ROLE,
                   headers={"Content-Type": TTL})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401 and "bearer token" in r.json()["detail"]
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content=GOOD_ROLE,
                   headers={"Content-Type": TTL, "Authorization": "Bearer wrong"})
    assert r.status_code == 403
    r = client.post("/sparql/update", content="CLEAR ALL",
                    headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 401
    r = client.delete("/graphs", params={"graph": ctx.store.named_graphs()[0]},
                      headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    assert snapshot(ctx) == before


def test_writes_are_off_without_configured_tokens(bundled_ctx: Context, tmp_path: Path) -> None:
    ctx = bundled_copy(bundled_ctx, tmp_path)
    with app_client(ctx) as c:
        r = c.put("/graphs", params={"graph": NEW_GRAPH}, content=GOOD_ROLE,
                  headers={"Content-Type": TTL, **AUTH})
        assert r.status_code == 403 and "switched off" in r.json()["detail"]
    assert NEW_GRAPH not in ctx.store.named_graphs()


def test_put_post_delete_graph_lifecycle(client: TestClient, ctx: Context) -> None:
    count = data_count(ctx)
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content=GOOD_ROLE,
                   headers={"Content-Type": TTL, **AUTH})
    assert r.status_code == 201, r.text
    assert data_count(ctx) == count + 6
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content=GOOD_ROLE,
                   headers={"Content-Type": TTL, **AUTH})
    assert r.status_code == 204 and data_count(ctx) == count + 6
    extra = (f'<{ID}role/testrolle> <http://www.w3.org/2004/02/skos/core#altLabel> '
             f'"Prüfrolle"@de .\n')
    r = client.post("/graphs", params={"graph": NEW_GRAPH}, content=extra,
                    headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 204, r.text
    assert data_count(ctx) == count + 7
    got = client.get("/graphs", params={"graph": NEW_GRAPH},
                     headers={"Accept": "application/n-triples"})
    assert "Prüfrolle" in got.text
    q = ("SELECT ?l WHERE { <https://w3id.org/qualifica/id/role/testrolle> "
         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
    answer = client.post("/sparql", data={"query": q},
                         headers={"Accept": "application/sparql-results+json"})
    assert len(answer.json()["results"]["bindings"]) == 2
    r = client.delete("/graphs", params={"graph": NEW_GRAPH}, headers=AUTH)
    assert r.status_code == 204 and data_count(ctx) == count
    r = client.delete("/graphs", params={"graph": NEW_GRAPH}, headers=AUTH)
    assert r.status_code == 404


def test_non_conforming_write_is_422_with_report_and_changes_nothing(
    client: TestClient, ctx: Context
) -> None:
    before = snapshot(ctx)
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content=BAD_ROLE,
                   headers={"Content-Type": TTL, **AUTH})
    assert r.status_code == 422
    body = r.json()
    assert body["status"] == 422
    assert f"{ID}role/halbe-rolle" in body["text"]["en"]
    assert f"{ID}role/halbe-rolle" in body["text"]["de"]
    assert "prefLabel" in body["text"]["en"]
    report = body["report"]
    flat = str(report)
    assert "http://www.w3.org/ns/shacl#ValidationReport" in flat
    assert "halbe-rolle" in flat
    assert snapshot(ctx) == before


def test_deleting_a_graph_others_depend_on_is_refused(client: TestClient, ctx: Context) -> None:
    competencies = [g for g in ctx.store.named_graphs() if g.endswith("/digcomp")]
    assert competencies
    before = snapshot(ctx)
    r = client.delete("/graphs", params={"graph": competencies[0]}, headers=AUTH)
    assert r.status_code == 422
    assert snapshot(ctx) == before


def test_malformed_bodies_and_types(client: TestClient, ctx: Context) -> None:
    before = snapshot(ctx)
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content="<a> <b> .",
                   headers={"Content-Type": TTL, **AUTH})
    assert r.status_code == 400 and r.json()["param"] == "body"
    r = client.put("/graphs", params={"graph": NEW_GRAPH}, content=GOOD_ROLE,
                   headers={"Content-Type": "application/pdf", **AUTH})
    assert r.status_code == 415
    r = client.put("/graphs", content=GOOD_ROLE, headers={"Content-Type": TTL, **AUTH})
    assert r.status_code == 400 and r.json()["param"] == "graph"
    assert snapshot(ctx) == before


def test_sparql_update_is_gated(client: TestClient, ctx: Context) -> None:
    before = snapshot(ctx)
    upd = "application/sparql-update"
    bad = (f'INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{ <{ID}role/halbe-rolle> a '
           f'<https://w3id.org/qualifica/ontology#Role> }} }}')
    r = client.post("/sparql/update", content=bad, headers={"Content-Type": upd, **AUTH})
    assert r.status_code == 422 and "halbe-rolle" in r.json()["text"]["en"]
    assert snapshot(ctx) == before
    r = client.post("/sparql/update", content="INSERT DATA { oops",
                    headers={"Content-Type": upd, **AUTH})
    assert r.status_code == 400
    good = (f'INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{ <{ID}role/prozessmanager> '
            f'<http://www.w3.org/2004/02/skos/core#altLabel> "Prozessverantwortliche"@de }} }}')
    r = client.post("/sparql/update", data={"update": good}, headers=AUTH)
    assert r.status_code == 204, r.text
    assert len(snapshot(ctx)) == len(before) + 1
    # a general update: its effect is computed, validated, then committed
    general = (f"DELETE {{ GRAPH ?g {{ ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l }} }}"
               f" WHERE {{ GRAPH ?g {{ ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l }}"
               f" FILTER(?g = <{NEW_GRAPH}>) }}")
    r = client.post("/sparql/update", content=general, headers={"Content-Type": upd, **AUTH})
    assert r.status_code == 204, r.text
    assert snapshot(ctx) == before
    # removing every label of a role is refused
    strip = ("DELETE { GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } } "
             f"WHERE {{ GRAPH ?g {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} "
             f"FILTER(?s = <{ID}role/prozessmanager>) }}")
    r = client.post("/sparql/update", content=strip, headers={"Content-Type": upd, **AUTH})
    assert r.status_code == 422
    assert snapshot(ctx) == before
