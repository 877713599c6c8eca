"""The planning index follows the store: relevant writes patch (or rebuild) it, others leave it
alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica import planning
from qualifica.context import Context
from qualifica.namespaces import QD, RDF, SKOS, XSD
from qualifica.planning.index import HOLDER, IndexHolder, is_relevant
from qualifica.store.base import ChangeSet
from qualifica_testing import PLANNING_GRAPH, planning_context

ID = "https://w3id.org/qualifica/id/"
GRAPH = NamedNode(PLANNING_GRAPH)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    c = planning_context(tmp_path)
    yield c
    c.close()


def requirement(holder: str, comp: str, level: int, essential: bool) -> list[Quad]:
    req = NamedNode(f"{ID}requirement/{holder.rsplit('/', 1)[-1]}-{comp.rsplit('/', 1)[-1]}")
    return [
        Quad(NamedNode(holder), NamedNode(QD + "requires"), req, GRAPH),
        Quad(req, NamedNode(RDF + "type"), NamedNode(QD + "CompetencyRequirement"), GRAPH),
        Quad(req, NamedNode(QD + "competency"), NamedNode(comp), GRAPH),
        Quad(req, NamedNode(QD + "level"), NamedNode(f"{ID}level/testrahmen-{level}"), GRAPH),
        Quad(req, NamedNode(QD + "essential"),
             Literal(str(essential).lower(), datatype=NamedNode(XSD + "boolean")), GRAPH),
    ]


def test_get_index_is_built_once_and_kept_in_the_context(ctx: Context) -> None:
    first = planning.get_index(ctx)
    assert planning.get_index(ctx) is first
    assert isinstance(ctx.built(HOLDER), IndexHolder)
    assert ctx.part(HOLDER) is ctx.built(HOLDER) and ctx.part(HOLDER).current() is first


def test_new_requirement_changes_answers(ctx: Context) -> None:
    sec, clerk = ID + "competency/it-sicherheit", ID + "role/sachbearbeitung"
    before = planning.get_index(ctx)
    assert [r["role"]["id"] for r in planning.roles_for(before, sec)["roles"]] == ["datenanalyst"]
    ctx.store.add(requirement(clerk, sec, 2, True))
    after = planning.get_index(ctx)
    assert after is not before
    assert [r["role"]["id"] for r in planning.roles_for(after, sec)["roles"]] == [
        "datenanalyst", "sachbearbeitung"]
    # now the clerk's only essential requirement; not held → coverage 0, and no format closes it
    gap = planning.gap(after, clerk, [(ID + "competency/kommunikation", 2)])
    assert gap["coverage"] == 0.0
    assert gap["uncovered"] == [ID + "competency/datenschutz", sec]
    # the old index object is untouched (readers holding it see one consistent state)
    assert [r["role"]["id"] for r in planning.roles_for(before, sec)["roles"]] == ["datenanalyst"]


def test_removal_and_label_change_are_seen(ctx: Context) -> None:
    planning.get_index(ctx)
    quads = requirement(ID + "role/datenanalyst", ID + "competency/it-sicherheit", 1, False)
    existing = [q for q in ctx.store.quads(None, None, None) if q.subject == quads[1].subject]
    ctx.store.remove(existing)
    assert planning.roles_for(planning.get_index(ctx), ID + "competency/it-sicherheit")[
        "roles"] == []
    role = NamedNode(ID + "role/datenanalyst")
    old = next(q for q in ctx.store.quads(role, NamedNode(SKOS + "prefLabel"), None)
               if isinstance(q.object, Literal) and q.object.language == "de")
    ctx.store.remove([old])
    ctx.store.add([Quad(role, NamedNode(SKOS + "prefLabel"),
                        Literal("Datenanalystin", language="de"), GRAPH)])
    assert planning.get_index(ctx).label(role.value, "de") == "Datenanalystin"


def test_sparql_update_rebuilds(ctx: Context) -> None:
    first = planning.get_index(ctx)
    ctx.store.update(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "INSERT DATA { GRAPH <https://w3id.org/qualifica/graph/small> { "
        "<https://w3id.org/qualifica/id/competency/datenschutz> skos:broader "
        "<https://w3id.org/qualifica/id/competency/it-sicherheit> } }"
    )
    second = planning.get_index(ctx)
    assert second is not first
    assert ID + "competency/it-sicherheit" in second.ancestors[ID + "competency/datenschutz"]
    roles = planning.roles_for(second, ID + "competency/datenschutz")["roles"]
    analyst = next(r for r in roles if r["role"]["id"] == "datenanalyst")
    assert ["datenschutz", "it-sicherheit", "datenanalyst"] in [
        [n["id"] for n in p] for p in analyst["paths"]]


def test_irrelevant_write_keeps_the_index(ctx: Context) -> None:
    first = planning.get_index(ctx)
    holder = ctx.part(HOLDER)
    rebuilds = holder.rebuilds
    ctx.store.add([Quad(NamedNode(ID + "role/datenanalyst"),
                        NamedNode("http://purl.org/dc/terms/description"),
                        Literal("nur eine Beschreibung", language="de"), GRAPH)])
    assert planning.get_index(ctx) is first
    assert holder.rebuilds == rebuilds


def test_is_relevant() -> None:
    assert is_relevant(ChangeSet())
    assert not is_relevant(ChangeSet(added=[], removed=[]))
    q = Quad(NamedNode(ID + "role/x"), NamedNode(QD + "performsTask"), NamedNode(ID + "task/y"))
    assert is_relevant(ChangeSet(added=[], removed=[q]))


def test_failed_rebuild_marks_stale_and_recovers(ctx: Context,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    planning.get_index(ctx)
    holder = ctx.part(HOLDER)
    import qualifica.planning.index as module

    real_build, real_patch = module.build_index, module.patch_index

    def broken(*args: object) -> object:
        raise RuntimeError("store gone")

    # the patch fails, and so does the rebuild it falls back to
    monkeypatch.setattr(module, "patch_index", broken)
    monkeypatch.setattr(module, "build_index", broken)
    ctx.store.add(requirement(ID + "role/sachbearbeitung", ID + "competency/projektarbeit", 1,
                              True))  # the write itself succeeds
    monkeypatch.setattr(module, "build_index", real_build)
    monkeypatch.setattr(module, "patch_index", real_patch)
    fresh = planning.get_index(ctx)
    assert ID + "role/sachbearbeitung" in fresh.comp_roles_direct[ID + "competency/projektarbeit"]
    assert holder.rebuilds >= 2


def test_failed_patch_falls_back_to_a_rebuild(ctx: Context,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    planning.get_index(ctx)
    holder = ctx.part(HOLDER)
    import qualifica.planning.index as module

    def broken(*args: object) -> object:
        raise RuntimeError("patch failed")

    monkeypatch.setattr(module, "patch_index", broken)
    rebuilds = holder.rebuilds
    ctx.store.add(requirement(ID + "role/sachbearbeitung", ID + "competency/projektarbeit", 1,
                              True))
    assert holder.rebuilds == rebuilds + 1 and holder.patches == 0
    fresh = planning.get_index(ctx)
    assert ID + "role/sachbearbeitung" in fresh.comp_roles_direct[ID + "competency/projektarbeit"]


def test_known_relevant_write_is_patched_not_rebuilt(ctx: Context) -> None:
    before = planning.get_index(ctx)
    holder = ctx.part(HOLDER)
    rebuilds = holder.rebuilds
    ctx.store.add(requirement(ID + "role/sachbearbeitung", ID + "competency/projektarbeit", 3,
                              True))
    after = planning.get_index(ctx)
    assert after is not before and holder.rebuilds == rebuilds and holder.patches == 1
    assert after.generation == ctx.store.generation
    assert ID + "role/sachbearbeitung" not in before.comp_roles_direct.get(
        ID + "competency/projektarbeit", set())
    # a change of a level's rank reaches every requirement: rebuilt, not patched
    ctx.store.add([Quad(NamedNode(ID + "level/testrahmen-9"), NamedNode(QD + "rank"),
                        Literal("9", datatype=NamedNode(XSD + "integer")), GRAPH)])
    assert holder.rebuilds == rebuilds + 1 and holder.patches == 1
