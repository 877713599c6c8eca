"""The embedded store: union default graph, atomic writes, change notification, persistence."""

from __future__ import annotations

import ast
import io
import random
import threading
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat

import qualifica.store
from qualifica.errors import BadParameter, QueryTimeout
from qualifica.store.base import AskResult, ChangeSet, DatasetSpec, GraphResult, SelectResult
from qualifica.store.oxigraph import OxigraphStore

P = NamedNode("http://example.org/p")
UPPER_LAYERS = tuple(f"qualifica.{p}" for p in (
    "sparql", "context", "validation", "planning", "linkeddata", "ingest", "web", "api", "cli"))


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
    store.apply([q("http://a", "1", "http://g")], [q("http://b", "2", "http://g")])
    store.remove([q("http://b", "2", "http://g")])
    assert store.generation == 3
    assert [len(c.added or []) for c in seen] == [1, 1, 0]
    assert [len(c.removed or []) for c in seen] == [0, 1, 1]
    assert store.count() == 0


def test_apply_publishes_exactly_what_changed() -> None:
    store = OxigraphStore(None)
    a, b, c = q("http://a", "1", "http://g"), q("http://b", "2", "http://g"), q("http://c", "3")
    store.add([a, b])
    seen: list[ChangeSet] = []
    store.subscribe(seen.append)
    # a is stored (removal kept), c is not (removal dropped); b is stored (addition dropped)
    done = store.apply([a, c], [b, c])
    assert done == seen[-1]
    assert done.removed == [a] and done.added == [c] and done.graphs == {"http://g", ""}
    assert set(store.quads()) == {b, c}
    # removed and added again: stored before and after, so nothing changed
    again = store.apply([b], [b])
    assert again.added == [] and again.removed == [] and store.generation == 2
    assert len(seen) == 1  # a write that changes nothing publishes nothing
    assert store.named_graphs() == ["http://g"]


def test_apply_removes_and_adds_blank_nodes_exactly() -> None:
    store = OxigraphStore(None)
    g = NamedNode("http://g")
    node, other = BlankNode(), BlankNode()
    stored = [Quad(NamedNode("http://s"), P, node, g), Quad(node, P, Literal("x"), g),
              Quad(other, P, Literal("y"))]
    store.add(stored)
    fresh = BlankNode()
    done = store.apply(stored[:2], [Quad(fresh, P, Literal("z"), g)])
    assert sorted(map(str, done.removed or [])) == sorted(map(str, stored[:2]))
    assert set(store.quads()) == {stored[2], Quad(fresh, P, Literal("z"), g)}
    # the default graph's blank node too, and a graph left empty no longer exists
    store.remove([stored[2], Quad(fresh, P, Literal("z"), g)])
    assert store.count() == 0 and store.named_graphs() == []


def test_clear_publishes_every_removed_quad() -> None:
    store = OxigraphStore(None)
    quads = [q("http://a", "1", "http://g"), q("http://b", "2")]
    store.add(quads)
    seen: list[ChangeSet] = []
    store.subscribe(seen.append)
    store.clear()
    assert store.count() == 0 and len(seen) == 1
    assert set(seen[0].removed or []) == set(quads) and seen[0].added == []


def test_racing_writes_publish_exact_changes() -> None:
    """Each published change, replayed in order from the first state, gives the final store:
    what is stored is read under the write lock, never before it."""
    store = OxigraphStore(None)
    pool = [q(f"http://s{i}", "v", "http://g") for i in range(12)]
    store.add(pool[:6])
    start, first = set(store.quads()), store.generation
    seen: list[ChangeSet] = []
    store.subscribe(seen.append)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(60):
            store.apply(rng.sample(pool, 4), rng.sample(pool, 4))

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    replay = set(start)
    for change in seen:
        assert not set(change.removed or []) - replay  # only stored quads are reported removed
        assert not set(change.added or []) & replay  # only new quads are reported added
        replay -= set(change.removed or [])
        replay |= set(change.added or [])
    assert replay == set(store.quads())
    assert store.generation == first + len(seen)


def test_store_package_does_not_import_sparql() -> None:
    """``store/`` is the bottom layer: it never imports ``sparql/`` (or anything above it)."""
    root = Path(qualifica.store.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(UPPER_LAYERS), f"{path.name} imports {name}"


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


_HOLD = """
import sys
from pyoxigraph import NamedNode, Quad, Store
store = Store(sys.argv[1])
store.add(Quad(NamedNode("urn:x:a"), NamedNode("urn:x:p"), NamedNode("urn:x:held")))
store.flush()
print("held", flush=True)
sys.stdin.readline()  # hold the store until told
store.add(Quad(NamedNode("urn:x:a"), NamedNode("urn:x:p"), NamedNode("urn:x:later")))
store.flush()
print("wrote", flush=True)
sys.stdin.readline()
"""


def test_a_store_held_by_another_process_opens_read_only(tmp_path: Path) -> None:
    """Another process holds the on-disk store read-write: opening it read-write is
    ``StoreLocked``; a read-only view opens, reads what was written before it was opened (and a
    later view what was written since), refuses writes, and closes without flushing."""
    import subprocess
    import sys

    from qualifica.errors import StoreLocked, StoreUnavailable

    path = tmp_path / "store"
    OxigraphStore(path).close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreLocked, match="another process holds the store"):
            OxigraphStore(path)
        view = OxigraphStore(path, read_only=True)
        assert view.read_only
        assert [q.object.value for q in view.quads()] == ["urn:x:held"]
        with pytest.raises(StoreUnavailable):
            view.apply([], [Quad(NamedNode("urn:x:b"), NamedNode("urn:x:p"),
                                 NamedNode("urn:x:c"))])
        view.close()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "wrote"
        later = OxigraphStore(path, read_only=True)
        assert sorted(q.object.value for q in later.quads()) == ["urn:x:held", "urn:x:later"]
        assert len(list((tmp_path / ".readers").iterdir())) == 1  # its checkpoint
        later.close()
        assert list((tmp_path / ".readers").iterdir()) == []
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
    # once the holder has gone, the store opens read-write again
    OxigraphStore(path).close()
