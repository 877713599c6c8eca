"""Routes: the search page and its suggestions, the match page and the browse pages.

``/search?q=&type=&page=`` (HTML) and ``/search/suggest?q=`` (JSON for the autocomplete),
``/match`` (held competencies → best fitting roles), ``/training-formats`` (filters ``kind``,
``provider``, ``legal_basis``, ``competency``) and ``/training-formats/{id}``, ``/legal-bases``,
``/competencies`` (tree by framework) and ``/roles`` (by group). German unless ``?lang=en``;
errors are HTML pages with their status (the suggestions answer problems).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from qualifica.api.deps import CtxDep
from qualifica.api.params import ChangedSinceParam, LangParam
from qualifica.api.routes.pages import BAD_TABLE_PAGE, _ok, _page, table_page_params
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.web import render
from qualifica.web.i18n import pick_lang, words
from qualifica.web.offers import FORMAT_FILTERS, OFFER_TABLES
from qualifica.web.search_view import parse_page, suggestions

router = APIRouter(tags=["pages"])


def _example(title: str) -> str:
    """The opening of a German page as the example of its answer."""
    return ('<!DOCTYPE html>\n<html lang="de">\n<head>\n  <meta charset="utf-8">\n'
            f"  <title>{title} – Qualifica</title>\n  …")


_SUGGEST_EXAMPLE: dict[str, Any] = {"query": "Prozes", "items": [
    {"label": "Prozessmanager", "type": "role", "kind": "Rolle",
     "href": "/roles/prozessmanager"}]}


class Suggestion(BaseModel):
    """One suggestion of the search box."""

    label: str = Field(description="The label in the requested language")
    type: str = Field(description="role, task, competency, framework, training-format, "
                                  "legal-basis or level")
    kind: str = Field(description="The type in words, in the requested language")
    href: str = Field(description="The resource's page on this site")


class Suggestions(BaseModel):
    """The answer of ``/search/suggest``: at most eight suggestions, best first."""

    query: str
    items: list[Suggestion]

FormatId = Annotated[str, Path(description="Training format slug", openapi_examples={
    "egov-campus-prozessmanagement": {"value": "egov-campus-prozessmanagement"}})]


@router.get("/search", response_class=HTMLResponse, summary="Search page",
            responses=_ok("text/html", _example("Suche: Prozesmanager"),
                          "Results grouped by kind"))
def search_page(
    request: Request, ctx: CtxDep, lang: LangParam = None,
    q: Annotated[str, Query(max_length=200, description="What to look for (typo-tolerant)",
                            examples=["Prozesmanager"])] = "",
    type: Annotated[str | None, Query(description="Only one kind: role, task, competency, "
                                                  "framework, training-format, legal-basis, "
                                                  "level")] = None,
    page: Annotated[str | None, Query(description="Page of the results, from 1")] = None,
) -> HTMLResponse:
    """Matches of ``q`` in labels of both languages grouped by kind, 20 a page; literal
    matches first, then near misses (one or two letters wrong, missing or swapped)."""
    return _page(request, lang, lambda language: render.render_search(
        ctx, language, q, type or None, parse_page(page, words(language))))


@router.get("/search/suggest", summary="Search suggestions (autocomplete)",
            response_model=Suggestions,
            responses={200: {"description": "The best matches",
                             "content": {"application/json": {"example": _SUGGEST_EXAMPLE}}}})
def search_suggest(
    ctx: CtxDep,
    q: Annotated[str, Query(max_length=200, description="What has been typed so far",
                            examples=["Prozes"])] = "",
    lang: Annotated[str | None, Query(description="de (default) or en")] = None,
) -> dict[str, Any]:
    """The best eight matches with their label, type, localised kind and page."""
    language = pick_lang(lang)
    return suggestions(catalogue_for(ctx), q, language, words(language))


@router.get("/match", response_class=HTMLResponse, summary="Matching roles page",
            responses=_ok("text/html", _example("Passende Rollen"), "The form and the roles"))
def match_page(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Tick held competencies with levels (``held``, ``level-{competency}``; a level alone
    counts) and see the roles that fit best, with coverage, what each lacks and a link to its
    gap analysis. ``find`` narrows the list of competencies."""
    params = [(k, v) for k, v in request.query_params.multi_items()
              if k not in ("lang", "action")]
    invalid = False

    def build(language: str) -> str:
        nonlocal invalid
        body, invalid = render.render_match(ctx, language, params)
        return body

    response = _page(request, lang, build)
    if invalid:  # the form is shown again with its errors, everything entered kept
        response.status_code = 422
    return response


@router.get("/training-formats", response_class=HTMLResponse, summary="Training formats page",
            responses=_ok("text/html", _example("Qualifizierungsformate"),
                          "The formats, filtered"))
def formats_page(
    request: Request, ctx: CtxDep, lang: LangParam = None,
    kind: Annotated[str | None, Query(description="ausbildung, fortbildung or weiterbildung"
                                      )] = None,
    provider: Annotated[str | None, Query(description="A provider (IRI or name)")] = None,
    legal_basis: Annotated[str | None, Query(description="A legal basis (slug); its "
                                                         "provisions count")] = None,
    competency: Annotated[str | None, Query(description="A competency (slug); narrower ones "
                                                        "count")] = None,
) -> HTMLResponse:
    """Every training format with kind, provider, legal bases and competencies, filtered."""
    chosen = {k: v for k, v in zip(FORMAT_FILTERS, (kind, provider, legal_basis, competency),
                                   strict=True) if v}
    return _page(request, lang, lambda language: render.render_formats(ctx, language, chosen))


@router.get("/training-formats/{id}", response_class=HTMLResponse,
            summary="Training format page",
            responses={**_ok("text/html", _example("eGov-Campus: Prozessmanagement im "
                                                   "öffentlichen Sektor"), "The offer page"),
                       **BAD_TABLE_PAGE},
            openapi_extra={"parameters": table_page_params(OFFER_TABLES)})
def offer_page(id: FormatId, request: Request, ctx: CtxDep,
               lang: LangParam = None, changed_since: ChangedSinceParam = None) -> HTMLResponse:
    """A training format: kind, provider, duration, mode, cost, link, legal bases (marked when
    changed since ``changed_since``) and the competencies it develops."""
    return _page(request, lang, lambda language: render.render_offer(
        ctx, id, language, changed_since=changed_since,
        params=request.query_params.multi_items()))


@router.get("/legal-bases", response_class=HTMLResponse, summary="Legal bases page",
            responses=_ok("text/html", _example("Rechtsgrundlagen"), "Legal bases by act"))
def legal_bases_page(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Legal bases grouped by act, provisions in natural order, each with the roles, tasks and
    training formats resting on it."""
    return _page(request, lang, lambda language: render.render_legal_bases(ctx, language))


@router.get("/competencies", response_class=HTMLResponse, summary="Competencies page",
            responses=_ok("text/html", _example("Kompetenzen"), "The tree by framework"))
def competencies_page(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Every competency in a tree per framework."""
    return _page(request, lang, lambda language: render.render_competencies(ctx, language))


@router.get("/roles", response_class=HTMLResponse, summary="Roles page",
            responses=_ok("text/html", _example("Rollen"), "The roles by group"))
def roles_page(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Every role, by role group."""
    return _page(request, lang, lambda language: render.render_roles(ctx, language))
