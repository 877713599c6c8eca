"""The named-query registry fails fast on bad files; settings fail fast on bad combinations."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from qualifica.config import Settings
from qualifica.errors import NotFound
from qualifica.sparql.registry import Registry, RegistryError


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_registry_reads_headers(tmp_path: Path) -> None:
    write(tmp_path, "roles.rq", "#+ summary: All roles\n#+ tags: [roles]\n"
          "#+ params:\n#+   - name: lang\n#+     type: language\n#+     default: de\n"
          "SELECT ?r WHERE { ?r a <https://w3id.org/qualifica/ontology#Role> }\n")
    write(tmp_path / "qc", "x-violation.rq", "#+ summary: none\nSELECT ?x WHERE { ?x ?p ?x }\n")
    write(tmp_path / "lib", "helper.rq", "#+ summary: helper\nASK { ?s ?p ?o }\n")
    reg = Registry(tmp_path)
    q = reg.get("roles")
    assert q.summary == "All roles" and q.tags == ("roles",) and q.form == "select"
    assert q.param("lang").default == "de" and q.projection == ("r",)
    assert list(reg.qc) == ["x-violation"]
    assert reg.internal("helper").form == "ask"
    with pytest.raises(NotFound):
        reg.get("nope")


@pytest.mark.parametrize(
    "text,message",
    [
        ("SELECT * { ?s ?p ?o }", r"no '#\+' header"),
        ("#+ summary: [unclosed\nSELECT * { ?s ?p ?o }", "not valid YAML"),
        ("#+ description: x\nSELECT * { ?s ?p ?o }", "needs a 'summary'"),
        ("#+ summary: x\nSELECT * { ?s ?p ", "SPARQL syntax error"),
        ("#+ summary: x\n#+ params:\n#+   - name: a\n#+     type: colour\nSELECT * {}",
         "unknown type"),
        ("#+ summary: x\n#+ params:\n#+   - name: a-b\nSELECT * {}", "not a SPARQL variable"),
    ],
)
def test_registry_fails_fast(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "bad.rq", text)
    with pytest.raises(RegistryError, match=message):
        Registry(tmp_path)


def test_the_project_queries_all_load() -> None:
    reg = Registry(Path(__file__).resolve().parents[2] / "queries")
    assert len(reg) >= 12
    assert all(q.summary for q in reg)


def test_settings_lists_and_combinations() -> None:
    s = Settings(service_allow="https://a.example/, https://b.example/", api_tokens="t1 t2")
    assert s.service_allow == ["https://a.example/", "https://b.example/"]
    assert s.api_tokens == ["t1", "t2"]
    assert Settings(base_iri="https://x.example").base_iri == "https://x.example/"
    with pytest.raises(ValidationError, match="go together"):
        Settings(sparql_endpoint="http://127.0.0.1:1/q", sparql_user="u")
    with pytest.raises(ValidationError, match="need QUALIFICA_SPARQL_ENDPOINT"):
        Settings(sparql_update_endpoint="http://127.0.0.1:1/u")
    with pytest.raises(ValidationError):
        Settings(query_timeout_s=0)
