"""Releases and change history: ``GET /api/releases`` (``POST`` makes one, authenticated),
``GET /api/releases/{version}/{file}``, ``GET /api/changes?from=X&to=Y``, and the release IRIs:
``GET /releases/{version}`` (HTML, Turtle, JSON-LD, N-Triples, RDF/XML) and its files
``GET /releases/{version}/{file}``."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from qualifica.api import rdf_response as ld
from qualifica.api.deps import CtxDep
from qualifica.api.examples import negotiated
from qualifica.api.params import FormatParam, LangParam
from qualifica.api.routes.writes import WriteAuth
from qualifica.errors import NotFound
from qualifica.linkeddata import citation, conneg, releases
from qualifica.linkeddata.metadata import release_triples
from qualifica.web.ldpages import render_release
from qualifica.web.render import render_error

router = APIRouter(tags=["releases"])

# A release 0.1.0 of the bundled graph, then one task imported after it.
_RELEASES_EXAMPLE: dict[str, Any] = {
    "items": [{
        "version": "0.1.0", "issued": "2026-11-23",
        "graph": "https://w3id.org/qualifica/graph/release/0.1.0",
        "iri": "https://w3id.org/qualifica/releases/0.1.0",
        "downloads": ["http://127.0.0.1:8000/api/releases/0.1.0/qualifica-0.1.0.nq.gz",
                      "http://127.0.0.1:8000/api/releases/0.1.0/qualifica-0.1.0.ttl"],
    }],
    "total": 1,
}
_CHANGES_EXAMPLE: dict[str, Any] = {
    "from": "0.1.0", "to": "current",
    "added": ["https://w3id.org/qualifica/id/task/akten-digitalisieren"],
    "removed": [], "changed": [],
}
_NQUADS_EXAMPLE = ("<https://w3id.org/qualifica/id/role/prozessmanager> "
                   "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Prozessmanager\"@de "
                   "<https://w3id.org/qualifica/graph/release/0.1.0> .\n")
_TURTLE_EXAMPLE = ("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                   "<https://w3id.org/qualifica/id/role/prozessmanager> "
                   "skos:prefLabel \"Prozessmanager\"@de , \"Process manager\"@en .\n")


@router.get("/api/releases", summary="The citable releases of the data",
            responses={200: {"description": "The releases, oldest first",
                             "content": {"application/json": {"example": _RELEASES_EXAMPLE}}}})
def list_releases(ctx: CtxDep) -> dict[str, object]:
    """Every release with its version, issue date, graph and downloads, oldest first."""
    items = [
        {"version": r.version, "issued": r.issued, "graph": r.graph,
         "iri": releases.release_iri(ctx, r.version),
         "downloads": [f"{ctx.settings.public_base}api/releases/{r.version}/{f}" for f in r.files]}
        for r in releases.list_releases(ctx)
    ]
    return {"items": items, "total": len(items)}


class NewRelease(BaseModel):
    """The body of ``POST /api/releases``."""

    version: str = Field(description="The new release's version, X.Y.Z (semantic versioning)",
                         examples=["1.0.0"])


class ReleaseMade(BaseModel):
    """The answer of ``POST /api/releases``."""

    version: str = Field(description="The version, X.Y.Z")
    issued: str = Field(description="The issue date (ISO 8601)")
    graph: str = Field(description="The named graph of the release in its N-Quads dump")
    quads: int = Field(description="How many quads the release holds")
    iri: str = Field(description="The canonical IRI of the release")
    files: list[str] = Field(description="The files of the release")


_RELEASE_MADE_EXAMPLE: dict[str, Any] = {
    "version": "1.0.0", "issued": "2026-12-01",
    "graph": "https://w3id.org/qualifica/graph/release/1.0.0", "quads": 4659,
    "iri": "https://w3id.org/qualifica/releases/1.0.0",
    "files": ["qualifica-1.0.0.nq.gz", "qualifica-1.0.0.ttl"],
}


@router.post("/api/releases", summary="Make a release of the current data (authenticated)",
             status_code=201, response_model=ReleaseMade,
             responses={201: {"description": "The release was made",
                              "content": {"application/json": {
                                  "example": _RELEASE_MADE_EXAMPLE}}},
                        401: {"description": "No bearer token"},
                        403: {"description": "A wrong token, or writes are switched off"},
                        409: {"description": "The release exists already"},
                        422: {"description": "Not a version X.Y.Z"}})
async def make_release(body: NewRelease, ctx: CtxDep, _auth: WriteAuth) -> JSONResponse:
    """Freeze what the store holds now as release ``version``: the dumps of the release graph,
    and its DCAT entry in the catalogue (what ``qualifica release`` does)."""
    releases.check_version(body.version)
    made = await run_in_threadpool(releases.make_release, ctx, body.version)
    return JSONResponse(
        {"version": made.version, "issued": made.issued, "graph": made.graph,
         "quads": made.quads, "iri": releases.release_iri(ctx, made.version),
         "files": list(made.files)},
        status_code=201,
        headers={"Location": releases.release_url(ctx.settings, made.version)})


@router.get(
    "/api/releases/{version}/{name}", summary="A file of a release", response_class=FileResponse,
    responses={200: {"description": "The dump; N-Quads (gzip) of the release graph, or Turtle",
                     "content": {
                         "application/gzip": {
                             "schema": {"type": "string", "format": "binary"},
                             "example": _NQUADS_EXAMPLE},
                         "text/turtle": {"example": _TURTLE_EXAMPLE}}},
               404: {"description": "No such release or file"}},
)
def release_file(
    ctx: CtxDep,
    version: Annotated[str, Path(description="The release, X.Y.Z", examples=["0.1.0"])],
    name: Annotated[str, Path(description="The file name", openapi_examples={
        "nquads": {"summary": "N-Quads, gzip", "value": "qualifica-0.1.0.nq.gz"},
        "turtle": {"summary": "Turtle", "value": "qualifica-0.1.0.ttl"}})],
) -> FileResponse:
    """The N-Quads (gzip) or Turtle dump of a release."""
    path = releases.release_file(ctx, version, name)
    media = "application/gzip" if name.endswith(".gz") else "text/turtle"
    return FileResponse(path, media_type=media, filename=name)


@router.get("/api/changes", summary="Resources added, removed and changed between releases",
            responses={200: {"description": "Added, removed and changed resources",
                             "content": {"application/json": {"example": _CHANGES_EXAMPLE}}},
                       404: {"description": "No such release"}})
def list_changes(
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", description="The earlier release, X.Y.Z",
                                          examples=["0.1.0"])],
    to: Annotated[str | None, Query(description="The later release (default: current data)",
                                    examples=["0.2.0"])]
    = None,
) -> dict[str, object]:
    """Added and removed resources, and changed ones with the properties that differ."""
    return releases.changes(ctx, from_, to)


_RELEASE_TURTLE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/qualifica/releases/1.0.0> a dcat:Dataset ;
\tdcat:version "1.0.0" ;
\tdcterms:issued "2026-12-01"^^xsd:date ;
\tdcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
\tdcterms:bibliographicCitation "Qualifica contributors (2026). Qualifica – knowledge graph of \
digital competencies in public administration (Version 1.0.0) [Data set]. \
https://w3id.org/qualifica/releases/1.0.0"@en ;
\tdcat:distribution <https://w3id.org/qualifica/releases/1.0.0/qualifica-1.0.0.nq.gz> .
"""
VersionParam = Annotated[str, Path(description="The release, X.Y.Z", examples=["1.0.0"])]


@router.head("/releases/{version}", include_in_schema=False)
@router.get(
    "/releases/{version}", tags=["linked data"], summary="Dereference a release IRI",
    responses=negotiated("The DCAT-AP.de description of the release", conneg.RESOURCE_FORMATS,
                         {conneg.TURTLE: _RELEASE_TURTLE},
                         {404: {"description": "No such release (in the negotiated format)"}}),
)
def release_page(version: VersionParam, request: Request, ctx: CtxDep,
                 format: FormatParam = None, lang: LangParam = None) -> Response:
    """The release ``https://w3id.org/qualifica/releases/{version}``: a ``dcat:Dataset`` with
    version, issue date, publisher, contact point, licence, citation and its files (size,
    SHA-256). HTML for browsers, else Turtle, JSON-LD, N-Triples or RDF/XML."""
    offered = conneg.RESOURCE_FORMATS
    media_type = ld.negotiate(request, offered, format)
    language = ld.lang_of(request, lang)
    try:
        if not releases.VERSION.match(version):
            raise NotFound(f"there is no release {version!r}", id=version)
        release = releases.get_release(ctx, version)
    except NotFound as exc:
        page = (render_error(404, exc.detail, language, request.url.path)
                if media_type == conneg.HTML else None)
        return ld.error_response(exc, media_type, request, html=page)
    headers = ld.headers_for(ctx.settings, f"releases/{version}", offered, media_type,
                             canonical=citation.release_iri(version),
                             extra_links=[f'<{ld.public_url(ctx.settings, "catalog")}>; '
                                          'rel="collection"'])
    if media_type == conneg.HTML:
        html = render_release(ctx.settings, release, releases.release_files(ctx, version),
                              language, offered)
        return HTMLResponse(html, headers=headers)
    return ld.graph_response(release_triples(ctx, release, ctx.settings.public_base),
                             media_type, headers)


@router.head("/releases/{version}/{name}", include_in_schema=False)
@router.get(
    "/releases/{version}/{name}", tags=["linked data"], summary="A file of a release",
    response_class=FileResponse,
    responses={200: {"description": "The file, with its SHA-256 in Repr-Digest",
                     "content": {"application/gzip": {"schema": {"type": "string",
                                                                 "format": "binary"}},
                                 "text/turtle": {"example": _TURTLE_EXAMPLE},
                                 "text/plain": {"example": "0a1b…  qualifica-1.0.0.ttl\n"}}},
               404: {"description": "No such release or file"}},
)
def release_download(ctx: CtxDep, version: VersionParam, name: Annotated[str, Path(
        description="The file name", examples=["qualifica-1.0.0.nq.gz"])]) -> FileResponse:
    """A file of a release: the N-Quads (gzip) or Turtle dump, or ``SHA256SUMS``."""
    path = releases.release_file(ctx, version, name)
    headers = {"Cache-Control": "public, max-age=86400, immutable"}
    digest = releases.checksum(ctx, version, name)
    if digest is not None:
        headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    media = ("application/gzip" if name.endswith(".gz") else
             "text/turtle" if name.endswith(".ttl") else
             "application/n-quads" if name.endswith(".nq") else "text/plain")
    return FileResponse(path, media_type=conneg.content_type(media), filename=name,
                        content_disposition_type="inline", headers=headers)
