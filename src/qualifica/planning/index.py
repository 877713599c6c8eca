"""The planning index: an in-memory picture of the planning part of the graph.

Built from the store by a few bulk SELECTs (``queries/lib/planning-*.rq``), it holds the
competency hierarchy with its transitive closure, the direct requirers of each competency, the
roles of each task, every role's merged requirements (own plus its tasks'), the learning outcomes
of the training formats with the best level reachable per competency, the labels in German and
English, level ranks and the rank scale of every framework. Planning questions are then answered
from dictionaries in memory, not by property-path queries over the store.

Keeping it current: :class:`IndexHolder` subscribes to the store. After every committed write it
looks at the change set; when the added and removed quads are known and none of them uses a
predicate the index reads, the index stays as it is. Otherwise (a relevant quad, or an unknown
change such as a SPARQL Update or a bulk load) a new index is built from the store and the
reference is swapped, so readers always see one consistent index and never wait for a build.
A failed rebuild marks the holder stale; the next :func:`get_index` builds again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from qualifica.namespaces import QD, RDF, RDFS, SKOS
from qualifica.sparql.nodes import Node, make_node
from qualifica.store.base import ChangeSet, SelectResult, Store, Term

if TYPE_CHECKING:
    from qualifica.context import Context
    from qualifica.sparql.registry import Registry

log = logging.getLogger(__name__)

EXTRAS_KEY = "planning"

#: Predicates whose quads the index reads; a change that touches none of them is ignored.
RELEVANT_PREDICATES: frozenset[str] = frozenset(
    {
        QD + "performsTask", QD + "requires", QD + "competency", QD + "level",
        QD + "essential", QD + "develops", QD + "kind", QD + "legalBasis", QD + "levelOf",
        QD + "rank", SKOS + "broader", SKOS + "inScheme", SKOS + "prefLabel",
        RDF + "type", RDFS + "subClassOf",
    }
)


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
                local = iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]
                labels = {"": local}
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


def _select(store: Store, registry: Registry, name: str) -> list[dict[str, Term]]:
    result = store.query(registry.internal(name).text)
    if not isinstance(result, SelectResult):  # pragma: no cover - library queries are SELECTs
        raise TypeError(f"library query {name} is not a SELECT")
    return result.rows


def _iri(term: Term | None) -> str | None:
    return term.value if isinstance(term, NamedNode) else None


def _int(term: Term | None) -> int | None:
    if isinstance(term, Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def _bool(term: Term | None, default: bool) -> bool:
    if isinstance(term, Literal):
        return term.value.strip().lower() in {"true", "1"}
    return default


def _merge(a: Requirement | None, b: Requirement) -> Requirement:
    """Same competency twice: the higher level wins, essential if either is."""
    if a is None:
        return b
    winner = a if a.rank >= b.rank else b
    sources = tuple(dict.fromkeys(a.sources + b.sources))
    return Requirement(a.competency, winner.rank, winner.level, a.essential or b.essential,
                       sources)


def _closure(broader: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Transitive broader closure per competency (cycle-safe)."""
    memo: dict[str, frozenset[str]] = {}

    def up(c: str, seen: frozenset[str]) -> frozenset[str]:
        if c in memo:
            return memo[c]
        acc: set[str] = set()
        for b in broader.get(c, ()):
            if b in seen:
                continue
            acc.add(b)
            acc |= up(b, seen | {b})
        result = frozenset(acc - {c})
        if not (acc & seen):  # only memoise answers not cut short by a cycle
            memo[c] = result
        return result

    return {c: up(c, frozenset({c})) for c in broader}


def build_index(store: Store, registry: Registry) -> PlanningIndex:
    """Read the planning part of the graph into a new :class:`PlanningIndex`."""
    start = time.perf_counter()
    generation = store.generation
    ix = PlanningIndex(generation=generation)

    for row in _select(store, registry, "planning-labels"):
        s, lab = _iri(row.get("resource")), row.get("label")
        if s is None or not isinstance(lab, Literal):
            continue
        lang = (lab.language or "").lower()
        ix.labels.setdefault(s, {}).setdefault(lang, lab.value)

    for row in _select(store, registry, "planning-levels"):
        level, rank = _iri(row.get("level")), _int(row.get("rank"))
        if level is None or rank is None:
            continue
        ix.level_rank[level] = rank
        fw = _iri(row.get("framework"))
        if fw is not None:
            ix.framework_levels.setdefault(fw, {})[rank] = level

    comp_fw: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, registry, "planning-competencies"):
        c = _iri(row.get("competency"))
        if c is None:
            continue
        ix.competencies.add(c)
        fw = _iri(row.get("framework"))
        if fw is not None and fw not in comp_fw[c]:
            comp_fw[c].append(fw)
    ix.comp_frameworks = {c: tuple(sorted(v)) for c, v in comp_fw.items()}

    broader: dict[str, list[str]] = defaultdict(list)
    narrower: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, registry, "planning-broader"):
        n, b = _iri(row.get("narrower")), _iri(row.get("broader"))
        if n is None or b is None:
            continue
        if n not in ix.competencies and b not in ix.competencies:
            continue
        broader[n].append(b)
        narrower[b].append(n)
    ix.broader = {k: tuple(sorted(v)) for k, v in broader.items()}
    ix.narrower = {k: tuple(sorted(v)) for k, v in narrower.items()}
    ix.ancestors = _closure(ix.broader)

    for row in _select(store, registry, "planning-tasks"):
        t = _iri(row.get("task"))
        if t is not None:
            ix.tasks.add(t)
    role_tasks: dict[str, list[str]] = defaultdict(list)
    task_roles: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, registry, "planning-roles"):
        r = _iri(row.get("role"))
        if r is None:
            continue
        ix.roles.add(r)
        t = _iri(row.get("task"))
        if t is not None:
            role_tasks[r].append(t)
            task_roles[t].append(r)
            ix.tasks.add(t)
    ix.tasks -= ix.roles
    ix.role_tasks = {k: tuple(sorted(set(v))) for k, v in role_tasks.items()}
    ix.task_roles = {k: tuple(sorted(set(v))) for k, v in task_roles.items()}

    own: dict[str, dict[str, Requirement]] = defaultdict(dict)
    for row in _select(store, registry, "planning-requirements"):
        holder, comp = _iri(row.get("holder")), _iri(row.get("competency"))
        if holder is None or comp is None:
            continue
        if holder not in ix.roles and holder not in ix.tasks:
            continue
        level = _iri(row.get("level"))
        rank = ix.level_rank.get(level, 1) if level is not None else 1
        req = Requirement(comp, rank, level, _bool(row.get("essential"), True), (holder,))
        own[holder][comp] = _merge(own[holder].get(comp), req)
        ix.competencies.add(comp)
        if holder in ix.roles:
            ix.comp_roles_direct.setdefault(comp, set()).add(holder)
        else:
            ix.comp_tasks.setdefault(comp, set()).add(holder)
    ix.own_requirements = dict(own)

    for role in ix.roles:
        merged: dict[str, Requirement] = dict(own.get(role, {}))
        for task in ix.role_tasks.get(role, ()):
            for comp, req in own.get(task, {}).items():
                merged[comp] = _merge(merged.get(comp), req)
        ix.role_requirements[role] = merged
        essential = [(c, r.rank) for c, r in merged.items() if r.essential]
        counted = essential if essential else [(c, r.rank) for c, r in merged.items()]
        ix.role_counted[role] = tuple(sorted(counted))
        for comp, rank in counted:
            ix.counted_by_comp.setdefault(comp, []).append((role, rank))
    ix.unconstrained_roles = tuple(sorted(r for r in ix.roles if not ix.role_counted[r]))

    for row in _select(store, registry, "planning-formats"):
        f = _iri(row.get("format"))
        if f is None:
            continue
        ix.formats.add(f)
        kind = _iri(row.get("kind"))
        if kind is not None or f not in ix.format_kind:
            ix.format_kind[f] = kind if kind is not None else ix.format_kind.get(f)
        legal = _iri(row.get("legal"))
        if legal is not None:
            ix.format_legal[f] = tuple(sorted({*ix.format_legal.get(f, ()), legal}))

    outcomes: dict[str, dict[str, int]] = defaultdict(dict)
    for row in _select(store, registry, "planning-outcomes"):
        f, comp = _iri(row.get("format")), _iri(row.get("competency"))
        if f is None or comp is None:
            continue
        level = _iri(row.get("level"))
        rank = ix.level_rank.get(level, 1) if level is not None else 1
        ix.formats.add(f)
        ix.format_kind.setdefault(f, None)
        if rank > outcomes[f].get(comp, 0):
            outcomes[f][comp] = rank
    ix.format_outcomes = dict(outcomes)
    comp_formats: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for f, comps in outcomes.items():
        for comp, rank in comps.items():
            comp_formats[comp].append((f, rank))
            if rank > ix.best_outcome.get(comp, 0):
                ix.best_outcome[comp] = rank
    ix.comp_formats = {c: sorted(v) for c, v in comp_formats.items()}

    for kind, members in (("level", ix.level_rank), ("training-format", ix.formats),
                          ("competency", ix.competencies), ("task", ix.tasks),
                          ("role", ix.roles)):
        for iri in members:
            ix.types[iri] = kind
    for lang in ("de", "en"):  # warm the node cache of the resources answers are made of
        for iri in ix.types:
            ix._cached(iri, lang, None)
        ix.roles_by_label(lang)

    ix.built_s = time.perf_counter() - start
    log.info("planning index built in %.3f s: %s", ix.built_s, ix.stats())
    return ix


# --- keeping it current -----------------------------------------------------------------------


def is_relevant(change: ChangeSet) -> bool:
    """Whether a committed change may alter the index (unknown changes always may)."""
    if change.added is None or change.removed is None:
        return True
    return any(
        q.predicate.value in RELEVANT_PREDICATES for q in (*change.added, *change.removed)
    )


class IndexHolder:
    """Holds the current index of one store; swaps in a new one after relevant writes."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        self._lock = threading.Lock()
        self._index: PlanningIndex | None = None
        self._stale = True
        self.rebuilds = 0

    def subscribe(self) -> None:
        """Listen to the store's committed writes."""
        self.store.subscribe(self._on_change)

    def current(self) -> PlanningIndex:
        """The current index, built first if there is none or the last rebuild failed."""
        index = self._index
        if index is not None and not self._stale:
            return index
        return self.rebuild()

    def rebuild(self) -> PlanningIndex:
        """Build a new index from the store and swap it in."""
        with self._lock:
            self._stale = False
            try:
                index = build_index(self.store, self.registry)
            except Exception:
                self._stale = True
                raise
            self._index = index
            self.rebuilds += 1
            return index

    def _on_change(self, change: ChangeSet) -> None:
        if not is_relevant(change):
            return
        try:
            self.rebuild()
        except Exception:
            # The write itself has committed; never fail it. The next read rebuilds.
            log.exception("rebuilding the planning index after a write failed")


def holder(ctx: Context) -> IndexHolder:
    """The index holder of a context, created (and subscribed) on first use."""
    existing = ctx.extras.get(EXTRAS_KEY)
    if isinstance(existing, IndexHolder):
        return existing
    created = IndexHolder(ctx.store, ctx.registry)
    current = ctx.extras.setdefault(EXTRAS_KEY, created)
    if current is created:  # only the holder that is kept listens to the store
        created.subscribe()
    return current if isinstance(current, IndexHolder) else created


def get_index(ctx: Context) -> PlanningIndex:
    """The planning index of ``ctx``, built on first use and kept current on every write."""
    return holder(ctx).current()


def install(ctx: Context) -> None:
    """Start-up hook: build the index once the bundled graph is loaded."""
    get_index(ctx)
