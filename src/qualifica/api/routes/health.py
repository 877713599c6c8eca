"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from qualifica import __version__
from qualifica.api.deps import StoreDep

router = APIRouter(tags=["service"])


_EXAMPLE = {"status": "ok", "version": "0.1.0", "quads": 4492}


@router.get("/healthz", summary="Health check",
            responses={200: {"description": "Up: the version and the number of quads stored",
                             "content": {"application/json": {"example": _EXAMPLE}}}})
def healthz(store: StoreDep) -> dict[str, object]:
    """The service is up and the store answers."""
    return {"status": "ok", "version": __version__, "quads": store.count()}
