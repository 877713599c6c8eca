"""Routes: the REST API for partner systems — listings, details, search, hierarchy, and the
JSON-LD context every JSON answer links.

Thin wrappers over ``qualifica.linkeddata.catalogue`` / ``details`` / ``search``; every id and
filter value becomes an IRI in ``sparql.binding`` (through the catalogue).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL

from qualifica.api import models
from qualifica.api.deps import CtxDep
from qualifica.api.examples import node, problem
from qualifica.config import Settings
from qualifica.context import Context
from qualifica.linkeddata import catalogue as cat_mod
from qualifica.linkeddata import legal
from qualifica.linkeddata.catalogue import (
    MAX_LIMIT,
    Catalogue,
    Page,
    built_catalogue,
    catalogue_for,
    listing,
    paginate,
)
from qualifica.linkeddata.context import CONTEXT_PATH, context_document
from qualifica.linkeddata.details import detail, detail_json, successor_links
from qualifica.linkeddata.search import MAX_LIMIT as SEARCH_MAX
from qualifica.linkeddata.search import parse_types, search

router = APIRouter()

Lang = Literal["de", "en"]
LangQuery = Annotated[Lang, Query(description="Language of labels and definitions "
                                              "(fallback: the other language)")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}")]
OffsetQuery = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")]
DeprecatedQuery = Annotated[bool, Query(
    description="Also list deprecated resources (owl:deprecated true); they are left out by "
                "default but always resolve under their own IRI")]


CursorQuery = Annotated[str | None, Query(
    max_length=4096,
    description="Walk the listing in IRI order instead of label order: `cursor=` (empty) "
                "starts, `next` continues. A walk sees every resource that exists from its "
                "start to its end exactly once, whatever is written meanwhile; `offset` is "
                "ignored.")]


ModifiedSinceQuery = Annotated[datetime | None, Query(
    description="Only resources whose dcterms:modified is at or after this moment "
                "(ISO 8601; no zone: UTC); resources without dcterms:modified are left out",
    examples=["2026-11-30T00:00:00Z"])]


@dataclass
class ListParams:
    """The query parameters every listing takes: language, page and deprecated resources."""

    lang: LangQuery = "de"
    limit: LimitQuery = 50
    offset: OffsetQuery = 0
    deprecated: DeprecatedQuery = False
    cursor: CursorQuery = None
    modified_since: ModifiedSinceQuery = None


ListQuery = Annotated[ListParams, Depends()]

NOT_FOUND = problem(404, "Not found", "there is no role 'nobody'", "id")
BAD_LIMIT = problem(422, "Unprocessable request", "limit: Input should be less than or equal "
                     "to 500", "limit")


def _ok(example: Any, description: str = "The answer (JSON-LD under /context.jsonld)"
        ) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"example": example}}}


def _listing_example(collection: str, kind: str, slug: str, label: str) -> dict[int | str, Any]:
    url = f"http://127.0.0.1:8000/api/{collection}"
    return {
        200: _ok({"items": [node(kind, slug, label)], "total": 41, "limit": 1, "offset": 1,
                  "next": f"{url}?limit=1&offset=2", "prev": f"{url}?limit=1&offset=0",
                  "first": f"{url}?limit=1&offset=0"}),
        404: problem(404, "Not found", "there is no framework 'nope'", "framework"),
        422: BAD_LIMIT,
    }


#: The characters a path may hold unencoded (RFC 3986 ``pchar`` and ``/``).
_PCHAR = "/:@!$&'()*+,;=-._~"


def _envelope(request: Request, settings: Settings, page: Page,
              extra: dict[str, Any] | None = None) -> JSONResponse:
    """A listing page with ``next``/``prev`` links in the body and the ``Link`` header, under
    the public base URL (never the request's ``Host``)."""
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    url = URL(settings.public_base + quote(path.lstrip("/"), safe=_PCHAR)).replace(
        query=request.url.query)

    def at(offset: int) -> str:
        return str(url.include_query_params(limit=page.limit, offset=offset))

    def walk(cursor: str) -> str:
        return str(url.remove_query_params("offset").include_query_params(
            limit=page.limit, cursor=cursor))

    if page.cursor is not None:
        nxt = walk(page.next_cursor) if page.next_cursor else None
        prev = None
        first = walk("")
    else:
        nxt = at(page.offset + page.limit) if page.has_next else None
        prev = at(max(0, page.offset - page.limit)) if page.has_prev else None
        first = at(0)
    body: dict[str, Any] = dict(extra or {})
    body.update(items=page.items, total=page.total, limit=page.limit, offset=page.offset,
                next=nxt, prev=prev, first=first)
    links = [f'<{nxt}>; rel="next"'] if nxt else []
    if prev:
        links.append(f'<{prev}>; rel="prev"')
    links.append(f'<{first}>; rel="first"')
    return JSONResponse(body, headers={"Link": ", ".join(links)})


# --- the context ----------------------------------------------------------------------------

@router.get(CONTEXT_PATH, tags=["rest"], summary="The JSON-LD context of the REST API",
            response_class=JSONResponse,
            responses={200: {"description": "The context",
                             "content": {"application/ld+json": {"example": {
                                 "@context": {"iri": "@id", "label": "skos:prefLabel"}}}}}})
def jsonld_context() -> JSONResponse:
    """The ``@context`` under which every JSON answer of ``/api/`` is JSON-LD (cacheable, CORS)."""
    return JSONResponse(
        context_document(), media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=86400",
                 "Access-Control-Allow-Origin": "*"},
    )


# --- listings -------------------------------------------------------------------------------

def _list(request: Request, ctx: CtxDep, collection: str, params: ListParams, *,
          among: Collection[str] | None = None, **filters: str | None) -> Response:
    """A listing page with ``Last-Modified`` (the latest ``dcterms:modified`` of all matching
    resources) and ``304 Not Modified`` when ``If-Modified-Since`` is not older."""
    cat = catalogue_for(ctx)
    found = cat_mod.members(cat, collection, filters, params.modified_since, among)
    changed = cat_mod.last_modified(cat, found)
    since = _if_modified_since(request)
    if changed is not None and since is not None and changed.replace(microsecond=0) <= since:
        return Response(status_code=304, headers={"Last-Modified": _http_date(changed)})
    page = listing(cat, collection, lang=params.lang, limit=params.limit,
                   offset=params.offset, filters=filters, deprecated=params.deprecated,
                   cursor=params.cursor, since=params.modified_since, among=among)
    response = _envelope(request, ctx.settings, page)
    if changed is not None:
        response.headers["Last-Modified"] = _http_date(changed)
    return response


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _if_modified_since(request: Request) -> datetime | None:
    raw = request.headers.get("if-modified-since")
    if not raw:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None  # RFC 9110: an invalid date is ignored
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@router.get("/api/roles", tags=["rest"], response_model=models.Page, summary="Roles",
            responses=_listing_example("roles", "role", "prozessmanager", "Prozessmanager/-in"))
def list_roles(
    request: Request, ctx: CtxDep, params: ListQuery,
    legal_basis: Annotated[str | None, Query(
        description="Only roles governed by this legal basis or one of its provisions "
                    "(slug or IRI)", examples=["bbig"])] = None,
) -> Response:
    """Roles ordered by label then IRI."""
    return _list(request, ctx, "roles", params, legal_basis=legal_basis)


@router.get("/api/tasks", tags=["rest"], response_model=models.Page, summary="Tasks",
            responses=_listing_example("tasks", "task", "prozesse-modellieren",
                                       "Prozesse modellieren"))
def list_tasks(
    request: Request, ctx: CtxDep, params: ListQuery,
    legal_basis: Annotated[str | None, Query(description="Only tasks governed by this legal "
                                                         "basis (slug or IRI)")] = None,
) -> Response:
    """Tasks ordered by label then IRI."""
    return _list(request, ctx, "tasks", params, legal_basis=legal_basis)


@router.get("/api/competencies", tags=["rest"], response_model=models.Page, summary="Competencies",
            responses=_listing_example("competencies", "competency", "digcomp-4-2",
                                       "Schutz personenbezogener Daten und der Privatsphäre"))
def list_competencies(
    request: Request, ctx: CtxDep, params: ListQuery,
    framework: Annotated[str | None, Query(description="Only competencies of this framework "
                                                       "(slug or IRI)",
                                           examples=["digcomp-2-2"])] = None,
    broader: Annotated[str | None, Query(description="Only direct narrower competencies of "
                                                     "this one (slug or IRI)",
                                         examples=["digcomp-4"])] = None,
) -> Response:
    """Competencies ordered by label then IRI."""
    return _list(request, ctx, "competencies", params, framework=framework,
                 broader=broader)


@router.get("/api/training-formats", tags=["rest"], response_model=models.Page,
            summary="Training formats",
            responses=_listing_example("training-formats", "training-format",
                                       "egov-campus-prozessmanagement",
                                       "Prozessmanagement im öffentlichen Sektor"))
def list_formats(
    request: Request, ctx: CtxDep, params: ListQuery,
    kind: Annotated[str | None, Query(description="Only formats of this training kind: "
                                                  "ausbildung, fortbildung, weiterbildung "
                                                  "or an IRI",
                                      examples=["fortbildung"])] = None,
    competency: Annotated[str | None, Query(description="Only formats that develop this "
                                                        "competency (slug or IRI)",
                                            examples=["digcomp-4-2"])] = None,
) -> Response:
    """Training formats ordered by label then IRI."""
    return _list(request, ctx, "training-formats", params, kind=kind,
                 competency=competency)


@router.get("/api/legal-bases", tags=["rest"], response_model=models.Page, summary="Legal bases",
            responses=_listing_example("legal-bases", "legal-basis", "bbig-1", "§ 1 BBiG"))
def list_legal_bases(
    request: Request, ctx: CtxDep, params: ListQuery,
    part_of: Annotated[str | None, Query(description="Only provisions of this act "
                                                     "(slug or IRI)",
                                         examples=["bbig"])] = None,
    in_force_on: Annotated[str | None, Query(
        description="Only the legal bases in force on this day (YYYY-MM-DD): see the named "
                    "query legal-bases-in-force", examples=["2022-01-01"])] = None,
) -> Response:
    """Acts, ordinances, collective agreements and their provisions."""
    day = legal.parse_day(in_force_on, "in_force_on")
    among = legal.in_force_on(ctx, day) if day else None
    return _list(request, ctx, "legal-bases", params, among=among, part_of=part_of)


@router.get("/api/frameworks", tags=["rest"], response_model=models.Page,
            summary="Competency frameworks",
            responses=_listing_example("frameworks", "framework", "digcomp-2-2", "DigComp 2.2"))
def list_frameworks(request: Request, ctx: CtxDep, params: ListQuery) -> Response:
    """Competency frameworks ordered by label then IRI."""
    return _list(request, ctx, "frameworks", params)


@router.get("/api/levels", tags=["rest"], response_model=models.Page, summary="Proficiency levels",
            responses=_listing_example("levels", "level", "digcomp-4", "Stufe 4"))
def list_levels(
    request: Request, ctx: CtxDep, params: ListQuery,
    framework: Annotated[str | None, Query(description="Only levels of this framework's scale"
                                           )] = None,
) -> Response:
    """Proficiency levels ordered by label then IRI."""
    return _list(request, ctx, "levels", params, framework=framework)


# --- search and hierarchy -------------------------------------------------------------------

@router.get("/api/search", tags=["rest"], response_model=models.SearchResult,
            summary="Search and autocomplete over labels",
            responses={
                200: _ok({"query": "datenschutz", "items": [
                    dict(node("competency", "digcomp-4-2", "Schutz personenbezogener Daten "
                                                            "und der Privatsphäre"),
                         match="word", matched="Datenschutz")], "total": 1}),
                422: problem(422, "Unprocessable request", "parameter 'type': unknown type "
                              "'roll'", "type"),
            })
def search_labels(
    ctx: CtxDep,
    q: Annotated[str, Query(min_length=1, max_length=200,
                            description="Text to find in preferred and alternative labels "
                                        "(both languages; case- and umlaut-tolerant)",
                            examples=["Datenschutz"])],
    type: Annotated[str | None, Query(description="Comma-separated kinds: role, task, "
                                                  "competency, framework, training-format, "
                                                  "legal-basis, level",
                                      examples=["competency"])] = None,
    lang: LangQuery = "de",
    limit: Annotated[int, Query(ge=1, le=SEARCH_MAX, description="At most this many "
                                                                 "results")] = 20,
    deprecated: Annotated[bool, Query(description="Also find deprecated resources "
                                                  "(owl:deprecated true)")] = False,
) -> dict[str, Any]:
    """Exact matches first, then prefix, then word start, then anywhere; ties by label.
    Deprecated resources only with ``deprecated=true``."""
    items = search(catalogue_for(ctx), q, types=parse_types(type), lang=lang, limit=limit,
                   deprecated=deprecated)
    return {"query": q, "items": items, "total": len(items)}


@router.get("/api/frameworks/{id:path}/top", tags=["rest"],
            response_model=models.FrameworkTopPage,
            summary="Top competencies of a framework",
            responses={200: _ok({"framework": node("framework", "digcomp-2-2", "DigComp 2.2"),
                                 "items": [node("competency", "digcomp-4", "Sicherheit")],
                                 "total": 5, "limit": 50, "offset": 0, "next": None,
                                 "prev": None}),
                       404: NOT_FOUND, 422: BAD_LIMIT})
def framework_top(request: Request, id: str, ctx: CtxDep, params: ListQuery) -> JSONResponse:
    """Competencies of the framework that have no broader competency in it."""
    cat = catalogue_for(ctx)
    iri = cat.resolve(id, "framework", param="id")
    return _envelope(request, ctx.settings, _page(cat, cat.top_concepts(iri), params),
                     {"framework": cat.node(iri, params.lang)})


def _page(cat: cat_mod.Catalogue, iris: list[str], params: ListParams) -> Page:
    if params.cursor is not None:
        return cat_mod.cursor_page(cat, iris, params.lang, params.limit, params.cursor,
                                   deprecated=params.deprecated)
    return paginate(cat, iris, params.lang, params.limit, params.offset,
                    deprecated=params.deprecated)


def _hierarchy(request: Request, ctx: CtxDep, id: str, direction: str, transitive: bool,
               params: ListParams) -> JSONResponse:
    cat = catalogue_for(ctx)
    competency, found = cat_mod.hierarchy(cat, id, direction, lang=params.lang,
                                          transitive=transitive)
    return _envelope(request, ctx.settings, _page(cat, found, params),
                     {"competency": competency})


_HIER_EXAMPLE: dict[int | str, Any] = {
    200: _ok({"competency": node("competency", "digcomp-4", "Sicherheit"),
              "items": [node("competency", "digcomp-4-2", "Schutz personenbezogener Daten "
                                                           "und der Privatsphäre")],
              "total": 4, "limit": 50, "offset": 0, "next": None, "prev": None}),
    404: problem(404, "Not found", "there is no competency 'nope'", "id"),
    422: BAD_LIMIT,
}
TransitiveQuery = Annotated[bool, Query(description="All levels of the hierarchy, not only "
                                                    "the direct neighbours")]


@router.get("/api/competencies/{id:path}/narrower", tags=["rest"],
            summary="Narrower competencies", responses=_HIER_EXAMPLE,
            response_model=models.HierarchyPage)
def narrower(request: Request, id: str, ctx: CtxDep, params: ListQuery,
             transitive: TransitiveQuery = False) -> JSONResponse:
    """Competencies whose ``skos:broader`` is this one (or, transitively, below it)."""
    return _hierarchy(request, ctx, id, "narrower", transitive, params)


@router.get("/api/competencies/{id:path}/broader", tags=["rest"],
            summary="Broader competencies", responses=_HIER_EXAMPLE,
            response_model=models.HierarchyPage)
def broader(request: Request, id: str, ctx: CtxDep, params: ListQuery,
            transitive: TransitiveQuery = False) -> JSONResponse:
    """The ``skos:broader`` competencies of this one (or all its ancestors)."""
    return _hierarchy(request, ctx, id, "broader", transitive, params)


# --- details --------------------------------------------------------------------------------

#: The sources of an example link (``editorial``/``sources`` on every link of a detail).
_STUDY = {"iri": "urn:isbn:978-3-946209-03-4", "title": "E-Kompetenz-Rollenmodell (NEGZ 2016)"}
_DIGCOMP = {"iri": "https://github.com/dini-ag-kim/digComp",
            "title": "DigComp-Codeliste der DINI-AG KIM"}


def _linked(n: dict[str, Any], *sources: dict[str, Any], editorial: bool = False
            ) -> dict[str, Any]:
    """An example link node with its provenance."""
    return dict(n, editorial=editorial, sources=list(sources))


def _detail_example(kind_: str, slug: str, label: str, **links: Any) -> dict[int | str, Any]:
    kind = kind_
    body: dict[str, Any] = dict(node(kind, slug, label), labels={"de": label, "en": label},
                                alt_labels={}, source=["https://example.org/source"],
                                deprecated=False)
    body.update(links)
    return {200: _ok(body), 404: problem(404, "Not found", f"there is no {kind} 'nope'", "id"),
            422: problem(422, "Unprocessable request", "parameter 'id': expected a "
                          f"{kind} slug or an absolute IRI, got 'a b'", "id")}


def _detail_answer(ctx: Context, cat: Catalogue, answer: tuple[str, bytes]) -> Response:
    """A detail answer; a deprecated resource's carries ``Link: <…>; rel="successor-version"``
    to each successor."""
    iri, body = answer
    links = successor_links(cat, iri, ctx.settings.public_base)
    return Response(body, media_type="application/json",
                    headers={"Link": ", ".join(links)} if links else None)


def _detail_read(ctx: Context, collection: str, id: str, lang: str) -> Response:
    cat = catalogue_for(ctx)
    return _detail_answer(ctx, cat, detail_json(cat, ctx.reads, ctx.registry, collection, id,
                                                lang=lang))


async def _detail(ctx: CtxDep, collection: str, id: str, lang: str) -> Response:
    """A detail answer: kept with the current catalogue, answered on the event loop; else read
    from the store on a worker thread."""
    cat = built_catalogue(ctx)
    kept = cat.answers.get((collection, id, lang)) if cat is not None else None
    if cat is not None and kept is not None:
        return _detail_answer(ctx, cat, kept)
    return await run_in_threadpool(_detail_read, ctx, collection, id, lang)


@router.get("/api/roles/{id:path}", tags=["rest"],
            response_model=models.RoleDetail, summary="A role",
            responses=_detail_example(
                "role", "prozessmanager", "Prozessmanager/-in",
                tasks=[_linked(node("task", "prozesse-erheben", "Prozesse erheben"), _STUDY,
                               editorial=True)],
                legal_bases=[],
                requirements=[{"competency": node("competency", "digcomp-4-2", "Datenschutz"),
                               "level": dict(node("level", "e-kompetenz-2", "Stufe 2"),
                                             rank=2),
                               "essential": True, "editorial": True,
                               "source": [_STUDY["iri"]], "sources": [_STUDY]}]))
async def role_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """A role with its tasks, requirements (competency, level, essential, editorial, source)
    and legal bases; every link says whether it is editorial and which sources state it (or
    that it is based on)."""
    return await _detail(ctx, "roles", id, lang)


@router.get("/api/tasks/{id:path}", tags=["rest"],
            response_model=models.TaskDetail, summary="A task",
            responses=_detail_example("task", "prozesse-modellieren", "Prozesse modellieren",
                                      roles=[], requirements=[], legal_bases=[]))
async def task_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """A task with the roles that perform it and its requirements."""
    return await _detail(ctx, "tasks", id, lang)


@router.get("/api/competencies/{id:path}", tags=["rest"],
            response_model=models.CompetencyDetail, summary="A competency",
            responses=_detail_example(
                "competency", "digcomp-4-2", "Schutz personenbezogener Daten",
                framework=_linked(node("framework", "digcomp-2-2", "DigComp 2.2"), _DIGCOMP),
                broader=[_linked(node("competency", "digcomp-4", "Sicherheit"), _DIGCOMP)],
                narrower=[], formats=[]))
async def competency_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """A competency with its framework, broader and narrower competencies and the formats
    that develop it."""
    return await _detail(ctx, "competencies", id, lang)


@router.get("/api/training-formats/{id:path}", tags=["rest"],
            response_model=models.TrainingFormatDetail, summary="A training format",
            responses=_detail_example(
                "training-format", "egov-campus-prozessmanagement", "Prozessmanagement",
                kind={"iri": "https://w3id.org/qualifica/ontology#Fortbildung",
                      "id": "https://w3id.org/qualifica/ontology#Fortbildung",
                      "label": "Fortbildung", "type": "training-kind", "editorial": False,
                      "sources": [{"iri": "https://egov-campus.org/",
                                   "title": "eGov-Campus"}]},
                outcomes=[], legal_bases=[]))
async def format_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """A training format with its kind, learning outcomes and legal bases."""
    return await _detail(ctx, "training-formats", id, lang)


@router.get("/api/legal-bases/{id:path}", tags=["rest"],
            response_model=models.LegalBasisDetail, summary="A legal basis",
            responses=_detail_example("legal-basis", "bbig-1", "§ 1 BBiG",
                                      part_of=_linked(
                                          node("legal-basis", "bbig", "BBiG"),
                                          {"iri": "https://www.gesetze-im-internet.de/"
                                                  "bbig_2005/__1.html",
                                           "title": "§ 1 BBiG"}), parts=[],
                                      versions=[]))
async def legal_basis_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """An act or provision with the act it is part of, its provisions and its versions (each
    with the days it is in force, its citation and the act that made it), oldest first."""
    return await run_in_threadpool(_legal_basis_detail, ctx, id, lang)


def _legal_basis_detail(ctx: Context, id: str, lang: str) -> JSONResponse:
    cat = catalogue_for(ctx)
    body = detail(cat, ctx.reads, ctx.registry, "legal-bases", id, lang=lang)
    body["versions"] = [v.as_json() for v in
                        legal.versions_of(ctx, [body["iri"]], lang).get(body["iri"], [])]
    links = successor_links(cat, body["iri"], ctx.settings.public_base)
    return JSONResponse(body, headers={"Link": ", ".join(links)} if links else None)


@router.get("/api/frameworks/{id:path}", tags=["rest"],
            response_model=models.FrameworkDetail, summary="A competency framework",
            responses=_detail_example("framework", "digcomp-2-2", "DigComp 2.2", levels=[],
                                      top=[], total_competencies=26))
async def framework_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """A framework with its levels and top competencies."""
    return await _detail(ctx, "frameworks", id, lang)


@router.get("/api/levels/{id:path}", tags=["rest"],
            response_model=models.LevelDetail, summary="A proficiency level",
            responses=_detail_example("level", "digcomp-4", "Stufe 4",
                                      framework=_linked(node("framework", "digcomp-2-2",
                                                             "DigComp 2.2"), _DIGCOMP),
                                      rank=4))
async def level_detail(id: str, ctx: CtxDep, lang: LangQuery = "de") -> Response:
    """A level with its framework and rank."""
    return await _detail(ctx, "levels", id, lang)
