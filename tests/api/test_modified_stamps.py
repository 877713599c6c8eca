"""``dcterms:modified``: every write that commits stamps the resources it touches, in the same
transaction (embedded store and a real Oxigraph server process); a rejected write leaves the
stamps as they were; listings and the sitemap show the stamps; every resource of the bundled
graph has one after its load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Quad

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import ID, XSD
from qualifica.store.base import ChangeSet
from qualifica.store.stamps import DCTERMS_MODIFIED, MODIFIED_GRAPH, in_stamp_graph, now
from qualifica_testing import LOCAL, WRITE_TOKEN, app_client

TOKEN = WRITE_TOKEN
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/qualifica/graph/test-stamps"
TTL = "text/turtle"
NT = "application/n-triples"
ROLE = f"{ID}role/stempelrolle"
OTHER = f"{ID}role/prozessmanager"
PREFIXES = """
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
GOOD_ROLE = PREFIXES + f"""
<{ROLE}> a qd:Role ;
  skos:prefLabel "Stempelrolle"@de , "Stamp role"@en ;
  skos:definition "Eine Rolle für Tests."@de , "A role for tests."@en ;
  dcterms:source <https://www.bmi.bund.de/> .
"""
BAD_ROLE = PREFIXES + f"""
<{ID}role/halbe-rolle> a qd:Role ; skos:prefLabel "Nur deutsch"@de .
<{OTHER}> skos:altLabel "Nie gespeichert"@de .
"""


@pytest.fixture
def ctx(backend_copy: Context) -> Context:
    return backend_copy


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with app_client(ctx) as c:
        yield c


def stamps(ctx: Context) -> dict[str, str]:
    """resource → its stamp; fails when a resource has two or a stamp is not an xsd:dateTime."""
    quads = list(ctx.store.quads(graph=MODIFIED_GRAPH))
    found = {q.subject.value: q.object for q in quads}
    assert len(found) == len(quads), "a resource has two stamps"
    for value in found.values():
        assert value.datatype == NamedNode(XSD + "dateTime")  # type: ignore[union-attr]
        assert value.value.endswith("Z")  # type: ignore[union-attr]
    return {s: v.value for s, v in found.items()}  # type: ignore[union-attr]


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {r for r in before.keys() | after.keys() if before.get(r) != after.get(r)}


def write(client: TestClient, method: str, body: str, media: str = TTL) -> None:
    r = client.request(method, "/graphs", params={"graph": GRAPH}, content=body,
                       headers={"Content-Type": media, **AUTH})
    assert r.status_code in (201, 204), r.text


def test_every_kind_of_write_stamps_exactly_what_it_touches(client: TestClient,
                                                            ctx: Context) -> None:
    start = stamps(ctx)
    assert OTHER in start and ROLE not in start
    # PUT a new graph: the new role only
    moment = now()
    write(client, "PUT", GOOD_ROLE)
    after_put = stamps(ctx)
    assert changed(start, after_put) == {ROLE}
    assert after_put[ROLE] >= moment
    # POST to the graph a statement about a bundled role: that role only
    moment = now()
    write(client, "POST", f'<{OTHER}> <http://www.w3.org/2004/02/skos/core#altLabel> '
                          f'"Stempelprüfer/-in"@de .\n', NT)
    after_post = stamps(ctx)
    assert changed(after_put, after_post) == {OTHER}
    assert after_post[OTHER] >= moment > start[OTHER]
    # SPARQL Update through the server
    moment = now()
    r = client.post("/sparql/update", data={"update": (
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{ROLE}> '
        f'<http://www.w3.org/2004/02/skos/core#altLabel> "Prüfstempel"@de }} }}')},
        headers=AUTH)
    assert r.status_code == 204, r.text
    after_update = stamps(ctx)
    assert changed(after_post, after_update) == {ROLE}
    assert after_update[ROLE] >= moment
    # listings and the sitemap show them
    since = moment.replace("Z", "+00:00")
    listed = client.get("/api/roles", params={"modified_since": since, "limit": 100})
    assert listed.status_code == 200
    assert {i["iri"] for i in listed.json()["items"]} == {ROLE}
    assert listed.headers["last-modified"] == dt.datetime.fromisoformat(
        after_update[ROLE]).strftime("%a, %d %b %Y %H:%M:%S GMT")
    sitemap = client.get("/sitemap.xml").text
    assert _lastmod(sitemap, "/id/role/stempelrolle") == after_update[ROLE]
    assert _lastmod(sitemap, "/id/role/prozessmanager") == after_update[OTHER]
    # the resource itself carries it, in every answer
    described = client.get("/id/role/stempelrolle", headers={"Accept": NT}).text
    assert f'<{ROLE}> <{DCTERMS_MODIFIED}> "{after_update[ROLE]}"' in described
    # DELETE the graph: the new role is gone with its stamp; the bundled role is stamped anew
    moment = now()
    r = client.delete("/graphs", params={"graph": GRAPH}, headers=AUTH)
    assert r.status_code == 204, r.text
    after_delete = stamps(ctx)
    assert changed(after_update, after_delete) == {ROLE, OTHER}
    assert ROLE not in after_delete and after_delete[OTHER] >= moment
    assert client.get("/id/role/stempelrolle", headers={"Accept": NT}).status_code == 404


def _lastmod(sitemap: str, path: str) -> str | None:
    """The ``<lastmod>`` of the ``<url>`` whose ``<loc>`` ends with ``path``."""
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for url in ET.fromstring(sitemap).findall("s:url", ns):
        loc = url.findtext("s:loc", namespaces=ns) or ""
        if loc.endswith(path):
            return url.findtext("s:lastmod", namespaces=ns)
    return None


def test_a_rejected_write_leaves_the_stamps_as_they_were(client: TestClient,
                                                         ctx: Context) -> None:
    before = stamps(ctx)
    generation, count = ctx.store.generation, ctx.store.count()
    r = client.put("/graphs", params={"graph": GRAPH}, content=BAD_ROLE,
                   headers={"Content-Type": TTL, **AUTH})
    assert r.status_code == 422
    r = client.post("/sparql/update", data={"update": (
        f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{OTHER}> '
        f'<http://www.w3.org/2004/02/skos/core#altLabel> "Nie gespeichert"@de . '
        f'<{ID}role/halbe-rolle> a <https://w3id.org/qualifica/ontology#Role> ; '
        f'<http://www.w3.org/2004/02/skos/core#prefLabel> "Nur deutsch"@de }} }}')},
        headers=AUTH)
    assert r.status_code == 422, r.text
    assert stamps(ctx) == before
    assert (ctx.store.generation, ctx.store.count()) == (generation, count)


def test_the_server_sets_dcterms_modified(client: TestClient, ctx: Context) -> None:
    """A stamp a write brings (about a resource, or into the stamp graph) is replaced."""
    moment = now()
    write(client, "PUT", GOOD_ROLE + f'<{ROLE}> dcterms:modified "2001-01-01T00:00:00Z"'
                                     '^^xsd:dateTime .\n')
    assert stamps(ctx)[ROLE] >= moment
    assert not [q for q in ctx.store.quads(NamedNode(ROLE), NamedNode(DCTERMS_MODIFIED))
                if not in_stamp_graph(q)]
    r = client.post("/sparql/update", data={"update": (
        f'INSERT DATA {{ GRAPH <{MODIFIED_GRAPH}> {{ <{OTHER}> <{DCTERMS_MODIFIED}> '
        f'"2001-01-01T00:00:00Z"^^<{XSD}dateTime> }} }}')}, headers=AUTH)
    assert r.status_code == 204, r.text
    assert stamps(ctx)[OTHER] != "2001-01-01T00:00:00Z"
    # the Graph Store Protocol refuses to write the stamp graph itself
    before = stamps(ctx)
    for method in ("PUT", "POST"):
        r = client.request(method, "/graphs", params={"graph": MODIFIED_GRAPH}, content=(
            f'<{OTHER}> <{DCTERMS_MODIFIED}> "2001-01-01T00:00:00Z"^^<{XSD}dateTime> .\n'),
            headers={"Content-Type": NT, **AUTH})
        assert r.status_code == 403, r.text
        assert "dcterms:modified" in r.json()["detail"]
    assert client.delete("/graphs", params={"graph": MODIFIED_GRAPH},
                         headers=AUTH).status_code == 403
    assert stamps(ctx) == before


def test_the_change_set_carries_the_stamps(client: TestClient, ctx: Context) -> None:
    """Readers in other processes patch from the change set: the stamp quads are in it."""
    seen: list[ChangeSet] = []
    ctx.store.subscribe(seen.append)
    write(client, "PUT", GOOD_ROLE)
    assert len(seen) == 1 and seen[0].added is not None
    added = [q for q in seen[0].added if in_stamp_graph(q)]
    assert [q.subject.value for q in added] == [ROLE]
    assert MODIFIED_GRAPH in seen[0].graphs
    write(client, "POST", f'<{ROLE}> <http://www.w3.org/2004/02/skos/core#altLabel> '
                          '"Zweitstempel"@de .\n', NT)
    assert seen[1].removed is not None and seen[1].added is not None
    assert [q.subject.value for q in seen[1].removed] == [ROLE]  # the old stamp
    assert {q.subject.value for q in seen[1].added if in_stamp_graph(q)} == {ROLE}
    # the catalogue of the new generation has the stamp
    assert catalogue_for(ctx).modified[ROLE] == stamps(ctx)[ROLE]


def test_every_bundled_resource_is_stamped_at_its_load(bundled_ctx: Context) -> None:
    stamped = stamps(bundled_ctx)
    subjects = {q.subject.value for q in bundled_ctx.store.quads()
                if isinstance(q.subject, NamedNode) and q.subject.value.startswith(ID)
                and not in_stamp_graph(q)}
    assert subjects and set(stamped) == subjects
    cat = catalogue_for(bundled_ctx)
    dereferenceable = [iri for iri in cat.kinds if iri.startswith(ID)]
    assert dereferenceable and all(cat.modified.get(iri) for iri in dereferenceable)


def test_a_stamp_is_one_quad_per_resource(ctx: Context) -> None:
    """The stamp graph holds nothing but stamps of resources under the ID namespace."""
    for q in ctx.store.quads(graph=MODIFIED_GRAPH):
        assert isinstance(q, Quad) and q.subject.value.startswith(ID)
        assert q.predicate == NamedNode(DCTERMS_MODIFIED)


def test_cli_load_stamps_the_bundled_graph_and_the_file_and_check_passes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from qualifica.cli import app
    from qualifica.context import open_context

    monkeypatch.setenv("QUALIFICA_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("QUALIFICA_IN_MEMORY", "false")
    extra = tmp_path / "stempel.ttl"
    extra.write_text(PREFIXES + f'<{OTHER}> skos:altLabel "Stempel-CLI"@de .\n')
    runner = CliRunner()
    loaded = runner.invoke(app, ["load", str(extra)])
    assert loaded.exit_code == 0, loaded.output
    ctx = open_context(Settings(data_dir=tmp_path / "store", in_memory=False))
    try:
        stamped = stamps(ctx)
        subjects = {q.subject.value for q in ctx.store.quads()
                    if isinstance(q.subject, NamedNode) and q.subject.value.startswith(ID)
                    and not in_stamp_graph(q)}
    finally:
        ctx.close()
    assert set(stamped) == subjects  # the bundled graph, stamped at its first load
    assert stamped[OTHER] == max(stamped.values())  # the file's resource, later
    assert len({v for r, v in stamped.items() if r != OTHER}) == 1  # one commit, one moment
    checked = runner.invoke(app, ["check", "--store"])
    assert checked.exit_code == 0, checked.output


def test_a_bulk_load_stamps_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          bundled_ctx: Context) -> None:
    """A load large enough to be written in bulk (embedded store) stamps in a transaction of
    its own, right after the bulk; a second load restamps only the resources it touches."""
    from qualifica.context import open_context
    from qualifica.validation import gate
    from qualifica.validation.shacl import shapes_of

    monkeypatch.setattr(gate, "BULK_MIN", 1)
    ctx = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp_path))
    try:
        gate.load_files(ctx.store, shapes_of(ctx), ctx.bundled_files())
        first = stamps(ctx)
        assert set(first) == set(stamps(bundled_ctx))
        extra = tmp_path / "mehr.ttl"
        extra.write_text(PREFIXES + f'<{OTHER}> skos:altLabel "Massenstempel"@de .\n'
                         f'<{OTHER}> dcterms:modified "2001-01-01T00:00:00Z"^^xsd:dateTime .\n')
        gate.load_files(ctx.store, shapes_of(ctx), [extra])
        second = stamps(ctx)
        assert changed(first, second) == {OTHER} and second[OTHER] > first[OTHER]
    finally:
        ctx.close()


def test_statement_provenance_leaves_the_stamp_out(bundled_ctx: Context) -> None:
    """The stamp is no statement of a source: the provenance of each statement leaves it out,
    while the resource carries it."""
    app = create_app(bundled_ctx.settings, context=bundled_ctx)
    with TestClient(app, base_url=LOCAL) as c:
        r = c.get("/api/queries/statement-provenance", params={"subject": OTHER},
                  headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text[:300]
        predicates = {b["predicate"]["value"] for b in r.json()["results"]["bindings"]}
        assert predicates and DCTERMS_MODIFIED not in predicates
        described = c.get("/id/role/prozessmanager", headers={"Accept": NT}).text
        assert f"<{OTHER}> <{DCTERMS_MODIFIED}> " in described
