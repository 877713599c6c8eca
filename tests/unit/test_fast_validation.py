"""The fast validator (shapes compiled to SPARQL, ``validation/fast/``) against pySHACL.

Both validate the same data with the same shapes and the ontology mixed in; their results must
be the same set of (focus node, path, value, source shape, constraint component, severity): on
every file of ``tests/data``, on the bundled graph, on the benchmark graph (conforming, and
mutated with known violations) and on seeded random mutations of it.
"""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, parse
from rdflib.namespace import SH

from qualifica.config import Settings
from qualifica.context import Context
from qualifica.errors import ValidationFailed
from qualifica.store.stamps import MODIFIED_GRAPH
from qualifica.validation import gate
from qualifica.validation.checks import bundled_files
from qualifica.validation.fast import FastValidator, comparable, outcomes_of_report, runner
from qualifica.validation.fast import validator as validator_module
from qualifica.validation.shacl import Shapes, parse_files, shapes_of, to_rdflib
from qualifica_testing import ROOT as PROJECT_ROOT
from qualifica_testing import bench_generator

DATA = Path(__file__).resolve().parents[1] / "data"
XSD = "http://www.w3.org/2001/XMLSchema#"
Results = set[tuple[str, ...]]


@functools.cache
def shapes() -> Shapes:
    return Shapes(PROJECT_ROOT / "shapes", PROJECT_ROOT / "ontology")


@functools.cache
def fast() -> FastValidator:
    return FastValidator(shapes())


def reference(quads: list[Quad]) -> Results:
    """pySHACL's results (the reference)."""
    _conforms, graph = shapes().pyshacl_report(to_rdflib(quads))
    return comparable(outcomes_of_report(graph, shapes().shapes), shapes().shapes)


def ours(quads: list[Quad]) -> Results:
    return comparable(fast().outcomes_of(quads), shapes().shapes)


def assert_agree(quads: list[Quad]) -> Results:
    expected, got = reference(quads), ours(quads)
    assert got == expected, {"missing": sorted(expected - got), "extra": sorted(got - expected)}
    return got


def violations(results: Results) -> Results:
    return {r for r in results if r[5] == str(SH.Violation)}


def test_every_shape_of_the_project_is_compiled() -> None:
    assert fast().fallback == []
    assert len(fast().compiled) >= 20


@pytest.mark.parametrize("path", sorted((DATA / "valid").glob("*.ttl")), ids=lambda p: p.name)
def test_agrees_on_a_valid_file(path: Path) -> None:
    results = assert_agree(parse_files([path])[path])
    assert not violations(results)


@pytest.mark.parametrize("path", sorted((DATA / "invalid").glob("*.ttl")), ids=lambda p: p.name)
def test_agrees_on_an_invalid_file(path: Path) -> None:
    results = assert_agree(parse_files([path])[path])
    assert violations(results), "every file of tests/data/invalid breaks a rule"


def test_agrees_on_the_bundled_graph() -> None:
    files = bundled_files(Settings())
    quads = [q for qs in parse_files(files).values() for q in qs]
    results = assert_agree(quads)
    assert not violations(results)
    assert fast().validate_quads(quads).conforms


def generated(tmp_path: Path, scale: float, seed: int = 7) -> tuple[Path, list[Quad]]:
    path = tmp_path / "graph.nt"
    bench_generator().write(scale, seed, path)
    return path, list(parse(path=str(path), format=RdfFormat.N_TRIPLES))


def test_the_benchmark_graph_conforms_and_its_mutation_has_the_known_violations(
        tmp_path: Path) -> None:
    gen = bench_generator()
    path, quads = generated(tmp_path, 0.01)
    assert not violations(assert_agree(quads))
    mutated = tmp_path / "mutated.nt"
    expected = gen.write_mutated(path, mutated, 12, seed=3)
    assert len(expected) == 12
    results = assert_agree(list(parse(path=str(mutated), format=RdfFormat.N_TRIPLES)))
    found = sorted((r[0].strip("<>"), r[3], r[4]) for r in violations(results))
    assert found == sorted(tuple(v) for v in expected)


def _literals() -> list[Literal]:
    return [
        Literal("frei"), Literal("Bezeichnung", language="de"), Literal("label", language="en"),
        Literal("Wien", language="de-AT"), Literal("zweite", language="de"),
        Literal("0", datatype=NamedNode(XSD + "integer")),
        Literal("-2", datatype=NamedNode(XSD + "integer")),
        Literal("7", datatype=NamedNode(XSD + "integer")),
        Literal("abc", datatype=NamedNode(XSD + "integer")),
        Literal("true", datatype=NamedNode(XSD + "boolean")),
        Literal("yes", datatype=NamedNode(XSD + "boolean")),
        Literal("2.5", datatype=NamedNode(XSD + "decimal")), Literal("3"),
        Literal("§ 4 Gesetz", language="de"),
    ]


def mutate(quads: list[Quad], rng: random.Random, steps: int) -> list[Quad]:
    """Random edits: drop a triple, add one (shape predicates, any node or literal), point an
    object elsewhere, retype a node, add a blank node."""
    quads = list(quads)
    nodes = sorted({q.subject for q in quads} | {q.object for q in quads
                                                  if isinstance(q.object, NamedNode)},
                   key=str)
    preds = sorted({q.predicate for q in quads}, key=str) + [
        NamedNode("https://w3id.org/qualifica/ontology#" + p)
        for p in ("editorial", "legalForm", "develops", "partOf", "rank", "levelOf")
    ] + [NamedNode("http://purl.org/dc/terms/isReplacedBy"),
         NamedNode("http://www.w3.org/2004/02/skos/core#definition"),
         NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")]
    classes = sorted({q.object for q in quads if q.predicate.value.endswith("#type")}, key=str)
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    literals = _literals()
    for _ in range(steps):
        kind = rng.randrange(6)
        if kind == 0 and quads:
            quads.pop(rng.randrange(len(quads)))
        elif kind == 1:
            obj = rng.choice(literals) if rng.random() < 0.5 else rng.choice(nodes)
            quads.append(Quad(rng.choice(nodes), rng.choice(preds), obj))
        elif kind == 2:
            i = rng.randrange(len(quads))
            q = quads[i]
            obj = rng.choice(nodes) if isinstance(q.object, NamedNode) else rng.choice(literals)
            quads[i] = Quad(q.subject, q.predicate, obj, q.graph_name)
        elif kind == 3:
            quads.append(Quad(rng.choice(nodes), rdf_type, rng.choice(classes)))
        elif kind == 4:
            b = BlankNode()
            quads.append(Quad(rng.choice(nodes), rng.choice(preds), b))
            quads.append(Quad(b, rdf_type, rng.choice(classes)))
        else:  # a cycle or a shared rank: the SPARQL-based rules
            a, b = rng.sample(nodes, 2)
            p = rng.choice([NamedNode("http://www.w3.org/2004/02/skos/core#broader"),
                            NamedNode("https://w3id.org/qualifica/ontology#partOf")])
            quads += [Quad(a, p, b), Quad(b, p, a)]
    return quads


@pytest.fixture(scope="module")
def small_graph(tmp_path_factory: pytest.TempPathFactory) -> list[Quad]:
    return generated(tmp_path_factory.mktemp("fast"), 0.001)[1]


@pytest.mark.parametrize("seed", range(12))
def test_agrees_on_random_mutations_of_the_benchmark_graph(small_graph: list[Quad],
                                                           seed: int) -> None:
    rng = random.Random(seed)
    assert_agree(mutate(small_graph, rng, steps=rng.randint(3, 12)))


def test_a_shape_it_cannot_compile_is_validated_by_pyshacl(tmp_path: Path) -> None:
    shapes_dir = tmp_path / "shapes"
    shapes_dir.mkdir()
    (shapes_dir / "pattern.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix qd: <https://w3id.org/qualifica/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<urn:x:LabelPattern> a sh:NodeShape ; sh:targetClass qd:Role ;\n"
        "  sh:property [ sh:path skos:prefLabel ; sh:pattern \"^Rolle\" ] .\n"
        "<urn:x:Counted> a sh:NodeShape ; sh:targetClass qd:Role ;\n"
        "  sh:property [ sh:path skos:prefLabel ; sh:maxCount 1 ] .\n",
        encoding="utf-8")
    custom = Shapes(shapes_dir, PROJECT_ROOT / "ontology")
    validator = FastValidator(custom)
    assert [str(n) for n in validator.fallback] == ["urn:x:LabelPattern"]
    quads = parse_files([DATA / "valid" / "complete-role.ttl"])[DATA / "valid" /
                                                                 "complete-role.ttl"]
    _conforms, graph = custom.pyshacl_report(to_rdflib(quads))
    expected = comparable(outcomes_of_report(graph, custom.shapes), custom.shapes)
    got = comparable(validator.outcomes_of(quads), custom.shapes)
    assert got == expected
    components = {r[4] for r in got}
    assert str(SH.PatternConstraintComponent) in components  # from pySHACL
    assert str(SH.MaxCountConstraintComponent) in components  # compiled


def test_focus_nodes_keep_only_their_results(small_graph: list[Quad]) -> None:
    broken = mutate(small_graph, random.Random(99), steps=10)
    store = fast().memory_store(broken)
    every = fast().outcomes(store)
    assert every
    focus = sorted({o.focus for o in every if isinstance(o.focus, NamedNode)}, key=str)[:2]
    assert fast().outcomes(store, focus) == [o for o in every if o.focus in focus]


def test_a_large_load_is_written_in_bulk_or_not_at_all(
        empty_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    store = empty_ctx.store
    shapes = shapes_of(empty_ctx)
    first, second = DATA / "valid" / "complete-role.ttl", DATA / "valid" / "shared-scale.ttl"
    monkeypatch.setattr(gate, "BULK_MIN", 1)
    written: list[int] = []
    bulk_add = store.bulk_add  # type: ignore[attr-defined]

    def failing(quads: list[Quad]) -> None:
        bulk_add(quads[: len(quads) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(store, "bulk_add", failing)
    with pytest.raises(OSError):
        gate.load_files(store, shapes, [first])
    assert store.count() == 0  # as it was
    monkeypatch.setattr(store, "bulk_add", lambda quads: (written.append(len(quads)),
                                                          bulk_add(quads)))
    result = gate.load_files(store, shapes, [first])
    # beside the quads, in the same bulk, the dcterms:modified stamps of the resources they touch
    assert written == [result.quads + stamps(store)] and store.count() == written[0]
    before = sorted(map(str, store.quads()))
    # into a store that holds something: a failure leaves what it held, and only that
    monkeypatch.setattr(store, "bulk_add", failing)
    with pytest.raises(OSError):
        gate.load_files(store, shapes, [second])
    assert sorted(map(str, store.quads())) == before
    monkeypatch.setattr(store, "bulk_add", lambda quads: (written.append(len(quads)),
                                                          bulk_add(quads)))
    data_before = store.count() - stamps(store)
    result = gate.load_files(store, shapes, [second])
    assert len(written) == 2
    # the bulk held the new data and a fresh stamp per touched resource; the stamps those
    # replace are gone: one stamp per resource, the newest for those the load touched
    newest = max(q.object.value for q in store.quads(graph=MODIFIED_GRAPH))  # type: ignore[attr-defined]
    fresh = [q for q in store.quads(graph=MODIFIED_GRAPH)  # type: ignore[attr-defined]
             if q.object.value == newest]
    assert written[1] == (store.count() - stamps(store) - data_before) + len(fresh)
    subjects = [q.subject for q in store.quads(graph=MODIFIED_GRAPH)]  # type: ignore[attr-defined]
    assert len(subjects) == len(set(subjects))
    assert result.after == store.count()


def stamps(store: object) -> int:
    return len(list(store.quads(graph=MODIFIED_GRAPH)))  # type: ignore[attr-defined]


def test_two_processes_find_what_one_finds(small_graph: list[Quad]) -> None:
    validator = fast()
    store = validator.memory_store(mutate(small_graph, random.Random(5), steps=12))
    alone = validator.outcomes(store)
    assert alone
    assert validator.outcomes(store, workers=2) == alone  # a forked copy takes its share
    jobs = runner.plan(store, validator.compiled, runner.subclasses(store), None)
    assert len(jobs) > 10
    assert runner.run_shared(store, jobs) == set(alone)


def test_an_on_disk_store_is_validated_in_place_by_two_processes(
        small_graph: list[Quad], tmp_path: Path) -> None:
    validator = fast()
    quads = mutate(small_graph, random.Random(7), steps=12)
    expected = validator.outcomes(validator.memory_store(quads))
    assert expected
    folder = tmp_path / "store"
    disk = Store(str(folder))
    disk.extend(quads)  # in RocksDB's memory table, not yet in its files
    validator.add_ontology(disk)
    assert validator.outcomes(disk, workers=2, path=folder) == expected
    assert not any((tmp_path / ".readers").iterdir())  # the checkpoint is gone
    report = validator.validate_store(disk, path=folder)
    assert len(report.findings) == len(expected)
    # no checkpoint can be made beside the folder: validated by this process alone
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    assert validator.outcomes(disk, workers=2, path=tmp_path / "a-file" / "store") == expected
    jobs = runner.plan(disk, validator.compiled, runner.subclasses(disk), None)
    with pytest.raises(RuntimeError, match="second validation process"):
        runner.run_shared(disk, jobs, checkpoint=tmp_path / "no-such-store")


def _write(path: Path, quads: list[Quad]) -> Path:
    store = Store()
    store.extend(quads)
    path.write_bytes(store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()))
    return path


def _ran_in_a_fresh_process(request: pytest.FixtureRequest) -> bool:
    """Whether this test was run again in a fresh Python process, and passed there: a second
    process is forked only from a process without other threads (``runner.can_fork``), and a
    test session that started servers earlier has threads. ``False`` in that fresh process
    (or when there are no other threads), so the test runs there itself."""
    if os.environ.get("QUALIFICA_TEST_FRESH") == "1" or runner.can_fork():
        return False
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
        cwd=PROJECT_ROOT, env={**os.environ, "QUALIFICA_TEST_FRESH": "1"}, capture_output=True,
        text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return True


def _early_runs(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Validate files of any size with an early copy; record whether each copy was used."""
    monkeypatch.setattr(validator_module, "EARLY_BYTES", 0)
    used: list[bool] = []
    shared = runner.run_shared

    def spy(*args: object, **kwargs: object) -> object:
        used.append(kwargs.get("early") is not None)
        return shared(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "run_shared", spy)
    return used


def test_a_file_parsed_by_both_processes_at_once_gives_the_same_results(
        small_graph: list[Quad], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    if _ran_in_a_fresh_process(request):
        return
    validator = fast()
    quads = [q for q in mutate(small_graph, random.Random(11), steps=12)
             if not isinstance(q.subject, BlankNode) and not isinstance(q.object, BlankNode)]
    path = _write(tmp_path / "graph.nt", quads)
    expected = validator.report(validator.outcomes_of(quads)).findings
    assert expected
    used = _early_runs(monkeypatch)
    assert validator.validate_files([path]).findings == expected
    assert used == [True]  # the copy parsed the file itself and took its share


def test_a_file_with_blank_nodes_is_shared_only_after_parsing(
        small_graph: list[Quad], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    if _ran_in_a_fresh_process(request):
        return
    validator = fast()
    quads = mutate(small_graph, random.Random(11), steps=12)
    blank = BlankNode()
    quads.append(Quad(blank, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      NamedNode("https://w3id.org/qualifica/ontology#Competency")))
    path = _write(tmp_path / "graph.nt", quads)
    expected = validator.validate_files([path]).findings  # no copy: the file is small
    assert any(not f.focus.startswith("http") for f in expected)  # a blank node
    used = _early_runs(monkeypatch)
    report = validator.validate_files([path])
    assert used == [False]  # its labels of blank nodes would differ: a copy of this one's store
    assert len(report.findings) == len(expected)
    assert {f.focus for f in report.findings if f.focus.startswith("http")} == {
        f.focus for f in expected if f.focus.startswith("http")}


def test_a_syntax_error_only_a_strict_parse_finds_is_reported(
        small_graph: list[Quad], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "graph.nt", [q for q in small_graph
                                          if not isinstance(q.subject, BlankNode)
                                          and not isinstance(q.object, BlankNode)])
    with path.open("ab") as f:
        f.write(b"<no-scheme> <http://example.org/p> <http://example.org/o> .\n")
    with pytest.raises(ValidationFailed) as alone:
        fast().validate_files([path])
    _early_runs(monkeypatch)
    with pytest.raises(ValidationFailed) as early:  # this process parses leniently
        fast().validate_files([path])
    assert early.value.detail == alone.value.detail
    assert "No scheme found" in early.value.detail


def test_the_same_check_of_several_shapes_is_one_query(small_graph: list[Quad]) -> None:
    validator = fast()
    store = validator.memory_store(mutate(small_graph, random.Random(3), steps=12))
    jobs = runner.plan(store, validator.compiled, runner.subclasses(store), None)
    merged = [j for j in jobs if j.kind == "value"]
    assert merged  # e.g. sh:class of qd:competency for requirements and learning outcomes
    assert all(len({q.shape for q in j.queries}) > 1 for j in merged)
    assert validator.outcomes(store, workers=2) == validator.outcomes(store)


SKOS = "http://www.w3.org/2004/02/skos/core#"


def test_at_least_and_at_most_on_one_path_are_counted_in_one_query(
        small_graph: list[Quad]) -> None:
    competencies = sorted({q.subject for q in small_graph
                           if q.object == NamedNode("https://w3id.org/qualifica/ontology#Competency")},
                          key=str)
    none, two = competencies[:2]
    label = NamedNode(SKOS + "prefLabel")
    quads = [q for q in small_graph if not (q.subject == none and q.predicate == label)]
    quads.append(Quad(two, label, Literal("Zweite Bezeichnung", language="de")))
    store = fast().memory_store(quads)
    jobs = runner.plan(store, fast().compiled, runner.subclasses(store), None)
    counted = [j for j in jobs if j.kind == "count"]
    assert counted and all({q.kind for q in j.queries} == {"min", "max"} for j in counted)
    results = assert_agree(quads)  # pySHACL finds the same
    components = {(r[0], r[4]) for r in results}
    assert (f"<{none.value}>", str(SH.QualifiedMinCountConstraintComponent)) in components
    assert (f"<{two.value}>", str(SH.QualifiedMaxCountConstraintComponent)) in components


def test_the_look_ups_of_focus_nodes_are_shared_by_both_processes(
        small_graph: list[Quad]) -> None:
    validator = fast()
    a, b = sorted({q.subject for q in small_graph
                   if q.object == NamedNode("https://w3id.org/qualifica/ontology#Competency")},
                  key=str)[:2]
    broader = NamedNode(SKOS + "broader")
    quads = [*small_graph, Quad(a, broader, b), Quad(b, broader, a)]  # a cycle
    store = validator.memory_store(quads)
    hierarchy = runner.subclasses(store)
    jobs = runner.plan(store, validator.compiled, hierarchy, None, "bulk", listings=True)
    listings = [j for j in jobs if j.kind == "listing"]
    assert listings  # the SPARQL-based targets: looked up by whichever process is free
    alone = validator.outcomes(store)
    assert any(o.component == SH.SPARQLConstraintComponent and o.focus == a for o in alone)
    assert runner.run_shared(store, jobs) == set(alone)
    assert validator.outcomes(store, workers=2) == alone


def test_the_queries_planned_for_a_store_on_disk_find_the_same(small_graph: list[Quad]) -> None:
    validator = fast()
    quads = small_graph[::2]  # half the statements: many focus nodes miss values
    store = validator.memory_store(quads)
    hierarchy = runner.subclasses(store)
    jobs = runner.plan(store, validator.compiled, hierarchy, None, on_disk=True)
    present = [j for j in jobs if j.kind == "present"]
    assert present and all("GROUP BY" in j.text for j in present)
    found = set()
    for job in jobs:
        found |= runner.collect(store, job, store.query(job.text, use_default_graph_as_union=True))
    assert any(o.component == SH.MinCountConstraintComponent for o in found)
    assert found == set(validator.outcomes(store))
    assert comparable(found, shapes().shapes) == reference(quads)


def test_a_syntax_error_in_a_file_with_blank_nodes_is_reported(
        small_graph: list[Quad], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quads = [*small_graph, Quad(BlankNode(), NamedNode("http://example.org/p"), Literal("x"))]
    path = _write(tmp_path / "graph.nt", quads)
    with path.open("ab") as f:
        f.write(b"<no-scheme> <http://example.org/p> <http://example.org/o> .\n")
    used = _early_runs(monkeypatch)
    # this process parses leniently at once; the copy, unable to share (blank nodes), parses
    # strictly for the errors only
    with pytest.raises(ValidationFailed, match="No scheme found"):
        fast().validate_files([path])
    assert used == []  # no validation after the error


@pytest.mark.parametrize("seed", range(6))
def test_the_queries_planned_for_a_store_on_disk_agree_on_random_mutations(
        small_graph: list[Quad], seed: int) -> None:
    # on disk a class check is a MINUS, the counts group scans: the same results as
    # pySHACL's, also where values have the wrong class or too many labels
    validator = fast()
    rng = random.Random(100 + seed)
    subject = next(q.subject for q in small_graph
                   if q.predicate == NamedNode("https://w3id.org/qualifica/ontology#competency"))
    quads = [*mutate(small_graph, rng, steps=rng.randint(3, 12)),
             Quad(subject, NamedNode("https://w3id.org/qualifica/ontology#competency"), subject),
             Quad(subject, NamedNode(SKOS + "prefLabel"), Literal(f"noch eins {seed}",
                                                                    language="de"))]
    store = validator.memory_store(quads)
    jobs = runner.plan(store, validator.compiled, runner.subclasses(store), None, "bulk",
                       listings=True, on_disk=True)
    assert any(j.kind == "value" and "MINUS { ?v a ?_k" in j.text for j in jobs)
    assert any(j.kind == "count" and "UNION" in j.text for j in jobs)
    found: set = set()
    for job in jobs:
        found |= runner.collect(store, job, store.query(job.text, use_default_graph_as_union=True))
    got = comparable(found, shapes().shapes)
    assert any(r[4] == str(SH.ClassConstraintComponent) for r in got)
    assert any(r[4] == str(SH.QualifiedMaxCountConstraintComponent) for r in got)
    expected = reference(quads)
    assert got == expected, {"missing": sorted(expected - got), "extra": sorted(got - expected)}


def test_a_fast_select_replaces_the_sparql_target_and_selects_the_same(
        small_graph: list[Quad]) -> None:
    # the shapes give some SPARQL targets in a second form, for Oxigraph (qds:fastSelect)
    from qualifica.validation.fast.compiler import FAST_SELECT

    graph = shapes().shapes
    targets = list(graph.subject_objects(FAST_SELECT))
    assert len(targets) >= 2
    qd = "https://w3id.org/qualifica/ontology#"
    requirement = next(q.subject for q in small_graph if q.predicate == NamedNode(qd + "level"))
    quads = [*small_graph,
             # an instance IRI of the wrong form; a level in no framework of the competency
             Quad(NamedNode("https://example.org/x"),
                  NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  NamedNode(qd + "Role")),
             Quad(requirement, NamedNode(qd + "level"),
                  NamedNode("https://w3id.org/qualifica/id/level/elsewhere"))]
    store = fast().memory_store(quads)
    head = (f"PREFIX qd: <{qd}>\nPREFIX skos: <{SKOS}>\n"
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")
    for target, fast_text in targets:
        standard = graph.value(target, SH.select)
        assert standard is not None
        selected = [{str(r["this"]) for r in store.query(head + str(text),
                                                         use_default_graph_as_union=True)}
                    for text in (standard, fast_text)]
        assert selected[0]  # the additions make each target select something
        assert selected[0] == selected[1]
    assert_agree(quads)


def test_the_split_of_the_jobs_over_two_processes_is_measured(
        small_graph: list[Quad], tmp_path: Path) -> None:
    validator = fast()
    quads = mutate(small_graph, random.Random(11), steps=8)
    expected = validator.outcomes(validator.memory_store(quads))
    folder = tmp_path / "store"
    disk = Store(str(folder))
    disk.extend(quads)
    validator.add_ontology(disk)
    report = validator.validate_store(disk, path=folder)
    assert len(report.findings) == len(expected)
    stats = validator.last_stats
    jobs = runner.plan(disk, validator.compiled, runner.subclasses(disk), None, "bulk",
                       listings=True, on_disk=True)
    # every job ran once, in one process or the other, each timed
    assert stats["own_jobs"] + stats["other_jobs"] == len(jobs)
    assert stats["own_jobs_s"] > 0 and stats["other_jobs"] >= 0


def test_queries_shared_by_two_processes_give_what_one_gives(
        small_graph: list[Quad], tmp_path: Path) -> None:
    # the quality queries of `check --store`: this process and one reading a checkpoint
    from qualifica.validation.fast.validator import run_queries

    folder = tmp_path / "store"
    disk = Store(str(folder))
    disk.extend(small_graph)
    texts = [f"SELECT ?s ?o WHERE {{ ?s <{SKOS}prefLabel> ?o }} ORDER BY ?s ?o",
             "SELECT ?s WHERE { ?s a <https://w3id.org/qualifica/ontology#Role> } ORDER BY ?s",
             "SELECT ?s WHERE { ?s a <https://example.org/Nothing> }",
             "ASK { ?s ?p ?o }"] * 3
    results = run_queries(disk, folder, texts)
    assert len(results) == len(texts)
    for text, (result, seconds) in zip(texts, results, strict=True):
        alone = disk.query(text, use_default_graph_as_union=True)
        assert seconds >= 0
        if text.startswith("ASK"):
            assert bool(result) is bool(alone)
            continue
        assert [str(v) for v in result.variables] == [str(v) for v in alone.variables]
        assert [[str(row[v]) for v in alone.variables] for row in result] == [
            [str(row[v]) for v in alone.variables] for row in alone]
    assert not any((tmp_path / ".readers").iterdir())  # the checkpoint is gone
    with pytest.raises((RuntimeError, SyntaxError)):  # the other fails or this one does
        run_queries(disk, folder, ["SELECT nonsense"] * 4)
