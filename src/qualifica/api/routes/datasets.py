"""Dataset metadata and dumps: VoID at ``/.well-known/void``, the DCAT catalog at ``/catalog``,
the download page ``/downloads/`` and the whole graph at
``/downloads/qualifica.{ttl,nt,jsonld,nq}`` (each also ``.gz``)."""

from __future__ import annotations

import base64
import logging
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from pyoxigraph import NamedNode

from qualifica.api import rdf_response as ld
from qualifica.api.deps import CtxDep
from qualifica.api.examples import negotiated
from qualifica.api.params import LangParam
from qualifica.api.routes.resources import MediaTypeParam
from qualifica.errors import NotFound
from qualifica.linkeddata import conneg, profiles, releases
from qualifica.linkeddata.dumps import DUMP_FORMATS, DUMP_STEM, current_dumps
from qualifica.linkeddata.metadata import CATALOG_IRI, DATASET_IRI, catalog_triples, void_triples
from qualifica.web.ldpages import render_catalog, render_downloads

log = logging.getLogger(__name__)

router = APIRouter(tags=["dataset"])

FormatParam = Annotated[
    str | None,
    Query(description="Overrides the Accept header: ttl, jsonld, nt or rdf (and html for "
                      "the catalog).", examples=["ttl"]),
]
VOID_FORMATS = conneg.RDF_FORMATS
CATALOG_FORMATS = (*conneg.RDF_FORMATS, conneg.HTML)
CatalogProfileParam = Annotated[str | None, Query(
    alias="_profile",
    description="The profile (W3C Content Negotiation by Profile), by token or URI: "
                "qualifica (the catalog as it is, the default) or dcat-ap-de. Wins over the "
                "`Accept-Profile` header.",
    openapi_examples={"dcat-ap-de": {"value": "dcat-ap-de"}},
)]

# Answers over the bundled graph (Turtle, shortened to a few statements).
_VOID_EXAMPLE = """@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix role: <https://w3id.org/qualifica/id/role/> .
@prefix competency: <https://w3id.org/qualifica/id/competency/> .
<https://w3id.org/qualifica/dataset> a void:Dataset ;
\tdcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
\tvoid:classes 24 ;
\tvoid:dataDump <http://127.0.0.1:8000/downloads/qualifica.ttl> ;
\tvoid:distinctSubjects 483 ;
\tvoid:entities 393 ;
\tvoid:exampleResource competency:digcomp-4-2 , role:cio , role:prozessmanager ;
\tvoid:properties 55 ;
\tvoid:sparqlEndpoint <http://127.0.0.1:8000/sparql> .
"""
_CATALOG_EXAMPLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/qualifica/catalog> a dcat:Catalog ;
\tdcterms:title "Qualifica data catalog"@en , "Qualifica-Datenkatalog"@de ;
\tdcat:dataset <https://w3id.org/qualifica/dataset> ;
\tdcat:service <https://w3id.org/qualifica/sparql-service> .
<https://w3id.org/qualifica/dataset/0.1.0/distribution/ttl> a dcat:Distribution ;
\tdcterms:title "Qualifica 0.1.0 (Turtle)" ;
\tdcat:byteSize "259554"^^xsd:nonNegativeInteger ;
\tdcat:downloadURL <http://127.0.0.1:8000/downloads/qualifica.ttl> ;
\tdcat:mediaType <https://www.iana.org/assignments/media-types/text/turtle> .
"""
_DUMP_EXAMPLE = """@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix role: <https://w3id.org/qualifica/id/role/> .
@prefix task: <https://w3id.org/qualifica/id/task/> .
@prefix req: <https://w3id.org/qualifica/id/requirement/> .
role:prozessmanager dcterms:source <urn:isbn:978-3-946209-03-4> ;
\tqd:requires req:prozessmanager-qd-problemloesungskompetenz , req:prozessmanager-digcomp-5-3 ,
\t\treq:prozessmanager-digcomp-1-3 , req:prozessmanager-digcomp-4-2 ;
\tqd:performsTask task:verwaltungsleistungen-digitalisieren , task:prozesse-optimieren ,
\t\ttask:prozesse-erheben .
"""


@router.head("/.well-known/void", include_in_schema=False)
@router.get(
    "/.well-known/void",
    summary="VoID description of the dataset",
    responses=negotiated("The VoID description (Turtle by default)", VOID_FORMATS,
                         {conneg.TURTLE: _VOID_EXAMPLE}),
)
def void(request: Request, ctx: CtxDep, format: FormatParam = None) -> Response:
    """Sizes (triples, entities, class and property partitions), the SPARQL endpoint, the
    dumps, the URI space and the vocabularies of the dataset, as VoID (Turtle by default)."""
    media_type = ld.negotiate(request, VOID_FORMATS, format)
    headers = ld.headers_for(ctx.settings, ".well-known/void", VOID_FORMATS, media_type,
                             extra_links=[f'<{DATASET_IRI}>; rel="describes"'])
    return ld.graph_response(void_triples(ctx, ctx.settings.public_base), media_type, headers)


@router.head("/catalog", include_in_schema=False)
@router.get(
    "/catalog",
    summary="DCAT catalog of the dataset",
    responses=negotiated("The DCAT catalog (Turtle by default)", CATALOG_FORMATS,
                         {conneg.TURTLE: _CATALOG_EXAMPLE}),
)
def catalog(request: Request, ctx: CtxDep, format: FormatParam = None,
            lang: LangParam = None, profile: CatalogProfileParam = None,
            mediatype: MediaTypeParam = None) -> Response:
    """The DCAT catalog: the dataset and its version, one distribution per dump with media
    type, byte size and SHA-256 checksum, and the SPARQL endpoint as a data service. Turtle by
    default; a browser (``Accept: text/html``) gets a readable page. ``_profile=dcat-ap-de``
    (or ``Accept-Profile``) gives it as DCAT-AP.de."""
    chosen = profiles.negotiate("catalog", request.headers.get("accept-profile"), profile)
    if chosen is None:
        chosen = profiles.FULL  # the catalog's profiles are listed in its Link header
    offered = CATALOG_FORMATS if chosen is profiles.FULL else conneg.RDF_FORMATS
    media_type = ld.negotiate(request, offered, format if format is not None else mediatype)
    url = ld.public_url(ctx.settings, "catalog")
    headers = ld.headers_for(ctx.settings, "catalog", CATALOG_FORMATS, media_type,
                             canonical=CATALOG_IRI,
                             extra_links=profiles.link_values(url, "catalog", chosen,
                                                              conneg.RDF_FORMATS, conneg.HTML))
    headers["Vary"] = "Accept, Accept-Profile"
    dumps = current_dumps(ctx)
    triples = catalog_triples(ctx, ctx.settings.public_base, dumps)
    if chosen is not profiles.FULL:
        triples = profiles.apply(ctx.registry, chosen, NamedNode(CATALOG_IRI), triples)
    if media_type == conneg.HTML:
        html = render_catalog(ctx.settings, dumps, ld.lang_of(request, lang), CATALOG_FORMATS,
                              releases.list_releases(ctx))
        return HTMLResponse(html, headers=headers)
    return ld.graph_response(triples, media_type, headers)


@router.head("/downloads/", include_in_schema=False)
@router.get("/downloads/", summary="The download page", response_class=HTMLResponse,
            responses={200: {"description": "An HTML page listing every dump and release",
                             "content": {"text/html": {"example": "<!DOCTYPE html>…"}}}})
def downloads_page(request: Request, ctx: CtxDep, lang: LangParam = None) -> HTMLResponse:
    """Every dump of the current data and every release with its files (size, SHA-256) and
    citation, as a page (German, or English with ``lang=en``)."""
    dumps = current_dumps(ctx)
    listed = [(r, releases.release_files(ctx, r.version)) for r in releases.list_releases(ctx)]
    html = render_downloads(ctx.settings, dumps, listed, ld.lang_of(request, lang))
    return HTMLResponse(html, headers={"Vary": "Accept-Language",
                                       "Link": f'<{ld.public_url(ctx.settings, "catalog")}>; '
                                               'rel="describedby"'})


@router.head("/downloads/{name}", include_in_schema=False)
@router.get(
    "/downloads/{name}",
    summary="A dump of the whole knowledge graph",
    responses={200: {"description": "The dump, with its SHA-256 in Repr-Digest",
                     "content": {m: {"example": _DUMP_EXAMPLE} if m == conneg.TURTLE else {}
                                 for m, _ in DUMP_FORMATS.values()}},
               404: {"description": "No such dump"}},
)
def download(
    name: Annotated[str, Path(description="qualifica.ttl, .nt, .jsonld or .nq, each also as "
                                          ".gz (e.g. qualifica.nq.gz)",
                              examples=["qualifica.ttl"])],
    ctx: CtxDep,
) -> Response:
    """``qualifica.ttl``, ``.nt`` or ``.jsonld``: every triple of the store (the union of its
    graphs); ``qualifica.nq``: every quad, graphs kept; each also compressed
    (``qualifica.ttl.gz`` …). Written from the store and streamed from a file. Its size and
    SHA-256 are those the catalog states (``Repr-Digest`` carries the SHA-256 too)."""
    stem, _, suffix = name.partition(".")
    if stem != DUMP_STEM or suffix not in DUMP_FORMATS:
        raise NotFound(f"there is no download {name!r}; available: "
                       + ", ".join(f"{DUMP_STEM}.{s}" for s in DUMP_FORMATS), id=name)
    dump = current_dumps(ctx)[suffix]
    digest = base64.b64encode(bytes.fromhex(dump.sha256)).decode("ascii")
    return FileResponse(
        dump.path,
        media_type=conneg.content_type(dump.media_type),
        filename=dump.name,
        content_disposition_type="inline",
        headers={"Cache-Control": ld.CACHE_CONTROL, "Repr-Digest": f"sha-256=:{digest}:",
                 "Link": f'<{ld.public_url(ctx.settings, "catalog")}>; rel="describedby"'},
    )
