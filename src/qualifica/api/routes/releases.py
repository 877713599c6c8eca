"""Releases and change history: ``GET /api/releases``, ``GET /api/releases/{version}/{file}``
and ``GET /api/changes?from=X&to=Y``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from qualifica.api.deps import CtxDep
from qualifica.api.routes.writes import WriteAuth
from qualifica.linkeddata import releases

router = APIRouter(tags=["releases"])

# A release 0.1.0 of the bundled graph, then one task imported after it.
_RELEASES_EXAMPLE: dict[str, Any] = {
    "items": [{
        "version": "0.1.0", "issued": "2026-11-23",
        "graph": "https://w3id.org/qualifica/graph/release/0.1.0",
        "iri": "http://127.0.0.1:8000/releases/0.1.0",
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


_RELEASE_MADE_EXAMPLE: dict[str, Any] = {
    "version": "1.0.0", "issued": "2026-12-01",
    "graph": "https://w3id.org/qualifica/graph/release/1.0.0", "quads": 4659,
    "iri": "https://w3id.org/qualifica/releases/1.0.0",
    "files": ["qualifica-1.0.0.nq.gz", "qualifica-1.0.0.ttl"],
}


@router.post("/api/releases", summary="Make a release of the current data (authenticated)",
             status_code=201,
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
