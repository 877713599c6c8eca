"""Search and autocomplete: ranking, case and umlaut tolerance, type filter, limits, and the
index following store writes; plus the normalisation functions themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import open_context
from qualifica.linkeddata.search import spelled, stripped
from qualifica.namespaces import GRAPH, ID
from qualifica_testing import LOCAL, load_rest_graph, rest_graph_context

SKOS = "http://www.w3.org/2004/02/skos/core#"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    ctx = rest_graph_context(tmp_path_factory.mktemp("search"))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield c
    ctx.close()


def found(api: TestClient, **params: object) -> list[dict]:
    r = api.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_normalisation() -> None:
    assert spelled("Schützen") == spelled("SCHUETZEN") == "schuetzen"
    assert stripped("Schützen") == stripped("schutzen") == "schutzen"
    assert spelled("Straße") == stripped("STRASSE") == "strasse"
    assert spelled("  Daten   schutz ") == "daten schutz"


def test_exact_before_prefix_before_word_before_infix(api: TestClient) -> None:
    items = found(api, q="Datenschutz")
    assert [(i["id"], i["match"]) for i in items] == [
        ("digcomp-4-2", "exact"),             # altLabel "Datenschutz"
        ("datenschutz-kurs", "prefix"),       # "Datenschutz kompakt"
        ("digcomp-4-2-1", "prefix"),          # "Datenschutzerklärungen verstehen"
        ("ek-recht", "word"),                 # "Recht und Datenschutz"
        ("ek-anwender", "infix"),             # "Anwenderdatenschutz"
    ]
    # the node carries the preferred label, ``matched`` the label that matched
    assert items[0]["label"].startswith("Schutz personenbezogener")
    assert items[0]["matched"] == "Datenschutz"


@pytest.mark.parametrize("q", ["Datenschutz", "datenschutz", "DATENSCHUTZ", " datenschutz "])
def test_case_insensitive(api: TestClient, q: str) -> None:
    assert [i["id"] for i in found(api, q=q)][:1] == ["digcomp-4-2"]


@pytest.mark.parametrize("q", ["Schützen", "schuetzen", "Schuetzen", "schutzen", "SCHÜTZEN"])
def test_umlaut_tolerant(api: TestClient, q: str) -> None:
    assert "digcomp-4-1" in [i["id"] for i in found(api, q=q)]  # "Geräte schützen"


def test_both_languages_and_lang_of_labels(api: TestClient) -> None:
    items = found(api, q="data protection", lang="en")
    assert items[0]["id"] == "digcomp-4-2" and items[0]["match"] == "exact"
    assert items[0]["label"] == "Protecting personal data and privacy"
    # an English label found while answering in German
    assert found(api, q="Safety")[0]["label"] == "Sicherheit"


def test_prefix_for_autocomplete(api: TestClient) -> None:
    items = found(api, q="proz")
    # prefix matches ordered by label: "Prozesse modellieren" < "Prozessmanagement" < ...
    assert [i["id"] for i in items] == ["prozesse-modellieren", "ek-prozess",
                                        "egov-prozessmanagement", "prozessmanager"]
    assert all(i["match"] == "prefix" for i in items)


def test_type_filter(api: TestClient) -> None:
    assert {i["type"] for i in found(api, q="proz", type="role")} == {"role"}
    mixed = found(api, q="proz", type="task,training-format")
    assert {i["type"] for i in mixed} == {"task", "training-format"}
    assert {i["type"] for i in found(api, q="proz", type="roles")} == {"role"}


def test_no_match_is_an_empty_list(api: TestClient) -> None:
    r = api.get("/api/search", params={"q": "xyzzy-nichts"})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["total"] == 0


def test_injection_text_is_just_text(api: TestClient) -> None:
    assert found(api, q='" } ; DROP ALL #') == []
    assert found(api, q="<http://a> }\nx") == []


def test_limit(api: TestClient) -> None:
    assert len(found(api, q="e", limit=2)) == 2
    assert len(found(api, q="rolle", type="role", limit=100)) == 7


@pytest.mark.parametrize("params,name", [
    ({"q": "x", "limit": 0}, "limit"), ({"q": "x", "limit": 101}, "limit"),
    ({"q": ""}, "q"), ({}, "q"), ({"q": "x", "type": "roll"}, "type"),
    ({"q": "x", "lang": "fr"}, "lang"), ({"q": "x" * 201}, "q"),
])
def test_bad_parameters_are_422(api: TestClient, params: dict, name: str) -> None:
    r = api.get("/api/search", params=params)
    assert r.status_code == 422
    assert r.json()["param"] == name


def test_index_follows_writes(tmp_path: Path) -> None:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp_path)
    ctx = open_context(settings)
    try:
        load_rest_graph(ctx)
        with TestClient(create_app(settings, context=ctx), base_url=LOCAL) as c:
            assert c.get("/api/search", params={"q": "Digitallotse"}).json()["items"] == []
            iri = ox.NamedNode(ID + "role/digitallotse")
            g = ox.NamedNode(GRAPH + "x")
            ctx.store.add([
                ox.Quad(iri, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        ox.NamedNode("https://w3id.org/qualifica/ontology#Role"), g),
                ox.Quad(iri, ox.NamedNode(SKOS + "prefLabel"),
                        ox.Literal("Digitallotse/-lotsin", language="de"), g),
            ])
            items = c.get("/api/search", params={"q": "digitallotse"}).json()["items"]
            assert [i["id"] for i in items] == ["digitallotse"]
    finally:
        ctx.close()


def test_bundled_umlaut_search(client: TestClient) -> None:
    for q in ("Schutz von Geräten", "schutz von geraeten", "GERATEN", "geräten"):
        items = client.get("/api/search", params={"q": q}).json()["items"]
        assert "digcomp-4-1" in [i["id"] for i in items], q
    exact = client.get("/api/search", params={"q": "sicherheit", "type": "competency"}).json()
    assert exact["items"][0]["id"] == "digcomp-4" and exact["items"][0]["match"] == "exact"
