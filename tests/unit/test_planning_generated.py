"""The planning index against plain SPARQL and brute force, on a small generated graph."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from qualifica import planning
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.planning import PlanningIndex
from qualifica.sparql.registry import load_query
from qualifica_testing import bench_generator, load_graph

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    tmp = tmp_path_factory.mktemp("generated")
    path = tmp / "graph.nt"
    sizes = bench_generator().write(0.02, 7, path)
    assert sizes["roles"] == 60 and sizes["competencies"] == 282
    c = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp))
    load_graph(c.store, path, "https://w3id.org/qualifica/graph/bench")
    yield c
    c.close()


@pytest.fixture(scope="module")
def index(ctx: Context) -> PlanningIndex:
    return planning.get_index(ctx)


def test_generated_graph_shape(index: PlanningIndex) -> None:
    assert len(index.roles) == 60 and len(index.tasks) == 120
    depths = {len(index.ancestors.get(c, ())) for c in index.competencies}
    assert depths == {0, 1, 2, 3}  # a four-level hierarchy
    sizes = [len(r) for r in index.role_requirements.values()]
    assert min(sizes) >= 10 and max(sizes) <= 40


def test_roles_for_agrees_with_plain_sparql(ctx: Context, index: PlanningIndex) -> None:
    text = load_query(ROOT / "bench" / "queries" / "roles-for.rq").text
    rng = random.Random(3)
    for comp in rng.sample(sorted(index.competencies), 15):
        rows = ctx.store.query(text, substitutions={"competency": NamedNode(comp)}).rows
        expected: dict[str, set[str]] = {}
        for row in rows:
            expected.setdefault(row["role"].value, set()).add(row["via"].value)
        answer = planning.roles_for(index, comp)
        got = {r["role"]["iri"]: set(r["via"]) for r in answer["roles"]}
        assert set(got) == set(expected), comp
        for role, via in got.items():
            # the SPARQL baseline labels a broader-then-task route "hierarchy" only
            assert via - {"task"} <= expected[role] | {"task"}
            assert ("hierarchy" in via) == ("hierarchy" in expected[role])


def brute_match(index: PlanningIndex, held: dict[str, int], limit: int) -> list[tuple]:
    rows = []
    for role in index.roles:
        counted = index.role_counted[role]
        met = sum(1 for c, r in counted if held.get(c, 0) >= r)
        cov = round(met / len(counted), 4) if counted else 1.0
        rows.append((-cov, index.label(role), role))
    rows.sort()
    return [(role, -neg) for neg, _, role in rows[:limit]]


def test_match_agrees_with_brute_force(index: PlanningIndex) -> None:
    rng = random.Random(5)
    comps = sorted(index.competencies)
    for limit in (1, 5, 20, 60, 100):
        held: dict[str, int] = {}
        role = rng.choice(sorted(index.roles))
        for c in [*list(index.role_requirements[role])[:6], *rng.sample(comps, 4)]:
            held[c] = rng.choice(sorted(index.scale(c)))
        answer = planning.match(index, list(held.items()), limit)
        assert [(r["role"]["iri"], r["coverage"]) for r in answer["roles"]] == \
            brute_match(index, held, limit)


def test_match_ranks_twenty_roles_by_default(index: PlanningIndex) -> None:
    answer = planning.match(index, [])
    assert len(answer["roles"]) == 20
    assert answer == planning.match(index, [], 20, "de")


def test_gap_recommendations_close_only_real_gaps(index: PlanningIndex) -> None:
    rng = random.Random(9)
    for role in rng.sample(sorted(index.roles), 10):
        answer = planning.gap(index, role, [])
        gaps = {r["competency"]["iri"]: r["required_level"] for r in answer["requirements"]}
        closed = [c for rec in answer["recommendations"] for c in rec["closes"]]
        assert len(closed) == len(set(closed))  # each gap closed once
        assert set(closed) | set(answer["uncovered"]) == set(gaps)
        sizes = [len(rec["closes"]) for rec in answer["recommendations"]]
        assert sizes == sorted(sizes, reverse=True)  # greedy: never more later
        for rec in answer["recommendations"]:
            outcomes = index.format_outcomes[rec["training_format"]["iri"]]
            assert all(outcomes[c] >= gaps[c] for c in rec["closes"])


def brute_paths(index: PlanningIndex, start: str, role: str, hops: int) -> list[tuple[str, ...]]:
    """Every simple path from ``start`` to ``role`` of at most ``hops`` edges, by depth-first
    search over the planning graph's edges, in the answer's order."""
    def successors(node: str) -> list[str]:
        if node in index.tasks:
            return list(index.task_roles.get(node, ()))
        return [*index.broader.get(node, ()), *index.comp_tasks.get(node, ()),
                *index.comp_roles_direct.get(node, ())]

    found: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [(start,)]
    while stack:
        path = stack.pop()
        if path[-1] == role:
            found.append(path)
            continue
        if len(path) - 1 < hops and path[-1] not in index.roles:
            stack.extend((*path, n) for n in successors(path[-1]) if n not in path)
    return sorted(found, key=lambda p: (len(p), [index.label(x) for x in p], p))


def test_paths_agree_with_brute_force(index: PlanningIndex) -> None:
    rng = random.Random(13)
    roles = sorted(index.roles)
    compared = nonempty = 0
    for comp in rng.sample(sorted(index.competencies), 25):
        needing = [r["role"]["iri"] for r in planning.roles_for(index, comp)["roles"]]
        for role in [*needing[:3], *rng.sample(roles, 2)]:
            for hops in range(1, 7):
                answer = planning.paths(index, comp, role, max_hops=hops)
                got = [tuple(n["iri"] for n in p) for p in answer["paths"]]
                assert got == brute_paths(index, comp, role, hops), (comp, role, hops)
                assert answer["truncated"] is False
                compared += 1
                nonempty += bool(got)
            # without max_hops: four hops
            assert planning.paths(index, comp, role) == planning.paths(index, comp, role, 4)
    assert compared > 500 and nonempty > 100
