"""A page's objects are freed when it is written, not left to the garbage collector, and the
parts pages share (``web.fragments``) write safe, escaped HTML.

A page whose objects form a reference cycle (as jinja macros imported ``with context`` do: a
module whose context holds the page's values and whose macros refer back to it) leaves its
whole view to the collector; young collections then come every few dozen pages and cost the
request they fall into several milliseconds."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from markupsafe import Markup

from qualifica.context import Context
from qualifica.web import render
from qualifica.web.fragments import Fragments
from qualifica.web.i18n import words
from qualifica_testing import planning_context

ID = "https://w3id.org/qualifica/id/"
PAGES = [f"{ID}role/datenanalyst", f"{ID}competency/datenschutz",
         f"{ID}training-format/datenkurs", f"{ID}task/daten-auswerten",
         f"{ID}legal-basis/testgesetz-3", f"{ID}framework/testrahmen"]


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = planning_context(tmp_path)
    yield context
    context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_page_leaves_nothing_to_the_collector(ctx: Context, lang: str) -> None:
    for iri in PAGES:  # every cache the pages read filled once
        render.render_resource(ctx, iri, lang)
    render.render_home(ctx, lang)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for iri in PAGES:
            assert "<h1>" in render.render_resource(ctx, iri, lang)
        assert "<form" in render.render_home(ctx, lang)
        assert gc.collect() == 0  # nothing unreachable: each page freed as it was written
    finally:
        if enabled:
            gc.enable()


def fragments(lang: str = "de") -> Fragments:
    return Fragments(words(lang), lang, lambda href: render.with_lang(href, lang))


def test_a_link_only_to_a_safe_target_and_every_text_escaped() -> None:
    m = fragments("en")
    assert m.a("/id/role/x", "a<b", title='"t"', rel="external") == Markup(
        '<a href="/id/role/x?lang=en" title="&#34;t&#34;" rel="external">a&lt;b</a>')
    assert m.a("javascript:alert(1)", "x") == Markup('<span class="no-link">x</span>')
    assert m.a(None, Markup("<b>kept</b>")) == Markup('<span class="no-link"><b>kept</b></span>')
    assert m.ref(None) == Markup("")


def test_the_header_and_statements_escape_what_the_data_holds() -> None:
    m = fragments()
    evil = "<script>alert(1)</script>"
    res = SimpleNamespace(
        ref=SimpleNamespace(label=evil, iri=f"{ID}role/x"), deprecated=True,
        replaced_by=[SimpleNamespace(href="javascript:x", label="y")], definition=evil,
        editorial=False, sources=[SimpleNamespace(value=None, lang="en", text=evil)],
        statements=[SimpleNamespace(prop=SimpleNamespace(href="/id/p", label="p"), value=None,
                                    lang="en-GB", text=evil, editorial=True)])
    html = str(m.header(res, "Rolle")) + str(m.provenance(res)) + str(m.statements(res))
    assert "<script>" not in html and html.count("&lt;script&gt;") == 4
    assert '<span class="no-link">y</span>' in html  # the unsafe successor is no link
    assert '<span lang="en">' in html and '<span lang="en-GB">' in html  # the text's language
