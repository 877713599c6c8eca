"""Curriculum planning: competency-to-role paths, gap analysis, training recommendations.

Every function works on a :class:`PlanningIndex`, an in-memory picture of the planning part of
the graph (hierarchy closure, merged role requirements, learning outcomes, labels) that is built
from the store by the library queries ``queries/lib/planning-*.rq`` and kept current on every
write. Get it with :func:`get_index`; the functions answer with JSON-ready dicts whose resources
are nodes ``{"iri", "id", "label", "type"}`` (label in ``lang``, ``de`` or ``en``, with fallback).

Public API (stable)::

    get_index(ctx) -> PlanningIndex
    roles_for(index, competency_iri, lang="de") -> dict      # {"competency", "roles": [...]}
    paths(index, from_iri, to_iri, max_hops=4, lang="de") -> dict   # {"paths": [[node, ...]]}
    gap(index, role_iri, have, lang="de") -> dict            # {"role", "coverage", ...}
    match(index, have, limit=20, lang="de", exclude=()) -> dict  # {"roles": [...]}
    curriculum_gaps(index, role_iri=None, lang="de") -> dict # {"gaps": [...]}
    role_profile(index, role_iri, lang="de") -> dict         # role, tasks, merged requirements

``have`` is a sequence of ``(competency_iri, rank)`` pairs. Unknown ids raise
``errors.NotFound`` (404, with ``id``); a rank outside the competency framework's scale raises
``errors.BadParameter`` (422, ``param`` such as ``have[0].level``).
"""

from __future__ import annotations

from qualifica.planning.gaps import curriculum_gaps, gap, match, role_profile
from qualifica.planning.index import (
    PlanningIndex,
    Requirement,
    build_index,
    get_index,
)
from qualifica.planning.paths import paths, roles_for

__all__ = [
    "PlanningIndex",
    "Requirement",
    "build_index",
    "curriculum_gaps",
    "gap",
    "get_index",
    "match",
    "paths",
    "role_profile",
    "roles_for",
]
