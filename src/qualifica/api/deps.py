"""Request dependencies: the runtime context and its parts, injected with ``Annotated``.

They are coroutines on purpose: FastAPI runs a plain function dependency on a worker thread,
a hop that costs more than these lookups (measured: most of a planning answer's time).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qualifica.config import Settings
from qualifica.context import Context
from qualifica.sandbox import SANDBOX, Sandbox
from qualifica.store.base import Store


async def get_context(request: Request) -> Context:
    """The context the lifespan built."""
    ctx: Context = request.app.state.ctx
    return ctx


async def get_sandbox(ctx: Annotated[Context, Depends(get_context)]) -> Sandbox:
    """The context's sandbox of worker processes."""
    return ctx.part(SANDBOX)


async def get_store(ctx: Annotated[Context, Depends(get_context)]) -> Store:
    """The store."""
    return ctx.store


async def get_settings(ctx: Annotated[Context, Depends(get_context)]) -> Settings:
    """The settings."""
    return ctx.settings


CtxDep = Annotated[Context, Depends(get_context)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SandboxDep = Annotated[Sandbox, Depends(get_sandbox)]
