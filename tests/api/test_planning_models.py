"""Every planning route answers exactly what its pydantic response model documents.

The routes send the library's dicts as they are (``response_model=None``: validating every
answer would cost latency), so the models in ``planning/models.py`` could drift from the answers
unnoticed. Here every answer, over the bundled graph and over the small planning graph, for
every competency and role, is validated against its model and must come back unchanged from a
round trip through it: no field the model lacks, none it adds, no type it coerces.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from qualifica import planning
from qualifica.api import create_app
from qualifica.context import Context
from qualifica.planning.models import (
    CurriculumGapsResponse,
    GapResponse,
    MatchResponse,
    PathsResponse,
    RolesForResponse,
)
from qualifica_testing import LOCAL, planning_context


def conforms(model: type[BaseModel], answer: Any) -> None:
    """``answer`` validates against ``model`` and survives the round trip unchanged."""
    assert model.model_validate(answer).model_dump(mode="json") == answer


@pytest.fixture(scope="module", params=["bundled", "small"])
def graph(request: pytest.FixtureRequest, bundled_ctx: Context,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Context]]:
    """A client and its context: the bundled graph, or the small planning graph."""
    if request.param == "bundled":
        ctx, own = bundled_ctx, False
    else:
        ctx, own = planning_context(tmp_path_factory.mktemp("planning-models")), True
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client, ctx
    if own:
        ctx.close()


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text[:500]
    return response.json()


def test_roles_of_every_competency_conform(graph: tuple[TestClient, Context]) -> None:
    client, ctx = graph
    index = planning.get_index(ctx)
    with_roles = 0
    for comp in sorted(index.competencies):
        for lang in ("de", "en"):
            answer = _ok(client.get(f"/api/competencies/{comp}/roles", params={"lang": lang}))
            conforms(RolesForResponse, answer)
            with_roles += bool(answer["roles"])
    assert with_roles > 0


def test_paths_conform(graph: tuple[TestClient, Context]) -> None:
    client, ctx = graph
    index = planning.get_index(ctx)
    checked = 0
    for comp in sorted(index.competencies)[:40]:
        roles = _ok(client.get(f"/api/competencies/{comp}/roles"))["roles"]
        for role in roles[:3]:
            answer = _ok(client.get("/api/paths", params={"from": comp, "to": role["role"]["iri"],
                                                         "max_hops": 6}))
            conforms(PathsResponse, answer)
            assert answer["paths"], (comp, role["role"]["id"])
            checked += 1
    # a pair without a path answers an empty list, also conforming
    role = sorted(index.roles)[0]
    comp = next(c for c in sorted(index.competencies)
                if role not in {r["role"]["iri"] for r in
                                _ok(client.get(f"/api/competencies/{c}/roles"))["roles"]})
    empty = _ok(client.get("/api/paths", params={"from": comp, "to": role}))
    conforms(PathsResponse, empty)
    assert empty == {"paths": [], "truncated": False}
    assert checked > 0


def _have(index: planning.PlanningIndex, role: str, step: int) -> list[dict[str, Any]]:
    """Held competencies for a role: each requirement at a rank around the required one
    (below, at, above it, or not held), within the competency's scale."""
    have = []
    for i, (comp, req) in enumerate(sorted(index.role_requirements.get(role, {}).items())):
        scale = sorted(index.scale(comp)) or [1]
        choice = (i + step) % 4
        if choice == 3:
            continue
        wanted = req.rank - 1 + choice
        rank = min(scale, key=lambda r: (abs(r - wanted), r))
        have.append({"competency": comp, "level": rank})
    return have


def test_gap_of_every_role_conforms(graph: tuple[TestClient, Context]) -> None:
    client, ctx = graph
    index = planning.get_index(ctx)
    statuses: set[str] = set()
    recommended = 0
    for role in sorted(index.roles):
        for step in range(3):
            answer = _ok(client.post("/api/gap", json={"role": role,
                                                       "have": _have(index, role, step)}))
            conforms(GapResponse, answer)
            statuses |= {r["status"] for r in answer["requirements"]}
            recommended += len(answer["recommendations"])
    # the answers exercised every status and some recommendations (with kind and legal basis)
    assert statuses == {"met", "partial", "missing"}
    assert recommended > 0


def test_match_conforms(graph: tuple[TestClient, Context]) -> None:
    client, ctx = graph
    index = planning.get_index(ctx)
    for step, role in enumerate(sorted(index.roles)[:10]):
        for params in ({}, {"lang": "en", "deprecated": "true"}):
            answer = _ok(client.post("/api/match", params=params, json={
                "have": _have(index, role, step), "limit": 50}))
            conforms(MatchResponse, answer)
            assert answer["roles"]
    conforms(MatchResponse, _ok(client.post("/api/match", json={"have": []})))


def test_curriculum_gaps_conform(graph: tuple[TestClient, Context]) -> None:
    client, ctx = graph
    index = planning.get_index(ctx)
    for lang in ("de", "en"):
        answer = _ok(client.get("/api/curriculum/gaps", params={"lang": lang}))
        conforms(CurriculumGapsResponse, answer)
        assert answer["gaps"]
    for role in sorted(index.roles):
        conforms(CurriculumGapsResponse, _ok(client.get(f"/api/roles/{role}/curriculum")))


def test_a_drifted_answer_does_not_conform() -> None:
    """The check itself can fail: an extra field, a missing one or a coerced type is caught."""
    node = {"iri": "https://w3id.org/qualifica/id/role/r", "id": "r", "label": "R",
            "type": "role"}
    good = {"roles": [{"role": node, "coverage": 0.5, "missing": []}]}
    conforms(MatchResponse, good)
    for bad in (
        {"roles": [{"role": node, "coverage": 0.5, "missing": [], "rank": 1}]},
        {"roles": [{"role": node, "coverage": 0.5}]},
        {"roles": [{"role": node, "coverage": "0.5", "missing": []}]},
        {"roles": [{"role": {**node, "deprecated": True}, "coverage": 0.5, "missing": []}]},
    ):
        with pytest.raises((AssertionError, ValidationError)):
            conforms(MatchResponse, bad)
