"""Routes: the HTML pages for planners, their CSV tables and the paths diagram as SVG.

``/`` home, ``/roles/{id}``, ``/competencies/{id}`` (with ``/competencies/{id}/paths.svg``),
``/gap`` (form and result); every table also as ``…/{table}.csv``. Pages are German unless
``?lang=en``. Errors on HTML pages are HTML pages with the status; on CSV and SVG, problems.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from importlib.resources import files
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from qualifica.api.deps import CtxDep
from qualifica.api.params import ChangedSinceParam, LangParam
from qualifica.context import Context
from qualifica.errors import BadParameter, NotFound, QualificaError
from qualifica.web import gapview, paging, render
from qualifica.web.competency_view import COMPETENCY_TABLES, competency_view
from qualifica.web.i18n import pick_lang, words
from qualifica.web.resource_view import ResourceView
from qualifica.web.role_view import ROLE_TABLES, role_view
from qualifica.web.tables import BOM, SEPARATORS, Table, table_csv, table_xlsx

log = logging.getLogger(__name__)

router = APIRouter(tags=["pages"])

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Sep = Annotated[Literal["comma", "semicolon"] | None, Query(
    description="Field separator: comma (default) or semicolon (for Excel set to German)",
    examples=["semicolon"])]
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8"}

RoleId = Annotated[str, Path(description="Role slug", openapi_examples={
    "prozessmanager": {"value": "prozessmanager"}, "cio": {"value": "cio"}})]
CompetencyId = Annotated[str, Path(description="Competency slug", openapi_examples={
    "digcomp-4-2": {"value": "digcomp-4-2"}, "digcomp-2-2": {"value": "digcomp-2-2"}})]
RoleTable = Annotated[str, Path(description="tasks, groups, requirements, formats or legal-bases",
                                examples=["requirements"])]
CompetencyTable = Annotated[str, Path(description="paths, formats, broader or narrower",
                                      examples=["paths"])]
GapTable = Annotated[str, Path(description="gaps or recommendations", examples=["gaps"])]

# Answers over the bundled graph (German, the default; shortened).
_ROLE_HTML = """<!DOCTYPE html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <title>Prozessmanager/-in – Qualifica</title>
  …"""
_COMPETENCY_HTML = """<!DOCTYPE html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <title>Schutz personenbezogener Daten und der Privatsphäre – Qualifica</title>
  …"""
_GAP_HTML = """<!DOCTYPE html>
<html lang="de">
<head>
  <meta charset="utf-8">
  <title>Lückenanalyse: Prozessmanager/-in – Qualifica</title>
  …"""
# The CSV downloads quote every cell (see web.tables).
_ROLE_CSV = (
    '\ufeff'
    '"Kompetenz","Kompetenz IRI","Rahmenwerk","Rahmenwerk IRI","Gefordertes Niveau",'
    '"Gefordertes Niveau IRI","Wesentlich","Herkunft","Quelle"\r\n'
    '"Gesellschaftliche Teilhabe mithilfe digitaler Technologien",'
    '"https://w3id.org/qualifica/id/competency/digcomp-2-3","DigComp 2.2",'
    '"https://w3id.org/qualifica/id/framework/digcomp-2-2","Fortgeschritten 5",'
    '"https://w3id.org/qualifica/id/level/digcomp-5","ja","Verwaltungsleistungen digitalisieren",'
    '"redaktionell"\r\n'
)
_COMPETENCY_CSV = (
    '\ufeff'
    '"Rolle","Rolle IRI","Aufgabe","Aufgabe IRI","Kompetenz","Kompetenz IRI",'
    '"Gefordertes Niveau","Wesentlich","Pfad"\r\n'
    '"Anwender/-in (Bürger/-in, Unternehmen)","https://w3id.org/qualifica/id/role/anwender",'
    '"","",'
    '"Schutz personenbezogener Daten und der Privatsphäre",'
    '"https://w3id.org/qualifica/id/competency/digcomp-4-2","Selbstständig 3","ja",'
    '"Schutz personenbezogener Daten und der Privatsphäre → Anwender/-in (Bürger/-in, '
    'Unternehmen)"\r\n'
    '"CIO","https://w3id.org/qualifica/id/role/cio","","","Sicherheit",'
    '"https://w3id.org/qualifica/id/competency/digcomp-4","Fortgeschritten 5","ja",'
    '"Schutz personenbezogener Daten und der Privatsphäre → Sicherheit → CIO"\r\n'
)
_GAP_CSV = (
    '\ufeff'
    '"Kompetenz","Kompetenz IRI","Gefordertes Niveau","Vorhandenes Niveau","Wesentlich",'
    '"Status"\r\n'
    '"Kreatives Nutzen digitaler Technologien",'
    '"https://w3id.org/qualifica/id/competency/digcomp-5-3","Fortgeschritten 6",'
    '"nicht vorhanden","ja","fehlt"\r\n'
    '"Schutz personenbezogener Daten und der Privatsphäre",'
    '"https://w3id.org/qualifica/id/competency/digcomp-4-2","Fortgeschritten 5",'
    '"Selbstständig 4","ja","teilweise"\r\n'
)
_SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="1152" height="526" '
        'viewBox="0 0 1152 526" role="group" aria-labelledby="paths-title" '
        'class="paths-diagram"><title id="paths-title">Pfade Kompetenz → Aufgabe → Rolle: '
        'Schutz personenbezogener Daten und der Privatsphäre</title>…</svg>')


def _ok(media: str, example: str, description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answer of one media type with a real example, and the 404 of a page."""
    return {200: {"description": description, "content": {media: {"example": example}}},
            404: {"description": "No such resource or table"}}


#: The query parameters of the gap analysis (besides ``lang``), with the example of the tables.
_GAP_PARAMS: list[dict[str, Any]] = [
    {"name": "role", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Role slug", "example": "prozessmanager"},
    {"name": "held", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "A competency held (repeated)", "example": ["digcomp-4-2"]},
    {"name": "level-digcomp-4-2", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1},
     "description": "The level held of a competency: one parameter level-{competency} per "
                    "held competency (here digcomp-4-2); a level chosen counts as held, "
                    "with or without held", "example": 4},
    {"name": "analyse", "in": "query", "required": False, "schema": {"type": "string"},
     "allowEmptyValue": True, "description": "Show the result (also implied by a level held)"},
]
_GAP_FORM: dict[str, Any] = {"content": {"application/x-www-form-urlencoded": {
    "schema": {"type": "object", "properties": {
        "role": {"type": "string"}, "held": {"type": "array", "items": {"type": "string"}},
        "lang": {"type": "string"}}, "additionalProperties": {"type": "string"}},
    "example": {"role": "prozessmanager", "held": ["digcomp-4-2"], "level-digcomp-4-2": "4"},
}}}


class _TabledPage(Protocol):
    """A role or competency page: the resource shown and its tables."""

    resource: ResourceView
    tables: dict[str, Table]


def _html(body: str, lang: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status,
                        headers={"Content-Language": lang, "Vary": "Accept-Language"})


def _page(request: Request, lang: str | None, build: Callable[[str], str]) -> HTMLResponse:
    """Render a page; a Qualifica error becomes an HTML error page with its status."""
    language = pick_lang(lang)
    try:
        return _html(build(language), language)
    except QualificaError as exc:
        if exc.status >= 500:
            log.warning("%s on %s: %s", type(exc).__name__, request.url.path, exc.detail)
        return _html(render.render_error(exc.status, exc.detail, language, request.url.path,
                                         getattr(exc, "param", None),
                                         worded=bool(exc.extra.get("worded"))),
                     language, exc.status)


def _download_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "table"


def _csv(table: Table, name: str, sep: str | None = None) -> Response:
    """The CSV download: UTF-8 with a byte order mark (Excel), ``,`` or ``;`` between fields."""
    text = BOM + table_csv(table, SEPARATORS[sep or "comma"])
    return Response(text, media_type=CSV, headers={
        "Content-Disposition": f'attachment; filename="{_download_name(name)}.csv"'})


def _xlsx(table: Table, name: str) -> Response:
    return Response(table_xlsx(table), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{_download_name(name)}.xlsx"'})


def _xlsx_ok(example_name: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of an Excel download, and the 404 of a page."""
    return {200: {"description": "The table as an Excel workbook",
                  "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                  "headers": {"Content-Disposition": {
                      "schema": {"type": "string"},
                      "example": f'attachment; filename="{example_name}"'}}},
            404: {"description": "No such resource or table"}}


def _table(tables: dict[str, Table], name: str) -> Table:
    try:
        return tables[name]
    except KeyError:
        raise NotFound(f"there is no table {name!r}; tables: {', '.join(sorted(tables))}",
                       id=name) from None


def _page_table(view: Callable[[Context, str, str, dict[str, str]], _TabledPage],
                ctx: Context, id: str, table: str, lang: str | None) -> tuple[Table, str]:
    """A table of a role or competency page and its download name ``{slug}-{table}``."""
    language = pick_lang(lang)
    built = view(ctx, id, language, words(language))
    return _table(built.tables, table), f"{built.resource.ref.id}-{table}"


@router.get("/", response_class=HTMLResponse, summary="Home page", include_in_schema=False)
def home(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Roles and competencies by framework, search and links to the tools."""
    return _page(request, lang, lambda language: render.render_home(ctx, language))


#: The answer of a page with tables in pages of rows to a bad ``page-{table}`` parameter.
BAD_TABLE_PAGE: dict[int | str, dict[str, Any]] = {
    400: {"description": "A page-{table} parameter that is not a whole number from 1, or is "
                         "given twice (an HTML page naming it)"}}


def table_page_params(tables: Iterable[str]) -> list[dict[str, Any]]:
    """The ``page-{table}`` query parameters of a page's tables (``web.paging``)."""
    return [{"name": paging.param(name), "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "default": 1},
             "description": f"The page of rows of the table {name} (400 for a value that is "
                            "not a whole number from 1, 404 past its last page)"}
            for name in tables]


@router.get("/roles/{id}", response_class=HTMLResponse, summary="Role page",
            responses={**_ok("text/html", _ROLE_HTML, "The role page"), **BAD_TABLE_PAGE},
            openapi_extra={"parameters": table_page_params(ROLE_TABLES)})
def role_page(id: RoleId, request: Request, ctx: CtxDep, lang: LangParam = None,
              changed_since: ChangedSinceParam = None) -> HTMLResponse:
    """A role: its tasks, competency requirements with levels, training formats and legal
    bases (marked when changed since ``changed_since``)."""
    return _page(request, lang, lambda language: render.render_role(
        ctx, id, language, changed_since=changed_since,
        params=request.query_params.multi_items()))


@router.get("/roles/{id}/{table}.csv", summary="A table of a role page as CSV",
            response_class=Response,
            responses=_ok("text/csv", _ROLE_CSV, "prozessmanager-requirements.csv (shortened)"))
def role_csv(id: RoleId, table: RoleTable, ctx: CtxDep, lang: LangParam = None,
             sep: Sep = None) -> Response:
    """``tasks``, ``groups``, ``requirements``, ``formats`` or ``legal-bases`` of a role."""
    return _csv(*_page_table(role_view, ctx, id, table, lang), sep)


@router.get("/roles/{id}/{table}.xlsx", summary="A table of a role page as an Excel workbook",
            response_class=Response, responses=_xlsx_ok("prozessmanager-requirements.xlsx"))
def role_xlsx(id: RoleId, table: RoleTable, ctx: CtxDep, lang: LangParam = None) -> Response:
    """``tasks``, ``groups``, ``requirements``, ``formats`` or ``legal-bases`` of a role."""
    return _xlsx(*_page_table(role_view, ctx, id, table, lang))


@router.get("/competencies/{id}", response_class=HTMLResponse, summary="Competency page",
            responses={**_ok("text/html", _COMPETENCY_HTML, "The competency page"),
                       **BAD_TABLE_PAGE},
            openapi_extra={"parameters": table_page_params(COMPETENCY_TABLES)})
def competency_page(id: CompetencyId, request: Request, ctx: CtxDep,
                    lang: LangParam = None) -> HTMLResponse:
    """A competency with the diagram of its paths to roles, and the formats developing it."""
    return _page(request, lang, lambda language: render.render_competency(
        ctx, id, language, params=request.query_params.multi_items()))


@router.get("/competencies/{id}/paths.svg", summary="Paths diagram of a competency (SVG)",
            response_class=Response,
            responses=_ok("image/svg+xml", _SVG, "The diagram of digcomp-4-2 (shortened)"))
def competency_svg(id: CompetencyId, ctx: CtxDep, lang: LangParam = None) -> Response:
    """The diagram competency → (broader) → task → role, drawn on the server."""
    language = pick_lang(lang)
    view = competency_view(ctx, id, language, words(language))
    svg = render.competency_svg(view, language)
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + svg,
                    media_type="image/svg+xml", headers={"Content-Language": language})


@router.get("/competencies/{id}/{table}.csv", summary="A table of a competency page as CSV",
            response_class=Response,
            responses=_ok("text/csv", _COMPETENCY_CSV, "digcomp-4-2-paths.csv (shortened)"))
def competency_csv(id: CompetencyId, table: CompetencyTable, ctx: CtxDep,
                   lang: LangParam = None, sep: Sep = None) -> Response:
    """``paths``, ``formats``, ``broader`` or ``narrower`` of a competency."""
    return _csv(*_page_table(competency_view, ctx, id, table, lang), sep)


@router.get("/competencies/{id}/{table}.xlsx",
            summary="A table of a competency page as an Excel workbook",
            response_class=Response, responses=_xlsx_ok("digcomp-4-2-paths.xlsx"))
def competency_xlsx(id: CompetencyId, table: CompetencyTable, ctx: CtxDep,
                    lang: LangParam = None) -> Response:
    """``paths``, ``formats``, ``broader`` or ``narrower`` of a competency."""
    return _xlsx(*_page_table(competency_view, ctx, id, table, lang))


def _gap_params(request: Request, form: list[tuple[str, str]] | None = None
                ) -> list[tuple[str, str]]:
    items = form if form is not None else list(request.query_params.multi_items())
    return [(k, v) for k, v in items if k != "lang"]


def _gap_page(request: Request, ctx: CtxDep, lang: str | None,
              params: list[tuple[str, str]]) -> HTMLResponse:
    values = dict(params)
    role = values.get("role") or None

    def build(language: str) -> str:
        held = gapview.parse_held(params)
        form = gapview.build_form(ctx, role, held, language)
        result = None
        if role and ("analyse" in values or held):
            result = gapview.analyse(ctx, role, held, language, words(language))
        return render.render_gap(ctx, language, form, result, params)

    return _page(request, lang, build)


@router.get("/gap", response_class=HTMLResponse, summary="Gap analysis page",
            responses=_ok("text/html", _GAP_HTML, "The form, and the result for a role"),
            openapi_extra={"parameters": _GAP_PARAMS})
def gap_page(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Choose a role, tick the competencies held and their levels, and see coverage, gaps and
    recommended formats. Parameters: ``role``, ``held`` (repeated), ``level-{competency}``."""
    return _gap_page(request, ctx, lang, _gap_params(request))


@router.post("/gap", response_class=HTMLResponse, summary="Gap analysis page (form post)",
             responses=_ok("text/html", _GAP_HTML, "The form, and the result for a role"),
             openapi_extra={"requestBody": _GAP_FORM})
async def gap_post(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """The same as ``GET /gap`` with the parameters as a form body."""
    form = await request.form()
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    language = lang or next((v for k, v in items if k == "lang"), None)
    return _gap_page(request, ctx, language, _gap_params(request, items))


@router.get("/gap/{table}.csv", summary="A table of the gap analysis as CSV",
            response_class=Response,
            responses=_ok("text/csv", _GAP_CSV,
                          "gap-prozessmanager-gaps.csv for held=digcomp-4-2 at level 4 "
                          "(shortened)"),
            openapi_extra={"parameters": _GAP_PARAMS[:3]})
def gap_csv(table: GapTable, request: Request, ctx: CtxDep, lang: LangParam = None,
            sep: Sep = None) -> Response:
    """``gaps`` or ``recommendations`` for the same parameters as ``/gap``."""
    return _csv(*_gap_table(request, ctx, table, lang), sep)


@router.get("/gap/{table}.xlsx", summary="A table of the gap analysis as an Excel workbook",
            response_class=Response, responses=_xlsx_ok("gap-prozessmanager-gaps.xlsx"),
            openapi_extra={"parameters": _GAP_PARAMS[:3]})
def gap_xlsx(table: GapTable, request: Request, ctx: CtxDep, lang: LangParam = None
             ) -> Response:
    """``gaps`` or ``recommendations`` for the same parameters as ``/gap``."""
    return _xlsx(*_gap_table(request, ctx, table, lang))


def _gap_table(request: Request, ctx: Context, table: str, lang: str | None
               ) -> tuple[Table, str]:
    language = pick_lang(lang)
    params = [(k, v) for k, v in _gap_params(request) if k != "sep"]
    role = dict(params).get("role")
    if not role:
        raise BadParameter("parameter 'role' is required", param="role", status=422)
    held = gapview.parse_held(params)
    result = gapview.analyse(ctx, role, held, language, words(language))
    return _table(result.tables, table), f"gap-{role}-{table}"


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """The stylesheet and scripts of the pages (no CDN)."""
    suffix = name[name.rfind("."):] if "." in name else ""
    if not re.fullmatch(r"[a-z0-9-]+\.[a-z]+", name) or suffix not in _STATIC_TYPES:
        raise NotFound(f"there is no static file {name!r}", id=name)
    resource = files("qualifica.web").joinpath("static", name)
    if not resource.is_file():
        raise NotFound(f"there is no static file {name!r}", id=name)
    return Response(resource.read_bytes(), media_type=_STATIC_TYPES[suffix],
                    headers={"Cache-Control": "public, max-age=3600"})
