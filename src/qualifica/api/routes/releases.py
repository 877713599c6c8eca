"""Releases and change history: ``GET /api/releases``, ``GET /api/releases/{version}/{file}``
and ``GET /api/changes?from=X&to=Y``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from qualifica.api.deps import CtxDep
from qualifica.linkeddata import releases

router = APIRouter(tags=["releases"])


@router.get("/api/releases", summary="The citable releases of the data")
def list_releases(ctx: CtxDep) -> dict[str, object]:
    """Every release with its version, issue date, graph and downloads, oldest first."""
    items = [
        {"version": r.version, "issued": r.issued, "graph": r.graph,
         "iri": releases.release_iri(ctx, r.version),
         "downloads": [f"{ctx.settings.base_iri}api/releases/{r.version}/{f}" for f in r.files]}
        for r in releases.list_releases(ctx)
    ]
    return {"items": items, "total": len(items)}


@router.get("/api/releases/{version}/{name}", summary="A file of a release")
def release_file(ctx: CtxDep, version: str, name: str) -> FileResponse:
    """The N-Quads (gzip) or Turtle dump of a release."""
    path = releases.release_file(ctx, version, name)
    media = "application/gzip" if name.endswith(".gz") else "text/turtle"
    return FileResponse(path, media_type=media, filename=name)


@router.get("/api/changes", summary="Resources added, removed and changed between releases")
def list_changes(
    ctx: CtxDep,
    from_: Annotated[str, Query(alias="from", description="The earlier release, X.Y.Z")],
    to: Annotated[str | None, Query(description="The later release (default: current data)")]
    = None,
) -> dict[str, object]:
    """Added and removed resources, and changed ones with the properties that differ."""
    return releases.changes(ctx, from_, to)
