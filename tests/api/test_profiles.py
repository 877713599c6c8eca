"""Content negotiation by profile on dereferenceable IRIs (W3C "Content Negotiation by Profile"):
each profile, for each kind it covers, parses in every RDF format and keeps what it promises
(SKOS only with SKOS; schema.org within the vocabulary's domains and ranges; ESCO-shaped with
essential and optional skills as the requirements say); ``_profile=alt`` lists them;
``Accept-Profile`` with q-values; ``Link: <…>; rel="profile"`` on every answer; 406 for a
profile a resource is not offered in; and the PROF description of the profiles."""

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
from rdflib.namespace import RDF, RDFS, SKOS

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.linkeddata import profiles
from qualifica_testing import LOCAL

ROOT = Path(__file__).resolve().parents[2]
GRAPH_TTL = ROOT / "tests" / "data" / "linkeddata" / "graph.ttl"
SCHEMA_EXCERPT = ROOT / "tests" / "data" / "linkeddata" / "schemaorg-excerpt.ttl"
ID = "https://w3id.org/qualifica/id/"
GRAPH = "https://w3id.org/qualifica/graph/"
QD = rdflib.Namespace("https://w3id.org/qualifica/ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")
ESCO = rdflib.Namespace("http://data.europa.eu/esco/model#")
PROF = rdflib.Namespace("http://www.w3.org/ns/dx/prof/")
ALTR = rdflib.Namespace("http://www.w3.org/ns/dx/connegp/altr#")
PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt",
           "application/rdf+xml": "xml"}
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples",
             "application/rdf+xml")
#: (kind, slug) of the test graph for every kind a profile covers
RESOURCES = {"role": "testrolle", "competency": "testrahmen-1-1", "framework": "testrahmen",
             "training-format": "testkurs", "legal-basis": "testgesetz-9",
             "task": "testaufgabe", "level": "testrahmen-2"}
CASES = [(p.token, kind) for p in profiles.PROFILES if p.query
         for kind in RESOURCES if p.applies_to(kind)]


def load(ctx: Context, path: Path, graph: str) -> None:
    ctx.store.add(Quad(t.subject, t.predicate, t.object, NamedNode(graph))
                  for t in parse(path=str(path), format=RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A read-only client over the ontology and the small linked-data test graph."""
    ctx = open_context(Settings(in_memory=True, load_bundled=False,
                                data_dir=tmp_path_factory.mktemp("profiles")))
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        load(ctx, path, GRAPH + path.stem)
    load(ctx, GRAPH_TTL, GRAPH + "linkeddata-test")
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield c
    ctx.close()


def to_graph(response) -> rdflib.Graph:  # type: ignore[no-untyped-def]
    media_type = response.headers["content-type"].split(";")[0]
    if media_type == "application/ld+json":
        doc = json.loads(response.content)
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
        return rdflib.Graph().parse(data=nquads, format="nt")
    return rdflib.Graph().parse(data=response.content, format=PARSERS[media_type])


def fetch(client: TestClient, kind: str, token: str, media_type: str = "text/turtle"
          ) -> rdflib.Graph:
    response = client.get(f"/id/{kind}/{RESOURCES[kind]}?_profile={token}",
                          headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert f'<{profiles.PROFILE_BASE}{token}>; rel="profile"' in response.headers["link"]
    return to_graph(response)


@pytest.mark.parametrize(("token", "kind"), CASES)
@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_every_profile_parses_in_every_format(client: TestClient, token: str, kind: str,
                                              media_type: str) -> None:
    g = fetch(client, kind, token, media_type)
    assert len(g) >= 3
    turtle = fetch(client, kind, token)
    assert isomorphic(g, turtle)


def full(client: TestClient, kind: str) -> rdflib.Graph:
    response = client.get(f"/id/{kind}/{RESOURCES[kind]}", headers={"Accept": "text/turtle"})
    return to_graph(response)


@pytest.mark.parametrize("kind", ["competency", "framework"])
def test_skos_profile_holds_only_skos(client: TestClient, kind: str) -> None:
    g = fetch(client, kind, "skos")
    iri = rdflib.URIRef(ID + f"{kind}/{RESOURCES[kind]}")
    expected = SKOS.Concept if kind == "competency" else SKOS.ConceptScheme
    assert (iri, RDF.type, expected) in g
    for _, p, o in g:
        assert p == RDF.type or str(p).startswith(str(SKOS)), p
        if p == RDF.type:
            assert o in (SKOS.Concept, SKOS.ConceptScheme)
    # SKOS integrity: at most one preferred label per language per resource
    for s in set(g.subjects()):
        langs = [lit.language for lit in g.objects(s, SKOS.prefLabel)]
        assert len(langs) == len(set(langs)), s
    # the resource's own SKOS statements are all there
    source = full(client, kind)
    for p in (SKOS.prefLabel, SKOS.broader, SKOS.inScheme, SKOS.definition):
        assert set(source.objects(iri, p)) == set(g.objects(iri, p))


def test_skos_profile_gives_narrower_from_broader(client: TestClient) -> None:
    response = client.get("/id/competency/testrahmen-1?_profile=skos&_mediatype=ttl")
    assert response.status_code == 200
    top = to_graph(response)
    assert (rdflib.URIRef(ID + "competency/testrahmen-1"), SKOS.narrower,
            rdflib.URIRef(ID + "competency/testrahmen-1-1")) in top


def _types(g: rdflib.Graph, schema: rdflib.Graph, node: rdflib.term.Node) -> set[rdflib.URIRef]:
    """The schema.org classes of ``node`` with all their superclasses."""
    found: set[rdflib.URIRef] = set()
    todo = [t for t in g.objects(node, RDF.type) if isinstance(t, rdflib.URIRef)]
    while todo:
        t = todo.pop()
        if t not in found:
            found.add(t)
            todo.extend(o for o in schema.objects(t, RDFS.subClassOf)
                        if isinstance(o, rdflib.URIRef))
    return found


@pytest.mark.parametrize("kind", [k for t, k in CASES if t == "schema"])
def test_schema_profile_keeps_schema_org_domains_and_ranges(client: TestClient,
                                                             kind: str) -> None:
    schema = rdflib.Graph().parse(SCHEMA_EXCERPT, format="turtle")
    g = fetch(client, kind, "schema")
    iri = rdflib.URIRef(ID + f"{kind}/{RESOURCES[kind]}")
    expected = {"role": SCHEMA.Occupation, "training-format": SCHEMA.Course,
                "legal-basis": SCHEMA.Legislation, "competency": SCHEMA.DefinedTerm,
                "framework": SCHEMA.DefinedTermSet}[kind]
    assert (iri, RDF.type, expected) in g
    assert g.value(iri, SCHEMA.name) is not None
    for s, p, o in g:
        if p == RDF.type:
            assert (o, RDF.type, RDFS.Class) in schema, f"{o} is not a schema.org class"
            continue
        assert (p, RDF.type, RDF.Property) in schema, f"{p} is not a schema.org property"
        domains = set(schema.objects(p, SCHEMA.domainIncludes))
        assert _types(g, schema, s) & domains, f"{s} {p}: subject outside the domain"
        ranges = set(schema.objects(p, SCHEMA.rangeIncludes))
        if isinstance(o, rdflib.Literal):
            assert SCHEMA.Text in ranges, f"{p} takes no text"
        else:
            assert _types(g, schema, o) & ranges, f"{s} {p} {o}: object outside the range"
            assert g.value(o, SCHEMA.name) is not None, f"{o} is not named"


def test_schema_profile_lists_a_roles_skills(client: TestClient) -> None:
    g = fetch(client, "role", "schema")
    role = rdflib.URIRef(ID + "role/testrolle")
    assert (role, SCHEMA.skills, rdflib.URIRef(ID + "competency/testrahmen-1")) in g


def test_esco_profile_sorts_skills_by_essential(client: TestClient) -> None:
    g = fetch(client, "role", "esco")
    role = rdflib.URIRef(ID + "role/testrolle")
    assert (role, RDF.type, ESCO.Occupation) in g
    source = full(client, "role")
    essential, optional = set(), set()
    for req in source.objects(role, QD.requires):
        competency = source.value(req, QD.competency)
        flag = source.value(req, QD.essential)
        (essential if flag is not None and flag.toPython() is True else optional).add(competency)
    assert essential | optional
    assert set(g.objects(role, ESCO.hasEssentialSkill)) == essential
    assert set(g.objects(role, ESCO.hasOptionalSkill)) == optional
    for skill in essential | optional:
        assert (skill, RDF.type, ESCO.Skill) in g
        assert g.value(skill, SKOS.prefLabel) is not None
    for p in g.predicates():
        assert str(p).startswith((str(ESCO), str(SKOS), str(RDF))), p


def test_esco_profile_of_a_competency(client: TestClient) -> None:
    g = fetch(client, "competency", "esco")
    c = rdflib.URIRef(ID + "competency/testrahmen-1-1")
    assert (c, RDF.type, ESCO.Skill) in g
    assert (c, SKOS.broader, rdflib.URIRef(ID + "competency/testrahmen-1")) in g


def test_alt_lists_the_profiles_of_the_resource(client: TestClient) -> None:
    response = client.get("/id/role/testrolle?_profile=alt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["resource"] == ID + "role/testrolle"
    tokens = [p["token"] for p in body["profiles"]]
    assert tokens == [p.token for p in profiles.offered("role")]
    assert "skos" not in tokens  # a role is no SKOS concept
    full_model = body["profiles"][0]
    assert full_model["uri"] == body["default_profile"]
    assert "text/html" in full_model["media_types"]
    assert "text/html" not in body["profiles"][1]["media_types"]
    # the same as RDF in the Alternate Representations data model
    rdf = client.get("/id/role/testrolle?_profile=alt&_mediatype=text/turtle")
    g = rdflib.Graph().parse(data=rdf.content, format="turtle")
    role = rdflib.URIRef(ID + "role/testrolle")
    reps = set(g.objects(role, ALTR.hasRepresentation))
    conforms = {g.value(r, rdflib.URIRef("http://purl.org/dc/terms/conformsTo")) for r in reps}
    assert conforms == {rdflib.URIRef(p.uri) for p in profiles.offered("role")}
    assert len(set(g.objects(role, ALTR.hasDefaultRepresentation))) == 1
    # an unknown resource has no alternates
    assert client.get("/id/role/nobody?_profile=alt").status_code == 404


def test_accept_profile_with_q_values(client: TestClient) -> None:
    schema, esco = profiles.BY_TOKEN["schema"].uri, profiles.BY_TOKEN["esco"].uri
    response = client.get("/id/role/testrolle", headers={
        "Accept": "text/turtle",
        "Accept-Profile": f"<urn:example:unknown>;q=1.0, <{schema}>;q=0.4, <{esco}>;q=0.8"})
    assert response.status_code == 200
    assert f'<{esco}>; rel="profile"' in response.headers["link"]
    assert "accept-profile" in response.headers["vary"].lower()
    g = to_graph(response)
    assert (rdflib.URIRef(ID + "role/testrolle"), RDF.type, ESCO.Occupation) in g
    # _profile wins over the header
    response = client.get("/id/role/testrolle?_profile=schema", headers={
        "Accept": "text/turtle", "Accept-Profile": f"<{esco}>"})
    assert f'<{schema}>; rel="profile"' in response.headers["link"]


def test_profiles_not_offered_are_406(client: TestClient) -> None:
    response = client.get("/id/role/testrolle?_profile=skos&_mediatype=ttl")
    assert response.status_code == 406
    problem = response.json()
    assert problem["param"] == "_profile"
    assert profiles.FULL.uri in problem["available"]
    response = client.get("/id/role/testrolle", headers={
        "Accept": "text/turtle", "Accept-Profile": "<urn:example:nothing>"})
    assert response.status_code == 406
    # a profile has no HTML: asking for both is not acceptable
    assert client.get("/id/competency/testrahmen-1-1?_profile=skos&format=html"
                      ).status_code == 406


@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_every_answer_names_its_profile_and_the_tokens(client: TestClient, accept: str
                                                       ) -> None:
    response = client.get("/id/competency/testrahmen-1-1", headers={"Accept": accept})
    assert response.status_code == 200
    link = response.headers["link"]
    assert f'<{profiles.FULL.uri}>; rel="profile"' in link
    for p in profiles.offered("competency"):
        assert (f'<http://www.w3.org/ns/dx/prof/Profile>; rel="type"; token="{p.token}"; '
                f'anchor=<{p.uri}>') in link
    assert 'formats="https://w3id.org/qualifica/profile/skos"' in link


def test_profile_answers_name_their_location(client: TestClient) -> None:
    response = client.get("/id/competency/testrahmen-1-1?_profile=skos",
                          headers={"Accept": "application/n-triples"})
    assert response.headers["content-location"].endswith(
        "/id/competency/testrahmen-1-1?_profile=skos&_mediatype=nt")


def test_profiles_are_described_with_prof() -> None:
    g = rdflib.Graph().parse(ROOT / "ontology" / "profiles.ttl", format="turtle")
    for p in profiles.PROFILES:
        node = rdflib.URIRef(p.uri)
        assert (node, RDF.type, PROF.Profile) in g
        assert str(g.value(node, PROF.hasToken)) == p.token
        resources = list(g.objects(node, PROF.hasResource))
        assert resources
        artifacts = {str(a) for r in resources for a in g.objects(r, PROF.hasArtifact)}
        roles = {r2 for r in resources for r2 in g.objects(r, PROF.hasRole)}
        assert rdflib.URIRef("http://www.w3.org/ns/dx/prof/role/specification") in roles
        for artifact in artifacts:
            path = artifact.removeprefix("https://w3id.org/qualifica/")
            assert (ROOT / path).is_file(), artifact
        if p.query:
            assert any(a.endswith(f"/queries/profiles/{p.token}.rq") for a in artifacts)


DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
DCATDE = rdflib.Namespace("http://dcat-ap.de/def/dcatde/")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.mark.parametrize("media_type", RDF_TYPES)
def test_dcat_ap_de_profile_of_the_catalog(client: TestClient, media_type: str) -> None:
    response = client.get("/catalog?_profile=dcat-ap-de", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert f'<{profiles.PROFILE_BASE}dcat-ap-de>; rel="profile"' in response.headers["link"]
    g = to_graph(response)
    catalog = rdflib.URIRef("https://w3id.org/qualifica/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in g
    datasets = set(g.subjects(RDF.type, DCAT.Dataset))
    distributions = set(g.subjects(RDF.type, DCAT.Distribution))
    assert datasets and distributions
    allowed = (str(DCAT), str(DCT), str(DCATDE), str(RDF), "http://spdx.org/rdf/terms#",
               "http://xmlns.com/foaf/0.1/")
    for p in g.predicates():
        assert str(p).startswith(allowed), p
    # licences from the DCAT-AP.de vocabulary, with the attribution CC BY asks for
    for node in {catalog, *datasets, *distributions}:
        for lic in g.objects(node, DCT.license):
            assert str(lic).startswith("http://dcat-ap.de/def/licenses/"), lic
    for ds in datasets:
        assert g.value(ds, DCT.title) is not None
        assert g.value(ds, DCATDE.licenseAttributionByText) is not None
        assert (ds, DCAT.theme, rdflib.URIRef(EU + "data-theme/GOVE")) in g
        assert all(str(lang).startswith(EU + "language/")
                   for lang in g.objects(ds, DCT.language))
    for dist in distributions:
        assert any(str(f).startswith(EU + "file-type/") for f in g.objects(dist, DCT["format"])), (
            dist, list(g.predicate_objects(dist)))
        assert g.value(dist, DCAT.downloadURL) is not None
    # the default catalog stays plain DCAT; the profile is offered in its Link header
    plain = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert f'<{profiles.FULL.uri}>; rel="profile"' in plain.headers["link"]
    assert 'token="dcat-ap-de"' in plain.headers["link"]
    assert client.get("/catalog?_profile=esco").status_code == 406
