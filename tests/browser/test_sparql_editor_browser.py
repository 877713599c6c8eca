"""The query editor at ``/sparql`` in headless Chromium (Debian ``chromium``) against a real
server: permalink, Ctrl+Enter, paging, sorting, downloads, local links, prefix completion,
examples with parameter fields, syntax errors with line and column, both languages, 320 px, and
axe-core — every test under the strict Content-Security-Policy with no violation reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page

from qualifica.api.security import STRICT_POLICY

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""

ROLES = """PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?role ?label WHERE {
  ?role a qd:Role ; skos:prefLabel ?label .
  FILTER(lang(?label) = "de")
}
ORDER BY ?label"""

SIXTY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 60"

NUMBERS = ('SELECT ?n ?word WHERE { VALUES (?n ?word) '
           '{ (10 "zehn") (2 "zwei") (33 "dreiunddreißig") } }')

CIO = ("PREFIX role: <https://w3id.org/qualifica/id/role/>\n"
       "SELECT ?role WHERE { BIND(role:cio AS ?role) }")

HOSTILE = ('SELECT ?bad ?good WHERE { BIND(IRI("javascript:alert(document.domain)") AS ?bad) '
           "BIND(<https://example.org/a> AS ?good) }")


class Watched:
    """A page with its console errors and CSP violations collected."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(str(exc)))

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.problems.append(msg.text)

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"] == STRICT_POLICY
        self.page.wait_for_selector(".cm-editor .cm-content")

    def editor_text(self) -> str:
        text = self.page.eval_on_selector_all(
            ".cm-line", "lines => lines.map(l => l.textContent).join('\\n')")
        assert isinstance(text, str)
        return text

    def type_query(self, text: str) -> None:
        """Replace the editor's text by typing (as a person would, so completion may open)."""
        self.page.click(".cm-content")
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)

    def run(self) -> None:
        self.page.click("#run")
        self.wait_done()

    def wait_done(self) -> None:
        self.page.wait_for_selector("#status[data-state=done], #status[data-state=error]")

    def rows(self) -> list[list[str]]:
        found = self.page.eval_on_selector_all(
            "#result-table tbody tr",
            "trs => trs.map(tr => Array.from(tr.cells, td => td.textContent))")
        assert isinstance(found, list)
        return found

    def assert_clean(self, refused: int | None = None) -> None:
        """No CSP violation and no console error (but the browser's note of a request the
        test expects to be refused with status ``refused``)."""
        violations = self.page.evaluate("window.__csp")
        assert violations == [], violations
        expected = f"the server responded with a status of {refused} "
        problems = [p for p in self.problems if refused is None or expected not in p]
        assert problems == [], problems


@pytest.fixture
def watched(browser: Browser, live_server: Any, tmp_path: Path) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE",
                                  accept_downloads=True)
    context.add_init_script(WATCH_CSP)
    w = Watched(context.new_page(), live_server.url)
    yield w
    context.close()


def accept_completion(page: Page) -> None:
    """Take the selected completion with Enter. CodeMirror ignores Enter for 75 ms after the
    list opens (its ``interactionDelay``, against accidental picks), so the test waits that out."""
    page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected=true]")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")


def permalink(query: str, **extra: str) -> str:
    return "/sparql?" + urlencode({"query": query, **extra})


def test_permalink_shows_the_query_and_its_results(watched: Watched) -> None:
    watched.open(permalink(ROLES))
    watched.wait_done()
    assert watched.editor_text() == ROLES
    assert watched.page.locator("h1").inner_text() == "SPARQL-Abfrage"
    rows = watched.rows()
    assert len(rows) == 25  # the first page
    count = watched.page.locator("#status").inner_text().split(" ")[0]
    assert int(count) > 25
    assert watched.page.locator("#page-info").inner_text() == f"Zeilen 1–25 von {count}"
    # the names of the roles' IRIs are prefixed with the server's prefixes
    assert all(r[0].startswith("role:") for r in rows)
    # the permalink on the page is the page's own address
    href = watched.page.get_attribute("#permalink", "href")
    assert href is not None and parse_qs(urlparse(href).query)["query"] == [ROLES]
    watched.assert_clean()


def test_ctrl_enter_runs_the_query_and_updates_the_address(watched: Watched) -> None:
    watched.open("/sparql")
    assert watched.page.locator("#results").is_hidden()
    watched.type_query(NUMBERS)
    watched.page.keyboard.press("Control+Enter")
    watched.wait_done()
    assert len(watched.rows()) == 3
    # Ctrl+Enter ran the query instead of inserting a line
    assert watched.editor_text() == NUMBERS
    assert parse_qs(urlparse(watched.page.url).query)["query"] == [NUMBERS]
    # Tab leaves the editor for the next control (no keyboard trap)
    watched.page.click(".cm-content")
    watched.page.keyboard.press("Tab")
    assert watched.page.evaluate("document.activeElement.id") == "run"
    watched.assert_clean()


def test_results_are_paged(watched: Watched) -> None:
    watched.open(permalink(SIXTY))
    watched.wait_done()
    page = watched.page
    first = watched.rows()
    assert len(first) == 25
    assert page.locator("#page-info").inner_text() == "Zeilen 1–25 von 60"
    assert page.locator("#page-prev").is_disabled()
    page.click("#page-next")
    assert page.locator("#page-info").inner_text() == "Zeilen 26–50 von 60"
    second = watched.rows()
    assert len(second) == 25 and second[0] != first[0]
    page.click("#page-next")
    assert len(watched.rows()) == 10
    assert page.locator("#page-next").is_disabled()
    page.select_option("#page-size", "100")
    assert len(watched.rows()) == 60
    assert page.locator("#page-info").inner_text() == "Zeilen 1–60 von 60"
    watched.assert_clean()


def test_columns_sort_numbers_as_numbers_both_ways(watched: Watched) -> None:
    watched.open(permalink(NUMBERS))
    watched.wait_done()
    page = watched.page
    header = page.locator("th[data-var='n']")
    assert header.get_attribute("aria-sort") == "none"
    header.locator("button").click()
    assert [r[0] for r in watched.rows()] == ["2 ^^xsd:integer", "10 ^^xsd:integer",
                                              "33 ^^xsd:integer"]
    assert page.locator("th[data-var='n']").get_attribute("aria-sort") == "ascending"
    page.locator("th[data-var='n'] button").click()
    assert [r[0].split(" ")[0] for r in watched.rows()] == ["33", "10", "2"]
    assert page.locator("th[data-var='n']").get_attribute("aria-sort") == "descending"
    page.locator("th[data-var='word'] button").click()
    assert [r[1].split(" ^^")[0] for r in watched.rows()] == ["dreiunddreißig", "zehn", "zwei"]
    watched.assert_clean()


def test_csv_download_holds_the_results(watched: Watched, tmp_path: Path) -> None:
    watched.open(permalink(NUMBERS))
    watched.wait_done()
    formats = watched.page.eval_on_selector_all("#downloads a",
                                                "links => links.map(a => a.dataset.format)")
    assert formats == ["csv", "tsv", "json"]
    with watched.page.expect_download() as info:
        watched.page.click("#downloads a[data-format='csv']")
    download = info.value
    assert download.suggested_filename == "query-results.csv"
    target = tmp_path / "results.csv"
    download.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "n,word"
    assert sorted(lines[1:]) == ["10,zehn", "2,zwei", "33,dreiunddreißig"]
    watched.assert_clean()


def test_graph_results_offer_turtle_and_show_triples(watched: Watched, tmp_path: Path) -> None:
    query = ("PREFIX role: <https://w3id.org/qualifica/id/role/>\n"
             "CONSTRUCT { role:cio ?p ?o } WHERE { role:cio ?p ?o }")
    watched.open(permalink(query))
    watched.wait_done()
    assert watched.page.locator("#status").inner_text().endswith("ms")
    assert "Tripel" in watched.page.locator("#status").inner_text()
    rows = watched.rows()
    assert rows and all(r[0] == "role:cio" for r in rows)
    assert any(r[1] == "skos:prefLabel" and r[2] == "CIO @de" for r in rows)
    with watched.page.expect_download() as info:
        watched.page.click("#downloads a[data-format='ttl']")
    target = tmp_path / "results.ttl"
    info.value.save_as(target)
    turtle = target.read_text(encoding="utf-8")
    assert "@prefix role: <https://w3id.org/qualifica/id/role/>" in turtle
    assert "role:cio" in turtle
    watched.assert_clean()


def test_a_result_iri_leads_to_the_local_resource_page(watched: Watched) -> None:
    watched.open(permalink(CIO))
    watched.wait_done()
    link = watched.page.locator("#result-table tbody a").first
    assert link.inner_text() == "role:cio"
    assert link.get_attribute("title") == "https://w3id.org/qualifica/id/role/cio"
    link.click()
    watched.page.wait_for_load_state("load")
    assert urlparse(watched.page.url).path == "/id/role/cio"
    assert watched.page.locator("h1").first.inner_text().startswith("CIO")
    watched.assert_clean()


def test_unsafe_result_iris_are_text_and_others_links(watched: Watched) -> None:
    watched.open(permalink(HOSTILE))
    watched.wait_done()
    cells = watched.page.locator("#result-table tbody td")
    assert cells.nth(0).inner_text() == "javascript:alert(document.domain)"
    assert cells.nth(0).locator("a").count() == 0
    assert cells.nth(1).locator("a").get_attribute("href") == "https://example.org/a"
    watched.assert_clean()


def test_a_syntax_error_names_line_and_column(watched: Watched) -> None:
    watched.open("/sparql")
    watched.type_query("SELECT ?s WHERE {\n  ?s ?p \n}")
    watched.run()
    status = watched.page.locator("#status")
    assert status.get_attribute("class") == "error"
    assert status.inner_text() == "Syntaxfehler in Zeile 3, Spalte 1: expected OPTIONAL"
    assert len(status.inner_text()) < 160
    # the place is marked in the editor
    watched.page.wait_for_selector(".cm-lintRange-error")
    # an undeclared prefix is said plainly
    watched.type_query("SELECT ?s WHERE {\n  ?s a foo:Bar\n}")
    watched.run()
    assert status.inner_text() == ("Syntaxfehler in Zeile 2, Spalte 8: "
                                   "Präfix foo: ist nicht deklariert")
    assert watched.page.locator("#results").is_hidden()
    watched.assert_clean(refused=400)


def test_prefixes_complete_from_the_servers_list(watched: Watched) -> None:
    page = watched.page
    watched.open("/sparql")
    watched.type_query("PREFIX ")
    page.keyboard.type("sko")
    accept_completion(page)
    assert watched.editor_text() == "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    # a prefixed name in the body: its PREFIX line is added at the top
    page.keyboard.insert_text("\nSELECT * WHERE { ?r a ")
    page.keyboard.type("q")
    page.wait_for_selector(".cm-tooltip-autocomplete")
    options = page.locator(".cm-completionLabel").all_inner_texts()
    assert "qd:" in options
    page.locator(".cm-completionLabel", has_text="qd:").first.click()
    # after the prefix: the ontology's terms, with their kind and label
    page.keyboard.type("Ro")
    page.wait_for_selector(".cm-tooltip-autocomplete .cm-completionLabel")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="Role").first
    assert "Rolle" in option.inner_text()  # the German label, from the server
    accept_completion(page)
    page.keyboard.insert_text(" }")
    assert watched.editor_text().splitlines() == [
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
        "PREFIX qd: <https://w3id.org/qualifica/ontology#>",
        "SELECT * WHERE { ?r a qd:Role }",
    ]
    page.keyboard.press("Control+Enter")
    watched.wait_done()
    assert len(watched.rows()) >= 10
    # nothing is offered inside a comment
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# qd:Ro")
    page.wait_for_timeout(300)
    assert page.locator(".cm-tooltip-autocomplete").count() == 0
    watched.assert_clean()


def test_a_named_query_with_its_parameters_as_fields(watched: Watched) -> None:
    page = watched.page
    watched.open("/sparql")
    page.click("details.examples > summary")
    example = page.locator("details.example", has=page.locator("code", has_text="role-tasks"))
    example.locator("summary").click()
    field = example.locator("input[name='role']")
    assert field.get_attribute("value") == "it-sicherheitsmanager"  # the example value
    assert example.locator("select[name='lang']").input_value() == "de"
    field.fill("cio")
    example.locator("button[type=submit]").click()
    watched.wait_done()
    text = watched.editor_text()
    assert "<https://w3id.org/qualifica/id/role/cio>" in text
    assert "#+" not in text
    rows = watched.rows()
    assert rows and all(r[0] == "role:cio" for r in rows)
    # a value that does not fit its parameter is refused with the reason
    field.fill("not an iri")
    example.locator("button[type=submit]").click()
    page.wait_for_selector("#status[data-state=error]")
    assert page.locator("#status").inner_text().startswith("Fehler 422")
    assert "role/cio" in watched.editor_text()  # the editor is untouched
    watched.assert_clean(refused=422)


def test_english_page(watched: Watched) -> None:
    watched.open(permalink(CIO, lang="en"))
    watched.wait_done()
    page = watched.page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "SPARQL query"
    assert page.locator("#run").inner_text() == "Run query"
    assert page.locator("#status").inner_text().startswith("1 result(s)")
    href = page.locator("#result-table tbody a").first.get_attribute("href")
    assert href == "/id/role/cio?lang=en"
    # the language switch keeps the query
    switch = page.get_attribute("#lang-de", "href")
    assert switch is not None and parse_qs(urlparse(switch).query)["query"] == [CIO]
    watched.assert_clean()


def test_no_horizontal_scroll_at_320_px(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="de-DE")
    context.add_init_script(WATCH_CSP)
    w = Watched(context.new_page(), live_server.url)
    try:
        w.open(permalink(SIXTY))
        w.wait_done()
        w.page.click("details.examples > summary")
        w.page.locator("details.example summary").first.click()
        width = w.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320
        w.assert_clean()
    finally:
        context.close()


@pytest.mark.parametrize("path", [permalink(SIXTY), permalink(CIO, lang="en"), "/sparql"])
def test_axe_finds_no_wcag_a_or_aa_violation(watched: Watched, path: str) -> None:
    watched.open(path)
    if "query" in path:
        watched.wait_done()
    watched.page.click("details.examples > summary")
    watched.page.locator("details.example summary").first.click()
    results = Axe().run(watched.page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    found = [(v["id"], [n["target"] for n in v["nodes"]][:3])
             for v in results.response["violations"]]
    assert found == []
    assert results.response["passes"]  # axe ran its rules
    watched.assert_clean()
