"""Routes: curriculum planning (roles of a competency, paths, gap analysis, matching, gaps).

Thin wrappers over ``qualifica.planning``: ids become IRIs through ``sparql.binding``, the
answers come from the planning index of the context. The answers are JSON-ready dicts built by the
library; each route declares its pydantic model (``planning/models.py``) as ``response_model``,
so FastAPI validates the dict and serialises it with pydantic (measured: no slower than sending
the dict as it is, and the same bytes). The handlers are ``async``: an answer is a few
milliseconds of in-memory work on an index that is already built (rebuilds happen in the writing
thread), so running it on the event loop saves the thread-pool hand-over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from qualifica import planning
from qualifica.api.deps import CtxDep
from qualifica.api.examples import node
from qualifica.api.fastjson import FastJSONResponse
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import instance_iri
from qualifica.planning.models import (
    CurriculumGapsResponse,
    GapRequest,
    GapResponse,
    HeldCompetency,
    Lang,
    MatchRequest,
    MatchResponse,
    PathsResponse,
    RolesForResponse,
)
from qualifica.planning.paths import MAX_HOPS
from qualifica.sparql import binding

router = APIRouter(tags=["planning"])

LangQuery = Annotated[Lang, Query(description="Language of the labels (fallback: the other)",
                                  examples=["de"])]
CompetencyId = Annotated[str, Path(description="Competency slug or IRI", openapi_examples={
    "digcomp-4-2": {"summary": "DigComp 4.2 Schutz personenbezogener Daten",
                    "value": "digcomp-4-2"},
    "iri": {"summary": "The same as a full IRI",
            "value": "https://w3id.org/qualifica/id/competency/digcomp-4-2"},
})]
RoleId = Annotated[str, Path(description="Role slug or IRI", openapi_examples={
    "prozessmanager": {"value": "prozessmanager"},
    "cio": {"value": "cio"},
})]


def _competencies(*slugs: str) -> list[str]:
    return [instance_iri("competency", slug) for slug in slugs]


# Answers of the bundled graph (shortened where marked), as the OpenAPI examples. The OpenAPI
# output leaves out null values, so the examples pick entries without them.
_DIGCOMP_4_2 = node("competency", "digcomp-4-2",
                     "Schutz personenbezogener Daten und der Privatsphäre")
_PROZESSMANAGER = node("role", "prozessmanager", "Prozessmanager/-in")
_ANWENDER = node("role", "anwender", "Anwender/-in (Bürger/-in, Unternehmen)")
_DIGITALISIEREN = node("task", "verwaltungsleistungen-digitalisieren",
                        "Verwaltungsleistungen digitalisieren")
_ROLES_FOR_EXAMPLE: dict[str, Any] = {
    "competency": _DIGCOMP_4_2,
    "roles": [
        {"role": _ANWENDER, "via": ["direct"], "paths": [[_DIGCOMP_4_2, _ANWENDER]]},
        {"role": node("role", "cio", "CIO"), "via": ["hierarchy"],
         "paths": [[_DIGCOMP_4_2, node("competency", "digcomp-4", "Sicherheit"),
                    node("role", "cio", "CIO")]]},
        {"role": node("role", "digitalisierungsbeauftragte", "Digitalisierungsbeauftragte/-r"),
         "via": ["task"],
         "paths": [[_DIGCOMP_4_2, _DIGITALISIEREN,
                    node("role", "digitalisierungsbeauftragte",
                          "Digitalisierungsbeauftragte/-r")]]},
    ],
}
_PATHS_EXAMPLE: dict[str, Any] = {
    "paths": [[_DIGCOMP_4_2, _PROZESSMANAGER],
              [_DIGCOMP_4_2, _DIGITALISIEREN, _PROZESSMANAGER]],
    "truncated": False,
}
_GAP_EXAMPLE: dict[str, Any] = {
    "role": _PROZESSMANAGER,
    "coverage": 0.2,
    "requirements": [
        {"competency": node("competency", "digcomp-5-3",
                             "Kreatives Nutzen digitaler Technologien"),
         "required_level": 6, "held_level": 6, "essential": True, "status": "met"},
        {"competency": _DIGCOMP_4_2, "required_level": 5, "held_level": 4, "essential": True,
         "status": "partial"},
    ],
    "recommendations": [
        {"training_format": node("training-format", "ausbildung-fachinformatiker",
                                  "Ausbildung zum Fachinformatiker/zur Fachinformatikerin"),
         "kind": {"iri": "https://w3id.org/qualifica/ontology#Ausbildung",
                  "id": "https://w3id.org/qualifica/ontology#Ausbildung",
                  "label": "Ausbildung", "type": "training-kind"},
         "closes": [instance_iri("competency", "digcomp-1-3")],
         "legal_basis": [
             node("legal-basis", "fiausbv", "Verordnung über die Berufsausbildung zum "
                   "Fachinformatiker und zur Fachinformatikerin (FIAusbV)"),
             node("legal-basis", "bbig-5", "§ 5 BBiG – Ausbildungsordnung")]},
    ],
    "uncovered": [],
}
_MATCH_EXAMPLE: dict[str, Any] = {
    "roles": [
        {"role": _ANWENDER, "coverage": 0.25,
         "missing": _competencies("digcomp-1-1", "digcomp-2-1", "digcomp-2-3")},
        {"role": node("role", "fachaufgabentraeger", "Fachaufgabenträger/-in"), "coverage": 0.25,
         "missing": _competencies("blv-fachkompetenz", "digcomp-1-2", "qd-soziale-kompetenzen")},
    ],
}
_CURRICULUM_EXAMPLE: dict[str, Any] = {
    "gaps": [
        {"competency": node("competency", "digcomp-1-2",
                             "Bewerten von Daten, Informationen und digitalen Inhalten"),
         "required_level": 6, "best_available_level": 5,
         "roles": [node("role", "fachinformatiker-daten-und-prozessanalyse",
                         "Fachinformatiker/-in – Daten- und Prozessanalyse"),
                   node("role", "it-controller", "IT-Controller/-in")]},
        {"competency": node("competency", "digcomp-4-1", "Schutz von Geräten"),
         "required_level": 6, "best_available_level": 5,
         "roles": [node("role", "fachinformatiker-systemintegration",
                         "Fachinformatiker/-in – Systemintegration"),
                   node("role", "it-sicherheitsmanager", "IT-Sicherheitsmanager/-in")]},
    ],
}

_ROLE_CURRICULUM_EXAMPLE: dict[str, Any] = {
    "gaps": [
        {"competency": node("competency", "qd-problemloesungskompetenz",
                             "Problemlösungskompetenz"),
         "required_level": 3, "best_available_level": 2, "roles": [_PROZESSMANAGER]},
    ],
}


def _ok(example: dict[str, Any], description: str) -> dict[int | str, Any]:
    """A 200 answer documented by a real example (its schema is the route's response model)."""
    return {200: {"description": description,
                  "content": {"application/json": {"example": example}}}}


def _have(have: Sequence[HeldCompetency]) -> list[tuple[str, int]]:
    return [
        (binding.iri(h.competency, param=f"have[{i}].competency", kind="competency").value,
         h.level)
        for i, h in enumerate(have)
    ]


@router.get("/api/competencies/{id:path}/roles",
            response_model=RolesForResponse,
            responses=_ok(_ROLES_FOR_EXAMPLE,
                          "The roles, each with via and its paths (shortened)"),
            summary="Roles that need a competency, with their paths")
async def roles_for(id: CompetencyId, ctx: CtxDep, lang: LangQuery = "de") -> FastJSONResponse:
    """Roles that require the competency, perform a task requiring it, or require a broader
    competency of it (transitively); each with ``via`` and every path."""
    comp = binding.iri(id, param="id", kind="competency").value
    return FastJSONResponse(planning.roles_for(planning.get_index(ctx), comp, lang,
                                               shared_nodes=True))


@router.get("/api/paths",
            response_model=PathsResponse,
            responses=_ok(_PATHS_EXAMPLE, "The paths, shortest first"),
            summary="All simple paths from a competency to a role")
async def paths(
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", description="Competency slug or IRI",
                                          examples=["digcomp-4-2"])],
    to: Annotated[str, Query(description="Role slug or IRI", examples=["prozessmanager"])],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS, examples=[4])] = 4,
    lang: LangQuery = "de",
) -> FastJSONResponse:
    """Simple paths through broader competencies and tasks, shortest first."""
    comp = binding.iri(from_, param="from", kind="competency").value
    role = binding.iri(to, param="to", kind="role").value
    return FastJSONResponse(planning.paths(planning.get_index(ctx), comp, role, max_hops, lang))


@router.post("/api/gap",
            response_model=GapResponse,
            responses=_ok(_GAP_EXAMPLE,
                          "Coverage, requirements and recommendations (shortened)"),
             summary="Gap analysis of a role against held competencies")
async def gap(body: GapRequest, ctx: CtxDep, lang: LangQuery = "de") -> FastJSONResponse:
    """Requirement by requirement status, coverage, and a greedy cover of the gaps by
    training formats; ``uncovered`` lists gaps no format closes."""
    role = binding.iri(body.role, param="role", kind="role").value
    return FastJSONResponse(planning.gap(planning.get_index(ctx), role, _have(body.have), lang))


@router.post("/api/match",
            response_model=MatchResponse,
            responses=_ok(_MATCH_EXAMPLE, "Roles by coverage"),
             summary="Roles that best fit held competencies")
async def match(body: MatchRequest, ctx: CtxDep, lang: LangQuery = "de",
                include_deprecated: Annotated[bool, Query(
                    alias="deprecated", description="Also rank deprecated roles "
                                                    "(owl:deprecated true)",
                    examples=[False])] = False,
                ) -> FastJSONResponse:
    """All roles by coverage descending, ties by label; ``limit`` of them. Deprecated roles
    only with ``deprecated=true``."""
    exclude = frozenset() if include_deprecated else catalogue_for(ctx).deprecated
    return FastJSONResponse(planning.match(planning.get_index(ctx), _have(body.have),
                                           body.limit, lang, exclude))


@router.get("/api/roles/{id:path}/curriculum",
            response_model=CurriculumGapsResponse,
            responses=_ok(_ROLE_CURRICULUM_EXAMPLE, "The role's curriculum gaps (prozessmanager)"),
            summary="Curriculum gaps of one role")
async def role_curriculum(id: RoleId, ctx: CtxDep, lang: LangQuery = "de") -> FastJSONResponse:
    """The role's required competencies that no training format develops to the required level."""
    role = binding.iri(id, param="id", kind="role").value
    return FastJSONResponse(planning.curriculum_gaps(planning.get_index(ctx), role, lang))


@router.get("/api/curriculum/gaps",
            response_model=CurriculumGapsResponse,
            responses=_ok(_CURRICULUM_EXAMPLE, "Every curriculum gap (shortened)"),
            summary="Curriculum gaps over all roles")
async def curriculum_gaps(ctx: CtxDep, lang: LangQuery = "de") -> FastJSONResponse:
    """Required competencies (per required level) that no training format reaches."""
    return FastJSONResponse(planning.curriculum_gaps(planning.get_index(ctx), None, lang))
