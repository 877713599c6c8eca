"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from qualifica import __version__
from qualifica.api.deps import CtxDep
from qualifica.context import MIRROR

router = APIRouter(tags=["service"])


_EXAMPLE = {"status": "ok", "version": "0.1.0", "quads": 4492, "memory_copy": "current"}


@router.get("/healthz", summary="Health check",
            responses={200: {"description": "Up: the version, the number of quads stored and "
                             "the state of this process's in-memory copy of the store "
                             "(`current`, `building`, or `none`: no copy, the store is read)",
                             "content": {"application/json": {"example": _EXAMPLE}}}})
def healthz(ctx: CtxDep) -> dict[str, object]:
    """The service is up and the store answers."""
    mirror = ctx.built(MIRROR)
    copy = "none" if mirror is None else "current" if mirror.current else "building"
    return {"status": "ok", "version": __version__, "quads": ctx.store.count(),
            "memory_copy": copy}
