"""The planning index: an in-memory picture of the planning part of the graph.

Built from the store by a few bulk SELECTs (``queries/lib/planning-*.rq``), it holds the
competency hierarchy with its transitive closure, the direct requirers of each competency, the
roles of each task, every role's merged requirements (own plus its tasks'), the learning outcomes
of the training formats with the best level reachable per competency, the labels in German and
English, level ranks and the rank scale of every framework. Planning questions are then answered
from dictionaries in memory, not by property-path queries over the store.

Keeping it current: :class:`IndexHolder` subscribes to the store. After every committed write it
looks at the change set. When the added and removed quads are known and none of them uses a
predicate the index reads, the index stays as it is. When they are known and relevant, a new index
is made from the current one with the change applied (:func:`patch_index`): the resources the
quads touch are read again from the store by the same library queries limited by ``VALUES`` to
their IRIs, and only the entries derived from them are computed again. An unknown change (a SPARQL
Update, a bulk load), a change of level ranks or subclasses, a very large change or any error while
patching builds a new index from the store instead. Either way the reference is swapped, so readers
always see one consistent index and never wait. A failed rebuild marks the holder stale; the next
:func:`get_index` builds again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping
from copy import copy
from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal

from qualifica.context import Context, Part
from qualifica.labels import add_label, local_name
from qualifica.namespaces import QD, RDF, RDFS, SKOS
from qualifica.sparql.library import select_rows, select_rows_for
from qualifica.sparql.nodes import Node, make_node
from qualifica.sparql.terms import bool_of, int_of, iri_of
from qualifica.store.base import ChangeSet, Store, Term

if TYPE_CHECKING:
    from qualifica.sparql.registry import Registry

log = logging.getLogger(__name__)

#: Predicates whose quads the index reads; a change that touches none of them is ignored.
RELEVANT_PREDICATES: frozenset[str] = frozenset(
    {
        QD + "performsTask", QD + "requires", QD + "competency", QD + "level",
        QD + "essential", QD + "editorial", QD + "develops", QD + "kind", QD + "legalBasis",
        QD + "levelOf",
        QD + "rank", SKOS + "broader", SKOS + "inScheme", SKOS + "prefLabel",
        RDF + "type", RDFS + "subClassOf",
    }
)

#: Predicates whose change needs a full build (they reach every requirement or class member).
REBUILD_PREDICATES: frozenset[str] = frozenset({QD + "rank", QD + "levelOf", RDFS + "subClassOf"})

#: Predicates of requirement and outcome nodes (their holders or formats are looked up).
NODE_PREDICATES: frozenset[str] = frozenset(
    {QD + "competency", QD + "level", QD + "essential", QD + "editorial"})

#: A change with more quads than this is applied by a full build.
PATCH_MAX_QUADS = 5000

@dataclass(frozen=True)
class Requirement:
    """One (merged) requirement of a role or a task.

    ``rank`` is the rank of the required level (1 when the requirement names no level);
    ``sources`` are the holders it comes from: the role itself and/or tasks it performs;
    ``editorial``: every requirement it is made of is marked ``qd:editorial true`` (the pages
    show it; planning does not read it).
    """

    competency: str
    rank: int
    level: str | None
    essential: bool
    sources: tuple[str, ...] = ()
    editorial: bool = False


@dataclass
class PlanningIndex:
    """Maps for planning answers; build with :func:`build_index`, never mutate after that."""

    generation: int = 0
    built_s: float = 0.0
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    level_rank: dict[str, int] = field(default_factory=dict)
    framework_levels: dict[str, dict[int, str]] = field(default_factory=dict)
    competencies: set[str] = field(default_factory=set)
    typed_competencies: set[str] = field(default_factory=set)
    comp_frameworks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)
    narrower: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ancestors: dict[str, frozenset[str]] = field(default_factory=dict)
    roles: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)
    role_tasks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    task_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    own_requirements: dict[str, dict[str, Requirement]] = field(default_factory=dict)
    comp_roles_direct: dict[str, set[str]] = field(default_factory=dict)
    comp_tasks: dict[str, set[str]] = field(default_factory=dict)
    role_requirements: dict[str, dict[str, Requirement]] = field(default_factory=dict)
    role_counted: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    formats: set[str] = field(default_factory=set)
    format_outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The level of each best outcome, where the outcome names one (for the pages).
    outcome_levels: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Per format the competencies it has an outcome for marked ``qd:editorial true`` (pages).
    editorial_outcomes: dict[str, frozenset[str]] = field(default_factory=dict)
    comp_formats: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    best_outcome: dict[str, int] = field(default_factory=dict)
    format_kind: dict[str, str | None] = field(default_factory=dict)
    format_legal: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counted_by_comp: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    unconstrained_roles: tuple[str, ...] = ()
    types: dict[str, str] = field(default_factory=dict)
    _role_order: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _role_rank: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    _nodes: dict[str, dict[str, Node]] = field(default_factory=dict, repr=False)

    # -- small helpers used by the answering modules ---------------------------------------
    def _cached(self, iri: str, lang: str, type_: str | None) -> Node:
        by_lang = self._nodes.get(lang)
        if by_lang is None:
            by_lang = self._nodes.setdefault(lang, {})
        node = by_lang.get(iri)
        if node is None:
            labels = self.labels.get(iri)
            if not labels:
                labels = {"": local_name(iri)}
            node = make_node(iri, labels, lang, self.types.get(iri) or type_)
            by_lang[iri] = node  # a benign race: every thread computes the same node
        return node

    def node(self, iri: str, lang: str = "de", type_: str | None = None) -> Node:
        """The JSON node of ``iri`` with its label in ``lang`` (fallback the other language).

        The type is what the index knows the resource to be (role, task, competency,
        training-format, level), else ``type_``, else the kind of its IRI. A fresh dict each call.
        """
        return self._cached(iri, lang, type_).copy()

    def shared_node(self, iri: str, lang: str = "de") -> Node:
        """The cached node of ``iri`` itself (as :meth:`node` without a ``type_``): read it or
        copy it, never change it."""
        return self._cached(iri, lang, None)

    def label(self, iri: str, lang: str = "de") -> str:
        """The label of ``iri`` in ``lang`` (for sorting)."""
        return self._cached(iri, lang, None)["label"]

    def roles_by_label(self, lang: str = "de") -> list[str]:
        """All roles ordered by label in ``lang``, then IRI (computed once per language)."""
        order = self._role_order.get(lang)
        if order is None:
            order = sorted(self.roles, key=lambda r: (self.label(r, lang), r))
            self._role_rank[lang] = {r: i for i, r in enumerate(order)}
            self._role_order[lang] = order
        return order

    def role_rank(self, lang: str = "de") -> dict[str, int]:
        """The position of every role in :meth:`roles_by_label` (a sort key equivalent to
        its label, then IRI)."""
        rank = self._role_rank.get(lang)
        if rank is None or lang not in self._role_order:
            rank = {r: i for i, r in enumerate(self.roles_by_label(lang))}
            self._role_rank[lang] = rank
        return rank

    def scale(self, competency: str) -> frozenset[int]:
        """The ranks of the levels of the competency's frameworks (empty when unknown)."""
        ranks: set[int] = set()
        for fw in self.comp_frameworks.get(competency, ()):
            ranks.update(self.framework_levels.get(fw, {}))
        return frozenset(ranks)

    def level_for(self, competency: str, rank: int) -> str | None:
        """The level IRI of ``rank`` in the competency's framework, if there is one."""
        for fw in self.comp_frameworks.get(competency, ()):
            level = self.framework_levels.get(fw, {}).get(rank)
            if level is not None:
                return level
        return None

    def stats(self) -> dict[str, int]:
        """Sizes of the index (for logs and the benchmark)."""
        return {
            "roles": len(self.roles),
            "tasks": len(self.tasks),
            "competencies": len(self.competencies),
            "formats": len(self.formats),
            "role_requirements": sum(len(r) for r in self.role_requirements.values()),
        }


# --- building ---------------------------------------------------------------------------------


def _merge(a: Requirement | None, b: Requirement) -> Requirement:
    """Same competency twice: the higher level wins, essential if either is, editorial if
    both are.

    Two different levels of the same rank are told apart by IRI, so the result does not depend
    on the order in which the requirements are read.
    """
    if a is None:
        return b
    winner = a if (a.rank, a.level or "") >= (b.rank, b.level or "") else b
    sources = tuple(dict.fromkeys(a.sources + b.sources))
    return Requirement(a.competency, winner.rank, winner.level, a.essential or b.essential,
                       sources, a.editorial and b.editorial)


def _up(broader: Mapping[str, tuple[str, ...]], c: str) -> frozenset[str]:
    """Everything reachable from ``c`` over one or more broader links, without ``c`` itself."""
    seen: set[str] = set()
    stack = list(broader.get(c, ()))
    while stack:
        b = stack.pop()
        if b not in seen:
            seen.add(b)
            stack.extend(broader.get(b, ()))
    seen.discard(c)
    return frozenset(seen)


def _closure(broader: Mapping[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Transitive broader closure per competency that has a broader one (cycle-safe)."""
    return {c: _up(broader, c) for c in broader}


def _labels(rows: Iterable[dict[str, Term]]) -> dict[str, dict[str, str]]:
    """``{resource: {lang: label}}``; two labels in one language: the smaller one."""
    acc: dict[str, dict[str, str]] = {}
    for row in rows:
        s, lab = iri_of(row.get("resource")), row.get("label")
        if s is None or not isinstance(lab, Literal):
            continue
        add_label(acc.setdefault(s, {}), lab.language, lab.value)
    return {s: dict(sorted(v.items())) for s, v in acc.items()}


def _own_requirements(rows: Iterable[dict[str, Term]], holders: Container[str],
                      level_rank: Mapping[str, int]) -> dict[str, dict[str, Requirement]]:
    """Own requirements per holder (only holders in ``holders``)."""
    own: dict[str, dict[str, Requirement]] = {}
    for row in rows:
        holder, comp = iri_of(row.get("holder")), iri_of(row.get("competency"))
        if holder is None or comp is None or holder not in holders:
            continue
        level = iri_of(row.get("level"))
        rank = level_rank.get(level, 1) if level is not None else 1
        # A requirement that does not say whether it is essential counts as optional, as the
        # recommended shapes, the role-competencies query and the pages read it.
        req = Requirement(comp, rank, level, bool_of(row.get("essential"), False), (holder,),
                          bool_of(row.get("editorial"), False))
        reqs = own.setdefault(holder, {})
        reqs[comp] = _merge(reqs.get(comp), req)
    return own


def _merged(role: str, own: Mapping[str, dict[str, Requirement]],
            role_tasks: Mapping[str, tuple[str, ...]]
            ) -> tuple[dict[str, Requirement], tuple[tuple[str, int], ...]]:
    """A role's merged requirements and the (competency, rank) pairs that count for coverage."""
    merged: dict[str, Requirement] = dict(own.get(role, {}))
    for task in role_tasks.get(role, ()):
        for comp, req in own.get(task, {}).items():
            merged[comp] = _merge(merged.get(comp), req)
    essential = [(c, r.rank) for c, r in merged.items() if r.essential]
    counted = essential if essential else [(c, r.rank) for c, r in merged.items()]
    return merged, tuple(sorted(counted))


def _levels(rows: Iterable[dict[str, Term]]
            ) -> tuple[dict[str, int], dict[str, dict[int, str]]]:
    """The rank of every level, and per framework its levels by rank."""
    level_rank: dict[str, int] = {}
    framework_levels: dict[str, dict[int, str]] = {}
    for row in rows:
        level, rank = iri_of(row.get("level")), int_of(row.get("rank"))
        if level is None or rank is None:
            continue
        level_rank[level] = rank
        fw = iri_of(row.get("framework"))
        if fw is not None:
            framework_levels.setdefault(fw, {})[rank] = level
    return level_rank, framework_levels


def _grouped(rows: Iterable[dict[str, Term]], key: str, value: str) -> dict[str, set[str]]:
    """``{?key: {?value, ...}}`` over the rows; a key whose rows have no value maps to ``{}``."""
    acc: dict[str, set[str]] = {}
    for row in rows:
        k = iri_of(row.get(key))
        if k is None:
            continue
        values = acc.setdefault(k, set())
        v = iri_of(row.get(value))
        if v is not None:
            values.add(v)
    return acc


def _frameworks(rows: Iterable[dict[str, Term]]) -> dict[str, tuple[str, ...]]:
    """Every typed competency with its frameworks (sorted; empty when it has none)."""
    return {c: tuple(sorted(v)) for c, v in _grouped(rows, "competency", "framework").items()}


def _roles_and_tasks(role_rows: Iterable[dict[str, Term]], task_rows: Iterable[dict[str, Term]]
                     ) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """Roles with the tasks each performs (sorted; empty when none), and the tasks.

    A task is what is typed as one or performed by a role, unless it is a role itself.
    """
    performed = _grouped(role_rows, "role", "task")
    all_tasks = {v for row in task_rows if (v := iri_of(row.get("task"))) is not None}
    all_tasks.update(*performed.values())
    all_tasks -= performed.keys()
    return {r: tuple(sorted(v)) for r, v in performed.items()}, all_tasks


def _broader_links(rows: Iterable[dict[str, Term]], typed: Container[str]
                   ) -> dict[str, set[str]]:
    """Direct links ``{narrower: {broader}}`` that have a typed competency at one end at least."""
    up: dict[str, set[str]] = {}
    for row in rows:
        lower, upper = iri_of(row.get("narrower")), iri_of(row.get("broader"))
        if lower is None or upper is None:
            continue
        if lower not in typed and upper not in typed:
            continue
        up.setdefault(lower, set()).add(upper)
    return up


def _inverted(mapping: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """``{value: (keys that map to it, sorted)}``."""
    acc: dict[str, set[str]] = defaultdict(set)
    for key, values in mapping.items():
        for value in values:
            acc[value].add(key)
    return {k: tuple(sorted(v)) for k, v in acc.items()}


def _format_facts(rows: Iterable[dict[str, Term]]
                  ) -> tuple[dict[str, str | None], dict[str, tuple[str, ...]]]:
    """Formats with their kind (the smallest IRI where there are several), and legal bases."""
    kinds: dict[str, set[str]] = {}
    legal: dict[str, set[str]] = {}
    for row in rows:
        f = iri_of(row.get("format"))
        if f is None:
            continue
        format_kinds = kinds.setdefault(f, set())
        kind = iri_of(row.get("kind"))
        if kind is not None:
            format_kinds.add(kind)
        lb = iri_of(row.get("legal"))
        if lb is not None:
            legal.setdefault(f, set()).add(lb)
    return ({f: min(v) if v else None for f, v in kinds.items()},
            {f: tuple(sorted(v)) for f, v in legal.items()})


def _outcomes(rows: Iterable[dict[str, Term]], level_rank: Mapping[str, int]
              ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]],
                         dict[str, frozenset[str]]]:
    """The best rank each format develops each competency to, the level of that rank where
    the outcome names one (of two outcomes of one rank, the one naming a level, then the
    greater level IRI, as for requirements), and per format the competencies of its outcomes
    marked editorial."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    editorial: dict[str, set[str]] = {}
    for row in rows:
        f, comp = iri_of(row.get("format")), iri_of(row.get("competency"))
        if f is None or comp is None:
            continue
        if bool_of(row.get("editorial"), False):
            editorial.setdefault(f, set()).add(comp)
        level = iri_of(row.get("level"))
        reached = (level_rank.get(level, 1) if level is not None else 1, level or "")
        if reached > best.get((f, comp), (0, "")):
            best[(f, comp)] = reached
    outcomes: dict[str, dict[str, int]] = {}
    levels: dict[str, dict[str, str]] = {}
    for (f, comp), (rank, level) in best.items():
        outcomes.setdefault(f, {})[comp] = rank
        if level:
            levels.setdefault(f, {})[comp] = level
    return outcomes, levels, {f: frozenset(v) for f, v in editorial.items()}


#: Formats with their kind, their legal bases, their outcomes (competency -> best rank), the
#: levels of those outcomes (competency -> level IRI) and the competencies of their outcomes
#: marked editorial.
_FormatFacts = tuple[dict[str, str | None], dict[str, tuple[str, ...]],
                     dict[str, dict[str, int]], dict[str, dict[str, str]],
                     dict[str, frozenset[str]]]


def _formats(format_rows: Iterable[dict[str, Term]], outcome_rows: Iterable[dict[str, Term]],
             level_rank: Mapping[str, int]) -> _FormatFacts:
    """Training formats: kind of each (``None`` when unknown), legal bases and outcomes.

    A resource that develops something is a format even when it has no type.
    """
    kinds, legal = _format_facts(format_rows)
    outcomes, levels, editorial = _outcomes(outcome_rows, level_rank)
    for f in outcomes:
        kinds.setdefault(f, None)
    return kinds, legal, outcomes, levels, editorial


def _by_competency(outcomes: Mapping[str, Mapping[str, int]]) -> dict[str, list[tuple[str, int]]]:
    """``{competency: [(format, rank), ...]}`` of the outcomes, sorted."""
    acc: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for f, comps in outcomes.items():
        for comp, rank in comps.items():
            acc[comp].append((f, rank))
    return {c: sorted(v) for c, v in acc.items()}


def _best(entries: Iterable[tuple[str, int]]) -> int | None:
    """The best rank among ``(format, rank)`` entries, ``None`` when there is none above 0."""
    best = max((rank for _, rank in entries), default=0)
    return best if best > 0 else None


def _type_of(ix: PlanningIndex, iri: str) -> str | None:
    """What the index knows ``iri`` to be (a role before a task before a competency ...)."""
    for kind, members in (("role", ix.roles), ("task", ix.tasks),
                          ("competency", ix.competencies), ("training-format", ix.formats)):
        if iri in members:
            return kind
    return "level" if iri in ix.level_rank else None


def _retype(ix: PlanningIndex, iris: Iterable[str]) -> None:
    """Record again what the index knows each of ``iris`` to be."""
    for iri in iris:
        _set_or_drop(ix.types, iri, _type_of(ix, iri))


def _warm(ix: PlanningIndex, iris: Iterable[str]) -> None:
    """Fill the node cache of ``iris`` (those the index knows) and the role order per language."""
    known = [iri for iri in iris if iri in ix.types]
    for lang in ("de", "en"):
        for iri in known:
            ix._cached(iri, lang, None)
        ix.roles_by_label(lang)


def _unconstrained(ix: PlanningIndex) -> tuple[str, ...]:
    """The roles with no requirement that counts."""
    return tuple(sorted(r for r in ix.roles if not ix.role_counted[r]))


def build_index(store: Store, registry: Registry) -> PlanningIndex:
    """Read the planning part of the graph into a new :class:`PlanningIndex`."""
    start = time.perf_counter()
    ix = PlanningIndex(generation=store.generation)

    def read(name: str) -> list[dict[str, Term]]:
        return select_rows(store, registry, name)

    ix.labels = _labels(read("planning-labels"))
    ix.level_rank, ix.framework_levels = _levels(read("planning-levels"))
    frameworks = _frameworks(read("planning-competencies"))
    ix.typed_competencies = set(frameworks)
    ix.comp_frameworks = {c: v for c, v in frameworks.items() if v}
    links = _broader_links(read("planning-broader"), ix.typed_competencies)
    ix.broader = {k: tuple(sorted(v)) for k, v in links.items()}
    ix.narrower = _inverted(ix.broader)
    ix.ancestors = _closure(ix.broader)

    role_tasks, ix.tasks = _roles_and_tasks(read("planning-roles"), read("planning-tasks"))
    ix.roles = set(role_tasks)
    ix.role_tasks = {r: v for r, v in role_tasks.items() if v}
    ix.task_roles = _inverted(ix.role_tasks)

    own = _own_requirements(read("planning-requirements"), _Either(ix.roles, ix.tasks),
                            ix.level_rank)
    ix.own_requirements = own
    ix.competencies = set(ix.typed_competencies)
    for holder, reqs in own.items():
        target = ix.comp_roles_direct if holder in ix.roles else ix.comp_tasks
        for comp in reqs:
            ix.competencies.add(comp)
            target.setdefault(comp, set()).add(holder)

    counted_by_comp: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for role in ix.roles:
        ix.role_requirements[role], ix.role_counted[role] = _merged(role, own, ix.role_tasks)
        for comp, rank in ix.role_counted[role]:
            counted_by_comp[comp].append((role, rank))
    ix.counted_by_comp = {c: sorted(v) for c, v in counted_by_comp.items()}
    ix.unconstrained_roles = _unconstrained(ix)

    (ix.format_kind, ix.format_legal, ix.format_outcomes, ix.outcome_levels,
     ix.editorial_outcomes) = _formats(
        read("planning-formats"), read("planning-outcomes"), ix.level_rank)
    ix.formats = set(ix.format_kind)
    ix.comp_formats = _by_competency(ix.format_outcomes)
    ix.best_outcome = {c: best for c, v in ix.comp_formats.items()
                       if (best := _best(v)) is not None}

    _retype(ix, (*ix.level_rank, *ix.formats, *ix.competencies, *ix.tasks, *ix.roles))
    _warm(ix, ix.types)  # the resources answers are made of

    ix.built_s = time.perf_counter() - start
    log.info("planning index built in %.3f s: %s", ix.built_s, ix.stats())
    return ix


class _Either:
    """Membership in either of two sets (without building their union)."""

    def __init__(self, a: Container[str], b: Container[str]) -> None:
        self.a, self.b = a, b

    def __contains__(self, item: object) -> bool:
        return item in self.a or item in self.b


# --- patching ---------------------------------------------------------------------------------


class _Unpatchable(Exception):
    """The change cannot be applied in place; the index is rebuilt instead."""


@dataclass
class _Touched:
    """The resources a change touches, by what has to be read again about them."""

    labels: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)  # type or performsTask: what they are
    schemes: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)  # ends of skos:broader links
    holders: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)  # requirement or outcome nodes
    formats: set[str] = field(default_factory=set)

    @property
    def typed(self) -> set[str]:
        """Whose competency type and frameworks are read again."""
        return self.members | self.schemes

    @property
    def requirers(self) -> set[str]:
        """Whose own requirements are read again (a retyped resource may hold some now)."""
        return self.holders | self.members

    @property
    def trainings(self) -> set[str]:
        """Whose format facts and outcomes are read again."""
        return self.formats | self.members


def _touched(change: ChangeSet) -> _Touched:
    """Sort the quads of a known change by what they touch; ``_Unpatchable`` when unsure."""
    assert change.added is not None and change.removed is not None
    quads = (*change.added, *change.removed)
    if len(quads) > PATCH_MAX_QUADS:
        raise _Unpatchable(f"{len(quads)} changed quads")
    t = _Touched()
    for q in quads:
        p = q.predicate.value
        if p not in RELEVANT_PREDICATES:
            continue
        if p in REBUILD_PREDICATES:
            raise _Unpatchable(p)
        s, o = iri_of(q.subject), iri_of(q.object)
        if p in NODE_PREDICATES:
            if s is None:
                raise _Unpatchable("a requirement or outcome that is a blank node")
            t.nodes.add(s)
        elif s is None:
            continue  # the index reads only resources with an IRI
        elif p == SKOS + "prefLabel":
            t.labels.add(s)
        elif p == RDF + "type":
            t.members.add(s)
        elif p == QD + "performsTask":
            t.members.add(s)
            if o is not None:
                t.members.add(o)
        elif p == SKOS + "broader":
            t.links.add(s)
            if o is not None:
                t.links.add(o)
        elif p == SKOS + "inScheme":
            t.schemes.add(s)
        elif p == QD + "requires":
            t.holders.add(s)
        else:  # qd:develops, qd:kind, qd:legalBasis
            t.formats.add(s)
    return t


def _set_or_drop(mapping: dict[str, Any], key: str, value: Any) -> None:
    """``mapping[key] = value``, or no entry when ``value`` is empty."""
    if value:
        mapping[key] = value
    else:
        mapping.pop(key, None)


def _copy(old: PlanningIndex, generation: int) -> PlanningIndex:
    """A new index sharing nothing mutable at the top level with ``old``.

    The values inside the maps are shared; the patch replaces them, it never changes them. The
    node cache is copied one level deeper because it is filled in place.
    """
    fresh = {f.name: copy(getattr(old, f.name)) for f in fields(old)}
    fresh["_nodes"] = {lang: dict(nodes) for lang, nodes in old._nodes.items()}
    fresh["generation"] = generation
    return replace(old, **fresh)


#: Reads the rows of a library query for resources bound to a variable (``select_rows_for``).
_Read = Callable[[str, str, Iterable[str]], list[dict[str, Term]]]


def patch_index(old: PlanningIndex, store: Store, registry: Registry, change: ChangeSet
                ) -> PlanningIndex:
    """A new index: ``old`` with a committed change applied (``old`` is left as it was).

    Only the resources the change touches are read again from the store (the library queries
    ``planning-*.rq`` limited by ``VALUES`` to their IRIs), and only the entries derived from
    them are computed again. Raises ``_Unpatchable`` for changes that need a full build (a
    changed level rank, framework of a level or subclass, or a very large change).
    """
    start = time.perf_counter()
    t = _touched(change)
    ix = _copy(old, store.generation)
    read: _Read = partial(select_rows_for, store, registry)

    _reread_owners(t, read)
    _reread_members(ix, old, t, read)
    _reread_competencies(ix, t, read)
    requirement_comps = _reread_requirements(ix, old, t, read)
    counted_comps = _remerge_roles(ix, old, t)
    _reread_formats(ix, old, t, read)
    _rewire_hierarchy(ix, old, t, read)
    _refresh_labels(ix, old, t, read,
                    t.requirers | t.trainings | requirement_comps | counted_comps)

    ix.built_s = time.perf_counter() - start
    log.debug("planning index patched in %.4f s", ix.built_s)
    return ix


def _reread_owners(t: _Touched, read: _Read) -> None:
    """Add to ``t`` who holds or develops the requirement and outcome nodes that changed."""
    if not t.nodes:
        return
    for row in read("planning-owners", "node", t.nodes):
        h, f = iri_of(row.get("holder")), iri_of(row.get("format"))
        if h is not None:
            t.holders.add(h)
        if f is not None:
            t.formats.add(f)


def _reread_members(ix: PlanningIndex, old: PlanningIndex, t: _Touched, read: _Read) -> None:
    """Whether the touched resources are roles (with their tasks) or tasks."""
    members = t.members
    if not members:
        return
    role_tasks, tasks = _roles_and_tasks(read("planning-roles", "role", members),
                                         read("planning-tasks", "task", members))
    for m in members:
        for task in old.role_tasks.get(m, ()):
            _set_or_drop(ix.task_roles, task, tuple(r for r in ix.task_roles.get(task, ())
                                                    if r != m))
        ix.role_tasks.pop(m, None)
    ix.roles -= members
    ix.tasks -= members
    for role, performed in role_tasks.items():
        ix.roles.add(role)
        _set_or_drop(ix.role_tasks, role, performed)
        for task in performed:
            ix.task_roles[task] = tuple(sorted({*ix.task_roles.get(task, ()), role}))
    ix.tasks |= tasks
    ix.tasks -= ix.roles


def _reread_competencies(ix: PlanningIndex, t: _Touched, read: _Read) -> None:
    """Whether the touched resources are competencies, and their frameworks."""
    typed = t.typed
    if not typed:
        return
    frameworks = _frameworks(read("planning-competencies", "competency", typed))
    ix.typed_competencies -= typed
    ix.typed_competencies |= frameworks.keys()
    for c in typed:
        _set_or_drop(ix.comp_frameworks, c, frameworks.get(c))


def _reread_requirements(ix: PlanningIndex, old: PlanningIndex, t: _Touched, read: _Read
                         ) -> set[str]:
    """Own requirements of the touched holders (and of resources whose kind may have changed).

    Returns the competencies whose requirers or type may have changed.
    """
    holders = t.requirers
    touched_comps: set[str] = set(t.typed)
    for h in holders:
        for comp in old.own_requirements.get(h, {}):
            touched_comps.add(comp)
            for target in (ix.comp_roles_direct, ix.comp_tasks):
                if h in target.get(comp, ()):
                    _set_or_drop(target, comp, target[comp] - {h})
        ix.own_requirements.pop(h, None)
    if holders:
        own = _own_requirements(read("planning-requirements", "holder", holders),
                                _Either(ix.roles, ix.tasks), ix.level_rank)
        for h, reqs in own.items():
            ix.own_requirements[h] = reqs
            target = ix.comp_roles_direct if h in ix.roles else ix.comp_tasks
            for comp in reqs:
                touched_comps.add(comp)
                target[comp] = target.get(comp, set()) | {h}
    for c in touched_comps:
        if c in ix.typed_competencies or c in ix.comp_roles_direct or c in ix.comp_tasks:
            ix.competencies.add(c)
        else:
            ix.competencies.discard(c)
    return touched_comps


def _remerge_roles(ix: PlanningIndex, old: PlanningIndex, t: _Touched) -> set[str]:
    """Merged requirements of the roles that hold or perform a touched resource.

    Returns the competencies whose counted requirements were computed again.
    """
    holders = t.requirers
    affected = {h for h in holders if h in old.roles or h in ix.roles}
    for h in holders:
        affected.update(old.task_roles.get(h, ()))
        affected.update(ix.task_roles.get(h, ()))
    dropped: dict[str, set[str]] = defaultdict(set)  # competency -> roles to drop
    for r in affected:
        for comp, _rank in old.role_counted.get(r, ()):
            dropped[comp].add(r)
        ix.role_requirements.pop(r, None)
        ix.role_counted.pop(r, None)
    added: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in affected & ix.roles:
        ix.role_requirements[r], ix.role_counted[r] = _merged(r, ix.own_requirements,
                                                              ix.role_tasks)
        for comp, rank in ix.role_counted[r]:
            added[comp].append((r, rank))
    for comp in dropped.keys() | added.keys():
        kept = [e for e in ix.counted_by_comp.get(comp, ()) if e[0] not in dropped.get(comp, ())]
        _set_or_drop(ix.counted_by_comp, comp, sorted(kept + added.get(comp, [])))
    if affected:
        ix.unconstrained_roles = _unconstrained(ix)
    return dropped.keys() | added.keys()


def _reread_formats(ix: PlanningIndex, old: PlanningIndex, t: _Touched, read: _Read) -> None:
    """Kind, legal bases and outcomes of touched formats; per competency its formats and best
    rank."""
    fmts = t.trainings
    if not fmts:
        return
    kinds, legal, outcomes, levels, editorial = _formats(
        read("planning-formats", "format", fmts), read("planning-outcomes", "format", fmts),
        ix.level_rank)
    outcome_comps: set[str] = set()
    for f in fmts:
        outcome_comps.update(old.format_outcomes.get(f, {}))
        ix.formats.discard(f)
        ix.format_kind.pop(f, None)
        ix.format_legal.pop(f, None)
        ix.format_outcomes.pop(f, None)
        ix.outcome_levels.pop(f, None)
        ix.editorial_outcomes.pop(f, None)
    ix.formats |= kinds.keys()
    ix.format_kind.update(kinds)
    ix.format_legal.update(legal)
    ix.format_outcomes.update(outcomes)
    ix.outcome_levels.update(levels)
    ix.editorial_outcomes.update(editorial)
    fresh = _by_competency(outcomes)
    for c in outcome_comps | fresh.keys():
        entries = [e for e in ix.comp_formats.get(c, ()) if e[0] not in fmts]
        entries += fresh.get(c, [])
        _set_or_drop(ix.comp_formats, c, sorted(entries))
        _set_or_drop(ix.best_outcome, c, _best(entries))


def _rewire_hierarchy(ix: PlanningIndex, old: PlanningIndex, t: _Touched, read: _Read) -> None:
    """The hierarchy around touched links and competencies whose type changed."""
    ends = t.links | {c for c in t.typed
                      if (c in old.typed_competencies) != (c in ix.typed_competencies)}
    if not ends:
        return
    below = _below(old.narrower, ends)
    for n in ends:
        for b in old.broader.get(n, ()):
            _set_or_drop(ix.narrower, b, tuple(x for x in ix.narrower.get(b, ()) if x != n))
        ix.broader.pop(n, None)
    for b in ends:
        for n in old.narrower.get(b, ()):
            _set_or_drop(ix.broader, n, tuple(x for x in ix.broader.get(n, ()) if x != b))
        ix.narrower.pop(b, None)
    rows = [*read("planning-broader", "narrower", ends), *read("planning-broader", "broader", ends)]
    for lower, uppers in _broader_links(rows, ix.typed_competencies).items():
        ix.broader[lower] = tuple(sorted({*ix.broader.get(lower, ()), *uppers}))
        for upper in uppers:
            ix.narrower[upper] = tuple(sorted({*ix.narrower.get(upper, ()), lower}))
    for c in below | _below(ix.narrower, ends):
        if c in ix.broader:
            ix.ancestors[c] = _up(ix.broader, c)
        else:
            ix.ancestors.pop(c, None)


def _refresh_labels(ix: PlanningIndex, old: PlanningIndex, t: _Touched, read: _Read,
                    retyped: set[str]) -> None:
    """Labels of touched resources, kinds of ``retyped`` ones, and the cached nodes of both."""
    if t.labels:
        fresh = _labels(read("planning-labels", "resource", t.labels))
        for s in t.labels:
            _set_or_drop(ix.labels, s, fresh.get(s))
    _retype(ix, retyped)
    stale = t.labels | {iri for iri in retyped if old.types.get(iri) != ix.types.get(iri)}
    for nodes in ix._nodes.values():
        for iri in stale:
            nodes.pop(iri, None)
    if ix.roles != old.roles or any(s in ix.roles or s in old.roles for s in stale):
        ix._role_order = {}
        ix._role_rank = {}
    _warm(ix, stale)


def _below(narrower: Mapping[str, tuple[str, ...]], tops: Iterable[str]) -> set[str]:
    """``tops`` and everything below them over narrower links."""
    seen: set[str] = set()
    stack = list(tops)
    while stack:
        c = stack.pop()
        if c not in seen:
            seen.add(c)
            stack.extend(narrower.get(c, ()))
    return seen


# --- keeping it current -----------------------------------------------------------------------


def is_relevant(change: ChangeSet) -> bool:
    """Whether a committed change may alter the index (unknown changes always may)."""
    if change.added is None or change.removed is None:
        return True
    return any(
        q.predicate.value in RELEVANT_PREDICATES for q in (*change.added, *change.removed)
    )


class IndexHolder:
    """Holds the current index of one store; after relevant writes swaps in a patched copy
    (or, for unknown changes, a rebuilt index)."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        self._lock = threading.Lock()
        self._index: PlanningIndex | None = None
        self._stale = True
        self._closed = False
        self.rebuilds = 0
        self.patches = 0

    def subscribe(self) -> None:
        """Listen to the store's committed writes."""
        self.store.subscribe(self._on_change)

    def close(self) -> None:
        """Stop following the store and drop the index (the store keeps the listener, which
        then does nothing: a store shared with another context outlives this holder)."""
        with self._lock:
            self._closed = True
            self._index = None
            self._stale = True

    def current(self) -> PlanningIndex:
        """The current index, built first if there is none or the last rebuild failed."""
        index = self._index
        if index is not None and not self._stale:
            return index
        return self.rebuild()

    def rebuild(self) -> PlanningIndex:
        """Build a new index from the store and swap it in."""
        with self._lock:
            return self._rebuild_locked()

    def _rebuild_locked(self) -> PlanningIndex:
        self._stale = False
        try:
            index = build_index(self.store, self.registry)
        except Exception:
            self._stale = True
            raise
        self._index = index
        self.rebuilds += 1
        return index

    def apply(self, change: ChangeSet) -> PlanningIndex:
        """Bring the index up to date with a committed change: patch it when the change's
        quads are known and it can be, else rebuild it. Returns the index swapped in."""
        with self._lock:
            old = self._index
            if old is None or self._stale or change.added is None or change.removed is None:
                return self._rebuild_locked()
            try:
                index = patch_index(old, self.store, self.registry, change)
            except _Unpatchable as why:
                log.info("planning index rebuilt instead of patched: %s", why)
                return self._rebuild_locked()
            except Exception:
                log.exception("patching the planning index failed; rebuilding it")
                return self._rebuild_locked()
            self._index = index
            self.patches += 1
            return index

    def _on_change(self, change: ChangeSet) -> None:
        if self._closed or not is_relevant(change):
            return
        try:
            self.apply(change)
        except Exception:
            # The write itself has committed; never fail it. The next read rebuilds.
            log.exception("rebuilding the planning index after a write failed")


def _new_holder(ctx: Context) -> IndexHolder:
    created = IndexHolder(ctx.store, ctx.registry)
    created.subscribe()
    return created


#: The planning index holder of a context, created (and subscribed) on first use.
HOLDER: Part[IndexHolder] = Part("planning index", _new_holder, close=IndexHolder.close)


def holder(ctx: Context) -> IndexHolder:
    """The index holder of a context, created (and subscribed) on first use."""
    return ctx.part(HOLDER)


def get_index(ctx: Context) -> PlanningIndex:
    """The planning index of ``ctx``, built on first use and kept current on every write."""
    return holder(ctx).current()
