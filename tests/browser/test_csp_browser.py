"""The pages under their Content-Security-Policy in headless Chromium (Debian ``chromium``):
no violation is reported, and the pages' scripts and forms still work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from qualifica.api.security import STRICT_POLICY

pytestmark = pytest.mark.browser


# Registered before any page script runs, so that a violation anywhere on the page is seen.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""

PAGES = [
    ("/", "Qualifica"),
    ("/roles/prozessmanager", "Prozessmanager"),
    ("/competencies/digcomp-4-2", "Schutz personenbezogener Daten"),
    ("/gap", "Lückenanalyse"),
    ("/gap?role=prozessmanager&held=digcomp-4-2&level-digcomp-4-2=5", "Lückenanalyse"),
    ("/id/task/prozesse-erheben", "Verwaltungsprozesse erheben"),
    ("/ontology", "Qualifica"),
    ("/catalog", "Qualifica"),
    ("/sparql", "SPARQL-Abfrage"),
    ("/search?q=Prozesmanager", "Suche"),
    ("/match?level-digcomp-4-2=5", "Passende Rollen"),
    ("/training-formats", "Qualifizierungsformate"),
    ("/training-formats/egov-campus-prozessmanagement", "eGov-Campus"),
    ("/legal-bases", "Rechtsgrundlagen"),
    ("/competencies", "Kompetenzen nach Rahmenwerk"),
    ("/roles", "Rollen nach Rollengruppe"),
]


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE",
                                  accept_downloads=False)
    context.add_init_script(WATCH_CSP)
    pg = context.new_page()
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        # Chromium reports a blocked script, style or image as a console error.
        if msg.type == "error" or "Content Security Policy" in msg.text:
            problems.append(msg.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: problems.append(str(exc)))
    yield pg, problems
    context.close()


def violations(page: Page) -> list[str]:
    found = page.evaluate("window.__csp")
    assert isinstance(found, list)
    return [str(v) for v in found]


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_pages_load_without_csp_violations(page: tuple[Page, list[str]], live_server: Any,
                                           path: str, heading: str) -> None:
    pg, problems = page
    response = pg.goto(live_server.url + path, wait_until="load")
    assert response is not None and response.status == 200, path
    assert response.headers["content-security-policy"] == STRICT_POLICY
    assert pg.locator("h1").first.inner_text().startswith(heading), path
    stylesheets = pg.evaluate("document.styleSheets.length")
    assert stylesheets >= 1, path  # the site's stylesheet was allowed to load
    assert violations(pg) == [], path
    assert problems == [], path


def test_gap_form_works_under_the_policy(page: tuple[Page, list[str]],
                                         live_server: Any) -> None:
    pg, problems = page
    pg.goto(live_server.url + "/gap")
    pg.select_option("#role", "prozessmanager")
    pg.click("#role-form button[type=submit]")
    pg.wait_for_selector("#gap-form")
    pg.select_option("#level-digcomp-4-2", "5")
    pg.click("#analyse")
    pg.wait_for_selector("#result")
    assert pg.locator("#coverage").inner_text().endswith("%")
    assert pg.locator("table[data-table='gaps'] tbody tr").count() >= 1
    assert violations(pg) == []
    assert problems == []


def test_an_inline_script_would_be_blocked(page: tuple[Page, list[str]],
                                           live_server: Any) -> None:
    """The policy is enforced, not just sent: a script added inline is refused."""
    pg, problems = page
    pg.goto(live_server.url + "/")
    pg.evaluate("""() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = true";
      document.body.appendChild(s);
    }""")
    pg.wait_for_function("window.__csp.length > 0")
    assert pg.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in violations(pg))
    problems.clear()  # the refusal is the expected console error here
