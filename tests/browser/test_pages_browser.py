"""The planner pages end to end in headless Chromium (Debian ``chromium``) over a real server.

The expected coverage and recommendations were worked out by hand from the bundled graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/qualifica-pages")

# Worked out by hand from the bundled graph: the Prozessmanager has five essential requirements
# (digcomp-2-3 @5, digcomp-5-3 @6, qd-problemloesungskompetenz @3, digcomp-4-2 @5,
# digcomp-1-3 @5). Holding digcomp-4-2 at 5 and qd-problemloesungskompetenz at 3 meets two,
# digcomp-1-3 at 3 is partial: coverage 2/5 = 40 %. Each open gap is closed by one format; the
# greedy cover picks the lowest label among the formats reaching the required level: the
# diploma programme of the GntVDDVCSVDV (digcomp-2-3 @5), the Fachinformatiker/-in
# apprenticeship (digcomp-1-3 @5) and the MVITAufstV master (digcomp-5-3 @6).
ROLE_HEADING = "IT-Sicherheitsmanager/-in"
COMPETENCY_HEADING = "Schutz personenbezogener Daten und der Privatsphäre"
GAP_ROLE = "prozessmanager"
GAP_TICKS = {"digcomp-4-2": 5, "qd-problemloesungskompetenz": 3, "digcomp-1-3": 3}
GAP_COVERAGE = "40 %"
GAP_MISSING = [
    "Gesellschaftliche Teilhabe mithilfe digitaler Technologien",
    "Kreatives Nutzen digitaler Technologien",
    "Verwalten von Daten, Informationen und digitalen Inhalten",
]
GAP_RECOMMENDED = [
    "Diplom-Studiengang der Fachrichtung digitale Verwaltung und Cyber-Sicherheit (Bund)",
    "Ausbildung zum Fachinformatiker/zur Fachinformatikerin",
    "Masterstudiengang „Verwaltungsinformatik“ der Universität der Bundeswehr München (Aufstieg)",
]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    pg = context.new_page()
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], f"console errors: {errors}"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_pages_load(page: Page, live_server: Any) -> None:
    for path, name, heading in (
        ("/", "home", "Qualifica"),
        ("/roles/it-sicherheitsmanager", "role", ROLE_HEADING),
        ("/competencies/digcomp-4-2", "competency", COMPETENCY_HEADING),
        ("/gap", "gap", "Lückenanalyse"),
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").first.inner_text().startswith(heading), path
        # the stylesheet is served and applied (the header bar is coloured)
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('header.site')).backgroundColor")
        assert colour == "rgb(29, 79, 145)"
        shot(page, name)


def test_competency_diagram_links_to_roles(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/competencies/digcomp-4-2")
    nodes = page.locator("svg.paths-diagram g.node")
    assert nodes.count() >= 3
    role = page.locator("svg.paths-diagram g.node.role[data-id='it-sicherheitsmanager'] a")
    role.click()
    page.wait_for_url("**/roles/it-sicherheitsmanager")
    assert page.locator("h1").inner_text() == ROLE_HEADING


def test_language_switch(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/roles/it-sicherheitsmanager")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#tasks h2").inner_text().startswith("Aufgaben")
    page.click("#lang-en")
    page.wait_for_url("**/roles/it-sicherheitsmanager?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#tasks h2").inner_text().startswith("Tasks")
    # following a link keeps the language
    page.locator("#requirements tbody a").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "english")
    page.click("#lang-de")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").inner_text()


def test_gap_form_submits_and_shows_the_result(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/gap")
    page.select_option("#role", GAP_ROLE)
    page.click("#role-form button[type=submit]")
    page.wait_for_selector("#gap-form")
    for competency, rank in GAP_TICKS.items():
        page.select_option(f"#level-{competency}", str(rank))  # a level chosen counts as held
    page.click("#analyse")
    page.wait_for_selector("#result")
    assert page.locator("#coverage").inner_text() == GAP_COVERAGE
    gaps = page.locator("table[data-table='gaps'] tbody tr td:first-child")
    assert sorted(gaps.all_inner_texts()) == sorted(GAP_MISSING)
    recs = page.locator("table[data-table='recommendations'] tbody tr td:first-child")
    assert sorted(recs.all_inner_texts()) == sorted(GAP_RECOMMENDED)
    # the choices survive the round trip
    for competency, rank in GAP_TICKS.items():
        assert page.input_value(f"#level-{competency}") == str(rank)
    shot(page, "gap-result")
    # the CSV download of the gap table
    with page.expect_download() as info:
        page.click("#gaps a.csv")
    download = info.value
    assert download.suggested_filename == f"gap-{GAP_ROLE}-gaps.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark, for Excel"
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"Kompetenz","Kompetenz IRI"')
    assert len(text.strip().splitlines()) == 1 + len(GAP_MISSING)
    # and as an Excel workbook
    with page.expect_download() as info:
        page.click("#gaps a.xlsx")
    assert info.value.suggested_filename == f"gap-{GAP_ROLE}-gaps.xlsx"
    assert Path(info.value.path()).read_bytes()[:2] == b"PK"  # a zip: the xlsx container
