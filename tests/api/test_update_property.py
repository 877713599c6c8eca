"""Property: a SPARQL Update sent to ``POST /sparql/update`` changes the store exactly as
pyoxigraph changes an in-memory copy with the same update, or is refused (4xx, for a reason the
answer names) and changes nothing.

Updates are generated from every form (INSERT DATA, DELETE DATA, DELETE WHERE, DELETE/INSERT
WHERE, CLEAR, DROP, ADD, COPY, MOVE) over a small graph with blank nodes, a named graph and the
store's own default graph; stores are compared with blank nodes canonically labelled.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context
from qualifica.store.oxigraph import OxigraphStore
from qualifica.store.stamps import in_stamp_graph
from qualifica_testing import LOCAL

TOKEN = "s3cret-token-for-tests"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
ROLE = "<https://w3id.org/qualifica/id/role/testrolle>"
PLAIN = "<https://w3id.org/qualifica/graph/test-plain>"
BLANK = "<https://w3id.org/qualifica/graph/test-blank>"
OTHER = "<https://w3id.org/qualifica/graph/test-other>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
NOTE, EXAMPLE, LABEL = f"<{SKOS}note>", f"<{SKOS}example>", f"<{SKOS}prefLabel>"

BASE = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
GRAPH {PLAIN} {{
  {ROLE} a qd:Role ; skos:prefLabel "Testrolle"@de , "Test role"@en ;
    skos:definition "Eine Rolle für Tests."@de , "A role for tests."@en ;
    dcterms:source <https://www.bmi.bund.de/> ; skos:note "a" .
}}
GRAPH {BLANK} {{ {ROLE} skos:note [ skos:note "b" ] ; skos:example "a" . }}
{ROLE} skos:note "a" .
"""

graphs = st.sampled_from([None, PLAIN, BLANK, OTHER])
targets = st.sampled_from(["DEFAULT", PLAIN, BLANK, OTHER])
subjects = st.sampled_from([ROLE, "<urn:x-test:s>"])
predicates = st.sampled_from([NOTE, EXAMPLE, LABEL])
objects = st.sampled_from(['"a"', '"b"', '"Test role"@en', ROLE])
silent = st.sampled_from(["", "SILENT "])


def _in(graph: str | None, body: str) -> str:
    return body if graph is None else f"GRAPH {graph} {{ {body} }}"


@st.composite
def data(draw: st.DrawFn, verb: str) -> str:
    triples = []
    for _ in range(draw(st.integers(1, 3))):
        s = draw(subjects if verb == "DELETE" else st.one_of(subjects, st.just("_:n")))
        triples.append(_in(draw(graphs), f"{s} {draw(predicates)} {draw(objects)} ."))
    return f"{verb} DATA {{ {' '.join(triples)} }}"


@st.composite
def where(draw: st.DrawFn) -> str:
    graph = draw(st.sampled_from([None, PLAIN, BLANK, "?g"]))
    pattern = _in(graph, f"?s {draw(predicates)} ?o")
    kind = draw(st.sampled_from(["delete-where", "delete", "insert", "both"]))
    if kind == "delete-where":
        return f"DELETE WHERE {{ {pattern} }}"
    new = _in(graph, f"?s {EXAMPLE} \"moved\"")
    parts = {"delete": f"DELETE {{ {pattern} }}", "insert": f"INSERT {{ {new} }}",
             "both": f"DELETE {{ {pattern} }} INSERT {{ {new} }}"}[kind]
    return f"{parts} WHERE {{ {pattern} }}"


@st.composite
def graph_op(draw: st.DrawFn) -> str:
    verb = draw(st.sampled_from(["CLEAR", "DROP", "ADD", "COPY", "MOVE"]))
    quiet = draw(silent)
    if verb in ("CLEAR", "DROP"):
        target = draw(st.sampled_from(["DEFAULT", "NAMED", "ALL", PLAIN, BLANK, OTHER]))
        return f"{verb} {quiet}{'GRAPH ' if target.startswith('<') else ''}{target}"
    return f"{verb} {quiet}{draw(targets)} TO {draw(targets)}"


operation = st.one_of(data("INSERT"), data("DELETE"), where(), graph_op())
updates = st.lists(operation, min_size=1, max_size=3).map(" ;\n".join)


def canonical(quads: object) -> set[str]:
    """The data, the stamps aside (``test_modified_stamps.py``), canonically labelled."""
    dataset = ox.Dataset(q for q in quads if not in_stamp_graph(q))  # type: ignore[attr-defined]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.fixture(scope="module")
def world(bundled_ctx: Context, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[TestClient, Context, list[ox.Quad]]]:
    """One app over an embedded store, reset to the base graph before every example."""
    s = Settings(in_memory=True, load_bundled=False,
                 data_dir=tmp_path_factory.mktemp("update-property"), api_tokens=[TOKEN])
    ctx = Context(settings=s, store=OxigraphStore(None), registry=bundled_ctx.registry)
    base = list(ox.parse(BASE, format=ox.RdfFormat.TRIG))
    with TestClient(create_app(s, context=ctx), base_url=LOCAL) as client:
        yield client, ctx, base
    ctx.close()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(update=updates)
def test_update_through_the_api_matches_pyoxigraph(
    world: tuple[TestClient, Context, list[ox.Quad]], update: str
) -> None:
    client, ctx, base = world
    ctx.store.clear()
    ctx.store.add(base)
    before = canonical(ctx.store.quads())
    copy = ox.Store()
    copy.extend(base)
    try:
        copy.update(update)
        expected: set[str] | None = canonical(copy)
    except (SyntaxError, RuntimeError):
        expected = None
    r = client.post("/sparql/update", content=update, headers=UPDATE)
    after = canonical(ctx.store.quads())
    event(f"answer {r.status_code}")
    if r.status_code == 204:
        assert expected is not None, f"pyoxigraph refuses what the API ran: {update}"
        assert after == expected, update
        return
    assert after == before, update  # a refused update changes nothing
    detail = r.json()["detail"]
    if expected is None:  # malformed, or a graph that does not exist
        assert r.status_code in (400, 409), (update, r.text)
    elif r.status_code == 422:
        assert r.json()["results"], (update, r.text)  # the shapes gate, with its report
    else:  # a delete that would change nothing: the store is what it was, or DELETE DATA
        # named a quad that is not stored
        assert r.status_code == 409, (update, r.text)
        assert expected == before or "DELETE DATA" in detail, (update, detail)
