"""A resource page lists the first 100 resources that link to it (in pages of rows) and says
when there are more; the competency page's paths to roles come from the planning index and
follow a write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad
from test_linkeddata import GRAPH, ID

from qualifica.context import Context
from qualifica.namespaces import QD, RDF_TYPE, SKOS_IN_SCHEME, SKOS_PREF_LABEL
from qualifica.planning import get_index
from qualifica.web.resource_view import MAX_INCOMING


def _members(lctx: Context, n: int) -> None:
    graph = NamedNode(GRAPH + "members")
    quads = []
    for i in range(n):
        member = NamedNode(f"{ID}competency/mitglied-{i}")
        quads += [Quad(member, NamedNode(RDF_TYPE), NamedNode(QD + "Competency"), graph),
                  Quad(member, NamedNode(SKOS_PREF_LABEL), Literal(f"Mitglied {i}",
                                                                   language="de"), graph),
                  Quad(member, NamedNode(SKOS_IN_SCHEME),
                       NamedNode(ID + "framework/testrahmen"), graph)]
    lctx.store.add(quads)


def _rows(html: str) -> int:
    section = html.split("Verweise auf diese Ressource", 1)[1].split("</section>", 1)[0]
    return section.count("<tr>") - 1  # the header row


def test_a_page_lists_the_first_links_and_says_there_are_more(lctx: Context,
                                                              lclient: TestClient) -> None:
    few = lclient.get("/id/framework/testrahmen", headers={"Accept": "text/html"})
    assert few.status_code == 200
    assert "Die ersten 100 Verweise" not in few.text
    shown = _rows(few.text)
    assert 0 < shown < MAX_INCOMING
    _members(lctx, 150)
    many = lclient.get("/id/framework/testrahmen", headers={"Accept": "text/html"})
    assert many.status_code == 200
    # shown in pages of rows (web.paging): the pages together list the first 100
    size = lctx.settings.page_rows
    assert _rows(many.text) == size
    pages = -(-MAX_INCOMING // size)
    assert f"Zeilen 1–{size} von {MAX_INCOMING}" in many.text
    listed = sum(_rows(lclient.get(f"/id/framework/testrahmen?page-incoming={n}",
                                   headers={"Accept": "text/html"}).text)
                 for n in range(1, pages + 1))
    assert listed == MAX_INCOMING
    assert lclient.get(f"/id/framework/testrahmen?page-incoming={pages + 1}",
                       headers={"Accept": "text/html"}).status_code == 404
    assert "Die ersten 100 Verweise" in many.text and 'href="/sparql"' in many.text
    english = lclient.get("/id/framework/testrahmen?lang=en", headers={"Accept": "text/html"})
    assert "The first 100 links" in english.text


def test_competency_page_paths_follow_a_write(lctx: Context, lclient: TestClient) -> None:
    page = lclient.get("/competencies/testrahmen-1-1").text
    assert "Testrolle" in page  # through the task the role performs
    graph = NamedNode(GRAPH + "linkeddata-test")
    role = NamedNode(ID + "role/testrolle")
    label = NamedNode(SKOS_PREF_LABEL)
    lctx.store.apply([Quad(role, label, Literal("Testrolle", language="de"), graph)],
                    [Quad(role, label, Literal("Umbenannte Rolle", language="de"), graph)])
    get_index(lctx)  # kept current on writes
    page = lclient.get("/competencies/testrahmen-1-1").text
    assert "Umbenannte Rolle" in page and "Testrolle" not in page.replace(
        "role/testrolle", "")


@pytest.mark.parametrize("path", ["/id/role/testrolle", "/id/framework/testrahmen",
                                  "/id/competency/testrahmen-1"])
def test_a_page_shows_a_write_at_once(lctx: Context, lclient: TestClient, path: str) -> None:
    html = {"Accept": "text/html"}
    first = lclient.get(path, headers=html)
    again = lclient.get(path, headers=html)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    graph = NamedNode(GRAPH + "linkeddata-test")
    label = NamedNode(SKOS_PREF_LABEL)
    shown = []
    for slug, old in (("task/testaufgabe", "Prozesse dokumentieren"),
                      ("competency/testrahmen-1-1", "Prozesse modellieren"),
                      ("competency/testrahmen-1", "Prozesse")):
        new = f"Umbenannt {slug.split('/')[1]}"
        if f">{old}<" in first.text:
            shown.append(new)
        lctx.store.apply([Quad(NamedNode(ID + slug), label, Literal(old, language="de"), graph)],
                        [Quad(NamedNode(ID + slug), label, Literal(new, language="de"), graph)])
    assert shown, f"{path} names none of the resources renamed"
    after = lclient.get(path, headers=html)
    assert after.status_code == 200
    for new in shown:
        assert new in after.text
