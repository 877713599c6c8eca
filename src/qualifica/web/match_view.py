"""The match page: the competencies a person holds, with levels, and the roles that fit them best.

Form parameters as on the gap page: ``held`` (repeated, a competency ticked) and
``level-{competency slug}`` (the rank held); a level chosen without a tick counts as held.
``find`` narrows the list of competencies shown (held ones always stay). The answer comes from
``planning.match`` so the page and ``POST /api/match`` agree; each role links to its gap
analysis with the held competencies carried over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from qualifica import planning
from qualifica.context import Context
from qualifica.errors import BadParameter, NotFound
from qualifica.linkeddata.catalogue import catalogue_for, fold
from qualifica.linkeddata.search import spelled, stripped
from qualifica.planning.index import PlanningIndex
from qualifica.sparql import binding
from qualifica.sparql.nodes import slug_of
from qualifica.web.locale import natural_key
from qualifica.web.page_errors import worded
from qualifica.web.queries import Ref, href_for

RESULTS = 10
#: At most this many competencies are listed (held ones come on top); with more, the filter
#: narrows the list first, so that a graph of thousands of competencies keeps a usable page.
MAX_CHOICES = 400


@dataclass(frozen=True)
class LevelOption:
    """A level of a competency's framework."""

    rank: int
    label: str


@dataclass
class CompetencyChoice:
    """One competency of the form, with its levels and what is held."""

    ref: Ref
    options: list[LevelOption]
    held_rank: int | None
    ticked: bool = False


@dataclass
class FrameworkChoices:
    """The competencies of one framework."""

    framework: Ref | None
    choices: list[CompetencyChoice]

    @property
    def held(self) -> int:
        """How many of them are held."""
        return sum(1 for c in self.choices if c.held_rank is not None)


@dataclass
class Fit:
    """A role that fits, its coverage, what it still lacks and its gap analysis link."""

    role: Ref
    coverage: float
    missing: list[Ref]
    gap_href: str


@dataclass
class MatchView:
    """What the match page shows."""

    frameworks: list[FrameworkChoices]
    held: list[tuple[str, int]]
    find: str
    fits: list[Fit] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)
    more: int = 0  # competencies that match but are not listed (refine the filter)


def _ref(index: PlanningIndex, iri: str, lang: str) -> Ref:
    node = index.node(iri, lang)
    return Ref(iri=iri, id=node["id"], kind=node["type"], label=node["label"],
               href=href_for(iri))


def _level_label(index: PlanningIndex, comp: str, rank: int, lang: str) -> str:
    level = index.level_for(comp, rank)
    if level is None:
        return str(rank)
    label = index.label(level, lang)
    return label if str(rank) in label else f"{label} ({rank})"


def parse_held(params: Sequence[tuple[str, str]], words: Mapping[str, str]
               ) -> tuple[list[tuple[str, int]], list[str]]:
    """The ``(competency IRI, rank)`` pairs of the form, and the competencies ticked without a
    level (their IRIs). A level chosen without a tick counts as held. ``BadParameter`` 422 for
    a malformed id or level."""
    ticked: list[str] = []
    levels: dict[str, str] = {}
    for key, value in params:
        if key == "held" and value:
            with worded(words["err_competency"].format(id=value)):
                iri = binding.iri(value, param="held", kind="competency").value
            ticked.append(slug_of(iri))
        elif key.startswith("level-") and value:
            levels[key[len("level-"):]] = value
    held: dict[str, int] = {}
    unlevelled: list[str] = []
    for slug in dict.fromkeys([*ticked, *levels]):
        with worded(words["err_competency"].format(id=slug)):
            iri = binding.iri(slug, param=f"level-{slug}", kind="competency").value
        raw = levels.get(slug)
        if raw is None:
            unlevelled.append(iri)
            continue
        with worded(words["err_level"].format(id=slug)):
            rank = binding.integer(raw, param=f"level-{slug}", minimum=1, maximum=100)
        held[iri] = int(rank.value)
    return list(held.items()), unlevelled


def gap_href(role: str, held: Sequence[tuple[str, int]]) -> str:
    """The gap analysis of ``role`` for ``held`` (the page's own language is added by the
    template)."""
    params: list[tuple[str, str]] = [("role", slug_of(role))]
    params += [(f"level-{slug_of(comp)}", str(rank)) for comp, rank in held]
    params.append(("analyse", "1"))  # a level chosen counts as held on the gap page too
    return "/gap?" + urlencode(params)


def _matches(find: str, label: str) -> bool:
    if not find:
        return True
    return spelled(find) in spelled(label) or stripped(find) in stripped(label)


def match_view(ctx: Context, params: Sequence[tuple[str, str]], lang: str,
               words: Mapping[str, str]) -> MatchView:
    """The form (competencies by framework, levels, what is held) and, when anything is held,
    the roles that fit best."""
    index = planning.get_index(ctx)
    values = dict(params)
    find = (values.get("find") or "").strip()[:100]
    held, unlevelled = parse_held(params, words)
    have = dict(held)
    keep = set(unlevelled)
    by_fw: dict[str | None, list[CompetencyChoice]] = {}
    chosen = [c for c in index.competencies if c in have or c in keep]
    others = sorted((c for c in index.typed_competencies or index.competencies
                     if c not in have and c not in keep
                     and _matches(find, index.label(c, lang))),
                    key=lambda c: (natural_key(slug_of(c)), c))
    more = max(0, len(others) - MAX_CHOICES)
    for comp in [*chosen, *others[:MAX_CHOICES]]:
        ref = _ref(index, comp, lang)
        fws = index.comp_frameworks.get(comp, ())
        options = [LevelOption(r, _level_label(index, comp, r, lang))
                   for r in sorted(index.scale(comp))]
        by_fw.setdefault(sorted(fws)[0] if fws else None, []).append(
            CompetencyChoice(ref, options, have.get(comp), comp in have or comp in keep))
    frameworks = []
    for fw, choices in by_fw.items():
        choices.sort(key=lambda c: (natural_key(c.ref.id), fold(c.ref.label)))
        frameworks.append(FrameworkChoices(_ref(index, fw, lang) if fw else None, choices))
    frameworks.sort(key=lambda f: (f.framework is None,
                                   fold(f.framework.label) if f.framework else ""))
    errors = [(f"level-{slug_of(c)}",
               words["match_missing_level"].format(name=_ref(index, c, lang).label))
              for c in unlevelled if c in index.competencies]
    view = MatchView(frameworks=frameworks, held=held, find=find, errors=errors, more=more)
    if not held or errors:
        return view
    for comp, rank in held:  # what planning.check_have refuses, named for the page
        slug = slug_of(comp)
        if comp not in index.competencies:
            raise NotFound(words["err_competency"].format(id=slug), param="held", id=slug,
                           worded=True)
        scale = index.scale(comp)
        if scale and rank not in scale:
            raise BadParameter(words["err_level"].format(id=_ref(index, comp, lang).label),
                               param=f"level-{slug}", status=422, worded=True)
    answer = planning.match(index, held, limit=RESULTS, lang=lang,
                            exclude=catalogue_for(ctx).deprecated)
    for item in answer["roles"]:
        if item["coverage"] <= 0:
            continue
        role = item["role"]["iri"]
        view.fits.append(Fit(
            role=_ref(index, role, lang), coverage=float(item["coverage"]),
            missing=sorted((_ref(index, c, lang) for c in item["missing"]),
                           key=lambda r: fold(r.label)),
            gap_href=gap_href(role, held)))
    return view
