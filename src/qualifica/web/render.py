"""HTML pages: the jinja2 environment and one render function per page.

Pages are German by default and English with ``?lang=en``; every internal link keeps the
language. ``render_resource`` is what ``/id/{kind}/{slug}`` shows as HTML: the role and
competency pages for those kinds, a generic resource page for every other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from markupsafe import Markup, escape

from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.describe import BODIES
from qualifica.planning import get_index
from qualifica.sparql.nodes import kind_of, slug_of
from qualifica.web import paging, svg
from qualifica.web.browse import competency_tree, legal_bases_view, role_groups
from qualifica.web.competency_view import (
    COMPETENCY_TABLES,
    CompetencyPath,
    CompetencyView,
    competency_view,
)
from qualifica.web.fragments import Fragments
from qualifica.web.hrefs import is_safe_href
from qualifica.web.i18n import graph_name, pick_lang, words
from qualifica.web.legal_view import (
    change_marks,
    changed_since_day,
    legal_changes_view,
    legal_words,
    marked_table,
    version_rows,
)
from qualifica.web.locale import number_text, percent_text
from qualifica.web.match_view import match_view
from qualifica.web.offers import OFFER_TABLES, formats_view, offer_view
from qualifica.web.queries import Ref
from qualifica.web.resource_view import RESOURCE_TABLES, resource_view
from qualifica.web.role_view import ROLE_TABLES, role_view
from qualifica.web.search_view import search_view
from qualifica.web.tables import Cell, Table, link_once, pager_html, table_html
from qualifica.web.views import home_view

log = logging.getLogger(__name__)

Params = Sequence[tuple[str, str]]


@pass_context
def _percent(context: Any, value: object) -> str:
    return percent_text(float(value), context.get("lang", "de"))  # type: ignore[arg-type]


@pass_context
def _number(context: Any, value: float | int) -> str:
    return number_text(value, context.get("lang", "de"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The jinja2 environment over ``web/templates`` with autoescaping on."""
    env = Environment(
        loader=PackageLoader("qualifica.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates are the package's own: read once, not looked at again on every page
        # (a running server keeps the templates its code was written for).
        auto_reload=False,
    )
    # Shares and numbers as the page's language writes them ("40 %", "40%").
    env.filters["percent"] = _percent
    env.filters["number"] = _number
    # ``{% if x is safe_href %}``: only these targets become links (see web.hrefs).
    env.tests["safe_href"] = is_safe_href
    return env


def with_lang(href: str, lang: str) -> str:
    """``href`` with the page language added (internal links only). German, the default of
    these pages, is left out except on ``/id/`` links, which otherwise follow the browser's
    ``Accept-Language``."""
    if not href.startswith("/") or (lang == "de" and not href.startswith("/id/")):
        return href
    return f"{href}{'&' if '?' in href else '?'}lang={lang}"


@dataclass(frozen=True)
class PageInfo:
    """Where a page is (path and its query parameters without ``lang``) and in which language."""

    path: str
    lang: str
    params: Params = ()

    def switch(self, lang: str) -> str:
        """This page in another language."""
        # Always explicit: a page under /id/ would otherwise follow Accept-Language.
        params = [*((k, v) for k, v in self.params if k != "lang"), ("lang", lang)]
        return self.path + (f"?{urlencode(params)}" if params else "")

    def table_page(self, table: str, number: int) -> str:
        """This page with table ``table`` on page ``number`` (the other tables' pages and
        the language kept)."""
        key = paging.param(table)
        params = [*((k, v) for k, v in self.params if k not in (key, "lang")),
                  *([(key, str(number))] if number > 1 else [])]
        return with_lang(self.path + (f"?{urlencode(params)}" if params else ""), self.lang)

    def url(self, path: str, params: Params = ()) -> str:
        """Another URL of the site in this page's language."""
        query = [*params, *([("lang", self.lang)] if self.lang != "de" else [])]
        return path + (f"?{urlencode(query)}" if query else "")


def _page(template: str, info: PageInfo, **values: Any) -> str:
    lang = pick_lang(info.lang)
    link: Callable[[str], str] = lambda href: with_lang(href, lang)  # noqa: E731
    t = words(lang)

    def table(tbl: Table, csv_base: str | None = None, empty: str | None = None,
              id: str | None = None) -> Markup:
        return table_html(tbl, t, link, info.table_page, csv_base, empty, id)

    def pager(name: str, title: str, win: paging.Window | None) -> Markup:
        return Markup(pager_html(name, title, win, t, info.table_page))  # noqa: S704 - escaped

    return environment().get_template(template).render(
        t=t, lang=lang, page=info, link=link, table=table, pager=pager,
        m=Fragments(t, lang, link), graph_name=lambda iri: graph_name(iri, lang), **values)


def render_home(ctx: Context, lang: str) -> str:
    """The home page: search, roles, competencies by framework, links to the tools."""
    lang = pick_lang(lang)
    return _page("index.html", PageInfo("/", lang), home=home_view(ctx, lang))


#: The tables of each kind of resource page that are shown in pages of rows (``web.paging``).
PAGED_TABLES: dict[str | None, tuple[str, ...]] = {
    "role": tuple(ROLE_TABLES), "competency": tuple(COMPETENCY_TABLES),
    "training-format": OFFER_TABLES}


def table_pages(kind: str | None, params: Params, lang: str) -> dict[str, int]:
    """The table pages ``params`` ask for on the page of a resource of ``kind`` (400 for a bad
    number; see ``web.paging``)."""
    return paging.parse_pages(params, PAGED_TABLES.get(kind, RESOURCE_TABLES),
                              words(pick_lang(lang)))


def _page_params(pages: paging.Pages, order: Iterable[str]) -> list[tuple[str, str]]:
    return [(paging.param(name), str(pages[name])) for name in order if name in pages]


def render_role(ctx: Context, role: str, lang: str, *, path: str | None = None,
                changed_since: str | None = None, params: Params = ()) -> str:
    """The role page for a slug or IRI (``NotFound`` / ``BadParameter`` otherwise); with
    ``changed_since`` (``YYYY-MM-DD``) the legal bases changed since that day are marked;
    ``params``: the request's query parameters, of which the table pages count
    (``page-{table}``)."""
    lang = pick_lang(lang)
    since = changed_since_day(changed_since, lang)
    pages = table_pages("role", params, lang)
    view = role_view(ctx, role, lang, words(lang), pages)
    if since is not None:
        legal_table = view.tables["legal-bases"]
        marks = change_marks(ctx, [r[0].iri for r in legal_table.rows if r[0].iri], since, lang)
        view.tables["legal-bases"] = marked_table(legal_table, marks, lang)
    kept = [*([("changed_since", since.isoformat())] if since else []),
            *_page_params(pages, ROLE_TABLES)]
    info = PageInfo(path or f"/roles/{view.resource.ref.id}", lang, kept)
    return _page("role.html", info, view=view, res=view.resource,
                 csv_base=f"/roles/{view.resource.ref.id}", lw=legal_words(lang),
                 changed_since=since.isoformat() if since else "")


def competency_svg(view: CompetencyView, lang: str) -> str:
    """The paths diagram of a competency page: the paths its table shows (all of them for a
    view made without pages)."""
    return _drawn(_drawing_key(view.shown_paths), view.resource.ref.label, lang)[0]


#: What the diagram and the list of paths draw of a path: its competencies, task and role.
DrawingKey = tuple[tuple[tuple[Ref, ...], Ref | None, Ref], ...]


def _drawing_key(paths: Sequence[CompetencyPath]) -> DrawingKey:
    return tuple((tuple(p.competencies), p.task, p.role) for p in paths)


@lru_cache(maxsize=512)
def _drawn(key: DrawingKey, title: str, lang: str) -> tuple[str, Markup]:
    """The paths diagram and the list of paths beside it, kept by what they draw (the
    references of the paths, the title and the language): a page made anew after a write
    that left its paths as they were draws neither again; a write that changes a label, a link
    or a path changes the key."""
    paths = [CompetencyPath(competencies=list(chain), task=task, role=role, level=None,
                            rank=None, essential=False) for chain, task, role in key]
    w = words(lang)
    drawing = svg.paths_svg(
        paths, title=f"{w['paths']}: {title}",
        link=lambda href: with_lang(href, lang),
        labels={"broader": w["broader"], "requires": w["requirements"],
                "performs": w["tasks"]},
        kinds={"competency": w["competency"], "task": w["task"], "role": w["role"]},
    )
    return drawing, _path_tree(paths, lang)


def _path_tree(paths: Sequence[CompetencyPath], lang: str) -> Markup:
    """The list of paths beside the diagram, by role (in label order): each path's
    competencies, then the task it runs through or "directly"; written in Python (a macro call
    per link cost more than the rest of the list)."""
    w = words(lang)
    made: dict[tuple[str | None, str], str] = {}  # a role or task is on many paths

    def lang_link(href: str) -> str:
        return with_lang(href, lang)

    def ref(r: Ref) -> str:
        return link_once(r.href, r.label, lang_link, made)

    out: list[str] = []
    for _, group in groupby(sorted(paths, key=lambda p: p.role.label), lambda p: p.role.label):
        items = list(group)
        out.append(f"<li>{escape(w['role'])} {ref(items[0].role)}\n<ul>\n")
        for p in items:
            via = (f"{escape(w['via_task'])} {ref(p.task)}" if p.task
                   else str(escape(w["directly"])))
            out.append(f"<li>{' → '.join(ref(c) for c in p.competencies)}\n  – {via}</li>\n")
        out.append("</ul>\n</li>\n")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


def render_competency(ctx: Context, competency: str, lang: str, *,
                      path: str | None = None, params: Params = ()) -> str:
    """The competency page with its paths diagram (of the paths its table shows);
    ``params``: the request's query parameters, of which the table pages count."""
    lang = pick_lang(lang)
    pages = table_pages("competency", params, lang)
    view = competency_view(ctx, competency, lang, words(lang), pages)
    info = PageInfo(path or f"/competencies/{view.resource.ref.id}", lang,
                    _page_params(pages, COMPETENCY_TABLES))
    drawing, tree = (_drawn(_drawing_key(view.shown_paths), view.resource.ref.label, lang)
                     if view.shown_paths else ("", Markup("")))
    diagram = Markup(drawing) if drawing else None  # noqa: S704
    return _page("competency.html", info, view=view, res=view.resource, diagram=diagram,
                 csv_base=f"/competencies/{view.resource.ref.id}",
                 paths_window=view.tables["paths"].window, path_tree=tree)


def render_resource(ctx: Context, iri: str, lang: str, params: Params = ()) -> str:
    """The HTML page of any instance: role and competency pages for those kinds, otherwise a
    page with labels, definition, types, properties, incoming links and provenance;
    ``params``: the request's query parameters, of which the table pages count.

    Raises ``NotFound`` when nothing is stated about ``iri``.
    """
    lang = pick_lang(lang)
    kind = kind_of(iri)
    path = f"/id/{kind}/{slug_of(iri)}" if kind else "/"
    if kind == "role":
        return render_role(ctx, iri, lang, path=path, params=params)
    if kind == "competency":
        return render_competency(ctx, iri, lang, path=path, params=params)
    if kind == "training-format":
        return render_offer(ctx, iri, lang, path=path, params=params)
    pages = table_pages(kind, params, lang)
    res = resource_view(ctx, iri, lang, pages=pages, words=words(lang))
    versions = version_rows(ctx, iri, lang) if kind == "legal-basis" else []
    w = words(lang)
    incoming = Table("incoming", w["incoming"], [w["resource"], w["property"]],
                     [[Cell.of(s), Cell.of(p)] for s, p in res.incoming],
                     window=res.incoming_window)
    return _page("resource.html", PageInfo(path, lang, _page_params(pages, RESOURCE_TABLES)),
                 res=res, versions=versions, lw=legal_words(lang), incoming=incoming)


def _page_key(iri: str, lang: str, params: Params
              ) -> tuple[tuple[object, ...], str, dict[str, int]]:
    """The key a page is kept under, its language and the table pages asked for
    (``BadParameter`` for a table page that is no number)."""
    lang = pick_lang(lang)
    pages = table_pages(kind_of(iri), params, lang)
    return (iri, "html", lang, paging.key_of(pages)), lang, pages


def kept_page(ctx: Context, iri: str, lang: str, params: Params = ()) -> bytes | None:
    """The page of ``resource_page`` kept at the store's current generation, if any (never
    reads the store; ``BadParameter`` for a table page that is no number)."""
    return ctx.part(BODIES).get(ctx.store.generation, _page_key(iri, lang, params)[0])


def resource_page(ctx: Context, iri: str, lang: str, params: Params = ()) -> bytes:
    """:func:`render_resource` encoded, kept per store generation like the descriptions
    (``linkeddata.describe.Bodies``): a page is kept only when the catalogue and the planning
    index it was made from are of the store's generation, and the next request after a write
    drops every page kept. The key holds the table pages asked for (``web.paging``)."""
    key, lang, pages = _page_key(iri, lang, params)
    generation = ctx.store.generation
    bodies = ctx.part(BODIES)
    body = bodies.get(generation, key)
    if body is not None:
        return body
    made_from = (catalogue_for(ctx).generation, get_index(ctx).generation)
    body = render_resource(ctx, iri, lang, _page_params(pages, sorted(pages))).encode("utf-8")
    if made_from == (generation, generation) and ctx.store.generation == generation:
        bodies.put(generation, key, body)
    return body


def render_legal_changes(ctx: Context, lang: str, act: str | None, start: str | None,
                         end: str | None) -> str:
    """The legal-changes page: the filter (act, date range) and the timeline of changes."""
    lang = pick_lang(lang)
    view = legal_changes_view(ctx, lang, act, start, end)
    params = [(k, v) for k, v in (("act", act), ("from", start), ("to", end)) if v]
    return _page("legal-changes.html", PageInfo("/legal-changes", lang, params), view=view,
                 lw=legal_words(lang))


def render_gap(ctx: Context, lang: str, form: Any, result: Any | None,
               params: Params) -> str:
    """The gap page: the form (role choice, held competencies and levels) and the result."""
    lang = pick_lang(lang)
    return _page("gap.html", PageInfo("/gap", lang, params), form=form, result=result)


def render_error(status: int, detail: str, lang: str, path: str = "/",
                 param: str | None = None, worded: bool = False) -> str:
    """An error page (404, 422 ...) that names the problem in the page's language: the
    problem's own text (English) on English pages, a German sentence naming the address and
    the parameter on German ones; ``worded``: the text is already in the page's language
    (``web.page_errors``)."""
    lang = pick_lang(lang)
    w = words(lang)
    title = w["not_found"] if status == 404 else w["bad_request"] if status < 500 else w["error"]
    if lang == "en" or worded:
        text = detail
    elif status == 404:
        text = w["not_found_detail"].format(path=path)
    elif status < 500:
        text = w["bad_request_detail"].format(path=path) + (
            " " + w["bad_param"].format(param=param) if param else "")
    else:
        text = w["error_detail"]
    return _page("error.html", PageInfo(path, lang), status=status, title=title, detail=text)



# --- search, match and browse pages -------------------------------------------------------------

def render_search(ctx: Context, lang: str, q: str, kind: str | None, page: int) -> str:
    """The search page: matches grouped by kind, paged, with a type filter."""
    lang = pick_lang(lang)
    view = search_view(catalogue_for(ctx), q, kind, page, lang, words(lang))
    params = [("q", q), *([("type", kind)] if kind else []),
              *([("page", str(page))] if page > 1 else [])]
    return _page("search.html", PageInfo("/search", lang, params), view=view)


def render_match(ctx: Context, lang: str, params: Params) -> tuple[str, bool]:
    """The match page: held competencies and the roles that fit them best; and whether the
    form has errors (a competency ticked without a level)."""
    lang = pick_lang(lang)
    view = match_view(ctx, params, lang, words(lang))
    return _page("match.html", PageInfo("/match", lang, params), view=view), bool(view.errors)


def render_formats(ctx: Context, lang: str, chosen: dict[str, str]) -> str:
    """The training formats with their filters."""
    lang = pick_lang(lang)
    view = formats_view(ctx, lang, words(lang), chosen)
    return _page("formats.html", PageInfo("/training-formats", lang, list(view.chosen.items())),
                 view=view)


def render_offer(ctx: Context, fmt: str, lang: str, *, path: str | None = None,
                 changed_since: str | None = None, params: Params = ()) -> str:
    """The page of one training format: provider, duration, mode, cost, link, outcomes; with
    ``changed_since`` (``YYYY-MM-DD``) the legal bases changed since that day are marked;
    ``params``: the request's query parameters, of which the table pages count."""
    lang = pick_lang(lang)
    since = changed_since_day(changed_since, lang)
    pages = table_pages("training-format", params, lang)
    view = offer_view(ctx, fmt, lang, words(lang), pages)
    marks = change_marks(ctx, [lb.iri for lb in view.legal], since, lang)
    kept = [*([("changed_since", since.isoformat())] if since else []),
            *_page_params(pages, OFFER_TABLES)]
    info = PageInfo(path or f"/training-formats/{view.resource.ref.id}", lang, kept)
    return _page("offer.html", info, view=view, res=view.resource, lw=legal_words(lang),
                 marks=marks, changed_since=since.isoformat() if since else "")


def render_legal_bases(ctx: Context, lang: str) -> str:
    """The legal bases by act, provisions in natural order, with what rests on each."""
    lang = pick_lang(lang)
    return _page("legal-bases.html", PageInfo("/legal-bases", lang),
                 acts=legal_bases_view(ctx, lang))


def render_competencies(ctx: Context, lang: str) -> str:
    """The competencies as a tree per framework."""
    lang = pick_lang(lang)
    return _page("competencies.html", PageInfo("/competencies", lang),
                 trees=competency_tree(ctx, lang))


def render_roles(ctx: Context, lang: str) -> str:
    """The roles by role group."""
    lang = pick_lang(lang)
    return _page("roles.html", PageInfo("/roles", lang), groups=role_groups(ctx, lang))
