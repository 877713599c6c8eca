"""The search, match and browse pages through the real app: content, filters, paging, errors.

Three graphs: the bundled one (``client``), the small planning graph (match coverage worked out
by hand in ``test_planning_api``) and ``tests/data/browse/offers.ttl`` (offer facts, provisions
out of natural order, a competency tree).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api import create_app
from qualifica.config import PROJECT_ROOT
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.search import ranked, typos_allowed
from qualifica.namespaces import GRAPH, QD, RDF_TYPE, SKOS_PREF_LABEL
from qualifica.web import match_view
from qualifica.web.i18n import words
from qualifica.web.locale import natural_key
from qualifica.web.offers import duration_text
from qualifica_testing import (
    LOCAL,
    TEST_DATA,
    load_graph,
    memory_context,
    planning_context,
)

ID = "https://w3id.org/qualifica/id/"


def text(html: str) -> str:
    """The visible text of the main part of a page, whitespace collapsed."""
    main = html[html.index("<main"):html.index("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def hrefs(html: str) -> list[str]:
    """The link targets in ``html``; ``?lang=de``, which links under ``/id/`` carry, left out."""
    return [unescape(h).removesuffix("?lang=de")
            for h in re.findall(r'href="([^"]*)"', html)]


def section(html: str, start: str, end: str | None = None) -> str:
    """The part of ``html`` from the first ``start`` to the next ``end`` (or the end)."""
    i = html.index(start)
    j = html.find(end, i + len(start)) if end else -1
    return html[i:j if j >= 0 else len(html)]


# --- search ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("q", "href"), [
    ("Prozesmanager", "/roles/prozessmanager"),        # a letter missing
    ("Prozessmanagre", "/roles/prozessmanager"),       # two letters swapped
    ("Prozesmanagr", "/roles/prozessmanager"),         # two letters missing
    ("Prozeszmanager", "/roles/prozessmanager"),       # a wrong letter
    ("Veraenderungsprozesse", "/id/task/veraenderungsprozesse-begleiten"),  # ä as ae
    ("Fursorgepflicht", "/id/legal-basis/bbg-78"),     # ü as u
    ("fuersorgepflicht", "/id/legal-basis/bbg-78"),    # ü as ue, lower case
])
def test_search_is_typo_and_umlaut_tolerant(client: TestClient, q: str, href: str) -> None:
    r = client.get("/search", params={"q": q})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert href in hrefs(section(r.text, "<main", "</main>"))


def test_search_literal_matches_come_first_and_the_typo_note_only_without_them(
        client: TestClient) -> None:
    typo = client.get("/search", params={"q": "Prozesmanager"}).text
    assert "Keine genaue Übereinstimmung" in typo
    exact = client.get("/search", params={"q": "Prozessmanager"}).text
    assert "Keine genaue Übereinstimmung" not in exact
    cat_hits = ranked(catalogue_for(client.app.state.ctx), "Prozessmanager", fuzzy=True)
    assert cat_hits[0][:2] == (ID + "role/prozessmanager", "exact")
    # words below four letters must match exactly; longer ones allow one, then two edits
    assert [typos_allowed(w) for w in ("abc", "abcd", "abcdefg", "abcdefgh")] == [0, 1, 1, 2]


def test_search_groups_by_kind_with_type_and_framework(client: TestClient) -> None:
    html = client.get("/search", params={"q": "daten"}).text
    main = section(html, "<main", "</main>")
    groups = re.findall(r'<h2 id="group-([a-z-]+)">([^<]+)</h2>', main)
    assert ("competency", "Kompetenzen") in groups and ("role", "Rollen") in groups
    competencies = section(main, 'id="group-competency"', "</section>")
    # each competency names its kind and framework; an alternative label says how it matched
    assert text(f"<main>{competencies}</main>").count("Kompetenz · DigComp 2.2") >= 4
    assert "gefunden als „Datenschutz“" in competencies
    # the type filter offers each kind found, with its count
    facets = section(main, 'class="facets"', "</nav>")
    assert re.search(r"Kompetenzen <span class=\"count\">\((\d+)\)", facets)


def test_search_type_filter(client: TestClient) -> None:
    html = client.get("/search", params={"q": "daten", "type": "competency"}).text
    main = section(html, "<main", "</main>")
    assert re.findall(r'<h2 id="group-([a-z-]+)"', main) == ["competency"]
    assert '<span aria-current="true">Kompetenzen' in main
    assert client.get("/search", params={"q": "daten", "type": "roll"}).status_code == 422
    assert client.get("/search", params={"q": "daten", "type": "role,task"}).status_code == 422


def test_search_pages(client: TestClient) -> None:
    everything = ranked(catalogue_for(client.app.state.ctx), "digital", fuzzy=True)
    assert len(everything) > 20  # the query fills more than one page
    first = client.get("/search", params={"q": "digital"}).text
    second = client.get("/search", params={"q": "digital", "page": "2"}).text
    assert f"{len(everything)} Treffer" in text(first) and "Seite 1 von 2" in text(first)
    assert "Seite 2 von 2" in text(second)
    links = lambda html: set(re.findall(r'<li>\s*<a href="([^"]+)"',  # noqa: E731
                                        section(html, 'id="summary"', 'class="pager"')))
    assert links(first) and links(second) and not links(first) & links(second)
    pager = section(first, 'class="pager"', "</nav>")
    assert '<a rel="next" href="/search?q=digital&amp;page=2">' in pager
    assert client.get("/search", params={"q": "digital", "page": "3"}).status_code == 404
    for bad in ("0", "abc", "-1"):
        r = client.get("/search", params={"q": "digital", "page": bad})
        assert r.status_code == 422 and "Seitenzahl" in text(r.text)


def test_search_without_query_and_without_hits(client: TestClient) -> None:
    empty = client.get("/search")
    assert empty.status_code == 200 and "Umlaut-Schreibweisen" in empty.text
    none = client.get("/search", params={"q": "xyzzy-nichts"})
    assert none.status_code == 200 and "Keine Treffer für „xyzzy-nichts“." in text(none.text)
    assert client.get("/search", params={"q": "x" * 201}).status_code == 422


def test_search_escapes_the_query(client: TestClient) -> None:
    r = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_search_in_english(client: TestClient) -> None:
    html = client.get("/search", params={"q": "process", "lang": "en"}).text
    assert '<html lang="en">' in html
    main = section(html, "<main", "</main>")
    assert '<h2 id="group-role">Roles</h2>' in main and "results for “process”" in text(html)
    # the page links keep the language
    assert "/roles/prozessmanager?lang=en" in hrefs(main)


def test_home_search_box_leads_to_the_search_page(client: TestClient) -> None:
    html = client.get("/").text
    form = section(html, '<form class="search"', "</form>")
    assert 'action="/search"' in form and 'data-suggest="/search/suggest"' in form
    assert '<script src="/static/suggest.js" defer></script>' in html
    nav = section(html, "<nav", "</nav>")
    for path in ("/search", "/roles", "/competencies", "/training-formats", "/legal-bases",
                 "/match", "/gap"):
        assert f'href="{path}"' in nav, path
    js = client.get("/static/suggest.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "aria-activedescendant" in js.text


def test_suggestions(client: TestClient) -> None:
    body = client.get("/search/suggest", params={"q": "Prozes"}).json()
    assert body["items"][0] == {"label": "Prozessmanager/-in", "type": "role", "kind": "Rolle",
                                "href": "/roles/prozessmanager"}
    assert 1 <= len(body["items"]) <= 8
    typo = client.get("/search/suggest", params={"q": "Prozesmanager", "lang": "en"}).json()
    assert typo["items"][0]["href"] == "/roles/prozessmanager"
    assert typo["items"][0]["kind"] == "Role"
    assert client.get("/search/suggest", params={"q": " "}).json()["items"] == []
    long = client.get("/search/suggest", params={"q": "x" * 201})
    assert long.status_code == 422
    assert long.headers["content-type"].startswith("application/problem+json")


def test_search_index_is_built_once_per_store_generation(tmp_path_factory: pytest.TempPathFactory
                                                         ) -> None:
    ctx = memory_context(tmp_path_factory.mktemp("search-gen"))
    try:
        load_graph(ctx.store, TEST_DATA / "browse" / "offers.ttl", GRAPH + "offers")
        cat = catalogue_for(ctx)
        assert [h[0] for h in ranked(cat, "Datenkurs", fuzzy=True)][:1] == \
            [ID + "training-format/datenkurs"]
        index = cat.search_index
        ranked(cat, "Pruferin", fuzzy=True)
        assert cat.search_index is index  # the same index answers every request
        role = NamedNode(ID + "role/datenlotsin")
        ctx.store.add([Quad(role, NamedNode(RDF_TYPE), NamedNode(QD + "Role"),
                            NamedNode(GRAPH + "offers")),
                       Quad(role, NamedNode(SKOS_PREF_LABEL), Literal("Datenlotsin", language="de"),
                            NamedNode(GRAPH + "offers"))])
        fresh = catalogue_for(ctx)
        assert fresh.search_index is None or fresh.search_index is not index
        assert ranked(fresh, "Datenlotsn", fuzzy=True)[0][0] == role.value
    finally:
        ctx.close()


# --- match ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    ctx = planning_context(tmp_path_factory.mktemp("match-page"))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client
    ctx.close()


def fits(html: str) -> list[tuple[str, str]]:
    """(role label, coverage) of each fitting role, in order."""
    result = section(html, 'id="result"', "</section>")
    return re.findall(r'<li class="fit">\s*<h3><a href="[^"]+">([^<]+)</a> <span class="coverage">'
                      r"Abdeckung: <strong>([^<]+)</strong>", result)


def test_match_form_lists_competencies_by_framework_with_levels(small: TestClient) -> None:
    html = small.get("/match").text
    assert 'id="result"' not in html
    main = section(html, "<main", "</main>")
    assert "<summary>Testrahmen" in main
    for slug in ("grundlagen", "datenkompetenz", "kommunikation", "prozessmodellierung"):
        assert f'<input type="checkbox" name="held" value="{slug}" id="held-{slug}">' in main
    levels = section(main, 'id="level-datenkompetenz"', "</select>")
    assert re.findall(r'<option value="(\d*)"', levels) == ["", "1", "2", "3", "4"]


def test_match_ranks_roles_and_names_what_they_lack(small: TestClient) -> None:
    # worked out by hand in test_planning_api.test_match: 2 of 3, 1 of 2, 1 of 2
    html = small.get("/match", params=[("held", "datenkompetenz"), ("level-datenkompetenz", "3"),
                                       ("held", "kommunikation"), ("level-kommunikation", "2")]
                     ).text
    assert fits(html) == [("Prozessmanagerin", "67 %"), ("Datenanalyst", "50 %"),
                          ("Sachbearbeitung", "50 %")]
    first = section(html, '<li class="fit">', "</li>")
    assert "Es fehlt noch:" in first and ">Prozessmodellierung</a>" in first
    assert 'href="/competencies/prozessmodellierung"' in first


def test_match_links_to_the_gap_analysis_with_the_held_competencies(small: TestClient) -> None:
    html = small.get("/match", params=[("held", "datenkompetenz"), ("level-datenkompetenz", "3"),
                                       ("level-kommunikation", "2")]).text
    link = next(h for h in hrefs(section(html, 'id="result"', "</section>"))
                if h.startswith("/gap?"))
    params = parse_qsl(urlsplit(link).query)
    assert params == [("role", "prozessmanagerin"), ("level-datenkompetenz", "3"),
                      ("level-kommunikation", "2"), ("analyse", "1")]
    gap = small.get(link).text
    # the gap page shows the result with both competencies carried over at their level
    assert 'id="result"' in gap
    for slug, rank in (("datenkompetenz", "3"), ("kommunikation", "2")):
        assert re.search(rf'id="level-{slug}"[^>]*>.*?<option value="{rank}" selected>', gap,
                         re.S), slug


def test_match_level_without_tick_counts(small: TestClient) -> None:
    html = small.get("/match", params={"level-kommunikation": "2"}).text
    assert 'value="kommunikation" id="held-kommunikation" checked' in html
    assert fits(html)  # Prozessmanagerin requires Kommunikation at 2


def test_match_tick_without_level_is_shown_with_the_form_kept(small: TestClient) -> None:
    r = small.get("/match", params=[("held", "kommunikation"), ("held", "datenkompetenz"),
                                    ("level-datenkompetenz", "3")])
    assert r.status_code == 422
    errors = section(r.text, '<div class="errors"', "</div>")
    assert 'role="alert"' in errors and "Wählen Sie das Niveau für „Kommunikation“." in errors
    assert 'href="#level-kommunikation"' in errors
    # nothing entered is lost
    assert 'value="kommunikation" id="held-kommunikation" checked' in r.text
    assert re.search(r'id="level-datenkompetenz">.*?<option value="3" selected>', r.text, re.S)
    assert 'id="result"' not in r.text


def test_match_find_narrows_the_list_but_keeps_held_ones(small: TestClient) -> None:
    html = small.get("/match", params={"find": "daten", "level-kommunikation": "2"}).text
    form = section(html, 'id="match-form"', "</form>")
    shown = set(re.findall(r'name="held" value="([a-z-]+)"', form))
    assert shown == {"datenkompetenz", "datenschutz", "kommunikation"}
    none = small.get("/match", params={"find": "zzz"}).text
    assert "Keine Kompetenz passt zum Filter." in none


@pytest.mark.parametrize(("params", "status"), [
    ({"held": "unbekannt", "level-unbekannt": "2"}, 404),
    ({"level-datenkompetenz": "abc"}, 422),
    ({"level-datenkompetenz": "9"}, 422),
    ({"held": "<x>", "level-<x>": "1"}, 422),
])
def test_match_bad_input(small: TestClient, params: dict[str, str], status: int) -> None:
    r = small.get("/match", params=params)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert "<x>" not in r.text


def test_match_in_english(small: TestClient) -> None:
    html = small.get("/match", params={"level-kommunikation": "2", "lang": "en"}).text
    assert '<html lang="en">' in html and "Best matching roles" in html
    assert "<summary>Test framework" in html
    assert any(h.startswith("/gap?") and h.endswith("&lang=en") for h in hrefs(html))


def test_match_on_the_bundled_graph_carries_over_to_the_gap_result(client: TestClient) -> None:
    held = [("held", "digcomp-4-2"), ("level-digcomp-4-2", "5"),
            ("held", "qd-problemloesungskompetenz"), ("level-qd-problemloesungskompetenz", "3"),
            ("held", "digcomp-1-3"), ("level-digcomp-1-3", "3")]
    html = client.get("/match", params=held).text
    link = next(h for h in hrefs(html) if h.startswith("/gap?role=prozessmanager&"))
    assert "held=" not in link
    gap = client.get(link).text
    # test_pages: the Prozessmanager holding these three is covered to 40 %
    assert '<strong id="coverage">40 %</strong>' in gap


# --- training formats -------------------------------------------------------------------------

def format_links(html: str) -> set[str]:
    table = section(html, '<table data-table="formats" class="stack">', "</table>") \
        if 'data-table="formats"' in html else ""
    return {h.rsplit("/", 1)[-1] for h in hrefs(table) if h.startswith("/training-formats/")}


def api_ids(client: TestClient, **params: str) -> set[str]:
    body = client.get("/api/training-formats", params={"limit": 500, **params}).json()
    return {i["id"] for i in body["items"]}


def test_formats_list_and_filters_agree_with_the_rest_api(client: TestClient) -> None:
    everything = client.get("/training-formats").text
    assert format_links(everything) == api_ids(client)
    assert f"{len(api_ids(client))} Formate" in text(everything)
    for params in ({"kind": "fortbildung"}, {"competency": "digcomp-4-2"}):
        r = client.get("/training-formats", params=params)
        assert r.status_code == 200 and format_links(r.text) == api_ids(client, **params)
    # a legal basis counts with its provisions: BLV finds what rests on § 47 BLV
    blv = format_links(client.get("/training-formats", params={"legal_basis": "blv"}).text)
    assert blv == format_links(client.get("/training-formats",
                                          params={"legal_basis": "blv-47"}).text) | \
        format_links(client.get("/training-formats", params={"legal_basis": "blv-46"}).text)
    assert "egov-campus-verwaltungsportale" in blv
    both = client.get("/training-formats", params={"kind": "fortbildung",
                                                   "competency": "digcomp-4-2"}).text
    assert format_links(both) == api_ids(client, kind="fortbildung") & \
        api_ids(client, competency="digcomp-4-2")
    assert '<option value="fortbildung" selected>Fortbildung</option>' in both


def test_formats_filter_choices_are_in_natural_order(client: TestClient) -> None:
    html = client.get("/training-formats").text
    choices = section(html, 'id="f-legal_basis"', "</select>")
    labels = [unescape(x) for x in re.findall(r'<option value="[^"]+">([^<]+)</option>', choices)]
    blv = [label for label in labels if label.endswith(("BLV – Personalentwicklung",
                                                        "BLV – Dienstliche Qualifizierung"))]
    assert blv == ["§ 46 BLV – Personalentwicklung", "§ 47 BLV – Dienstliche Qualifizierung"]
    bbig = [label.split(" BBiG")[0] for label in labels if " BBiG –" in label]
    assert bbig == sorted(bbig, key=natural_key) and bbig.index("§ 5") < bbig.index("§ 53")



def test_formats_competency_choices_are_told_apart(client: TestClient) -> None:
    """Items an ordinance names alike under several Fachrichtungen ("Fallbezogene
    Rechtsanwendung") name their broader concept, and the same choices come in the same order
    every time."""
    html = client.get("/training-formats").text
    choices = section(html, 'id="f-competency"', "</select>")
    labels = [unescape(x) for x in re.findall(r'<option value="[^"]+">([^<]+)</option>', choices)]
    assert len(labels) == len(set(labels)), "two competencies share a choice's text"
    assert any(label.startswith("Fallbezogene Rechtsanwendung (") for label in labels)
    assert client.get("/training-formats").text == html

@pytest.mark.parametrize("params", [{"kind": "umschulung"}, {"competency": "nope"},
                                    {"legal_basis": "nope"}, {"provider": "nobody"}])
def test_formats_unknown_filter_is_404(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/training-formats", params=params)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_offer_page_on_the_bundled_graph(client: TestClient) -> None:
    html = client.get("/training-formats/egov-campus-prozessmanagement").text
    main = text(html)
    assert "eGov-Campus: Prozessmanagement im öffentlichen Sektor" in main
    outcomes = section(html, '<table data-table="outcomes" class="stack">', "</table>")
    assert outcomes.count("<tr>") == 4  # header and three outcomes
    legal = section(html, "<dt>Rechtsgrundlagen</dt>", "</dd>")
    order = re.findall(r">§ (\d+) ", legal)
    assert order == sorted(order, key=int)
    # the resource URI's HTML is the same page; other kinds are not offers
    assert client.get("/id/training-format/egov-campus-prozessmanagement",
                      headers={"Accept": "text/html"}).text.count('data-table="outcomes"') == 1
    assert client.get("/training-formats/nope").status_code == 404
    assert client.get("/training-formats/prozessmanager").status_code == 404


@pytest.fixture(scope="module")
def offers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    ctx = memory_context(tmp_path_factory.mktemp("offers"))
    load_graph(ctx.store, PROJECT_ROOT / "ontology" / "qualifica.ttl", GRAPH + "ontology")
    load_graph(ctx.store, TEST_DATA / "browse" / "offers.ttl", GRAPH + "offers")
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as client:
        yield client
    ctx.close()


def test_offer_page_shows_provider_duration_mode_cost_and_link(offers: TestClient) -> None:
    html = offers.get("/training-formats/datenkurs").text
    facts = section(html, '<dl class="facts">', "</dl>")
    assert "<dt>Anbieter</dt><dd>Testakademie</dd>" in facts
    assert "<dt>Dauer</dt><dd>3 Tage</dd>" in facts
    assert "<dt>Lernform</dt><dd>online</dd>" in facts
    assert "<dt>Kosten</dt><dd>450,50\xa0€</dd>" in facts
    assert '<a href="https://example.org/kurse/daten" rel="external">' in facts
    assert "<dt>Art</dt><dd>Fortbildung</dd>" in facts
    en = offers.get("/training-formats/datenkurs", params={"lang": "en"}).text
    en_facts = section(en, '<dl class="facts">', "</dl>")
    assert "<dt>Duration</dt><dd>3 days</dd>" in en_facts
    assert "<dt>Cost</dt><dd>€450.50</dd>" in en_facts
    assert "<dt>Provider</dt><dd>Test Academy</dd>" in en_facts
    other = section(offers.get("/training-formats/ausbildung").text, '<dl class="facts">',
                    "</dl>")
    assert "<dd>Landesverwaltungsschule</dd>" in other and "<dd>3 Jahre</dd>" in other
    assert "<dt>Kosten</dt><dd>kostenfrei</dd>" in other
    assert "<dt>Lernform</dt><dd>nicht angegeben</dd>" in other
    webinar = section(offers.get("/training-formats/webinar").text, '<dl class="facts">',
                      "</dl>")
    assert "<dt>Anbieter</dt><dd>Akademie Süd, Testakademie Nord</dd>" in webinar
    assert "<dt>Dauer</dt><dd>90 Minuten</dd>" in webinar
    assert "<dt>Lernform</dt><dd>Blended Learning</dd>" in webinar
    assert "<dt>Kosten</dt><dd>kostenfrei</dd>" in webinar


def test_formats_filter_by_provider(offers: TestClient) -> None:
    html = offers.get("/training-formats").text
    choices = section(html, 'id="f-provider"', "</select>")
    assert re.findall(r'<option value="([^"]*)"', choices) == [
        "", "Akademie Süd", "Landesverwaltungsschule", ID + "provider/akademie",
        "Testakademie Nord"]
    assert format_links(offers.get("/training-formats",
                                   params={"provider": ID + "provider/akademie"}).text) == \
        {"datenkurs"}
    assert format_links(offers.get("/training-formats",
                                   params={"provider": "Landesverwaltungsschule"}).text) == \
        {"ausbildung"}
    # a narrower competency counts for its broader one
    assert format_links(offers.get("/training-formats", params={"competency": "daten"}).text) \
        == {"datenkurs"}


def test_duration_text() -> None:
    de = words("de")
    assert duration_text("P3D", de) == "3 Tage"
    assert duration_text("PT1H", de) == "1 Stunde"
    assert duration_text("P1Y6M", de) == "1 Jahr, 6 Monate"
    assert duration_text("2 Wochen", de) == "2 Wochen"  # plain text stays


# --- legal bases, competencies, roles ---------------------------------------------------------

def test_legal_bases_grouped_by_act_in_natural_order(offers: TestClient) -> None:
    html = offers.get("/legal-bases").text
    act = section(html, '<section class="act" id="tg"', "</section>")
    provisions = re.findall(r'<h3 class="provision" id="([a-z0-9-]+)">', act)
    assert provisions == ["tg-5", "tg-47", "tg-53a"]
    five = section(act, 'id="tg-5"', '<h3 class="provision"')
    assert ">Prüferin</a>" in five and ">Ausbildung zur Prüferin</a>" in five
    assert "Nichts beruht unmittelbar darauf." in section(act, 'id="tg-53a"')


def test_legal_bases_on_the_bundled_graph(client: TestClient) -> None:
    html = client.get("/legal-bases").text
    bbig = section(html, '<section class="act" id="bbig"', "</section>")
    ids = re.findall(r'<h3 class="provision" id="bbig-([0-9a-z]+)">', bbig)
    assert ids == sorted(ids, key=natural_key) and ids.index("5") < ids.index("53")
    assert len(ids) == len(set(ids))  # each provision once
    blv = section(html, '<section class="act" id="blv"', "</section>")
    assert re.findall(r'id="blv-(\d+)"', blv) == ["46", "47"]
    assert "eGov-Campus: Verwaltungsportale" in section(blv, 'id="blv-47"')
    # every legal basis of the REST API is on the page
    every = client.get("/api/legal-bases", params={"limit": 500}).json()["items"]
    page_ids = set(re.findall(r'href="/id/legal-basis/([a-z0-9-]+)[?"]', html))
    assert {i["id"] for i in every} <= page_ids
    assert natural_key("§ 5 BBiG") < natural_key("§ 47 BBiG") < natural_key("§ 53a BBiG")


def test_competency_tree(client: TestClient, offers: TestClient) -> None:
    html = offers.get("/competencies").text
    tree = section(html, '<div class="tree">', "</div>")
    assert re.search(r'href="/competencies/daten">Datenkompetenz</a>\s*<ul>\s*<li>'
                     r'<a href="/competencies/daten-schutz">Datenschutz</a>', tree)
    bundled = client.get("/competencies").text
    digcomp = section(bundled, "DigComp 2.2", "</section>")
    tops = re.findall(r'<li><a href="/competencies/(digcomp-\d)">', digcomp)
    assert tops == ["digcomp-1", "digcomp-2", "digcomp-3", "digcomp-4", "digcomp-5"]
    four = section(digcomp, 'href="/competencies/digcomp-4"', 'href="/competencies/digcomp-5"')
    assert 'href="/competencies/digcomp-4-2"' in four
    every = client.get("/api/competencies", params={"limit": 500}).json()["items"]
    assert {c["id"] for c in every} == set(re.findall(r'href="/competencies/([a-z0-9-]+)"',
                                                      section(bundled, "<main", "</main>")))


def test_roles_by_group(client: TestClient) -> None:
    html = client.get("/roles").text
    main = section(html, "<main", "</main>")
    groups = re.findall(r'<h2 id="group-\d+">([^<]+) <span', main)
    assert "Gestalter: Allgemeine Managementaufgaben" in groups
    management = section(main, "Gestalter: Allgemeine Managementaufgaben", "</section>")
    assert 'href="/roles/prozessmanager"' in management
    every = client.get("/api/roles", params={"limit": 500}).json()["items"]
    assert {r["id"] for r in every} == set(re.findall(r'href="/roles/([a-z0-9-]+)"', main))
    en = client.get("/roles", params={"lang": "en"}).text
    assert "<h1>Roles by role group</h1>" in en


@pytest.mark.parametrize("path", ["/search?q=daten", "/match", "/training-formats",
                                  "/training-formats/egov-campus-prozessmanagement",
                                  "/legal-bases", "/competencies", "/roles"])
def test_pages_switch_language_and_keep_their_parameters(client: TestClient, path: str) -> None:
    de = client.get(path)
    assert de.status_code == 200 and de.headers["content-language"] == "de"
    switch = next(h for h in hrefs(de.text) if "lang=en" in h and h.startswith(path.split("?")[0]))
    en = client.get(switch)
    assert en.status_code == 200 and '<html lang="en">' in en.text
    if "?" in path:
        assert "q=daten" in switch


def test_match_lists_a_bounded_number_of_competencies(small: TestClient,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    total = len(re.findall(r'name="held" value=',
                           section(small.get("/match").text, 'id="match-form"', "</form>")))
    monkeypatch.setattr(match_view, "MAX_CHOICES", 2)
    html = small.get("/match", params={"level-projektarbeit": "1"}).text
    form = section(html, 'id="match-form"', "</form>")
    shown = re.findall(r'name="held" value="([a-z-]+)"', form)
    # the held one on top of the first two others; the rest is counted, the filter narrows it
    assert "projektarbeit" in shown and len(shown) == 3
    assert 'data-all="false"' in form
    assert f"{total - 3} weitere Kompetenzen passen" in form
    narrowed = small.get("/match", params={"find": "daten"}).text
    assert 'data-all="true"' in narrowed and 'id="more"' not in narrowed


@pytest.mark.parametrize(("path", "status", "de", "en"), [
    ("/search?q=daten&page=9", 404, "Es gibt keine Seite 9; die Treffer füllen 1.",
     "There is no page 9; the results fill 1."),
    ("/search?q=daten&page=x", 422, "Die Seitenzahl muss eine ganze Zahl ab 1 sein.",
     "The page number must be a whole number from 1."),
    ("/search?q=daten&type=roll", 422, "Unbekannter Typ „roll“", "Unknown type “roll”"),
    ("/training-formats?competency=nope", 404,
     "Unbekannter Wert „nope“ für den Filter „Kompetenz“.",
     "Unknown value “nope” for the filter “Competency”."),
    ("/training-formats?kind=umschulung", 404, "für den Filter „Art“",
     "for the filter “Kind”"),
    ("/training-formats/nope", 404, "Es gibt kein Qualifizierungsformat „nope“.",
     "There is no training format “nope”."),
    ("/match?held=unbekannt&level-unbekannt=1", 404, "Es gibt keine Kompetenz „unbekannt“.",
     "There is no competency “unbekannt”."),
    ("/match?level-digcomp-4-2=9", 422,
     "Das gewählte Niveau für „Schutz personenbezogener Daten und der Privatsphäre“ gibt es "
     "nicht.", "The level chosen for “Protecting personal data and privacy” does not exist."),
])
def test_error_pages_speak_the_page_language(client: TestClient, path: str, status: int,
                                             de: str, en: str) -> None:
    german = client.get(path)
    assert german.status_code == status and de in text(german.text)
    english = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert english.status_code == status and en in text(english.text)


def test_counts_of_one_are_singular(client: TestClient) -> None:
    assert "1 result for “Prozesmanager”" in text(
        client.get("/search", params={"q": "Prozesmanager", "lang": "en"}).text)
    one = client.get("/training-formats", params={"kind": "fortbildung",
                                                  "competency": "digcomp-3-1"}).text
    assert len(format_links(one)) == 1 and "1 Format " in text(one) + " "
