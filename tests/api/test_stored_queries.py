"""Stored queries as API operations: listing, typed parameters, content negotiation, OpenAPI,
and injection attempts (refused with 422 naming the parameter, or bound as plain data — never
spliced into the query; the store is unchanged either way)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pyld import jsonld

from qualifica.api import create_app
from qualifica.config import PROJECT_ROOT, Settings
from qualifica.context import Context, open_context
from qualifica.namespaces import GRAPH, ID
from qualifica_testing import LOCAL, load_rest_graph

PREFIXES = """PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "roles-requiring": """#+ summary: Roles that require a competency directly
#+ tags: [test]
#+ params:
#+   - name: competency
#+     type: iri
#+     kind: competency
#+     required: true
#+     description: The competency
#+ example: {competency: digcomp-4-2}
""" + PREFIXES + """SELECT ?role WHERE { ?role qd:requires ?r . ?r qd:competency ?competency }
ORDER BY ?role
""",
    "by-label": """#+ summary: Resources with exactly this preferred label
#+ params:
#+   - name: text
#+     type: string
#+     required: true
#+ example: {text: CIO}
""" + PREFIXES + """SELECT DISTINCT ?resource WHERE {
  ?resource skos:prefLabel ?l FILTER(STR(?l) = ?text) }
ORDER BY ?resource
""",
    "levels-of-rank": """#+ summary: Levels of a rank
#+ params:
#+   - name: rank
#+     type: integer
#+     minimum: 1
#+     maximum: 8
#+     required: true
#+ example: {rank: 4}
""" + PREFIXES + """SELECT ?level WHERE { ?level qd:rank ?rank } ORDER BY ?level
""",
    "label-in": """#+ summary: The label of a resource in a language
#+ params:
#+   - name: resource
#+     type: iri
#+     kind: role
#+     required: true
#+   - name: lang
#+     type: language
#+     default: de
#+ example: {resource: cio, lang: en}
""" + PREFIXES + """SELECT ?label WHERE {
  ?resource skos:prefLabel ?label FILTER(LANG(?label) = ?lang) }
""",
    "labels-of": """#+ summary: German labels of several roles
#+ params:
#+   - name: roles
#+     type: iris
#+     kind: role
#+     required: true
#+ example: {roles: [cio, prozessmanager]}
""" + PREFIXES + """SELECT ?roles ?label WHERE {
  ?roles skos:prefLabel ?label FILTER(LANG(?label) = "de") }
ORDER BY ?roles
""",
    "label-graph": """#+ summary: The labels of a resource as a graph
#+ params:
#+   - name: resource
#+     type: iri
#+     required: true
#+ example: {resource: "https://w3id.org/qualifica/id/role/cio"}
""" + PREFIXES + """CONSTRUCT { ?resource skos:prefLabel ?l } WHERE { ?resource skos:prefLabel ?l }
""",
}
INJECTIONS = ['x" } ; DROP ALL #', "<http://a> }", "http://a> } ; DROP ALL #",
              "digcomp-4-2\n} INSERT DATA { <http://a> <http://b> <http://c> }",
              "x' } #", "digcomp-4-2 # comment", "https://w3id.org/a}b", 'cio"@de']
SPARQL_JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    folder = tmp_path_factory.mktemp("queries")
    shutil.copytree(PROJECT_ROOT / "queries" / "lib", folder / "lib")
    for name, text in QUERIES.items():
        (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    settings = Settings(in_memory=True, load_bundled=False, queries_dir=folder,
                        data_dir=tmp_path_factory.mktemp("sq"))
    context = open_context(settings)
    load_rest_graph(context)
    yield context
    context.close()


@pytest.fixture(scope="module")
def api(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield c


def bindings(r: Any, var: str) -> list[str]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(SPARQL_JSON)
    return [b[var]["value"] for b in r.json()["results"]["bindings"] if var in b]


def test_listing(api: TestClient) -> None:
    body = api.get("/api/queries").json()
    assert body["total"] == len(QUERIES)
    by_id = {q["id"]: q for q in body["items"]}
    assert set(by_id) == set(QUERIES)
    q = by_id["roles-requiring"]
    assert q["iri"] == "http://127.0.0.1:8000/api/queries/roles-requiring"
    assert q["params"] == [{"name": "competency", "datatype": "iri", "kind": "competency",
                            "required": True, "description": "The competency"}]
    assert q["example"] == {"competency": "digcomp-4-2"} and q["form"] == "select"
    assert by_id["labels-of"]["params"][0]["datatype"] == "iris"
    assert by_id["label-in"]["params"][1]["default"] == "de"


def test_typed_parameters(api: TestClient) -> None:
    assert bindings(api.get("/api/queries/roles-requiring",
                            params={"competency": "digcomp-4-2"}), "role") == \
        [ID + "role/prozessmanager"]
    assert bindings(api.get("/api/queries/roles-requiring",
                            params={"competency": ID + "competency/digcomp-4-2"}), "role") == \
        [ID + "role/prozessmanager"]
    assert bindings(api.get("/api/queries/by-label", params={"text": "CIO"}), "resource") == \
        [ID + "role/cio"]
    assert bindings(api.get("/api/queries/levels-of-rank", params={"rank": 4}), "level") == \
        [ID + "level/digcomp-4"]
    assert bindings(api.get("/api/queries/label-in",
                            params={"resource": "prozessmanager"}), "label") == \
        ["Prozessmanager/in"]  # default lang de
    assert bindings(api.get("/api/queries/label-in",
                            params={"resource": "prozessmanager", "lang": "en"}), "label") == \
        ["Process manager"]


def test_list_of_iris_repeated_or_comma_separated(api: TestClient) -> None:
    repeated = api.get("/api/queries/labels-of?roles=cio&roles=prozessmanager")
    commas = api.get("/api/queries/labels-of", params={"roles": "cio,prozessmanager"})
    assert bindings(repeated, "label") == bindings(commas, "label") == \
        ["CIO", "Prozessmanager/in"]
    assert bindings(api.get("/api/queries/labels-of", params={"roles": "anwender"}),
                    "label") == ["Anwender/in"]


def test_content_negotiation(api: TestClient) -> None:
    params = {"competency": "digcomp-4-2"}
    url = "/api/queries/roles-requiring"
    assert api.get(url, params=params).headers["content-type"].startswith(SPARQL_JSON)
    assert api.get(url, params=params, headers={"Accept": "application/json"}
                   ).headers["content-type"].startswith(SPARQL_JSON)
    r = api.get(url, params=params, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(r.text))) == [["role"], [ID + "role/prozessmanager"]]
    assert r.headers["vary"] == "Accept" or "Accept" in r.headers["vary"]
    assert api.get(url, params=params, headers={"Accept": "image/png"}).status_code == 406


def test_jsonld_answer_expands(api: TestClient) -> None:
    r = api.get("/api/queries/labels-of", params={"roles": "cio,prozessmanager"},
                headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    doc = r.json()
    assert doc["@context"][0] == "http://127.0.0.1:8000/context.jsonld"

    def load(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": api.get(url).json()}

    expanded = jsonld.expand(doc, {"documentLoader": load})
    ns = "https://w3id.org/qualifica/query/labels-of#"
    rows = {row[ns + "roles"][0]["@id"]: row[ns + "label"][0] for row in expanded}
    assert rows == {ID + "role/cio": {"@value": "CIO", "@language": "de"},
                    ID + "role/prozessmanager": {"@value": "Prozessmanager/in",
                                                 "@language": "de"}}


def test_construct_query(api: TestClient) -> None:
    url = "/api/queries/label-graph"
    params = {"resource": ID + "role/cio"}
    r = api.get(url, params=params)
    assert r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    assert len(triples) == 2
    nt = api.get(url, params=params, headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES))) == 2
    ld = api.get(url, params=params, headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert len(list(ox.parse(ld.content, format=ox.RdfFormat.JSON_LD))) == 2
    assert api.get(url, params=params, headers={"Accept": "text/csv"}).status_code == 406


def test_unknown_query_is_404(api: TestClient) -> None:
    r = api.get("/api/queries/nope")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_library_queries_are_not_exposed(api: TestClient) -> None:
    assert api.get("/api/queries/rest-labels").status_code == 404


@pytest.mark.parametrize("url,param", [
    ("/api/queries/roles-requiring", "competency"),                       # missing required
    ("/api/queries/roles-requiring?competency=digcomp-4-2&extra=1", "extra"),  # unknown name
    ("/api/queries/roles-requiring?competency=a&competency=b", "competency"),  # given twice
    ("/api/queries/levels-of-rank?rank=four", "rank"),
    ("/api/queries/levels-of-rank?rank=9", "rank"),                        # above maximum
    ("/api/queries/levels-of-rank?rank=0", "rank"),                        # below minimum
    ("/api/queries/label-in?resource=cio&lang=d%20e", "lang"),
    ("/api/queries/labels-of?roles=cio&roles=Not%20A%20Slug", "roles"),
])
def test_bad_values_are_422_naming_the_parameter(api: TestClient, url: str, param: str) -> None:
    r = api.get(url)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["param"] == param


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_into_an_iri_is_refused(api: TestClient, ctx: Context, value: str) -> None:
    before = ctx.store.count()
    r = api.get("/api/queries/roles-requiring", params={"competency": value})
    assert r.status_code == 422
    assert r.json()["param"] == "competency"
    assert ctx.store.count() == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_into_a_list_of_iris_is_refused(api: TestClient, ctx: Context,
                                                  value: str) -> None:
    before = ctx.store.count()
    r = api.get("/api/queries/labels-of", params=[("roles", "cio"), ("roles", value)])
    assert r.status_code == 422
    assert r.json()["param"] == "roles"
    assert ctx.store.count() == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_into_a_string_is_bound_as_data(api: TestClient, ctx: Context,
                                                  value: str) -> None:
    before = ctx.store.count()
    r = api.get("/api/queries/by-label", params={"text": value})
    assert bindings(r, "resource") == []  # matched literally: no label is that text
    assert ctx.store.count() == before


def test_a_string_with_quotes_is_matched_exactly(tmp_path: Path, ctx: Context) -> None:
    """The hostile text is data: a label that *is* that text is found, nothing else."""
    settings = ctx.settings.model_copy(update={"data_dir": tmp_path})
    other = open_context(settings)
    try:
        hostile = 'x" } ; DROP ALL #\n<http://a> }'
        other.store.add([ox.Quad(ox.NamedNode(ID + "role/odd"),
                                 ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                                 ox.Literal(hostile, language="de"),
                                 ox.NamedNode(GRAPH + "x"))])
        before = other.store.count()
        with TestClient(create_app(settings, context=other), base_url=LOCAL) as c:
            r = c.get("/api/queries/by-label", params={"text": hostile})
            assert bindings(r, "resource") == [ID + "role/odd"]
        assert other.store.count() == before
    finally:
        other.close()


def test_openapi_documents_every_query(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    for name in QUERIES:
        op = spec["paths"][f"/api/queries/{name}"]["get"]
        assert op["summary"] and op["operationId"] == f"query_{name.replace('-', '_')}"
        assert "422" in op["responses"] and "200" in op["responses"]
    params = {p["name"]: p for p in
              spec["paths"]["/api/queries/labels-of"]["get"]["parameters"]}
    assert params["roles"]["schema"]["type"] == "array" and params["roles"]["required"]
    assert params["roles"]["example"] == ["cio", "prozessmanager"]
    rank = spec["paths"]["/api/queries/levels-of-rank"]["get"]["parameters"][0]
    assert rank["schema"] == {"type": "integer", "minimum": 1, "maximum": 8}
    assert rank["example"] == 4
    lang = spec["paths"]["/api/queries/label-in"]["get"]["parameters"][1]
    assert lang["schema"]["default"] == "de" and "pattern" in lang["schema"]
    content = spec["paths"]["/api/queries/roles-requiring"]["get"]["responses"]["200"][
        "content"]
    assert {SPARQL_JSON, "text/csv", "application/ld+json"} <= set(content)
    assert "/api/queries/{name}" in spec["paths"] and "/api/queries" in spec["paths"]


def test_bundled_queries_run_with_their_examples(bundled_ctx: Context, client: TestClient
                                                 ) -> None:
    """Every named query of ``queries/`` is listed, documented, and answers its example."""
    listed = {q["id"] for q in client.get("/api/queries").json()["items"]}
    assert listed == {q.name for q in bundled_ctx.registry}
    spec = client.get("/openapi.json").json()
    for query in bundled_ctx.registry:
        assert f"/api/queries/{query.name}" in spec["paths"]
        params: list[tuple[str, str]] = []
        for key, value in query.example.items():
            values = value if isinstance(value, list) else [value]
            params += [(key, str(v).lower() if isinstance(v, bool) else str(v))
                       for v in values]
        r = client.get(f"/api/queries/{query.name}", params=params)
        assert r.status_code == 200, (query.name, r.text)
