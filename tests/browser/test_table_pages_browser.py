"""The pagers of long tables in headless Chromium over a real server: axe-core (WCAG 2.0/2.1 A
and AA) finds no violation on role and competency pages with pagers at 1280 and 320 px, the
page is no wider than a 320 px viewport, and the pager is a navigation named by its table that
a keyboard user follows to the next page.

The server shows five rows a page (``Settings.page_rows``), so that the bundled graph's longer
tables (15-19 rows) have pagers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.validation.gate import ensure_bundled
from qualifica_testing import LiveServer

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
PAGES = [
    "/roles/verwaltungsfachangestellte",
    "/roles/verwaltungsfachangestellte?lang=en&page-formats=2&page-legal-bases=3",
    "/competencies/digcomp-5-1?page-paths=2",
    "/competencies/digcomp-5-1?lang=en&page-paths=4",
    "/id/level/digcomp-3?page-incoming=2",
    "/training-formats/ausbildung-verwaltungsfachangestellte?lang=en&page-outcomes=2",
    "/roles/verwaltungsfachangestellte?page-formats=9",
]


@pytest.fixture(scope="module")
def paged_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    ctx: Context = open_context(Settings(in_memory=True, load_bundled=True, page_rows=5,
                                         data_dir=tmp_path_factory.mktemp("paged")))
    ensure_bundled(ctx)
    server = LiveServer(create_app(ctx.settings, context=ctx)).start()
    yield server
    server.stop()
    ctx.close()


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("path", PAGES)
def test_pages_with_pagers_pass_axe_and_reflow(browser: Browser, paged_server: Any, path: str,
                                               width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="de-DE")
    try:
        page = context.new_page()
        response = page.goto(paged_server.url + path)
        assert response is not None
        assert response.status == (404 if "page-formats=9" in path else 200)
        if response.status == 200:
            assert page.locator("nav.pager").count() >= 1
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3])
                                  for v in violations]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= page.evaluate("window.innerWidth"), f"{path}: {scroll} px wide"
    finally:
        context.close()


def test_the_pager_is_a_named_navigation_a_keyboard_follows(browser: Browser,
                                                            paged_server: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 800}, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(paged_server.url + "/roles/verwaltungsfachangestellte?lang=en")
        nav = page.get_by_role("navigation", name="Pages of the table “Training formats”")
        assert nav.count() == 1
        assert nav.get_by_text("Rows 1–5 of 15").count() == 1
        assert nav.locator("[aria-current=page]").inner_text().strip().endswith("1")
        nxt = nav.get_by_role("link", name="Next page")
        nxt.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "page-formats=2" in page.url and "lang=en" in page.url
        nav = page.get_by_role("navigation", name="Pages of the table “Training formats”")
        assert nav.get_by_text("Rows 6–10 of 15").count() == 1
        # the link to page 3 is named for a screen reader, the number shown
        assert nav.get_by_role("link", name="Page 3 of 3").count() == 1
        box = nav.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    finally:
        context.close()
