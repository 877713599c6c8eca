"""Incremental (focus-node-scoped) validation agrees with full validation on random writes.

A self-contained model of the project's shapes (labels, classes of linked nodes, counts, a
SPARQL constraint over requirement → competency → framework and level → framework) keeps the
test independent of the bundled data; a second test runs the project's own shapes on writes
against the bundled graph.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.context import Context
from qualifica.store.oxigraph import OxigraphStore
from qualifica.store.stamps import in_stamp_graph
from qualifica.validation import rdflib_cache
from qualifica.validation.changes import full_validate, gated_write, update_change
from qualifica.validation.gate import GateRejected
from qualifica.validation.incremental import Change, IncrementalValidator, ShapeReach
from qualifica.validation.shacl import Report, Shapes, shapes_of
from qualifica_testing import library

Q = "https://w3id.org/qualifica/ontology#"
ID = "https://w3id.org/qualifica/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
G = NamedNode("https://w3id.org/qualifica/graph/test")

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix t: <urn:test:shapes#> .

t: sh:declare
  [ sh:prefix "qd" ; sh:namespace "https://w3id.org/qualifica/ontology#"^^xsd:anyURI ] ,
  [ sh:prefix "skos" ; sh:namespace "http://www.w3.org/2004/02/skos/core#"^^xsd:anyURI ] .

t:Labelled a sh:NodeShape ;
  sh:targetClass qd:Role, qd:Competency, qd:CompetencyFramework, qd:ProficiencyLevel ;
  sh:property [ sh:path skos:prefLabel ; sh:minCount 1 ; sh:uniqueLang true ;
                sh:message "needs one label per language"@en, "braucht ein Label je Sprache"@de ] .

t:Role a sh:NodeShape ; sh:targetClass qd:Role ;
  sh:property [ sh:path qd:requires ; sh:class qd:CompetencyRequirement ] .

t:Requirement a sh:NodeShape ; sh:targetClass qd:CompetencyRequirement ;
  sh:property [ sh:path qd:competency ; sh:minCount 1 ; sh:maxCount 1 ; sh:class qd:Competency ] ;
  sh:property [ sh:path qd:level ; sh:minCount 1 ; sh:maxCount 1 ; sh:class qd:ProficiencyLevel ] ;
  sh:property [ sh:path qd:essential ; sh:maxCount 1 ; sh:datatype xsd:boolean ] ;
  sh:property [ sh:path [ sh:inversePath qd:requires ] ; sh:minCount 1 ] ;
  sh:sparql [ sh:prefixes t: ;
    sh:message "the level belongs to another framework than the competency"@en ;
    sh:select \"\"\"SELECT $this ?value WHERE {
        $this qd:level ?value . ?value qd:levelOf ?f .
        $this qd:competency ?c . FILTER NOT EXISTS { ?c skos:inScheme ?f } }\"\"\" ] .

t:Competency a sh:NodeShape ; sh:targetClass qd:Competency ;
  sh:property [ sh:path skos:inScheme ; sh:minCount 1 ; sh:class qd:CompetencyFramework ] ;
  sh:property [ sh:path skos:broader ; sh:class qd:Competency ] .

t:Level a sh:NodeShape ; sh:targetClass qd:ProficiencyLevel ;
  sh:property [ sh:path qd:rank ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ] ;
  sh:property [ sh:path qd:levelOf ; sh:minCount 1 ; sh:class qd:CompetencyFramework ] .
"""

ONTOLOGY = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix qd: <https://w3id.org/qualifica/ontology#> .
qd:Role a owl:Class . qd:Competency a owl:Class . qd:CompetencyFramework a owl:Class .
qd:ProficiencyLevel a owl:Class . qd:CompetencyRequirement a owl:Class .
"""


def n(kind: str, slug: str) -> NamedNode:
    return NamedNode(f"{ID}{kind}/{slug}")


def q(p: str) -> NamedNode:
    return NamedNode(p if "://" in p else Q + p)


def quad(s: NamedNode, p: NamedNode, o: object) -> Quad:
    return Quad(s, p, o, G)  # type: ignore[arg-type]


def labels(s: NamedNode, text: str) -> list[Quad]:
    pl = NamedNode(SKOS + "prefLabel")
    return [quad(s, pl, Literal(text, language="de")), quad(s, pl, Literal(text, language="en"))]


def base_graph(rng: random.Random) -> list[Quad]:
    """A conforming graph: 2 frameworks, levels, competencies (with broader), roles."""
    out: list[Quad] = []
    for f in ("fa", "fb"):
        fw = n("framework", f)
        out += [quad(fw, RDF_TYPE, q("CompetencyFramework")), *labels(fw, f)]
        for r in range(1, 4):
            lv = n("level", f"{f}-{r}")
            out += [quad(lv, RDF_TYPE, q("ProficiencyLevel")), *labels(lv, f"{f} {r}"),
                    quad(lv, q("rank"), Literal(str(r), datatype=NamedNode(XSD + "integer"))),
                    quad(lv, q("levelOf"), fw)]
        for c in range(1, 5):
            comp = n("competency", f"{f}-{c}")
            out += [quad(comp, RDF_TYPE, q("Competency")), *labels(comp, f"{f} {c}"),
                    quad(comp, NamedNode(SKOS + "inScheme"), fw)]
            if c > 1:
                out.append(quad(comp, NamedNode(SKOS + "broader"), n("competency", f"{f}-1")))
    for i in range(6):
        role = n("role", f"r{i}")
        out += [quad(role, RDF_TYPE, q("Role")), *labels(role, f"role {i}")]
        for _ in range(2):
            out += requirement(rng, role)
    return out


def requirement(rng: random.Random, role: NamedNode, *, wrong: bool = False) -> list[Quad]:
    f = rng.choice(["fa", "fb"])
    other = "fb" if f == "fa" else "fa"
    comp = n("competency", f"{f}-{rng.randint(1, 4)}")
    lv = n("level", f"{other if wrong else f}-{rng.randint(1, 3)}")
    req = n("requirement", f"{role.value.rsplit('/', 1)[1]}-{rng.randrange(10**6)}")
    return [quad(role, q("requires"), req), quad(req, RDF_TYPE, q("CompetencyRequirement")),
            quad(req, q("competency"), comp), quad(req, q("level"), lv),
            quad(req, q("essential"), Literal("true", datatype=NamedNode(XSD + "boolean")))]


def random_change(rng: random.Random, stored: list[Quad]) -> Change:
    """A random write: whole new requirements (some wrong), stray triples, removals."""
    change = Change()
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        role = n("role", f"r{rng.randrange(7)}")
        if op < 0.3:
            change.added += requirement(rng, role, wrong=rng.random() < 0.3)
        elif op < 0.55:
            change.removed.append(rng.choice(stored))
        elif op < 0.7:
            lv = n("level", f"{rng.choice(['fa', 'fb'])}-{rng.randint(1, 3)}")
            change.added.append(quad(lv, q("levelOf"), n("framework", rng.choice(["fa", "fb"]))))
        elif op < 0.8:
            comp = n("competency", f"{rng.choice(['fa', 'fb'])}-{rng.randint(1, 4)}")
            target = rng.choice([n("framework", "fa"), n("framework", "fb"), n("role", "r0")])
            change.added.append(quad(comp, NamedNode(SKOS + "inScheme"), target))
        elif op < 0.9:
            s = rng.choice([role, n("competency", "fa-2"), n("level", "fb-1")])
            change.added.append(quad(s, NamedNode(SKOS + "prefLabel"),
                                     Literal(f"x{rng.randrange(99)}", language="de")))
        else:
            change.added.append(quad(n("requirement", f"stray-{rng.randrange(99)}"), RDF_TYPE,
                                     q("CompetencyRequirement")))
    return change


def violations(report: Report) -> set[tuple[str, str | None, str | None, str | None]]:
    return {(f.focus, f.path, f.component, f.value) for f in report.violations}


@pytest.fixture(scope="module", autouse=True)
def _rdflib_cache() -> Iterator[None]:
    """Validation as the API runs it: with rdflib's SPARQL algebra cache."""
    was_on = rdflib_cache.enabled()
    rdflib_cache.enable()
    yield
    if not was_on:
        rdflib_cache.disable()


@pytest.fixture(scope="module")
def model_shapes(tmp_path_factory: pytest.TempPathFactory) -> Shapes:
    root = tmp_path_factory.mktemp("model")
    (root / "shapes").mkdir()
    (root / "ontology").mkdir()
    (root / "shapes" / "model.shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (root / "ontology" / "model.ttl").write_text(ONTOLOGY, encoding="utf-8")
    return Shapes(root / "shapes", root / "ontology")


def test_shape_reach_reads_paths_and_depth(model_shapes: Shapes) -> None:
    reach = ShapeReach.of(model_shapes.shapes)
    assert Q + "requires" in reach.inverse
    assert Q + "levelOf" in reach.forward and SKOS + "inScheme" in reach.forward
    assert reach.depth >= 2


def test_incremental_agrees_with_full_on_random_writes(model_shapes: Shapes) -> None:
    rng = random.Random(20240601)
    validator = IncrementalValidator(model_shapes, library())
    # the same incremental validation with pySHACL as its last step (the reference)
    reference = IncrementalValidator(model_shapes, library(), engine="pyshacl")
    rejected = accepted = 0
    for round_ in range(60):
        store = OxigraphStore(None)
        base = base_graph(rng)
        store.add(base)
        assert full_validate(store, model_shapes, Change()).conforms
        change = random_change(rng, base)
        full = full_validate(store, model_shapes, change)
        inc = validator.validate(store, change)
        assert inc.conforms == full.conforms, (round_, change, full.text(), inc.text())
        assert violations(inc) == violations(full), (round_, full.text(), inc.text())
        ref = reference.validate(store, change)
        assert violations(inc) == violations(ref), (round_, ref.text(), inc.text())
        if full.conforms:
            accepted += 1
        else:
            rejected += 1
    # the generator produces both outcomes, so the comparison means something
    assert accepted >= 5 and rejected >= 5


def test_gated_write_commits_conforming_and_leaves_store_unchanged_otherwise(
    model_shapes: Shapes,
) -> None:
    rng = random.Random(7)
    store = OxigraphStore(None)
    store.add(base_graph(rng))
    validator = IncrementalValidator(model_shapes, library())
    before = set(store.quads())
    bad = Change(added=requirement(rng, n("role", "r1"), wrong=True))
    with pytest.raises(GateRejected) as info:
        gated_write(store, validator, bad)
    assert set(store.quads()) == before
    text = info.value.report.text("en")
    assert "requirement/" in text and "another framework" in text
    good = Change(added=requirement(rng, n("role", "r1")))
    result = gated_write(store, validator, good)
    stamped = {q for q in store.quads() if in_stamp_graph(q)}
    assert result.added == 5 and set(store.quads()) == before | set(good.added) | stamped
    assert {q.subject for q in stamped} == {q.subject for q in good.added}  # what it touched


def test_update_change_reads_data_forms_and_general_updates(model_shapes: Shapes) -> None:
    rng = random.Random(3)
    store = OxigraphStore(None)
    store.add(base_graph(rng))
    lbl = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    role = f"<{ID}role/r0>"
    change = update_change(
        store, f'INSERT DATA {{ GRAPH {G} {{ {role} {lbl} "neu"@de }} }}'
    )
    assert change.added == [quad(n("role", "r0"), NamedNode(SKOS + "prefLabel"),
                                 Literal("neu", language="de"))]
    general = update_change(
        store, f"DELETE {{ GRAPH ?g {{ ?s {lbl} ?l }} }} WHERE {{ GRAPH ?g {{ ?s {lbl} ?l }} "
               f"FILTER(?s = {role}) }}"
    )
    assert len(general.removed) == 2 and not general.added
    assert store.count() == len(set(store.quads()))  # nothing was written


def test_project_shapes_incremental_agrees_on_bundled_graph(bundled_ctx: Context) -> None:
    """The project's own shapes, on writes against the bundled graph."""
    store = OxigraphStore(None)
    store.add(bundled_ctx.store.quads())
    shapes = shapes_of(bundled_ctx)
    if not full_validate(store, shapes, Change()).conforms:
        pytest.fail("the bundled graph does not conform to the shapes")
    validator = IncrementalValidator(shapes, library())
    rng = random.Random(11)
    stored = sorted(store.quads(), key=str)
    roles = [x.subject for x in stored if x.predicate == RDF_TYPE and x.object == q("Role")]
    reqs = [x for x in stored if x.predicate in (q("competency"), q("level"))]
    for _ in range(8):
        change = Change()
        if reqs and rng.random() < 0.5:
            change.removed.append(rng.choice(reqs))
        if roles:
            change.added.append(quad(rng.choice(roles), NamedNode(SKOS + "prefLabel"),  # type: ignore[arg-type]
                                     Literal("zweites Label", language="de")))
        change.removed.append(rng.choice(stored))
        full = full_validate(store, shapes, change)
        inc = validator.validate(store, change)
        assert inc.conforms == full.conforms
        assert violations(inc) == violations(full)
