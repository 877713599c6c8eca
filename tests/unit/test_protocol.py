"""SPARQL protocol pieces: request decoding, negotiation, serialisation, the query guard, the
Service Description and the bounded query pool."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    Triple,
    parse_query_results,
)

from qualifica.errors import BadParameter, Forbidden, NotAcceptable
from qualifica.linkeddata.service_description import service_description
from qualifica.sparql import guard, protocol
from qualifica.store.base import AskResult, DatasetSpec, GraphResult, SelectResult

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


# --- negotiation ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("accept", "kind", "expected"),
    [
        (None, "solutions", protocol.SPARQL_JSON),
        ("", "graph", protocol.TURTLE),
        ("*/*", "graph", protocol.TURTLE),
        ("text/*", "solutions", protocol.CSV),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.6", "solutions", protocol.TSV),
        ("application/sparql-results+xml;q=0.1, */*;q=0.2", "solutions", protocol.SPARQL_JSON),
        ("application/json", "solutions", protocol.SPARQL_JSON),
        ("application/xml", "solutions", protocol.SPARQL_XML),
        ("application/ld+json, text/turtle;q=0.5", "graph", protocol.JSONLD),
        ("text/plain", "graph", protocol.NTRIPLES),
        ("application/rdf+xml", "graph", protocol.RDFXML),
        ("text/turtle;q=0, */*", "graph", protocol.NTRIPLES),
        # rdflib's SPARQLStore asks a CONSTRUCT in the terms of its returnFormat.
        ("application/sparql-results+json", "graph", protocol.JSONLD),
        ("application/rdf+xml, application/sparql-results+xml", "graph", protocol.RDFXML),
        ("application/sparql-results+xml", "graph", protocol.RDFXML),
        ("application/sparql-results+xml", "solutions", protocol.SPARQL_XML),
    ],
)
def test_negotiate(accept: str | None, kind: protocol.ResultKind, expected: str) -> None:
    assert protocol.negotiate(accept, kind) == expected


def test_negotiate_refuses_what_is_not_offered() -> None:
    with pytest.raises(NotAcceptable):
        protocol.negotiate("image/png", "solutions")
    with pytest.raises(NotAcceptable):
        protocol.negotiate("text/csv", "graph")
    with pytest.raises(NotAcceptable):
        protocol.negotiate("application/sparql-results+json;q=0", "solutions")
    with pytest.raises(NotAcceptable):
        protocol.negotiate("text/csv", "graph", ("csv",))
    assert protocol.negotiate("image/png", "graph", protocol.NTRIPLES) == protocol.NTRIPLES


@pytest.mark.parametrize(
    ("accept", "kind", "formats", "expected"),
    [
        # A format of the other kind leaves the choice to Accept (SPARQLWrapper: */*).
        (None, "graph", ("csv",), protocol.TURTLE),
        ("*/*", "solutions", ("turtle",), protocol.SPARQL_JSON),
        # A short name is read for the result's kind.
        (None, "graph", ("xml",), protocol.RDFXML),
        (None, "solutions", ("xml",), protocol.SPARQL_XML),
        (None, "graph", ("json",), protocol.JSONLD),
        (None, "graph", (protocol.SPARQL_XML,), protocol.RDFXML),
        # Equivalent names, and a list of media types: the first that fits.
        (None, "solutions", ("tsv", "text/tab-separated-values"), protocol.TSV),
        (None, "graph", ("json-ld", "application/ld+json", "application/x-json+ld"),
         protocol.JSONLD),
        ("text/csv", "solutions", ("json",), protocol.SPARQL_JSON),
    ],
)
def test_negotiate_with_format(accept: str | None, kind: protocol.ResultKind,
                               formats: tuple[str, ...], expected: str) -> None:
    assert protocol.negotiate(accept, kind, formats) == expected


@pytest.mark.parametrize(
    ("qs", "expected"),
    [
        (b"format=tsv&format=text%2Ftab-separated-values", ("tsv", "text/tab-separated-values")),
        (b"format=json-ld&format=application%2Fld%2Bjson%2Capplication%2Fx-json%2Bld",
         ("json-ld", "application/ld+json", "application/x-json+ld")),
        (b"format=rdf%2Bxml&format=", ("rdf+xml",)),
        (b"format=XML&format=xml", ("xml",)),
        (b"format=", None),
    ],
)
def test_format_parameters_as_sparqlwrapper_sends_them(qs: bytes,
                                                       expected: tuple[str, ...] | None) -> None:
    assert protocol.parse_request("GET", b"query=ASK%7B%7D&" + qs, None, b"").format == expected


def test_parse_accept_ignores_garbage() -> None:
    ranges = protocol.parse_accept("garbage, text/csv;q=abc, text/html;q=0.3")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "csv", 0.0),
                                                          ("text", "html", 0.3)]


# --- requests ------------------------------------------------------------------------------

def test_parse_request_get_and_dataset() -> None:
    req = protocol.parse_request(
        "GET", b"query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fa%2Fg&named-graph-uri="
               b"http%3A%2F%2Fa%2Fn&format=csv", None, b"")
    assert req.query == "ASK {}"
    assert req.dataset == DatasetSpec(default_graphs=("http://a/g",), named_graphs=("http://a/n",))
    assert req.format == ("csv",)


def test_parse_request_without_query_or_dataset() -> None:
    req = protocol.parse_request("GET", b"", None, b"")
    assert req.query is None and req.dataset is None and req.format is None


@pytest.mark.parametrize(
    ("method", "qs", "ctype", "body", "error", "message"),
    [
        ("GET", b"query=a&query=b", None, b"", BadParameter, "2 'query'"),
        ("GET", b"query=%FF", None, b"", BadParameter, "UTF-8"),
        ("GET", b"update=CLEAR%20ALL", None, b"", Forbidden, "read-only"),
        ("GET", b"query=ASK%7B%7D&format=png", None, b"", BadParameter, "format"),
        ("GET", b"query=ASK%7B%7D&default-graph-uri=nope", None, b"", BadParameter, "default"),
        ("POST", b"", None, b"ASK {}", BadParameter, "Content-Type"),
        ("POST", b"", "text/plain", b"ASK {}", BadParameter, "text/plain"),
        ("POST", b"", "application/sparql-query", b"\xff", BadParameter, "UTF-8"),
        ("POST", b"", "application/sparql-query;charset=ISO-8859-1", b"ASK {}", BadParameter,
         "UTF-8"),
        ("POST", b"query=x", "application/sparql-query", b"ASK {}", BadParameter, "URL"),
        ("POST", b"query=x", "application/x-www-form-urlencoded", b"query=y", BadParameter,
         "URL"),
        ("POST", b"", "application/x-www-form-urlencoded", b"query=%C3", BadParameter, "UTF-8"),
        ("POST", b"", "application/x-www-form-urlencoded", b"update=CLEAR+ALL", Forbidden,
         "read-only"),
        ("POST", b"", "application/sparql-update", b"CLEAR ALL", Forbidden, "read-only"),
    ],
)
def test_parse_request_refuses(method: str, qs: bytes, ctype: str | None, body: bytes,
                               error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        protocol.parse_request(method, qs, ctype, body)


def test_bad_graph_iri_is_a_400_not_a_422() -> None:
    with pytest.raises(BadParameter) as info:
        protocol.parse_request("GET", b"query=ASK%7B%7D&named-graph-uri=%3Cx%3E", None, b"")
    assert info.value.status == 400 and info.value.param == "named-graph-uri"


# --- serialisation -------------------------------------------------------------------------

SELECT = SelectResult(
    ["s", "v"],
    [
        {"s": NamedNode(EX + "a"), "v": Literal('say "hi",\tthen\nbye', language="en")},
        {"s": BlankNode("b0"), "v": Literal("7", datatype=NamedNode(XSD + "integer"))},
        {"s": NamedNode(EX + "c")},
        {"v": Literal("plain")},
    ],
)


def test_results_json_follows_the_spec() -> None:
    doc = protocol.results_json(SELECT)
    assert doc["head"] == {"vars": ["s", "v"]}
    rows = doc["results"]["bindings"]
    assert rows[0]["v"] == {"type": "literal", "value": 'say "hi",\tthen\nbye', "xml:lang": "en"}
    assert rows[1] == {"s": {"type": "bnode", "value": "b0"},
                       "v": {"type": "literal", "value": "7", "datatype": XSD + "integer"}}
    assert rows[2] == {"s": {"type": "uri", "value": EX + "c"}}
    assert rows[3] == {"v": {"type": "literal", "value": "plain"}}
    assert protocol.results_json(AskResult(False)) == {"head": {}, "boolean": False}


def test_triple_terms_in_json() -> None:
    t = Triple(NamedNode(EX + "s"), NamedNode(EX + "p"), Literal("o"))
    assert protocol.term_json(t) == {"type": "triple", "value": {
        "subject": {"type": "uri", "value": EX + "s"},
        "predicate": {"type": "uri", "value": EX + "p"},
        "object": {"type": "literal", "value": "o"}}}


@pytest.mark.parametrize("media", [protocol.SPARQL_JSON, protocol.SPARQL_XML, protocol.TSV])
def test_select_serialisations_round_trip(media: str) -> None:
    data = protocol.serialize_result(SELECT, media)
    back = list(parse_query_results(data, format=QueryResultsFormat.from_media_type(media)))
    assert len(back) == 4
    assert back[0]["v"] == Literal('say "hi",\tthen\nbye', language="en")
    assert back[1]["v"] == Literal("7", datatype=NamedNode(XSD + "integer"))
    assert back[3]["s"] is None


def test_csv_escapes_fields() -> None:
    text = protocol.serialize_result(SELECT, protocol.CSV).decode()
    assert text.startswith("s,v\r\n")
    assert f'{EX}a,"say ""hi"",\tthen\nbye"' in text


def test_ask_serialisations() -> None:
    assert json.loads(protocol.serialize_result(AskResult(True), protocol.SPARQL_JSON)) == {
        "head": {}, "boolean": True}
    assert b"<boolean>false</boolean>" in protocol.serialize_result(AskResult(False),
                                                                   protocol.SPARQL_XML)


def test_graph_serialisation_declares_only_used_prefixes() -> None:
    triples = [Triple(NamedNode("https://w3id.org/qualifica/id/role/cio"),
                      NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                      Literal("CIO", language="de"))]
    ttl = protocol.serialize_graph(triples, protocol.TURTLE).decode()
    assert "@prefix skos:" in ttl and "@prefix role:" in ttl
    assert "@prefix dcat:" not in ttl
    result = GraphResult(triples)
    assert protocol.serialize_result(result, protocol.NTRIPLES).decode().strip().endswith(
        '"CIO"@de .')
    with pytest.raises(NotAcceptable):
        protocol.serialize_graph(triples, protocol.CSV)


# --- the guard -----------------------------------------------------------------------------

def test_inspect_finds_form_services_and_from() -> None:
    info = guard.inspect(
        "# SELECT in a comment\nPREFIX ex: <http://ex.org/>\nBASE <http://base.org/>\n"
        "construct { ?s ?p ?o } FROM ex:g FROM NAMED <named> WHERE {\n"
        "  SERVICE SILENT ex:sparql { ?s ?p ?o } FILTER(?o != 'SERVICE <http://x/>')\n"
        "  OPTIONAL { SERVICE <http://y.org/q> { ?s ?p ?o } } }")
    assert info.form == "construct" and not info.update
    assert info.services == ["http://ex.org/sparql", "http://y.org/q"]
    assert info.from_graphs == ["http://ex.org/g"]
    assert info.from_named == ["http://base.org/named"]
    assert info.dataset() == DatasetSpec(("http://ex.org/g",), ("http://base.org/named",))


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "PREFIX x: <http://x/>\n# comment\ndelete where { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL", "DROP GRAPH <http://g>", "CREATE GRAPH <http://g>",
        "COPY DEFAULT TO <http://g>", "MOVE <http://a> TO <http://b>", "ADD <http://a> TO <http://b>",
    ],
)
def test_updates_are_refused(text: str) -> None:
    with pytest.raises(Forbidden, match="read-only"):
        guard.check_query(text, service_allow=[], max_chars=10_000)


def test_service_allow_list() -> None:
    q = "SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    with pytest.raises(Forbidden, match="not allowed"):
        guard.check_query(q, service_allow=[], max_chars=10_000)
    with pytest.raises(Forbidden):
        guard.check_query(q, service_allow=["https://query.wikidata.org/sparqlx"],
                          max_chars=10_000)
    info = guard.check_query(q, service_allow=["https://query.wikidata.org/"], max_chars=10_000)
    assert info.services == ["https://query.wikidata.org/sparql"]
    # a variable or an undeclared prefix is refused even with an allow-list
    for bad in ("SELECT * { SERVICE ?x { ?s ?p ?o } }",
                "SELECT * { SERVICE $x { ?s ?p ?o } }",
                "SELECT * { SERVICE nope:x { ?s ?p ?o } }",
                "SELECT * { SERVICE <relative> { ?s ?p ?o } }"):
        with pytest.raises(Forbidden):
            guard.check_query(bad, service_allow=["https://", "http://"], max_chars=10_000)


def test_variables_and_prefixed_names_named_service_are_not_services() -> None:
    info = guard.inspect("PREFIX ex: <http://e/>\nSELECT ?service WHERE { ?service ex:SERVICE "
                         "ex:service . ?x ex:p ex:a.b . }")
    assert info.form == "select" and info.services == []


def test_check_query_limits() -> None:
    with pytest.raises(BadParameter) as info:
        guard.check_query("ASK {}" + " " * 100, service_allow=[], max_chars=100)
    assert info.value.status == 413
    with pytest.raises(BadParameter, match="empty"):
        guard.check_query("  \n", service_allow=[], max_chars=100)
    with pytest.raises(BadParameter, match="malformed"):
        guard.check_query("hello world", service_allow=[], max_chars=100)
    assert guard.check_query("ask {}", service_allow=[], max_chars=100).form == "ask"


# --- service description -------------------------------------------------------------------

def test_service_description_triples() -> None:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    triples = service_description("http://h/sparql", formats=[protocol.SPARQL_JSON, "x/y"],
                                  named_graphs=["http://h/g1"], triple_count=5, federated=True)
    service = NamedNode("http://h/sparql")
    objects = {t.object for t in triples if t.subject == service}
    assert NamedNode(sd + "UnionDefaultGraph") in objects
    assert NamedNode(sd + "BasicFederatedQuery") in objects
    assert NamedNode("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in objects
    assert len([t for t in triples if t.predicate == NamedNode(sd + "resultFormat")]) == 1
    assert NamedNode("http://h/g1") in {t.object for t in triples}
    plain = service_description("http://h/sparql", formats=[], named_graphs=[])
    assert NamedNode(sd + "BasicFederatedQuery") not in {t.object for t in plain}

