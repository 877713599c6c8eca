"""Shared reads of the pages: resources as :class:`Ref` values, their labels in batches, and
the library queries ``queries/lib/page-*.rq`` run with values bound by ``sparql.binding``."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, Part
from qualifica.errors import NotFound
from qualifica.labels import labels_of, local_name, pick_label
from qualifica.linkeddata.catalogue import Catalogue, catalogue_for, select
from qualifica.linkeddata.provenance import EDITORIAL_SOURCE, editorial_graphs, editorial_nodes
from qualifica.linkeddata.rdfs_labels import rdfs_labels
from qualifica.namespaces import KINDS, RDF_TYPE
from qualifica.sparql import binding
from qualifica.sparql.nodes import kind_of, slug_of
from qualifica.sparql.terms import iri_of
from qualifica.store.base import Term
from qualifica.web.i18n import term_label

log = logging.getLogger(__name__)

EDITORIAL = NamedNode(EDITORIAL_SOURCE)
_TRUE = Literal(True)


@dataclass(frozen=True)
class Ref:
    """A resource as a page shows it: label, kind and the page it links to."""

    iri: str
    id: str
    kind: str
    label: str
    href: str


def href_for(iri: str) -> str:
    """The page of a resource: role, competency and training-format pages, else
    ``/id/{kind}/{slug}``."""
    return _href(iri, kind_of(iri), slug_of(iri))


def _href(iri: str, kind: str | None, slug: str) -> str:
    if kind is None:
        return iri
    if kind == "role":
        return f"/roles/{slug}"
    if kind == "competency":
        return f"/competencies/{slug}"
    if kind == "training-format":
        return f"/training-formats/{slug}"
    return f"/id/{kind}/{slug}"


def select_rows(ctx: Context, name: str, raw: Mapping[str, object]) -> list[dict[str, Term]]:
    """The rows of the library SELECT query ``name`` with ``raw`` values bound (read from the
    in-memory copy of the store when it is current: ``store.mirror``)."""
    return select(ctx.reads, ctx.registry, name, raw, ctx.settings.query_timeout_s).rows


@dataclass
class Names:
    """The labels and references of one page language at one catalogue (store generation),
    shared by the pages made from it: a role or task is named on many pages, and picking its
    label and making its reference once per page cost more than the rest of its row."""

    catalogue: Catalogue
    rdfs: Mapping[str, Sequence[Literal]]
    picked: dict[str, str] = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)


class PageNames:
    """The :class:`Names` of each page language at the newest catalogue read."""

    def __init__(self) -> None:
        self._by_lang: dict[str, Names] = {}

    def of(self, ctx: Context, lang: str) -> Names:
        """The names of ``lang`` at the catalogue of the store's generation (made anew when
        the catalogue is a new one)."""
        cat = catalogue_for(ctx)
        names = self._by_lang.get(lang)
        if names is None or names.catalogue is not cat:
            names = self._by_lang[lang] = Names(cat, rdfs_labels(ctx))
        return names


PAGE_NAMES: Part[PageNames] = Part("page names", lambda ctx: PageNames())


class Labeller:
    """Labels of many resources, picked in one language, from memory: the ``skos:prefLabel``
    from the catalogue of the store's generation, the ``rdfs:label`` from its table
    (``linkeddata.rdfs_labels``); reading them from the store cost a query per page and
    10-15 µs a label. The labels picked and references made are shared with the other pages of
    the same catalogue (:class:`Names`)."""

    def __init__(self, ctx: Context, lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self._names: Names | None = None

    @property
    def names(self) -> Names:
        """The shared names of the labeller's language, taken at its first use."""
        if self._names is None:
            self._names = self.ctx.part(PAGE_NAMES).of(self.ctx, self.lang)
        return self._names

    def label(self, iri: str) -> str:
        """The label in the page language, with fallback; the local name when there is none."""
        names = self.names
        known = names.picked.get(iri)
        if known is None:
            known = names.picked[iri] = self._pick(names, iri)
        return known

    def _labels(self, names: Names, iri: str) -> Mapping[str, str]:
        found = names.catalogue.labels.get(iri)  # read only: the catalogue's own dict
        if found:
            return found
        extra = names.rdfs.get(iri)
        return labels_of(extra) if extra else {}

    def _pick(self, names: Names, iri: str) -> str:
        labels = self._labels(names, iri)
        exact = labels.get(self.lang)
        if exact is not None:  # the common case (what pick_label would find first)
            return exact
        if not any(k == self.lang or k.startswith(self.lang + "-") for k in labels):
            # No label in the page's language: a reused vocabulary term has its name here.
            named = term_label(iri, self.lang)
            if named is not None:
                return named
        return pick_label(labels, self.lang, local_name(slug_of(iri)))

    def has_label(self, iri: str) -> bool:
        """Whether the store names ``iri`` (in any language)."""
        return bool(self._labels(self.names, iri))

    def ref(self, iri: str) -> Ref:
        """A :class:`Ref` for ``iri`` (made once per catalogue and language: pages name one
        resource in many rows)."""
        names = self.names
        ref = names.refs.get(iri)
        if ref is None:
            kind, slug = kind_of(iri), slug_of(iri)
            ref = names.refs[iri] = Ref(iri=iri, id=slug, kind=kind or "resource",
                                        label=self.label(iri), href=_href(iri, kind, slug))
        return ref


def pick_text(lang: str, values: Sequence[Term]) -> str:
    """The literal among ``values`` in ``lang`` (with fallback); ``""`` when there is none."""
    return pick_label(labels_of(values), lang, "")


def resolve(value: str, kind: str, *, param: str = "id") -> str:
    """The IRI for a slug of ``kind`` or a full IRI (``BadParameter`` 422 otherwise)."""
    return binding.iri(value, param=param, kind=kind).value


def statements_about(ctx: Context, iri: str, predicates: Collection[str] | None = None
                     ) -> list[dict[str, Term]]:
    """Every statement about ``iri`` (``page-resource``), or those with one of
    ``predicates`` (``page-statements``: what a role or competency page shows of the resource
    itself, without reading its qualified links and labels), ordered by predicate and object;
    ``NotFound`` when there is none at all."""
    if predicates:
        rows = select_rows(ctx, "page-statements", {"iri": iri, "predicate": sorted(predicates)})
        if rows:
            graphs = editorial_graphs(ctx)
            for row in rows:  # the mark page-resource gives a statement in an editorial graph
                if iri_of(row.get("g")) in graphs:
                    row["editorialGraph"] = EDITORIAL
            return sorted(rows, key=statement_order)
    rows = select_rows(ctx, "page-resource", {"iri": iri})
    if not rows:
        raise NotFound(f"there is no resource {iri}", id=slug_of(iri))
    graphs, nodes = editorial_graphs(ctx), editorial_nodes(ctx)
    for row in rows:  # the marks of a statement in an editorial graph, of an editorial link
        if iri_of(row.get("g")) in graphs:
            row["editorialGraph"] = EDITORIAL
        if iri_of(row.get("o")) in nodes:
            row["editorialLink"] = _TRUE
    return rows if not predicates else [r for r in rows if iri_of(r.get("p")) in predicates]


#: Datatypes whose literals SPARQL's ORDER BY puts before the texts (numbers, times).
_BEFORE_TEXT = ("integer", "decimal", "double", "float", "date", "dateTime", "time", "long",
                "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
                "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
                "unsignedShort", "unsignedByte", "gYear", "gYearMonth", "duration")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_TEXT_TYPES = (_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def term_order(term: Term | None) -> tuple[int, int, str, int, str]:
    """A sort key of terms as the store's ``ORDER BY`` sorts IRIs and texts: blank nodes,
    IRIs, then literals (texts by their value, a tagged one before an untagged one of the same
    value); other literals by datatype and lexical form."""
    if isinstance(term, NamedNode):
        return (1, 0, term.value, 0, "")
    if isinstance(term, Literal):
        datatype = term.datatype.value
        if datatype in _TEXT_TYPES:
            return (2, 1, term.value, 0 if term.language else 1, term.language or "")
        before = datatype.startswith(_XSD) and datatype[len(_XSD):] in _BEFORE_TEXT
        return (2, 0 if before else 2, datatype, 0, term.value)
    return (0, 0, str(term), 0, "")


def statement_order(row: Mapping[str, Term]) -> tuple[str, tuple[int, int, str, int, str]]:
    """The order of ``ORDER BY ?p ?o`` of statement rows."""
    return (iri_of(row.get("p")) or "", term_order(row.get("o")))


def check_kind(rows: Sequence[Mapping[str, Term]], iri: str, kind: str) -> None:
    """``NotFound`` unless the statements ``rows`` type ``iri`` as an instance of ``kind``."""
    types = {iri_of(r.get("o")) for r in rows if iri_of(r.get("p")) == RDF_TYPE}
    if KINDS[kind] not in types:
        raise NotFound(f"there is no {kind} {slug_of(iri)!r}", id=slug_of(iri))
