"""The garbage collector around a server process's start-up (``api.memory``)."""

from __future__ import annotations

import gc
from dataclasses import fields
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api import memory
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import SKOS
from qualifica.planning import get_index
from qualifica_testing import PLANNING_GRAPH, planning_context

ANALYST = NamedNode("https://w3id.org/qualifica/id/role/datenanalyst")
LABEL = NamedNode(SKOS + "prefLabel")
GRAPH = NamedNode(PLANNING_GRAPH)


def test_collector_paused_inside_and_enabled_after_even_on_error() -> None:
    assert gc.isenabled()
    with memory.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), memory.collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("start-up failed")
    assert gc.isenabled()


def test_collector_left_alone_when_not_paused_or_already_off() -> None:
    with memory.collector_paused(False):
        assert gc.isenabled()
    gc.disable()
    try:
        with memory.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_after_a_write_the_new_tables_are_out_of_the_collectors_reach(tmp_path: Path) -> None:
    """A server process collects once after each write and freezes what is alive: the new
    version of the planning index is in no generation the collector walks, and the versions it
    replaced were freed (the frozen objects do not grow with the writes)."""
    ctx = planning_context(tmp_path)
    try:
        get_index(ctx)
        catalogue_for(ctx)
        gc.collect()
        gc.freeze()
        ctx.store.subscribe(memory.settle_after_write, last=True)
        frozen = gc.get_freeze_count()
        label = [Quad(ANALYST, LABEL, Literal("Data analyst", language="en"), GRAPH)]
        for n in range(20):
            new = [Quad(ANALYST, LABEL, Literal(f"Data analyst {n}", language="en"), GRAPH)]
            ctx.store.apply(label, new)
            label = new
            ix = get_index(ctx)
            assert ix.generation == ctx.store.generation  # patched by this write
            assert gc.is_tracked(ix.role_requirements)
            walked = {id(o) for generation in range(3) for o in gc.get_objects(generation)}
            assert id(ix.role_requirements) not in walked and id(ix) not in walked
        one_version = len(fields(ix))  # the maps of one version of the index, at the least
        assert gc.get_freeze_count() - frozen < one_version  # 20 versions made, 19 freed
    finally:
        gc.unfreeze()
        ctx.close()
