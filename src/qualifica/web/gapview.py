"""The gap page: the form (role, held competencies and levels) and the planning answer as tables.

Form parameters: ``role`` (slug or IRI), ``held`` (repeated: the competencies ticked) and
``level-{competency slug}`` (the rank held). The answer comes from ``planning.gap`` so the page
and the JSON API agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualifica import planning
from qualifica.context import Context
from qualifica.errors import BadParameter
from qualifica.planning.index import PlanningIndex
from qualifica.sparql import binding
from qualifica.sparql.nodes import slug_of
from qualifica.web.locale import natural_key
from qualifica.web.queries import Ref, href_for
from qualifica.web.tables import Cell, Table


@dataclass(frozen=True)
class LevelOption:
    """One level choice of a competency's framework."""

    rank: int
    label: str


@dataclass
class FormRow:
    """One requirement of the chosen role, as a form row."""

    competency: Ref
    required: str
    essential: bool
    options: list[LevelOption]
    held: bool
    held_rank: int | None


@dataclass
class GapForm:
    """The form: the roles to choose from and, once a role is chosen, its requirements."""

    roles: list[Ref]
    role: Ref | None = None
    rows: list[FormRow] = field(default_factory=list)


@dataclass
class GapResult:
    """The answer: coverage and the tables."""

    coverage: float
    met: int
    counted: int
    tables: dict[str, Table]
    uncovered: list[Ref]


def _ref(index: PlanningIndex, iri: str, lang: str) -> Ref:
    node = index.node(iri, lang)
    return Ref(iri=iri, id=node["id"], kind=node["type"], label=node["label"],
               href=href_for(iri))


def _level_label(index: PlanningIndex, competency: str, rank: int | None, lang: str) -> str:
    if rank is None:
        return ""
    level = index.level_for(competency, rank)
    if level is None:
        return str(rank)
    label = index.label(level, lang)
    return label if str(rank) in label else f"{label} ({rank})"


def parse_held(params: Sequence[tuple[str, str]]) -> list[tuple[str, int]]:
    """The ``(competency IRI, rank)`` pairs of the form parameters: every competency with a
    level chosen (``level-{slug}`` not empty) counts as held, ticked (``held``) or not.
    ``BadParameter`` 422 for a malformed id or level, or a ticked competency without a level."""
    levels: dict[str, str] = {}
    held: list[str] = []
    for key, value in params:
        if key == "held":
            held.append(value)
        elif key.startswith("level-"):
            levels[key[len("level-"):]] = value
    chosen = [slug for slug, raw in levels.items() if raw != ""]
    out: dict[str, int] = {}
    for value, ticked in [*((v, True) for v in held), *((s, False) for s in chosen)]:
        param = "held" if ticked else f"level-{value}"
        iri = binding.iri(value, param=param, kind="competency").value
        slug = slug_of(iri)
        if iri in out:
            continue
        raw = levels.get(slug, "")
        if raw == "":
            raise BadParameter(f"parameter 'level-{slug}': choose the level held",
                               param=f"level-{slug}", status=422)
        rank = binding.integer(raw, param=f"level-{slug}", minimum=1, maximum=100)
        out[iri] = int(rank.value)
    return list(out.items())


def build_form(ctx: Context, role: str | None, held: Sequence[tuple[str, int]], lang: str
               ) -> GapForm:
    """The form for ``role`` (a slug or IRI; ``None``: only the role choice)."""
    index = planning.get_index(ctx)
    roles = sorted((_ref(index, r, lang) for r in index.roles), key=lambda r: r.label.lower())
    form = GapForm(roles=roles)
    if not role:
        return form
    role_iri = binding.iri(role, param="role", kind="role").value
    profile = planning.role_profile(index, role_iri, lang)
    form.role = _ref(index, role_iri, lang)
    have = dict(held)
    for req in profile["requirements"]:
        comp = req["competency"]["iri"]
        ranks = sorted(index.scale(comp))
        options = [LevelOption(r, _level_label(index, comp, r, lang)) for r in ranks]
        form.rows.append(FormRow(
            competency=_ref(index, comp, lang),
            required=_level_label(index, comp, req["required_level"], lang),
            essential=bool(req["essential"]), options=options,
            held=comp in have, held_rank=have.get(comp)))
    return form


def analyse(ctx: Context, role: str, held: Sequence[tuple[str, int]], lang: str,
            words: Mapping[str, str]) -> GapResult:
    """Run the gap analysis for ``role`` and ``held`` and lay it out as tables."""
    index = planning.get_index(ctx)
    role_iri = binding.iri(role, param="role", kind="role").value
    answer: dict[str, Any] = planning.gap(index, role_iri, held, lang)
    w = words
    reqs = answer["requirements"]
    essential = [r for r in reqs if r["essential"]]
    counted = essential or reqs
    met = sum(1 for r in counted if r["status"] == "met")
    gaps = [r for r in reqs if r["status"] != "met"]

    def comp_cell(node: Mapping[str, str]) -> Cell:
        return Cell(node["label"], href=href_for(node["iri"]), iri=node["iri"])

    gap_rows = [[
        comp_cell(r["competency"]),
        Cell(_level_label(index, r["competency"]["iri"], r["required_level"], lang)),
        Cell(_level_label(index, r["competency"]["iri"], r["held_level"], lang)
             if r["held_level"] is not None else w["not_held"]),
        Cell(w["yes"] if r["essential"] else w["no"]),
        Cell(w[f"status_{r['status']}"], cls=f"status {r['status']}"),
    ] for r in gaps]
    rec_rows = []
    for rec in answer["recommendations"]:
        fmt = rec["training_format"]
        kind = rec.get("kind")
        rec_rows.append([
            Cell(fmt["label"], href=href_for(fmt["iri"]), iri=fmt["iri"]),
            Cell(kind["label"] if kind else ""),
            Cell(", ".join(index.label(c, lang) for c in rec["closes"])),
            Cell(", ".join(sorted({n["label"] for n in rec["legal_basis"]},
                                  key=natural_key))),
        ])
    tables = {
        "gaps": Table("gaps", w["gaps"],
                      [w["competency"], w["required_level"], w["held_level"], w["essential"],
                       w["status"]], gap_rows),
        "recommendations": Table("recommendations", w["recommendations"],
                                 [w["format"], w["kind"], w["closes"], w["legal_bases"]],
                                 rec_rows),
    }
    return GapResult(coverage=float(answer["coverage"]), met=met, counted=len(counted),
                     tables=tables,
                     uncovered=[_ref(index, c, lang) for c in answer["uncovered"]])
