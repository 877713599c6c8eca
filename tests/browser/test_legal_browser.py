"""The legal-changes page in headless Chromium over a real server: the filter works from the
keyboard (act, date range, submit with Enter), the timeline shows what each change affects in
lists that open with the keyboard, and a version row on a legal basis's page links to the
version."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_filter_by_act_and_range_with_the_keyboard(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 800}, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/legal-changes")
        total = page.locator("ol.timeline > li").count()
        assert total >= 20
        page.focus("#act")
        page.select_option("#act", "bbg")  # the value a keyboard choice sets
        page.fill("#from", "2021-01-01")
        page.fill("#to", "2021-12-31")
        page.focus("#to")
        page.keyboard.press("Enter")  # submits the form
        page.wait_for_url("**/legal-changes?act=bbg&from=2021-01-01&to=2021-12-31")
        items = page.locator("ol.timeline > li")
        assert items.count() == 1
        heading = items.first.locator("h3")
        assert "7. Juli 2021" in heading.inner_text()
        assert "umnummeriert" in heading.inner_text().lower()
        summary = items.first.locator("summary").first
        summary.focus()
        lists = items.first.locator("details").first
        assert lists.get_attribute("open") is None
        page.keyboard.press("Enter")
        assert lists.get_attribute("open") is not None
        assert lists.locator("li a").count() >= 1
        # the chosen filter stays on the page and in the language switch
        assert page.input_value("#from") == "2021-01-01"
        english = page.locator("#lang-en").get_attribute("href") or ""
        assert "act=bbg" in english and "lang=en" in english
    finally:
        context.close()


def test_versions_on_a_legal_basis_page(browser: Browser, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/id/legal-basis/ozg-1a")
        rows = page.locator("table.versions tbody tr")
        assert rows.count() == 1
        link = rows.first.locator("th a")
        assert "Portalverbund" in link.inner_text()
        link.click()
        page.wait_for_url("**/id/legal-basis/ozg-1a-fassung-2024*")
        assert "fassung einer rechtsgrundlage" in page.inner_text("main").lower()
    finally:
        context.close()
