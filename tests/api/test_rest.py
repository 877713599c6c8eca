"""REST listings, details, hierarchy, caching headers and errors, over a small test graph
(``rest-graph.ttl``) in a real in-memory pyoxigraph store, through the real app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.namespaces import GRAPH, ID
from qualifica_testing import LOCAL, load_rest_graph, rest_graph_context

ROLES = 10  # roles in rest-graph.ttl


@pytest.fixture(scope="module")
def rest_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    ctx = rest_graph_context(tmp_path_factory.mktemp("rest"))
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def api(rest_ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(rest_ctx.settings, context=rest_ctx), base_url=LOCAL) as c:
        yield c


def ids(body: dict) -> list[str]:
    return [item["id"] for item in body["items"]]


# --- listings -------------------------------------------------------------------------------

def test_listing_envelope_and_order(api: TestClient) -> None:
    r = api.get("/api/roles", params={"limit": 500})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == ROLES and len(body["items"]) == ROLES
    labels = [i["label"] for i in body["items"]]
    assert labels == sorted(labels, key=str.casefold)
    assert body["next"] is None and body["prev"] is None
    first = body["items"][0]
    assert set(first) == {"iri", "id", "label", "type"}
    assert first["type"] == "role" and first["iri"] == ID + "role/" + first["id"]


def test_paging_walks_every_item_once_and_last_page_has_no_next(api: TestClient) -> None:
    seen: list[str] = []
    url: str | None = "/api/roles?limit=3"
    pages = 0
    while url:
        r = api.get(url)
        assert r.status_code == 200
        body = r.json()
        seen += ids(body)
        pages += 1
        link = r.headers["link"]
        if body["next"]:
            assert f'<{body["next"]}>; rel="next"' in link
        else:
            assert 'rel="next"' not in link
        if body["prev"]:
            assert f'<{body["prev"]}>; rel="prev"' in link
        url = body["next"]
    assert pages == 4
    assert len(seen) == ROLES == len(set(seen))
    last = api.get("/api/roles", params={"limit": 3, "offset": 9}).json()
    assert len(last["items"]) == 1 and last["next"] is None
    assert last["prev"].endswith("offset=6") and "limit=3" in last["prev"]
    beyond = api.get("/api/roles", params={"limit": 3, "offset": 50}).json()
    assert beyond["items"] == [] and beyond["total"] == ROLES and beyond["next"] is None


def test_exact_page_boundary_has_no_next(api: TestClient) -> None:
    body = api.get("/api/roles", params={"limit": 5, "offset": 5}).json()
    assert len(body["items"]) == 5 and body["next"] is None
    assert api.get("/api/roles", params={"limit": 5}).json()["next"] is not None


def test_links_keep_filters(api: TestClient) -> None:
    body = api.get("/api/competencies",
                   params={"framework": "digcomp-2-2", "limit": 2, "lang": "en"}).json()
    assert body["total"] == 5
    assert "framework=digcomp-2-2" in body["next"] and "lang=en" in body["next"]
    assert body["next"].startswith("http://127.0.0.1:8000/api/competencies?")


@pytest.mark.parametrize("limit", [0, -1, 501, 10_000])
def test_limit_out_of_range_is_422_naming_limit(api: TestClient, limit: int) -> None:
    r = api.get("/api/roles", params={"limit": limit})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["param"] == "limit"


@pytest.mark.parametrize("params,name", [({"offset": -1}, "offset"), ({"lang": "fr"}, "lang"),
                                          ({"limit": "many"}, "limit")])
def test_bad_paging_or_lang_is_422(api: TestClient, params: dict, name: str) -> None:
    r = api.get("/api/competencies", params=params)
    assert r.status_code == 422 and r.json()["param"] == name


def test_competency_filters(api: TestClient) -> None:
    dig = api.get("/api/competencies", params={"framework": "digcomp-2-2"}).json()
    assert set(ids(dig)) == {"digcomp-1", "digcomp-4", "digcomp-4-1", "digcomp-4-2",
                             "digcomp-4-2-1"}
    full = api.get("/api/competencies",
                   params={"framework": ID + "framework/e-kompetenz"}).json()
    assert set(ids(full)) == {"ek-recht", "ek-anwender", "ek-prozess"}
    narrower = api.get("/api/competencies", params={"broader": "digcomp-4"}).json()
    assert set(ids(narrower)) == {"digcomp-4-1", "digcomp-4-2"}
    both = api.get("/api/competencies",
                   params={"broader": "digcomp-4", "framework": "e-kompetenz"}).json()
    assert both["items"] == [] and both["total"] == 0


def test_format_and_role_filters(api: TestClient) -> None:
    fort = api.get("/api/training-formats", params={"kind": "fortbildung"}).json()
    assert ids(fort) == ["egov-prozessmanagement"]
    by_iri = api.get("/api/training-formats",
                     params={"kind": "https://w3id.org/qualifica/ontology#Ausbildung"}).json()
    assert ids(by_iri) == ["vfa-ausbildung"]
    dev = api.get("/api/training-formats", params={"competency": "digcomp-4-2"}).json()
    assert ids(dev) == ["datenschutz-kurs"]
    # a role governed by a provision of the act is found by the act and by the provision
    assert ids(api.get("/api/roles", params={"legal_basis": "bbig"}).json()) == ["cio"]
    assert ids(api.get("/api/roles", params={"legal_basis": "bbig-1"}).json()) == ["cio"]
    assert ids(api.get("/api/roles", params={"legal_basis": "tvoed-5"}).json()) == \
        ["prozessmanager"]
    parts = api.get("/api/legal-bases", params={"part_of": "tvoed"}).json()
    assert ids(parts) == ["tvoed-5"]


@pytest.mark.parametrize("url,param", [
    ("/api/competencies?framework=nope", "framework"),
    ("/api/competencies?broader=nope", "broader"),
    ("/api/training-formats?competency=nope", "competency"),
    ("/api/training-formats?kind=umschulung", "kind"),
    ("/api/roles?legal_basis=nope", "legal_basis"),
    # an id of the wrong kind is unknown too
    ("/api/competencies?framework=digcomp-4", "framework"),
])
def test_unknown_filter_id_is_404_naming_the_parameter(api: TestClient, url: str,
                                                        param: str) -> None:
    r = api.get(url)
    assert r.status_code == 404
    assert r.json()["param"] == param


def test_malformed_filter_value_is_422(api: TestClient) -> None:
    r = api.get("/api/competencies", params={"framework": 'x" } ; DROP ALL #'})
    assert r.status_code == 422 and r.json()["param"] == "framework"


def test_lang_switches_labels(api: TestClient) -> None:
    de = api.get("/api/competencies/digcomp-4").json()
    en = api.get("/api/competencies/digcomp-4", params={"lang": "en"}).json()
    assert de["label"] == "Sicherheit" and en["label"] == "Safety"


def test_label_falls_back_to_other_language(rest_ctx: Context, tmp_path: Path) -> None:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp_path)
    ctx = open_context(settings)
    try:
        load_rest_graph(ctx)
        ctx.store.add([ox.Quad(ox.NamedNode(ID + "role/nur-deutsch"),
                               ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                               ox.NamedNode("https://w3id.org/qualifica/ontology#Role"),
                               ox.NamedNode(GRAPH + "x")),
                       ox.Quad(ox.NamedNode(ID + "role/nur-deutsch"),
                               ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                               ox.Literal("Nur Deutsch", language="de"),
                               ox.NamedNode(GRAPH + "x"))])
        with TestClient(create_app(settings, context=ctx), base_url=LOCAL) as c:
            body = c.get("/api/roles/nur-deutsch", params={"lang": "en"}).json()
            assert body["label"] == "Nur Deutsch"
    finally:
        ctx.close()


# --- details --------------------------------------------------------------------------------

def test_role_detail(api: TestClient) -> None:
    body = api.get("/api/roles/prozessmanager").json()
    assert body["iri"] == ID + "role/prozessmanager" and body["type"] == "role"
    assert body["labels"] == {"de": "Prozessmanager/in", "en": "Process manager"}
    assert body["alt_labels"] == {"de": ["Prozessverantwortliche/r"]}
    assert body["source"] == ["Ogonek, Räckers, Becker 2016"]
    assert [t["id"] for t in body["tasks"]] == ["prozesse-modellieren"]
    assert [lb["id"] for lb in body["legal_bases"]] == ["tvoed-5"]
    (req,) = body["requirements"]
    assert req["competency"]["id"] == "digcomp-4-2"
    assert req["level"]["id"] == "digcomp-4" and req["level"]["rank"] == 4
    assert req["essential"] is True and req["editorial"] is True
    assert req["source"] == ["https://example.org/e-kompetenz-matrix"]
    assert req["type"] == "requirement"


def test_detail_by_full_iri_equals_detail_by_slug(api: TestClient) -> None:
    by_slug = api.get("/api/roles/cio").json()
    by_iri = api.get("/api/roles/" + ID + "role/cio").json()
    assert by_slug == by_iri


def test_task_competency_format_framework_level_legal_details(api: TestClient) -> None:
    task = api.get("/api/tasks/prozesse-modellieren").json()
    assert [r["id"] for r in task["roles"]] == ["prozessmanager"]
    assert task["requirements"][0]["essential"] is False
    comp = api.get("/api/competencies/digcomp-4-2").json()
    assert comp["framework"]["id"] == "digcomp-2-2"
    assert [b["id"] for b in comp["broader"]] == ["digcomp-4"]
    assert [n["id"] for n in comp["narrower"]] == ["digcomp-4-2-1"]
    assert [f["id"] for f in comp["formats"]] == ["datenschutz-kurs"]
    assert comp["definition"].startswith("Personenbezogene Daten")
    fmt = api.get("/api/training-formats/datenschutz-kurs").json()
    assert fmt["kind"]["iri"].endswith("#Weiterbildung") and fmt["kind"]["type"] == \
        "training-kind"
    (outcome,) = fmt["outcomes"]
    assert outcome["competency"]["id"] == "digcomp-4-2" and outcome["level"]["rank"] == 5
    assert outcome["type"] == "outcome" and outcome["source"] == ["https://example.org/kurs"]
    fw = api.get("/api/frameworks/digcomp-2-2").json()
    assert [lv["rank"] for lv in fw["levels"]] == [3, 4, 5]
    assert {t["id"] for t in fw["top"]} == {"digcomp-1", "digcomp-4"}
    assert fw["total_competencies"] == 5
    level = api.get("/api/levels/digcomp-4").json()
    assert level["rank"] == 4 and level["framework"]["id"] == "digcomp-2-2"
    act = api.get("/api/legal-bases/bbig").json()
    assert [p["id"] for p in act["parts"]] == ["bbig-1"] and act["part_of"] is None
    assert api.get("/api/legal-bases/bbig-1").json()["part_of"]["id"] == "bbig"


@pytest.mark.parametrize("url", ["/api/roles/nobody", "/api/competencies/prozessmanager",
                                 "/api/frameworks/digcomp-4", "/api/training-formats/x",
                                 "/api/legal-bases/nope", "/api/tasks/nope",
                                 "/api/competencies/nope/narrower",
                                 "/api/frameworks/nope/top"])
def test_unknown_id_is_404(api: TestClient, url: str) -> None:
    r = api.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["param"] == "id"


def test_malformed_id_is_422(api: TestClient) -> None:
    r = api.get("/api/roles/Not A Slug")
    assert r.status_code == 422 and r.json()["param"] == "id"


# --- hierarchy ------------------------------------------------------------------------------

def test_hierarchy(api: TestClient) -> None:
    top = api.get("/api/frameworks/digcomp-2-2/top").json()
    assert top["framework"]["id"] == "digcomp-2-2"
    assert set(ids(top)) == {"digcomp-1", "digcomp-4"}
    narrow = api.get("/api/competencies/digcomp-4/narrower").json()
    assert narrow["competency"]["id"] == "digcomp-4"
    assert set(ids(narrow)) == {"digcomp-4-1", "digcomp-4-2"}
    deep = api.get("/api/competencies/digcomp-4/narrower", params={"transitive": True}).json()
    assert set(ids(deep)) == {"digcomp-4-1", "digcomp-4-2", "digcomp-4-2-1"}
    up = api.get("/api/competencies/digcomp-4-2-1/broader").json()
    assert ids(up) == ["digcomp-4-2"]
    up_all = api.get("/api/competencies/digcomp-4-2-1/broader",
                     params={"transitive": "true"}).json()
    assert set(ids(up_all)) == {"digcomp-4-2", "digcomp-4"}
    assert api.get("/api/competencies/digcomp-4/broader").json()["items"] == []


# --- caching, CORS, context -----------------------------------------------------------------

def test_etag_and_304(api: TestClient) -> None:
    plain = {"Accept-Encoding": "identity"}  # gzip makes the tag weak (tests/api/test_compression)
    r = api.get("/api/competencies/digcomp-4-2", headers=plain)
    etag = r.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert r.headers["cache-control"] == "public, max-age=60"
    again = api.get("/api/competencies/digcomp-4-2", headers={"If-None-Match": etag, **plain})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = api.get("/api/competencies/digcomp-4-2",
                    headers={"If-None-Match": '"nope"', **plain})
    assert other.status_code == 200
    assert api.get("/api/competencies/digcomp-4-2", params={"lang": "en"},
                   headers=plain).headers["etag"] != etag
    head = api.head("/api/competencies/digcomp-4-2", headers=plain)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag


def test_etag_changes_after_a_write(tmp_path: Path) -> None:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp_path)
    ctx = open_context(settings)
    try:
        load_rest_graph(ctx)
        with TestClient(create_app(settings, context=ctx), base_url=LOCAL) as c:
            before = c.get("/api/roles", params={"limit": 500})
            ctx.store.add([ox.Quad(ox.NamedNode(ID + "role/neu"),
                                   ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                   ox.NamedNode("https://w3id.org/qualifica/ontology#Role"),
                                   ox.NamedNode(GRAPH + "x"))])
            after = c.get("/api/roles", params={"limit": 500},
                          headers={"If-None-Match": before.headers["etag"]})
            assert after.status_code == 200
            assert after.json()["total"] == before.json()["total"] + 1
    finally:
        ctx.close()


def test_errors_carry_no_etag(api: TestClient) -> None:
    r = api.get("/api/roles/nobody")
    assert r.status_code == 404 and "etag" not in r.headers


def test_cors_on_api_and_context(api: TestClient) -> None:
    r = api.get("/api/roles", headers={"Origin": "https://partner.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    ctx = api.get("/context.jsonld")
    assert ctx.status_code == 200
    assert ctx.headers["content-type"].startswith("application/ld+json")
    assert ctx.headers["access-control-allow-origin"] == "*"
    assert "max-age=86400" in ctx.headers["cache-control"]
    assert "etag" in ctx.headers


def test_every_json_answer_links_the_context(api: TestClient) -> None:
    for url in ["/api/roles", "/api/roles/cio", "/api/search?q=cio",
                "/api/competencies/digcomp-4/narrower", "/api/queries"]:
        link = api.get(url).headers["link"]
        assert ('<http://127.0.0.1:8000/context.jsonld>; '
                'rel="http://www.w3.org/ns/json-ld#context"') in link, url


def test_openapi_documents_every_rest_operation_with_examples(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    rest_paths = [p for p in spec["paths"] if p.startswith("/api/") and not
                  p.startswith("/api/queries")]
    for path in ["/api/roles", "/api/tasks", "/api/competencies", "/api/training-formats",
                 "/api/legal-bases", "/api/frameworks", "/api/search",
                 "/api/frameworks/{id}/top", "/api/competencies/{id}/narrower",
                 "/api/competencies/{id}/broader", "/api/roles/{id}"]:
        assert path in rest_paths, path
        op = spec["paths"][path]["get"]
        ok = op["responses"]["200"]["content"]["application/json"]
        assert "example" in ok, path
        assert any(code in op["responses"] for code in ("404", "422")), path


# --- the bundled graph ----------------------------------------------------------------------

def test_bundled_fixed_resources(client: TestClient) -> None:
    for url in ["/api/roles/prozessmanager", "/api/roles/cio", "/api/competencies/digcomp-4-2",
                "/api/competencies/digcomp-4", "/api/frameworks/digcomp-2-2",
                "/api/legal-bases/bbig-1"]:
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.json()
        assert body["labels"].keys() >= {"de", "en"}, url
    comp = client.get("/api/competencies/digcomp-4-2").json()
    assert comp["framework"]["id"] == "digcomp-2-2"
    assert [b["id"] for b in comp["broader"]] == ["digcomp-4"]
    assert client.get("/api/legal-bases/bbig-1").json()["part_of"]["id"] == "bbig"
    role = client.get("/api/roles/prozessmanager").json()
    assert role["requirements"], "the bundled role has requirements"
    for req in role["requirements"]:
        assert req["competency"]["type"] == "competency"
        assert isinstance(req["essential"], bool) and isinstance(req["editorial"], bool)
        assert isinstance(req["level"]["rank"], int)


def test_bundled_digcomp_hierarchy(client: TestClient) -> None:
    top = client.get("/api/frameworks/digcomp-2-2/top").json()
    assert {i["id"] for i in top["items"]} == {f"digcomp-{n}" for n in range(1, 6)}
    narrow = client.get("/api/competencies/digcomp-4/narrower").json()
    assert {i["id"] for i in narrow["items"]} == {f"digcomp-4-{n}" for n in range(1, 5)}
    all_dig = client.get("/api/competencies", params={"framework": "digcomp-2-2",
                                                     "limit": 500}).json()
    assert all_dig["total"] == 26  # 5 areas + 21 competences


def test_bundled_paging_covers_every_competency(client: TestClient) -> None:
    total = client.get("/api/competencies", params={"limit": 1}).json()["total"]
    seen: list[str] = []
    url: str | None = "/api/competencies?limit=7&lang=en"
    while url:
        body = client.get(url).json()
        seen += [i["id"] for i in body["items"]]
        url = body["next"]
    assert len(seen) == total == len(set(seen))


def test_bundled_filters(client: TestClient) -> None:
    formats = client.get("/api/training-formats", params={"limit": 500}).json()
    by_kind = sum(client.get("/api/training-formats",
                             params={"kind": k, "limit": 500}).json()["total"]
                  for k in ("ausbildung", "fortbildung", "weiterbildung"))
    assert formats["total"] > 0
    assert by_kind == formats["total"]  # every format has exactly one training kind
    roles = client.get("/api/roles", params={"legal_basis": "bbig", "limit": 500})
    assert roles.status_code == 200
