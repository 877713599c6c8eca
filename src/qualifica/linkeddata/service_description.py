"""The SPARQL 1.1 Service Description of the endpoint, as RDF.

Answered by ``GET /sparql`` without a query: an ``sd:Service`` with its endpoint, the supported
language (SPARQL 1.1 Query), the result formats, the feature ``sd:UnionDefaultGraph`` (a query
that names no dataset sees the union of all graphs) and the default dataset with its named graphs.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from qualifica.namespaces import DCTERMS, RDF_TYPE, SD, VOID, XSD

#: W3C "formats" IRIs for the media types the endpoint produces.
FORMAT_IRIS: dict[str, str] = {
    "application/sparql-results+json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "application/sparql-results+xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "text/csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "text/tab-separated-values": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "text/turtle": "http://www.w3.org/ns/formats/Turtle",
    "application/n-triples": "http://www.w3.org/ns/formats/N-Triples",
    "application/ld+json": "http://www.w3.org/ns/formats/JSON-LD",
    "application/rdf+xml": "http://www.w3.org/ns/formats/RDF_XML",
}


def service_description(
    endpoint: str,
    *,
    formats: Sequence[str],
    named_graphs: Sequence[str],
    triple_count: int | None = None,
    federated: bool = False,
    title: str = "Qualifica SPARQL endpoint",
) -> list[Triple]:
    """The Service Description triples of the endpoint at ``endpoint`` (an absolute URL)."""
    service = NamedNode(endpoint)
    dataset = BlankNode("defaultDataset")
    default_graph = BlankNode("defaultGraph")

    def sd(local: str) -> NamedNode:
        return NamedNode(SD + local)

    a = NamedNode(RDF_TYPE)
    triples = [
        Triple(service, a, sd("Service")),
        Triple(service, sd("endpoint"), service),
        Triple(service, NamedNode(DCTERMS + "title"), Literal(title, language="en")),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, a, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default_graph),
        Triple(default_graph, a, sd("Graph")),
    ]
    if federated:  # SERVICE works, for the endpoints QUALIFICA_SERVICE_ALLOW lists
        triples.append(Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for media in formats:
        iri = FORMAT_IRIS.get(media)
        if iri is not None:
            triples.append(Triple(service, sd("resultFormat"), NamedNode(iri)))
    if triple_count is not None:
        triples.append(Triple(default_graph, NamedNode(VOID + "triples"),
                              Literal(str(triple_count), datatype=NamedNode(XSD + "integer"))))
    for i, graph in enumerate(named_graphs):
        node = BlankNode(f"namedGraph{i}")
        triples += [
            Triple(dataset, sd("namedGraph"), node),
            Triple(node, a, sd("NamedGraph")),
            Triple(node, sd("name"), NamedNode(graph)),
        ]
    return triples
