"""Dereferenceable instance IRIs: ``/id/{kind}/{slug}`` serves the description of
``https://w3id.org/qualifica/id/{kind}/{slug}`` as Turtle, JSON-LD, N-Triples, RDF/XML or HTML."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from qualifica.api import rdf_response as ld
from qualifica.api.deps import CtxDep
from qualifica.api.params import FormatParam, LangParam
from qualifica.errors import NotFound
from qualifica.linkeddata import conneg
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.describe import describe
from qualifica.linkeddata.details import successor_links
from qualifica.namespaces import KINDS
from qualifica.sparql import binding
from qualifica.web.render import render_error, render_resource

log = logging.getLogger(__name__)

router = APIRouter(tags=["linked data"])


@router.head("/id/{kind}/{slug}", include_in_schema=False)
@router.get(
    "/id/{kind}/{slug}",
    summary="Dereference an instance IRI",
    responses={
        200: {"description": "The description of the resource",
              "content": {m: {} for m in conneg.RESOURCE_FORMATS}},
        404: {"description": "No such resource (in the negotiated format)"},
        406: {"description": "None of the offered media types is acceptable"},
    },
)
def resource(kind: str, slug: str, request: Request, ctx: CtxDep,
             format: FormatParam = None, lang: LangParam = None) -> Response:
    """The description of ``https://w3id.org/qualifica/id/{kind}/{slug}``: its triples, its
    qualified links with their triples, the labels of everything it links to, and the
    statements that link to it. Content negotiation picks the format (HTML by default).
    A deprecated resource is still served, with ``Link: <…>; rel="successor-version"`` to
    each resource that replaces it."""
    offered = conneg.RESOURCE_FORMATS
    media_type = ld.negotiate(request, offered, format)
    path = f"id/{kind}/{slug}"
    language = ld.lang_of(request, lang)
    try:
        if kind not in KINDS or not binding.SLUG.match(slug):
            raise NotFound(f"there is no resource /id/{kind}/{slug}", id=slug)
        node = binding.iri(slug, param="slug", kind=kind)
        successors = successor_links(catalogue_for(ctx), node.value, ctx.settings.base_iri)
        headers = ld.headers_for(ctx.settings, path, offered, media_type, canonical=node.value,
                                 extra_links=successors)
        if media_type == conneg.HTML:
            html = render_resource(ctx, node.value, language)
            return HTMLResponse(html, headers=headers)
        description = describe(ctx, node)
        return ld.graph_response(description.triples, media_type, headers)
    except NotFound as exc:
        page = (render_error(404, exc.detail, language, request.url.path)
                if media_type == conneg.HTML else None)
        return ld.error_response(exc, media_type, request, html=page)
