"""Dereferenceable instance IRIs: ``/id/{kind}/{slug}`` serves the description of
``https://w3id.org/qualifica/id/{kind}/{slug}`` as Turtle, JSON-LD, N-Triples, RDF/XML or HTML."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pyoxigraph import NamedNode
from starlette.concurrency import run_in_threadpool

from qualifica.api import rdf_response as ld
from qualifica.api.deps import CtxDep
from qualifica.api.examples import negotiated
from qualifica.api.params import FormatParam, LangParam
from qualifica.api.routes.pages import BAD_TABLE_PAGE, table_page_params
from qualifica.context import Context
from qualifica.errors import BadParameter, NotAcceptable, NotFound
from qualifica.linkeddata import conneg, profiles, sitemap
from qualifica.linkeddata.catalogue import Catalogue, built_catalogue, catalogue_for
from qualifica.linkeddata.describe import describe, description_bytes, kept_description
from qualifica.linkeddata.details import successor_links
from qualifica.namespaces import KINDS
from qualifica.sparql import binding
from qualifica.web.render import PAGED_TABLES, kept_page, render_error, resource_page
from qualifica.web.resource_view import RESOURCE_TABLES

log = logging.getLogger(__name__)

router = APIRouter(tags=["linked data"])

KindParam = Annotated[str, Path(
    description="The kind of resource: " + ", ".join(KINDS),
    openapi_examples={"role": {"value": "role"}, "competency": {"value": "competency"}},
)]
SlugParam = Annotated[str, Path(
    description="The slug of the resource within its kind",
    openapi_examples={"role": {"value": "cio"}, "competency": {"value": "digcomp-4-2"}},
)]

ProfileParam = Annotated[str | None, Query(
    alias="_profile",
    description="The profile (W3C Content Negotiation by Profile), by token or URI: "
                + ", ".join(p.token for p in profiles.PROFILES)
                + "; `alt` lists the profiles and formats of the resource. Wins over the "
                  "`Accept-Profile` header.",
    openapi_examples={"schema": {"value": "schema"}, "alt": {"value": "alt"}},
)]
MediaTypeParam = Annotated[str | None, Query(
    alias="_mediatype",
    description="The media type (or a short name as for `format`); wins over `Accept`.",
    openapi_examples={"turtle": {"value": "text/turtle"}},
)]
#: What ``_profile=alt`` is answered in (JSON first).
ALT_FORMATS: tuple[str, ...] = (conneg.JSON, *conneg.RDF_FORMATS)

_EXAMPLES = {
    "text/turtle": (
        "@prefix qd: <https://w3id.org/qualifica/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix role: <https://w3id.org/qualifica/id/role/> .\n"
        "@prefix req: <https://w3id.org/qualifica/id/requirement/> .\n"
        "role:cio a qd:Role ;\n"
        '    skos:prefLabel "CIO"@de, "CIO"@en ;\n'
        "    qd:requires req:cio-digcomp-2-4 .\n"
    ),
    "application/ld+json": {
        "@id": "https://w3id.org/qualifica/id/role/cio",
        "@type": ["https://w3id.org/qualifica/ontology#Role"],
        "http://www.w3.org/2004/02/skos/core#prefLabel": [
            {"@value": "CIO", "@language": "de"}],
    },
    "application/n-triples": (
        "<https://w3id.org/qualifica/id/role/cio> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/qualifica/ontology#Role> .\n"
    ),
    "application/rdf+xml": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="https://w3id.org/qualifica/id/role/cio"/></rdf:RDF>'
    ),
    "text/html": "<!doctype html><html lang=\"de\"><title>CIO – Qualifica</title>…</html>",
}


def _id_table_params() -> list[dict[str, object]]:
    """The ``page-{table}`` parameters of the HTML pages of every kind (each kind's page has
    its own tables; a parameter of a table the page does not have is ignored)."""
    kinds_of: dict[str, list[str]] = {}
    for kind, tables in PAGED_TABLES.items():
        for table in tables:
            kinds_of.setdefault(table, []).append(str(kind))
    for table in RESOURCE_TABLES:
        kinds_of.setdefault(table, []).extend(k for k in KINDS if k not in PAGED_TABLES)
    params = table_page_params(kinds_of)
    for param, kinds in zip(params, kinds_of.values(), strict=True):
        param["description"] += f"; HTML only, on the page of a {' or '.join(kinds)}"
    return params


@router.head("/id/{kind}/{slug}", include_in_schema=False)
@router.get(
    "/id/{kind}/{slug}",
    summary="Dereference an instance IRI",
    responses=negotiated("The description of the resource", conneg.RESOURCE_FORMATS, _EXAMPLES,
                         {404: {"description": "No such resource (in the negotiated format), "
                                               "or a page-{table} past the table's last page"},
                          400: BAD_TABLE_PAGE[400]}),
    openapi_extra={"parameters": _id_table_params()},
)
async def resource(kind: KindParam, slug: SlugParam, request: Request, ctx: CtxDep,
                   format: FormatParam = None, lang: LangParam = None,
                   profile: ProfileParam = None, mediatype: MediaTypeParam = None) -> Response:
    """The description of ``https://w3id.org/qualifica/id/{kind}/{slug}``: its triples, its
    qualified links with their triples, the labels of everything it links to, and the
    statements that link to it. Content negotiation picks the format (HTML by default) and the
    profile (``Accept-Profile`` or ``_profile``; the full Qualifica model by default; SKOS,
    schema.org and ESCO-shaped for the kinds they cover). Every answer names its profile with
    ``Link: <…>; rel="profile"``. A deprecated resource is still served, with
    ``Link: <…>; rel="successor-version"`` to each resource that replaces it."""
    cat = built_catalogue(ctx)
    if cat is not None and kind in KINDS and binding.SLUG.match(slug):
        try:
            chosen, media_type = _negotiate(kind, request, format, profile, mediatype)
            kept = _kept_answer(_plan(kind, slug, ctx, cat, chosen, media_type,
                                      ld.lang_of(request, lang)), request, ctx)
        except (NotFound, BadParameter, NotAcceptable):
            kept = None  # answered, with its error, on a worker thread like any other
        if kept is not None:
            return kept
    return await run_in_threadpool(_resource, kind, slug, request, ctx, format, lang, profile,
                                   mediatype)


@dataclass(frozen=True)
class _Plan:
    """What content negotiation chose for one request, and the headers of its answer."""

    node: NamedNode
    chosen: profiles.Profile | None
    media_type: str
    language: str
    url: str
    headers: dict[str, str]


def _negotiate(kind: str, request: Request, format: str | None, profile: str | None,
               mediatype: str | None) -> tuple[profiles.Profile | None, str]:
    """The profile (``None``: the alternates) and media type of the answer
    (``NotAcceptable``)."""
    override = format if format is not None else mediatype
    chosen = profiles.negotiate(kind, request.headers.get("accept-profile"), profile)
    offered = (ALT_FORMATS if chosen is None
               else conneg.RESOURCE_FORMATS if chosen is profiles.FULL else conneg.RDF_FORMATS)
    return chosen, ld.negotiate(request, offered, override)


def _plan(kind: str, slug: str, ctx: Context, cat: Catalogue, chosen: profiles.Profile | None,
          media_type: str, language: str) -> _Plan:
    """The headers of the answer that content negotiation chose, from memory."""
    path = f"id/{kind}/{slug}"
    url = ld.public_url(ctx.settings, path)
    node = binding.iri(slug, param="slug", kind=kind)
    successors = successor_links(cat, node.value, ctx.settings.public_base)
    profile_links = profiles.link_values(url, kind, chosen, conneg.RESOURCE_FORMATS,
                                         conneg.HTML)
    headers = ld.headers_for(ctx.settings, path, conneg.RESOURCE_FORMATS, media_type,
                             canonical=node.value, extra_links=[*successors, *profile_links])
    headers["Vary"] = "Accept, Accept-Profile"
    if chosen is None or chosen is not profiles.FULL:
        token = profiles.ALT if chosen is None else chosen.token
        headers["Content-Location"] = (f"{url}?_profile={token}&_mediatype="
                                       f"{conneg.SHORT_NAME.get(media_type, media_type)}")
    return _Plan(node, chosen, media_type, language, url, headers)


def _kept_answer(plan: _Plan, request: Request, ctx: Context) -> Response | None:
    """The answer from what the store's generation keeps (``None`` when it must be made):
    sent from the event loop, without the hand-over to a worker thread."""
    if plan.chosen is None:
        return None
    if plan.media_type == conneg.HTML:
        page = kept_page(ctx, plan.node.value, plan.language,
                         request.query_params.multi_items())
        return None if page is None else _html(plan, page)
    body = kept_description(ctx, plan.node, plan.chosen, plan.media_type)
    return None if body is None else _rdf(plan, body)


def _html(plan: _Plan, page: bytes) -> Response:
    return HTMLResponse(page, headers={**plan.headers, "Content-Language": plan.language})


def _rdf(plan: _Plan, body: bytes) -> Response:
    return Response(body, media_type=conneg.content_type(plan.media_type), headers=plan.headers)


def _resource(kind: str, slug: str, request: Request, ctx: Context, format: str | None,
              lang: str | None, profile: str | None, mediatype: str | None) -> Response:
    """The answer made on a worker thread (reading the store where nothing is kept)."""
    override = format if format is not None else mediatype
    language = ld.lang_of(request, lang)
    if kind not in KINDS or not binding.SLUG.match(slug):
        media_type = ld.negotiate(request, conneg.RESOURCE_FORMATS, override)
        exc = NotFound(f"there is no resource /id/{kind}/{slug}", id=slug)
        page = (render_error(404, exc.detail, language, request.url.path)
                if media_type == conneg.HTML else None)
        return ld.error_response(exc, media_type, request, html=page)
    chosen, media_type = _negotiate(kind, request, format, profile, mediatype)
    try:
        plan = _plan(kind, slug, ctx, catalogue_for(ctx), chosen, media_type, language)
        if plan.chosen is None:
            return _alternates(ctx, plan.node, plan.url, kind, plan.media_type, plan.headers)
        if plan.media_type == conneg.HTML:
            return _html(plan, resource_page(ctx, plan.node.value, plan.language,
                                             request.query_params.multi_items()))
        return _rdf(plan, description_bytes(ctx, plan.node, plan.chosen, plan.media_type))
    except (NotFound, BadParameter) as exc:
        page = (render_error(exc.status, exc.detail, language, request.url.path,
                             getattr(exc, "param", None), worded=bool(exc.extra.get("worded")))
                if media_type == conneg.HTML else None)
        return ld.error_response(exc, media_type, request, html=page)


def _alternates(ctx: Context, node: NamedNode, url: str, kind: str, media_type: str,
                headers: dict[str, str]) -> Response:
    """The ``_profile=alt`` answer: the profiles and formats the resource is offered in (404
    when the store says nothing about it)."""
    describe(ctx, node)
    if media_type == conneg.JSON:
        return JSONResponse(profiles.alternates(node.value, url, kind, conneg.RESOURCE_FORMATS,
                                                conneg.HTML), headers=headers)
    return ld.graph_response(profiles.alternates_graph(node.value, url, kind,
                                                       conneg.RESOURCE_FORMATS, conneg.HTML),
                             media_type, headers)


_SITEMAP_HEADERS = {"Cache-Control": "public, max-age=300"}
_SITEMAP_EXAMPLE = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    "<url><loc>http://127.0.0.1:8000/id/role/cio</loc>"
                    "<lastmod>2026-11-30T10:00:00Z</lastmod></url>\n</urlset>\n")


@router.get("/sitemap.xml", tags=["linked data"], summary="Sitemap of the resources",
            response_class=Response,
            responses={200: {"description": "A sitemap (sitemaps.org 0.9) of every resource's "
                                            "/id/ URL with lastmod, or past 50,000 URLs a "
                                            "sitemap index of /sitemap-{n}.xml",
                             "content": {"application/xml": {"example": _SITEMAP_EXAMPLE}}}})
def sitemap_xml(ctx: CtxDep) -> Response:
    """Every dereferenceable resource, with ``<lastmod>`` from its ``dcterms:modified``."""
    base = ctx.settings.public_base
    cut = sitemap.parts(sitemap.entries(catalogue_for(ctx), base))
    body = sitemap.urlset(cut[0]) if len(cut) == 1 else sitemap.index(base, cut)
    return Response(body, media_type="application/xml", headers=_SITEMAP_HEADERS)


@router.get("/sitemap-{part}.xml", tags=["linked data"], summary="One part of the sitemap",
            response_class=Response,
            responses={200: {"description": "URLs of one part", "content": {
                "application/xml": {"example": _SITEMAP_EXAMPLE}}},
                       404: {"description": "No such part"}})
def sitemap_part(part: Annotated[int, Path(ge=1, le=100_000, description="Part number",
                                           openapi_examples={"first": {"value": 1}})],
                 ctx: CtxDep) -> Response:
    """Part ``part`` of a sitemap split past 50,000 URLs (part 1 of an unsplit one is the whole
    sitemap)."""
    cut = sitemap.parts(sitemap.entries(catalogue_for(ctx), ctx.settings.public_base))
    if part > len(cut):
        raise NotFound(f"the sitemap has no part {part}", param="part")
    return Response(sitemap.urlset(cut[part - 1]), media_type="application/xml",
                    headers=_SITEMAP_HEADERS)
