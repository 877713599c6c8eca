"""Harvesting the REST listings by cursor: a walk in IRI order that, while another thread writes
and deletes, sees every resource present before and after it exactly once; cursors that were not
made here are 422."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api import create_app
from qualifica.context import Context
from qualifica.linkeddata.catalogue import COLLECTIONS, catalogue_for
from qualifica.namespaces import GRAPH, ID, KINDS, RDF_TYPE, SKOS_PREF_LABEL
from qualifica_testing import LOCAL, rest_graph_context

HARVEST_GRAPH = NamedNode(GRAPH + "harvest-test")


@pytest.fixture
def harvest(tmp_path: Path) -> Iterator[tuple[TestClient, Context]]:
    """A client over the REST test graph in its own store (the tests write)."""
    ctx = rest_graph_context(tmp_path)
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client, ctx
    ctx.close()


def resource_quads(kind: str, slug: str) -> list[Quad]:
    iri = NamedNode(f"{ID}{kind}/{slug}")
    return [Quad(iri, NamedNode(RDF_TYPE), NamedNode(KINDS[kind]), HARVEST_GRAPH),
            Quad(iri, NamedNode(SKOS_PREF_LABEL), Literal(f"Ernte {slug}", language="de"),
                 HARVEST_GRAPH)]


def members(ctx: Context, kind: str) -> set[str]:
    cat = catalogue_for(ctx)
    return {i for i in cat.by_kind.get(kind, ()) if not cat.is_deprecated(i)}


def writer(ctx: Context, kind: str, turns: queue.Queue[bool], done: queue.Queue[str],
           existing: list[str]) -> None:
    """One write per turn: add a resource whose IRI sorts anywhere (before, between and after
    the others), delete an earlier addition, and delete one of the resources present at the
    start (so that it is not present after)."""
    added: list[list[Quad]] = []
    step = 0
    while turns.get():
        prefix = ("0", "m", "zz")[step % 3]  # sorts first, in the middle, last
        quads = resource_quads(kind, f"{prefix}ernte-{step}")
        ctx.store.add(quads)
        added.append(quads)
        if step % 2 == 1:
            ctx.store.remove(added.pop(0))
        if step == 2 and existing:
            victim = NamedNode(existing[len(existing) // 2])
            ctx.store.remove(list(ctx.store.quads(victim, None, None)))
        step += 1
        done.put("written")
    done.put("stopped")


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_cursor_walk_sees_every_resource_present_before_and_after_once(
        harvest: tuple[TestClient, Context], collection: str) -> None:
    client, ctx = harvest
    kind = COLLECTIONS[collection]
    before = members(ctx, kind)
    turns: queue.Queue[bool] = queue.Queue()
    done: queue.Queue[str] = queue.Queue()
    thread = threading.Thread(target=writer, args=(ctx, kind, turns, done, sorted(before)),
                              daemon=True)
    thread.start()
    seen: list[str] = []
    url: str | None = f"/api/{collection}?cursor=&limit=1"
    pages = 0
    try:
        while url is not None:
            response = client.get(url)
            assert response.status_code == 200, response.text
            body = response.json()
            seen.extend(item["iri"] for item in body["items"])
            url = body["next"]
            pages += 1
            assert pages < 200, "the walk does not end"
            turns.put(True)  # another thread writes between every two pages
            assert done.get(timeout=30) == "written"
    finally:
        turns.put(False)
        thread.join(timeout=30)
    after = members(ctx, kind)
    assert len(seen) == len(set(seen)), "a resource was seen twice"
    assert seen == sorted(seen)
    stable = before & after
    assert stable <= set(seen), f"missed: {sorted(stable - set(seen))}"
    assert seen


def test_cursor_links_and_bad_cursors(harvest: tuple[TestClient, Context]) -> None:
    client, _ = harvest
    first = client.get("/api/roles?cursor=&limit=3")
    body = first.json()
    assert body["prev"] is None
    assert "cursor=" in body["next"] and "offset" not in body["next"]
    assert f'<{body["next"]}>; rel="next"' in first.headers["link"]
    second = client.get(body["next"].split("127.0.0.1:8000", 1)[-1])
    assert second.status_code == 200
    assert second.json()["items"][0]["iri"] > body["items"][-1]["iri"]
    bad = client.get("/api/roles?cursor=%25%25%25")
    assert bad.status_code == 422
    assert bad.json()["param"] == "cursor"
    # without a cursor the listing keeps its label order and offsets
    plain = client.get("/api/roles?limit=3").json()
    assert "offset=3" in plain["next"]


def test_modified_since_and_conditional_listings(harvest: tuple[TestClient, Context]) -> None:
    client, ctx = harvest
    roles = sorted(catalogue_for(ctx).by_kind["role"])
    stamps = {roles[0]: "2026-11-01T08:00:00Z", roles[1]: "2026-11-20T08:00:00+01:00",
              roles[2]: "2026-11-25"}
    ctx.store.add([Quad(NamedNode(iri), NamedNode("http://purl.org/dc/terms/modified"),
                        Literal(value), HARVEST_GRAPH) for iri, value in stamps.items()])
    since = client.get("/api/roles?modified_since=2026-11-15T00:00:00Z&limit=50")
    assert since.status_code == 200
    assert {i["iri"] for i in since.json()["items"]} == {roles[1], roles[2]}
    listing = client.get("/api/roles?limit=2")
    assert listing.headers["last-modified"] == "Wed, 25 Nov 2026 00:00:00 GMT"
    unchanged = client.get("/api/roles?limit=2",
                           headers={"If-Modified-Since": listing.headers["last-modified"]})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    older = client.get("/api/roles?limit=2",
                       headers={"If-Modified-Since": "Tue, 24 Nov 2026 00:00:00 GMT"})
    assert older.status_code == 200 and older.json()["items"]
    # an invalid date is ignored (RFC 9110)
    assert client.get("/api/roles", headers={"If-Modified-Since": "yesterday"}
                      ).status_code == 200
    assert client.get("/api/roles?modified_since=soon").status_code == 422
