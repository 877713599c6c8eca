"""The embedded store: union default graph, atomic writes, change notification, persistence."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from qualifica.errors import BadParameter, QueryTimeout
from qualifica.store.base import AskResult, ChangeSet, DatasetSpec, GraphResult, SelectResult
from qualifica.store.oxigraph import OxigraphStore

P = NamedNode("http://example.org/p")


def q(s: str, o: str, g: str | None = None) -> Quad:
    graph = NamedNode(g) if g else None
    return Quad(NamedNode(s), P, Literal(o), graph) if graph else Quad(NamedNode(s), P, Literal(o))


def test_default_graph_is_the_union_unless_a_dataset_is_named() -> None:
    store = OxigraphStore(None)
    store.add([q("http://a", "1", "http://g1"), q("http://b", "2", "http://g2")])
    res = store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    assert isinstance(res, SelectResult)
    assert [r["s"].value for r in res.rows] == ["http://a", "http://b"]
    res = store.query("SELECT ?s WHERE { ?s ?p ?o }",
                      dataset=DatasetSpec(default_graphs=("http://g2",)))
    assert isinstance(res, SelectResult)
    assert [r["s"].value for r in res.rows] == ["http://b"]
    res = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                      dataset=DatasetSpec(default_graphs=(), named_graphs=("http://g1",)))
    assert isinstance(res, SelectResult)
    assert [r["g"].value for r in res.rows] == ["http://g1"]


def test_ask_construct_and_substitutions() -> None:
    store = OxigraphStore(None)
    store.add([q("http://a", "1", "http://g")])
    ask = store.query("ASK { ?s ?p ?o }", substitutions={"s": NamedNode("http://a")})
    assert ask == AskResult(True)
    ask = store.query("ASK { ?s ?p ?o }", substitutions={"s": NamedNode("http://zzz")})
    assert ask == AskResult(False)
    graph = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(graph, GraphResult) and len(graph.triples) == 1


def test_malformed_query_is_a_bad_parameter() -> None:
    with pytest.raises(BadParameter, match="malformed SPARQL"):
        OxigraphStore(None).query("SELECT WHERE {")


def test_time_limit_stops_a_long_read() -> None:
    store = OxigraphStore(None)
    store.add([q(f"http://s{i}", str(i), "http://g") for i in range(60)])
    with pytest.raises(QueryTimeout):
        store.query("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout_s=0.05)


def test_writes_notify_and_count_generations() -> None:
    store = OxigraphStore(None)
    seen: list[ChangeSet] = []
    store.subscribe(seen.append)
    store.add([q("http://a", "1", "http://g")])
    store.replace_graph("http://g", [q("http://b", "2")])
    store.remove([q("http://b", "2", "http://g")])
    assert store.generation == 3
    assert [len(c.added or []) for c in seen] == [1, 1, 0]
    assert store.count() == 0


def test_failed_update_changes_nothing() -> None:
    store = OxigraphStore(None)
    store.add([q("http://a", "1", "http://g")])
    with pytest.raises(BadParameter):
        store.update("INSERT DATA { <http://x> <http://p> 'y' } ; BROKEN")
    assert store.count() == 1


def test_on_disk_store_persists(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.add([q("http://a", "1", "http://g")])
    store.close()
    again = OxigraphStore(tmp_path / "s")
    assert again.count() == 1
    out = io.BytesIO()
    again.dump(out, RdfFormat.N_TRIPLES)
    assert b"<http://a>" in out.getvalue()
    again.close()
