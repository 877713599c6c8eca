"""The change feed through the real app: entries appear after a write (naming the resources and
properties changed), legal changes are published, newest first, paged, ``?since=``, ``ETag`` and
``If-None-Match``; the Atom document parses with ``feedparser`` and the ActivityStreams document
expands with ``pyld`` to ActivityStreams terms."""

from __future__ import annotations

import datetime
import time
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.context import Context
from qualifica.linkeddata import feed as feed_module
from qualifica.linkeddata.catalogue import CATALOGUE, catalogue_for
from qualifica.linkeddata.feed import PAGE_SIZE, ChangeFeed, feed_for
from qualifica.store.base import ChangeSet
from qualifica_testing import WRITE_AUTH, role_turtle

AUTH = WRITE_AUTH
ID = "https://w3id.org/qualifica/id/"
GRAPH = "https://w3id.org/qualifica/graph/test-feed"
AS = "https://www.w3.org/ns/activitystreams#"
QF = "https://w3id.org/qualifica/feed#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ROLE = role_turtle("feedrolle", "Feedrolle", "Feed role")


def atom(write_client: TestClient, **params: str) -> Any:
    r = write_client.get("/feeds/changes.atom", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def activities(write_client: TestClient, **params: str) -> dict[str, Any]:
    r = write_client.get("/feeds/changes.jsonld", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/activity+json")
    return dict(r.json())


def write_role(write_client: TestClient) -> None:
    r = write_client.put("/graphs", params={"graph": GRAPH}, content=ROLE,
                         headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 201, r.text


def test_legal_changes_are_published_at_start(write_client: TestClient) -> None:
    feed = atom(write_client)
    titles = [e.title for e in feed.entries]
    assert len(titles) == 26
    assert all(t.startswith("Rechtsänderung") for t in titles)
    assert feed.feed.title == "Qualifica: Änderungen der Daten und des Rechts"
    assert feed.feed.language == "de"
    first = feed.entries[0]  # the newest: stored last, the GVIDVDV taking effect in 2025
    assert "GVIDVDV" in first.title and "2025-03-01" in first.title
    related = {link.href for link in first.links if link.rel == "related"}
    assert ID + "legal-basis/vo-verwaltungsinformatikdienst-gehoben" in related
    assert any(t.term == "replaced" for t in first.tags)
    assert atom(write_client, lang="en").entries[0].title.startswith("Legal change (replaced)")


def test_a_write_appears_in_the_feed_naming_resources_and_properties(
        write_client: TestClient) -> None:
    before = atom(write_client)
    write_role(write_client)
    after = atom(write_client)
    assert len(after.entries) == len(before.entries) + 1
    entry = after.entries[0]  # newest first
    assert entry.title == "Änderung der Daten: 1 Ressource(n), 4 Eigenschaft(en)"
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related == [ID + "role/feedrolle"]
    terms = {t.term for t in entry.tags}
    assert {SKOS + "prefLabel", SKOS + "definition",
            "http://purl.org/dc/terms/source",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"} == terms
    assert "6 Aussage(n) hinzugefügt, 0 entfernt." in entry.summary
    doc = activities(write_client)
    newest = doc["orderedItems"][0]
    assert newest["type"] == "Update" and newest["object"] == [ID + "role/feedrolle"]
    assert newest["statementsAdded"] == 6 and newest["graph"] == [GRAPH]
    # a rejected write changes nothing, so it adds no entry
    bad_role = ROLE.replace('skos:definition', '# ').replace(
        "dcterms:source <https://www.bmi.bund.de/> .", ".")
    bad = write_client.put("/graphs", params={"graph": GRAPH}, content=bad_role,
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert bad.status_code in (400, 422)
    assert len(atom(write_client).entries) == len(after.entries)


def test_a_write_patches_the_catalogue_before_the_feed_reads_it(
        write_client: TestClient, write_ctx: Context) -> None:
    """The feed labels the legal changes from the catalogue: its listener runs once the
    catalogue's own has patched it for the write, so a write builds no catalogue anew (at
    scale 1 a build takes seconds, which every write through the API paid)."""
    cache = write_ctx.part(CATALOGUE)
    assert catalogue_for(write_ctx).generation == write_ctx.store.generation
    builds, patches = cache.builds, cache.patches
    write_role(write_client)
    assert (cache.builds, cache.patches) == (builds, patches + 1)
    assert catalogue_for(write_ctx).labels[ID + "role/feedrolle"]["de"] == "Feedrolle"
    assert cache.builds == builds


def test_the_legal_changes_are_read_again_only_after_writes_that_can_add_one(
        write_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a write the feed reads the legal changes again only when the write touched a
    statement a legal change is made of (a version, its dates, predecessor or number, the act
    a provision is part of), or when what it changed is unknown."""
    feed_for(write_ctx)
    calls: list[int] = []
    real = feed_module.sync_legal
    monkeypatch.setattr(feed_module, "sync_legal",
                        lambda ctx, feed: calls.append(1) or real(ctx, feed))
    graph = NamedNode("https://w3id.org/qualifica/graph/test-legal-sync")
    role = NamedNode(ID + "role/feed-sync")
    write_ctx.store.add([Quad(role, NamedNode(SKOS + "prefLabel"), Literal("Rolle", language="de"),
                              graph)])
    assert calls == []
    version = NamedNode(ID + "legal-basis/feed-sync-version")
    write_ctx.store.add([Quad(version, NamedNode(SKOS + "notation"), Literal("§ 1"), graph)])
    assert calls == [1]
    write_ctx.store.update(f"DELETE DATA {{ GRAPH {graph} {{ {version} "
                           f"<{SKOS}notation> \"§ 1\" }} }}")  # unknown change
    assert calls == [1, 1]
    assert feed_module.may_add_legal_changes(ChangeSet(added=[], removed=[])) is False


def test_etag_and_if_none_match(write_client: TestClient) -> None:
    for path in ("/feeds/changes.atom", "/feeds/changes.jsonld"):
        first = write_client.get(path)
        etag = first.headers["etag"]
        same = write_client.get(path, headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b""
        assert same.headers["etag"] == etag
        write_role(write_client) if path.endswith("atom") else write_client.delete(
            "/graphs", params={"graph": GRAPH}, headers=AUTH)
        changed = write_client.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_since_returns_only_later_entries(write_client: TestClient) -> None:
    time.sleep(0.01)
    mark = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert atom(write_client, since=mark).entries == []
    write_role(write_client)
    later = atom(write_client, since=mark)
    assert [e.title for e in later.entries] == [
        "Änderung der Daten: 1 Ressource(n), 4 Eigenschaft(en)"]
    doc = activities(write_client, since=mark)
    assert doc["partOf"]["totalItems"] == 1
    assert activities(write_client, since="2000-01-01")["partOf"]["totalItems"] == 27


@pytest.mark.parametrize(("params", "status"), [
    ({"since": "gestern"}, 422), ({"since": "2026-12-01T10:00:00"}, 422),
    ({"page": "0"}, 422), ({"page": "abc"}, 422), ({"page": "99"}, 404),
    ({"lang": "fr"}, 422),
])
def test_bad_parameters(write_client: TestClient, params: dict[str, str], status: int) -> None:
    for path in ("/feeds/changes.atom", "/feeds/changes.jsonld"):
        r = write_client.get(path, params=params)
        assert r.status_code == status, (path, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_pages_newest_first_with_links(write_client: TestClient, write_ctx: Context) -> None:
    feed: ChangeFeed = feed_for(write_ctx)
    for n in range(PAGE_SIZE + 10):
        feed.append("data", {"resources": [f"{ID}role/r{n}"], "resources_total": 1,
                             "properties": [SKOS + "prefLabel"], "graphs": [GRAPH],
                             "added": 1, "removed": 0})
    total = PAGE_SIZE + 10 + 26
    first = atom(write_client)
    assert len(first.entries) == PAGE_SIZE
    assert [link.href for link in first.entries[0].links] == [f"{ID}role/r{PAGE_SIZE + 9}"]
    rels = {link.rel: link.href for link in first.feed.links}
    assert rels["next"].endswith("/feeds/changes.atom?page=2")
    assert rels["last"].endswith("/feeds/changes.atom?page=2") and "previous" not in rels
    second = atom(write_client, page="2")
    assert len(second.entries) == total - PAGE_SIZE
    assert {link.rel for link in second.feed.links} >= {"previous", "first", "self"}
    seen = [e.id for e in first.entries] + [e.id for e in second.entries]
    assert len(set(seen)) == total  # no entry on two pages, none left out
    doc = activities(write_client, page="2")
    assert doc["type"] == "OrderedCollectionPage" and doc["startIndex"] == PAGE_SIZE
    assert doc["prev"].endswith("/feeds/changes.jsonld") and "next" not in doc
    assert doc["partOf"]["totalItems"] == total


#: The ActivityStreams 2.0 terms the feed uses, as the AS2 context defines them (served to
#: pyld instead of fetching https://www.w3.org/ns/activitystreams: the tests have no network).
AS2_TERMS: dict[str, Any] = {
    "@vocab": "_:", "xsd": "http://www.w3.org/2001/XMLSchema#", "as": AS,
    "id": "@id", "type": "@type",
    **{t: f"as:{t}" for t in ("OrderedCollectionPage", "OrderedCollection", "Update",
                              "Create", "Delete")},
    "name": "as:name", "summary": "as:summary",
    "published": {"@id": "as:published", "@type": "xsd:dateTime"},
    "startTime": {"@id": "as:startTime", "@type": "xsd:dateTime"},
    "totalItems": {"@id": "as:totalItems", "@type": "xsd:nonNegativeInteger"},
    "startIndex": {"@id": "as:startIndex", "@type": "xsd:nonNegativeInteger"},
    "orderedItems": {"@id": "as:items", "@type": "@id", "@container": "@list"},
    **{t: {"@id": f"as:{t}", "@type": "@id"} for t in (
        "object", "result", "origin", "instrument", "partOf", "first", "last", "next", "prev")},
}


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    assert url == "https://www.w3.org/ns/activitystreams", url
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": AS2_TERMS}}


def test_activity_streams_expands_with_pyld(write_client: TestClient) -> None:
    write_role(write_client)
    doc = activities(write_client)
    assert doc["@context"][0] == "https://www.w3.org/ns/activitystreams"
    expanded = jsonld.expand(doc, {"documentLoader": _loader})
    assert len(expanded) == 1
    page = expanded[0]
    assert page["@type"] == [AS + "OrderedCollectionPage"]
    items = page[AS + "items"][0]["@list"]
    assert len(items) == 27
    update = items[0]
    assert update["@type"] == [AS + "Update"]
    assert update[AS + "object"] == [{"@id": ID + "role/feedrolle"}]
    assert {p["@id"] for p in update[QF + "changedProperty"]} >= {SKOS + "prefLabel"}
    assert update[AS + "published"][0]["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    legal = next(i for i in items if QF + "legalChange" in i
                 and i[QF + "legalChange"][0]["@value"] == "renumbered")
    assert {AS + "object", AS + "result", AS + "origin", AS + "instrument"} <= set(legal)
    # nothing of the document fell outside a vocabulary (no term left unmapped)
    assert not any(key.startswith("_:") for i in items for key in i)
