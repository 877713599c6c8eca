"""The HTML pages, their CSV tables and the paths SVG, through the real app.

Two graphs: the bundled one (``client``, read-only) and a tiny graph written here whose labels
carry markup, to prove that every label and parameter is escaped.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.web import render, svg, views
from qualifica_testing import LOCAL

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/qualifica/id/"
EVIL = "<script>alert(1)</script>"

# Worked out by hand from the bundled graph (data/roles.ttl, tasks.ttl, requirements.ttl,
# training.ttl): the merged requirements of the IT-Sicherheitsmanager (own and of its three
# tasks; the higher level wins) ...
ROLE_EXPECTED = {
    ("Lösen technischer Probleme", "Fortgeschritten 6", "ja"),
    ("Schutz personenbezogener Daten und der Privatsphäre", "Fortgeschritten 6", "ja"),
    ("Schutz von Geräten", "Fortgeschritten 6", "ja"),
    ("Soziale Kompetenzen", "Beherrschungsniveau 2", "ja"),
    ("Netiquette", "Selbstständig 4", "nein"),
    ("Schutz der Gesundheit und des Wohlbefindens", "Selbstständig 4", "nein"),
}
# ... the paths of digcomp-4-2: eight roles, directly, through a task or through the area
# digcomp-4 (required by the CIO) ...
SVG_EXPECTED = {
    "digcomp-4-2", "digcomp-4", "anwender", "cio", "digitalisierungsbeauftragte",
    "fachaufgabentraeger", "finanzwirt", "it-sicherheitsmanager", "prozessmanager",
    "verwaltungsfachangestellte", "sicherheitskonzept-erstellen",
    "verwaltungsleistungen-digitalisieren",
}
# ... and a gap analysis for the Prozessmanager (five essential requirements: digcomp-2-3 @5,
# digcomp-5-3 @6, qd-problemloesungskompetenz @3, digcomp-4-2 @5, digcomp-1-3 @5) holding
# digcomp-4-2 at 5 (met), qd-problemloesungskompetenz at 3 (met) and digcomp-1-3 at 3 (partial):
# coverage 2/5; one format per open gap, the lowest label among those reaching the level. No
# offer reaches digcomp-5-3 @6: the legal forms that used to (Bachelor/Master Professional, DigiTV
# Studiengänge) develop nothing, so that gap stays open.
GAP_QUERY = ("role=prozessmanager&held=digcomp-4-2&level-digcomp-4-2=5"
             "&held=qd-problemloesungskompetenz&level-qd-problemloesungskompetenz=3"
             "&held=digcomp-1-3&level-digcomp-1-3=3")
GAP_COVERAGE = "40 %"
GAP_MISSING = {
    "Gesellschaftliche Teilhabe mithilfe digitaler Technologien",
    "Kreatives Nutzen digitaler Technologien",
    "Verwalten von Daten, Informationen und digitalen Inhalten",
}
GAP_RECOMMENDED = {
    "eGov-Campus: Lernangebote zum Onlinezugangsgesetz",   # digcomp-2-3 @5
    "Ausbildung zur/zum Fachinformatiker/in",              # digcomp-1-3 @5
}


class Tables(HTMLParser):
    """The ``data-table`` tables of a page as lists of rows of cell texts, and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "table" and a.get("data-table"):
            self._table = a["data-table"]
            self.tables[self._table] = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table and not self._in_head:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag == "td" and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._table and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def read_csv(response: object) -> list[list[str]]:
    text = response.text  # type: ignore[attr-defined]
    assert text.startswith("\ufeff"), "the CSV downloads start with a byte order mark (Excel)"
    return list(csv.reader(io.StringIO(text[1:])))


# --- bundled graph ------------------------------------------------------------------------------

def test_home_lists_roles_and_competencies_and_links_the_tools(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="de">' in r.text
    links = tables_of(r.text).links
    for href in ("/roles/prozessmanager", "/roles/it-sicherheitsmanager", "/roles/cio",
                 "/roles/verwaltungsfachangestellte", "/competencies/digcomp-4-2",
                 "/competencies/digcomp-4", "/sparql", "/docs", "/catalog", "/gap"):
        assert href in links
    assert 'action="/search"' in r.text
    # no resource from elsewhere: every stylesheet and script is served by the app
    assert not re.search(r'(src|href)="https?://(?!w3id\.org|doi\.org)', r.text.split("<main")[0])


def test_language_switch(client: TestClient) -> None:
    de = client.get("/roles/prozessmanager")
    en = client.get("/roles/prozessmanager?lang=en")
    assert '<html lang="de">' in de.text and "Aufgaben" in de.text
    assert '<html lang="en">' in en.text and "Tasks" in en.text
    assert en.headers["content-language"] == "en"
    assert 'href="/roles/prozessmanager?lang=en"' in de.text
    assert 'href="/roles/prozessmanager?lang=de"' in en.text
    # links on an English page stay English
    assert "/competencies/" in en.text
    assert all("lang=en" in h for h in tables_of(en.text).links
               if h.startswith(("/competencies/", "/roles/", "/id/"))
               and h != "/roles/prozessmanager?lang=de")  # the switch back to German
    # an unknown language falls back to German
    assert '<html lang="de">' in client.get("/roles/prozessmanager?lang=fr").text


ROLE_TABLES = ("tasks", "requirements", "formats", "legal-bases")


@pytest.mark.parametrize("role", ["prozessmanager", "it-sicherheitsmanager", "cio",
                                  "verwaltungsfachangestellte"])
def test_role_page_tables_match_their_csv(client: TestClient, role: str) -> None:
    r = client.get(f"/roles/{role}")
    assert r.status_code == 200
    page = tables_of(r.text)
    assert set(ROLE_TABLES) <= set(page.tables) | {t for t in ROLE_TABLES
                                                   if f'id="{t}"' in r.text}
    for table in ROLE_TABLES:
        c = client.get(f"/roles/{role}/{table}.csv")
        assert c.status_code == 200
        assert c.headers["content-type"].startswith("text/csv")
        assert c.headers["content-disposition"] == \
            f'attachment; filename="{role}-{table}.csv"'
        rows = read_csv(c)
        assert rows[0], "a header row"
        assert len(rows) - 1 == len(page.tables.get(table, []))
        assert f'href="/roles/{role}/{table}.csv"' in r.text


def test_role_page_shows_requirements_with_levels(client: TestClient) -> None:
    r = client.get("/roles/it-sicherheitsmanager")
    reqs = tables_of(r.text).tables["requirements"]
    assert {(row[0], row[2], row[3]) for row in reqs} == ROLE_EXPECTED
    assert len(reqs) == len(ROLE_EXPECTED)
    assert "/competencies/digcomp-4-2" in r.text


def test_role_csv_has_iri_columns(client: TestClient) -> None:
    rows = read_csv(client.get("/roles/it-sicherheitsmanager/requirements.csv?lang=en"))
    assert rows[0][:2] == ["Competency", "Competency IRI"]
    assert all(row[1].startswith(ID + "competency/") for row in rows[1:])


def test_competency_page_and_svg(client: TestClient) -> None:
    r = client.get("/competencies/digcomp-4-2")
    assert r.status_code == 200
    assert "<svg" in r.text and 'class="paths-diagram"' in r.text
    s = client.get("/competencies/digcomp-4-2/paths.svg")
    assert s.status_code == 200
    assert s.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(s.content)
    assert root.tag == SVG + "svg"
    nodes = {g.get("data-id"): g.get("data-kind") for g in root.iter(SVG + "g")
             if g.get("data-id")}
    assert nodes["digcomp-4-2"] == "competency"
    assert set(nodes) == SVG_EXPECTED
    edges = {(p.get("data-from"), p.get("data-to")) for p in root.iter(SVG + "path")
             if p.get("data-from")}
    assert all(a in nodes and b in nodes for a, b in edges)
    # every node links to its page
    anchors = [a.get("href") for a in root.iter(SVG + "a")]
    assert "/competencies/digcomp-4-2" in anchors
    assert any(h and h.startswith("/roles/") for h in anchors)
    # the table of paths agrees with the diagram
    paths = read_csv(client.get("/competencies/digcomp-4-2/paths.csv"))
    roles_in_csv = {row[1].rsplit("/", 1)[-1] for row in paths[1:]}
    assert roles_in_csv == {n for n, k in nodes.items() if k == "role"}


def test_unknown_ids_give_html_404(client: TestClient) -> None:
    for url in ("/roles/no-such-role", "/competencies/no-such-competency",
                "/roles/digcomp-4-2", "/competencies/prozessmanager"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.headers["content-type"].startswith("text/html")
        assert "404" in r.text
    assert client.get("/roles/no-such-role/tasks.csv").status_code == 404
    assert client.get("/roles/prozessmanager/no-such-table.csv").status_code == 404


def test_parameters_are_escaped(client: TestClient) -> None:
    for url in ("/roles/%3Cscript%3Ealert(1)", "/competencies/%3Cscript%3Ealert(1)",
                "/gap?role=%3Cscript%3Ealert(1)",
                "/gap?role=prozessmanager&held=%3Cscript%3E&level-x=1",
                "/roles/prozessmanager?lang=%3Cscript%3E"):
        r = client.get(url)
        assert "<script>" not in r.text, url
        assert r.headers["content-type"].startswith("text/html")
    bad = client.get("/roles/%3Cscript%3Ealert(1)")
    assert bad.status_code == 422
    assert "&lt;script&gt;" in bad.text


def test_gap_form_and_result(client: TestClient) -> None:
    start = client.get("/gap")
    assert start.status_code == 200
    assert '<select id="role" name="role"' in start.text
    assert 'value="prozessmanager"' in start.text
    form = client.get("/gap?role=it-sicherheitsmanager")
    assert 'id="gap-form"' in form.text and 'name="level-digcomp-4-2"' in form.text
    assert 'id="result"' not in form.text
    query = GAP_QUERY
    r = client.get("/gap?" + query)
    assert r.status_code == 200
    assert f'id="coverage">{GAP_COVERAGE}</strong>' in r.text
    page = tables_of(r.text)
    assert {row[0] for row in page.tables["gaps"]} == GAP_MISSING
    gaps = read_csv(client.get("/gap/gaps.csv?" + query))
    assert len(gaps) - 1 == len(page.tables["gaps"])
    recs = read_csv(client.get("/gap/recommendations.csv?" + query))
    assert {row[0] for row in recs[1:]} == GAP_RECOMMENDED
    # the same as a form post
    posted = client.post("/gap", content=query,
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert f'id="coverage">{GAP_COVERAGE}</strong>' in posted.text


def test_gap_requires_a_level_for_a_ticked_competency(client: TestClient) -> None:
    r = client.get("/gap?role=it-sicherheitsmanager&held=digcomp-4-2")
    assert r.status_code == 422
    assert "level-digcomp-4-2" in r.text
    assert client.get("/gap/gaps.csv").status_code == 422


def test_render_resource_dispatches_by_kind(bundled_ctx: Context) -> None:
    role = render.render_resource(bundled_ctx, ID + "role/prozessmanager", "de")
    assert 'data-table="requirements"' in role
    assert 'href="/id/role/prozessmanager?lang=en"' in role
    # links to /id/ pages name the language (they would follow Accept-Language otherwise)
    assert "/id/task/" in role and all(
        h.endswith("lang=de") for h in tables_of(role).links
        if h.startswith("/id/") and h != "/id/role/prozessmanager?lang=en")
    comp = render.render_resource(bundled_ctx, ID + "competency/digcomp-4-2", "en")
    assert 'class="paths-diagram"' in comp and '<html lang="en">' in comp
    level = render.render_resource(bundled_ctx, ID + "level/digcomp-3", "de")
    assert 'class="props"' in level and "/id/framework/digcomp-2-2" in level


def test_static_files(client: TestClient) -> None:
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
    assert client.get("/static/..%2Fviews.py").status_code == 404
    assert client.get("/static/nothing.css").status_code == 404


# --- a graph with markup in its labels ----------------------------------------------------------

EVIL_TTL = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix id: <{ID}> .
<{ID}framework/f> a qd:CompetencyFramework ; skos:prefLabel "F"@de, "F"@en .
<{ID}level/f-1> a qd:ProficiencyLevel ; qd:rank 1 ; qd:levelOf <{ID}framework/f> ;
  skos:prefLabel "L1"@de, "L1"@en .
<{ID}competency/c> a qd:Competency ; skos:inScheme <{ID}framework/f> ;
  skos:prefLabel "C {EVIL}"@de, "C {EVIL}"@en ;
  skos:definition "D {EVIL}"@de .
<{ID}task/t> a qd:Task ; skos:prefLabel "T \\"&amp; {EVIL}"@de, "T"@en ;
  qd:requires <{ID}requirement/t-c> .
<{ID}requirement/t-c> a qd:CompetencyRequirement ; qd:competency <{ID}competency/c> ;
  qd:level <{ID}level/f-1> ; qd:essential true ; skos:prefLabel "r"@de, "r"@en .
<{ID}role/r> a qd:Role ; skos:prefLabel "R {EVIL}"@de, "R"@en ; qd:performsTask <{ID}task/t> .
"""


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, TestClient]]:
    ctx = open_context(Settings(in_memory=True, load_bundled=False,
                                data_dir=tmp_path_factory.mktemp("evil")))
    graph = NamedNode("https://w3id.org/qualifica/graph/evil")
    ctx.store.add([Quad(t.subject, t.predicate, t.object, graph)
                   for t in parse(EVIL_TTL, format=RdfFormat.TURTLE)])
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield ctx, c
    ctx.close()


def test_labels_with_markup_are_escaped(evil: tuple[Context, TestClient]) -> None:
    ctx, c = evil
    for url in ("/", "/roles/r", "/competencies/c", "/gap?role=r&held=c&level-c=1"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert EVIL not in r.text, url
        assert "&lt;script&gt;" in r.text, url
    html = render.render_resource(ctx, ID + "task/t", "de")
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    s = c.get("/competencies/c/paths.svg")
    root = ET.fromstring(s.content)  # well-formed despite the markup
    titles = [t.text for t in root.iter(SVG + "title")]
    assert f"R {EVIL}" in titles and f'T "&amp; {EVIL}' in titles
    assert b"<script>" not in s.content
    rows = read_csv(c.get("/roles/r/tasks.csv"))
    assert rows[1][0] == f'T "&amp; {EVIL}'


def test_svg_layout_is_layered_left_to_right() -> None:
    def ref(kind: str, slug: str, label: str) -> views.Ref:
        return views.Ref(ID + f"{kind}/{slug}", slug, kind, label, f"/{kind}/{slug}")

    c, b = ref("competency", "c", "C & co"), ref("competency", "b", "Broader")
    t, r1, r2 = ref("task", "t", "Task"), ref("role", "r1", "Role 1"), ref("role", "r2", "R2")
    paths = [views.CompetencyPath([c], t, r1, None, 1, True),
             views.CompetencyPath([c, b], None, r2, None, 2, False)]
    root = ET.fromstring(svg.paths_svg(paths, title="T <x>"))
    x = {g.get("data-id"): float(next(g.iter(SVG + "rect")).get("x") or 0)
         for g in root.iter(SVG + "g") if g.get("data-id")}
    assert x["c"] < x["b"] < x["t"] < x["r1"] == x["r2"]
    edges = {(p.get("data-from"), p.get("data-to"), p.get("class"))
             for p in root.iter(SVG + "path") if p.get("data-from")}
    assert edges == {("c", "b", "edge broader"), ("c", "t", "edge requires"),
                     ("t", "r1", "edge performs"), ("b", "r2", "edge requires")}
    assert next(root.iter(SVG + "title")).text == "T <x>"
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "C & co" in texts
    assert svg.paths_svg([], title="empty").startswith("<svg")
