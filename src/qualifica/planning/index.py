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
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, Part
from qualifica.labels import add_label, local_name
from qualifica.namespaces import QD, RDF, RDFS, SKOS
from qualifica.sparql.binding import with_values
from qualifica.sparql.nodes import Node, make_node
from qualifica.sparql.terms import bool_of, int_of, iri_of
from qualifica.store.base import ChangeSet, SelectResult, Store, Term

if TYPE_CHECKING:
    from qualifica.sparql.registry import Registry

log = logging.getLogger(__name__)

#: Predicates whose quads the index reads; a change that touches none of them is ignored.
RELEVANT_PREDICATES: frozenset[str] = frozenset(
    {
        QD + "performsTask", QD + "requires", QD + "competency", QD + "level",
        QD + "essential", QD + "develops", QD + "kind", QD + "legalBasis", QD + "levelOf",
        QD + "rank", SKOS + "broader", SKOS + "inScheme", SKOS + "prefLabel",
        RDF + "type", RDFS + "subClassOf",
    }
)

#: Predicates whose change needs a full build (they reach every requirement or class member).
REBUILD_PREDICATES: frozenset[str] = frozenset({QD + "rank", QD + "levelOf", RDFS + "subClassOf"})

#: Predicates of requirement and outcome nodes (their holders or formats are looked up).
NODE_PREDICATES: frozenset[str] = frozenset({QD + "competency", QD + "level", QD + "essential"})

#: A change with more quads than this is applied by a full build.
PATCH_MAX_QUADS = 5000

#: IRIs per ``VALUES`` block when resources are read again.
VALUES_CHUNK = 500


@dataclass(frozen=True)
class Requirement:
    """One (merged) requirement of a role or a task.

    ``rank`` is the rank of the required level (1 when the requirement names no level);
    ``sources`` are the holders it comes from: the role itself and/or tasks it performs.
    """

    competency: str
    rank: int
    level: str | None
    essential: bool
    sources: tuple[str, ...] = ()


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
    comp_formats: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    best_outcome: dict[str, int] = field(default_factory=dict)
    format_kind: dict[str, str | None] = field(default_factory=dict)
    format_legal: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counted_by_comp: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    unconstrained_roles: tuple[str, ...] = ()
    types: dict[str, str] = field(default_factory=dict)
    _role_order: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _nodes: dict[str, dict[str, Node]] = field(default_factory=dict, repr=False)

    # -- small helpers used by the answering modules ---------------------------------------
    def _cached(self, iri: str, lang: str, type_: str | None) -> Node:
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
        return Node(**self._cached(iri, lang, type_))

    def label(self, iri: str, lang: str = "de") -> str:
        """The label of ``iri`` in ``lang`` (for sorting)."""
        return self._cached(iri, lang, None)["label"]

    def roles_by_label(self, lang: str = "de") -> list[str]:
        """All roles ordered by label in ``lang``, then IRI (computed once per language)."""
        order = self._role_order.get(lang)
        if order is None:
            order = sorted(self.roles, key=lambda r: (self.label(r, lang), r))
            self._role_order[lang] = order
        return order

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


def _select(store: Store, registry: Registry, name: str,
            values: Mapping[str, Sequence[Term]] | None = None) -> list[dict[str, Term]]:
    """Rows of a library query, optionally limited by ``VALUES`` blocks (IRIs only)."""
    text = registry.internal(name).text
    if values:
        text = with_values(text, values)
    result = store.query(text)
    if not isinstance(result, SelectResult):  # pragma: no cover - library queries are SELECTs
        raise TypeError(f"library query {name} is not a SELECT")
    return result.rows


def _select_for(store: Store, registry: Registry, name: str, var: str, iris: Iterable[str]
                ) -> list[dict[str, Term]]:
    """Rows of a library query for the resources ``iris`` bound to ``?var`` (in chunks)."""
    todo = sorted(iris)
    rows: list[dict[str, Term]] = []
    for i in range(0, len(todo), VALUES_CHUNK):
        chunk = [NamedNode(v) for v in todo[i:i + VALUES_CHUNK]]
        rows.extend(_select(store, registry, name, {var: chunk}))
    return rows


def _merge(a: Requirement | None, b: Requirement) -> Requirement:
    """Same competency twice: the higher level wins, essential if either is.

    Two different levels of the same rank are told apart by IRI, so the result does not depend
    on the order in which the requirements are read.
    """
    if a is None:
        return b
    winner = a if (a.rank, a.level or "") >= (b.rank, b.level or "") else b
    sources = tuple(dict.fromkeys(a.sources + b.sources))
    return Requirement(a.competency, winner.rank, winner.level, a.essential or b.essential,
                       sources)


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
        req = Requirement(comp, rank, level, bool_of(row.get("essential"), True), (holder,))
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


def _format_facts(rows: Iterable[dict[str, Term]]
                  ) -> tuple[set[str], dict[str, str | None], dict[str, tuple[str, ...]]]:
    """Formats, their kind (the smallest IRI where there are several) and legal bases."""
    formats: set[str] = set()
    kinds: dict[str, set[str]] = {}
    legal: dict[str, set[str]] = {}
    for row in rows:
        f = iri_of(row.get("format"))
        if f is None:
            continue
        formats.add(f)
        kind = iri_of(row.get("kind"))
        if kind is not None:
            kinds.setdefault(f, set()).add(kind)
        lb = iri_of(row.get("legal"))
        if lb is not None:
            legal.setdefault(f, set()).add(lb)
    format_kind = {f: min(kinds[f]) if f in kinds else None for f in formats}
    return formats, format_kind, {f: tuple(sorted(v)) for f, v in legal.items()}


def _outcomes(rows: Iterable[dict[str, Term]], level_rank: Mapping[str, int]
              ) -> dict[str, dict[str, int]]:
    """The best rank each format develops each competency to."""
    outcomes: dict[str, dict[str, int]] = {}
    for row in rows:
        f, comp = iri_of(row.get("format")), iri_of(row.get("competency"))
        if f is None or comp is None:
            continue
        level = iri_of(row.get("level"))
        rank = level_rank.get(level, 1) if level is not None else 1
        by_comp = outcomes.setdefault(f, {})
        if rank > by_comp.get(comp, 0):
            by_comp[comp] = rank
    return outcomes


def _type_of(ix: PlanningIndex, iri: str) -> str | None:
    """What the index knows ``iri`` to be (a role before a task before a competency ...)."""
    for kind, members in (("role", ix.roles), ("task", ix.tasks),
                          ("competency", ix.competencies), ("training-format", ix.formats)):
        if iri in members:
            return kind
    return "level" if iri in ix.level_rank else None


def build_index(store: Store, registry: Registry) -> PlanningIndex:
    """Read the planning part of the graph into a new :class:`PlanningIndex`."""
    start = time.perf_counter()
    generation = store.generation
    ix = PlanningIndex(generation=generation)

    ix.labels = _labels(_select(store, registry, "planning-labels"))

    for row in _select(store, registry, "planning-levels"):
        level, rank = iri_of(row.get("level")), int_of(row.get("rank"))
        if level is None or rank is None:
            continue
        ix.level_rank[level] = rank
        fw = iri_of(row.get("framework"))
        if fw is not None:
            ix.framework_levels.setdefault(fw, {})[rank] = level

    comp_fw: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, registry, "planning-competencies"):
        c = iri_of(row.get("competency"))
        if c is None:
            continue
        ix.typed_competencies.add(c)
        fw = iri_of(row.get("framework"))
        if fw is not None:
            comp_fw[c].add(fw)
    ix.comp_frameworks = {c: tuple(sorted(v)) for c, v in comp_fw.items()}

    broader: dict[str, set[str]] = defaultdict(set)
    narrower: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, registry, "planning-broader"):
        n, b = iri_of(row.get("narrower")), iri_of(row.get("broader"))
        if n is None or b is None:
            continue
        if n not in ix.typed_competencies and b not in ix.typed_competencies:
            continue
        broader[n].add(b)
        narrower[b].add(n)
    ix.broader = {k: tuple(sorted(v)) for k, v in broader.items()}
    ix.narrower = {k: tuple(sorted(v)) for k, v in narrower.items()}
    ix.ancestors = _closure(ix.broader)

    for row in _select(store, registry, "planning-tasks"):
        t = iri_of(row.get("task"))
        if t is not None:
            ix.tasks.add(t)
    role_tasks: dict[str, set[str]] = defaultdict(set)
    task_roles: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, registry, "planning-roles"):
        r = iri_of(row.get("role"))
        if r is None:
            continue
        ix.roles.add(r)
        t = iri_of(row.get("task"))
        if t is not None:
            role_tasks[r].add(t)
            task_roles[t].add(r)
            ix.tasks.add(t)
    ix.tasks -= ix.roles
    ix.role_tasks = {k: tuple(sorted(v)) for k, v in role_tasks.items()}
    ix.task_roles = {k: tuple(sorted(v)) for k, v in task_roles.items()}

    own = _own_requirements(_select(store, registry, "planning-requirements"),
                            _Either(ix.roles, ix.tasks), ix.level_rank)
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
    ix.unconstrained_roles = tuple(sorted(r for r in ix.roles if not ix.role_counted[r]))

    ix.formats, ix.format_kind, ix.format_legal = _format_facts(
        _select(store, registry, "planning-formats"))
    outcomes = _outcomes(_select(store, registry, "planning-outcomes"), ix.level_rank)
    for f in outcomes:
        ix.formats.add(f)
        ix.format_kind.setdefault(f, None)
    ix.format_outcomes = outcomes
    comp_formats: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for f, comps in outcomes.items():
        for comp, rank in comps.items():
            comp_formats[comp].append((f, rank))
    ix.comp_formats = {c: sorted(v) for c, v in comp_formats.items()}
    ix.best_outcome = {c: best for c, v in ix.comp_formats.items()
                       if (best := max(rank for _, rank in v)) > 0}

    for iri in (*ix.level_rank, *ix.formats, *ix.competencies, *ix.tasks, *ix.roles):
        kind = _type_of(ix, iri)
        if kind is not None:
            ix.types[iri] = kind
    for lang in ("de", "en"):  # warm the node cache of the resources answers are made of
        for iri in ix.types:
            ix._cached(iri, lang, None)
        ix.roles_by_label(lang)

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

    The values inside the maps are shared; the patch replaces them, it never changes them.
    """
    return replace(
        old, generation=generation, labels=dict(old.labels), level_rank=dict(old.level_rank),
        framework_levels=dict(old.framework_levels), competencies=set(old.competencies),
        typed_competencies=set(old.typed_competencies), comp_frameworks=dict(old.comp_frameworks),
        broader=dict(old.broader), narrower=dict(old.narrower), ancestors=dict(old.ancestors),
        roles=set(old.roles), tasks=set(old.tasks), role_tasks=dict(old.role_tasks),
        task_roles=dict(old.task_roles), own_requirements=dict(old.own_requirements),
        comp_roles_direct=dict(old.comp_roles_direct), comp_tasks=dict(old.comp_tasks),
        role_requirements=dict(old.role_requirements), role_counted=dict(old.role_counted),
        formats=set(old.formats), format_outcomes=dict(old.format_outcomes),
        comp_formats=dict(old.comp_formats), best_outcome=dict(old.best_outcome),
        format_kind=dict(old.format_kind), format_legal=dict(old.format_legal),
        counted_by_comp=dict(old.counted_by_comp), types=dict(old.types),
        _role_order=dict(old._role_order),
        _nodes={lang: dict(nodes) for lang, nodes in old._nodes.items()},
    )


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

    # who holds or develops the requirement and outcome nodes that changed
    if t.nodes:
        for row in _select_for(store, registry, "planning-owners", "node", t.nodes):
            h, f = iri_of(row.get("holder")), iri_of(row.get("format"))
            if h is not None:
                t.holders.add(h)
            if f is not None:
                t.formats.add(f)

    # 1. what the touched resources are: roles with their tasks, tasks, typed competencies
    members = t.members
    typed_touched = members | t.schemes
    if members:
        new_roles: dict[str, set[str]] = {}
        for row in _select_for(store, registry, "planning-roles", "role", members):
            r = iri_of(row.get("role"))
            if r is None:
                continue
            performed = new_roles.setdefault(r, set())
            task = iri_of(row.get("task"))
            if task is not None:
                performed.add(task)
        new_tasks = {v for row in _select_for(store, registry, "planning-tasks", "task", members)
                     if (v := iri_of(row.get("task"))) is not None}
        for m in members:
            for task in old.role_tasks.get(m, ()):
                left = tuple(r for r in ix.task_roles.get(task, ()) if r != m)
                _set_or_drop(ix.task_roles, task, left)
            ix.role_tasks.pop(m, None)
        ix.roles -= members
        ix.tasks -= members
        for r, performed in new_roles.items():
            ix.roles.add(r)
            _set_or_drop(ix.role_tasks, r, tuple(sorted(performed)))
            for task in performed:
                ix.task_roles[task] = tuple(sorted({*ix.task_roles.get(task, ()), r}))
                if task not in ix.roles:
                    ix.tasks.add(task)
        ix.tasks |= new_tasks - ix.roles
        ix.tasks -= ix.roles
    if typed_touched:
        ix.typed_competencies -= typed_touched
        frameworks: dict[str, set[str]] = {}
        for row in _select_for(store, registry, "planning-competencies", "competency",
                               typed_touched):
            c = iri_of(row.get("competency"))
            if c is None:
                continue
            ix.typed_competencies.add(c)
            fw = iri_of(row.get("framework"))
            frameworks.setdefault(c, set())
            if fw is not None:
                frameworks[c].add(fw)
        for c in typed_touched:
            _set_or_drop(ix.comp_frameworks, c, tuple(sorted(frameworks.get(c, ()))))

    # 2. own requirements of the touched holders (and of resources whose kind may have changed)
    holders = t.holders | members
    touched_comps: set[str] = set(typed_touched)
    for h in holders:
        for comp in old.own_requirements.get(h, {}):
            touched_comps.add(comp)
            for target in (ix.comp_roles_direct, ix.comp_tasks):
                if h in target.get(comp, ()):
                    _set_or_drop(target, comp, target[comp] - {h})
        ix.own_requirements.pop(h, None)
    if holders:
        rows = _select_for(store, registry, "planning-requirements", "holder", holders)
        own = _own_requirements(rows, _Either(ix.roles, ix.tasks), ix.level_rank)
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

    # 3. merged requirements of the roles that hold or perform a touched resource
    affected_roles = {h for h in holders if h in old.roles or h in ix.roles}
    for h in holders:
        affected_roles.update(old.task_roles.get(h, ()))
        affected_roles.update(ix.task_roles.get(h, ()))
    counted_touched: dict[str, set[str]] = defaultdict(set)  # competency -> roles to drop
    for r in affected_roles:
        for comp, _rank in old.role_counted.get(r, ()):
            counted_touched[comp].add(r)
        ix.role_requirements.pop(r, None)
        ix.role_counted.pop(r, None)
    added_counted: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in affected_roles:
        if r not in ix.roles:
            continue
        ix.role_requirements[r], ix.role_counted[r] = _merged(r, ix.own_requirements,
                                                              ix.role_tasks)
        for comp, rank in ix.role_counted[r]:
            added_counted[comp].append((r, rank))
            counted_touched.setdefault(comp, set())
    for comp, dropped in counted_touched.items():
        kept = [e for e in ix.counted_by_comp.get(comp, ()) if e[0] not in dropped]
        _set_or_drop(ix.counted_by_comp, comp, sorted(kept + added_counted.get(comp, [])))
    if affected_roles:
        ix.unconstrained_roles = tuple(sorted(r for r in ix.roles if not ix.role_counted[r]))

    # 4. training formats: kind, legal bases, outcomes; per competency the formats and best rank
    fmts = t.formats | members
    if fmts:
        found, kinds, legal = _format_facts(
            _select_for(store, registry, "planning-formats", "format", fmts))
        outcomes = _outcomes(_select_for(store, registry, "planning-outcomes", "format", fmts),
                             ix.level_rank)
        outcome_comps: set[str] = set()
        for f in fmts:
            outcome_comps.update(old.format_outcomes.get(f, {}))
            ix.formats.discard(f)
            ix.format_kind.pop(f, None)
            ix.format_legal.pop(f, None)
            ix.format_outcomes.pop(f, None)
        for f in found | set(outcomes):
            ix.formats.add(f)
            ix.format_kind[f] = kinds.get(f)
            if f in legal:
                ix.format_legal[f] = legal[f]
        for f, comps in outcomes.items():
            ix.format_outcomes[f] = comps
            outcome_comps.update(comps)
        for c in outcome_comps:
            entries = [e for e in ix.comp_formats.get(c, ()) if e[0] not in fmts]
            entries += [(f, comps[c]) for f, comps in outcomes.items() if c in comps]
            _set_or_drop(ix.comp_formats, c, sorted(entries))
            best = max((rank for _, rank in entries), default=0)
            _set_or_drop(ix.best_outcome, c, best if best > 0 else None)

    # 5. the hierarchy around touched links and competencies whose type changed
    ends = t.links | {c for c in typed_touched
                      if (c in old.typed_competencies) != (c in ix.typed_competencies)}
    if ends:
        below = _below(old.narrower, ends)
        for n in ends:
            for b in old.broader.get(n, ()):
                _set_or_drop(ix.narrower, b, tuple(x for x in ix.narrower.get(b, ()) if x != n))
            ix.broader.pop(n, None)
        for b in ends:
            for n in old.narrower.get(b, ()):
                _set_or_drop(ix.broader, n, tuple(x for x in ix.broader.get(n, ()) if x != b))
            ix.narrower.pop(b, None)
        rows = [*_select_for(store, registry, "planning-broader", "narrower", ends),
                *_select_for(store, registry, "planning-broader", "broader", ends)]
        for row in rows:
            lower, upper = iri_of(row.get("narrower")), iri_of(row.get("broader"))
            if lower is None or upper is None:
                continue
            if lower not in ix.typed_competencies and upper not in ix.typed_competencies:
                continue
            ix.broader[lower] = tuple(sorted({*ix.broader.get(lower, ()), upper}))
            ix.narrower[upper] = tuple(sorted({*ix.narrower.get(upper, ()), lower}))
        for c in below | _below(ix.narrower, ends):
            if c in ix.broader:
                ix.ancestors[c] = _up(ix.broader, c)
            else:
                ix.ancestors.pop(c, None)

    # 6. labels, kinds and the cached nodes of everything touched
    if t.labels:
        fresh = _labels(_select_for(store, registry, "planning-labels", "resource", t.labels))
        for s in t.labels:
            _set_or_drop(ix.labels, s, fresh.get(s))
    retyped = members | holders | touched_comps | fmts | set(counted_touched)
    for iri in retyped:
        _set_or_drop(ix.types, iri, _type_of(ix, iri))
    stale = t.labels | {iri for iri in retyped if old.types.get(iri) != ix.types.get(iri)}
    for nodes in ix._nodes.values():
        for iri in stale:
            nodes.pop(iri, None)
    if ix.roles != old.roles or any(s in ix.roles or s in old.roles for s in stale):
        ix._role_order = {}
    for lang in ("de", "en"):
        for iri in stale:
            if iri in ix.types:
                ix._cached(iri, lang, None)
        ix.roles_by_label(lang)

    ix.built_s = time.perf_counter() - start
    log.debug("planning index patched in %.4f s", ix.built_s)
    return ix


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
