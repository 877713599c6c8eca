"""Dereferencing the bundled graph's IRIs over real HTTP, the way a new user would: curl with an
Accept header gets Turtle, a browser's Accept gets a readable page, and the dataset's catalog,
VoID and dumps answer over the wire."""

from __future__ import annotations

import hashlib
import json
import subprocess

import httpx
import pytest
import rdflib
from pyld import jsonld
from rdflib.namespace import RDF, SKOS

ID = "https://w3id.org/qualifica/id/"
QD = rdflib.Namespace("https://w3id.org/qualifica/ontology#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "*/*;q=0.8")
FIXED = [("role", "prozessmanager", QD.Role), ("role", "cio", QD.Role),
         ("competency", "digcomp-4-2", QD.Competency),
         ("framework", "digcomp-2-2", QD.CompetencyFramework),
         ("legal-basis", "bbig-1", QD.LegalBasis)]
PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt",
           "application/rdf+xml": "xml"}


def parse_answer(response: httpx.Response) -> rdflib.Graph:
    media_type = response.headers["content-type"].split(";")[0]
    if media_type == "application/ld+json":
        doc = response.json()
        assert jsonld.expand(doc)
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        return rdflib.Graph().parse(data=nquads, format="nt")
    return rdflib.Graph().parse(data=response.content, format=PARSERS[media_type])


def test_curl_with_accept_turtle_gets_turtle(live_server) -> None:  # type: ignore[no-untyped-def]
    url = f"{live_server.url}/id/role/prozessmanager"
    result = subprocess.run(
        ["curl", "-s", "-i", "-H", "Accept: text/turtle", url],
        capture_output=True, check=True, timeout=30,
    )
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"content-type: text/turtle" in head.lower()
    g = rdflib.Graph().parse(data=body, format="turtle")
    role = rdflib.URIRef(ID + "role/prozessmanager")
    assert (role, RDF.type, QD.Role) in g
    assert {lit.language for lit in g.objects(role, SKOS.prefLabel)} == {"de", "en"}


@pytest.mark.parametrize(("kind", "slug", "cls"), FIXED)
@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json",
                                        "application/n-triples", "application/rdf+xml"])
def test_fixed_iris_dereference_in_every_format(live_server, kind: str, slug: str,  # type: ignore[no-untyped-def]
                                                cls: rdflib.URIRef, media_type: str) -> None:
    response = httpx.get(f"{live_server.url}/id/{kind}/{slug}",
                         headers={"Accept": media_type}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "accept" in response.headers["vary"].lower()
    g = parse_answer(response)
    iri = rdflib.URIRef(f"{ID}{kind}/{slug}")
    assert (iri, RDF.type, cls) in g
    assert len(list(g.triples((iri, None, None)))) >= 3


def test_role_description_carries_its_requirements(live_server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{live_server.url}/id/role/cio?format=nt", timeout=30)
    g = parse_answer(response)
    role = rdflib.URIRef(ID + "role/cio")
    requirements = set(g.objects(role, QD.requires))
    assert requirements
    for req in requirements:
        competency = g.value(req, QD.competency)
        assert competency is not None, f"{req} without its competency"
        assert g.value(req, QD.level) is not None
        assert g.value(competency, SKOS.prefLabel) is not None, f"no label of {competency}"


def test_browser_gets_a_readable_page(live_server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.get(f"{live_server.url}/id/role/cio",
                         headers={"Accept": BROWSER, "Accept-Language": "de-DE,de;q=0.9"},
                         timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<html" in html.lower() and "</html>" in html.lower()
    ttl = httpx.get(f"{live_server.url}/id/role/cio?format=ttl", timeout=30)
    label = next(str(o) for o in parse_answer(ttl).objects(rdflib.URIRef(ID + "role/cio"),
                                                            SKOS.prefLabel) if o.language == "de")
    assert label in html
    link = response.headers["link"]
    assert f'<{ID}role/cio>; rel="canonical"' in link
    assert 'rel="alternate"; type="text/turtle"' in link


def test_errors_over_http(live_server) -> None:  # type: ignore[no-untyped-def]
    missing = httpx.get(f"{live_server.url}/id/role/gibt-es-nicht",
                        headers={"Accept": "text/turtle"}, timeout=30)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    page = httpx.get(f"{live_server.url}/id/role/gibt-es-nicht",
                     headers={"Accept": BROWSER}, timeout=30)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    refused = httpx.get(f"{live_server.url}/id/role/cio", headers={"Accept": "image/png"},
                        timeout=30)
    assert refused.status_code == 406
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_catalog_void_and_dumps_over_http(live_server) -> None:  # type: ignore[no-untyped-def]
    catalog = parse_answer(httpx.get(f"{live_server.url}/catalog",
                                     headers={"Accept": "text/turtle"}, timeout=60))
    dataset = rdflib.URIRef("https://w3id.org/qualifica/dataset")
    dists = list(catalog.objects(dataset, DCAT.distribution))
    assert len(dists) == 8  # Turtle, N-Triples, JSON-LD and N-Quads, each also gzip
    for dist in dists:
        url = str(catalog.value(dist, DCAT.downloadURL))
        path = url.split("/", 3)[3]  # the public base is the default, not the test port
        body = httpx.get(f"{live_server.url}/{path}", timeout=60).content
        assert catalog.value(dist, DCAT.byteSize).toPython() == len(body)
        checksum = catalog.value(dist, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == \
            hashlib.sha256(body).hexdigest()
    void = httpx.get(f"{live_server.url}/.well-known/void?format=jsonld", timeout=60)
    assert void.status_code == 200
    assert jsonld.expand(json.loads(void.content))
    ontology = httpx.get(f"{live_server.url}/ontology", headers={"Accept": BROWSER},
                         timeout=30)
    assert ontology.status_code == 200 and 'id="Role"' in ontology.text
