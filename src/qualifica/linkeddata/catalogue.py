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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, Part
from qualifica.errors import BadParameter, NotFound
from qualifica.labels import add_label, lang_key
from qualifica.namespaces import (
    KINDS,
    QD,
    QD_DEVELOPS,
    QD_KIND,
    QD_LEGAL_BASIS,
    QD_LEVEL_OF,
    QD_PART_OF,
    SKOS_BROADER,
    SKOS_IN_SCHEME,
    SKOS_PREF_LABEL,
    SKOS_TOP_CONCEPT_OF,
)
from qualifica.sparql import binding, run
from qualifica.sparql.nodes import Node, kind_of, make_node
from qualifica.sparql.registry import Registry
from qualifica.sparql.terms import int_of, text_of
from qualifica.store.base import SelectResult, Store

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


MAX_LIMIT = 500
#: Detail answers kept per catalogue (one store generation).
MAX_ANSWERS = 4096


def select(store: Store, registry: Registry, name: str, raw: Mapping[str, object] | None = None,
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

    def top_concepts(self, framework: str) -> list[str]:
        """Competencies of a framework with no broader competency in it (or marked top)."""
        members = [c for c in self.sources(framework, SKOS_IN_SCHEME) if self.kinds.get(c) ==
                   "competency"]
        member_set = set(members)
        top = {c for c in members
               if not any(b in member_set for b in self.targets(c, SKOS_BROADER))}
        top.update(c for c in self.sources(framework, SKOS_TOP_CONCEPT_OF))
        return list(top)


def build(store: Store, registry: Registry, generation: int) -> Catalogue:
    """Read a catalogue snapshot from the store."""
    cat = Catalogue(generation=generation)
    for row in select(store, registry, "rest-types").rows:
        iri, cls = text_of(row["resource"]), text_of(row["class"])
        kind = _CLASS_KIND.get(cls)
        if kind is None or iri in cat.kinds:
            continue
        # an instance IRI's own kind wins over a second class
        own = kind_of(iri)
        cat.kinds[iri] = own if own is not None and KINDS.get(own) else kind
    for iri, kind in cat.kinds.items():
        cat.by_kind[kind].append(iri)
    for row in select(store, registry, "rest-labels").rows:
        iri, prop, lit = text_of(row["resource"]), text_of(row["property"]), row["label"]
        if not isinstance(lit, Literal):
            continue
        if prop == SKOS_PREF_LABEL:
            add_label(cat.labels.setdefault(iri, {}), lit.language, lit.value)
        else:
            alt = cat.alt.setdefault(iri, {}).setdefault(lang_key(lit.language), [])
            alt.append(lit.value)
    for row in select(store, registry, "rest-links").rows:
        s, p, o = row["resource"], row["property"], row["target"]
        if (isinstance(s, NamedNode) and isinstance(o, NamedNode) and isinstance(p, NamedNode)
                and o.value not in cat.out[(s.value, p.value)]):
            cat.out[(s.value, p.value)].append(o.value)
            cat.inv[(o.value, p.value)].append(s.value)
    for row in select(store, registry, "rest-ranks").rows:
        rank = int_of(row["rank"])
        if rank is not None:
            cat.ranks.setdefault(text_of(row["level"]), rank)
    for row in select(store, registry, "rest-deprecated").rows:
        iri = text_of(row["resource"])
        cat.deprecated.add(iri)
        successor = row.get("successor")
        successors = cat.replaced_by.setdefault(iri, [])
        if isinstance(successor, NamedNode) and successor.value not in successors:
            successors.append(successor.value)
    for row in select(store, registry, "rest-modified").rows:
        stamp = row.get("modified")
        if isinstance(stamp, Literal):
            cat.modified[text_of(row["resource"])] = stamp.value
    log.info("catalogue of generation %d: %d resources", generation, len(cat.kinds))
    return cat


class CatalogueCache:
    """The catalogue of the newest store generation read so far; one build at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Catalogue | None = None

    def peek(self, store: Store) -> Catalogue | None:
        """The catalogue of the store's current generation if it is built (never builds)."""
        cached = self._current
        return cached if cached is not None and cached.generation == store.generation else None

    def get(self, store: Store, registry: Registry) -> Catalogue:
        """The catalogue of the store's current generation (rebuilt after writes).

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
            self._current = cat
            return cat
        finally:
            self._lock.release()


#: The catalogue cache of a context.
CATALOGUE: Part[CatalogueCache] = Part("catalogue", lambda ctx: CatalogueCache())


def catalogue_for(ctx: Context) -> Catalogue:
    """The catalogue of the store's current generation (built on first use, rebuilt after
    writes)."""
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
