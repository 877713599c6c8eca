"""Request and response models of the planning API (pydantic). The routes validate and serialise
their answers with the response models, which also document the OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["de", "en"]
Via = Literal["direct", "task", "hierarchy"]
Status = Literal["met", "partial", "missing"]


class NodeModel(BaseModel):
    """A resource: IRI, id (slug within its kind), label in the requested language, kind."""

    iri: str
    id: str
    label: str
    type: str


class HeldCompetency(BaseModel):
    """A competency someone holds, at a level given by its rank in the competency's framework."""

    model_config = ConfigDict(extra="forbid")

    competency: str = Field(min_length=1, max_length=2000,
                            description="Competency slug or full IRI", examples=["digcomp-4-2"])
    level: int = Field(strict=True, description="Rank of the held level (1 = lowest)",
                       examples=[3])


class GapRequest(BaseModel):
    """Body of ``POST /api/gap``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"role": "prozessmanager", "have": [{"competency": "digcomp-4-2", "level": 4},
                                            {"competency": "digcomp-5-3", "level": 6}]},
    ]})

    role: str = Field(min_length=1, max_length=2000, description="Role slug or full IRI",
                      examples=["prozessmanager"])
    have: list[HeldCompetency] = Field(default_factory=list, max_length=500)


class MatchRequest(BaseModel):
    """Body of ``POST /api/match``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"have": [{"competency": "digcomp-4-2", "level": 4}], "limit": 2},
    ]})

    have: list[HeldCompetency] = Field(default_factory=list, max_length=500)
    limit: int = Field(default=20, ge=1, le=10_000, strict=True)


class RoleOfCompetency(BaseModel):
    """A role that needs the competency, how (``via``) and every path to it."""

    role: NodeModel
    via: list[Via]
    paths: list[list[NodeModel]]


class RolesForResponse(BaseModel):
    """Answer of ``GET /api/competencies/{id}/roles``."""

    competency: NodeModel
    roles: list[RoleOfCompetency]


class PathsResponse(BaseModel):
    """Answer of ``GET /api/paths``: simple paths, shortest first."""

    paths: list[list[NodeModel]]
    truncated: bool = False


class RequirementStatus(BaseModel):
    """One merged requirement of the role and how the held competencies meet it."""

    competency: NodeModel
    required_level: int
    held_level: int | None
    essential: bool
    status: Status


class Recommendation(BaseModel):
    """A training format picked by the greedy cover and the gaps it closes."""

    training_format: NodeModel
    kind: NodeModel | None
    closes: list[str]
    legal_basis: list[NodeModel]


class GapResponse(BaseModel):
    """Answer of ``POST /api/gap``."""

    role: NodeModel
    coverage: float = Field(ge=0, le=1)
    requirements: list[RequirementStatus]
    recommendations: list[Recommendation]
    uncovered: list[str]


class RoleMatch(BaseModel):
    """A role, how much of it ``have`` covers, and the counted requirements not met."""

    role: NodeModel
    coverage: float = Field(ge=0, le=1)
    missing: list[str]


class MatchResponse(BaseModel):
    """Answer of ``POST /api/match``."""

    roles: list[RoleMatch]


class CurriculumGap(BaseModel):
    """A required competency no training format develops to the required level."""

    competency: NodeModel
    required_level: int
    best_available_level: int | None
    roles: list[NodeModel]


class CurriculumGapsResponse(BaseModel):
    """Answer of ``GET /api/curriculum/gaps`` and ``GET /api/roles/{id}/curriculum``."""

    gaps: list[CurriculumGap]
