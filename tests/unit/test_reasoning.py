"""HermiT through ``validation.reasoning``: the bundled ontology is consistent, and the check
tells an inconsistent ontology and an unsatisfiable class apart."""

from __future__ import annotations

from pathlib import Path

import rdflib

from qualifica.config import PROJECT_ROOT
from qualifica.validation.reasoning import check_consistency, merged_graph, ontology_files

HEAD = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
<http://example.org/onto> a owl:Ontology ; owl:imports <http://example.org/not-fetched> .
ex:A a owl:Class . ex:B a owl:Class ; owl:disjointWith ex:A .
"""


def test_bundled_ontology_is_consistent() -> None:
    files = ontology_files(PROJECT_ROOT / "ontology")
    assert files
    result = check_consistency(files)
    assert result.consistent and result.ok, result.message
    assert result.unsatisfiable == []


def test_an_individual_in_two_disjoint_classes_is_inconsistent(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(HEAD + "ex:x a ex:A , ex:B .\n", encoding="utf-8")
    result = check_consistency([path])
    assert not result.consistent and not result.ok
    assert "inconsistent" in result.message


def test_a_subclass_of_two_disjoint_classes_is_unsatisfiable(tmp_path: Path) -> None:
    path = tmp_path / "unsat.ttl"
    path.write_text(HEAD + "ex:C a owl:Class ; rdfs:subClassOf ex:A , ex:B .\n",
                    encoding="utf-8")
    result = check_consistency([path])
    assert result.consistent and not result.ok
    assert result.unsatisfiable == ["http://example.org/C"]


def test_imports_are_dropped_and_one_header_is_kept(tmp_path: Path) -> None:
    other = tmp_path / "other.ttl"
    other.write_text(HEAD.replace("<http://example.org/onto>", "<http://example.org/o2>"),
                     encoding="utf-8")
    graph = merged_graph([*ontology_files(PROJECT_ROOT / "ontology"), other])
    owl = "http://www.w3.org/2002/07/owl#"
    assert not list(graph.triples((None, rdflib.URIRef(owl + "imports"), None)))
    headers = set(graph.subjects(rdflib.RDF.type,
                                 rdflib.URIRef(owl + "Ontology")))
    assert [str(h) for h in headers] == ["https://w3id.org/qualifica/ontology"]
