"""Dataset metadata and dumps: VoID, the DCAT catalog (sizes and SHA-256 checksums that match the
downloads), the dumps in four formats and gzip, and their regeneration after a write."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from pyld import jsonld
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse
from rdflib.namespace import DCTERMS, OWL, RDF, VOID, XSD

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica_testing import LOCAL

SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
QD = rdflib.Namespace("https://w3id.org/qualifica/ontology#")
BASE = "http://127.0.0.1:8000/"
DATASET = rdflib.URIRef("https://w3id.org/qualifica/dataset")
DUMPS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
         "nq": "application/n-quads"}
#: Every dump file: the four formats, and each compressed.
FILES = [*DUMPS, *(f"{s}.gz" for s in DUMPS)]
ROOT = Path(__file__).resolve().parents[2]
GRAPH = "https://w3id.org/qualifica/graph/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
PARSER = {"text/turtle": "turtle", "application/n-triples": "nt",
          "application/rdf+xml": "xml"}


def ld_context(tmp: Path) -> Context:
    """The ontology files and the small linked-data test graph in an in-memory store."""
    ctx = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp))
    files = [*sorted((ROOT / "ontology").glob("*.ttl")),
             ROOT / "tests" / "data" / "linkeddata" / "graph.ttl"]
    for path in files:
        ctx.store.add(Quad(t.subject, t.predicate, t.object, NamedNode(GRAPH + path.stem))
                      for t in parse(path=str(path), format=RdfFormat.TURTLE))
    return ctx


def to_graph(body: bytes, media_type: str) -> rdflib.Graph:
    """Parse an RDF answer: rdflib for Turtle/N-Triples/RDF-XML, pyld expansion for JSON-LD."""
    if media_type == "application/ld+json":
        doc = json.loads(body)
        assert jsonld.expand(doc), "the JSON-LD answer expands to nothing"
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        return rdflib.Graph().parse(data=nquads, format="nt")
    return rdflib.Graph().parse(data=body, format=PARSER[media_type])


def varies_on_accept(response) -> bool:  # type: ignore[no-untyped-def]
    return "accept" in [v.strip().lower() for v in response.headers.get("vary", "").split(",")]


def problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


@pytest.fixture(scope="module")
def meta(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Context]]:
    """A client over the ontology and the small graph (read-only)."""
    ctx = ld_context(tmp_path_factory.mktemp("metadata"))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client, ctx
    ctx.close()


def store_graph(ctx: Context) -> rdflib.Graph:
    """Every distinct triple of the store, as rdflib sees them."""
    g = rdflib.Graph()
    for quad in ctx.store.quads():
        g.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    return g


# --- VoID ---------------------------------------------------------------------------------

@pytest.mark.parametrize("media_type", ["text/turtle", "application/ld+json",
                                        "application/n-triples", "application/rdf+xml"])
def test_void_parses_and_describes_the_dataset(meta: tuple[TestClient, Context],
                                               media_type: str) -> None:
    client, ctx = meta
    response = client.get("/.well-known/void", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert varies_on_accept(response)
    g = to_graph(response.content, media_type)
    assert (DATASET, RDF.type, VOID.Dataset) in g
    assert DATASET in set(g.subjects())
    expected = store_graph(ctx)
    assert g.value(DATASET, VOID.triples).toPython() == len(expected)
    entities = {s for s in expected.subjects()
                if str(s).startswith("https://w3id.org/qualifica/id/")}
    assert g.value(DATASET, VOID.entities).toPython() == len(entities)
    assert g.value(DATASET, VOID.sparqlEndpoint) == rdflib.URIRef(BASE + "sparql")
    assert set(g.objects(DATASET, VOID.dataDump)) == {
        rdflib.URIRef(f"{BASE}downloads/qualifica.{s}") for s in DUMPS}
    assert rdflib.URIRef("https://w3id.org/qualifica/ontology") in set(
        g.objects(DATASET, VOID.vocabulary))
    assert str(g.value(DATASET, VOID.uriSpace)) == "https://w3id.org/qualifica/id/"


def test_void_partitions_count_classes_and_properties(meta: tuple[TestClient, Context]) -> None:
    client, ctx = meta
    g = to_graph(client.get("/.well-known/void").content, "text/turtle")
    expected = store_graph(ctx)
    classes = {g.value(p, VOID["class"]): g.value(p, VOID.entities).toPython()
               for p in g.objects(DATASET, VOID.classPartition)}
    assert classes[QD.Role] == len(set(expected.subjects(RDF.type, QD.Role)))
    assert classes[QD.CompetencyRequirement] == 2
    props = {g.value(p, VOID.property): g.value(p, VOID.triples).toPython()
             for p in g.objects(DATASET, VOID.propertyPartition)}
    assert props[QD.requires] == len(set(expected.triples((None, QD.requires, None))))
    assert sum(props.values()) == len(expected)


def test_void_is_not_html(meta: tuple[TestClient, Context]) -> None:
    client, _ = meta
    problem(client.get("/.well-known/void", headers={"Accept": "text/html"}), 406)
    problem(client.get("/.well-known/void?format=html"), 406)
    # a browser's */* falls back to Turtle
    assert client.get("/.well-known/void", headers={"Accept": BROWSER}).headers[
        "content-type"].startswith("text/turtle")


# --- DCAT and the dumps -----------------------------------------------------------------------

def distributions(g: rdflib.Graph) -> dict[str, rdflib.term.Node]:
    return {str(g.value(d, DCAT.downloadURL)).rsplit("/", 1)[1].removeprefix("qualifica."): d
            for d in g.objects(DATASET, DCAT.distribution)}


def test_catalog_states_dataset_version_license_service(meta: tuple[TestClient, Context]) -> None:
    client, _ = meta
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = to_graph(response.content, "text/turtle")
    catalog = rdflib.URIRef("https://w3id.org/qualifica/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in g
    assert (catalog, DCAT.dataset, DATASET) in g
    assert (DATASET, RDF.type, DCAT.Dataset) in g
    assert str(g.value(DATASET, DCAT.version)) == "0.1.0"
    assert str(g.value(DATASET, OWL.versionInfo)) == "0.1.0"
    assert g.value(DATASET, DCTERMS.license) is not None
    version = g.value(DATASET, DCAT.hasCurrentVersion)
    assert (version, DCAT.isVersionOf, DATASET) in g
    services = set(g.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    service = services.pop()
    assert g.value(service, DCAT.endpointURL) == rdflib.URIRef(BASE + "sparql")
    assert (service, DCAT.servesDataset, DATASET) in g
    assert (catalog, DCAT.service, service) in g


def test_catalog_sizes_and_checksums_match_the_downloads(
        meta: tuple[TestClient, Context]) -> None:
    client, ctx = meta
    g = to_graph(client.get("/catalog?format=jsonld").content, "application/ld+json")
    dists = distributions(g)
    assert set(dists) == set(FILES)
    expected = store_graph(ctx)
    for suffix in FILES:
        media_type = DUMPS[suffix.removesuffix(".gz")]
        d = dists[suffix]
        # the media type of the content; a compressed file says so with dcat:compressFormat
        assert g.value(d, DCAT.mediaType) == rdflib.URIRef(
            f"https://www.iana.org/assignments/media-types/{media_type}")
        packed = suffix.endswith(".gz")
        assert (g.value(d, DCAT.compressFormat) is not None) == packed
        # identity: the bytes of the file as stored, not compressed again on the way
        response = client.get(f"/downloads/qualifica.{suffix}",
                              headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == (
            "application/gzip" if packed else media_type)
        size = g.value(d, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger
        assert size.toPython() == len(response.content)
        checksum = g.value(d, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(g.value(checksum, SPDX.checksumValue)) == \
            hashlib.sha256(response.content).hexdigest()
        if packed:
            plain = client.get(f"/downloads/qualifica.{suffix.removesuffix('.gz')}")
            assert gzip.decompress(response.content) == plain.content
            continue
        if suffix == "nq":  # every quad of the store, graphs kept
            quads = list(parse(response.content, format=RdfFormat.N_QUADS))
            assert len(set(quads)) == len(list(ctx.store.quads()))
            assert all(q.graph_name.value.startswith(GRAPH) for q in quads)
            continue
        # the dump is the whole store
        dumped = to_graph(response.content, media_type)
        assert len(dumped) == len(expected)
        assert (rdflib.URIRef("https://w3id.org/qualifica/id/role/testrolle"), RDF.type,
                QD.Role) in dumped


def test_jsonld_dump_expands_with_pyld(meta: tuple[TestClient, Context]) -> None:
    client, _ = meta
    doc = json.loads(client.get("/downloads/qualifica.jsonld").content)
    expanded = jsonld.expand(doc)
    ids = {node.get("@id") for node in expanded}
    assert "https://w3id.org/qualifica/id/role/testrolle" in ids


def test_catalog_html_for_browsers(meta: tuple[TestClient, Context]) -> None:
    client, _ = meta
    response = client.get("/catalog", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for suffix in DUMPS:
        assert f"qualifica.{suffix}" in response.text
    assert "/sparql" in response.text
    english = client.get("/catalog?lang=en", headers={"Accept": "text/html"}).text
    assert "Downloads" in english and "Size (bytes)" in english


def test_unknown_download_is_404(meta: tuple[TestClient, Context]) -> None:
    client, _ = meta
    for name in ("qualifica.rdf", "other.ttl", "qualifica", "..%2Fsecret"):
        problem(client.get(f"/downloads/{name}"), 404)


def test_catalog_406(meta: tuple[TestClient, Context]) -> None:
    client, _ = meta
    problem(client.get("/catalog", headers={"Accept": "image/png"}), 406)
    problem(client.get("/catalog?format=csv"), 406)


def test_dumps_follow_the_store_generation(tmp_path: Path) -> None:
    ctx = ld_context(tmp_path)
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        before = to_graph(client.get("/catalog").content, "text/turtle")
        old = {s: str(before.value(before.value(d, SPDX.checksum), SPDX.checksumValue))
               for s, d in distributions(before).items()}
        again = to_graph(client.get("/catalog").content, "text/turtle")
        assert {s: str(again.value(again.value(d, SPDX.checksum), SPDX.checksumValue))
                for s, d in distributions(again).items()} == old
        files = sorted(p.name for p in (tmp_path / "downloads").iterdir())
        assert len(files) == len(FILES)
        ctx.store.add([Quad(NamedNode("https://w3id.org/qualifica/id/role/neu"),
                            NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                            Literal("Neue Rolle", language="de"),
                            NamedNode("https://w3id.org/qualifica/graph/extra"))])
        after = to_graph(client.get("/catalog").content, "text/turtle")
        new = {s: str(after.value(after.value(d, SPDX.checksum), SPDX.checksumValue))
               for s, d in distributions(after).items()}
        assert all(new[s] != old[s] for s in FILES)
        body = client.get("/downloads/qualifica.nt").content
        assert hashlib.sha256(body).hexdigest() == new["nt"]
        assert b"<https://w3id.org/qualifica/id/role/neu>" in body
        # the files of the old generation are gone
        assert sorted(p.name for p in (tmp_path / "downloads").iterdir()) != files
        assert len(list((tmp_path / "downloads").iterdir())) == len(FILES)
    ctx.close()
