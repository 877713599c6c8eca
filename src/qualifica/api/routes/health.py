"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from qualifica import __version__
from qualifica.api.deps import StoreDep

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Health check")
def healthz(store: StoreDep) -> dict[str, object]:
    """The service is up and the store answers."""
    return {"status": "ok", "version": __version__, "quads": store.count()}
