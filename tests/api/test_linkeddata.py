"""Dereferenceable IRIs and the ontology: content negotiation (Accept with q-values, ?format=,
406), the description of a resource in every RDF format (parsed with rdflib, JSON-LD expanded
with pyld), the headers (Vary, Link, Cache-Control), and 404 in the negotiated format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from pyld import jsonld
from pyoxigraph import NamedNode, Quad, RdfFormat, parse
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SKOS

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.errors import NotAcceptable
from qualifica.linkeddata import conneg
from qualifica.linkeddata.conneg import negotiate, parse_accept
from qualifica_testing import LOCAL

ROOT = Path(__file__).resolve().parents[2]
GRAPH_TTL = ROOT / "tests" / "data" / "linkeddata" / "graph.ttl"
ID = "https://w3id.org/qualifica/id/"
QD = rdflib.Namespace("https://w3id.org/qualifica/ontology#")
GRAPH = "https://w3id.org/qualifica/graph/"
BASE = "http://127.0.0.1:8000/"
ROLE = ID + "role/testrolle"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


def load(ctx: Context, path: Path, graph: str) -> None:
    """Add a Turtle file to a named graph of the store (no gate: test fixture data)."""
    ctx.store.add(Quad(t.subject, t.predicate, t.object, NamedNode(graph))
                  for t in parse(path=str(path), format=RdfFormat.TURTLE))


def ld_context(tmp: Path) -> Context:
    """The ontology files and the small test graph in an in-memory store."""
    ctx = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp))
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        load(ctx, path, GRAPH + path.stem)
    load(ctx, GRAPH_TTL, GRAPH + "linkeddata-test")
    return ctx


@pytest.fixture(scope="module")
def ld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A read-only client over the ontology and the small graph."""
    ctx = ld_context(tmp_path_factory.mktemp("linkeddata"))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client
    ctx.close()


def to_graph(body: bytes, media_type: str) -> rdflib.Graph:
    """Parse an RDF answer: rdflib for Turtle/N-Triples/RDF-XML, pyld expansion for JSON-LD."""
    if media_type == "application/ld+json":
        doc = json.loads(body)
        expanded = jsonld.expand(doc)
        assert expanded, "the JSON-LD answer expands to nothing"
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        return rdflib.Graph().parse(data=nquads, format="nt")
    return rdflib.Graph().parse(data=body, format=RDF_TYPES[media_type][1])


def varies_on_accept(response) -> bool:  # type: ignore[no-untyped-def]
    return "accept" in [v.strip().lower() for v in response.headers.get("vary", "").split(",")]


def problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


# --- content negotiation (library) -----------------------------------------------------------

OFFERED = conneg.RESOURCE_FORMATS


def test_accept_q_values_pick_the_highest() -> None:
    accept = "text/turtle;q=0.5, application/n-triples, application/ld+json;q=0.9"
    assert negotiate(accept, OFFERED) == "application/n-triples"


def test_accept_specific_range_beats_wildcard_q() -> None:
    # */* allows everything at 0.1, but text/turtle is refused explicitly with q=0
    accept = "text/turtle;q=0, */*;q=0.1, application/rdf+xml;q=0.2"
    assert negotiate(accept, conneg.RDF_FORMATS) == "application/rdf+xml"
    assert negotiate("text/turtle;q=0, */*;q=0.1", conneg.RDF_FORMATS) == "application/ld+json"


def test_accept_ties_go_to_the_server_order() -> None:
    assert negotiate("application/n-triples, text/turtle", OFFERED) == "text/turtle"
    assert negotiate("*/*", OFFERED) == "text/html"
    assert negotiate(None, OFFERED) == "text/html"
    assert negotiate("", conneg.RDF_FORMATS) == "text/turtle"


def test_accept_type_wildcard_and_aliases() -> None:
    assert negotiate("application/*", OFFERED) == "application/ld+json"
    assert negotiate("application/x-turtle", OFFERED) == "text/turtle"
    assert negotiate("text/plain", conneg.RDF_FORMATS) == "application/n-triples"
    assert negotiate(BROWSER, OFFERED) == "text/html"


def test_format_override_wins_over_accept() -> None:
    assert negotiate("text/html", OFFERED, "ttl") == "text/turtle"
    assert negotiate("text/html", OFFERED, "jsonld") == "application/ld+json"
    assert negotiate(None, OFFERED, "nt") == "application/n-triples"
    assert negotiate(None, OFFERED, "rdf") == "application/rdf+xml"
    assert negotiate("text/turtle", OFFERED, "html") == "text/html"
    assert negotiate(None, OFFERED, "text/turtle") == "text/turtle"


def test_nothing_fits_is_not_acceptable() -> None:
    with pytest.raises(NotAcceptable):
        negotiate("image/png", OFFERED)
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle;q=0", ("text/turtle",))
    with pytest.raises(NotAcceptable) as err:
        negotiate(None, OFFERED, "pdf")
    assert err.value.extra["param"] == "format"
    with pytest.raises(NotAcceptable):
        negotiate(None, conneg.RDF_FORMATS, "html")


def test_malformed_accept_entries_are_skipped() -> None:
    ranges = parse_accept("garbage, text/turtle;q=abc, */html, application/n-triples;q=0.4")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "turtle", 0.0), ("application", "n-triples", 0.4)]
    assert negotiate("garbage, application/n-triples;q=0.4", OFFERED) == "application/n-triples"


def test_alternates_use_the_given_url() -> None:
    links = conneg.alternates("http://example.org/id/role/x", ("text/turtle",))
    assert links == ['<http://example.org/id/role/x?format=ttl>; rel="alternate"; '
                     'type="text/turtle"']


# --- /id/{kind}/{slug} ----------------------------------------------------------------------

@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_description_in_every_rdf_format_by_accept(ld: TestClient, media_type: str) -> None:
    response = ld.get("/id/role/testrolle", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    g = to_graph(response.content, media_type)
    role = rdflib.URIRef(ROLE)
    assert (role, RDF.type, QD.Role) in g
    assert set(g.subjects()) >= {role}
    assert (role, SKOS.prefLabel, rdflib.Literal("Testrolle", lang="de")) in g


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_description_in_every_rdf_format_by_format_parameter(ld: TestClient,
                                                             media_type: str) -> None:
    key = RDF_TYPES[media_type][0]
    response = ld.get(f"/id/role/testrolle?format={key}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    g = to_graph(response.content, media_type)
    assert (rdflib.URIRef(ROLE), RDF.type, QD.Role) in g


def test_description_holds_qualified_links_labels_and_incoming(ld: TestClient) -> None:
    g = to_graph(ld.get("/id/role/testrolle?format=ttl").content, "text/turtle")
    role = rdflib.URIRef(ROLE)
    req = rdflib.URIRef(ID + "requirement/testrolle-testrahmen-1")
    competency = rdflib.URIRef(ID + "competency/testrahmen-1")
    level = rdflib.URIRef(ID + "level/testrahmen-2")
    task = rdflib.URIRef(ID + "task/testaufgabe")
    # its own triples
    assert (role, QD.requires, req) in g
    assert (role, QD.performsTask, task) in g
    # the qualified link with its triples
    assert (req, QD.competency, competency) in g
    assert (req, QD.level, level) in g
    assert (req, QD.essential, rdflib.Literal(True)) in g
    # labels of everything it links to, directly or through the qualified link
    for target, label in [(task, "Prozesse dokumentieren"), (competency, "Prozesse"),
                          (level, "Fortgeschritten"), (QD.Role, None)]:
        labels = {str(o) for o in g.objects(target, SKOS.prefLabel)} | {
            str(o) for o in g.objects(target, rdflib.RDFS.label)}
        assert labels, f"no label of {target}"
        if label:
            assert label in labels
    # but not the linked resources' other statements
    assert (task, QD.requires, None) not in g
    # a competency's description shows who links to it
    cg = to_graph(ld.get("/id/competency/testrahmen-1-1?format=nt").content,
                  "application/n-triples")
    c = rdflib.URIRef(ID + "competency/testrahmen-1-1")
    assert (rdflib.URIRef(ID + "requirement/testaufgabe-testrahmen-1-1"), QD.competency, c) in cg
    assert (rdflib.URIRef(ID + "outcome/testkurs-testrahmen-1-1"), QD.competency, c) in cg


def test_training_format_description_holds_its_outcomes(ld: TestClient) -> None:
    g = to_graph(ld.get("/id/training-format/testkurs",
                        headers={"Accept": "application/ld+json"}).content,
                 "application/ld+json")
    fmt = rdflib.URIRef(ID + "training-format/testkurs")
    outcome = rdflib.URIRef(ID + "outcome/testkurs-testrahmen-1-1")
    assert (fmt, QD.develops, outcome) in g
    assert (outcome, QD.level, rdflib.URIRef(ID + "level/testrahmen-2")) in g
    assert (fmt, QD.kind, QD.Fortbildung) in g


def test_jsonld_is_compacted_with_prefixes_and_expands_to_the_turtle(ld: TestClient) -> None:
    response = ld.get("/id/role/testrolle", headers={"Accept": "application/ld+json"})
    doc = response.json()
    assert doc["@context"]["qd"] == "https://w3id.org/qualifica/ontology#"
    role = next(n for n in doc["@graph"] if n["@id"] == "role:testrolle")
    assert "qd:requires" in role
    from_jsonld = to_graph(response.content, "application/ld+json")
    from_turtle = to_graph(ld.get("/id/role/testrolle?format=ttl").content, "text/turtle")
    assert isomorphic(from_jsonld, from_turtle)


def test_headers_vary_link_cache(ld: TestClient) -> None:
    response = ld.get("/id/role/testrolle", headers={"Accept": "text/turtle"})
    assert varies_on_accept(response)
    assert "max-age" in response.headers["cache-control"]
    link = response.headers["link"]
    assert f'<{ROLE}>; rel="canonical"' in link
    for media_type, key in [("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                            ("application/n-triples", "nt"), ("application/rdf+xml", "rdf"),
                            ("text/html", "html")]:
        assert (f'<{BASE}id/role/testrolle?format={key}>; rel="alternate"; '
                f'type="{media_type}"') in link
    assert response.headers["content-location"] == f"{BASE}id/role/testrolle?format=ttl"


def test_public_base_is_configurable(tmp_path: Path) -> None:
    ctx = ld_context(tmp_path)
    settings = ctx.settings.model_copy(update={"base_iri": "https://qualifica.example.org/kg/"})
    ctx.settings = settings
    with TestClient(create_app(settings, context=ctx), base_url=LOCAL) as client:
        response = client.get("/id/role/testrolle?format=nt")
    ctx.close()
    assert response.status_code == 200
    link = response.headers["link"]
    assert '<https://qualifica.example.org/kg/id/role/testrolle?format=ttl>; rel="alternate"' \
        in link
    # the data's identifiers do not change with the public base
    assert f"<{ROLE}>" in response.text
    assert f'<{ROLE}>; rel="canonical"' in link


def test_html_for_browsers_and_by_default(ld: TestClient) -> None:
    for headers in ({"Accept": BROWSER}, {}):
        response = ld.get("/id/role/testrolle", headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        assert "Testrolle" in response.text
        assert varies_on_accept(response)
    english = ld.get("/id/legal-basis/testgesetz-9?lang=en", headers={"Accept": "text/html"})
    assert english.status_code == 200
    assert "Test Act section 9" in english.text


def test_head_answers_like_get_without_body(ld: TestClient) -> None:
    response = ld.head("/id/role/testrolle", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


# --- errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/id/role/unbekannt", "/id/nokind/testrolle",
                                  "/id/role/Testrolle", "/id/competency/testrolle"])
@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_unknown_resource_is_404_problem_for_rdf(ld: TestClient, path: str,
                                                 media_type: str) -> None:
    response = ld.get(path, headers={"Accept": media_type})
    body = problem(response, 404)
    assert body["instance"] == path
    assert varies_on_accept(response)


def test_unknown_resource_is_404_page_for_browsers(ld: TestClient) -> None:
    response = ld.get("/id/role/unbekannt", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "404" in response.text
    assert varies_on_accept(response)
    problem(ld.get("/id/role/unbekannt?format=jsonld", headers={"Accept": BROWSER}), 404)


@pytest.mark.parametrize("path", ["/id/role/testrolle", "/id/role/unbekannt", "/ontology"])
def test_nothing_acceptable_is_406(ld: TestClient, path: str) -> None:
    body = problem(ld.get(path, headers={"Accept": "image/png, application/pdf"}), 406)
    assert "text/turtle" in body["available"]
    body = problem(ld.get(path + "?format=pdf"), 406)
    assert body["param"] == "format"


# --- /ontology ------------------------------------------------------------------------------

def _ontology_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def test_ontology_html_documents_every_class_and_property(ld: TestClient) -> None:
    response = ld.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    g = _ontology_graph()
    terms = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in g.subjects(RDF.type, t) if str(s).startswith(str(QD))}
    assert len(terms) >= 10
    for term in terms:
        local = str(term)[len(str(QD)):]
        assert f'id="{local}"' in html, f"{local} is not documented"
        label_de = g.value(term, SKOS.prefLabel) or g.value(term, rdflib.RDFS.label)
        assert label_de is not None
    assert "Kompetenzanforderung" in html or "CompetencyRequirement" in html
    # domain and range of qd:requires are named
    section = html.split('id="requires"', 1)[1].split("</section>", 1)[0]
    assert 'href="#Role"' in section and 'href="#CompetencyRequirement"' in section
    english = ld.get("/ontology?lang=en", headers={"Accept": "text/html"}).text
    assert "Classes" in english and "Domain" in english


@pytest.mark.parametrize("media_type", list(RDF_TYPES))
def test_ontology_rdf_is_the_ontology(ld: TestClient, media_type: str) -> None:
    response = ld.get("/ontology", headers={"Accept": media_type})
    assert response.status_code == 200
    assert varies_on_accept(response)
    assert '<https://w3id.org/qualifica/ontology>; rel="canonical"' in response.headers["link"]
    g = to_graph(response.content, media_type)
    expected = _ontology_graph()
    assert len(g) == len(expected)
    assert (rdflib.URIRef("https://w3id.org/qualifica/ontology"), RDF.type, OWL.Ontology) in g
    assert (QD.Role, RDF.type, OWL.Class) in g
