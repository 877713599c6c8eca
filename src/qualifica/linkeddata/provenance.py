"""Provenance of single statements, as the pages and the REST details show it per link.

The rule is the one of docs/data.md ("Provenance of every statement") and of the stored query
``statement-provenance``: a statement ``s p o`` is *editorial* when it lies in an editorial
graph (a named graph whose description cites the editorial assignment), when ``s`` cites the
editorial assignment, or when it is a ``qd:requires``/``qd:develops`` of a qualified link
marked ``qd:editorial true``; its sources are then the ones the assignment is based on.
Otherwise it is *stated by* the published sources ``s`` cites. A statement whose subject cites
no source at all (a graph loaded without sources) is neither: it has no sources and is not
editorial, and the pages say "not stated".

One query (``queries/lib/link-provenance.rq``) answers for every subject of a page or detail,
and one more the statements about them in the editorial graphs, when there are any.
A ``qd:develops`` or ``qd:requires`` statement is also asked about by its competency (the
catalogue links a training format to the competencies it develops): it is editorial when a
qualified link of the subject for that competency is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, Part, per_generation
from qualifica.labels import add_label, pick_label
from qualifica.linkeddata.catalogue import select
from qualifica.namespaces import DCTERMS_SOURCE
from qualifica.sparql import binding
from qualifica.sparql.library import select_rows, select_rows_for
from qualifica.sparql.registry import Registry
from qualifica.sparql.terms import iri_of
from qualifica.store.base import ChangeSet, Readable, Store, Term

log = logging.getLogger(__name__)

#: The source an editorial assignment cites.
EDITORIAL_SOURCE = "https://w3id.org/qualifica/id/source/editorial"


@dataclass(frozen=True)
class SourceRef:
    """A published source: its IRI (``None`` for a source cited as text only) and title."""

    iri: str | None
    title: str

    @property
    def href(self) -> str | None:
        """Where a page links to it: its address, when it is a web address."""
        return self.iri if self.iri and self.iri.startswith(("http://", "https://")) else None

    def as_json(self) -> dict[str, Any]:
        """``{"iri": …, "title": …}`` (no ``iri`` for a source cited as text only)."""
        return {"iri": self.iri, "title": self.title} if self.iri else {"title": self.title}


@dataclass(frozen=True)
class Mark:
    """The provenance of one statement: editorial or not, and its published sources (for an
    editorial statement the ones it is based on)."""

    editorial: bool
    sources: tuple[SourceRef, ...] = ()

    @property
    def stated(self) -> bool:
        """Whether a published source states it."""
        return not self.editorial and bool(self.sources)

    def key(self) -> tuple[bool, tuple[str, ...]]:
        """What two statements with the same provenance as a page shows it share (an editorial
        statement's sources are what it is based on, which the mark does not show)."""
        if self.editorial:
            return True, ()
        return False, tuple(s.iri or s.title for s in self.sources)


@dataclass
class _Subject:
    editorial: bool = False
    sources: dict[str, SourceRef] = field(default_factory=dict)
    editorial_statements: set[tuple[str, str]] = field(default_factory=set)
    #: The mark of its statements that are not editorial, made at the first one asked for
    #: (a page asks for the same subject's in many rows; the facts are complete by then).
    plain: Mark | None = None


@dataclass
class Provenance:
    """The provenance facts of some subjects; :meth:`mark` of any statement about them."""

    subjects: dict[str, _Subject] = field(default_factory=dict)

    def mark(self, subject: str, predicate: str, obj: str, *,
             editorial_link: bool = False) -> Mark:
        """The provenance of ``subject predicate obj`` (``editorial_link``: the object is a
        qualified link marked ``qd:editorial true``)."""
        facts = self.subjects.get(subject)
        if facts is None:
            return Mark(editorial=editorial_link)
        if (facts.editorial or editorial_link
                or (predicate, obj) in facts.editorial_statements):
            return Mark(editorial=True, sources=tuple(facts.sources.values()))
        plain = facts.plain
        if plain is None:
            plain = facts.plain = Mark(editorial=False, sources=tuple(facts.sources.values()))
        return plain

    def node(self, node: Mapping[str, Any], subject: str, predicate: str, obj: str
             ) -> dict[str, Any]:
        """A JSON link node with its provenance added: ``editorial`` and ``sources``."""
        return with_mark(node, self.mark(subject, predicate, obj))


def with_mark(node: Mapping[str, Any], mark: Mark) -> dict[str, Any]:
    """``node`` with ``editorial`` and ``sources`` (``[{"iri", "title"}]``) added."""
    out = dict(node)
    out["editorial"] = mark.editorial
    out["sources"] = [s.as_json() for s in mark.sources]
    return out


def read_editorial_graphs(store: Readable, registry: Registry, timeout_s: float | None
                          ) -> tuple[str, ...]:
    """The named graphs whose description cites the editorial assignment
    (``link-editorial-graphs``), read from the store."""
    rows = select(store, registry, "link-editorial-graphs", {}, timeout_s=timeout_s).rows
    return tuple(g for row in rows if (g := iri_of(row.get("g"))))


EDITORIAL_GRAPHS = per_generation(
    "editorial graphs",
    lambda ctx: read_editorial_graphs(ctx.store, ctx.registry, ctx.settings.query_timeout_s))


def editorial_graphs(ctx: Context) -> tuple[str, ...]:
    """The named graphs whose description cites the editorial assignment, at the store's
    current generation: read once per generation, not per page."""
    return ctx.part(EDITORIAL_GRAPHS).of(ctx)


def _read_editorial_nodes(ctx: Context) -> frozenset[str]:
    rows = select(ctx.store, ctx.registry, "link-editorial-nodes", {},
                  timeout_s=ctx.settings.query_timeout_s).rows
    return frozenset(n for row in rows if (n := iri_of(row.get("link"))))


EDITORIAL_NODES = per_generation("editorial nodes", _read_editorial_nodes)


def editorial_nodes(ctx: Context) -> frozenset[str]:
    """The qualified links marked ``qd:editorial true`` at the store's current generation
    (``link-editorial-nodes``): read once per generation, not per page."""
    return ctx.part(EDITORIAL_NODES).of(ctx)


#: What a subject cites: the objects of its ``dcterms:source`` statements.
Cited = Mapping[str, Sequence[Term]]


@dataclass(frozen=True)
class CitedSources:
    """The ``dcterms:source`` objects of every subject at one store generation (the rows of
    ``link-sources`` for every resource), so that a page reads the sources of the roles, tasks
    and competencies it shows from memory: a query per page cost 10-15 µs per subject."""

    generation: int
    table: dict[str, tuple[Term, ...]]


def _cited_table(rows: Iterable[Mapping[str, Term]], table: dict[str, tuple[Term, ...]]
                 ) -> dict[str, tuple[Term, ...]]:
    """``table`` with the ``(subject, source)`` rows filed (equal sources shared)."""
    found: dict[str, list[Term]] = {}
    shared: dict[Term, Term] = {}
    for row in rows:
        subject, source = row.get("subject"), row.get("source")
        if isinstance(subject, NamedNode) and source is not None:
            found.setdefault(subject.value, []).append(shared.setdefault(source, source))
    table.update((s, tuple(found_)) for s, found_ in found.items())
    return table


class CitedSourcesCache:
    """The :class:`CitedSources` of the store's current generation: read once (one query over
    the store), then patched on every committed write whose quads are known (the sources of the
    subjects of its ``dcterms:source`` quads read again); after an unknown change (a SPARQL
    Update, a bulk load, another process's write not published) read again on next use.

    A write never waits for a read of the whole table: while one runs, the subjects its
    changes touch are noted, and read again once the table is complete."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self._store = store
        self._registry = registry
        self._lock = threading.Lock()  # held briefly: patches and swaps
        self._build_lock = threading.Lock()  # one read of the whole table at a time
        self._current: CitedSources | None = None
        self._seen = store.generation
        self._pending: set[str] | None = None  # while a build runs: subjects touched since
        self._pending_unknown = False
        self._closed = False
        self.builds = 0

    def subscribe(self) -> None:
        """Listen to the store's committed writes."""
        self._store.subscribe(self._on_change)

    def close(self) -> None:
        """Stop patching and forget the table."""
        self._closed = True
        self._current = None

    def _on_change(self, change: ChangeSet) -> None:
        with self._lock:
            before, self._seen = self._seen, self._store.generation
            known = change.added is not None and change.removed is not None
            if self._pending is not None:  # a build runs: it patches these in when done
                if known:
                    self._pending |= _touched(change)
                else:
                    self._pending_unknown = True
                return
            cached = self._current
            if self._closed or cached is None or cached.generation != before:
                return
            if not known:
                self._current = None  # unknown: read again on next use
                return
            table = self._patched(cached.table, _touched(change))
            self._current = None if table is None else CitedSources(self._seen, table)

    def _patched(self, table: dict[str, tuple[Term, ...]], touched: set[str]
                 ) -> dict[str, tuple[Term, ...]] | None:
        """``table`` with the sources of ``touched`` read again (a copy: the table of the older
        generation stays as it was); ``None`` if reading them failed."""
        if not touched:
            return table
        table = dict(table)
        for subject in touched:
            table.pop(subject, None)
        try:
            rows = select_rows_for(self._store, self._registry, "link-sources", "subject",
                                   touched)
        except Exception:
            log.exception("reading the sources of a write failed; read again on use")
            return None
        return _cited_table(rows, table)

    def get(self) -> CitedSources:
        """The table of the store's current generation (read when there is none)."""
        cached = self._current
        if cached is not None and cached.generation == self._store.generation:
            return cached
        with self._build_lock:
            with self._lock:
                cached = self._current
                if cached is not None and cached.generation == self._store.generation:
                    return cached
                self._seen = max(self._seen, self._store.generation)
                self._pending, self._pending_unknown = set(), False
            try:
                # Every write committed from here on is noted in ``_pending``; one committed
                # before is in what the query reads.
                table = _cited_table(select_rows(self._store, self._registry, "link-sources"),
                                     {})
            except BaseException:
                with self._lock:
                    self._pending = None
                raise
            with self._lock:
                touched, unknown = self._pending, self._pending_unknown
                self._pending = None
                patched = None if unknown else self._patched(table, touched)
                self.builds += 1
                if patched is None:
                    # Changed in a way not known while reading: this table answers the
                    # request that asked for it; the next one reads again.
                    return CitedSources(-1, table)
                cached = self._current = CitedSources(self._seen, patched)
            return cached


def _touched(change: ChangeSet) -> set[str]:
    """The subjects whose ``dcterms:source`` statements a (known) change adds or removes."""
    return {q.subject.value for q in (*(change.added or ()), *(change.removed or ()))
            if q.predicate.value == DCTERMS_SOURCE and isinstance(q.subject, NamedNode)}


def _new_cited(ctx: Context) -> CitedSourcesCache:
    cache = CitedSourcesCache(ctx.store, ctx.registry)
    cache.subscribe()
    return cache


CITED_SOURCES: Part[CitedSourcesCache] = Part("cited sources", _new_cited,
                                              close=CitedSourcesCache.close)


def cited_sources(ctx: Context) -> Cited:
    """``{subject: its dcterms:source objects}`` at the store's current generation (never
    mutate it): what ``link-sources`` answers for every subject, from memory."""
    return ctx.part(CITED_SOURCES).get().table


def provenance_of(store: Readable, registry: Registry, subjects: Iterable[str], lang: str,
                  timeout_s: float | None = None, *, links: bool = True,
                  graphs: Sequence[str] | None = None, cited: Cited | None = None
                  ) -> Provenance:
    """The provenance facts of ``subjects`` (one query per :data:`binding.MAX_LIST` of them);
    source titles in ``lang``. ``links=False``: without the qualified links marked editorial
    (``link-sources`` and ``link-source-titles`` instead of ``link-provenance``), for a caller
    that knows them already (the pages take them from the planning index) and passes them as
    ``editorial_link``; the titles are then read once per source cited (an IRI). ``graphs``:
    the editorial graphs when the caller knows them (:func:`editorial_graphs`); ``cited``: with
    ``links=False``, the sources of every subject when the caller has them
    (:func:`cited_sources`), read from it instead of ``link-sources``."""
    todo = sorted({s for s in subjects if s})
    prov = Provenance({s: _Subject() for s in todo})
    titles: dict[tuple[str, str], dict[str, str]] = {}
    if graphs is None:
        graphs = read_editorial_graphs(store, registry, timeout_s)
    query = "link-provenance" if links else "link-sources"
    for start in range(0, len(todo), binding.MAX_LIST):
        chunk = todo[start:start + binding.MAX_LIST]
        rows: list[dict[str, Term]]
        if not links and cited is not None:
            rows = []
            for cited_subject in chunk:
                for source in cited.get(cited_subject, ()):
                    if isinstance(source, Literal):  # a source cited as text: no title to read
                        prov.subjects[cited_subject].sources.setdefault(
                            source.value, SourceRef(None, source.value))
                    else:  # filed below, with its titles
                        rows.append({"subject": NamedNode(cited_subject), "source": source})
        else:
            rows = select(store, registry, query, {"subject": chunk}, timeout_s=timeout_s).rows
        if not links:
            rows = _with_titles(store, registry, rows, timeout_s)
        if graphs:
            rows = [*rows, *select(store, registry, "link-editorial-statements",
                                   {"subject": chunk, "g": graphs}, timeout_s=timeout_s).rows]
        for row in rows:
            subject = iri_of(row.get("subject"))
            if subject is None or subject not in prov.subjects:
                continue
            facts = prov.subjects[subject]
            src = row.get("source")
            if src is None:
                p, o = iri_of(row.get("p")), row.get("o")
                if p is not None and o is not None:
                    facts.editorial_statements.add((p, o.value if isinstance(
                        o, NamedNode | Literal) else str(o)))
                    link = iri_of(row.get("link"))
                    if link is not None:
                        facts.editorial_statements.add((p, link))
                continue
            if isinstance(src, NamedNode) and src.value == EDITORIAL_SOURCE:
                facts.editorial = True
                continue
            key = src.value if isinstance(src, NamedNode | Literal) else str(src)
            iri = src.value if isinstance(src, NamedNode) else None
            facts.sources.setdefault(key, SourceRef(iri, key))
            title = row.get("title")
            if isinstance(title, Literal):
                add_label(titles.setdefault((subject, key), {}), title.language, title.value)
    for (subject, key), labels in titles.items():
        facts = prov.subjects[subject]
        ref = facts.sources[key]
        facts.sources[key] = SourceRef(ref.iri, pick_label(labels, lang, ref.title))
    for facts in prov.subjects.values():
        if len(facts.sources) > 1:
            facts.sources = dict(sorted(facts.sources.items(),
                                        key=lambda kv: (kv[1].title.casefold(), kv[0])))
    return prov


def _with_titles(store: Readable, registry: Registry, rows: list[dict[str, Term]],
                 timeout_s: float | None) -> list[dict[str, Term]]:
    """The ``(subject, source)`` rows of ``link-sources`` with the titles of their sources, as
    ``link-provenance`` gives them (one row per title; a source without one keeps its row)."""
    cited = sorted({src.value for row in rows if isinstance(src := row.get("source"), NamedNode)})
    titles: dict[str, list[Term]] = {}
    for start in range(0, len(cited), binding.MAX_LIST):
        for row in select(store, registry, "link-source-titles",
                          {"source": cited[start:start + binding.MAX_LIST]},
                          timeout_s=timeout_s).rows:
            source, title = iri_of(row.get("source")), row.get("title")
            if source is not None and title is not None:
                titles.setdefault(source, []).append(title)
    out: list[dict[str, Term]] = []
    for row in rows:
        src = row.get("source")
        found = titles.get(src.value) if isinstance(src, NamedNode) else None
        out.extend([{**row, "title": t} for t in found] if found else [row])
    return out
