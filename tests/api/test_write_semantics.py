"""What every delete form does, with and without blank nodes, on the default graph and on named
graphs: exactly what pyoxigraph does with the same update, or a 4xx naming why and no change.
Also: a gated SPARQL Update patches the planning index instead of rebuilding it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from qualifica.config import Settings
from qualifica.context import Context
from qualifica.planning.index import holder
from qualifica.store.base import Store
from qualifica.store.oxigraph import OxigraphStore
from qualifica.store.stamps import in_stamp_graph
from qualifica_testing import app_client, bundled_copy, empty_store

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}
ID = "https://w3id.org/qualifica/id/"
ROLE = f"<{ID}role/testrolle>"
PLAIN = "https://w3id.org/qualifica/graph/test-plain"
BLANK = "https://w3id.org/qualifica/graph/test-blank"
NOTE = "<http://www.w3.org/2004/02/skos/core#note>"
EXAMPLE = "<http://www.w3.org/2004/02/skos/core#example>"
SKOS = "http://www.w3.org/2004/02/skos/core#"

ROLE_TTL = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
{ROLE} a qd:Role ;
  skos:prefLabel "Testrolle"@de , "Test role"@en ;
  skos:definition "Eine Rolle für Tests."@de , "A role for tests."@en ;
  dcterms:source <https://www.bmi.bund.de/> ;
  skos:note "plain note" .
"""
BLANK_TTL = f'{ROLE} {NOTE} [ {NOTE} "inner note" ] ; {EXAMPLE} "kept example" .'
DEFAULT_NT = f'{ROLE} {NOTE} "default note" .'


def _empty_store(backend: object, tmp_path: Path) -> tuple[Settings, Store]:
    """Settings with the write token and an empty store: in memory, or on the backend's
    server."""
    return empty_store(backend, tmp_path, api_tokens=[TOKEN])  # type: ignore[arg-type]


@pytest.fixture
def small(backend: object, bundled_ctx: Context, tmp_path: Path) -> Iterator[Context]:
    """A small store: a role with a note in one graph, blank nodes in another and (embedded
    store only) one triple in the store's own default graph."""
    settings, store = _empty_store(backend, tmp_path)
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(PLAIN))
             for t in ox.parse(ROLE_TTL, format=ox.RdfFormat.TURTLE)]
    quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(BLANK))
              for t in ox.parse(BLANK_TTL, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)]
    if backend is None:
        quads += list(ox.parse(DEFAULT_NT, format=ox.RdfFormat.N_TRIPLES))
    store.add(quads)
    context = Context(settings=settings, store=store, registry=bundled_ctx.registry)
    yield context
    context.close()


@pytest.fixture
def api(small: Context) -> Iterator[TestClient]:
    with app_client(small) as c:
        yield c


def canonical(quads: object) -> set[str]:
    """Quads as N-Quads lines with blank nodes canonically labelled (RDFC-1.0); the stamps
    aside (``test_modified_stamps.py``)."""
    dataset = ox.Dataset(q for q in quads if not in_stamp_graph(q))  # type: ignore[attr-defined]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def oracle(ctx: Context, update: str) -> set[str] | None:
    """The store after pyoxigraph runs ``update`` on an in-memory copy (``None``: it fails)."""
    copy = ox.Store()
    copy.extend(ctx.store.quads())
    try:
        copy.update(update)
    except (SyntaxError, RuntimeError, OSError):
        return None
    return canonical(copy)


def embedded(ctx: Context) -> bool:
    return isinstance(ctx.store, OxigraphStore)


# Each case: an update, and the answer on the embedded store and on a remote server.
# 204 means "did what pyoxigraph does with it, and changed something"; 4xx: changed nothing.
CASES: list[tuple[str, str, int, int]] = [
    ("delete data in a named graph",
     f'DELETE DATA {{ GRAPH <{PLAIN}> {{ {ROLE} {NOTE} "plain note" }} }}', 204, 204),
    ("delete data of a triple that is in a named graph, not the default graph",
     f'DELETE DATA {{ {ROLE} {NOTE} "plain note" }}', 409, 409),
    ("delete data in the default graph",
     f"DELETE DATA {{ {DEFAULT_NT} }}", 204, 409),
    ("delete data with a blank node (SPARQL forbids it)",
     f'DELETE DATA {{ GRAPH <{BLANK}> {{ _:b {NOTE} "inner note" }} }}', 400, 400),
    ("delete where over a graph with blank nodes",
     f"DELETE WHERE {{ GRAPH <{BLANK}> {{ ?s ?p ?o }} }}", 204, 204),
    ("delete where over the default graph",
     f"DELETE WHERE {{ ?s {NOTE} ?o }}", 204, 409),
    ("delete where that matches nothing",
     "DELETE WHERE { GRAPH ?g { ?s <urn:x-nothing:p> ?o } }", 409, 409),
    ("delete/insert where removing some blank-node triples of a graph",
     f"DELETE {{ GRAPH ?g {{ ?s {NOTE} ?o }} }} INSERT {{ GRAPH ?g {{ ?s {EXAMPLE} 'moved' }} }}"
     f" WHERE {{ GRAPH ?g {{ ?s {NOTE} ?o }} FILTER(?g = <{BLANK}>) }}", 204, 409),
    ("delete/insert where on plain triples",
     f"DELETE {{ GRAPH ?g {{ ?s {NOTE} ?o }} }} INSERT {{ GRAPH ?g {{ ?s {NOTE} 'new note' }} }}"
     f" WHERE {{ GRAPH ?g {{ ?s {NOTE} ?o }} FILTER(?g = <{PLAIN}>) }}", 204, 204),
    ("clear a graph with blank nodes", f"CLEAR GRAPH <{BLANK}>", 204, 204),
    ("drop a graph with blank nodes", f"DROP GRAPH <{BLANK}>", 204, 204),
    ("drop a graph that does not exist", "DROP GRAPH <urn:x-nothing:g>", 409, 409),
    ("drop silent of a graph that does not exist", "DROP SILENT GRAPH <urn:x-nothing:g>",
     409, 409),
    ("clear the default graph", "CLEAR DEFAULT", 204, 409),
    ("drop the default graph", "DROP DEFAULT", 204, 409),
    ("clear every named graph", "CLEAR NAMED", 204, 204),
    ("drop every named graph", "DROP NAMED", 204, 204),
    ("clear everything", "CLEAR ALL", 204, 204),
    ("drop everything", "DROP ALL", 204, 204),
    ("move a graph with blank nodes", f"MOVE <{BLANK}> TO <{PLAIN}>", 204, 204),
    ("copy a graph over one with blank nodes", f"COPY <{PLAIN}> TO <{BLANK}>", 204, 204),
    ("insert data into the default graph", f"INSERT DATA {{ {ROLE} {EXAMPLE} 'x' }}", 204, 409),
    ("load from the web", "LOAD <http://127.0.0.1:9/nothing.ttl>", 403, 403),
]


@pytest.mark.parametrize(("update", "local", "remote"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_every_delete_form_does_what_it_says_or_is_refused(
    api: TestClient, small: Context, update: str, local: int, remote: int
) -> None:
    before = canonical(small.store.quads())
    expected = oracle(small, update)
    r = api.post("/sparql/update", content=update, headers=UPDATE)
    want = local if embedded(small) else remote
    assert r.status_code == want, r.text
    after = canonical(small.store.quads())
    if want == 204:
        assert after == expected
        assert after != before
    else:
        assert after == before
        assert r.json()["detail"]  # the answer says why
    if r.status_code == 409 and "DELETE DATA" in update and "GRAPH" not in update:
        assert PLAIN in r.json()["detail"] or not embedded(small)  # names where the triple is


def test_graph_store_protocol_with_blank_nodes(api: TestClient, small: Context) -> None:
    body = f'{ROLE} {NOTE} [ {NOTE} "other inner" ] .'
    r = api.put("/graphs", params={"graph": BLANK}, content=body,
                headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 204, r.text
    notes = {q.object.value for q in small.store.quads(graph=BLANK)
             if isinstance(q.object, ox.Literal)}
    assert notes == {"other inner"}
    assert len(list(small.store.quads(graph=BLANK))) == 2
    # POST merges: the body's blank node is a new node, not the stored one
    r = api.post("/graphs", params={"graph": BLANK}, content=body,
                 headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 204, r.text
    assert len(list(small.store.quads(graph=BLANK))) == 4
    r = api.delete("/graphs", params={"graph": BLANK}, headers=AUTH)
    assert r.status_code == 204, r.text
    assert list(small.store.quads(graph=BLANK)) == []
    assert BLANK not in small.store.named_graphs()
    assert api.delete("/graphs", params={"graph": BLANK}, headers=AUTH).status_code == 404


def test_default_graph_through_the_graph_store_protocol(api: TestClient, small: Context) -> None:
    r = api.get("/graphs", params={"default": ""}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    if not embedded(small):
        assert r.text.strip() == ""
        r = api.put("/graphs", params={"default": ""}, content=DEFAULT_NT,
                    headers={"Content-Type": "application/n-triples", **AUTH})
        assert r.status_code == 409 and "named graph" in r.json()["detail"]
        return
    assert r.text.strip() == DEFAULT_NT
    r = api.delete("/graphs", params={"default": ""}, headers=AUTH)
    assert r.status_code == 204
    assert api.delete("/graphs", params={"default": ""}, headers=AUTH).status_code == 404


def test_gated_update_patches_the_planning_index(
    bundled_ctx: Context, backend: object, tmp_path: Path
) -> None:
    """A label edit through POST /sparql/update: the index is patched, not rebuilt."""
    ctx = bundled_copy(bundled_ctx, tmp_path, backend, api_tokens=[TOKEN])  # type: ignore[arg-type]
    store = ctx.store
    role = f"{ID}role/prozessmanager"
    graph = next(q.graph_name.value
                 for q in store.quads(ox.NamedNode(role), ox.NamedNode(f"{SKOS}prefLabel")))
    update = (f'DELETE DATA {{ GRAPH <{graph}> {{ <{role}> <{SKOS}prefLabel> '
              f'"Process manager"@en }} }} ;\n'
              f'INSERT DATA {{ GRAPH <{graph}> {{ <{role}> <{SKOS}prefLabel> '
              f'"Process lead"@en }} }}')
    try:
        with app_client(ctx) as client:
            index = holder(ctx)
            assert index.current().label(role, "en") == "Process manager"
            rebuilds, patches = index.rebuilds, index.patches
            r = client.post("/sparql/update", content=update, headers=UPDATE)
            assert r.status_code == 204, r.text
            assert (index.rebuilds, index.patches) == (rebuilds, patches + 1)
            assert index.current().label(role, "en") == "Process lead"
    finally:
        ctx.close()
