"""The SHACL shapes: they pass SHACL meta-validation, speak German and English, every file in
tests/data/valid conforms (with exactly the warnings it announces), every file in
tests/data/invalid fails with exactly the shape named in its first line, and together the invalid
files exercise every rule. Validation runs through ``qualifica.validation.shacl`` and the gate."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyshacl.errors import ReportableRuntimeError
from rdflib.namespace import RDF, SH

from qualifica.context import Context
from qualifica.validation.gate import GateRejected, load_files
from qualifica.validation.shacl import Report, Shapes, parse_files, shapes_of, to_rdflib

ROOT = Path(__file__).resolve().parents[2]
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"
VALID = sorted((ROOT / "tests" / "data" / "valid").glob("*.ttl"))
INVALID = sorted((ROOT / "tests" / "data" / "invalid").glob("*.ttl"))
MUST = SHAPES_DIR / "qualifica.shapes.ttl"
RECOMMENDED = SHAPES_DIR / "qualifica.recommended.shapes.ttl"
QDS = "https://w3id.org/qualifica/shapes#"

#: Shape-graph predicates that are not constraints (targets, wiring, documentation).
NON_CONSTRAINTS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                   SH.target, SH.property, SH.message, SH.severity, SH.name, SH.description,
                   SH.path, SH.prefixes, SH.order, SH.group, SH.deactivated, RDF.type}


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    """The shapes and ontology exactly as the gate loads them."""
    return Shapes(SHAPES_DIR, ONTOLOGY_DIR)


def validate_file(shapes: Shapes, path: Path) -> tuple[Report, set[str]]:
    """Validate one file through the gate's parser; also return the file's subjects."""
    quads = parse_files([path])[path]
    graph = to_rdflib(quads)
    subjects = {str(s) for s in graph.subjects()}
    return shapes.validate(graph), subjects


def header_iris(path: Path, key: str) -> set[str]:
    """The IRIs after ``# key:`` in the leading comment lines of a test file."""
    iris: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(f"# {key}:"):
            iris.update(re.findall(r"<([^>]+)>", line))
    return iris


def constraint_shapes(graph: rdflib.Graph) -> set[str]:
    """Named shapes that carry a constraint of their own (and so can be a result's source)."""
    named = {s for s in graph.subjects(RDF.type, SH.NodeShape)} | {
        s for s in graph.subjects(RDF.type, SH.PropertyShape)}
    return {str(s) for s in named if isinstance(s, rdflib.URIRef)
            and any(p not in NON_CONSTRAINTS for p in graph.predicates(s, None))}


def parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


# ------------------------------------------------------------------------------------------------
# The shapes graph itself


@pytest.mark.parametrize("paths", [[MUST], [RECOMMENDED], [MUST, RECOMMENDED]],
                         ids=["must", "recommended", "together"])
def test_shapes_pass_meta_validation(paths: list[Path]) -> None:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    conforms, _report, _text = pyshacl.validate(rdflib.Graph(), shacl_graph=graph,
                                                meta_shacl=True, advanced=True)
    assert conforms


def test_meta_validation_rejects_a_broken_shape() -> None:
    graph = parse(MUST)
    broken = rdflib.URIRef(QDS + "Broken")
    graph.add((broken, RDF.type, SH.NodeShape))
    graph.add((broken, SH.minCount, rdflib.Literal("many")))
    with pytest.raises(ReportableRuntimeError):
        pyshacl.validate(rdflib.Graph(), shacl_graph=graph, meta_shacl=True, advanced=True)


def messaged_nodes(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    """Every named shape and every SPARQL constraint."""
    nodes: set[rdflib.term.Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint):
        nodes.update(graph.subjects(RDF.type, kind))
    nodes.update(graph.objects(None, SH.property))
    nodes.update(graph.objects(None, SH.sparql))
    return nodes


@pytest.mark.parametrize("path", [MUST, RECOMMENDED], ids=["must", "recommended"])
def test_every_shape_and_constraint_has_german_and_english_message(path: Path) -> None:
    graph = parse(path)
    nodes = messaged_nodes(graph)
    assert len(nodes) > 10
    for node in nodes:
        langs = sorted(str(m.language) for m in graph.objects(node, SH.message)
                       if isinstance(m, rdflib.Literal))
        assert langs == ["de", "en"], node


@pytest.mark.parametrize(("path", "severity"), [(MUST, SH.Violation), (RECOMMENDED, SH.Warning)],
                         ids=["must", "recommended"])
def test_severities(path: Path, severity: rdflib.URIRef) -> None:
    graph = parse(path)
    for node in messaged_nodes(graph):
        if (node, RDF.type, SH.SPARQLConstraint) in graph and path == MUST:
            continue  # a SPARQL constraint reports with the severity of its shape
        assert graph.value(node, SH.severity) == severity, node


def test_named_shapes_live_in_the_shapes_namespace() -> None:
    graph = parse(MUST) + parse(RECOMMENDED)
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            assert isinstance(shape, rdflib.URIRef) and str(shape).startswith(QDS), shape


def test_shapes_target_by_class_or_sparql_only() -> None:
    """Shapes never select ontology terms by accident: no subjects-of/objects-of targets except
    the one for qd:editorial, which the ontology never uses as a predicate."""
    graph = parse(MUST) + parse(RECOMMENDED)
    subjects_of = set(graph.objects(None, SH.targetSubjectsOf))
    assert subjects_of == {rdflib.URIRef("https://w3id.org/qualifica/ontology#editorial")}
    assert not set(graph.objects(None, SH.targetObjectsOf))


def test_ontology_and_vocabularies_conform_alone(shapes: Shapes) -> None:
    report = shapes.validate(rdflib.Graph())
    assert report.conforms, report.text()
    assert report.violations == []


# ------------------------------------------------------------------------------------------------
# Test data


def test_there_is_test_data() -> None:
    assert len(VALID) >= 3
    assert len(INVALID) >= 12
    assert any(header_iris(p, "expect-warnings") for p in VALID)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_file_conforms(shapes: Shapes, path: Path) -> None:
    report, subjects = validate_file(shapes, path)
    assert report.conforms, report.text()
    assert report.violations == []
    own = [f for f in report.findings if f.focus in subjects]
    assert all(f.severity == "Warning" for f in own)
    assert {f.shape for f in own} == header_iris(path, "expect-warnings")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_file_fails_with_its_shape(shapes: Shapes, path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# expect: <([^>]+)>", first)
    assert match, f"{path.name}: first line must be '# expect: <shape IRI>'"
    expected = match.group(1)
    report, _subjects = validate_file(shapes, path)
    assert not report.conforms
    found = {f.shape for f in report.violations}
    assert expected in found, report.text()
    assert found == {expected}, f"{path.name} breaks more than one rule: {found}"
    for finding in report.violations:
        assert finding.message_en and finding.message_de
        assert finding.message_en != finding.message_de


def test_invalid_files_cover_every_violation_rule() -> None:
    expected = {header_iris(p, "expect").pop() for p in INVALID}
    assert constraint_shapes(parse(MUST)) - expected == set()


def test_valid_files_cover_every_recommendation() -> None:
    announced: set[str] = set()
    for path in VALID:
        announced |= header_iris(path, "expect-warnings")
    assert constraint_shapes(parse(RECOMMENDED)) - announced == set()


def test_sparql_findings_keep_both_languages(shapes: Shapes) -> None:
    path = next(p for p in INVALID if p.name == "requirement-level-other-framework.ttl")
    report, _subjects = validate_file(shapes, path)
    (finding,) = report.violations
    assert finding.component == str(SH.SPARQLConstraintComponent)
    assert finding.message_de.startswith("Die Niveaustufe gehört zu keinem Kompetenzrahmen")
    assert finding.message_en.startswith("The level belongs to none of")
    assert finding.value == "https://w3id.org/qualifica/id/level/andererrahmen-1"


def test_warnings_do_not_block(shapes: Shapes) -> None:
    path = next(p for p in VALID if header_iris(p, "expect-warnings"))
    report, _subjects = validate_file(shapes, path)
    assert report.conforms
    assert report.findings and all(f.severity == "Warning" for f in report.findings)


# ------------------------------------------------------------------------------------------------
# Through the gate into a real store


def test_gate_accepts_valid_and_rejects_invalid_without_writing(empty_ctx: Context) -> None:
    ctx = empty_ctx
    valid = next(p for p in VALID if p.name == "complete-role.ttl")
    result = load_files(ctx.store, shapes_of(ctx), [valid])
    assert result.report.conforms
    assert result.after > result.before == 0
    before = ctx.store.count()
    invalid = next(p for p in INVALID if p.name == "level-duplicate-rank.ttl")
    with pytest.raises(GateRejected) as caught:
        load_files(ctx.store, shapes_of(ctx), [invalid])
    assert QDS + "UniqueRankShape" in {f.shape for f in caught.value.report.violations}
    assert ctx.store.count() == before
