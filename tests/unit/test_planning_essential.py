"""A requirement that does not say whether it is essential counts as optional: in the planning
index (built or patched), its gap analysis, coverage, matching and role profiles, as in the
recommended shapes and the ``role-competencies`` query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad

from qualifica import planning
from qualifica.context import Context
from qualifica.namespaces import QD
from qualifica.planning.index import PlanningIndex, build_index
from qualifica.sparql.run import bound, select
from qualifica.sparql.terms import bool_of, iri_of
from qualifica_testing import planning_context

ID = "https://w3id.org/qualifica/id/"
ANALYST = ID + "role/datenanalyst"
CLERK = ID + "role/sachbearbeitung"
FOUNDATIONS = ID + "competency/grundlagen"
DATA = ID + "competency/datenkompetenz"
COMMUNICATION = ID + "competency/kommunikation"
PROTECTION = ID + "competency/datenschutz"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    c = planning_context(tmp_path)
    yield c
    c.close()


def drop_essential(ctx: Context, requirement: str) -> None:
    """Remove the requirement's ``qd:essential`` statement (it must have one)."""
    quads = list(ctx.store.quads(NamedNode(ID + "requirement/" + requirement),
                                 NamedNode(QD + "essential"), None))
    assert len(quads) == 1
    ctx.store.remove(quads)


def both_indexes(ctx: Context) -> list[PlanningIndex]:
    """The index patched after the write, and one built afresh from the store."""
    patched = planning.get_index(ctx)
    fresh = build_index(ctx.store, ctx.registry)
    assert patched.generation == fresh.generation
    return [patched, fresh]


def essential_by_query(ctx: Context, role: str) -> dict[str, bool]:
    """Per competency of ``role``: essential when any of its requirements is, as
    ``role-competencies`` says."""
    rows = select(ctx.store, bound(ctx.registry.get("role-competencies"), {"role": role})).rows
    acc: dict[str, bool] = {}
    for row in rows:
        comp = iri_of(row["competency"])
        assert comp is not None
        acc[comp] = acc.get(comp, False) or bool(bool_of(row["essential"]))
    return acc


def essential_by_index(ix: PlanningIndex, role: str) -> dict[str, bool]:
    return {r["competency"]["iri"]: r["essential"]
            for r in planning.role_profile(ix, role)["requirements"]}


def test_a_requirement_without_essential_is_optional(ctx: Context) -> None:
    planning.get_index(ctx)
    # The analyst's own essential requirement (foundations) loses its flag; its task's data
    # literacy at rank 3 stays essential and is then the only requirement that counts.
    drop_essential(ctx, "datenanalyst-grundlagen")
    expected = {FOUNDATIONS: False, DATA: True, ID + "competency/it-sicherheit": False}
    assert essential_by_query(ctx, "datenanalyst") == expected
    for ix in both_indexes(ctx):
        assert ix.role_requirements[ANALYST][FOUNDATIONS].essential is False
        assert ix.role_counted[ANALYST] == ((DATA, 3),)
        assert essential_by_index(ix, ANALYST) == expected

        answer = planning.gap(ix, ANALYST, [(DATA, 3)])
        assert answer["coverage"] == 1.0
        rows = {r["competency"]["iri"]: r for r in answer["requirements"]}
        assert rows[FOUNDATIONS]["essential"] is False
        assert rows[FOUNDATIONS]["status"] == "missing"  # still a gap, one that does not count
        assert planning.gap(ix, ANALYST, [(FOUNDATIONS, 2)])["coverage"] == 0.0

        matched = {r["role"]["iri"]: r for r in planning.match(ix, [(DATA, 3)])["roles"]}
        assert matched[ANALYST]["coverage"] == 1.0
        assert matched[ANALYST]["missing"] == []
        assert ANALYST not in dict(ix.counted_by_comp.get(FOUNDATIONS, []))


def test_a_role_whose_requirements_say_nothing_counts_them_all(ctx: Context) -> None:
    planning.get_index(ctx)
    drop_essential(ctx, "sachbearbeitung-kommunikation")
    assert essential_by_query(ctx, "sachbearbeitung") == {COMMUNICATION: False,
                                                          PROTECTION: False}
    for ix in both_indexes(ctx):
        assert essential_by_index(ix, CLERK) == {COMMUNICATION: False, PROTECTION: False}
        assert ix.role_counted[CLERK] == tuple(sorted(((COMMUNICATION, 2), (PROTECTION, 1))))
        assert planning.gap(ix, CLERK, [(COMMUNICATION, 2)])["coverage"] == 0.5


def test_a_new_requirement_without_essential_is_optional(ctx: Context) -> None:
    before = planning.get_index(ctx)
    assert before.role_counted[ANALYST] == ((DATA, 3), (FOUNDATIONS, 2))
    req = NamedNode(ID + "requirement/datenanalyst-datenschutz")
    ctx.store.add([
        Quad(NamedNode(ANALYST), NamedNode(QD + "requires"), req),
        Quad(req, NamedNode(QD + "competency"), NamedNode(PROTECTION)),
        Quad(req, NamedNode(QD + "level"), NamedNode(ID + "level/testrahmen-2")),
    ])
    for ix in both_indexes(ctx):
        assert ix.role_requirements[ANALYST][PROTECTION].essential is False
        assert ix.role_counted[ANALYST] == ((DATA, 3), (FOUNDATIONS, 2))
        assert planning.gap(ix, ANALYST, [(DATA, 3), (FOUNDATIONS, 2)])["coverage"] == 1.0
