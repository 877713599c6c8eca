"""The OWL ontology: it parses, declares the whole public vocabulary with German and English labels
and definitions, carries the package version, stays within OWL 2 DL, aligns with the reused
vocabularies, and is consistent under HermiT (which must also catch a deliberately broken copy)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import owlready2
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, Namespace

import qualifica
from qualifica.namespaces import ONTOLOGY_IRI
from qualifica.namespaces import QD as QD_IRI

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
CORE_FILES = [ONTOLOGY_DIR / "qualifica.ttl", ONTOLOGY_DIR / "alignments.ttl"]

QD = Namespace(QD_IRI)
# an open namespace: pytest probes module attributes, which a closed rdflib namespace warns about
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")
ESCO = Namespace("http://data.europa.eu/esco/model#")
ELM = Namespace("http://data.europa.eu/snb/model/elm/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
PROV = Namespace("http://www.w3.org/ns/prov#")

#: The public contract (VOCABULARY.md): every term with the kind of OWL entity it must be.
VOCABULARY: dict[rdflib.URIRef, rdflib.URIRef] = {
    QD.Role: OWL.Class,
    QD.Task: OWL.Class,
    QD.Competency: OWL.Class,
    QD.CompetencyFramework: OWL.Class,
    QD.ProficiencyLevel: OWL.Class,
    QD.CompetencyRequirement: OWL.Class,
    QD.LearningOutcome: OWL.Class,
    QD.TrainingFormat: OWL.Class,
    QD.TrainingKind: OWL.Class,
    QD.LegalBasis: OWL.Class,
    QD.performsTask: OWL.ObjectProperty,
    QD.requires: OWL.ObjectProperty,
    QD.competency: OWL.ObjectProperty,
    QD.level: OWL.ObjectProperty,
    QD.develops: OWL.ObjectProperty,
    QD.kind: OWL.ObjectProperty,
    QD.legalBasis: OWL.ObjectProperty,
    QD.partOf: OWL.ObjectProperty,
    QD.levelOf: OWL.ObjectProperty,
    QD.essential: OWL.DatatypeProperty,
    QD.rank: OWL.DatatypeProperty,
    QD.editorial: OWL.DatatypeProperty,
    SKOS.inScheme: OWL.ObjectProperty,
    SKOS.broader: OWL.ObjectProperty,
    SKOS.prefLabel: OWL.AnnotationProperty,
    SKOS.altLabel: OWL.AnnotationProperty,
    SKOS.definition: OWL.AnnotationProperty,
    DCTERMS.source: OWL.AnnotationProperty,
    QD.Ausbildung: OWL.NamedIndividual,
    QD.Fortbildung: OWL.NamedIndividual,
    QD.Weiterbildung: OWL.NamedIndividual,
}

#: Domains and ranges as VOCABULARY.md states them (a tuple is a union).
SIGNATURES: dict[rdflib.URIRef, tuple[tuple[rdflib.URIRef, ...], rdflib.URIRef]] = {
    QD.performsTask: ((QD.Role,), QD.Task),
    QD.requires: ((QD.Role, QD.Task), QD.CompetencyRequirement),
    QD.competency: ((QD.CompetencyRequirement, QD.LearningOutcome), QD.Competency),
    QD.level: ((QD.CompetencyRequirement, QD.LearningOutcome), QD.ProficiencyLevel),
    QD.essential: ((QD.CompetencyRequirement,), XSD.boolean),
    QD.develops: ((QD.TrainingFormat,), QD.LearningOutcome),
    QD.kind: ((QD.TrainingFormat,), QD.TrainingKind),
    QD.legalBasis: ((QD.Role, QD.Task, QD.TrainingFormat), QD.LegalBasis),
    QD.partOf: ((QD.LegalBasis,), QD.LegalBasis),
    QD.levelOf: ((QD.ProficiencyLevel,), QD.CompetencyFramework),
    QD.rank: ((QD.ProficiencyLevel,), XSD.integer),
    QD.editorial: ((QD.CompetencyRequirement, QD.LearningOutcome), XSD.boolean),
}

ENTITY_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILTIN_PREFIXES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def parse(paths: Iterable[Path]) -> rdflib.Graph:
    """One rdflib graph of the given Turtle files."""
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def core() -> rdflib.Graph:
    """The ontology and its alignments (the TBox files)."""
    return parse(CORE_FILES)


@pytest.fixture(scope="module")
def everything() -> rdflib.Graph:
    """Every Turtle file under ontology/, as the gate and the server load them."""
    return parse(sorted(ONTOLOGY_DIR.rglob("*.ttl")))


def langs(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> list[str]:
    """The language tags of the literal values of ``predicate`` on ``subject``."""
    return sorted(str(o.language) for o in graph.objects(subject, predicate)
                  if isinstance(o, rdflib.Literal) and o.language)


# ------------------------------------------------------------------------------------------------
# Parsing, metadata, version


@pytest.mark.parametrize("path", sorted(ONTOLOGY_DIR.rglob("*.ttl")), ids=lambda p: p.name)
def test_every_ontology_file_parses(path: Path) -> None:
    graph = rdflib.Graph().parse(path, format="turtle")
    assert len(graph) > 0


def test_core_files_exist() -> None:
    for path in CORE_FILES:
        assert path.is_file(), path


def test_version_matches_package(core: rdflib.Graph) -> None:
    onto = rdflib.URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in core
    assert str(core.value(onto, OWL.versionInfo)) == qualifica.__version__
    assert core.value(onto, OWL.versionIRI) == rdflib.URIRef(
        f"{ONTOLOGY_IRI}/{qualifica.__version__}")


def test_ontology_metadata(core: rdflib.Graph) -> None:
    onto = rdflib.URIRef(ONTOLOGY_IRI)
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert langs(core, onto, predicate) == ["de", "en"], predicate
    assert isinstance(core.value(onto, DCTERMS.license), rdflib.URIRef)
    assert core.value(onto, DCTERMS.creator) is not None
    created = core.value(onto, DCTERMS.created)
    assert isinstance(created, rdflib.Literal) and created.datatype == XSD.date
    assert str(core.value(onto, VANN.preferredNamespacePrefix)) == "qd"
    assert str(core.value(onto, VANN.preferredNamespaceUri)) == QD_IRI


# ------------------------------------------------------------------------------------------------
# The vocabulary contract


@pytest.mark.parametrize("term", list(VOCABULARY),
                         ids=lambda t: t.n3(rdflib.Graph().namespace_manager))
def test_vocabulary_term_declared_and_documented(core: rdflib.Graph, term: rdflib.URIRef) -> None:
    assert (term, RDF.type, VOCABULARY[term]) in core, f"{term} not declared as {VOCABULARY[term]}"
    for predicate in (RDFS.label, SKOS.prefLabel, SKOS.definition):
        assert langs(core, term, predicate) == ["de", "en"], f"{term} {predicate}"


def test_every_qd_term_documented(core: rdflib.Graph) -> None:
    declared = {s for kind in (*ENTITY_KINDS, OWL.NamedIndividual)
                for s in core.subjects(RDF.type, kind)
                if isinstance(s, rdflib.URIRef) and str(s).startswith(QD_IRI)}
    assert set(t for t in VOCABULARY if str(t).startswith(QD_IRI)) <= declared
    for term in declared:
        for predicate in (RDFS.label, SKOS.prefLabel, SKOS.definition):
            assert langs(core, term, predicate) == ["de", "en"], f"{term} {predicate}"
        assert core.value(term, RDFS.isDefinedBy) == rdflib.URIRef(ONTOLOGY_IRI), term


def union_members(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[rdflib.term.Node, ...]:
    """The classes of a domain: the class itself or the members of its owl:unionOf."""
    members = graph.value(node, OWL.unionOf)
    if members is None:
        return (node,)
    return tuple(Collection(graph, members))


@pytest.mark.parametrize("prop", list(SIGNATURES), ids=lambda t: str(t).rsplit("#", 1)[-1])
def test_domains_and_ranges(core: rdflib.Graph, prop: rdflib.URIRef) -> None:
    domain, range_ = SIGNATURES[prop]
    domains = list(core.objects(prop, RDFS.domain))
    assert len(domains) == 1
    assert set(union_members(core, domains[0])) == set(domain)
    assert list(core.objects(prop, RDFS.range)) == [range_]


def test_functional_and_transitive_properties(core: rdflib.Graph) -> None:
    for prop in (QD.competency, QD.level, QD.kind, QD.essential, QD.rank, QD.editorial):
        assert (prop, RDF.type, OWL.FunctionalProperty) in core, prop
    for prop in (QD.requires, QD.develops, QD.legalBasis, QD.levelOf, QD.performsTask):
        assert (prop, RDF.type, OWL.FunctionalProperty) not in core, prop
    assert (QD.partOf, RDF.type, OWL.TransitiveProperty) in core


def test_skos_subclasses(core: rdflib.Graph) -> None:
    assert (QD.Competency, RDFS.subClassOf, SKOS.Concept) in core
    assert (QD.CompetencyFramework, RDFS.subClassOf, SKOS.ConceptScheme) in core
    assert (QD.TrainingKind, RDFS.subClassOf, SKOS.Concept) in core


def test_training_kinds(core: rdflib.Graph) -> None:
    kinds = set(core.subjects(RDF.type, QD.TrainingKind))
    assert kinds == {QD.Ausbildung, QD.Fortbildung, QD.Weiterbildung}
    assert (QD.TrainingKinds, RDF.type, SKOS.ConceptScheme) in core
    for kind in kinds:
        assert (kind, RDF.type, OWL.NamedIndividual) in core
        assert (kind, RDF.type, SKOS.Concept) in core
        assert (kind, SKOS.inScheme, QD.TrainingKinds) in core
        assert core.value(kind, DCTERMS.source) is not None


def test_main_classes_pairwise_disjoint(core: rdflib.Graph) -> None:
    classes = {t for t, kind in VOCABULARY.items()
               if kind == OWL.Class and str(t).startswith(QD_IRI)}
    groups = [set(Collection(core, core.value(node, OWL.members)))
              for node in core.subjects(RDF.type, OWL.AllDisjointClasses)]
    assert classes in groups


# ------------------------------------------------------------------------------------------------
# OWL 2 DL hygiene


def test_no_punning_between_entity_kinds(everything: rdflib.Graph) -> None:
    kinds: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}
    for kind in (*ENTITY_KINDS, OWL.NamedIndividual):
        for subject in everything.subjects(RDF.type, kind):
            kinds.setdefault(subject, set()).add(kind)
    punned = {s: k for s, k in kinds.items() if len(k) > 1}
    assert not punned


def test_every_used_predicate_is_declared(core: rdflib.Graph) -> None:
    declared = {s for kind in ENTITY_KINDS[1:] for s in core.subjects(RDF.type, kind)}
    used = {p for p in core.predicates() if not str(p).startswith(BUILTIN_PREFIXES)}
    assert used - declared == set()


def test_every_referenced_class_is_declared(core: rdflib.Graph) -> None:
    classes = set(core.subjects(RDF.type, OWL.Class))
    datatypes = {XSD.boolean, XSD.integer}
    referenced: set[rdflib.term.Node] = set()
    for predicate in (RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.unionOf):
        for obj in core.objects(None, predicate):
            if isinstance(obj, rdflib.URIRef):
                referenced.add(obj)
            elif predicate == OWL.unionOf:
                referenced.update(Collection(core, obj))
    for node in core.subjects(RDF.type, OWL.AllDisjointClasses):
        referenced.update(Collection(core, core.value(node, OWL.members)))
    for individual in core.subjects(RDF.type, OWL.NamedIndividual):
        referenced.update(o for o in core.objects(individual, RDF.type)
                          if o != OWL.NamedIndividual)
    assert referenced - classes - datatypes == set()


def test_datatype_properties_range_over_datatypes(core: rdflib.Graph) -> None:
    for prop in core.subjects(RDF.type, OWL.DatatypeProperty):
        for range_ in core.objects(prop, RDFS.range):
            assert str(range_).startswith(str(XSD)), prop
    for prop in core.subjects(RDF.type, OWL.ObjectProperty):
        for range_ in core.objects(prop, RDFS.range):
            assert not str(range_).startswith(str(XSD)), prop


def test_transitive_properties_in_no_cardinality_restriction(core: rdflib.Graph) -> None:
    transitive = set(core.subjects(RDF.type, OWL.TransitiveProperty))
    cardinality = (OWL.cardinality, OWL.minCardinality, OWL.maxCardinality,
                   OWL.qualifiedCardinality, OWL.minQualifiedCardinality,
                   OWL.maxQualifiedCardinality)
    for predicate in cardinality:
        for restriction in core.subjects(predicate, None):
            assert core.value(restriction, OWL.onProperty) not in transitive
    for prop in transitive:
        for kind in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                     OWL.IrreflexiveProperty, OWL.AsymmetricProperty):
            assert (prop, RDF.type, kind) not in core


# ------------------------------------------------------------------------------------------------
# Alignments


def test_logical_alignments(core: rdflib.Graph) -> None:
    assert (QD.Role, RDFS.subClassOf, ORG.Role) in core
    assert (QD.LegalBasis, RDFS.subClassOf, ELI.LegalResource) in core
    assert (QD.partOf, RDFS.subPropertyOf, ELI.is_part_of) in core
    assert (ORG.Role, RDF.type, OWL.Class) in core
    assert (ELI.LegalResource, RDF.type, OWL.Class) in core
    assert (ELI.is_part_of, RDF.type, OWL.ObjectProperty) in core


@pytest.mark.parametrize(("term", "target"), [
    (QD.Role, ESCO.Occupation),
    (QD.Role, SCHEMA.Occupation),
    (QD.Competency, ESCO.Skill),
    (QD.Competency, ELM.LearningOutcome),
    (QD.Competency, SCHEMA.DefinedTerm),
    (QD.CompetencyRequirement, ESCO.Relationship),
    (QD.LearningOutcome, ELM.LearningOutcome),
    (QD.TrainingFormat, ELM.LearningOpportunity),
    (QD.TrainingFormat, SCHEMA.Course),
    (QD.LegalBasis, SCHEMA.Legislation),
    (QD.LegalBasis, ELI.LegalResourceSubdivision),
    (QD.legalBasis, CV.hasLegalResource),
    (QD.essential, ESCO.relatedEssentialSkill),
    (DCTERMS.source, PROV.hadPrimarySource),
    (QD.Provider, SCHEMA.EducationalOrganization),
    (QD.provider, SCHEMA.provider),
])
def test_skos_mappings(core: rdflib.Graph, term: rdflib.URIRef, target: rdflib.URIRef) -> None:
    mappings = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
                SKOS.relatedMatch)
    assert any((term, m, target) in core for m in mappings)
    for mapping in mappings:
        assert (mapping, RDF.type, OWL.AnnotationProperty) in core


# ------------------------------------------------------------------------------------------------
# The shapes use only declared terms


def test_shapes_use_only_declared_terms(everything: rdflib.Graph) -> None:
    shapes = parse(sorted(SHAPES_DIR.glob("*.ttl")))
    used: set[str] = set()
    for triple in shapes:
        used.update(str(t) for t in triple if isinstance(t, rdflib.URIRef)
                    and str(t).startswith(QD_IRI))
    for text in shapes.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#select")):
        used.update(QD_IRI + local for local in re.findall(r"\bqd:([A-Za-z][\w-]*)", str(text)))
    assert used, "the shapes use no qd: term at all"
    declared = {str(s) for kind in (*ENTITY_KINDS, OWL.NamedIndividual)
                for s in everything.subjects(RDF.type, kind)}
    assert used - declared == set()


# ------------------------------------------------------------------------------------------------
# HermiT


def reasoner_input(graph: rdflib.Graph, directory: Path) -> Path:
    """The graph as one N-Triples file HermiT can read: a single ontology header, no imports
    (the imported ontologies are all in the graph already)."""
    merged = rdflib.Graph()
    for triple in graph:
        merged.add(triple)
    main = rdflib.URIRef(ONTOLOGY_IRI)
    for header in list(merged.subjects(RDF.type, OWL.Ontology)):
        if header != main:
            merged.remove((header, None, None))
    merged.remove((None, OWL.imports, None))
    path = directory / "qualifica-merged.nt"
    merged.serialize(path, format="nt", encoding="utf-8")
    return path


def run_hermit(path: Path) -> owlready2.World:
    """Load ``path`` into a fresh owlready2 world and classify it with HermiT."""
    java = shutil.which("java")
    assert java, "HermiT needs a Java runtime on PATH"
    owlready2.JAVA_EXE = java
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def test_hermit_consistent_and_satisfiable(everything: rdflib.Graph, tmp_path: Path) -> None:
    world = run_hermit(reasoner_input(everything, tmp_path))
    assert list(world.inconsistent_classes()) == []
    # the reasoner saw the real ontology: its classes and the training kinds
    iris = {c.iri for c in world.classes()}
    assert {str(QD.Role), str(QD.TrainingKind), str(QD.LegalBasis)} <= iris
    assert {i.iri for i in world.individuals()} >= {str(QD.Ausbildung), str(QD.Weiterbildung)}


def test_hermit_bundled_graph_consistent(everything: rdflib.Graph, tmp_path: Path) -> None:
    """The ontology together with the bundled data (the ABox) has a model."""
    bundle = rdflib.Graph()
    for triple in everything:
        bundle.add(triple)
    data = sorted((ROOT / "data").glob("*.ttl"))
    assert data, "no bundled data"
    for triple in parse(data):
        bundle.add(triple)
    world = run_hermit(reasoner_input(bundle, tmp_path))
    assert list(world.inconsistent_classes()) == []


X = rdflib.URIRef("https://w3id.org/qualifica/id/role/widerspruch")
Y = rdflib.URIRef("https://w3id.org/qualifica/id/legal-basis/widerspruch")


@pytest.mark.parametrize("extra", [
    # an individual of two disjoint classes
    [(X, RDF.type, QD.Role), (X, RDF.type, QD.Task)],
    # a domain axiom makes a legal basis a role, which is disjoint with it
    [(Y, RDF.type, QD.LegalBasis), (Y, QD.performsTask, X)],
    # a training kind that is also a competency
    [(QD.Ausbildung, RDF.type, QD.Competency)],
], ids=["disjoint-types", "domain-clash", "kind-is-competency"])
def test_hermit_reports_a_broken_copy(everything: rdflib.Graph, tmp_path: Path,
                                      extra: list[tuple[rdflib.term.Node, ...]]) -> None:
    broken = rdflib.Graph()
    for triple in everything:
        broken.add(triple)
    for triple in extra:
        broken.add(triple)  # type: ignore[arg-type]
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        run_hermit(reasoner_input(broken, tmp_path))


def test_terms_added_for_offers_and_qualifications(core: rdflib.Graph) -> None:
    """Issue 9: qd:Provider, qd:provider and qd:dqrLevel are added (no term renamed), with
    their domain, range and labels in both languages."""
    assert (QD.Provider, RDF.type, OWL.Class) in core
    assert (QD.provider, RDF.type, OWL.ObjectProperty) in core
    assert (QD.provider, RDFS.domain, QD.TrainingFormat) in core
    assert (QD.provider, RDFS.range, QD.Provider) in core
    assert (QD.dqrLevel, RDF.type, OWL.DatatypeProperty) in core
    assert (QD.dqrLevel, RDF.type, OWL.FunctionalProperty) in core
    assert (QD.dqrLevel, RDFS.domain, QD.TrainingFormat) in core
    assert (QD.dqrLevel, RDFS.range, XSD.integer) in core
    for term in (QD.Provider, QD.provider, QD.dqrLevel):
        langs = {o.language for o in core.objects(term, SKOS.prefLabel)}
        assert langs == {"de", "en"}, term
        assert {o.language for o in core.objects(term, SKOS.definition)} == {"de", "en"}, term
    # every term the contract names is still declared as before
    for term, kind in VOCABULARY.items():
        assert (term, RDF.type, kind) in core, term
