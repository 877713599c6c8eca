"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) offline in headless Chromium: every request
to another host is aborted, none is attempted, and the pages still render every operation
from the packaged assets under their Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route

from qualifica.api.security import REDOC_POLICY, STRICT_POLICY

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
#: The one thing ReDoc asks of another host: the Redocly logo under "API docs by Redocly".
#: The page's policy refuses it before any request is made, and ReDoc leaves it out.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@dataclass
class Offline:
    """A page whose requests to other hosts are aborted, with what it tried and reported."""

    page: Page
    base: str
    left: list[str] = field(default_factory=list)
    """Requests to other hosts that reached the network layer (and were aborted there)."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """Failed requests to other hosts and why they failed."""
    errors: list[str] = field(default_factory=list)

    def csp(self) -> list[str]:
        found = self.page.evaluate("window.__csp")
        assert isinstance(found, list)
        return [str(v) for v in found]


@pytest.fixture
def offline(browser: Browser, live_server: Any) -> Iterator[Offline]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    state = Offline(context.new_page(), live_server.url)

    def route(r: Route) -> None:
        if r.request.url.startswith(state.base + "/"):
            r.continue_()
        else:
            state.left.append(r.request.url)
            r.abort("internetdisconnected")

    def failed(request: Request) -> None:
        if not request.url.startswith(state.base + "/"):
            state.refused.append((request.url, str(request.failure)))

    def console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            state.errors.append(msg.text)

    context.route("**/*", route)
    state.page.on("requestfailed", failed)
    state.page.on("console", console)
    state.page.on("pageerror", lambda exc: state.errors.append(str(exc)))
    yield state
    context.close()


def test_swagger_ui_renders_every_operation_offline(offline: Offline) -> None:
    pg = offline.page
    response = pg.goto(offline.base + "/docs")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"] == STRICT_POLICY
    pg.wait_for_selector(".opblock", timeout=60_000)
    doc = pg.evaluate("fetch('/openapi.json').then(r => r.json())")
    operations = {(m.upper(), path) for path, item in doc["paths"].items() for m in item
                  if m in ("get", "post", "put", "delete")}
    # Swagger UI renders only the operations near the view: collect them while scrolling down
    # (bounded: 300 steps). An operation with several tags is listed under each of them.
    seen: set[tuple[str, str]] = set()
    for _ in range(300):
        seen |= {(m, p) for m, p in pg.eval_on_selector_all(".opblock-summary", """els =>
            els.map(e => [e.querySelector('.opblock-summary-method').textContent,
                          e.querySelector('.opblock-summary-path').getAttribute('data-path')])""")}
        if seen >= operations:
            break
        pg.mouse.wheel(0, 600)
        pg.wait_for_timeout(100)
    assert seen == operations
    pg.evaluate("window.scrollTo(0, 0)")
    assert pg.locator(".opblock-tag").filter(has_text="rest").count() == 1
    # An operation opens with its parameters and its declared answers.
    role = pg.locator(".opblock-get").filter(has_text="/api/roles/{id}").first
    role.locator(".opblock-summary").click()
    role.locator(".responses-table").first.wait_for()
    assert role.locator("tr.response[data-code='404']").count() == 1
    assert role.locator(".parameters").first.inner_text().count("lang") >= 1
    assert offline.left == []
    assert offline.refused == []
    assert offline.csp() == []
    assert offline.errors == []


def test_redoc_renders_every_operation_offline(offline: Offline) -> None:
    pg = offline.page
    response = pg.goto(offline.base + "/redoc")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"] == REDOC_POLICY
    pg.wait_for_selector("li[data-item-id]", timeout=60_000)
    assert pg.locator("h1").first.inner_text().startswith("Qualifica")
    doc = pg.evaluate("fetch('/openapi.json').then(r => r.json())")
    ids = [op["operationId"] for item in doc["paths"].values() for m, op in item.items()
           if m in ("get", "post", "put", "delete")]
    rendered = pg.eval_on_selector_all("[data-section-id^='operation/']",
                                       "els => els.map(e => e.getAttribute('data-section-id'))")
    assert sorted({r.removeprefix("operation/") for r in rendered}) == sorted(set(ids))
    # Styles apply (styled-components under the policy): the menu is laid out as a sidebar.
    assert pg.locator(".menu-content").first.bounding_box() is not None
    assert offline.left == []
    assert offline.refused in ([], [(REDOC_LOGO, "csp")])
    assert set(offline.csp()) <= {f"img-src {REDOC_LOGO}"}
    assert [e for e in offline.errors if REDOC_LOGO not in e] == []
