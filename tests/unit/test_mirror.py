"""The in-memory copy of an on-disk store (``store/mirror.py``): it answers what the store
answers, follows every exact write at once (blank nodes and stamps included), is built again
after an unknown change, and is never read when it does not hold the store's generation."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from qualifica.config import Settings
from qualifica.context import MIRROR, Context, open_context
from qualifica.linkeddata import profiles
from qualifica.linkeddata.describe import description_bytes
from qualifica.namespaces import GRAPH
from qualifica.sparql import run
from qualifica.store.base import QueryResult, Readable, SelectResult
from qualifica.store.mirror import Mirror
from qualifica.store.oxigraph import OxigraphStore
from qualifica.web.queries import select_rows
from qualifica_testing import writer_and_reader

ALL = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
QD = "https://w3id.org/qualifica/ontology#"


def lines(result: QueryResult | None) -> list[str]:
    """The rows of a SELECT answer as sorted lines (blank nodes by their ids)."""
    assert isinstance(result, SelectResult), "no answer (a copy that was not current)"
    return sorted(" ".join(str(r.get(v)) for v in ("s", "p", "o", "g")) for r in result.rows)


def rows(store: Readable, text: str = ALL) -> list[str]:
    return lines(store.query(text))


def copy_rows(mirror: Mirror, text: str = ALL) -> list[str]:
    return lines(mirror.query(text))


def numbered(*ids: int) -> list[Quad]:
    """One quad for each number."""
    return [Quad(NamedNode(f"urn:s:{i}"), NamedNode("urn:p"), Literal("x"),
                 NamedNode(GRAPH + "t")) for i in ids]


@pytest.fixture
def disk_ctx(tmp_path: Path, bundled_ctx: Context) -> Iterator[Context]:
    """A context over an on-disk store holding the bundled graph."""
    ctx = open_context(Settings(data_dir=tmp_path / "var", load_bundled=False))
    ctx.store.add(bundled_ctx.store.quads())
    yield ctx
    ctx.close()


def mirror_of(ctx: Context) -> Mirror:
    mirror = ctx.part(MIRROR)
    assert mirror is not None
    assert mirror.wait(60)
    return mirror


def test_the_copy_answers_what_the_store_answers(disk_ctx: Context) -> None:
    mirror = mirror_of(disk_ctx)
    assert copy_rows(mirror) == rows(disk_ctx.store)
    assert len(copy_rows(mirror)) == disk_ctx.store.count() > 4000


def test_descriptions_and_pages_are_read_from_the_copy_with_the_same_answers(
        disk_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = mirror_of(disk_ctx)
    answered: list[str] = []
    query = Mirror.query

    def counted(self: Mirror, sparql: str, **kw: object) -> object:
        result = query(self, sparql, **kw)
        if result is not None:
            answered.append(sparql)
        return result

    roles = sorted(q.subject.value for q in disk_ctx.store.quads(
        None, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        NamedNode(QD + "Role")) if isinstance(q.subject, NamedNode))
    assert len(roles) > 10
    full = profiles.FULL
    made = {iri: description_bytes(disk_ctx, NamedNode(iri), full, "text/turtle")
            for iri in roles}
    assert not answered  # not counted yet: these were read before the patch
    monkeypatch.setattr(Mirror, "query", counted)
    disk_ctx.store.add([Quad(NamedNode("urn:x"), NamedNode("urn:p"), Literal("1"),
                             NamedNode(GRAPH + "t"))])  # a new generation: made anew
    assert mirror.current
    for iri in roles:
        assert description_bytes(disk_ctx, NamedNode(iri), full, "text/turtle") == made[iri]
        page = select_rows(disk_ctx, "page-resource", {"iri": iri})
        assert page
    assert len(answered) == 3 * len(roles)  # two queries a description, one a page
    # the same statements as the store gives for each
    for iri in roles[:5]:
        text, subs = run.bound(disk_ctx.registry.internal("describe-resource"),
                               terms={"resource": NamedNode(iri)}).for_substitution()
        on_copy = mirror.query(text, substitutions=subs)
        assert on_copy is not None
        assert set(on_copy.triples) == set(
            disk_ctx.store.query(text, substitutions=subs).triples)


def test_the_copy_follows_every_exact_write(disk_ctx: Context) -> None:
    mirror = mirror_of(disk_ctx)
    store = disk_ctx.store
    rng = random.Random(7)
    graph = NamedNode(GRAPH + "mirror-test")
    written: list[Quad] = []
    for step in range(40):
        node = BlankNode() if step % 3 == 0 else NamedNode(f"urn:m:{step}")
        add = [Quad(node, NamedNode(f"urn:p:{rng.randrange(3)}"), Literal(f"v{step}"), graph)]
        if step % 4 == 1:
            add.append(Quad(NamedNode(f"{QD}x{step}"), NamedNode(QD + "requires"), node, graph))
        remove = rng.sample(written, min(len(written), rng.randrange(3)))
        old = rng.sample(list(itertools.islice(store.quads(), 500)), 1) \
            if step % 10 == 5 else []  # a quad of the bundled graph
        change = store.apply([*remove, *old], add, stamp=step % 2 == 0)
        written = [q for q in written if q not in remove] + add
        assert change.added is not None
        assert mirror.current  # applied by the write's listener, before the write returned
    assert copy_rows(mirror) == rows(store)
    assert mirror.builds == 1


def test_an_unknown_change_drops_the_copy_and_it_is_built_again(disk_ctx: Context) -> None:
    mirror = mirror_of(disk_ctx)
    disk_ctx.store.update(f"INSERT DATA {{ GRAPH <{GRAPH}u> {{ <urn:u> <urn:p> 'new' }} }}")
    ask = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { <urn:u> ?p ?o } }"
    # read meanwhile from the store, never from the copy of before
    assert len(rows(disk_ctx.reads, ask)) == 1
    assert mirror.wait(60)
    assert mirror.builds == 2
    assert copy_rows(mirror, ask) == rows(disk_ctx.store, ask)
    assert copy_rows(mirror) == rows(disk_ctx.store)


def test_a_copy_that_does_not_hold_the_current_generation_is_not_read(
        disk_ctx: Context) -> None:
    mirror = mirror_of(disk_ctx)
    ask = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"
    assert mirror.query(ask) is not None
    store = disk_ctx.store
    assert isinstance(store, OxigraphStore)
    # a write whose listener has not reached the copy yet: the store is a generation ahead
    store.advance_to(store.generation + 1)
    assert not mirror.current
    assert mirror.query(ask) is None
    assert len(rows(disk_ctx.reads, ask)) == 1  # answered by the store


def test_no_copy_in_memory_when_turned_off_or_over_the_limit(tmp_path: Path,
                                                           bundled_ctx: Context) -> None:
    assert bundled_ctx.part(MIRROR) is None  # an in-memory store needs none
    off = open_context(Settings(data_dir=tmp_path / "off", load_bundled=False,
                                memory_mirror_max_quads=0))
    try:
        assert off.part(MIRROR) is None
    finally:
        off.close()
    small = open_context(Settings(data_dir=tmp_path / "small", load_bundled=False,
                                  memory_mirror_max_quads=10))
    try:
        small.store.add(numbered(*range(11)))
        mirror = small.part(MIRROR)
        assert mirror is not None
        assert not mirror.wait(1.5)
        assert len(rows(small.reads)) == 11  # read from the store
    finally:
        small.close()
    grows = open_context(Settings(data_dir=tmp_path / "grows", load_bundled=False,
                                  memory_mirror_max_quads=12))
    try:
        grows.store.add(numbered(*range(11)))
        mirror = grows.part(MIRROR)
        assert mirror is not None and mirror.wait(30)
        grows.store.add(numbered(11))
        assert mirror.current  # 12 quads: kept
        grows.store.add(numbered(12))
        assert not mirror.current and not mirror.wait(1.5)  # 13: dropped, not made again
        assert len(rows(grows.reads)) == 13
        grows.store.remove(numbered(0, 1))
        assert mirror.wait(30) and mirror.builds == 2  # 11 again: made again
        assert copy_rows(mirror) == rows(grows.store)
    finally:
        grows.close()


def test_a_following_process_keeps_its_copy_in_step(tmp_path: Path) -> None:
    g = NamedNode(GRAPH + "t")
    store, _publisher, follower = writer_and_reader(tmp_path, numbered(0))
    mirror = Mirror(follower, 1000)
    try:
        assert mirror.wait(30)
        bnode = BlankNode()
        store.add([Quad(bnode, NamedNode("urn:p"), Literal("b"), g),
                   Quad(NamedNode("urn:s:1"), NamedNode("urn:q"), bnode, g)])
        assert len(copy_rows(mirror)) == 1  # the state the follower reads until it moves
        assert follower.refresh()
        assert mirror.current
        assert copy_rows(mirror) == rows(follower) == rows(store)
        store.remove([Quad(bnode, NamedNode("urn:p"), Literal("b"), g)])
        store.update(f"INSERT DATA {{ GRAPH <{g.value}> {{ <urn:s:2> <urn:p> 'u' }} }}")
        assert follower.refresh()  # two commits: one exact, one unknown
        assert mirror.wait(30) and mirror.builds == 2
        assert copy_rows(mirror) == rows(follower) == rows(store)
    finally:
        mirror.close()
        follower.close()
        store.close()


def test_a_copy_that_cannot_follow_a_write_is_made_again_and_the_write_stands(
        disk_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = mirror_of(disk_ctx)

    class Broken:
        def native(self) -> None:
            raise RuntimeError("the copy is broken")

    monkeypatch.setattr(mirror, "_copy", Broken())
    quad = Quad(NamedNode("urn:b"), NamedNode("urn:p"), Literal("b"), NamedNode(GRAPH + "b"))
    change = disk_ctx.store.add([quad])  # the listener's failure does not fail the write
    assert change.added == [quad] and quad in set(disk_ctx.store.quads(NamedNode("urn:b")))
    assert mirror.wait(60) and mirror.builds == 2
    assert copy_rows(mirror) == rows(disk_ctx.store)
