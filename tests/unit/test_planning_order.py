"""The label order of roles as a sort key, and the nodes of an answer as independent dicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qualifica import planning
from qualifica.planning import PlanningIndex
from qualifica_testing import planning_context

C = "https://w3id.org/qualifica/id/competency/"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningIndex]:
    ctx = planning_context(Path(tmp_path_factory.mktemp("order")))
    yield planning.get_index(ctx)
    ctx.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_role_rank_is_the_position_in_the_label_order(index: PlanningIndex, lang: str) -> None:
    order = index.roles_by_label(lang)
    rank = index.role_rank(lang)
    assert len(order) > 2
    assert sorted(rank, key=rank.__getitem__) == order
    assert order == sorted(index.roles, key=lambda r: (index.label(r, lang), r))


def test_role_rank_is_rebuilt_after_the_order_is_dropped(index: PlanningIndex) -> None:
    expected = dict(index.role_rank("de"))
    index._role_order.clear()  # as a patch that changes a role's label does
    index._role_rank.clear()
    assert index.role_rank("de") == expected


def test_every_node_of_an_answer_is_its_own_dict(index: PlanningIndex) -> None:
    answer = planning.roles_for(index, C + "datenschutz")
    entries = answer["roles"]
    assert entries and all(e["paths"] for e in entries)
    first = entries[0]
    role_node = first["role"]
    last_of_path = first["paths"][0][-1]
    assert role_node == last_of_path and role_node is not last_of_path
    role_node["label"] = "changed"
    assert last_of_path["label"] != "changed"
    assert index.node(role_node["iri"])["label"] != "changed"
    assert planning.roles_for(index, C + "datenschutz")["roles"][0]["role"]["label"] != "changed"
