"""Accessibility of every page type (BITV 2.0 / WCAG 2.1 AA) in headless Chromium over a real
server: axe-core (the copy shipped in ``axe-playwright-python``, injected into the page; no CDN)
with the WCAG 2.0 and 2.1 A and AA rules finds no violation at 1280 px and at 320 px CSS width,
and at 320 px the document is no wider than the viewport (reflow, WCAG 1.4.10). A keyboard-only
walk goes from the start page's search to a role, its gap analysis and the result.

``PAGES`` lists one page of every type; a new page type adds its line there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

#: (name, path, status): one page of every type, German and English.
PAGES: list[tuple[str, str, int]] = [
    ("start", "/", 200),
    ("start-en", "/?lang=en", 200),
    ("role", "/roles/prozessmanager", 200),
    ("role-en", "/roles/it-sicherheitsmanager?lang=en", 200),
    ("role-changed-since", "/roles/prozessmanager?changed_since=2019-12-31", 200),
    ("offer-changed-since-en",
     "/training-formats/berufliche-fortbildung?changed_since=2019-12-31&lang=en", 200),
    ("competency", "/competencies/digcomp-4-2", 200),
    ("competency-en", "/competencies/digcomp-4-2?lang=en", 200),
    ("role-sourced-links", "/roles/verwaltungsfachangestellte", 200),
    ("role-sourced-group-en", "/roles/anwender?lang=en", 200),
    ("competency-area", "/competencies/digcomp-4", 200),
    ("task", "/id/task/prozesse-erheben", 200),
    ("training-format", "/id/training-format/egov-campus-prozessmanagement", 200),
    ("legal-basis", "/id/legal-basis/bbig", 200),
    ("legal-basis-en", "/id/legal-basis/digitv-bund-4?lang=en", 200),
    ("legal-basis-versions", "/id/legal-basis/bbg-61", 200),
    ("legal-basis-versions-en", "/id/legal-basis/ozg-1a?lang=en", 200),
    ("legal-changes", "/legal-changes", 200),
    ("legal-changes-en", "/legal-changes?lang=en&act=ozg&from=2020-01-01&to=2025-12-31", 200),
    ("level", "/id/level/digcomp-3", 200),
    ("gap-start", "/gap", 200),
    ("gap-form", "/gap?role=prozessmanager", 200),
    ("gap-result", "/gap?role=prozessmanager&level-digcomp-4-2=5&level-digcomp-1-3=3", 200),
    ("gap-result-en", "/gap?role=cio&level-digcomp-4=4&lang=en", 200),
    ("search", "/search?q=daten", 200),
    ("search-typo-en", "/search?q=Prozesmanager&lang=en", 200),
    ("search-page-2", "/search?q=digital&page=2", 200),
    ("match", "/match", 200),
    ("match-result", "/match?held=digcomp-4-2&level-digcomp-4-2=5&level-digcomp-1-3=3", 200),
    ("match-error", "/match?held=digcomp-4-2", 422),
    ("training-formats", "/training-formats?kind=fortbildung", 200),
    ("offer", "/training-formats/egov-campus-prozessmanagement", 200),
    ("legal-bases", "/legal-bases", 200),
    ("competency-tree", "/competencies", 200),
    ("roles-by-group", "/roles", 200),
    ("sparql", "/sparql", 200),
    ("catalogue", "/catalog", 200),
    ("downloads", "/downloads/", 200),
    ("downloads-en", "/downloads/?lang=en", 200),
    ("ontology", "/ontology", 200),
    ("error-404", "/roles/xyz-123", 404),
    ("error-404-en", "/roles/xyz-123?lang=en", 404),
]
WIDTHS = (1280, 320)
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
FIGURES = Path("/tmp/qualifica-pages/axe-figures.json")

#: The rules run, checked and broken per page and width (written to FIGURES for the release
#: notes); filled by the tests.
_figures: dict[str, dict[str, int]] = {}


@pytest.fixture(scope="module")
def axe() -> Iterator[Axe]:
    yield Axe()
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(dict(sorted(_figures.items())), indent=1), encoding="utf-8")


def _open(browser: Browser, width: int) -> tuple[Any, Page]:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="de-DE",
                                  accept_downloads=False)
    return context, context.new_page()


def _describe(violations: list[dict[str, Any]]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}" for v in violations]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "path", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_violation(browser: Browser, live_server: Any, axe: Axe, name: str,
                                path: str, status: int, width: int) -> None:
    context, page = _open(browser, width)
    try:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == status, path
        assert page.locator("html").get_attribute("lang") in ("de", "en")
        results = axe.run(page, options=AXE_OPTIONS).response
        violations = results["violations"]
        _figures[f"{name}@{width}"] = {
            "violations": len(violations),
            "rules_passed": len(results.get("passes", [])),
            "rules_inapplicable": len(results.get("inapplicable", [])),
        }
        assert violations == [], _describe(violations)
        if width == 320:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            assert scroll <= inner, f"{path}: {scroll} px wide at a {inner} px viewport"
    finally:
        context.close()


def _tab_to(page: Page, test: str, limit: int = 120) -> None:
    """Press Tab until ``test`` (a JavaScript expression over ``el``, the focused element) is
    true; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({test}); }})()"):
            return
    raise AssertionError(f"no focusable element where {test} within {limit} Tab presses")


def _focused(page: Page) -> dict[str, Any]:
    return page.evaluate("""(() => { const el = document.activeElement;
        const r = el.getBoundingClientRect();
        return {id: el.id, tag: el.tagName, top: r.top, bottom: r.bottom,
                height: window.innerHeight, text: el.innerText}; })()""")


def _role_link(role: str) -> str:
    return (f"el.tagName === 'A' && new URL(el.href).pathname === '/roles/{role}'")


def test_keyboard_only_search_role_gap_result(browser: Browser, live_server: Any) -> None:
    """Search → role → gap analysis → result with the keyboard alone; after the result the
    focus is on its summary, which is in view."""
    context, page = _open(browser, 1280)
    try:
        page.goto(live_server.url + "/")
        _tab_to(page, "el.id === 'q'")
        page.keyboard.type("Prozessmanager")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if not page.url.split("?")[0].endswith("/roles/prozessmanager"):
            if "html" not in (page.evaluate("document.contentType") or ""):
                # The search box answers with the search API's JSON, which has no links:
                # the walk goes back to the start page and its list of roles.
                page.go_back()
            with page.expect_navigation():
                _tab_to(page, _role_link("prozessmanager"))
                page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Prozessmanager/-in"
        with page.expect_navigation():
            _tab_to(page, "el.tagName === 'A' && new URL(el.href).pathname === '/gap' && "
                    "new URL(el.href).searchParams.get('role') === 'prozessmanager'")
            page.keyboard.press("Enter")
        assert page.locator("#gap-form").count() == 1
        # choose levels with the arrow keys: no box to tick
        _tab_to(page, "el.id === 'level-digcomp-4-2'")
        for _ in range(5):
            page.keyboard.press("ArrowDown")
        assert page.input_value("#level-digcomp-4-2") == "5"
        _tab_to(page, "el.id === 'analyse'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_function("document.activeElement.id === 'result-summary'")
        focus = _focused(page)
        assert "20 %" in focus["text"] and "Prozessmanager" in focus["text"]
        # what a screen reader says on the focus: the summary's name and description
        snapshot = page.locator("#result-summary").aria_snapshot()
        assert 'group "Ergebnis für Prozessmanager/-in"' in snapshot, snapshot
        assert 0 <= focus["top"] < focus["height"], focus
        # from the summary the keyboard goes on to the result's tables
        _tab_to(page, "el.closest('#gaps') !== null", limit=5)
    finally:
        context.close()


def test_gap_form_at_320_px(browser: Browser, live_server: Any) -> None:
    """On a small phone the form reflows, a level chosen without anything else counts, and
    the result's summary is focused and in view after submitting."""
    context, page = _open(browser, 320)
    try:
        page.goto(live_server.url + "/gap")
        page.select_option("#role", "prozessmanager")
        with page.expect_navigation():
            page.click("#role-form button[type=submit]")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the gap form is {width} px wide"
        for competency, rank in (("digcomp-4-2", "5"), ("qd-problemloesungskompetenz", "3"),
                                 ("digcomp-1-3", "3")):
            box = page.locator(f"#level-{competency}").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
            page.select_option(f"#level-{competency}", rank)
        with page.expect_navigation():
            page.click("#analyse")
        page.wait_for_function("document.activeElement.id === 'result-summary'")
        focus = _focused(page)
        assert "40 %" in focus["text"]
        assert 0 <= focus["top"] < focus["height"], focus
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        # the choices survive the round trip
        assert page.input_value("#level-digcomp-4-2") == "5"
        assert page.input_value("#level-digcomp-2-3") == ""
    finally:
        context.close()


def test_diagram_nodes_are_reachable_by_keyboard_and_named(browser: Browser,
                                                           live_server: Any) -> None:
    """The diagram's nodes are links in the tab order, named by kind and label; at 390 px the
    diagram keeps its size and scrolls in its own box, the page does not."""
    context, page = _open(browser, 390)
    try:
        page.goto(live_server.url + "/competencies/digcomp-4-2")
        _tab_to(page, "el.closest('svg.paths-diagram') !== null")
        name = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert name == "Kompetenz: Schutz personenbezogener Daten und der Privatsphäre"
        _tab_to(page, "el.getAttribute('aria-label') === 'Rolle: IT-Sicherheitsmanager/-in'", 30)
        box = page.evaluate("""(() => { const b = document.querySelector('.svg-box');
            const s = b.querySelector('svg');
            return {box: b.clientWidth, scroll: b.scrollWidth, left: b.scrollLeft,
                    svg: s.getBoundingClientRect().width}; })()""")
        assert box["svg"] > box["box"] and box["scroll"] > box["box"], box
        assert box["left"] > 0, "the focused node was scrolled into view inside the box"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        snapshot = page.locator("svg.paths-diagram").aria_snapshot()
        assert "group" in snapshot and "link \"Rolle: IT-Sicherheitsmanager/-in\"" in snapshot
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "IT-Sicherheitsmanager/-in"
        page.go_back()
        items = page.locator("ul.path-tree > li")
        assert items.count() == 9  # the nine roles of the paths
    finally:
        context.close()
