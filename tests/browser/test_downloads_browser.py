"""The download page and a release page, with a release to show, in headless Chromium (Debian
``chromium``): axe-core (WCAG 2.0/2.1 A and AA) finds no violation at 1280 and 320 px, no CSP
violation, usable at 320 px (no sideways scrolling of the page; wide tables scroll in their own
box), one language per page with a working switch, and a release reached from the download
page by its link, its files downloadable from there. (``test_accessibility.py`` checks the
download page without releases.)"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from qualifica.api import create_app
from qualifica.context import Context
from qualifica.linkeddata.releases import make_release
from qualifica_testing import LiveServer, bundled_copy

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture(scope="module")
def server(bundled_ctx: Context, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[LiveServer, Path]]:
    """A real HTTP server over a copy of the bundled graph with release 1.0.0."""
    data_dir = tmp_path_factory.mktemp("downloads-browser")
    ctx = bundled_copy(bundled_ctx, data_dir, query_workers=1)
    make_release(ctx, "1.0.0")
    live = LiveServer(create_app(ctx.settings, context=ctx)).start()
    yield live, data_dir
    live.stop()
    ctx.close()


@pytest.fixture
def narrow(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="de-DE",
                                  accept_downloads=True)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page, problems
    context.close()


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
PATHS = ["/downloads/", "/downloads/?lang=en", "/releases/1.0.0", "/releases/1.0.0?lang=en",
         "/catalog?lang=en"]


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("path", PATHS)
def test_axe_finds_no_violation(browser: Browser, server: tuple[LiveServer, Path], path: str,
                                width: int) -> None:
    live, _ = server
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="de-DE")
    try:
        page = context.new_page()
        response = page.goto(live.url + path)
        assert response is not None and response.status == 200
        violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        assert violations == [], [f"{v['id']}: {v['help']} at "
                                  f"{[n['target'] for n in v['nodes']][:3]}" for v in violations]
    finally:
        context.close()


def fits(page: Page) -> bool:
    """No sideways scrolling of the page itself at its viewport width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return bool(width <= page.viewport_size["width"])  # type: ignore[index]


@pytest.mark.parametrize(("path", "heading", "lang"), [
    ("/downloads/", "Downloads des Wissensgraphen", "de"),
    ("/downloads/?lang=en", "Downloads of the knowledge graph", "en"),
    ("/releases/1.0.0", "Qualifica – Wissensgraph", "de"),
    ("/releases/1.0.0?lang=en", "Qualifica – knowledge graph", "en"),
])
def test_pages_at_320px(narrow: tuple[Page, list[str]], server: tuple[LiveServer, Path],
                        path: str, heading: str, lang: str) -> None:
    page, problems = narrow
    live, _ = server
    response = page.goto(live.url + path, wait_until="load")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text().startswith(heading)
    assert page.evaluate("document.documentElement.lang") == lang
    assert fits(page), path
    assert page.evaluate("window.__csp") == []
    assert problems == []
    # every table has column or row headers
    assert page.locator("table:not(:has(th))").count() == 0


def test_from_the_download_page_to_a_release_and_its_file(
        narrow: tuple[Page, list[str]], server: tuple[LiveServer, Path]) -> None:
    page, _ = narrow
    live, data_dir = server
    page.goto(live.url + "/downloads/", wait_until="load")
    page.get_by_role("link", name="Version 1.0.0").click()
    page.wait_for_url("**/releases/1.0.0*")
    assert "Zitiervorschlag" in page.locator("main").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="qualifica-1.0.0.nq.gz").click()
    saved = Path(info.value.path())
    expected = (data_dir / "releases" / "1.0.0" / "qualifica-1.0.0.nq.gz").read_bytes()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(expected).hexdigest()
    # the language switch keeps the page
    page.locator("#lang-en").click()
    page.wait_for_url("**/releases/1.0.0?lang=en*")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Cite as" in page.locator("main").inner_text()
