"""The core commands as a user runs them: ``.venv/bin/qualifica`` in a subprocess, configured by
``QUALIFICA_*`` variables of that subprocess only (an on-disk store in a temporary folder).

The store's "bundled graph" is the real ontology and vocabularies plus an empty data folder, so
that these tests do not depend on the size of the bundled data; named and quality queries come
from a temporary folder as well.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat, parse

from qualifica.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
QUALIFICA = Path(sys.executable).parent / "qualifica"
VALID = ROOT / "tests" / "data" / "valid" / "complete-role.ttl"
ROLE = "https://w3id.org/qualifica/id/role/kaputt"

# A role with a German label only and no source: two violations.
BAD = """@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/qualifica/id/role/kaputt> a qd:Role ; skos:prefLabel "Kaputt"@de .
"""
SYNTAX = '@prefix ex: <http://example.org/> .\nex:a ex:b "never closed .\n'
NAMED = """#+ summary: Labels of a resource
#+ params:
#+   - name: resource
#+     type: iri
#+     kind: role
#+     required: true
#+ example: {resource: testrolle}
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE { ?resource skos:prefLabel ?label } ORDER BY ?label
"""
QC_PASS = """#+ summary: Roles without a label (none expected)
PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?role WHERE { ?role a qd:Role FILTER NOT EXISTS { ?role skos:prefLabel ?l } }
"""


@dataclass
class Cli:
    """Runs the installed ``qualifica`` with its own environment."""

    env: dict[str, str]
    store_dir: Path
    tmp: Path

    def __call__(self, *args: str | Path, env: dict[str, str] | None = None
                 ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(QUALIFICA), *map(str, args)], env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=300, check=False,
        )

    def count(self) -> int:
        """Quads in the on-disk store (read after the command has ended)."""
        store = OxigraphStore(self.store_dir / "store")
        try:
            return store.count()
        finally:
            store.close()

    def graphs(self) -> list[str]:
        store = OxigraphStore(self.store_dir / "store")
        try:
            return store.named_graphs()
        finally:
            store.close()


def _env(tmp: Path, queries: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUALIFICA_")}
    bundled = tmp / "bundled"
    bundled.mkdir(exist_ok=True)
    env.update({
        "QUALIFICA_DATA_DIR": str(tmp / "var"),
        "QUALIFICA_BUNDLED_DIR": str(bundled),
        "QUALIFICA_QUERIES_DIR": str(queries),
        "COLUMNS": "200",
    })
    return env


def _queries(tmp: Path) -> Path:
    queries = tmp / "queries"
    (queries / "qc").mkdir(parents=True)
    (queries / "labels-of.rq").write_text(NAMED, encoding="utf-8")
    (queries / "qc" / "role-without-label-violation.rq").write_text(QC_PASS, encoding="utf-8")
    return queries


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the ontology, vocabularies and ``complete-role.ttl``, made once by
    ``qualifica load`` (tests work on copies)."""
    tmp = tmp_path_factory.mktemp("cli-template")
    cli = Cli(_env(tmp, _queries(tmp)), tmp / "var", tmp)
    ok = cli("load", VALID)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "quads written" in ok.stdout
    return tmp / "var"


def _cli(tmp: Path) -> Cli:
    (tmp / "bad.ttl").write_text(BAD, encoding="utf-8")
    (tmp / "syntax.ttl").write_text(SYNTAX, encoding="utf-8")
    return Cli(_env(tmp, _queries(tmp)), tmp / "var", tmp)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A fresh, empty data folder."""
    return _cli(tmp_path)


@pytest.fixture
def loaded(tmp_path: Path, loaded_store: Path) -> Cli:
    """A data folder holding a copy of the loaded store."""
    shutil.copytree(loaded_store, tmp_path / "var")
    return _cli(tmp_path)


def test_invalid_and_broken_files_leave_the_store_unchanged(loaded: Cli) -> None:
    cli = loaded
    before = cli.count()
    assert before > 0
    assert "https://w3id.org/qualifica/graph/complete-role" in cli.graphs()

    # a SHACL violation: exit 1, the report names node, rule (shape) and message
    bad = cli("load", cli.tmp / "bad.ttl")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "nothing was written" in bad.stdout
    lines = [line for line in bad.stdout.splitlines() if line.startswith("Violation")]
    assert len(lines) == 2
    prefix_line = next(line for line in lines if "prefLabelEn" in line)
    assert f"<{ROLE}>" in prefix_line
    assert "https://w3id.org/qualifica/shapes#prefLabelEn" in prefix_line
    assert "English preferred label" in prefix_line
    assert "Traceback" not in bad.stdout + bad.stderr
    assert cli.count() == before

    # a Turtle syntax error: exit 1, the report names file and line
    broken = cli("load", cli.tmp / "syntax.ttl")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "syntax.ttl" in broken.stdout and "syntax error" in broken.stdout
    assert "line 2" in broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr
    assert cli.count() == before

    # one bad file among good ones: none of them is written
    mixed_file = cli.tmp / "other-role.ttl"
    mixed_file.write_text(VALID.read_text(encoding="utf-8").replace("testrolle", "zweitrolle"),
                          encoding="utf-8")
    mixed = cli("load", mixed_file, cli.tmp / "bad.ttl")
    assert mixed.returncode == 1
    assert cli.count() == before
    assert "https://w3id.org/qualifica/graph/other-role" not in cli.graphs()


def test_load_into_a_named_graph_and_a_bad_graph_iri(loaded: Cli) -> None:
    cli = loaded
    bad = cli("load", "--graph", "not an iri", VALID)
    assert bad.returncode == 2 and "graph" in bad.stderr
    other = cli.tmp / "other.ttl"
    other.write_text(VALID.read_text(encoding="utf-8").replace("testrolle", "drittrolle"),
                     encoding="utf-8")
    ok = cli("load", "--graph", "https://example.org/graph/mine", other)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "https://example.org/graph/mine" in cli.graphs()


def test_validate_exit_codes_and_formats(cli: Cli) -> None:
    ok = cli("validate", VALID)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Conforms" in ok.stdout
    bad = cli("validate", cli.tmp / "bad.ttl")
    assert bad.returncode == 1
    assert f"<{ROLE}>" in bad.stdout and "shapes#source" in bad.stdout
    as_json = cli("validate", "--format", "json", cli.tmp / "bad.ttl")
    assert as_json.returncode == 1
    doc = json.loads(as_json.stdout)
    assert doc["conforms"] is False
    assert {r["focusNode"] for r in doc["results"]} == {ROLE}
    as_ttl = cli("validate", "--format", "turtle", cli.tmp / "bad.ttl")
    assert as_ttl.returncode == 1
    report = rdflib.Graph().parse(data=as_ttl.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, rdflib.RDF.type, sh.ValidationReport) in report
    assert (None, sh.focusNode, rdflib.URIRef(ROLE)) in report
    broken = cli("validate", cli.tmp / "syntax.ttl")
    assert broken.returncode == 2 and "syntax error" in broken.stderr
    # the store is not touched by validate
    assert not (cli.store_dir / "store").exists()


def test_query_forms_and_named_queries(loaded: Cli) -> None:
    cli = loaded
    table = cli("query", "SELECT ?l WHERE { <https://w3id.org/qualifica/id/role/testrolle> "
                         "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } ORDER BY ?l")
    assert table.returncode == 0, table.stderr
    assert "Test role" in table.stdout and "Testrolle" in table.stdout
    assert "2 row(s)" in table.stdout
    as_json = cli("query", "--format", "json", "ASK { ?s ?p ?o }")
    assert json.loads(as_json.stdout) == {"head": {}, "boolean": True}
    named = cli("query", "--name", "labels-of", "-p", "resource=testrolle", "--format", "csv")
    assert named.returncode == 0, named.stderr
    assert named.stdout.splitlines()[:3] == ["label", "Test role", "Testrolle"]
    query_file = cli.tmp / "q.rq"
    query_file.write_text("CONSTRUCT WHERE { ?s a <https://w3id.org/qualifica/ontology#Role> }",
                          encoding="utf-8")
    graph = cli("query", "--file", query_file, "--format", "csv")
    assert "<https://w3id.org/qualifica/id/role/testrolle>" in graph.stdout
    # errors: exit 2 with one clear line
    assert cli("query", "SELECT * {").returncode == 2
    missing = cli("query", "--name", "labels-of")
    assert missing.returncode == 2 and "resource" in missing.stderr
    update = cli("query", "DELETE WHERE { ?s ?p ?o }")
    assert update.returncode == 2 and "read-only" in update.stderr


def test_export_writes_what_the_store_holds(loaded: Cli) -> None:
    cli = loaded
    count = cli.count()
    target = cli.tmp / "all.nq"
    r = cli("export", "--format", "nq", "-o", target)
    assert r.returncode == 0, r.stderr
    assert len(list(parse(path=target, format=RdfFormat.N_QUADS))) == count
    ttl = cli("export", "--format", "ttl")
    assert ttl.returncode == 0
    triples = list(parse(ttl.stdout.encode(), format=RdfFormat.TURTLE))
    assert 0 < len(triples) <= count
    jsonld = cli("export", "--format", "jsonld", "--graph",
                 "https://w3id.org/qualifica/graph/complete-role")
    assert len(list(parse(jsonld.stdout.encode(), format=RdfFormat.JSON_LD))) == len(
        list(parse(path=VALID, format=RdfFormat.TURTLE)))


def test_check_passes_and_fails(cli: Cli) -> None:
    ok = cli("check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "consistent (HermiT)" in ok.stdout
    assert "qc: role-without-label-violation" in ok.stdout
    assert "passed" in ok.stdout
    # a quality query that finds rows makes the check fail
    failing = Path(cli.env["QUALIFICA_QUERIES_DIR"]) / "qc" / "every-ontology-violation.rq"
    failing.write_text("#+ summary: Every ontology (for the test)\n"
                       "SELECT ?o WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> }\n",
                       encoding="utf-8")
    bad = cli("check", "--skip-reasoner")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "https://w3id.org/qualifica/ontology" in bad.stdout
    # bundled data that does not conform makes it fail too
    (Path(cli.env["QUALIFICA_BUNDLED_DIR"]) / "bad.ttl").write_text(BAD, encoding="utf-8")
    failing.unlink()
    shacl = cli("check", "--skip-reasoner")
    assert shacl.returncode == 1
    assert ROLE in shacl.stdout


def test_check_store_validates_the_configured_store(loaded: Cli) -> None:
    ok = loaded("check", "--store")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "store conforms to the shapes" in ok.stdout
    assert "qc: role-without-label-violation" in ok.stdout
    assert "consistent (HermiT)" not in ok.stdout  # the store's checks only
    # a role written past the gate (no label, no source): SHACL and the quality query fail
    from pyoxigraph import NamedNode, Quad

    store = OxigraphStore(loaded.store_dir / "store")
    try:
        store.add([Quad(NamedNode(ROLE), NamedNode(str(rdflib.RDF.type)),
                        NamedNode("https://w3id.org/qualifica/ontology#Role"),
                        NamedNode("https://w3id.org/qualifica/graph/past-the-gate"))])
    finally:
        store.close()
    bad = loaded("check", "--store")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert ROLE in bad.stdout and "shapes#prefLabelDe" in bad.stdout
    assert "role-without-label-violation" in bad.stdout and "1 row(s)" in bad.stdout
