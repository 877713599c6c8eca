"""Gap analysis, role matching, training recommendations and curriculum gaps.

Semantics (``docs/planning.md``):

* A role's requirements are its own plus those of its tasks (same competency twice: the higher
  level wins, essential if either is).
* A held competency meets a requirement at a rank >= the required rank; below it the requirement
  is *partial*; not held, *missing*. Holding a narrower competency does not meet a broader one.
* Coverage = met essential / essential requirements (all requirements when none is essential;
  1.0 for a role without requirements).
* A training format closes a gap when it develops that competency to a rank >= the required rank.
  Recommendations are a greedy set cover of the gaps: repeatedly the format that closes most of
  the gaps still open, ties broken by label (then IRI).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from qualifica.errors import BadParameter, NotFound
from qualifica.planning.index import PlanningIndex, Requirement
from qualifica.planning.paths import require_role, typed_node
from qualifica.sparql.nodes import Node

Held = tuple[str, int]


def check_have(index: PlanningIndex, have: Iterable[Held]) -> dict[str, int]:
    """Held competencies as ``{iri: rank}`` (the highest rank where one is given twice).

    ``NotFound`` (with ``id``) for an unknown competency; ``BadParameter`` 422 with
    ``param="have[i].level"`` for a rank outside the scale of the competency's framework.
    """
    held: dict[str, int] = {}
    for i, (comp, rank) in enumerate(have):
        if comp not in index.competencies:
            raise NotFound(f"there is no competency {comp} (have[{i}].competency)", id=comp)
        scale = index.scale(comp)
        if (scale and rank not in scale) or rank < 1:
            span = f"{min(scale)}..{max(scale)}" if scale else ">= 1"
            raise BadParameter(
                f"have[{i}].level: rank {rank} is outside the scale ({span}) of the framework "
                f"of {comp}", param=f"have[{i}].level", status=422,
            )
        held[comp] = max(rank, held.get(comp, 0))
    return held


def _status(req: Requirement, held: int | None) -> str:
    if held is None:
        return "missing"
    return "met" if held >= req.rank else "partial"


def _coverage(counted: Sequence[tuple[str, int]], held: dict[str, int]) -> float:
    if not counted:
        return 1.0
    met = sum(1 for comp, rank in counted if held.get(comp, 0) >= rank)
    return round(met / len(counted), 4)


def _level_node(index: PlanningIndex, level: str | None, lang: str) -> Node | None:
    return index.node(level, lang, "level") if level else None


def recommend(
    index: PlanningIndex, gaps: dict[str, int], lang: str = "de"
) -> tuple[list[dict[str, Any]], list[str]]:
    """Greedy set cover of ``gaps`` (``{competency: required rank}``) by training formats.

    Returns the recommendations and the gaps no format closes (sorted IRIs).
    """
    closes: dict[str, set[str]] = {}
    for comp, rank in gaps.items():
        for fmt, reached in index.comp_formats.get(comp, ()):
            if reached >= rank:
                closes.setdefault(fmt, set()).add(comp)
    closable = set().union(*closes.values()) if closes else set()
    uncovered = sorted(set(gaps) - closable)
    remaining = set(closable)
    picks: list[dict[str, Any]] = []
    # Each round takes the format that closes most of what remains, ties by label then IRI:
    # the formats in that order once, so a round is the first one with the largest count.
    candidates = sorted(closes, key=lambda f: (index.label(f, lang), f))
    while remaining:
        best, most = "", 0
        for f in candidates:
            n = len(closes[f] & remaining)
            if n > most:
                best, most = f, n
        closed = closes[best] & remaining
        remaining -= closed
        kind = index.format_kind.get(best)
        picks.append({
            "training_format": index.node(best, lang, "training-format"),
            "kind": index.node(kind, lang, "training-kind") if kind else None,
            "closes": sorted(closed),
            "legal_basis": sorted(
                (index.node(lb, lang, "legal-basis") for lb in index.format_legal.get(best, ())),
                key=lambda n: (n["label"], n["iri"]),
            ),
        })
    return picks, uncovered


def _ordered(index: PlanningIndex, reqs: Iterable[Requirement], lang: str) -> list[Requirement]:
    """Essential first, then by competency label."""
    return sorted(reqs, key=lambda r: (not r.essential, index.label(r.competency, lang),
                                       r.competency))


def gap(index: PlanningIndex, role_iri: str, have: Iterable[Held], lang: str = "de"
        ) -> dict[str, Any]:
    """What a person holding ``have`` lacks for a role, and which formats close it."""
    require_role(index, role_iri)
    held = check_have(index, have)
    reqs = index.role_requirements.get(role_iri, {})
    rows = []
    gaps: dict[str, int] = {}
    for req in _ordered(index, reqs.values(), lang):
        level = held.get(req.competency)
        status = _status(req, level)
        if status != "met":
            gaps[req.competency] = req.rank
        rows.append({
            "competency": typed_node(index, req.competency, lang),
            "required_level": req.rank,
            "held_level": level,
            "essential": req.essential,
            "status": status,
        })
    recommendations, uncovered = recommend(index, gaps, lang)
    return {
        "role": typed_node(index, role_iri, lang),
        "coverage": _coverage(index.role_counted.get(role_iri, ()), held),
        "requirements": rows,
        "recommendations": recommendations,
        "uncovered": uncovered,
    }


def match(index: PlanningIndex, have: Iterable[Held], limit: int = 20, lang: str = "de",
          exclude: Collection[str] = frozenset()) -> dict[str, Any]:
    """The roles that fit ``have`` best: coverage descending, ties by label; roles in
    ``exclude`` (the deprecated ones, say) are left out.

    ``missing`` lists the competencies of the requirements that count for coverage (the
    essential ones, or all when a role has none essential) that ``have`` does not meet.

    Only roles that count a held competency can score above 0, so they are found through the
    inverted index competency → (role, required rank); the rest follow in label order.
    """
    if not 1 <= limit <= 10_000:
        raise BadParameter("limit must be between 1 and 10000", param="limit", status=422)
    held = check_have(index, have)
    met: dict[str, int] = {}
    for comp, rank in held.items():
        for role, required in index.counted_by_comp.get(comp, ()):
            if rank >= required:
                met[role] = met.get(role, 0) + 1
    # The position in the label order stands for (label, IRI) in the sort key.
    position = index.role_rank(lang)
    scored = [
        (-round(n / len(index.role_counted[role]), 4), position[role], role)
        for role, n in met.items() if role not in exclude
    ]
    scored += [(-1.0, position[role], role) for role in index.unconstrained_roles
               if role not in exclude]
    scored.sort()
    ranked = [(-neg, role) for neg, _, role in scored[:limit]]
    if len(ranked) < limit:
        seen = {role for _, role in ranked}
        for role in index.roles_by_label(lang):
            if len(ranked) >= limit:
                break
            if role not in seen and role not in exclude:
                ranked.append((0.0, role))
    out = []
    for coverage, role in ranked:
        counted = index.role_counted.get(role, ())
        out.append({
            "role": typed_node(index, role, lang),
            "coverage": coverage,
            "missing": sorted(c for c, rank in counted if held.get(c, 0) < rank),
        })
    return {"roles": out}


def curriculum_gaps(index: PlanningIndex, role_iri: str | None = None, lang: str = "de"
                    ) -> dict[str, Any]:
    """Required competencies that no training format develops to the required level.

    One entry per competency and required rank, with the roles that require it so and the best
    rank any format reaches (``null`` when none develops it). ``role_iri`` limits it to one role.
    """
    if role_iri is not None:
        require_role(index, role_iri)
        roles: Iterable[str] = [role_iri]
    else:
        roles = index.roles
    found: dict[tuple[str, int], set[str]] = {}
    for role in roles:
        for comp, req in index.role_requirements.get(role, {}).items():
            best = index.best_outcome.get(comp)
            if best is None or best < req.rank:
                found.setdefault((comp, req.rank), set()).add(role)
    keys = sorted(found, key=lambda k: (index.label(k[0], lang), k[0], k[1]))
    return {
        "gaps": [
            {
                "competency": typed_node(index, comp, lang),
                "required_level": rank,
                "best_available_level": index.best_outcome.get(comp),
                "roles": [
                    typed_node(index, r, lang)
                    for r in sorted(found[(comp, rank)], key=lambda r: (index.label(r, lang), r))
                ],
            }
            for comp, rank in keys
        ],
    }


def role_profile(index: PlanningIndex, role_iri: str, lang: str = "de") -> dict[str, Any]:
    """A role with its tasks and merged requirements, each naming the role/tasks it comes from
    and the formats that reach the required level."""
    require_role(index, role_iri)
    reqs = index.role_requirements.get(role_iri, {})
    return {
        "role": typed_node(index, role_iri, lang),
        "tasks": [typed_node(index, t, lang) for t in
                  sorted(index.role_tasks.get(role_iri, ()), key=lambda t: index.label(t, lang))],
        "requirements": [
            {
                "competency": typed_node(index, r.competency, lang),
                "required_level": r.rank,
                "level": _level_node(index, r.level, lang),
                "essential": r.essential,
                "from": [typed_node(index, s, lang) for s in r.sources],
                "formats": [
                    index.node(f, lang, "training-format")
                    for f, reached in index.comp_formats.get(r.competency, ())
                    if reached >= r.rank
                ],
            }
            for r in _ordered(index, reqs.values(), lang)
        ],
    }
