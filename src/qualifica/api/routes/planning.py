"""Routes: curriculum planning (roles of a competency, paths, gap analysis, matching, gaps).

Thin wrappers over ``qualifica.planning``: ids become IRIs through ``sparql.binding``, the
answers come from the planning index of the context. The answers are JSON-ready dicts built by the
library and sent as they are (the pydantic models document them in the OpenAPI description; not
re-validating large answers keeps the latency low). The handlers are ``async``: an answer is a
few milliseconds of in-memory work on an index that is already built (rebuilds happen in the
writing thread), so running it on the event loop saves the thread-pool hand-over.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from qualifica import planning
from qualifica.api.deps import CtxDep
from qualifica.linkeddata.catalogue import catalogue_for
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

LangQuery = Annotated[Lang, Query(description="Language of the labels (fallback: the other)")]


def _have(have: Sequence[HeldCompetency]) -> list[tuple[str, int]]:
    return [
        (binding.iri(h.competency, param=f"have[{i}].competency", kind="competency").value,
         h.level)
        for i, h in enumerate(have)
    ]


@router.get("/api/competencies/{id:path}/roles",
            response_model=None, responses={200: {"model": RolesForResponse}},
            summary="Roles that need a competency, with their paths")
async def roles_for(id: str, ctx: CtxDep, lang: LangQuery = "de") -> JSONResponse:
    """Roles that require the competency, perform a task requiring it, or require a broader
    competency of it (transitively); each with ``via`` and every path."""
    comp = binding.iri(id, param="id", kind="competency").value
    return JSONResponse(planning.roles_for(planning.get_index(ctx), comp, lang))


@router.get("/api/paths",
            response_model=None, responses={200: {"model": PathsResponse}},
            summary="All simple paths from a competency to a role")
async def paths(
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", description="Competency slug or IRI")],
    to: Annotated[str, Query(description="Role slug or IRI")],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
    lang: LangQuery = "de",
) -> JSONResponse:
    """Simple paths through broader competencies and tasks, shortest first."""
    comp = binding.iri(from_, param="from", kind="competency").value
    role = binding.iri(to, param="to", kind="role").value
    return JSONResponse(planning.paths(planning.get_index(ctx), comp, role, max_hops, lang))


@router.post("/api/gap",
            response_model=None, responses={200: {"model": GapResponse}},
             summary="Gap analysis of a role against held competencies")
async def gap(body: GapRequest, ctx: CtxDep, lang: LangQuery = "de") -> JSONResponse:
    """Requirement by requirement status, coverage, and a greedy cover of the gaps by
    training formats; ``uncovered`` lists gaps no format closes."""
    role = binding.iri(body.role, param="role", kind="role").value
    return JSONResponse(planning.gap(planning.get_index(ctx), role, _have(body.have), lang))


@router.post("/api/match",
            response_model=None, responses={200: {"model": MatchResponse}},
             summary="Roles that best fit held competencies")
async def match(body: MatchRequest, ctx: CtxDep, lang: LangQuery = "de",
                include_deprecated: Annotated[bool, Query(
                    alias="deprecated", description="Also rank deprecated roles "
                                                    "(owl:deprecated true)")] = False,
                ) -> JSONResponse:
    """All roles by coverage descending, ties by label; ``limit`` of them. Deprecated roles
    only with ``deprecated=true``."""
    exclude = frozenset() if include_deprecated else catalogue_for(ctx).deprecated
    return JSONResponse(planning.match(planning.get_index(ctx), _have(body.have), body.limit,
                                       lang, exclude))


@router.get("/api/roles/{id:path}/curriculum",
            response_model=None, responses={200: {"model": CurriculumGapsResponse}},
            summary="Curriculum gaps of one role")
async def role_curriculum(id: str, ctx: CtxDep, lang: LangQuery = "de") -> JSONResponse:
    """The role's required competencies that no training format develops to the required level."""
    role = binding.iri(id, param="id", kind="role").value
    return JSONResponse(planning.curriculum_gaps(planning.get_index(ctx), role, lang))


@router.get("/api/curriculum/gaps",
            response_model=None, responses={200: {"model": CurriculumGapsResponse}},
            summary="Curriculum gaps over all roles")
async def curriculum_gaps(ctx: CtxDep, lang: LangQuery = "de") -> JSONResponse:
    """Required competencies (per required level) that no training format reaches."""
    return JSONResponse(planning.curriculum_gaps(planning.get_index(ctx), None, lang))
