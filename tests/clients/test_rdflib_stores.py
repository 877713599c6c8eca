"""rdflib's ``SPARQLStore`` and ``SPARQLUpdateStore``, unmodified, against a real server: a
graph over the endpoint answers SELECT, ASK, CONSTRUCT and triple patterns with each method
rdflib offers, and with the write token a graph added to and removed from through SPARQL Update
changes the server's store (through the SHACL gate)."""

from __future__ import annotations

import pytest
from clients_support import Served
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

QD = "https://w3id.org/qualifica/ontology#"
ROLE = URIRef("https://w3id.org/qualifica/id/role/prozessmanager")
ROLES_GRAPH = URIRef("https://w3id.org/qualifica/graph/roles")


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_sparql_store_reads(served: Served, method: str, return_format: str) -> None:
    graph = Graph(SPARQLStore(served.sparql, method=method, returnFormat=return_format))
    rows = list(graph.query(
        "SELECT ?label WHERE { ?role skos:prefLabel ?label FILTER (lang(?label) = 'en') }",
        initNs={"skos": SKOS}, initBindings={"role": ROLE}))
    assert [str(r[0]) for r in rows] == ["Process manager"]  # type: ignore[index]
    assert graph.query("ASK { ?r a <" + QD + "Role> }").askAnswer is True
    constructed = graph.query(
        "CONSTRUCT { ?r a ?t } WHERE { ?r a ?t } LIMIT 5").graph
    assert constructed is not None and len(constructed) == 5
    assert (ROLE, RDF.type, URIRef(QD + "Role")) in graph
    labels = set(graph.objects(ROLE, SKOS.prefLabel))
    assert Literal("Prozessmanager", lang="de") in labels


def test_sparql_store_is_read_only_without_update_endpoint(served: Served) -> None:
    graph = Graph(SPARQLStore(served.sparql))
    with pytest.raises(TypeError):
        graph.add((ROLE, SKOS.altLabel, Literal("x", lang="de")))


def test_sparql_update_store_writes_with_the_token(served: Served) -> None:
    store = SPARQLUpdateStore(served.sparql, served.update,
                              headers={"Authorization": f"Bearer {served.token}"})
    # A Graph named by its IRI (``Dataset.graph`` would first send CREATE GRAPH, which SPARQL
    # Update refuses for a graph that exists).
    graph = Graph(store, identifier=ROLES_GRAPH)
    label = Literal("Prozessmanagerin (rdflib)", lang="de")
    graph.add((ROLE, SKOS.altLabel, label))
    reader = Graph(SPARQLStore(served.sparql))
    assert label in set(reader.objects(ROLE, SKOS.altLabel))
    graph.remove((ROLE, SKOS.altLabel, label))
    assert label not in set(reader.objects(ROLE, SKOS.altLabel))


def test_sparql_update_store_without_the_token_is_refused(served: Served) -> None:
    from urllib.error import HTTPError

    store = SPARQLUpdateStore(served.sparql, served.update)
    graph = Graph(store, identifier=ROLES_GRAPH)
    with pytest.raises(HTTPError) as raised:
        graph.add((ROLE, SKOS.altLabel, Literal("ohne Token", lang="de")))
    assert raised.value.code == 401
    assert Literal("ohne Token", lang="de") not in set(
        Graph(SPARQLStore(served.sparql)).objects(ROLE, SKOS.altLabel))
