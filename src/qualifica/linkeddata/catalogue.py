"""The catalogue behind the REST API: typed resources, their labels and links, read once per
store generation, and the listings and hierarchy answers computed from it.

``catalogue_for(ctx)`` returns the snapshot for the store's current generation (rebuilt after a
write). The snapshot is read with library queries (``queries/lib/rest-types.rq``,
``rest-labels.rq``, ``rest-links.rq``, ``rest-ranks.rq``, ``rest-deprecated.rq``); listing,
filtering, ordering and paging are pure functions over it.

Deprecated resources (``owl:deprecated true``) stay in the snapshot, so they resolve and keep
their details, but listings and hierarchy pages leave them out unless asked for
(``deprecated=True``); ``successors`` names what replaces them (``dcterms:isReplacedBy``).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import logging
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, Part
from qualifica.errors import BadParameter, NotFound
from qualifica.labels import add_label, lang_key
from qualifica.namespaces import (
    DCTERMS,
    DCTERMS_IS_REPLACED_BY,
    KINDS,
    OWL_DEPRECATED,
    QD,
    QD_DEVELOPS,
    QD_KIND,
    QD_LEGAL_BASIS,
    QD_LEVEL_OF,
    QD_PART_OF,
    QD_PERFORMS_TASK,
    RDF_TYPE,
    SKOS_ALT_LABEL,
    SKOS_BROADER,
    SKOS_IN_SCHEME,
    SKOS_PREF_LABEL,
    SKOS_TOP_CONCEPT_OF,
)
from qualifica.sparql import binding, run
from qualifica.sparql.library import select_rows_for
from qualifica.sparql.nodes import Node, kind_of, make_node
from qualifica.sparql.registry import Registry
from qualifica.sparql.terms import int_of, text_of
from qualifica.store.base import ChangeSet, Readable, SelectResult, Store

log = logging.getLogger(__name__)

#: REST collection names and the kinds they hold.
COLLECTIONS: dict[str, str] = {
    "roles": "role",
    "tasks": "task",
    "competencies": "competency",
    "training-formats": "training-format",
    "legal-bases": "legal-basis",
    "frameworks": "framework",
    "levels": "level",
}
#: The training kinds a ``kind`` filter accepts by name.
TRAINING_KINDS: dict[str, str] = {
    "ausbildung": QD + "Ausbildung",
    "fortbildung": QD + "Fortbildung",
    "weiterbildung": QD + "Weiterbildung",
}
_CLASS_KIND: dict[str, str] = {cls: kind for kind, cls in KINDS.items()}
_CLASS_KIND[QD + "TrainingKind"] = "training-kind"
QD_COMPETENCY = QD + "competency"
QD_RANK = QD + "rank"
DCTERMS_MODIFIED = DCTERMS + "modified"


MAX_LIMIT = 500
#: Detail answers kept per catalogue (one store generation).
MAX_ANSWERS = 4096


def select(store: Readable, registry: Registry, name: str, raw: Mapping[str, object] | None = None,
           timeout_s: float | None = None) -> SelectResult:
    """Run a library query of ``queries/lib/`` with values bound by ``sparql.binding``."""
    return run.select(store, run.bound(registry.internal(name), raw), timeout_s=timeout_s)


def fold(text: str) -> str:
    """Case-folded, whitespace-collapsed form used for ordering."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass
class Catalogue:
    """A snapshot of the typed resources, labels and links of one store generation."""

    generation: int
    kinds: dict[str, str] = field(default_factory=dict)  # iri -> kind
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> lang -> label
    alt: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # iri -> lang -> labels
    out: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    inv: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    by_kind: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ranks: dict[str, int] = field(default_factory=dict)  # level iri -> rank
    deprecated: set[str] = field(default_factory=set)  # iris marked owl:deprecated true
    replaced_by: dict[str, list[str]] = field(default_factory=dict)  # iri -> successors
    modified: dict[str, str] = field(default_factory=dict)  # iri -> latest dcterms:modified
    search_index: Any = None  # built lazily by ``linkeddata.search``
    #: Encoded detail answers of this generation, ``(collection, iri, lang) -> (iri, JSON)``,
    #: filled by ``linkeddata.details.detail_json`` (at most ``MAX_ANSWERS``, oldest dropped).
    answers: dict[tuple[str, str, str], tuple[str, bytes]] = field(default_factory=dict)

    # -- nodes ---------------------------------------------------------------------------
    def kind(self, iri: str) -> str | None:
        """The kind of a catalogued resource."""
        return self.kinds.get(iri)

    def label(self, iri: str, lang: str) -> str:
        """The preferred label in ``lang`` (fallback: the other language, then the slug)."""
        return make_node(iri, self.labels.get(iri, {}), lang)["label"]

    def node(self, iri: str, lang: str) -> Node:
        """The JSON node form of any IRI."""
        return make_node(iri, self.labels.get(iri, {}), lang,
                         self.kinds.get(iri) or kind_of(iri) or "resource")

    def nodes(self, iris: Iterable[str], lang: str) -> list[Node]:
        """Nodes of several IRIs, ordered by label then IRI."""
        return [self.node(i, lang) for i in self.ordered(iris, lang)]

    def ordered(self, iris: Iterable[str], lang: str) -> list[str]:
        """IRIs ordered by their label in ``lang`` then by IRI; duplicates dropped."""
        return sorted(set(iris), key=lambda i: (fold(self.label(i, lang)), i))

    def is_deprecated(self, iri: str) -> bool:
        """Whether ``iri`` is marked ``owl:deprecated true``."""
        return iri in self.deprecated

    def successors(self, iri: str) -> list[str]:
        """The ``dcterms:isReplacedBy`` successors of a deprecated resource, in IRI order."""
        return sorted(self.replaced_by.get(iri, ()))

    def current(self, iris: Iterable[str], *, deprecated: bool = False) -> list[str]:
        """``iris`` without the deprecated ones (all of them when ``deprecated`` is true)."""
        if deprecated:
            return list(iris)
        return [i for i in iris if i not in self.deprecated]

    def targets(self, iri: str, prop: str) -> list[str]:
        """Objects of ``iri prop ?o``."""
        return list(self.out.get((iri, prop), ()))

    def sources(self, iri: str, prop: str) -> list[str]:
        """Subjects of ``?s prop iri``."""
        return list(self.inv.get((iri, prop), ()))

    # -- resolving ids ----------------------------------------------------------------------
    def resolve(self, value: str, kind: str, *, param: str = "id") -> str:
        """The IRI of a resource of ``kind`` from a slug or a full IRI; ``NotFound`` when the
        catalogue has no such resource."""
        term = binding.iri(value, param=param, kind=kind)
        if self.kinds.get(term.value) != kind:
            raise NotFound(f"there is no {kind} {value!r}", param=param, id=value)
        return term.value

    def resolve_training_kind(self, value: str, *, param: str = "kind") -> str:
        """A training kind by name (``fortbildung``) or IRI."""
        named = TRAINING_KINDS.get(value.strip().lower())
        if named is None and binding.SLUG.match(value.strip().lower()):
            raise NotFound(f"there is no training kind {value!r}; use one of "
                           + ", ".join(TRAINING_KINDS), param=param, id=value)
        term = binding.iri(named if named is not None else value, param=param)
        if self.kinds.get(term.value) != "training-kind" and term.value not in \
                TRAINING_KINDS.values():
            raise NotFound(f"there is no training kind {value!r}", param=param, id=value)
        return term.value

    # -- hierarchy ---------------------------------------------------------------------------
    def closure(self, start: str, prop: str, *, inverse: bool) -> list[str]:
        """All resources reachable from ``start`` over ``prop`` (or its inverse), cycle-safe."""
        seen: list[str] = []
        todo = [start]
        while todo:
            current = todo.pop()
            step = self.sources(current, prop) if inverse else self.targets(current, prop)
            for nxt in step:
                if nxt != start and nxt not in seen:
                    seen.append(nxt)
                    todo.append(nxt)
        return seen

    def members(self, framework: str) -> list[str]:
        """The competencies ``skos:inScheme`` a framework."""
        kinds = self.kinds
        return [c for c in self.inv.get((framework, SKOS_IN_SCHEME), ())
                if kinds.get(c) == "competency"]

    def top_concepts(self, framework: str, members: list[str] | None = None) -> list[str]:
        """Competencies of a framework with no broader competency in it (or marked top);
        ``members``: its ``members``, when the caller has them."""
        if members is None:
            members = self.members(framework)
        member_set = set(members)
        out = self.out
        top = {c for c in members
               if member_set.isdisjoint(out.get((c, SKOS_BROADER), ()))}
        top.update(self.inv.get((framework, SKOS_TOP_CONCEPT_OF), ()))
        return list(top)


#: The library queries a catalogue is read from, and the variable each binds the resource to.
QUERIES: dict[str, str] = {
    "rest-types": "resource",
    "rest-labels": "resource",
    "rest-links": "resource",
    "rest-ranks": "level",
    "rest-deprecated": "resource",
    "rest-modified": "resource",
}
#: The predicates whose quads a catalogue reads (a change without them leaves it as it is).
LINK_PREDICATES = frozenset({
    SKOS_IN_SCHEME, SKOS_BROADER, SKOS_TOP_CONCEPT_OF, QD_KIND, QD_LEGAL_BASIS, QD_PART_OF,
    QD_LEVEL_OF, QD_PERFORMS_TASK, QD_DEVELOPS,
})
RELEVANT_PREDICATES = LINK_PREDICATES | {
    RDF_TYPE, SKOS_PREF_LABEL, SKOS_ALT_LABEL, QD_COMPETENCY, QD_RANK, OWL_DEPRECATED,
    DCTERMS_IS_REPLACED_BY, DCTERMS_MODIFIED,
}
#: A change touching more resources than this is read by a full build instead of a patch.
PATCH_MAX_RESOURCES = 5000
#: Of several classes of one resource (and no kind in its IRI), the first here names its kind.
_CLASS_ORDER: dict[str, int] = {cls: i for i, cls in enumerate(_CLASS_KIND)}

Rows = dict[str, list[dict[str, Any]]]


class Unpatchable(Exception):
    """A change the catalogue cannot be patched with: it is built again instead."""


def _kind(iri: str, classes: Iterable[str]) -> str:
    # an instance IRI's own kind wins over its classes; of several classes the first in order
    own = kind_of(iri)
    if own is not None and KINDS.get(own):
        return own
    return _CLASS_KIND[min(classes, key=_CLASS_ORDER.__getitem__)]


def _merge(cat: Catalogue, rows: Rows) -> None:
    """File the rows of the library queries for resources that have no entries in ``cat``.

    Every list the rows add to is replaced by a new sorted one (the lists of ``cat`` may be
    shared with the catalogue of an older generation, which stays as it was)."""
    classes: dict[str, set[str]] = defaultdict(set)
    for row in rows["rest-types"]:
        cls = text_of(row["class"])
        if cls in _CLASS_KIND:
            classes[text_of(row["resource"])].add(cls)
    joined: dict[str, set[str]] = defaultdict(set)
    for iri, found in classes.items():
        kind = _kind(iri, found)
        cat.kinds[iri] = kind
        joined[kind].add(iri)
    for kind, iris in joined.items():
        cat.by_kind[kind] = sorted(iris.union(cat.by_kind.get(kind, ())))
    alt: dict[str, dict[str, set[str]]] = {}
    for row in rows["rest-labels"]:
        iri, prop, lit = text_of(row["resource"]), text_of(row["property"]), row["label"]
        if not isinstance(lit, Literal):
            continue
        if prop == SKOS_PREF_LABEL:
            add_label(cat.labels.setdefault(iri, {}), lit.language, lit.value)
        else:
            alt.setdefault(iri, {}).setdefault(lang_key(lit.language), set()).add(lit.value)
    for iri, by_lang in alt.items():
        cat.alt[iri] = {lang: sorted(labels) for lang, labels in by_lang.items()}
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    inv: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows["rest-links"]:
        s, p, o = row["resource"], row["property"], row["target"]
        if isinstance(s, NamedNode) and isinstance(o, NamedNode) and isinstance(p, NamedNode):
            out[(s.value, p.value)].add(o.value)
            inv[(o.value, p.value)].add(s.value)
    for key, targets in out.items():
        cat.out[key] = sorted(targets.union(cat.out.get(key, ())))
    for key, sources in inv.items():
        cat.inv[key] = sorted(sources.union(cat.inv.get(key, ())))
    for row in rows["rest-ranks"]:
        rank = int_of(row["rank"])
        level = text_of(row["level"])
        if rank is not None and (level not in cat.ranks or rank < cat.ranks[level]):
            cat.ranks[level] = rank
    successors: dict[str, set[str]] = {}
    for row in rows["rest-deprecated"]:
        iri = text_of(row["resource"])
        cat.deprecated.add(iri)
        successor = row.get("successor")
        found = successors.setdefault(iri, set())
        if isinstance(successor, NamedNode):
            found.add(successor.value)
    for iri, found in successors.items():
        cat.replaced_by[iri] = sorted(found)
    for row in rows["rest-modified"]:
        stamp = row.get("modified")
        if isinstance(stamp, Literal):
            cat.modified[text_of(row["resource"])] = stamp.value


def build(store: Store, registry: Registry, generation: int) -> Catalogue:
    """Read a catalogue snapshot from the store."""
    cat = Catalogue(generation=generation)
    _merge(cat, {name: select(store, registry, name).rows for name in QUERIES})
    log.info("catalogue of generation %d: %d resources", generation, len(cat.kinds))
    return cat


def is_relevant(change: ChangeSet) -> bool:
    """Whether a committed change may alter a catalogue (an unknown change always may)."""
    if change.added is None or change.removed is None:
        return True
    return any(q.predicate.value in RELEVANT_PREDICATES
               for q in (*change.added, *change.removed))


def touched(change: ChangeSet, store: Store) -> set[str]:
    """The resources whose entries a known change may alter: the subjects of its relevant
    quads, and the holders of the learning outcomes whose competency changed (read from the
    store as it is after the change). ``Unpatchable`` when they cannot be told."""
    assert change.added is not None and change.removed is not None
    quads = (*change.added, *change.removed)
    found: set[str] = set()
    outcomes: set[Any] = set()
    for q in quads:
        p = q.predicate.value
        if p not in RELEVANT_PREDICATES:
            continue
        if p == QD_COMPETENCY:
            outcomes.add(q.subject)
        elif isinstance(q.subject, NamedNode):
            found.add(q.subject.value)
    for outcome in outcomes:
        holders = {q.subject for q in quads
                   if q.predicate.value == QD_DEVELOPS and q.object == outcome}
        holders.update(q.subject for q in store.quads(None, NamedNode(QD_DEVELOPS), outcome))
        if not holders and not isinstance(outcome, NamedNode):
            # a blank outcome whose holder neither the change nor the store names
            raise Unpatchable("a learning outcome without a holder")
        found.update(h.value for h in holders if isinstance(h, NamedNode))
        if len(found) > PATCH_MAX_RESOURCES:
            break
    if len(found) > PATCH_MAX_RESOURCES:
        raise Unpatchable(f"{len(found)} resources touched")
    return found


def _dropped(values: list[str], gone: set[str]) -> list[str]:
    return [v for v in values if v not in gone]


def patch(old: Catalogue, store: Store, registry: Registry, change: ChangeSet,
          generation: int) -> Catalogue:
    """A new catalogue: ``old`` with a committed change applied (``old`` stays as it was).

    The entries of the resources the change touches are read again from the store (the library
    queries limited by ``VALUES`` to their IRIs); everything else is shared with ``old``. Equal
    to ``build`` of the store after the change. ``Unpatchable`` for an unknown or very large
    change."""
    if change.added is None or change.removed is None:
        raise Unpatchable("the change's quads are unknown")
    gone = touched(change, store)
    cat = Catalogue(
        generation=generation, kinds=dict(old.kinds), labels=dict(old.labels),
        alt=dict(old.alt), out=defaultdict(list, old.out), inv=defaultdict(list, old.inv),
        by_kind=defaultdict(list, old.by_kind), ranks=dict(old.ranks),
        deprecated=set(old.deprecated), replaced_by=dict(old.replaced_by),
        modified=dict(old.modified))
    if not gone:
        return cat
    kinds = {old.kinds[i] for i in gone if i in old.kinds}
    for kind in kinds:
        cat.by_kind[kind] = _dropped(cat.by_kind[kind], gone)
    for iri in gone:
        for mapping in (cat.kinds, cat.labels, cat.alt, cat.ranks, cat.replaced_by,
                        cat.modified):
            mapping.pop(iri, None)
        cat.deprecated.discard(iri)
        for prop in LINK_PREDICATES:
            for target in cat.out.pop((iri, prop), ()):
                key = (target, prop)
                left = [s for s in cat.inv.get(key, ()) if s != iri]
                if left:
                    cat.inv[key] = left
                else:
                    cat.inv.pop(key, None)
    for kind in kinds:
        if not cat.by_kind[kind]:
            del cat.by_kind[kind]
    rows: Rows = {name: select_rows_for(store, registry, name, var, gone)
                  for name, var in QUERIES.items()}
    _merge(cat, rows)
    return cat


class CatalogueCache:
    """The catalogue of the newest store generation read so far; one build at a time.

    It listens to the store: a committed change whose quads are known is applied to the
    current catalogue at once (:func:`patch`, milliseconds), so the catalogue of the new
    generation is there when the write answers, in the writing process and in every process
    that follows it; an unknown change (a SPARQL Update, a bulk load) leaves the catalogue to
    be built again on its next use.
    """

    def __init__(self, store: Store | None = None, registry: Registry | None = None) -> None:
        self._lock = threading.Lock()
        self._current: Catalogue | None = None
        self._store = store
        self._registry = registry
        self._seen = store.generation if store is not None else 0
        self._closed = False
        self.builds = 0
        self.patches = 0

    def subscribe(self) -> None:
        """Listen to the store's committed writes."""
        assert self._store is not None
        self._store.subscribe(self._on_change)

    def close(self) -> None:
        """Stop patching (the store keeps the listener, which then does nothing)."""
        self._closed = True
        self._current = None

    def _on_change(self, change: ChangeSet) -> None:
        assert self._store is not None and self._registry is not None
        before, self._seen = self._seen, self._store.generation
        if self._closed or not self._lock.acquire(blocking=False):
            return  # a build is running: it, or the next use, reads the new state
        try:
            cached = self._current
            if cached is None or cached.generation != before:
                return  # built before an earlier change: the next use builds
            if not is_relevant(change):
                self._current = replace(cached, generation=self._store.generation,
                                        answers={}, search_index=cached.search_index)
                return
            try:
                self._current = patch(cached, self._store, self._registry, change,
                                      self._store.generation)
                self.patches += 1
            except Unpatchable as why:
                log.info("catalogue built again instead of patched: %s", why)
            except Exception:
                log.exception("patching the catalogue failed; it is built again on next use")
        finally:
            self._lock.release()

    def peek(self, store: Store) -> Catalogue | None:
        """The catalogue of the store's current generation if it is built (never builds)."""
        cached = self._current
        return cached if cached is not None and cached.generation == store.generation else None

    def get(self, store: Store, registry: Registry) -> Catalogue:
        """The catalogue of the store's current generation (patched or rebuilt after writes).

        While another thread builds the newer catalogue, readers get the last one built instead
        of waiting: the write that changed the store builds it before it answers, so a read
        that follows a write's answer sees the write, and reads during it are not held up.
        """
        generation = store.generation
        cached = self._current
        if cached is not None and cached.generation == generation:
            return cached
        if not self._lock.acquire(blocking=cached is None):
            assert cached is not None
            return cached
        try:
            cached = self._current
            if cached is not None and cached.generation == generation:
                return cached
            cat = build(store, registry, generation)
            self.builds += 1
            # a change committed from here on is patched into this catalogue
            self._seen = max(self._seen, generation)
            self._current = cat
            return cat
        finally:
            self._lock.release()


def _new_cache(ctx: Context) -> CatalogueCache:
    cache = CatalogueCache(ctx.store, ctx.registry)
    cache.subscribe()
    return cache


#: The catalogue cache of a context (listening to its store from its first use).
CATALOGUE: Part[CatalogueCache] = Part("catalogue", _new_cache, close=CatalogueCache.close)


def catalogue_for(ctx: Context) -> Catalogue:
    """The catalogue of the store's current generation (built on first use, patched or rebuilt
    after writes)."""
    return ctx.part(CATALOGUE).get(ctx.store, ctx.registry)


def built_catalogue(ctx: Context) -> Catalogue | None:
    """The catalogue of the store's current generation if it is built already (never waits)."""
    return ctx.part(CATALOGUE).peek(ctx.store)


# --- listings -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """One page of a listing: its nodes and the number of all matching resources."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    #: In cursor paging: the cursor of the next page (``None`` on the last page).
    next_cursor: str | None = None
    cursor: str | None = None

    @property
    def has_next(self) -> bool:
        """True when a further page exists."""
        return self.offset + len(self.items) < self.total

    @property
    def has_prev(self) -> bool:
        """True when the page does not start at the first item."""
        return self.offset > 0


#: The filters each collection accepts: parameter name → what it filters by.
FILTERS: dict[str, tuple[str, ...]] = {
    "competencies": ("framework", "broader"),
    "training-formats": ("kind", "competency"),
    "roles": ("legal_basis",),
    "tasks": ("legal_basis",),
    "legal-bases": ("part_of",),
    "levels": ("framework",),
}


def check_page(limit: int, offset: int) -> None:
    """Refuse a page size or offset out of range (422 naming the parameter)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParameter(f"parameter 'limit' must be between 1 and {MAX_LIMIT}",
                           param="limit", status=422)
    if offset < 0:
        raise BadParameter("parameter 'offset' must be 0 or more", param="offset", status=422)


def paginate(cat: Catalogue, iris: Iterable[str], lang: str, limit: int, offset: int, *,
             deprecated: bool = False) -> Page:
    """Order IRIs by label and IRI and cut one page of nodes; deprecated resources are left
    out unless ``deprecated`` is true."""
    check_page(limit, offset)
    ordered = cat.ordered(cat.current(iris, deprecated=deprecated), lang)
    window = ordered[offset:offset + limit]
    return Page(items=[dict(cat.node(i, lang)) for i in window], total=len(ordered),
                limit=limit, offset=offset)


def _filtered(cat: Catalogue, collection: str, filters: Mapping[str, str | None]) -> list[str]:
    kind = COLLECTIONS[collection]
    members = list(cat.by_kind.get(kind, ()))
    allowed = FILTERS.get(collection, ())
    for name, value in filters.items():
        if value is None or value == "":
            continue
        if name not in allowed:
            raise BadParameter(f"{collection} cannot be filtered by {name!r}", param=name,
                               status=422)
        if name == "framework":
            target = cat.resolve(value, "framework", param=name)
            prop = SKOS_IN_SCHEME if kind == "competency" else QD_LEVEL_OF
            keep = set(cat.sources(target, prop))
        elif name == "broader":
            target = cat.resolve(value, "competency", param=name)
            keep = set(cat.sources(target, SKOS_BROADER))
        elif name == "kind":
            target = cat.resolve_training_kind(value, param=name)
            keep = set(cat.sources(target, QD_KIND))
        elif name == "competency":
            target = cat.resolve(value, "competency", param=name)
            keep = set(cat.sources(target, QD_DEVELOPS))
        elif name == "legal_basis":
            target = cat.resolve(value, "legal-basis", param=name)
            # a resource governed by the norm or by one of its provisions
            norms = {target, *cat.closure(target, QD_PART_OF, inverse=True)}
            keep = {s for n in norms for s in cat.sources(n, QD_LEGAL_BASIS)}
        else:  # part_of
            target = cat.resolve(value, "legal-basis", param=name)
            keep = set(cat.sources(target, QD_PART_OF))
        members = [m for m in members if m in keep]
    return members


def encode_cursor(iri: str) -> str:
    """The opaque cursor that continues a walk after ``iri``."""
    return base64.urlsafe_b64encode(iri.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The IRI a cursor continues after (``""``: the start); 422 for a cursor not made here."""
    if not cursor:
        return ""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_",
                               validate=True)
        iri = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        iri = ""
    if ":" not in iri or not iri.isprintable():
        raise BadParameter("parameter 'cursor' is not a cursor of this listing; start with "
                           "cursor= (empty) and follow 'next'", param="cursor", status=422)
    return iri


def cursor_page(cat: Catalogue, iris: Iterable[str], lang: str, limit: int, cursor: str, *,
                deprecated: bool = False) -> Page:
    """One page of a walk in IRI order: the resources whose IRI sorts after the cursor's.

    A harvester that follows ``next_cursor`` sees every resource that exists from the start to
    the end of its walk exactly once, whatever is written meanwhile: the order is that of the
    IRIs, which no write changes, and each page starts strictly after the last IRI seen.
    """
    check_page(limit, 0)
    after = decode_cursor(cursor)
    ordered = sorted(cat.current(iris, deprecated=deprecated))
    start = bisect.bisect_right(ordered, after) if after else 0
    window = ordered[start:start + limit]
    more = start + limit < len(ordered)
    return Page(items=[dict(cat.node(i, lang)) for i in window], total=len(ordered),
                limit=limit, offset=start, cursor=cursor,
                next_cursor=encode_cursor(window[-1]) if more and window else None)


def stamp_of(value: str) -> datetime | None:
    """A ``dcterms:modified`` value (``xsd:dateTime`` or ``xsd:date``) as an aware datetime in
    UTC (no zone: UTC); ``None`` when it is neither."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def modified_since(cat: Catalogue, iris: Iterable[str], since: datetime) -> list[str]:
    """The resources whose ``dcterms:modified`` is at or after ``since`` (those without one are
    left out)."""
    since = since.replace(tzinfo=UTC) if since.tzinfo is None else since
    out = []
    for iri in iris:
        stamp = stamp_of(cat.modified.get(iri, ""))
        if stamp is not None and stamp >= since:
            out.append(iri)
    return out


def last_modified(cat: Catalogue, iris: Iterable[str]) -> datetime | None:
    """The latest ``dcterms:modified`` among ``iris`` (``None``: none has one)."""
    stamps = [s for i in iris if (s := stamp_of(cat.modified.get(i, ""))) is not None]
    return max(stamps) if stamps else None


def members(cat: Catalogue, collection: str, filters: Mapping[str, str | None] | None = None,
            since: datetime | None = None, among: Collection[str] | None = None) -> list[str]:
    """The resources of a collection that pass its filters (and ``modified_since``; only
    members of ``among`` when given)."""
    if collection not in COLLECTIONS:
        raise NotFound(f"there is no collection {collection!r}", param="kind")
    found = _filtered(cat, collection, filters or {})
    if among is not None:
        found = [m for m in found if m in among]
    return found if since is None else modified_since(cat, found, since)


def listing(cat: Catalogue, collection: str, *, lang: str = "de", limit: int = 50,
            offset: int = 0, filters: Mapping[str, str | None] | None = None,
            deprecated: bool = False, cursor: str | None = None,
            since: datetime | None = None, among: Collection[str] | None = None) -> Page:
    """One page of a collection (``roles`` …), filtered, ordered by label then IRI (by IRI
    alone when walked by ``cursor``); deprecated resources only when ``deprecated`` is true;
    only members of ``among`` when given."""
    found = members(cat, collection, filters, since, among)
    if cursor is not None:
        return cursor_page(cat, found, lang, limit, cursor, deprecated=deprecated)
    check_page(limit, offset)
    return paginate(cat, found, lang, limit, offset, deprecated=deprecated)


def hierarchy(cat: Catalogue, competency: str, direction: str, *, lang: str = "de",
              transitive: bool = False) -> tuple[Node, list[str]]:
    """The competency and its narrower or broader competencies (direct or transitive)."""
    iri = cat.resolve(competency, "competency", param="id")
    if transitive:
        found = cat.closure(iri, SKOS_BROADER, inverse=direction == "narrower")
    elif direction == "narrower":
        found = cat.sources(iri, SKOS_BROADER)
    else:
        found = cat.targets(iri, SKOS_BROADER)
    return cat.node(iri, lang), found
