"""The parts many pages share, written in Python: a link to a target from the data, the header
of a resource page, its sources, its statements, and the search form.

Templates call them as ``m.a(…)``, ``m.ref(…)``, ``m.header(…)``, ``m.provenance(…)``,
``m.statements(…)`` and ``m.search_form(…)``: ``m`` is a :class:`Fragments` of the page's
words, language and link function, passed to every page (``web.render._page``). They were
jinja macros imported ``with context``; such an import makes, on every page, a module whose
context holds everything the page shows and whose macros refer back to that context, a cycle
that only the garbage collector frees. Every page made left its whole view (hundreds of
objects) to the collector, and a young collection came every few dozen pages, costing the
request it fell into several milliseconds. A page's objects are now freed as soon as it is
written (``tests/unit/test_page_garbage.py``).

Every text is escaped (markupsafe), and only safe targets become links (``web.hrefs``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from qualifica.web.hrefs import is_safe_href

#: The IRI ending of the editorial source (a link no source states).
_EDITORIAL_SOURCE = "/id/source/editorial"


def _lang_attr(value_lang: str | None, lang: str) -> str:
    """`` lang="…"`` for a text in another language than the page's, else nothing."""
    if value_lang and value_lang.split("-")[0] != lang:
        return f' lang="{escape(value_lang)}"'
    return ""


@dataclass(frozen=True)
class Fragments:
    """The shared parts of the pages of one language (``t``: its words; ``link``: adds the
    page language to a site link)."""

    t: Mapping[str, str]
    lang: str
    link: Callable[[str], str]

    def a(self, href: Any, text: Any, title: Any = None, rel: Any = None,
          type: Any = None) -> Markup:
        """A link to ``href`` (a safe target) with ``text``, else ``text`` in a
        ``span.no-link``; ``title``, ``rel`` and ``type`` as attributes when given."""
        title_attr = f' title="{escape(title)}"' if title else ""
        if is_safe_href(href):
            rel_attr = f' rel="{escape(rel)}"' if rel else ""
            type_attr = f' type="{escape(type)}"' if type else ""
            return Markup(  # noqa: S704 - every text is escaped
                f'<a href="{escape(self.link(href))}"{title_attr}{rel_attr}{type_attr}>'
                f'{escape(text)}</a>')
        return Markup(f'<span class="no-link"{title_attr}>{escape(text)}</span>')  # noqa: S704

    def ref(self, r: Any) -> Markup:
        """The link of a resource reference (``Ref``: its link and label); empty for none."""
        return self.a(r.href, r.label) if r else Markup("")

    def header(self, res: Any, kind_label: Any) -> Markup:
        """The head of a resource page: its kind, label, IRI, whether it is deprecated (and
        what replaces it), and its definition."""
        t = self.t
        out = [f'  <p class="kind">{escape(kind_label)}</p>\n'
               f'  <h1>{escape(res.ref.label)}</h1>\n'
               f'  <p class="iri"><span class="label">{escape(t["permalink"])}:</span> '
               f'<code>{escape(res.ref.iri)}</code></p>\n']
        if res.deprecated:
            out.append(f'    <p class="marker deprecated" role="note"><strong>'
                       f'{escape(t["deprecated"])}</strong>')
            if res.replaced_by:
                links = ", ".join(self.a(r.href, r.label, rel="successor-version")
                                  for r in res.replaced_by)
                out.append(f" – {escape(t['replaced_by'])} {links}")
            else:
                out.append(f": {escape(t['no_successor'])}")
            out.append("</p>\n")
        if res.definition:
            out.append(f'<p class="definition">{escape(res.definition)}</p>')
        return Markup("".join(out))  # noqa: S704 - every text is escaped

    def provenance(self, res: Any) -> Markup:
        """Whether the resource is editorial, and the sources that state it."""
        t = self.t
        out = []
        if res.editorial:
            out.append(f'    <p class="marker editorial" role="note"><strong>'
                       f'{escape(t["editorial"])}:</strong> {escape(t["editorial_note"])}</p>\n')
        if res.sources:
            out.append(f'    <section class="sources">\n      <h2>{escape(t["sources"])}</h2>\n'
                       f'      <ul>\n')
            for s in res.sources:
                value = s.value
                if value and value.iri.endswith(_EDITORIAL_SOURCE):
                    inner = str(escape(t["editorial_source"]))
                elif value and value.href.startswith("http"):
                    inner = f"<code>{self.a(value.href, value.iri, rel='external')}</code>"
                elif value:
                    inner = self.a(value.href, value.label)
                else:
                    inner = f"<span{_lang_attr(s.lang, self.lang)}>{escape(s.text)}</span>"
                out.append(f"        <li>{inner}</li>\n")
            out.append("      </ul>\n    </section>\n")
        return Markup("".join(out))  # noqa: S704 - every text is escaped

    def statements(self, res: Any) -> Markup:
        """Every statement about the resource: property, value, and whether a source states
        it."""
        t = self.t
        out = [f'<section>\n    <h2>{escape(t["properties"])}</h2>\n'
               f'    <table class="props">\n'
               f'      <thead><tr><th scope="col">{escape(t["property"])}</th>'
               f'<th scope="col">{escape(t["value"])}</th>'
               f'<th scope="col">{escape(t["source"])}</th></tr></thead>\n      <tbody>\n']
        sourced = (escape(t["editorial"]), escape(t["sourced"]))
        for s in res.statements:
            value = (self.a(s.value.href, s.value.label) if s.value
                     else f"<span{_lang_attr(s.lang, self.lang)}>{escape(s.text)}</span>")
            out.append(f'        <tr>\n'
                       f'          <th scope="row">{self.a(s.prop.href, s.prop.label)}</th>\n'
                       f'          <td>{value}</td>\n'
                       f'          <td class="provenance">{sourced[0 if s.editorial else 1]}'
                       f'</td>\n        </tr>\n')
        out.append("      </tbody>\n    </table>\n  </section>")
        return Markup("".join(out))  # noqa: S704 - every text is escaped

    def search_form(self, q: Any = "", kind: Any = None, id: Any = "q") -> Markup:
        """The search box of the home and search pages: a form to ``/search`` that works
        without script (``static/suggest.js`` turns the field into an ARIA combobox with
        suggestions)."""
        t, e, field = self.t, escape, escape(id)
        out = [f'<form class="search" action="/search" method="get" role="search" '
               f'data-suggest="/search/suggest" data-lang="{e(self.lang)}">\n'
               f'  <label for="{field}">{e(t["search"])}</label>\n'
               f'  <div class="combo">\n'
               f'    <input id="{field}" name="q" type="search" value="{e(q)}" '
               f'placeholder="{e(t["search_placeholder"])}" required autocomplete="off" '
               f'spellcheck="false" maxlength="200" aria-describedby="{field}-status">\n'
               f'    <ul id="{field}-list" class="suggestions" role="listbox" '
               f'aria-label="{e(t["search_suggestions"])}" hidden></ul>\n'
               f'  </div>\n']
        if kind:
            out.append(f'<input type="hidden" name="type" value="{e(kind)}">')
        if self.lang != "de":
            out.append(f'<input type="hidden" name="lang" value="{e(self.lang)}">')
        out.append(f'  <button type="submit">{e(t["search_button"])}</button>\n'
                   f'  <span id="{field}-status" class="visually-hidden" role="status" '
                   f'data-count="{e(t["suggestions_count"])}" '
                   f'data-none="{e(t["no_suggestions"])}"></span>\n'
                   f'</form>\n')
        return Markup("".join(out))  # noqa: S704 - every text is escaped
