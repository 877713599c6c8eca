"""Routes: legal bases over time — ``GET /api/legal-changes`` (JSON) and the planners' page
``/legal-changes`` (HTML). The legal bases in force on a day are ``/api/legal-bases?in_force_on=``
(``rest``), the versions of one are part of its detail and of its page."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from qualifica.api.deps import CtxDep
from qualifica.api.examples import node, problem
from qualifica.api.params import LangParam
from qualifica.errors import QualificaError
from qualifica.linkeddata import legal
from qualifica.web import render
from qualifica.web.i18n import pick_lang
from qualifica.web.legal_view import EARLIEST, LATEST

log = logging.getLogger(__name__)

router = APIRouter()

FromQuery = Annotated[str | None, Query(
    alias="from", description="First day (YYYY-MM-DD) on which a change takes effect; "
                              "default: no lower bound", examples=["2020-01-01"])]
ToQuery = Annotated[str | None, Query(
    description="Last day (YYYY-MM-DD); default: no upper bound", examples=["2025-12-31"])]
ActQuery = Annotated[str | None, Query(
    description="Only changes of this act's provisions or made by it (slug or IRI)",
    examples=["ozg"])]

_CHANGE_EXAMPLE: dict[str, Any] = {
    "date": "2021-07-07", "kind": "renumbered",
    "provision": node("legal-basis", "bbg-61", "§ 61 BBG"),
    "old_version": node("legal-basis", "bbg-61-fassung-2009", "§ 61 BBG (Fassung 2009)"),
    "new_version": node("legal-basis", "bbg-61-fassung-2021", "§ 61 BBG (Fassung 2021)"),
    "changed_by": node("legal-basis", "bbg-aenderung-2021",
                       "Gesetz zur Regelung des Erscheinungsbilds … vom 28. Juni 2021"),
    "affected": {"role": [], "task": [], "offer": [], "requirement": []},
}


@router.get(
    "/api/legal-changes", tags=["legal"], summary="Legal changes between two dates",
    responses={
        200: {"description": "The changes, newest first",
              "content": {"application/json": {"example": {
                  "from": "2021-01-01", "to": "2021-12-31", "act": "bbg",
                  "items": [_CHANGE_EXAMPLE], "total": 1}}}},
        422: problem(422, "Bad request", "parameter 'from' must be a date YYYY-MM-DD, "
                     "got '2021-13-01'", "from"),
    },
)
def legal_changes(ctx: CtxDep, from_: FromQuery = None, to: ToQuery = None,
                  act: ActQuery = None, lang: Literal["de", "en"] = "de") -> JSONResponse:
    """Every change to a legal basis taking effect in the range (both days included): the
    provision, its old and new version, the amending act, the kind of change (added, amended,
    renumbered, replaced, repealed) and the roles, tasks, offers and competency requirements
    resting on the provision. The same as the named query ``legal-changes`` with what each
    change affects."""
    start = legal.parse_day(from_, "from") or EARLIEST
    end = legal.parse_day(to, "to") or LATEST
    changes = legal.legal_changes(ctx, start, end, lang, act)
    return JSONResponse({"from": from_ or None, "to": to or None, "act": act or None,
                         "items": [c.as_json() for c in changes], "total": len(changes)})


@router.get("/legal-changes", response_class=HTMLResponse, tags=["pages"],
            summary="Legal changes page",
            responses={200: {"description": "The timeline of legal changes",
                             "content": {"text/html": {"example": "<!DOCTYPE html>…"}}}})
def legal_changes_page(request: Request, ctx: CtxDep, from_: FromQuery = None,
                       to: ToQuery = None, act: ActQuery = None,
                       lang: LangParam = None) -> HTMLResponse:
    """For planners: the changes to the legal bases, newest first, with what each affects;
    filter by act and date range."""
    language = pick_lang(lang)
    headers = {"Content-Language": language, "Vary": "Accept-Language"}
    try:
        body = render.render_legal_changes(ctx, language, act, from_, to)
        return HTMLResponse(body, headers=headers)
    except QualificaError as exc:
        if exc.status >= 500:
            log.warning("%s on %s: %s", type(exc).__name__, request.url.path, exc.detail)
        page = render.render_error(exc.status, exc.detail, language, request.url.path,
                                   getattr(exc, "param", None))
        return HTMLResponse(page, status_code=exc.status, headers=headers)
