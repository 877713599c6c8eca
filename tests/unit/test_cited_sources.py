"""The role and competency pages read the sources their rows cite (``dcterms:source``) from a
table kept per store generation (``linkeddata.provenance.cited_sources``): the same facts as
the library query ``link-sources`` over the store, on the bundled graph and after writes that
add, move or remove a source (patched) or that the table cannot follow (read again)."""

from __future__ import annotations

import threading

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.provenance import (
    CITED_SOURCES,
    cited_sources,
    editorial_graphs,
    provenance_of,
)
from qualifica.namespaces import DCTERMS_SOURCE
from qualifica.sparql.library import select_rows
from qualifica.web.render import render_resource

ID = "https://w3id.org/qualifica/id/"
SOURCE = NamedNode(DCTERMS_SOURCE)


def queried(ctx: Context) -> dict[str, list[str]]:
    """``{subject: sorted sources}`` as ``link-sources`` reads them from the store."""
    out: dict[str, list[str]] = {}
    for row in select_rows(ctx.store, ctx.registry, "link-sources"):
        subject, source = row["subject"], row["source"]
        if isinstance(subject, NamedNode):
            out.setdefault(subject.value, []).append(str(source))
    return {s: sorted(found) for s, found in out.items()}


def kept(ctx: Context) -> dict[str, list[str]]:
    return {s: sorted(str(t) for t in found) for s, found in cited_sources(ctx).items()}


def test_the_table_holds_what_the_store_cites(bundled_ctx: Context) -> None:
    expected = queried(bundled_ctx)
    assert len(expected) > 50
    assert any(isinstance(t, NamedNode) for found in cited_sources(bundled_ctx).values()
               for t in found)
    assert kept(bundled_ctx) == expected


def test_marks_from_the_table_are_the_marks_of_the_query(bundled_ctx: Context) -> None:
    cat = catalogue_for(bundled_ctx)
    subjects = sorted({*cat.by_kind["role"], *cat.by_kind["task"], *cat.by_kind["competency"],
                       *cat.by_kind["training-format"]})
    assert len(subjects) > 100
    for lang in ("de", "en"):
        args = (bundled_ctx.store, bundled_ctx.registry, subjects, lang)
        graphs = editorial_graphs(bundled_ctx)
        read = provenance_of(*args, links=False, graphs=graphs)
        made = provenance_of(*args, links=False, graphs=graphs,
                             cited=cited_sources(bundled_ctx))
        assert made == read
        assert sum(bool(f.sources) for f in made.subjects.values()) > 50


def test_a_write_is_patched_into_the_table_and_reaches_the_page(planning_ctx: Context) -> None:
    # the page of grundlagen lists datenkompetenz as narrower, with the sources it cites
    page, narrower = ID + "competency/grundlagen", NamedNode(ID + "competency/datenkompetenz")
    cache = planning_ctx.part(CITED_SOURCES)
    before = kept(planning_ctx)
    assert before == queried(planning_ctx)
    assert cache.builds == 1
    graph = next(q.graph_name for q in planning_ctx.store.quads(narrower, None, None))
    added = Quad(narrower, SOURCE, Literal("Kompetenzrahmen Daten 2025"), graph)
    gone = list(planning_ctx.store.quads(narrower, SOURCE, None))
    planning_ctx.store.apply(gone, [added, Quad(narrower, SOURCE, Literal("Leitfaden"), graph)])
    after = kept(planning_ctx)
    assert cache.builds == 1  # patched, not read again
    assert after == queried(planning_ctx)
    assert after != before
    assert "Kompetenzrahmen Daten 2025" in render_resource(planning_ctx, page, "de")
    planning_ctx.store.remove([added])
    assert kept(planning_ctx) == queried(planning_ctx)
    html = render_resource(planning_ctx, page, "de")
    assert "Kompetenzrahmen Daten 2025" not in html
    assert "Leitfaden" in html
    assert cache.builds == 1


def test_an_unknown_change_is_read_again(planning_ctx: Context) -> None:
    role = ID + "role/datenanalyst"
    cache = planning_ctx.part(CITED_SOURCES)
    kept(planning_ctx)
    planning_ctx.store.update(
        f'INSERT DATA {{ GRAPH <{ID}graph/x> {{ <{role}> <{DCTERMS_SOURCE}> "Erlass 7" }} }}')
    assert kept(planning_ctx) == queried(planning_ctx)
    assert "Erlass 7" in [str(t.value) for t in cited_sources(planning_ctx)[role]]
    assert cache.builds == 2


def test_a_write_during_a_read_of_the_whole_table_neither_waits_nor_is_lost(
        planning_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that commits while the table is being read (0.6 s at scale 1) answers at once;
    what it changed is read again when the table is complete."""
    from qualifica.linkeddata import provenance

    role = NamedNode(ID + "role/datenanalyst")
    graph = next(q.graph_name for q in planning_ctx.store.quads(role, None, None))
    reading, release = threading.Event(), threading.Event()
    real = provenance.select_rows

    def slow_select_rows(*args: object, **kwargs: object) -> object:
        rows = real(*args, **kwargs)  # type: ignore[arg-type]
        reading.set()
        release.wait(10)
        return rows

    monkeypatch.setattr(provenance, "select_rows", slow_select_rows)
    built: list[dict[str, list[str]]] = []
    reader = threading.Thread(target=lambda: built.append(kept(planning_ctx)))
    reader.start()
    try:
        assert reading.wait(10)
        writer = threading.Thread(target=lambda: planning_ctx.store.add(
            [Quad(role, SOURCE, Literal("Erlass während des Lesens"), graph)]))
        writer.start()
        writer.join(5)
        assert not writer.is_alive()  # the write did not wait for the read
    finally:
        release.set()
        reader.join(10)
    monkeypatch.setattr(provenance, "select_rows", real)
    assert '"Erlass während des Lesens"' in built[0][role.value]
    assert kept(planning_ctx) == queried(planning_ctx)
    assert planning_ctx.part(CITED_SOURCES).builds == 1  # patched, not read again
