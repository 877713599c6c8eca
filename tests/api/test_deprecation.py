"""Deprecated resources (``owl:deprecated true``, ``dcterms:isReplacedBy``): they stay resolvable
in every format and point to their successor, but listings, search, hierarchy pages and role
matching leave them out unless ``deprecated=true``.

The bundled graph plus a deprecated role and a deprecated competency, written through the gate
into an in-memory store of this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from fastapi.testclient import TestClient
from pyld import jsonld
from pyoxigraph import RdfFormat

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import DCTERMS, GRAPH, ID, OWL, RDF
from qualifica.validation.changes import validator_for
from qualifica.validation.gate import GateRejected, ensure_bundled, gated_add
from qualifica.validation.incremental import Change
from qualifica.validation.shacl import parse_bytes, shapes_of
from qualifica_testing import LOCAL

OLD_ROLE = ID + "role/it-koordinator-alt"
NEW_ROLE = ID + "role/it-koordinator"
OLD_COMP = ID + "competency/digcomp-4-2-alt"
NEW_COMP = ID + "competency/digcomp-4-2"
SUCCESSOR = re.compile(r'<([^>]+)>;\s*rel="successor-version"')
CONTEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="http://www\.w3\.org/ns/json-ld#context"')

DEPRECATED_TTL = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<{OLD_ROLE}> a qd:Role ;
    skos:prefLabel "IT-Koordinator (Rollenmodell 2015)"@de ,
        "IT coordinator (role model 2015)"@en ;
    owl:deprecated true ;
    dcterms:isReplacedBy <{NEW_ROLE}> ;
    dcterms:source <urn:isbn:978-3-946209-03-4> .

<{OLD_COMP}> a qd:Competency ;
    skos:prefLabel "Datenschutz (frühere Fassung)"@de , "Data protection (former version)"@en ;
    skos:inScheme <https://w3id.org/qualifica/id/framework/digcomp-2-2> ;
    skos:broader <https://w3id.org/qualifica/id/competency/digcomp-4> ;
    owl:deprecated true ;
    dcterms:isReplacedBy <{NEW_COMP}> ;
    dcterms:source <https://publications.jrc.ec.europa.eu/repository/handle/JRC128415> .
"""

BAD_TTL = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<{ID}role/cio-alt> a qd:Role ;
    skos:prefLabel "CIO (alt)"@de , "CIO (old)"@en ;
    owl:deprecated true ;
    dcterms:isReplacedBy <{NEW_COMP}> ;
    dcterms:source <urn:isbn:978-3-946209-03-4> .
"""


def _quads(text: str) -> list[Any]:
    return parse_bytes(text.encode(), RdfFormat.TURTLE, source="test",
                       graph=GRAPH + "deprecation-test")


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    settings = Settings(in_memory=True, load_bundled=True,
                        data_dir=tmp_path_factory.mktemp("deprecation"))
    context = open_context(settings)
    ensure_bundled(context)
    gated_add(context.store, shapes_of(context), _quads(DEPRECATED_TTL))
    yield context
    context.close()


@pytest.fixture(scope="module")
def api(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield c


def ids(body: dict[str, Any]) -> list[str]:
    return [item["iri"] for item in body["items"]]


# --- the gate --------------------------------------------------------------------------------

def test_gate_rejects_a_successor_of_another_kind(ctx: Context) -> None:
    before = ctx.store.count()
    with pytest.raises(GateRejected) as caught:
        gated_add(ctx.store, shapes_of(ctx), _quads(BAD_TTL))
    shapes = {f.shape for f in caught.value.report.violations}
    assert shapes == {"https://w3id.org/qualifica/shapes#ReplacedBySameKindShape"}
    assert ctx.store.count() == before


def test_incremental_validation_applies_the_rule(ctx: Context) -> None:
    """The write API validates only what a write can affect; it finds the same violation."""
    validator = validator_for(ctx)
    bad = validator.validate(ctx.store, Change(added=_quads(BAD_TTL)))
    assert {f.shape for f in bad.violations} == {
        "https://w3id.org/qualifica/shapes#ReplacedBySameKindShape"}
    good = _quads(BAD_TTL.replace(f"<{NEW_COMP}>", "<" + ID + "role/cio>"))
    assert validator.validate(ctx.store, Change(added=good)).conforms


def test_catalogue_knows_the_deprecated_and_their_successors(ctx: Context) -> None:
    cat = catalogue_for(ctx)
    assert cat.deprecated == {OLD_ROLE, OLD_COMP}
    assert cat.successors(OLD_ROLE) == [NEW_ROLE]
    assert not cat.is_deprecated(NEW_ROLE)


# --- listings, search, hierarchy, matching ---------------------------------------------------

def test_listing_leaves_deprecated_out_unless_asked(api: TestClient) -> None:
    current = api.get("/api/roles", params={"limit": 500}).json()
    everything = api.get("/api/roles", params={"limit": 500, "deprecated": "true"}).json()
    assert OLD_ROLE not in ids(current) and NEW_ROLE in ids(current)
    assert OLD_ROLE in ids(everything)
    assert everything["total"] == current["total"] + 1
    assert set(ids(everything)) - set(ids(current)) == {OLD_ROLE}
    explicit_false = api.get("/api/roles", params={"limit": 500, "deprecated": "false"}).json()
    assert explicit_false["total"] == current["total"]
    comps = api.get("/api/competencies", params={"framework": "digcomp-2-2", "limit": 500})
    assert OLD_COMP not in ids(comps.json())


def test_paging_links_carry_the_parameter(api: TestClient) -> None:
    r = api.get("/api/roles", params={"limit": 2, "deprecated": "true"})
    body = r.json()
    assert body["next"] and "deprecated=true" in body["next"]
    assert "deprecated=true" in body["first"]
    last = api.get(body["first"].replace("offset=0", f"offset={body['total'] - 1}")).json()
    assert last["total"] == body["total"] and len(last["items"]) == 1
    plain = api.get("/api/roles", params={"limit": 2}).json()
    assert "deprecated" not in plain["next"]
    assert plain["total"] == body["total"] - 1


def test_bad_flag_is_a_422(api: TestClient) -> None:
    r = api.get("/api/roles", params={"deprecated": "perhaps"})
    assert r.status_code == 422
    assert "deprecated" in r.text


def test_search_leaves_deprecated_out_unless_asked(api: TestClient) -> None:
    found = api.get("/api/search", params={"q": "IT-Koordinator", "limit": 100}).json()
    assert NEW_ROLE in ids(found) and OLD_ROLE not in ids(found)
    also = api.get("/api/search", params={"q": "IT-Koordinator", "limit": 100,
                                          "deprecated": "true"}).json()
    assert OLD_ROLE in ids(also)
    assert also["total"] == found["total"] + 1


def test_hierarchy_leaves_deprecated_out_unless_asked(api: TestClient) -> None:
    url = "/api/competencies/digcomp-4/narrower"
    current = api.get(url).json()
    everything = api.get(url, params={"deprecated": "true"}).json()
    assert OLD_COMP not in ids(current) and NEW_COMP in ids(current)
    assert OLD_COMP in ids(everything)
    assert everything["total"] == current["total"] + 1
    transitive = api.get("/api/competencies/digcomp-4/narrower",
                         params={"transitive": "true"}).json()
    assert OLD_COMP not in ids(transitive)
    top = api.get("/api/frameworks/digcomp-2-2/top", params={"deprecated": "true"}).json()
    assert OLD_COMP not in ids(top)  # it has a broader competency


def test_match_leaves_deprecated_roles_out_unless_asked(api: TestClient) -> None:
    body = {"have": [{"competency": "digcomp-4-2", "level": 4}], "limit": 10_000}
    roles = [r["role"]["iri"] for r in api.post("/api/match", json=body).json()["roles"]]
    assert NEW_ROLE in roles and OLD_ROLE not in roles
    also = api.post("/api/match", params={"deprecated": "true"}, json=body).json()
    assert OLD_ROLE in [r["role"]["iri"] for r in also["roles"]]


# --- details ---------------------------------------------------------------------------------

def test_detail_of_a_deprecated_role(api: TestClient, ctx: Context) -> None:
    r = api.get("/api/roles/it-koordinator-alt", params={"lang": "en"})
    assert r.status_code == 200
    body = r.json()
    assert body["deprecated"] is True
    assert body["replaced_by"] == {"iri": NEW_ROLE, "id": "it-koordinator",
                                   "label": "IT coordinator", "type": "role"}
    assert SUCCESSOR.findall(r.headers["link"]) == [
        ctx.settings.base_iri + "id/role/it-koordinator"]
    assert CONTEXT_LINK.search(r.headers["link"])  # the JSON-LD context is still linked


def test_detail_of_a_current_role(api: TestClient) -> None:
    r = api.get("/api/roles/it-koordinator")
    assert r.status_code == 200
    assert r.json()["deprecated"] is False
    assert "replaced_by" not in r.json()
    assert not SUCCESSOR.search(r.headers["link"])


def test_detail_expands_as_jsonld(api: TestClient) -> None:
    r = api.get("/api/roles/it-koordinator-alt")
    match = CONTEXT_LINK.search(r.headers["link"])
    assert match

    def load(url: str, options: Any = None) -> dict[str, Any]:
        doc = api.get(url)
        assert doc.status_code == 200
        return {"contextUrl": None, "documentUrl": url, "document": doc.json()}

    (node,) = jsonld.expand({"@context": match.group(1), **r.json()},
                            {"documentLoader": load})
    assert node["@id"] == OLD_ROLE
    assert node[OWL + "deprecated"] == [
        {"@value": True, "@type": "http://www.w3.org/2001/XMLSchema#boolean"}]
    (successor,) = node[DCTERMS + "isReplacedBy"]
    assert successor["@id"] == NEW_ROLE
    assert [t["@id"] for t in successor[RDF + "type"]] == [
        "https://w3id.org/qualifica/ontology#Role"]


# --- the dereferenceable IRI -----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt", "rdf"])
def test_iri_serves_every_format_with_successor(api: TestClient, fmt: str) -> None:
    r = api.get("/id/role/it-koordinator-alt", params={"format": fmt})
    assert r.status_code == 200, r.text
    (successor,) = SUCCESSOR.findall(r.headers["link"])
    assert successor.endswith("/id/role/it-koordinator")
    assert len(r.content) > 0


def test_turtle_description_names_the_successor(api: TestClient) -> None:
    r = api.get("/id/role/it-koordinator-alt", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    old, new = rdflib.URIRef(OLD_ROLE), rdflib.URIRef(NEW_ROLE)
    flag = g.value(old, rdflib.OWL.deprecated)
    assert isinstance(flag, rdflib.Literal) and flag.toPython() is True
    assert (old, rdflib.DCTERMS.isReplacedBy, new) in g
    labels = {str(v) for v in g.objects(new, rdflib.SKOS.prefLabel)}
    assert {"IT-Koordinator/-in", "IT coordinator"} <= labels


@pytest.mark.parametrize(("lang", "notice", "name"), [
    ("de", "Veraltet", "IT-Koordinator"),
    ("en", "Deprecated", "IT coordinator"),
])
def test_html_shows_the_notice(api: TestClient, lang: str, notice: str, name: str) -> None:
    r = api.get("/id/role/it-koordinator-alt", params={"lang": lang},
                headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert SUCCESSOR.search(r.headers["link"])
    m = re.search(r'<p class="marker deprecated"[^>]*>(.*?)</p>', r.text, re.S)
    assert m, r.text[:2000]
    text = m.group(1)
    assert notice in text
    (href,) = re.findall(r'<a href="([^"]+)" rel="successor-version">' + re.escape(name), text)
    assert href.startswith("/roles/it-koordinator") or href.startswith("/id/role/it-koordinator")
    assert api.get(href).status_code == 200


def test_html_of_a_deprecated_competency(api: TestClient) -> None:
    r = api.get("/id/competency/digcomp-4-2-alt", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert 'class="marker deprecated"' in r.text and "ersetzt durch" in r.text


def test_current_resource_has_no_notice(api: TestClient) -> None:
    r = api.get("/id/role/it-koordinator", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert 'class="marker deprecated"' not in r.text
    assert not SUCCESSOR.search(r.headers["link"])



def test_home_page_lists_only_current_resources(api: TestClient) -> None:
    r = api.get("/")
    assert r.status_code == 200
    assert "/roles/it-koordinator\"" in r.text or "/roles/it-koordinator?" in r.text
    assert "it-koordinator-alt" not in r.text
    assert "digcomp-4-2-alt" not in r.text
