"""Citable releases: ``POST /api/releases``, a release IRI dereferenced in every format, the
releases in the DCAT catalog (DCAT-AP.de, checked with SHACL against
``tests/data/linkeddata/dcat-ap-de.shapes.ttl`` and property by property), their files with
sizes and checksums, and the download page ``/downloads/`` in German and English."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyshacl
import pytest
import rdflib
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD

from qualifica.context import Context
from qualifica.web.locale import date_text
from qualifica_testing import TEST_DATA, app_client, bundled_copy

TOKEN = "release-iri-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "http://127.0.0.1:8000/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
IANA = "https://www.iana.org/assignments/media-types/"
CATALOG = rdflib.URIRef("https://w3id.org/qualifica/catalog")
DATASET = rdflib.URIRef("https://w3id.org/qualifica/dataset")
SHAPES = TEST_DATA / "linkeddata" / "dcat-ap-de.shapes.ttl"
PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}


def release(version: str) -> rdflib.URIRef:
    return rdflib.URIRef(f"https://w3id.org/qualifica/releases/{version}")


def graph_of(response) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    media_type = response.headers["content-type"].split(";")[0]
    if media_type == "application/ld+json":
        nquads = jsonld.to_rdf(json.loads(response.content), {"format": "application/n-quads"})
        return rdflib.Graph().parse(data=nquads, format="nt")
    return rdflib.Graph().parse(data=response.content, format=PARSERS[media_type])


@pytest.fixture(scope="module")
def released(bundled_ctx: Context, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[TestClient, Context]]:
    """A copy of the bundled graph with releases 1.0.0 and 1.1.0 made through the API."""
    ctx = bundled_copy(bundled_ctx, tmp_path_factory.mktemp("release-iris"), query_workers=1,
                       api_tokens=[TOKEN], publisher="Beispielbehörde",
                       contact_email="daten@example.org")
    with app_client(ctx) as client:
        for version in ("1.0.0", "1.1.0"):
            made = client.post("/api/releases", json={"version": version}, headers=AUTH)
            assert made.status_code == 201, made.text
            assert made.headers["location"] == f"{BASE}releases/{version}"
            assert made.json()["iri"] == str(release(version))
            assert made.json()["quads"] > 1000
        yield client, ctx
    ctx.close()


def test_making_a_release_needs_a_token_and_a_new_version(
        released: tuple[TestClient, Context]) -> None:
    client, _ = released
    assert client.post("/api/releases", json={"version": "2.0.0"}).status_code == 401
    wrong = client.post("/api/releases", json={"version": "2.0.0"},
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    again = client.post("/api/releases", json={"version": "1.0.0"}, headers=AUTH)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "exists already" in again.json()["detail"]
    bad = client.post("/api/releases", json={"version": "v2"}, headers=AUTH)
    assert bad.status_code == 422 and bad.json()["param"] == "version"
    assert [r["version"] for r in client.get("/api/releases").json()["items"]] == \
        ["1.0.0", "1.1.0"]


@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json",
                                        "application/n-triples", "application/rdf+xml"])
def test_a_release_iri_dereferences(released: tuple[TestClient, Context],
                                    media_type: str) -> None:
    client, ctx = released
    response = client.get("/releases/1.0.0", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "accept" in response.headers["vary"].lower()
    assert '<https://w3id.org/qualifica/releases/1.0.0>; rel="canonical"' in \
        response.headers["link"]
    g = graph_of(response)
    rel = release("1.0.0")
    assert (rel, RDF.type, DCAT.Dataset) in g
    assert str(g.value(rel, DCAT.version)) == "1.0.0"
    assert g.value(rel, DCTERMS.hasPart) == rdflib.URIRef(
        "https://w3id.org/qualifica/graph/release/1.0.0")
    issued = g.value(rel, DCTERMS.issued)
    assert issued.datatype == XSD.date and g.value(rel, DCTERMS.modified) == issued
    files = {p.name: p for p in (ctx.settings.data_dir / "releases" / "1.0.0").iterdir()}
    dists = list(g.objects(rel, DCAT.distribution))
    assert {str(d).rsplit("/", 1)[1] for d in dists} == {
        "qualifica-1.0.0.nq.gz", "qualifica-1.0.0.ttl"}
    for dist in dists:
        name = str(dist).rsplit("/", 1)[1]
        url = str(g.value(dist, DCAT.downloadURL))
        assert url == f"{BASE}releases/1.0.0/{name}"
        body = client.get(url.removeprefix(BASE.rstrip("/")),
                          headers={"Accept-Encoding": "identity"}).content
        assert body == files[name].read_bytes()
        assert g.value(dist, DCAT.byteSize).toPython() == len(body)
        checksum = g.value(dist, SPDX.checksum)
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        packed = name.endswith(".gz")
        assert (g.value(dist, DCAT.compressFormat) == rdflib.URIRef(IANA + "application/gzip")
                ) == packed
        assert g.value(dist, DCAT.mediaType) == rdflib.URIRef(
            IANA + ("application/n-quads" if packed else "text/turtle"))


def test_release_properties_dcat_ap_de(released: tuple[TestClient, Context]) -> None:
    client, _ = released
    g = graph_of(client.get("/releases/1.1.0?format=ttl"))
    rel = release("1.1.0")
    assert g.value(rel, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert str(g.value(rel, OWL.versionInfo)) == "1.1.0"
    publisher = g.value(rel, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert str(g.value(publisher, FOAF.name)) == "Beispielbehörde"
    contact = g.value(rel, DCAT.contactPoint)
    assert str(g.value(contact, VCARD.fn)) == "Beispielbehörde"
    assert g.value(contact, VCARD.hasEmail) == rdflib.URIRef("mailto:daten@example.org")
    assert g.value(contact, VCARD.hasURL) == rdflib.URIRef(BASE)
    citations = {c.language: str(c) for c in g.objects(rel, DCTERMS.bibliographicCitation)}
    year = str(g.value(rel, DCTERMS.issued))[:4]
    assert citations["en"] == (
        f"Qualifica contributors ({year}). Qualifica – knowledge graph of digital competencies "
        "in public administration (Version 1.1.0) [Data set]. "
        "https://w3id.org/qualifica/releases/1.1.0")
    assert citations["de"].endswith("(Version 1.1.0) [Datensatz]. "
                                    "https://w3id.org/qualifica/releases/1.1.0")
    assert g.value(rel, DCAT.isVersionOf) == DATASET
    assert g.value(rel, DCAT.landingPage) == rdflib.URIRef(f"{BASE}releases/1.1.0")


def test_the_catalog_lists_every_release(released: tuple[TestClient, Context]) -> None:
    client, _ = released
    g = graph_of(client.get("/catalog", headers={"Accept": "text/turtle"}))
    for version in ("1.0.0", "1.1.0"):
        assert (CATALOG, DCAT.dataset, release(version)) in g
        assert (DATASET, DCAT.hasVersion, release(version)) in g
        assert len(list(g.objects(release(version), DCAT.distribution))) == 2
    # the live dataset has the same publisher and contact point
    assert str(g.value(g.value(DATASET, DCTERMS.publisher), FOAF.name)) == "Beispielbehörde"
    # the catalog and the release IRI say the same of a release
    own = graph_of(client.get("/releases/1.0.0?format=nt"))
    for triple in own.triples((release("1.0.0"), None, None)):
        if not isinstance(triple[2], rdflib.BNode):
            assert triple in g


def test_the_catalog_page_links_every_release(released: tuple[TestClient, Context]) -> None:
    client, _ = released
    page = client.get("/catalog?lang=en", headers={"Accept": "text/html"}).text
    links = re.findall(r'href="(/releases/[^"?]+)', page)
    assert links == ["/releases/1.1.0", "/releases/1.0.0"]  # newest first
    assert 'href="/downloads/' in page


def test_the_catalog_conforms_to_the_dcat_ap_de_shapes(
        released: tuple[TestClient, Context]) -> None:
    client, _ = released
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    for path in ("/catalog?format=ttl", "/releases/1.0.0?format=ttl"):
        data = graph_of(client.get(path))
        conforms, _, text = pyshacl.validate(data, shacl_graph=shapes)
        assert conforms, text
    # the shapes can fail: a release without publisher and checksum does not conform
    data = graph_of(client.get("/releases/1.0.0?format=ttl"))
    data.remove((release("1.0.0"), DCTERMS.publisher, None))
    data.remove((None, SPDX.checksumValue, None))
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes)
    assert not conforms
    assert "publisher" in text and "checksumValue" in text


def test_release_page_in_both_languages(released: tuple[TestClient, Context]) -> None:
    client, _ = released
    german = client.get("/releases/1.0.0", headers={"Accept": "text/html"})
    assert german.status_code == 200
    assert '<html lang="de">' in german.text
    assert "Zitiervorschlag" in german.text and "[Datensatz]" in german.text
    issued = date.fromisoformat(client.get("/api/releases").json()["items"][0]["issued"])
    # dates and sizes as the page's language writes them
    assert f">{date_text(issued, 'de')}</time>" in german.text
    english = client.get("/releases/1.0.0?lang=en", headers={"Accept": "text/html"})
    assert f">{date_text(issued, 'en')}</time>" in english.text
    assert not re.search(r">\d{4}-\d{2}-\d{2}<", german.text + english.text)
    assert '<html lang="en">' in english.text
    assert "Cite as" in english.text and "[Data set]" in english.text
    assert "Zitiervorschlag" not in english.text
    hrefs = set(re.findall(r'href="(/releases/1\.0\.0/[^"?]+)', english.text))
    assert hrefs == {"/releases/1.0.0/qualifica-1.0.0.nq.gz", "/releases/1.0.0/qualifica-1.0.0.ttl"}
    for href in hrefs:
        assert client.get(href).status_code == 200


def test_release_files(released: tuple[TestClient, Context]) -> None:
    client, _ = released
    sums = client.get("/releases/1.0.0/SHA256SUMS")
    assert sums.status_code == 200 and sums.headers["content-type"].startswith("text/plain")
    listed = dict(reversed(line.split("  ")) for line in sums.text.splitlines())
    assert set(listed) == {"qualifica-1.0.0.nq.gz", "qualifica-1.0.0.ttl"}
    dump = client.get("/releases/1.0.0/qualifica-1.0.0.nq.gz",
                      headers={"Accept-Encoding": "identity"})
    assert dump.headers["content-type"] == "application/gzip"
    assert hashlib.sha256(dump.content).hexdigest() == listed["qualifica-1.0.0.nq.gz"]
    digest = base64.b64encode(bytes.fromhex(listed["qualifica-1.0.0.nq.gz"])).decode()
    assert dump.headers["repr-digest"] == f"sha-256=:{digest}:"
    lines = gzip.decompress(dump.content).decode().splitlines()
    assert all(line.endswith("<https://w3id.org/qualifica/graph/release/1.0.0> .")
               for line in lines)
    turtle = client.get("/releases/1.0.0/qualifica-1.0.0.ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=turtle.text, format="turtle")) == len(set(lines))


@pytest.mark.parametrize("path", ["/releases/9.9.9", "/releases/latest",
                                  "/releases/1.0.0/qualifica-9.9.9.ttl",
                                  "/releases/1.0.0/..%2F..%2Fstore",
                                  "/releases/1.0.0/store"])
def test_unknown_releases_and_files_are_404(released: tuple[TestClient, Context],
                                            path: str) -> None:
    client, _ = released
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    if path.count("/") == 2:
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


def test_download_page(released: tuple[TestClient, Context]) -> None:
    client, _ = released
    german = client.get("/downloads/")
    assert german.status_code == 200 and german.headers["content-type"].startswith("text/html")
    assert '<html lang="de">' in german.text and "Zitieren" in german.text
    # newest release first
    assert german.text.index("Version 1.1.0") < german.text.index("Version 1.0.0")
    english = client.get("/downloads/?lang=en")
    assert '<html lang="en">' in english.text and "How to cite" in english.text
    assert "Release 1.1.0" in english.text
    hrefs = set(re.findall(r'href="(?:http://127\.0\.0\.1:8000)?(/(?:downloads|releases)/[^"?]+)',
                           english.text))
    for name in ("qualifica.ttl", "qualifica.nq", "qualifica.nq.gz", "qualifica.jsonld.gz"):
        assert f"/downloads/{name}" in hrefs
    assert "/releases/1.0.0/qualifica-1.0.0.nq.gz" in hrefs
    for href in hrefs:
        assert client.head(href).status_code == 200, href
    assert client.get("/downloads", follow_redirects=False).status_code in (307, 308)


def test_release_folder_paths(released: tuple[TestClient, Context]) -> None:
    _, ctx = released
    folder: Path = ctx.settings.data_dir / "releases" / "1.1.0"
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS", "qualifica-1.1.0.nq.gz", "qualifica-1.1.0.ttl"]
