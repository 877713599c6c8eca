"""The sitemap (sitemaps.org 0.9) of the dereferenceable IRIs: every catalogued resource's
``/id/`` URL, ``<lastmod>`` from ``dcterms:modified``, and a sitemap index past the limit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api import create_app
from qualifica.context import Context
from qualifica.linkeddata import sitemap
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import DCTERMS, GRAPH, ID, XSD
from qualifica_testing import LOCAL, rest_graph_context

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://127.0.0.1:8000/"
STAMP = "2026-11-30T10:00:00Z"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Context]]:
    ctx = rest_graph_context(tmp_path_factory.mktemp("sitemap"))
    role = next(i for i in catalogue_for(ctx).by_kind["role"])
    ctx.store.add([Quad(NamedNode(role), NamedNode(DCTERMS + "modified"),
                        Literal(STAMP, datatype=NamedNode(XSD + "dateTime")),
                        NamedNode(GRAPH + "rest-test"))])
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client, ctx
    ctx.close()


def test_sitemap_lists_every_resource_with_lastmod(site: tuple[TestClient, Context]) -> None:
    client, ctx = site
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['s']}}}urlset"
    urls = {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
            for u in root.findall("s:url", NS)}
    cat = catalogue_for(ctx)
    expected = {BASE + "id/" + i[len(ID):] for i in cat.kinds if i.startswith(ID)}
    assert set(urls) == expected
    stamped = [loc for loc, lastmod in urls.items() if lastmod]
    assert len(stamped) == 1 and urls[stamped[0]] == STAMP
    # every URL dereferences
    for loc in sorted(urls)[:5]:
        assert client.get(loc.removeprefix(BASE.rstrip("/")),
                          headers={"Accept": "text/turtle"}).status_code == 200
    # not split: part 1 is the whole sitemap, there is no part 2
    assert client.get("/sitemap-1.xml").content == response.content
    assert client.get("/sitemap-2.xml").status_code == 404


def test_sitemap_is_split_past_the_limit() -> None:
    items = [sitemap.Entry(f"{BASE}id/role/r{i:03}", f"2026-11-{1 + i % 28:02}")
             for i in range(7)]
    cut = sitemap.parts(items, limit=3)
    assert [len(p) for p in cut] == [3, 3, 1]
    root = ET.fromstring(sitemap.index(BASE, cut))
    assert root.tag == f"{{{NS['s']}}}sitemapindex"
    parts = root.findall("s:sitemap", NS)
    assert [p.findtext("s:loc", namespaces=NS) for p in parts] == [
        f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    assert parts[0].findtext("s:lastmod", namespaces=NS) == "2026-11-03"
    seen = []
    for part in cut:
        seen += [u.findtext("s:loc", namespaces=NS)
                 for u in ET.fromstring(sitemap.urlset(part)).findall("s:url", NS)]
    assert seen == [e.loc for e in items]
    assert sitemap.SITEMAP_LIMIT == 50_000


def test_sitemap_escapes_urls() -> None:
    body = sitemap.urlset([sitemap.Entry(BASE + "id/role/a&b")])
    assert b"a&amp;b" in body
    assert ET.fromstring(body).find("s:url/s:loc", NS).text == BASE + "id/role/a&b"
