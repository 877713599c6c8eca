"""The query editor's server side: a permalink GET answers the page to a browser and results to
every other client; named queries become editor text only through ``sparql.binding``; the page
carries the prefixes, links and words its script needs."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from qualifica.namespaces import ID, PREFIXES, QD
from qualifica.web import editor

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
QUERY = "SELECT ?x WHERE { VALUES ?x { 1 2 } }"


def page_data(text: str) -> dict[str, object]:
    match = re.search(r'<script id="editor-data" type="application/json">(.*?)</script>', text,
                      re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


def test_a_browser_opening_a_permalink_gets_the_editor_with_the_query(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": QUERY}, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    assert r.headers["content-language"] == "de"
    assert f">{html.escape(QUERY, quote=False)}</textarea>" in r.text
    assert 'data-autorun="true"' in r.text
    assert '<html lang="de">' in r.text


@pytest.mark.parametrize(("accept", "media"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    # a client that accepts HTML but prefers results gets results
    ("application/sparql-results+json, text/html;q=0.5", "application/sparql-results+json"),
])
def test_machine_clients_keep_getting_results(client: TestClient, accept: str | None,
                                              media: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/sparql", params={"query": QUERY}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)


def test_format_overrides_the_browser_and_post_never_answers_the_page(
        client: TestClient) -> None:
    r = client.get("/sparql", params={"query": QUERY, "format": "csv"},
                   headers={"Accept": BROWSER})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == ["x", "1", "2"]
    r = client.post("/sparql", data={"query": QUERY}, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert not r.headers["content-type"].startswith("text/html")


def test_a_bad_query_in_a_permalink_still_opens_the_editor(client: TestClient) -> None:
    """The page shows the query; running it (by the page's script) reports the error."""
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {"}, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert "SELECT ?x WHERE {</textarea>" in r.text
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert re.search(r"error at 1:\d+", r.json()["detail"])


def test_the_page_in_english_and_its_language_switch_keeps_the_query(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": QUERY, "lang": "en"},
                   headers={"Accept": BROWSER})
    assert '<html lang="en">' in r.text
    assert r.headers["content-language"] == "en"
    assert "<h1>SPARQL query</h1>" in r.text
    assert page_data(r.text)["lang"] == "en"
    switch = re.search(r'<a class="lang" href="([^"]+)" hreflang="de"', r.text)
    assert switch is not None
    assert parse_qs(urlparse(html.unescape(switch.group(1))).query) == {
        "query": [QUERY], "lang": ["de"]}
    de = client.get("/sparql", headers={"Accept": BROWSER})
    assert "<h1>SPARQL-Abfrage</h1>" in de.text
    assert html.escape(editor.DEFAULT_QUERY.splitlines()[0], quote=False) in de.text


def test_the_page_carries_prefixes_links_and_examples_from_the_server(
        client: TestClient) -> None:
    data = page_data(client.get("/sparql", headers={"Accept": BROWSER}).text)
    assert data["prefixes"] == dict(sorted(PREFIXES.items()))
    terms = data["terms"]
    assert isinstance(terms, list)
    assert ["qd:Role", "class", "Rolle"] in terms
    assert any(t[0] == "qd:requires" and t[1].endswith("property") for t in terms)
    links = data["links"]
    assert [ID + "role/", "/id/role/"] in links and [QD, "/ontology#"] in links
    examples = data["examples"]
    registry = client.app.state.ctx.registry  # type: ignore[attr-defined]
    assert isinstance(examples, dict) and set(examples) == {q.name for q in registry}
    assert all("#+" not in text for text in examples.values())


def test_an_example_with_values_becomes_a_permalink(client: TestClient) -> None:
    r = client.get("/sparql/examples/role-tasks",
                   params={"role": "cio", "lang": "en", "page-lang": "en"},
                   follow_redirects=False)
    assert r.status_code == 303
    target = urlparse(r.headers["location"])
    assert target.path == "/sparql"
    params = parse_qs(target.query)
    assert params["lang"] == ["en"]
    text = params["query"][0]
    assert "VALUES ?role { <https://w3id.org/qualifica/id/role/cio> }" in text
    assert 'VALUES ?lang { "en" }' in text  # the query's own lang parameter
    assert not text.startswith("#+")
    # and the permalink answers the page to a browser
    page = client.get(r.headers["location"], headers={"Accept": BROWSER})
    assert "role/cio&gt;" in page.text


def test_an_example_text_for_the_editor_script(client: TestClient) -> None:
    r = client.get("/sparql/examples/role-tasks", params={"role": "cio"},
                   headers={"Accept": "application/sparql-query"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-query")
    assert "<https://w3id.org/qualifica/id/role/cio>" in r.text
    assert '"de"' in r.text  # the default of the lang parameter
    # the query runs
    rows = client.post("/sparql", data={"query": r.text},
                       headers={"Accept": "application/sparql-results+json"}).json()
    assert rows["results"]["bindings"]


@pytest.mark.parametrize(("path", "params", "status", "param"), [
    ("/sparql/examples/role-tasks", {"role": "<evil> } ; DROP ALL"}, 422, "role"),
    ("/sparql/examples/role-tasks", {"role": "cio", "nope": "1"}, 422, "nope"),
    ("/sparql/examples/role-tasks", {"role": "cio", "lang": "klingon"}, 422, "lang"),
    ("/sparql/examples/no-such-query", {}, 404, None),
])
def test_bad_example_values_are_problems(client: TestClient, path: str,
                                         params: dict[str, str], status: int,
                                         param: str | None) -> None:
    r = client.get(path, params=params, headers={"Accept": "application/sparql-query"})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    if param is not None:
        assert r.json()["param"] == param


def test_the_codemirror_bundle_and_its_licences_are_served(client: TestClient) -> None:
    js = client.get("/static/codemirror.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert "QualificaCodeMirror" in js.text[:400]
    licences = client.get("/static/codemirror-licenses.txt")
    assert licences.status_code == 200
    assert "==== @codemirror/view" in licences.text
    assert "MIT" in licences.text


def test_the_english_summaries_of_named_queries_are_marked_on_the_german_page(
        client: TestClient) -> None:
    """One language per page: the named queries describe themselves in English."""
    registry = client.app.state.ctx.registry  # type: ignore[attr-defined]
    named = next(iter(registry))
    de = client.get("/sparql", headers={"Accept": BROWSER}).text
    assert f'<span lang="en">{html.escape(named.summary, quote=False)}</span>' in de
    en = client.get("/sparql", params={"lang": "en"}, headers={"Accept": BROWSER}).text
    assert f"<span>{html.escape(named.summary, quote=False)}</span>" in en
