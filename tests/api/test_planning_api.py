"""The planning endpoints over the hand-made graph, through the real app (in process and over
real HTTP), with their error answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api import create_app
from qualifica.namespaces import QD, RDF, XSD
from qualifica_testing import LOCAL, PLANNING_GRAPH, LiveServer, planning_context

ID = "https://w3id.org/qualifica/id/"
GRAPH = NamedNode(PLANNING_GRAPH)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Read-only client over the small graph."""
    ctx = planning_context(tmp_path_factory.mktemp("planning-api"))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client
    ctx.close()


def ids(nodes: list[dict[str, str]]) -> list[str]:
    return [n["id"] for n in nodes]


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


# --- roles of a competency -------------------------------------------------------------------

def test_roles_for_competency(api: TestClient) -> None:
    body = api.get("/api/competencies/datenschutz/roles").json()
    assert body["competency"] == {"iri": ID + "competency/datenschutz", "id": "datenschutz",
                                  "label": "Datenschutz", "type": "competency"}
    assert [(r["role"]["id"], r["via"]) for r in body["roles"]] == [
        ("datenanalyst", ["task", "hierarchy"]),
        ("prozessmanagerin", ["task", "hierarchy"]),
        ("sachbearbeitung", ["direct"]),
    ]
    assert [ids(p) for p in body["roles"][1]["paths"]] == [
        ["datenschutz", "datenkompetenz", "prozessmanagerin"],
        ["datenschutz", "datenkompetenz", "prozesse-analysieren", "prozessmanagerin"],
    ]


def test_roles_for_full_iri_and_english(api: TestClient) -> None:
    body = api.get(f"/api/competencies/{ID}competency/datenschutz/roles",
                   params={"lang": "en"}).json()
    assert [r["role"]["label"] for r in body["roles"]] == [
        "Administrative clerk", "Data analyst", "Process manager"]


def test_roles_for_full_iri_encoded(api: TestClient) -> None:
    iri = httpx.URL(ID + "competency/it-sicherheit")
    response = api.get("/api/competencies/" + str(iri).replace(":", "%3A") + "/roles")
    assert response.status_code == 200
    assert ids([r["role"] for r in response.json()["roles"]]) == ["datenanalyst"]


def test_roles_for_unknown_competency_404(api: TestClient) -> None:
    body = problem(api.get("/api/competencies/gibt-es-nicht/roles"), 404)
    assert body["id"] == ID + "competency/gibt-es-nicht"
    assert "gibt-es-nicht" in body["detail"]


def test_roles_for_bad_id_and_lang_422(api: TestClient) -> None:
    assert problem(api.get("/api/competencies/Bad Slug!/roles"), 422)["param"] == "id"
    assert problem(api.get("/api/competencies/datenschutz/roles?lang=fr"), 422)["param"] == \
        "lang"


# --- paths ---------------------------------------------------------------------------------------

def test_paths(api: TestClient) -> None:
    body = api.get("/api/paths", params={"from": "datenschutz", "to": "datenanalyst"}).json()
    assert [ids(p) for p in body["paths"]] == [
        ["datenschutz", "datenkompetenz", "daten-auswerten", "datenanalyst"],
        ["datenschutz", "datenkompetenz", "grundlagen", "datenanalyst"],
    ]
    short = api.get("/api/paths", params={"from": "datenschutz", "to": "datenanalyst",
                                          "max_hops": 2}).json()
    assert short["paths"] == []


def test_paths_errors(api: TestClient) -> None:
    assert problem(api.get("/api/paths", params={"from": "datenschutz", "to": "niemand"}),
                   404)["id"] == ID + "role/niemand"
    assert problem(api.get("/api/paths", params={"from": "datenschutz", "to": "datenanalyst",
                                                 "max_hops": 9}), 422)["param"] == "max_hops"
    assert problem(api.get("/api/paths", params={"to": "datenanalyst"}), 422)["param"] == "from"


# --- gap -----------------------------------------------------------------------------------------

def test_gap(api: TestClient) -> None:
    response = api.post("/api/gap", json={
        "role": "prozessmanagerin", "have": [{"competency": "datenkompetenz", "level": 1}]})
    assert response.status_code == 200
    body = response.json()
    assert body["coverage"] == 0.0
    assert [(r["competency"]["id"], r["required_level"], r["held_level"], r["essential"],
             r["status"]) for r in body["requirements"]] == [
        ("datenkompetenz", 2, 1, True, "partial"),
        ("kommunikation", 2, None, True, "missing"),
        ("prozessmodellierung", 3, None, True, "missing"),
    ]
    assert [(r["training_format"]["id"], r["kind"]["label"], r["closes"])
            for r in body["recommendations"]] == [
        ("analysekurs", "Weiterbildung", [ID + "competency/datenkompetenz"]),
        ("prozesskurs", "Fortbildung", [ID + "competency/prozessmodellierung"]),
    ]
    assert body["uncovered"] == [ID + "competency/kommunikation"]


def test_gap_partial_coverage(api: TestClient) -> None:
    body = api.post("/api/gap", json={"role": ID + "role/prozessmanagerin", "have": [
        {"competency": "datenkompetenz", "level": 2},
        {"competency": "kommunikation", "level": 3},
        {"competency": "prozessmodellierung", "level": 2}]}).json()
    assert body["coverage"] == 0.6667
    assert [r["status"] for r in body["requirements"]] == ["met", "met", "partial"]


def test_gap_level_outside_scale_422(api: TestClient) -> None:
    body = problem(api.post("/api/gap", json={"role": "prozessmanagerin", "have": [
        {"competency": "datenkompetenz", "level": 2},
        {"competency": "kommunikation", "level": 5}]}), 422)
    assert body["param"] == "have[1].level"
    assert "have[1].level" in body["detail"]


def test_gap_malformed_bodies_422(api: TestClient) -> None:
    assert problem(api.post("/api/gap", json={"have": []}), 422)["param"] == "role"
    assert problem(api.post("/api/gap", json={"role": "prozessmanagerin", "have": [
        {"competency": "datenkompetenz", "level": "drei"}]}), 422)["param"] == "have.0.level"
    assert problem(api.post("/api/gap", json={"role": "prozessmanagerin", "have": [
        {"competency": "datenkompetenz"}]}), 422)["param"] == "have.0.level"
    assert problem(api.post("/api/gap", json={"role": "prozessmanagerin", "extra": 1}),
                   422)["param"] == "extra"
    assert problem(api.post("/api/gap", json={"role": "prozessmanagerin", "have": [
        {"competency": "no good!", "level": 1}]}), 422)["param"] == "have[0].competency"
    assert api.post("/api/gap", content=b"{not json",
                    headers={"content-type": "application/json"}).status_code == 422


def test_gap_unknown_ids_404(api: TestClient) -> None:
    assert problem(api.post("/api/gap", json={"role": "niemand", "have": []}),
                   404)["id"] == ID + "role/niemand"
    assert problem(api.post("/api/gap", json={"role": "prozessmanagerin", "have": [
        {"competency": "unbekannt", "level": 1}]}), 404)["id"] == ID + "competency/unbekannt"


# --- match ---------------------------------------------------------------------------------------

def test_match(api: TestClient) -> None:
    have = [{"competency": "datenkompetenz", "level": 3},
            {"competency": "kommunikation", "level": 2}]
    body = api.post("/api/match", json={"have": have}).json()
    assert [(r["role"]["id"], r["coverage"], r["missing"]) for r in body["roles"]] == [
        ("prozessmanagerin", 0.6667, [ID + "competency/prozessmodellierung"]),
        ("datenanalyst", 0.5, [ID + "competency/grundlagen"]),
        ("sachbearbeitung", 0.5, [ID + "competency/datenschutz"]),
    ]
    limited = api.post("/api/match?lang=en", json={"have": have, "limit": 2}).json()
    assert [r["role"]["label"] for r in limited["roles"]] == ["Process manager",
                                                              "Administrative clerk"]


def test_match_errors(api: TestClient) -> None:
    assert problem(api.post("/api/match", json={"have": [], "limit": 0}), 422)["param"] == \
        "limit"
    assert problem(api.post("/api/match", json={"have": [
        {"competency": "datenkompetenz", "level": 0}]}), 422)["param"] == "have[0].level"


# --- curriculum gaps -----------------------------------------------------------------------------

def test_curriculum_gaps(api: TestClient) -> None:
    body = api.get("/api/curriculum/gaps").json()
    assert [(g["competency"]["id"], g["required_level"], g["best_available_level"],
             ids(g["roles"])) for g in body["gaps"]] == [
        ("datenschutz", 1, None, ["sachbearbeitung"]),
        ("it-sicherheit", 1, None, ["datenanalyst"]),
        ("kommunikation", 2, 1, ["prozessmanagerin", "sachbearbeitung"]),
    ]


def test_role_curriculum(api: TestClient) -> None:
    body = api.get("/api/roles/prozessmanagerin/curriculum").json()
    assert [(g["competency"]["id"], g["required_level"], g["best_available_level"])
            for g in body["gaps"]] == [("kommunikation", 2, 1)]
    assert problem(api.get("/api/roles/niemand/curriculum"), 404)["id"] == ID + "role/niemand"


def test_openapi_lists_the_planning_operations(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    for path in ("/api/competencies/{id}/roles", "/api/paths", "/api/gap", "/api/match",
                 "/api/roles/{id}/curriculum", "/api/curriculum/gaps"):
        assert path in spec["paths"]


# --- writes are seen at once, over real HTTP --------------------------------------------------

def test_answer_changes_after_a_write_over_http(tmp_path: Path) -> None:
    ctx = planning_context(tmp_path)
    server = LiveServer(create_app(ctx.settings, context=ctx)).start()
    try:
        url = server.url + "/api/competencies/it-sicherheit/roles"
        assert [r["role"]["id"] for r in httpx.get(url).json()["roles"]] == ["datenanalyst"]
        req = NamedNode(ID + "requirement/sachbearbeitung-it-sicherheit")
        ctx.store.add([
            Quad(NamedNode(ID + "role/sachbearbeitung"), NamedNode(QD + "requires"), req, GRAPH),
            Quad(req, NamedNode(RDF + "type"), NamedNode(QD + "CompetencyRequirement"), GRAPH),
            Quad(req, NamedNode(QD + "competency"), NamedNode(ID + "competency/it-sicherheit"),
                 GRAPH),
            Quad(req, NamedNode(QD + "level"), NamedNode(ID + "level/testrahmen-2"), GRAPH),
            Quad(req, NamedNode(QD + "essential"),
                 Literal("true", datatype=NamedNode(XSD + "boolean")), GRAPH),
        ])
        assert [r["role"]["id"] for r in httpx.get(url).json()["roles"]] == [
            "datenanalyst", "sachbearbeitung"]
        gaps = httpx.get(server.url + "/api/roles/sachbearbeitung/curriculum").json()["gaps"]
        assert ("it-sicherheit", 2) in [(g["competency"]["id"], g["required_level"])
                                        for g in gaps]
    finally:
        server.stop()
        ctx.close()
