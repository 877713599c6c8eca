"""Shared reads of the pages: resources as :class:`Ref` values, their labels in batches, and
the library queries ``queries/lib/page-*.rq`` run with values bound by ``sparql.binding``."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context
from qualifica.errors import NotFound
from qualifica.labels import labels_of, local_name, pick_label
from qualifica.linkeddata.catalogue import catalogue_for, select
from qualifica.linkeddata.provenance import EDITORIAL_SOURCE, editorial_graphs
from qualifica.linkeddata.rdfs_labels import rdfs_labels
from qualifica.namespaces import KINDS, RDF_TYPE
from qualifica.sparql import binding
from qualifica.sparql.nodes import kind_of, slug_of
from qualifica.sparql.terms import iri_of
from qualifica.store.base import Term
from qualifica.web.i18n import term_label

log = logging.getLogger(__name__)

EDITORIAL = NamedNode(EDITORIAL_SOURCE)


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
    """The rows of the library SELECT query ``name`` with ``raw`` values bound."""
    return select(ctx.store, ctx.registry, name, raw, ctx.settings.query_timeout_s).rows


class Labeller:
    """Labels of many resources, fetched in batches, picked in one language."""

    def __init__(self, ctx: Context, lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self._labels: dict[str, dict[str, str]] = {}
        self._rdfs: dict[str, dict[str, str]] = {}
        self._refs: dict[str, Ref] = {}
        self._picked: dict[str, str] = {}

    def load(self, iris: Iterable[str]) -> None:
        """Take the labels of every IRI not seen yet from memory: the ``skos:prefLabel`` from
        the catalogue of the store's generation, the ``rdfs:label`` from its table
        (``linkeddata.rdfs_labels``); reading them from the store cost a query per page and
        10-15 µs a label."""
        todo = {i for i in iris if i and i not in self._labels}
        if not todo:
            return
        by_lang = catalogue_for(self.ctx).labels
        rdfs = rdfs_labels(self.ctx)
        for iri in todo:
            self._labels[iri] = by_lang.get(iri) or {}  # read only: the catalogue's own dict
            extra = rdfs.get(iri)
            if extra:
                self._rdfs[iri] = labels_of(extra)

    def label(self, iri: str) -> str:
        """The label in the page language, with fallback; the local name when there is none."""
        ref = self._refs.get(iri)
        if ref is not None:
            return ref.label
        known = self._picked.get(iri)
        if known is None:
            known = self._picked[iri] = self._pick(iri)
        return known

    def _pick(self, iri: str) -> str:
        self.load([iri])
        labels = self._labels.get(iri) or self._rdfs.get(iri) or {}
        if not any(k == self.lang or k.startswith(self.lang + "-") for k in labels):
            # No label in the page's language: a reused vocabulary term has its name here.
            named = term_label(iri, self.lang)
            if named is not None:
                return named
        return pick_label(labels, self.lang, local_name(slug_of(iri)))

    def has_label(self, iri: str) -> bool:
        """Whether the store names ``iri`` (in any language)."""
        self.load([iri])
        return bool(self._labels.get(iri) or self._rdfs.get(iri))

    def ref(self, iri: str) -> Ref:
        """A :class:`Ref` for ``iri`` (made once per labeller: a page names one resource in
        many rows)."""
        ref = self._refs.get(iri)
        if ref is None:
            kind, slug = kind_of(iri), slug_of(iri)
            ref = self._refs[iri] = Ref(iri=iri, id=slug, kind=kind or "resource",
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
