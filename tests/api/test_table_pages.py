"""Long tables in pages of rows (``web.paging``), through the real app over the bundled graph.

The bundled graph's longest tables have 15-19 rows, so the app here shows five rows a page
(``Settings.page_rows``): the Verwaltungsfachangestellte has 15 formats and 18 legal bases,
digcomp-5-1 has 19 paths to roles.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.validation.gate import ensure_bundled
from qualifica_testing import app_client

ROWS = 5
ROLE = "/roles/verwaltungsfachangestellte"
COMPETENCY = "/competencies/digcomp-5-1"


@pytest.fixture(scope="module")
def paged_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    ctx = open_context(Settings(in_memory=True, load_bundled=True, page_rows=ROWS,
                                data_dir=tmp_path_factory.mktemp("paged")))
    ensure_bundled(ctx)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def paged(paged_ctx: Context) -> Iterator[TestClient]:
    with app_client(paged_ctx) as c:
        yield c


class Page(HTMLParser):
    """The ``data-table`` tables (header and rows of cell texts) and the pagers of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.heads: dict[str, list[str]] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.pagers: dict[str, dict[str, object]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._head = False
        self._nav: dict[str, object] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self._table = a["data-table"]
            self.heads[self._table], self.rows[self._table] = [], []
        elif tag == "thead":
            self._head = True
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "nav" and "pager" in (a.get("class") or ""):
            self._nav = {"label": a.get("aria-label"), "links": [], "current": None,
                         "rows": ""}
            self.pagers[a.get("aria-label") or ""] = self._nav
        elif self._nav is not None and tag == "a":
            self._nav["links"].append((a.get("rel"), a.get("href")))  # type: ignore[attr-defined]
        elif self._nav is not None and tag == "span" and a.get("aria-current"):
            self._nav["current"] = a["aria-current"]
        elif self._nav is not None and tag == "p":
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._table and self._row is not None:
            if self._head:
                self.heads[self._table] = self._row
            else:
                self.rows[self._table].append(self._row)
            self._row = None
        elif tag == "thead":
            self._head = False
        elif tag == "table":
            self._table = None
        elif tag == "p" and self._nav is not None and self._text is not None:
            self._nav["rows"] = " ".join("".join(self._text).split())
            self._text = None
        elif tag == "nav":
            self._nav = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._text is not None:
            self._text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def csv_rows(client: TestClient, url: str, shown: list[str]) -> list[list[str]]:
    """The rows of a CSV download in the columns a page shows (by their header)."""
    r = client.get(url)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text[1:])))
    index = [rows[0].index(name) for name in shown]
    return [[row[i] for i in index] for row in rows[1:]]


def all_pages(client: TestClient, url: str, table: str, query: str = "") -> list[list[str]]:
    """The rows of ``table`` on every page of ``url``, page after page, each page checked to
    show at most ``ROWS`` rows and the pager to say which."""
    first = parse(client.get(url + query).text)
    out: list[list[str]] = []
    number = 1
    while True:
        sep = "&" if query else "?"
        r = client.get(f"{url}{query}{sep}page-{table}={number}")
        if r.status_code == 404:
            break
        assert r.status_code == 200, r.text
        rows = parse(r.text).rows[table]
        # the legal bases are paged by legal basis (one may take a row per provenance)
        assert 0 < len({row[0] for row in rows} if table == "legal-bases" else rows) <= ROWS
        out.extend(rows)
        number += 1
    assert out[:len(first.rows[table])] == first.rows[table], "page 1 is the unnumbered one"
    return out


# --- paging -------------------------------------------------------------------------------------

def test_page_two_shows_the_rows_after_page_one(paged: TestClient) -> None:
    one = parse(paged.get(ROLE).text)
    two = parse(paged.get(f"{ROLE}?page-formats=2").text)
    assert len(one.rows["formats"]) == ROWS and len(two.rows["formats"]) == ROWS
    everything = csv_rows(paged, f"{ROLE}/formats.csv", one.heads["formats"])
    assert len(everything) == 15
    assert one.rows["formats"] == everything[:ROWS]
    assert two.rows["formats"] == everything[ROWS:2 * ROWS]
    # the other tables stay on their first page, the header counts every row
    assert two.rows["legal-bases"] == one.rows["legal-bases"]
    assert re.search(r"Qualifizierungsformate <span class=\"count\">\(15\)</span>",
                     paged.get(ROLE).text)


@pytest.mark.parametrize(("url", "table"), [
    (ROLE, "formats"), (ROLE, "legal-bases"), (ROLE, "requirements"), (ROLE, "tasks"),
    (COMPETENCY, "paths"), (COMPETENCY, "formats")])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_rows_of_all_pages_are_the_csv_rows(paged: TestClient, url: str, table: str,
                                                lang: str) -> None:
    query = "?lang=en" if lang == "en" else ""
    head = parse(paged.get(url + query).text).heads[table]
    rows = all_pages(paged, url, table, query)
    assert rows == csv_rows(paged, f"{url}/{table}.csv{query}", head)


def test_the_pager_names_its_table_and_keeps_language_and_other_pages(paged: TestClient
                                                                      ) -> None:
    r = paged.get(f"{ROLE}?lang=en&page-formats=2&page-legal-bases=3")
    assert r.status_code == 200
    pagers = parse(r.text).pagers
    formats = pagers["Pages of the table “Training formats”"]
    assert formats["rows"] == "Rows 6–10 of 15"
    assert formats["current"] == "page"
    links = dict(formats["links"])  # type: ignore[call-overload]
    assert links["prev"] == f"{ROLE}?page-legal-bases=3&lang=en"
    assert links["next"] == f"{ROLE}?page-legal-bases=3&page-formats=3&lang=en"
    legal = pagers["Pages of the table “Legal bases”"]
    assert legal["rows"] == "Legal bases 11–15 of 15"
    for _, href in legal["links"]:  # type: ignore[attr-defined]
        assert "lang=en" in href and "page-formats=2" in href
    # the German page: German words, no language parameter needed outside /id/
    de = parse(paged.get(f"{ROLE}?page-formats=2").text).pagers
    assert de["Seiten der Tabelle „Qualifizierungsformate“"]["rows"] == "Zeilen 6–10 von 15"
    # the language switch keeps the pages
    assert f'href="{ROLE}?page-formats=2&amp;page-legal-bases=3&amp;lang=de"' in r.text
    # a table on one page has no pager
    assert not any("Tasks" in label for label in pagers)


def test_the_pager_of_an_id_page_names_the_german_language(paged: TestClient) -> None:
    """A page under /id/ follows Accept-Language unless ``lang`` is given: its pager links
    name German too."""
    r = paged.get("/id/role/verwaltungsfachangestellte?page-formats=2",
                  headers={"Accept": "text/html", "Accept-Language": "de"})
    assert r.status_code == 200
    pager = parse(r.text).pagers["Seiten der Tabelle „Qualifizierungsformate“"]
    hrefs = [href for _, href in pager["links"]]  # type: ignore[attr-defined]
    assert hrefs and all(h.startswith("/id/role/verwaltungsfachangestellte?")
                         and h.endswith("lang=de") for h in hrefs)


def test_the_kept_pages_of_id_are_kept_per_table_page(paged: TestClient) -> None:
    url = "/id/role/verwaltungsfachangestellte"
    accept = {"Accept": "text/html"}
    one = paged.get(url, headers=accept).text
    two = paged.get(f"{url}?page-formats=2", headers=accept).text
    assert parse(one).rows["formats"] != parse(two).rows["formats"]
    assert paged.get(url, headers=accept).text == one
    assert paged.get(f"{url}?page-formats=2", headers=accept).text == two
    # page 1 asked for by number is the page without the parameter
    assert parse(paged.get(f"{url}?page-formats=1", headers=accept).text).rows == \
        parse(one).rows


def test_the_competency_diagram_draws_the_paths_shown(paged: TestClient) -> None:
    r = paged.get(f"{COMPETENCY}?page-paths=2")
    page = parse(r.text)
    shown = page.rows["paths"]
    assert len(shown) == ROWS
    svg = r.text.split('<svg', 1)[1].split("</svg>", 1)[0]
    roles = set(re.findall(r'data-id="([^"]+)" data-kind="role"', svg))
    role_links = {re.search(r"/roles/([^?\"]+)", cell).group(1)  # type: ignore[union-attr]
                  for cell in re.findall(r'<tr><td><a href="([^"]+)"', r.text.split(
                      'data-table="paths"', 1)[1].split("</table>", 1)[0])}
    assert roles == role_links
    assert "Das Diagramm und die Liste darunter zeigen die Pfade 6–10 von 19" in r.text
    # the list beside the diagram holds the paths shown
    tree = r.text.split('class="path-tree"', 1)[1].split('<section class="table-block"')[0]
    assert tree.count("<li>") - len(roles) == ROWS
    # the SVG download draws all of them
    full = paged.get(f"{COMPETENCY}/paths.svg").text
    assert len(set(re.findall(r'data-id="([^"]+)" data-kind="role"', full))) > len(roles)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "2.5", "", "1e3", "9999999"])
def test_a_bad_page_number_is_a_400_page(paged: TestClient, value: str) -> None:
    for url in (ROLE, COMPETENCY, "/id/role/verwaltungsfachangestellte",
                "/training-formats/berufliche-fortbildung"):
        table = "outcomes" if "training" in url else "formats"
        r = paged.get(f"{url}?page-{table}={value}&lang=en", headers={"Accept": "text/html"})
        assert r.status_code == 400, (url, value)
        assert r.headers["content-type"].startswith("text/html")
        assert f"page-{table}" in r.text and "page number from 1" in r.text


def test_a_page_parameter_given_twice_is_a_400_page(paged: TestClient) -> None:
    r = paged.get(f"{ROLE}?page-formats=2&page-formats=3")
    assert r.status_code == 400
    assert "mehrfach" in r.text


def test_a_page_past_the_last_is_a_404_page(paged: TestClient) -> None:
    r = paged.get(f"{ROLE}?page-formats=4&lang=en")
    assert r.status_code == 404
    assert "fills 3 page(s); there is no page 4" in r.text
    r = paged.get("/id/competency/digcomp-5-1?page-paths=5", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "hat 4 Seite(n); eine Seite 5 gibt es nicht" in r.text


def test_page_parameters_of_other_tables_and_formats_are_ignored(paged: TestClient) -> None:
    assert paged.get(f"{ROLE}?page-nothing=abc").status_code == 200
    r = paged.get("/id/role/verwaltungsfachangestellte?page-formats=abc",
                  headers={"Accept": "text/turtle"})
    assert r.status_code == 200  # the RDF forms have no table pages


def test_downloads_keep_every_row(paged: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(
        paged.get(f"{COMPETENCY}/paths.csv?page-paths=2").text[1:])))
    assert len(rows) - 1 == 19
    xlsx = paged.get(f"{ROLE}/legal-bases.xlsx")
    assert xlsx.status_code == 200


def test_the_generic_page_pages_the_links_to_a_resource(paged: TestClient) -> None:
    url = "/id/level/digcomp-3"
    one = parse(paged.get(url, headers={"Accept": "text/html"}).text)
    total = len(one.rows["incoming"])
    assert total == ROWS
    label = "Seiten der Tabelle „Verweise auf diese Ressource“"
    rows = all_pages(paged, url, "incoming", "?lang=de")
    assert len(rows) > ROWS
    assert one.pagers[label]["rows"].startswith(f"Zeilen 1–{ROWS} von {len(rows)}")


def test_the_offer_page_pages_its_outcomes(paged_ctx: Context, paged: TestClient,
                                           tmp_path: Path) -> None:
    from qualifica.linkeddata.catalogue import catalogue_for
    from qualifica.namespaces import QD_DEVELOPS

    cat = catalogue_for(paged_ctx)
    fmt = max(cat.by_kind["training-format"], key=lambda f: len(cat.targets(f, QD_DEVELOPS)))
    slug = fmt.rsplit("/", 1)[1]
    n = len(parse(paged.get(f"/training-formats/{slug}").text).rows["outcomes"])
    assert n == min(ROWS, len(cat.targets(fmt, QD_DEVELOPS)))
    if len(cat.targets(fmt, QD_DEVELOPS)) > ROWS:
        rows = all_pages(paged, f"/training-formats/{slug}", "outcomes")
        assert len(rows) == len(cat.targets(fmt, QD_DEVELOPS))


def test_the_legal_bases_from_the_catalogue_are_those_of_the_query(paged_ctx: Context) -> None:
    """The role page reads the legal bases of its role, tasks and formats from the catalogue;
    they are the rows of the library query ``page-legal-bases`` for every resource."""
    from qualifica.linkeddata.catalogue import catalogue_for
    from qualifica.sparql.terms import iri_of
    from qualifica.web.formats import legal_bases_for
    from qualifica.web.queries import Labeller, select_rows

    cat = catalogue_for(paged_ctx)
    subjects = sorted(i for k in ("role", "task", "training-format")
                      for i in cat.by_kind.get(k, ()))
    rows = select_rows(paged_ctx, "page-legal-bases", {"subject": subjects})
    queried: dict[tuple[str, str], set[str | None]] = {}
    for row in rows:
        s, legal = iri_of(row.get("subject")), iri_of(row.get("legal"))
        assert s and legal
        queried.setdefault((s, legal), set()).add(iri_of(row.get("act")))
    found = legal_bases_for(paged_ctx, subjects, Labeller(paged_ctx, "de"))
    assert len(found) > 50
    assert {(r.subject.iri, r.legal.iri) for r in found} == set(queried)
    for r in found:
        assert (r.act.iri if r.act else None) in queried[(r.subject.iri, r.legal.iri)]


def test_the_format_pairs_from_the_catalogue_are_those_of_the_query(paged_ctx: Context
                                                                     ) -> None:
    """The role page pages its formats by the (format, competency) pairs of the catalogue and
    reads the outcomes of the rows shown: the pairs and their order are those of
    ``formats_for`` (the library query ``page-formats``)."""
    from qualifica.linkeddata.catalogue import catalogue_for
    from qualifica.web.formats import format_pairs, formats_for
    from qualifica.web.queries import Labeller

    cat = catalogue_for(paged_ctx)
    comps = sorted(cat.by_kind["competency"])
    for chosen in (comps, comps[::3], comps[:7]):
        labeller = Labeller(paged_ctx, "de")
        rows = formats_for(paged_ctx, chosen, labeller)
        assert len(rows) > (10 if chosen is comps else 0)
        assert format_pairs(paged_ctx, chosen, labeller) == [
            (r.format.iri, r.competency.iri) for r in rows]


def test_the_openapi_of_every_paged_page_declares_its_table_parameters(
        paged: TestClient) -> None:
    """A generated client can send every ``page-{table}`` a page reads, and knows its 400."""
    from qualifica.web.render import PAGED_TABLES, RESOURCE_TABLES

    paths = paged.get("/openapi.json").json()["paths"]
    expected = {"/roles/{id}": PAGED_TABLES["role"],
                "/competencies/{id}": PAGED_TABLES["competency"],
                "/id/{kind}/{slug}": {t for tables in PAGED_TABLES.values() for t in tables}
                | set(RESOURCE_TABLES)}
    for path, tables in expected.items():
        op = paths[path]["get"]
        declared = {p["name"]: p for p in op["parameters"] if p["name"].startswith("page-")}
        assert set(declared) == {f"page-{t}" for t in tables}, path
        for p in declared.values():
            assert p["in"] == "query" and not p["required"]
            assert p["schema"]["type"] == "integer" and p["schema"]["minimum"] == 1
        assert "400" in op["responses"], path
    # each declared parameter of /id/ is read on the page of its kind
    for kind, slug, table in (("role", "verwaltungsfachangestellte", "legal-bases"),
                              ("competency", "digcomp-5-1", "paths"),
                              ("framework", "digcomp", "incoming")):
        r = paged.get(f"/id/{kind}/{slug}?page-{table}=999", headers={"Accept": "text/html"})
        assert r.status_code == 404, (kind, r.status_code)
