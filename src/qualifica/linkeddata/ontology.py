"""The ontology as served at ``/ontology``: its triples (the graphs loaded from
``ontology/*.ttl``) and a documentation model of every class, property and individual."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, NamedNode, Triple

from qualifica.context import Context
from qualifica.linkeddata.describe import run_internal
from qualifica.linkeddata.serialize import curie
from qualifica.namespaces import (
    GRAPH,
    OWL,
    QD,
    RDF,
    RDF_TYPE,
    RDFS,
    RDFS_LABEL,
    SKOS,
    SKOS_DEFINITION,
    SKOS_PREF_LABEL,
)
from qualifica.sparql.terms import lang_of, text_of
from qualifica.store.base import SelectResult, Term

log = logging.getLogger(__name__)

_ALIGN = {
    OWL + "equivalentClass": "owl:equivalentClass",
    OWL + "equivalentProperty": "owl:equivalentProperty",
    SKOS + "exactMatch": "skos:exactMatch",
    SKOS + "closeMatch": "skos:closeMatch",
    SKOS + "broadMatch": "skos:broadMatch",
    SKOS + "narrowMatch": "skos:narrowMatch",
    SKOS + "relatedMatch": "skos:relatedMatch",
}
_KIND_ORDER = ("class", "object-property", "datatype-property", "annotation-property",
               "property", "individual")
_KIND_OF_TYPE = {
    OWL + "Class": "class",
    RDFS + "Class": "class",
    OWL + "ObjectProperty": "object-property",
    OWL + "DatatypeProperty": "datatype-property",
    OWL + "AnnotationProperty": "annotation-property",
    RDF + "Property": "property",
    OWL + "NamedIndividual": "individual",
}


def anchor_of(iri: str) -> str:
    """The HTML anchor of a term on the ontology page: the local name of a ``qd:`` term (so that
    ``…/ontology#Role`` lands on it), else its compact IRI with ``-`` for ``:``."""
    if iri.startswith(QD):
        return iri[len(QD):]
    return curie(iri).replace(":", "-").replace("/", "-").replace("#", "-")


@dataclass
class TermRef:
    """A reference to another term: its IRI, a short name, and a link target."""

    iri: str
    name: str
    anchor: str | None = None  # a local anchor when the term is documented on the page


@dataclass
class TermDoc:
    """The documentation of one class, property or individual."""

    iri: str
    name: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    domain: list[TermRef] = field(default_factory=list)
    range: list[TermRef] = field(default_factory=list)
    superclasses: list[TermRef] = field(default_factory=list)
    superproperties: list[TermRef] = field(default_factory=list)
    types: list[TermRef] = field(default_factory=list)
    alignments: list[tuple[str, TermRef]] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: list[TermRef] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The HTML anchor of the term (``Role`` for ``qd:Role``, ``skos-broader`` …)."""
        return anchor_of(self.iri)


@dataclass
class OntologyDoc:
    """The ontology header and its terms, grouped by kind."""

    iri: str
    header: dict[str, list[str]]
    terms: list[TermDoc]

    def of_kind(self, kind: str) -> list[TermDoc]:
        """The terms of one kind, by name."""
        return [t for t in self.terms if t.kind == kind]

    @property
    def kinds(self) -> list[str]:
        """The kinds present, in the documentation's order."""
        present = {t.kind for t in self.terms}
        return [k for k in _KIND_ORDER if k in present]


def ontology_graphs(ctx: Context) -> list[str]:
    """The named graphs that hold the ontology: one per file of ``ontology/*.ttl``."""
    stems = sorted(p.stem for p in ctx.settings.ontology_dir.glob("*.ttl"))
    present = set(ctx.store.named_graphs())
    return [GRAPH + s for s in stems if GRAPH + s in present]


def ontology_triples(ctx: Context) -> list[Triple]:
    """Every triple of the ontology graphs."""
    triples: list[Triple] = []
    for graph in ontology_graphs(ctx):
        triples.extend(q.triple for q in ctx.store.quads(graph=graph))
    return triples


def ontology_doc(ctx: Context) -> OntologyDoc:
    """The documentation model of the ontology, from the store."""
    header_rows = run_internal(ctx, "ontology-header")
    header: dict[str, list[str]] = defaultdict(list)
    ontology_iri = ""
    if isinstance(header_rows, SelectResult):
        for row in header_rows.rows:
            ont = row["ontology"]
            if isinstance(ont, NamedNode) and (not ontology_iri or ont.value.startswith(QD[:-1])):
                ontology_iri = ontology_iri or ont.value
            if isinstance(ont, NamedNode) and ont.value == ontology_iri:
                obj = row["o"]
                value = text_of(obj)
                if lang_of(obj):
                    value = f"{value} ({lang_of(obj)})"
                header[curie(text_of(row["p"]))].append(value)

    unions: dict[str, list[str]] = defaultdict(list)
    union_rows = run_internal(ctx, "ontology-unions")
    if isinstance(union_rows, SelectResult):
        for row in union_rows.rows:
            unions[text_of(row["node"])].append(text_of(row["member"]))

    rows = run_internal(ctx, "ontology-terms")
    by_term: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    if isinstance(rows, SelectResult):
        for row in rows.rows:
            by_term[text_of(row["term"])].append((text_of(row["p"]), row["o"]))
    documented = set(by_term)

    def refs(obj: Term) -> list[TermRef]:
        iris = unions.get(text_of(obj), []) if isinstance(obj, BlankNode) else [text_of(obj)]
        return [TermRef(i, curie(i), anchor_of(i) if i in documented else None)
                for i in sorted(iris)]

    terms: list[TermDoc] = []
    for iri, statements in by_term.items():
        kinds = [_KIND_OF_TYPE[text_of(o)] for p, o in statements
                 if p == RDF_TYPE and text_of(o) in _KIND_OF_TYPE]
        kind = min(kinds, key=_KIND_ORDER.index) if kinds else "property"
        doc = TermDoc(iri=iri, name=curie(iri), kind=kind)
        for p, o in statements:
            lang = lang_of(o) or "und"
            if p in (SKOS_PREF_LABEL, RDFS_LABEL):
                doc.labels.setdefault(lang, text_of(o))
            elif p == SKOS_DEFINITION:
                doc.definitions.setdefault(lang, text_of(o))
            elif p == RDFS + "comment":
                doc.comments.setdefault(lang, text_of(o))
            elif p == RDFS + "domain":
                doc.domain.extend(refs(o))
            elif p == RDFS + "range":
                doc.range.extend(refs(o))
            elif p == RDFS + "subClassOf":
                doc.superclasses.extend(refs(o))
            elif p == RDFS + "subPropertyOf":
                doc.superproperties.extend(refs(o))
            elif p in _ALIGN:
                doc.alignments.extend((_ALIGN[p], r) for r in refs(o))
            elif p == OWL + "deprecated":
                doc.deprecated = text_of(o) in ("true", "1")
            elif p == "http://purl.org/dc/terms/isReplacedBy":
                doc.replaced_by.extend(refs(o))
            elif p == RDF_TYPE and text_of(o) not in _KIND_OF_TYPE:
                doc.types.extend(refs(o))
        terms.append(doc)
    # the ontology's own terms first, then the external terms it declares
    terms.sort(key=lambda t: (_KIND_ORDER.index(t.kind), not t.iri.startswith(QD),
                              t.name.lower()))
    return OntologyDoc(iri=ontology_iri, header=dict(header), terms=terms)
