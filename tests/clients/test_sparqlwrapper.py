"""SPARQLWrapper, unmodified, against a real server: every return format it offers for every
query form, by GET, by POST (form) and by POST with the query as the body, and with its
defaults. SPARQLWrapper sends ``format=`` (repeated, sometimes with a media-type list or an
empty value) together with ``Accept``; the server reads both the way Fuseki and Virtuoso do.
"""

from __future__ import annotations

import warnings
from io import BytesIO
from typing import Any

import pytest
from clients_support import Served
from pyoxigraph import QueryResultsFormat, parse_query_results
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

ID = "https://w3id.org/qualifica/id/"
PREFIXES = """PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "select": PREFIXES + "SELECT ?role WHERE { ?role a qd:Role } ORDER BY ?role LIMIT 3",
    "ask": PREFIXES + "ASK { ?role a qd:Role }",
    "construct": PREFIXES + "CONSTRUCT { ?role skos:prefLabel ?label } WHERE { ?role a qd:Role ; "
                 "skos:prefLabel ?label FILTER (?role = <" + ID + "role/prozessmanager>) }",
    "describe": "DESCRIBE <" + ID + "role/prozessmanager>",
}
ROLES = [ID + "role/agenda-setter", ID + "role/anwender", ID + "role/berater-dienstleister"]
FORMATS = [JSON, XML, CSV, TSV, TURTLE, N3, RDFXML, JSONLD]
#: What each return format brings back for a SELECT/ASK and for a CONSTRUCT/DESCRIBE. Where a
#: format has no form for the result (Turtle for a SELECT, CSV for a graph), SPARQLWrapper
#: sends ``Accept: */*`` and the server's first choice answers.
SOLUTIONS = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
             CSV: "text/csv", TSV: "text/tab-separated-values"}
GRAPHS = {JSON: "application/ld+json", XML: "application/rdf+xml", TURTLE: "text/turtle",
          N3: "text/turtle", RDFXML: "application/rdf+xml", JSONLD: "application/ld+json"}
RDFLIB = {"text/turtle": "turtle", "application/rdf+xml": "xml",
          "application/ld+json": "json-ld", "application/n-triples": "nt"}
METHODS = {"GET": (GET, URLENCODED), "POST": (POST, URLENCODED),
           "POST-direct": (POST, POSTDIRECTLY)}


def expected_type(form: str, fmt: str) -> str:
    if form in ("select", "ask"):
        return SOLUTIONS.get(fmt, "application/sparql-results+json")
    return GRAPHS.get(fmt, "text/turtle")


def client(served: Served, form: str, fmt: str | None, method: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(served.sparql)
    sw.setQuery(QUERIES[form])
    if fmt is not None:
        sw.setReturnFormat(fmt)
    http_method, request_method = METHODS[method]
    sw.setMethod(http_method)
    sw.setRequestMethod(request_method)
    sw.setTimeout(30)
    return sw


@pytest.fixture(scope="module")
def reference(served: Served) -> dict[str, Graph]:
    """The graph answers in N-Triples, read by plain HTTP (what every format must equal)."""
    import httpx

    out = {}
    for form in ("construct", "describe"):
        r = httpx.get(served.sparql, params={"query": QUERIES[form]},
                      headers={"Accept": "application/n-triples"}, timeout=30)
        assert r.status_code == 200, r.text
        out[form] = Graph().parse(data=r.text, format="nt")
        assert len(out[form]) > 0
    return out


def check_body(form: str, media: str, body: bytes, reference: dict[str, Graph]) -> None:
    if media == "text/csv":
        lines = body.decode().splitlines()
        assert lines == (["role", *ROLES] if form == "select" else ["true"])
        return
    if form in ("select", "ask"):
        results: Any = parse_query_results(BytesIO(body),
                                           format=QueryResultsFormat.from_media_type(media))
        if form == "ask":
            assert bool(results) is True
        else:
            assert [row["role"].value for row in results] == ROLES
        return
    graph = Graph().parse(data=body, format=RDFLIB[media])
    assert isomorphic(graph, reference[form])
    assert (URIRef(ID + "role/prozessmanager"), None, None) in graph


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("form", list(QUERIES))
def test_every_return_format_for_every_query_form(served: Served, reference: dict[str, Graph],
                                                  form: str, fmt: str, method: str) -> None:
    with warnings.catch_warnings():
        # SPARQLWrapper warns where it sends Accept: */* (Turtle asked of a SELECT ...).
        warnings.simplefilter("ignore", RuntimeWarning)
        result = client(served, form, fmt, method).query()
        media = result.info()["content-type"].split(";")[0]
        assert media == expected_type(form, fmt)
        check_body(form, media, result.response.read(), reference)
        # SPARQLWrapper's own conversion of the answer works too.
        converted = client(served, form, fmt, method).queryAndConvert()
    assert converted is not None
    if form == "select" and fmt == JSON:
        assert [b["role"]["value"] for b in converted["results"]["bindings"]] == ROLES
    if form == "ask" and fmt == JSON:
        assert converted["boolean"] is True
    if form in ("construct", "describe") and fmt in (XML, RDFXML, JSONLD):
        assert isomorphic(converted, reference[form])


@pytest.mark.parametrize("form", list(QUERIES))
def test_defaults(served: Served, reference: dict[str, Graph], form: str) -> None:
    """No return format set: SPARQLWrapper asks for XML (RDF/XML for a graph) by GET."""
    sw = SPARQLWrapper(served.sparql)
    sw.setQuery(QUERIES[form])
    answer = sw.query()
    media = answer.info()["content-type"].split(";")[0]
    assert media == expected_type(form, XML)
    check_body(form, media, answer.response.read(), reference)


def test_only_content_negotiation(served: Served, reference: dict[str, Graph]) -> None:
    """With ``setOnlyConneg(True)`` SPARQLWrapper sends no ``format`` at all."""
    sw = client(served, "construct", TURTLE, "GET")
    sw.setOnlyConneg(True)
    answer = sw.query()
    assert answer.info()["content-type"].startswith("text/turtle")
    check_body("construct", "text/turtle", answer.response.read(), reference)
