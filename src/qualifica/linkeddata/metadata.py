"""Dataset metadata: the VoID description (``/.well-known/void``) and the DCAT catalog
(``/catalog``) of the knowledge graph.

Abstract things keep canonical ``https://w3id.org/qualifica/…`` IRIs (catalog, dataset, its
version, distributions, the SPARQL service); what a client fetches (dumps, the SPARQL endpoint,
these documents) is named under the public base ``QUALIFICA_BASE_IRI``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from qualifica import __version__
from qualifica.context import Context
from qualifica.linkeddata import citation, releases
from qualifica.linkeddata.describe import run_internal
from qualifica.linkeddata.dumps import GZIP, Dump, current_dumps
from qualifica.namespaces import (
    BASE,
    DCAT,
    DCTERMS,
    FOAF,
    ID,
    ONTOLOGY_IRI,
    OWL,
    PREFIXES,
    RDF_TYPE,
    RDFS,
    XSD,
)
from qualifica.namespaces import VOID as VOID_NS
from qualifica.sparql.terms import int_of
from qualifica.store.base import SelectResult
from qualifica.store.stamps import MODIFIED_GRAPH

log = logging.getLogger(__name__)

SPDX = "http://spdx.org/rdf/terms#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
IANA = "https://www.iana.org/assignments/media-types/"

CATALOG_IRI = BASE + "catalog"
DATASET_IRI = citation.DATASET_IRI
SERVICE_IRI = BASE + "sparql-service"
LICENSE = citation.LICENSE
VCARD = "http://www.w3.org/2006/vcard/ns#"
PUBLIC_ACCESS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
EXAMPLE_RESOURCES = ("role/prozessmanager", "role/cio", "competency/digcomp-4-2")

_TITLE = citation.TITLE
_DESCRIPTION = {
    "de": "Kompetenzen, Rollen, Aufgaben, Aus-, Fort- und Weiterbildungsformate und "
          "Rechtsgrundlagen der digitalisierten öffentlichen Verwaltung in Deutschland, jede "
          "Aussage mit Quelle.",
    "en": "Competencies, roles, tasks, training formats and legal bases of the digitalised "
          "German public sector, every statement with its source.",
}
_FORMAT_FEATURE = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "nq": "N-Quads"}

#: Vocabularies a VoID ``void:vocabulary`` may name: namespace → vocabulary IRI.
_VOCABULARIES = {
    p: ns for p, ns in PREFIXES.items() if not ns.startswith(ID)
}


def _iri(value: str) -> NamedNode:
    return NamedNode(value)


def _int(value: int, datatype: str = XSD + "integer") -> Literal:
    return Literal(str(value), datatype=NamedNode(datatype))


def _str(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


class _Graph:
    """A small triple collector."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []

    def add(self, s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> None:
        self.triples.append(Triple(s, NamedNode(p), o))

    def labels(self, s: NamedNode, p: str, values: Mapping[str, str]) -> None:
        for lang, text in values.items():
            self.add(s, p, _str(text, lang))


@dataclass(frozen=True)
class Statistics:
    """Sizes of the dataset, for VoID."""

    triples: int
    entities: int
    subjects: int
    objects: int
    properties: int
    classes: dict[str, int]
    property_triples: dict[str, int]


def _number(row: Mapping[str, object], name: str) -> int:
    value = row.get(name)
    return (int_of(value) or 0) if isinstance(value, Literal) else 0


def _partitions(ctx: Context, query: str, key: str, count: str) -> dict[str, int]:
    """The ``count`` of every ``key`` IRI a ``void-*`` library query answers."""
    out: dict[str, int] = {}
    result = run_internal(ctx, query)
    if isinstance(result, SelectResult):
        for r in result.rows:
            iri = r.get(key)
            if isinstance(iri, NamedNode):
                out[iri.value] = _number(r, count)
    return out


def statistics(ctx: Context) -> Statistics:
    """Counts over the union of all graphs (library queries ``void-*``)."""
    totals = run_internal(ctx, "void-statistics")
    row = totals.rows[0] if isinstance(totals, SelectResult) and totals.rows else {}
    classes = _partitions(ctx, "void-classes", "class", "entities")
    props = _partitions(ctx, "void-properties", "property", "triples")
    return Statistics(
        triples=_number(row, "triples"), entities=_number(row, "entities"),
        subjects=_number(row, "subjects"), objects=_number(row, "objects"),
        properties=_number(row, "properties"), classes=classes, property_triples=props,
    )


def _vocabularies(terms: Iterable[str]) -> list[str]:
    used = set()
    for term in terms:
        for ns in _VOCABULARIES.values():
            if term.startswith(ns):
                used.add(ONTOLOGY_IRI if ns == PREFIXES["qd"] else ns)
    return sorted(used)


def _dataset(g: _Graph, node: NamedNode, cls: str) -> None:
    """What the VoID and the DCAT description both say of the dataset: class, title,
    description, licence and version."""
    g.add(node, RDF_TYPE, _iri(cls))
    g.labels(node, DCTERMS + "title", _TITLE)
    g.labels(node, DCTERMS + "description", _DESCRIPTION)
    g.add(node, DCTERMS + "license", _iri(LICENSE))
    g.add(node, OWL + "versionInfo", _str(__version__))


def void_triples(ctx: Context, public_base: str) -> list[Triple]:
    """The VoID description of the dataset: sizes, class and property partitions, the SPARQL
    endpoint, the dumps, the URI space and the vocabularies used."""
    stats = statistics(ctx)
    g = _Graph()
    ds = _iri(DATASET_IRI)
    doc = _iri(public_base + ".well-known/void")
    g.add(doc, RDF_TYPE, _iri(VOID_NS + "DatasetDescription"))
    g.add(doc, FOAF + "primaryTopic", ds)
    g.labels(doc, DCTERMS + "title", {"en": "VoID description of the Qualifica dataset",
                                      "de": "VoID-Beschreibung des Qualifica-Datensatzes"})
    _dataset(g, ds, VOID_NS + "Dataset")
    g.add(ds, FOAF + "homepage", _iri(public_base))
    g.add(ds, VOID_NS + "sparqlEndpoint", _iri(public_base + "sparql"))
    g.add(ds, VOID_NS + "uriSpace", _str(ID))
    g.add(ds, VOID_NS + "uriLookupEndpoint", _str(public_base + "id/"))
    for suffix in ("ttl", "nt", "jsonld", "nq"):
        g.add(ds, VOID_NS + "dataDump", _iri(f"{public_base}downloads/qualifica.{suffix}"))
        g.add(ds, VOID_NS + "feature", _iri(FORMATS_NS + _FORMAT_FEATURE[suffix]))
    for example in EXAMPLE_RESOURCES:
        g.add(ds, VOID_NS + "exampleResource", _iri(ID + example))
    stamps = _iri(MODIFIED_GRAPH)  # administrative statements, set by the server
    g.add(ds, VOID_NS + "subset", stamps)
    g.add(stamps, RDF_TYPE, _iri(VOID_NS + "Dataset"))
    g.labels(stamps, DCTERMS + "description", {
        "en": "When each resource last changed (dcterms:modified, xsd:dateTime in UTC), set "
              "by every write and import that adds or removes its statements",
        "de": "Wann sich jede Ressource zuletzt geändert hat (dcterms:modified, xsd:dateTime "
              "in UTC), gesetzt von jedem Schreiben und Import, das ihre Aussagen ändert"})
    g.add(ds, VOID_NS + "triples", _int(stats.triples))
    g.add(ds, VOID_NS + "entities", _int(stats.entities))
    g.add(ds, VOID_NS + "distinctSubjects", _int(stats.subjects))
    g.add(ds, VOID_NS + "distinctObjects", _int(stats.objects))
    g.add(ds, VOID_NS + "properties", _int(stats.properties))
    g.add(ds, VOID_NS + "classes", _int(len(stats.classes)))
    for vocabulary in _vocabularies([*stats.classes, *stats.property_triples]):
        g.add(ds, VOID_NS + "vocabulary", _iri(vocabulary))
    for cls, count in sorted(stats.classes.items()):
        part = BlankNode()
        g.add(ds, VOID_NS + "classPartition", part)
        g.add(part, VOID_NS + "class", _iri(cls))
        g.add(part, VOID_NS + "entities", _int(count))
    for prop, count in sorted(stats.property_triples.items()):
        part = BlankNode()
        g.add(ds, VOID_NS + "propertyPartition", part)
        g.add(part, VOID_NS + "property", _iri(prop))
        g.add(part, VOID_NS + "triples", _int(count))
    return g.triples


def _distribution_iri(suffix: str) -> str:
    return f"{DATASET_IRI}/{__version__}/distribution/{suffix}"


def catalog_triples(ctx: Context, public_base: str,
                    dumps: Mapping[str, Dump] | None = None) -> list[Triple]:
    """The DCAT catalog: the dataset with its version, one distribution per dump (media type,
    byte size, SHA-256 checksum, download URL), and the SPARQL endpoint as a data service."""
    dumps = current_dumps(ctx) if dumps is None else dumps
    g = _Graph()
    catalog, ds, service = _iri(CATALOG_IRI), _iri(DATASET_IRI), _iri(SERVICE_IRI)
    version = _iri(f"{DATASET_IRI}/{__version__}")

    g.add(catalog, RDF_TYPE, _iri(DCAT + "Catalog"))
    g.labels(catalog, DCTERMS + "title", {"de": "Qualifica-Datenkatalog",
                                          "en": "Qualifica data catalog"})
    g.add(catalog, DCTERMS + "license", _iri(LICENSE))
    g.add(catalog, FOAF + "homepage", _iri(public_base))
    g.add(catalog, DCAT + "dataset", ds)
    g.add(catalog, DCAT + "service", service)

    for node in (ds, version):
        _dataset(g, node, DCAT + "Dataset")
        g.add(node, DCAT + "version", _str(__version__))
        g.add(node, DCTERMS + "conformsTo", _iri(ONTOLOGY_IRI))
        g.add(node, DCAT + "landingPage", _iri(public_base))
        for lang in ("de", "en"):
            g.add(node, DCTERMS + "language",
                  _iri(f"http://publications.europa.eu/resource/authority/language/"
                       f"{'DEU' if lang == 'de' else 'ENG'}"))
        for keyword in ("Kompetenz", "competency", "DigComp", "öffentliche Verwaltung",
                        "public administration", "Weiterbildung", "training"):
            g.add(node, DCAT + "keyword", _str(keyword))
    g.add(ds, DCAT + "hasVersion", version)
    g.add(ds, DCAT + "hasCurrentVersion", version)
    g.add(version, DCAT + "isVersionOf", ds)

    for node in (ds, version):
        _agents(g, node, ctx, public_base)
    for suffix, dump in sorted(dumps.items()):
        dist = _iri(_distribution_iri(suffix))
        url = _iri(f"{public_base}downloads/{dump.name}")
        for node in (ds, version):
            g.add(node, DCAT + "distribution", dist)
        feature = _FORMAT_FEATURE[suffix.removesuffix(".gz")]
        _distribution(g, dist, f"Qualifica {__version__} ({feature}{', gzip' * dump.gzip})",
                      url, dump.content_type, dump.gzip, dump.byte_size, dump.sha256)

    for release in releases.list_releases(ctx):
        rel = _iri(citation.release_iri(release.version))
        g.add(catalog, DCAT + "dataset", rel)
        g.add(ds, DCAT + "hasVersion", rel)
        g.triples.extend(release_triples(ctx, release, public_base))

    sparql = _iri(public_base + "sparql")
    g.add(service, RDF_TYPE, _iri(DCAT + "DataService"))
    g.labels(service, DCTERMS + "title", {"de": "Qualifica-SPARQL-Endpunkt",
                                          "en": "Qualifica SPARQL endpoint"})
    g.add(service, DCAT + "endpointURL", sparql)
    g.add(service, DCAT + "endpointDescription", sparql)
    g.add(service, DCTERMS + "conformsTo", _iri("https://www.w3.org/TR/sparql11-protocol/"))
    g.add(service, DCAT + "servesDataset", ds)
    g.add(service, DCAT + "servesDataset", version)
    g.add(service, DCTERMS + "license", _iri(LICENSE))
    g.add(service, RDFS + "seeAlso", _iri(public_base + ".well-known/void"))
    return list(dict.fromkeys(g.triples))  # publisher and contact are shared


def _agents(g: _Graph, node: NamedNode, ctx: Context, public_base: str) -> None:
    """Publisher, contact point, licence and access rights of a dataset (DCAT-AP.de)."""
    name = citation.publisher(ctx.settings)
    # fixed labels: the same description gives the same bytes (and ETag) on every request
    publisher = BlankNode("publisher")
    g.add(node, DCTERMS + "publisher", publisher)
    g.add(publisher, RDF_TYPE, _iri(FOAF + "Agent"))
    g.add(publisher, FOAF + "name", _str(name))
    page, email = citation.contact(ctx.settings)
    contact = BlankNode("contact")
    g.add(node, DCAT + "contactPoint", contact)
    g.add(contact, RDF_TYPE, _iri(VCARD + "Organization"))
    g.add(contact, VCARD + "fn", _str(name))
    g.add(contact, VCARD + "hasURL", _iri(page))
    if email:
        g.add(contact, VCARD + "hasEmail", _iri(f"mailto:{email}"))
    g.add(node, DCTERMS + "accessRights", _iri(PUBLIC_ACCESS))


def _distribution(g: _Graph, dist: NamedNode, title: str, url: NamedNode, media_type: str,
                  packed: bool, byte_size: int, sha256: str) -> None:
    """A ``dcat:Distribution``: download URL, media type (of the content; ``dcat:compressFormat``
    gzip for a compressed file), format, size, SHA-256 and licence."""
    g.add(dist, RDF_TYPE, _iri(DCAT + "Distribution"))
    g.add(dist, DCTERMS + "title", _str(title))
    g.add(dist, DCAT + "downloadURL", url)
    g.add(dist, DCAT + "accessURL", url)
    g.add(dist, DCAT + "mediaType", _iri(IANA + media_type))
    feature = {"text/turtle": "Turtle", "application/n-triples": "N-Triples",
               "application/ld+json": "JSON-LD", "application/n-quads": "N-Quads"}
    if media_type in feature:
        g.add(dist, DCTERMS + "format", _iri(FORMATS_NS + feature[media_type]))
    if packed:
        g.add(dist, DCAT + "compressFormat", _iri(IANA + GZIP))
    g.add(dist, DCAT + "byteSize", _int(byte_size, XSD + "nonNegativeInteger"))
    g.add(dist, DCTERMS + "license", _iri(LICENSE))
    checksum = BlankNode(f"sha256-{sha256}")
    g.add(dist, SPDX + "checksum", checksum)
    g.add(checksum, RDF_TYPE, _iri(SPDX + "Checksum"))
    g.add(checksum, SPDX + "algorithm", _iri(SPDX + "checksumAlgorithm_sha256"))
    g.add(checksum, SPDX + "checksumValue", Literal(sha256, datatype=NamedNode(XSD + "hexBinary")))


def release_triples(ctx: Context, release: releases.Release, public_base: str) -> list[Triple]:
    """The DCAT-AP.de description of a release: a ``dcat:Dataset`` with its version, issue
    and modification date, publisher, contact point, licence, citation, the release graph and
    one distribution per file (size and SHA-256)."""
    g = _Graph()
    version = release.version
    rel = _iri(citation.release_iri(version))
    g.add(rel, RDF_TYPE, _iri(DCAT + "Dataset"))
    g.labels(rel, DCTERMS + "title", {k: f"{v} {version}" for k, v in _TITLE.items()})
    g.labels(rel, DCTERMS + "description", _DESCRIPTION)
    g.add(rel, DCTERMS + "identifier", _str(rel.value))
    g.add(rel, DCAT + "version", _str(version))
    g.add(rel, OWL + "versionInfo", _str(version))
    if release.issued:
        for prop in ("issued", "modified"):  # a release never changes once issued
            g.add(rel, DCTERMS + prop, Literal(release.issued, datatype=NamedNode(XSD + "date")))
    g.add(rel, DCTERMS + "license", _iri(LICENSE))
    _agents(g, rel, ctx, public_base)
    for lang in ("de", "en"):
        g.add(rel, DCTERMS + "bibliographicCitation",
              _str(citation.citation(version, release.issued, lang), lang))
    g.add(rel, DCAT + "isVersionOf", _iri(DATASET_IRI))
    g.add(rel, DCTERMS + "isVersionOf", _iri(DATASET_IRI))
    g.add(rel, DCTERMS + "conformsTo", _iri(ONTOLOGY_IRI))
    g.add(rel, DCTERMS + "hasPart", _iri(release.graph))
    g.add(rel, DCAT + "landingPage", _iri(f"{public_base}releases/{version}"))
    for lang in ("DEU", "ENG"):
        g.add(rel, DCTERMS + "language",
              _iri(f"http://publications.europa.eu/resource/authority/language/{lang}"))
    for f in releases.release_files(ctx, version):
        dist = _iri(f"{rel.value}/{f.name}")
        g.add(rel, DCAT + "distribution", dist)
        url = _iri(f"{public_base}releases/{version}/{f.name}")
        _distribution(g, dist, f"{f.name}", url, f.media_type, f.gzip, f.byte_size, f.sha256)
    return g.triples
