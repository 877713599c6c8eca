"""Every JSON answer of the REST API is JSON-LD under the context it links: expanded with pyld
(the context fetched from ``/context.jsonld`` through the app), the IRIs and types come out
right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pyld import jsonld

from qualifica.api import create_app
from qualifica.namespaces import DCTERMS, ID, QD, RDF, SKOS
from qualifica_testing import LOCAL, rest_graph_context

HYDRA = "http://www.w3.org/ns/hydra/core#"
TYPE = RDF + "type"
LINK = re.compile(r'<([^>]+)>;\s*rel="http://www\.w3\.org/ns/json-ld#context"')


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    ctx = rest_graph_context(tmp_path_factory.mktemp("jsonld"))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield c
    ctx.close()


def loader_for(api: TestClient) -> Any:
    fetched: list[str] = []

    def load(url: str, options: Any = None) -> dict[str, Any]:
        fetched.append(url)
        r = api.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("application/ld+json")
        return {"contextUrl": None, "documentUrl": url, "document": r.json()}

    load.fetched = fetched  # type: ignore[attr-defined]
    return load


def expand(api: TestClient, r: Response) -> list[dict[str, Any]]:
    """Expand a plain JSON answer with the context its ``Link`` header names."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == "application/json"
    match = LINK.search(r.headers["link"])
    assert match, r.headers["link"]
    doc = r.json()
    assert isinstance(doc, dict)
    loader = loader_for(api)
    expanded = jsonld.expand({"@context": match.group(1), **doc},
                             {"documentLoader": loader})
    assert loader.fetched == ["http://127.0.0.1:8000/context.jsonld"]
    return expanded


def ids_of(values: list[dict[str, Any]]) -> list[str]:
    return [v["@id"] for v in values]


def test_node_of_a_detail(api: TestClient) -> None:
    (node,) = expand(api, api.get("/api/roles/prozessmanager"))
    assert node["@id"] == ID + "role/prozessmanager"
    assert ids_of(node[TYPE]) == [QD + "Role"]
    assert node[DCTERMS + "identifier"] == [{"@value": "prozessmanager"}]
    labels = {(v["@value"], v.get("@language")) for v in node[SKOS + "prefLabel"]}
    assert ("Process manager", "en") in labels and ("Prozessmanager/in", "de") in labels
    assert ids_of(node[QD + "performsTask"]) == [ID + "task/prozesse-modellieren"]
    assert ids_of(node[QD + "legalBasis"]) == [ID + "legal-basis/tvoed-5"]
    (req,) = node[QD + "requires"]
    assert req["@id"] == ID + "requirement/prozessmanager-digcomp-4-2"
    assert ids_of(req[TYPE]) == [QD + "CompetencyRequirement"]
    assert ids_of(req[QD + "competency"]) == [ID + "competency/digcomp-4-2"]
    (competency,) = req[QD + "competency"]
    assert ids_of(competency[TYPE]) == [QD + "Competency"]
    (level,) = req[QD + "level"]
    assert ids_of(level[TYPE]) == [QD + "ProficiencyLevel"]
    assert level[QD + "rank"] == [{"@value": 4, "@type": "http://www.w3.org/2001/XMLSchema#integer"}]
    assert req[QD + "essential"][0]["@value"] is True


def test_every_kind_maps_to_its_class(api: TestClient) -> None:
    cases = {
        "/api/tasks/prozesse-modellieren": QD + "Task",
        "/api/competencies/digcomp-4-2": QD + "Competency",
        "/api/frameworks/digcomp-2-2": QD + "CompetencyFramework",
        "/api/levels/digcomp-4": QD + "ProficiencyLevel",
        "/api/training-formats/datenschutz-kurs": QD + "TrainingFormat",
        "/api/legal-bases/bbig-1": QD + "LegalBasis",
    }
    for url, cls in cases.items():
        (node,) = expand(api, api.get(url))
        assert ids_of(node[TYPE]) == [cls], url
    (fmt,) = expand(api, api.get("/api/training-formats/datenschutz-kurs"))
    (kind,) = fmt[QD + "kind"]
    assert kind["@id"] == QD + "Weiterbildung" and ids_of(kind[TYPE]) == [QD + "TrainingKind"]
    (comp,) = expand(api, api.get("/api/competencies/digcomp-4-2"))
    assert ids_of(comp[SKOS + "inScheme"]) == [ID + "framework/digcomp-2-2"]
    assert ids_of(comp[SKOS + "broader"]) == [ID + "competency/digcomp-4"]
    alt = {(v["@value"], v["@language"]) for v in comp[SKOS + "altLabel"]}
    assert alt == {("Datenschutz", "de"), ("Data protection", "en")}


def test_listing_envelope_is_a_hydra_collection(api: TestClient) -> None:
    (page,) = expand(api, api.get("/api/roles", params={"limit": 3, "offset": 3}))
    assert page[HYDRA + "totalItems"][0]["@value"] == 10
    assert len(page[HYDRA + "member"]) == 3
    assert all(ids_of(m[TYPE]) == [QD + "Role"] for m in page[HYDRA + "member"])
    assert page[HYDRA + "next"][0]["@id"].endswith("offset=6")
    assert page[HYDRA + "previous"][0]["@id"].endswith("offset=0")
    (last,) = expand(api, api.get("/api/roles", params={"limit": 3, "offset": 9}))
    assert HYDRA + "next" not in last


def test_search_hierarchy_and_queries_listing_expand(api: TestClient) -> None:
    (found,) = expand(api, api.get("/api/search", params={"q": "datenschutz"}))
    first = found[HYDRA + "member"][0]
    assert first["@id"] == ID + "competency/digcomp-4-2"
    assert first[QD + "matchType"] == [{"@value": "exact"}]
    (empty,) = expand(api, api.get("/api/search", params={"q": "nichts-da"}))
    assert empty.get(HYDRA + "member", []) == []
    (narrow,) = expand(api, api.get("/api/competencies/digcomp-4/narrower"))
    assert narrow[QD + "competency"][0]["@id"] == ID + "competency/digcomp-4"
    (top,) = expand(api, api.get("/api/frameworks/digcomp-2-2/top"))
    assert ids_of(top[SKOS + "inScheme"]) == [ID + "framework/digcomp-2-2"]
    (queries,) = expand(api, api.get("/api/queries"))
    for item in queries.get(HYDRA + "member", []):
        assert item["@id"].startswith("http://127.0.0.1:8000/api/queries/")
        assert ids_of(item[TYPE]) == [QD + "NamedQuery"]


def test_planning_answers_expand(api: TestClient) -> None:
    (roles,) = expand(api, api.get("/api/competencies/digcomp-4-2/roles"))
    assert roles[QD + "competency"][0]["@id"] == ID + "competency/digcomp-4-2"
    role_ids = {r[QD + "role"][0]["@id"] for r in roles[QD + "roles"]}
    assert ID + "role/prozessmanager" in role_ids
    gap = api.post("/api/gap", json={"role": "prozessmanager", "have": []})
    (g,) = expand(api, gap)
    assert g[QD + "role"][0]["@id"] == ID + "role/prozessmanager"
    for closes in (rec.get(QD + "closes", []) for rec in g.get(QD + "recommendations", [])):
        assert all(c["@id"].startswith(ID + "competency/") for c in closes)
    for value in g.get(QD + "uncovered", []):
        assert value["@id"].startswith(ID + "competency/")
    match = api.post("/api/match", json={"have": [{"competency": "digcomp-4-2", "level": 4}]})
    (m,) = expand(api, match)
    for r in m[QD + "roles"]:
        assert all(x["@id"].startswith(ID) for x in r.get(QD + "missing", []))


def test_context_to_rdf_gives_the_same_triples_as_the_store(api: TestClient) -> None:
    r = api.get("/api/legal-bases/bbig-1")
    doc = {"@context": LINK.search(r.headers["link"]).group(1), **r.json()}  # type: ignore[union-attr]
    nquads = jsonld.to_rdf(doc, {"documentLoader": loader_for(api),
                                 "format": "application/n-quads"})
    subject = f"<{ID}legal-basis/bbig-1>"
    assert f"{subject} <{TYPE}> <{QD}LegalBasis> ." in nquads
    assert f"{subject} <{QD}partOf> <{ID}legal-basis/bbig> ." in nquads


def test_bundled_answers_expand(client: TestClient) -> None:
    for url in ["/api/roles/prozessmanager", "/api/roles/cio", "/api/competencies/digcomp-4-2",
                "/api/frameworks/digcomp-2-2", "/api/legal-bases/bbig-1",
                "/api/competencies?limit=5", "/api/training-formats?limit=5",
                "/api/search?q=daten", "/api/queries", "/api/competencies/digcomp-4-2/roles"]:
        (node,) = expand(client, client.get(url))
        assert node, url
    (role,) = expand(client, client.get("/api/roles/cio"))
    assert role["@id"] == ID + "role/cio" and ids_of(role[TYPE]) == [QD + "Role"]
