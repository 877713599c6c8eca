"""The labels in a description come from the catalogue of the store's current generation: a
description holds exactly the statements a reference query over the store gives (the resource,
its qualified links, the labels of what it links to and of what links to it), and a write that
changes a linked resource's label shows in the next description at once."""

from __future__ import annotations

import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad, Variable
from rdflib.namespace import RDFS, SKOS
from test_linkeddata import GRAPH, ID, QD, to_graph

from qualifica.context import Context
from qualifica.linkeddata.describe import describe
from qualifica.namespaces import RDFS_LABEL, SKOS_PREF_LABEL

#: The description as one query over the store, labels included (what the store says, read
#: with property paths and no limit): the reference the served description must equal.
REFERENCE = """
PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?resource ?p ?o . ?link ?lp ?lo . ?target ?labelp ?label . ?in ?ip ?resource . }
WHERE {
  { ?resource ?p ?o . }
  UNION
  { ?resource ?linkp ?link . FILTER(isBlank(?link) || ?linkp IN (qd:requires, qd:develops))
    ?link ?lp ?lo . }
  UNION
  { { ?resource ?tp ?target . }
    UNION
    { ?resource ?linkp ?link . FILTER(isBlank(?link) || ?linkp IN (qd:requires, qd:develops))
      ?link ?tp ?target . }
    UNION
    { ?target ?tp ?resource . }
    FILTER(isIRI(?target) && ?target != ?resource)
    ?target ?labelp ?label . FILTER(?labelp IN (skos:prefLabel, rdfs:label)) }
  UNION
  { ?in ?ip ?resource . FILTER(isIRI(?in)) }
}
"""

RESOURCES = ["role/testrolle", "task/testaufgabe", "competency/testrahmen-1",
             "competency/testrahmen-1-1", "framework/testrahmen", "level/testrahmen-2",
             "training-format/testkurs", "legal-basis/testgesetz"]


def _reference(lctx: Context, iri: str) -> set[object]:
    store = lctx.store._store  # type: ignore[attr-defined]  # the reference reads pyoxigraph
    return set(store.query(REFERENCE, substitutions={Variable("resource"): NamedNode(iri)},
                           use_default_graph_as_union=True))


@pytest.mark.parametrize("path", RESOURCES)
def test_description_is_what_the_store_says(lctx: Context, path: str) -> None:
    iri = ID + path
    got = set(describe(lctx, NamedNode(iri)).triples)
    assert got == _reference(lctx, iri)
    labels = [t for t in got if t.predicate.value in (SKOS_PREF_LABEL, RDFS_LABEL)
              and t.subject.value != iri]
    assert labels, f"no label of a linked resource in the description of {path}"


def _relabel(lctx: Context, iri: str, old: str, new: str) -> None:
    graph = NamedNode(GRAPH + "linkeddata-test")
    label = NamedNode(SKOS_PREF_LABEL)
    lctx.store.apply([Quad(NamedNode(iri), label, Literal(old, language="de"), graph)],
                    [Quad(NamedNode(iri), label, Literal(new, language="de"), graph)])


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json"])
def test_a_new_label_of_a_linked_resource_shows_at_once(lctx: Context, lclient: TestClient,
                                                        media_type: str) -> None:
    task = rdflib.URIRef(ID + "task/testaufgabe")
    before = to_graph(lclient.get("/id/role/testrolle", headers={"Accept": media_type}).content,
                      media_type)
    assert rdflib.Literal("Prozesse dokumentieren", lang="de") in set(
        before.objects(task, SKOS.prefLabel))
    _relabel(lctx, str(task), "Prozesse dokumentieren", "Abläufe festhalten")
    after = to_graph(lclient.get("/id/role/testrolle", headers={"Accept": media_type}).content,
                     media_type)
    labels = set(after.objects(task, SKOS.prefLabel))
    assert rdflib.Literal("Abläufe festhalten", lang="de") in labels
    assert rdflib.Literal("Prozesse dokumentieren", lang="de") not in labels
    assert set(describe(lctx, NamedNode(ID + "role/testrolle")).triples) == _reference(
        lctx, ID + "role/testrolle")


def test_a_new_label_of_a_linking_resource_and_a_class_show_at_once(
        lctx: Context, lclient: TestClient) -> None:
    # a member competency links to its framework; the class label is an rdfs:label
    member = rdflib.URIRef(ID + "competency/testrahmen-1-1")
    _relabel(lctx, str(member), "Prozesse modellieren", "Abläufe modellieren")
    lctx.store.add([Quad(NamedNode(str(QD.CompetencyFramework)), NamedNode(RDFS_LABEL),
                        Literal("Rahmenwerk (neu)", language="de"), NamedNode(GRAPH + "extra"))])
    g = to_graph(lclient.get("/id/framework/testrahmen?format=nt").content,
                 "application/n-triples")
    assert rdflib.Literal("Abläufe modellieren", lang="de") in set(
        g.objects(member, SKOS.prefLabel))
    assert rdflib.Literal("Rahmenwerk (neu)", lang="de") in set(
        g.objects(QD.CompetencyFramework, RDFS.label))
    assert set(describe(lctx, NamedNode(ID + "framework/testrahmen")).triples) == _reference(
        lctx, ID + "framework/testrahmen")


def test_label_triples_outlive_a_write_that_leaves_their_labels(
        lctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write keeps the label triples of every linked IRI whose labels it did not change; the
    IRI whose label it changed gets new ones (and the description stays what the store says)."""
    from qualifica.linkeddata import describe as module

    made: list[str] = []
    real = module.label_triples

    def counted(cat: object, rdfs: object, iri: str) -> object:
        made.append(iri)
        return real(cat, rdfs, iri)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "label_triples", counted)
    role = ID + "role/testrolle"
    describe(lctx, NamedNode(role))
    first = set(made)
    assert ID + "task/testaufgabe" in first
    made.clear()
    lctx.store.add([Quad(NamedNode(ID + "role/anderswo"), NamedNode(SKOS_PREF_LABEL),
                         Literal("Anderswo", language="de"), NamedNode(GRAPH + "extra"))])
    assert set(describe(lctx, NamedNode(role)).triples) == _reference(lctx, role)
    assert made == []  # nothing the write changed: every label triple kept
    _relabel(lctx, ID + "task/testaufgabe", "Prozesse dokumentieren", "Abläufe festhalten")
    got = set(describe(lctx, NamedNode(role)).triples)
    assert made == [ID + "task/testaufgabe"]
    assert got == _reference(lctx, role)
