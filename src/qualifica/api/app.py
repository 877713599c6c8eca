"""The application factory: ``create_app(settings)`` builds store and routes in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from qualifica import __version__
from qualifica.api import caching, compression, memory, openapi, problems, security
from qualifica.api.routes import ROUTERS, queries
from qualifica.config import Settings
from qualifica.context import MIRROR, Context, open_context
from qualifica.linkeddata.feed import feed_for, sync_legal
from qualifica.linkeddata.provenance import cited_sources
from qualifica.planning import get_index
from qualifica.sandbox import SANDBOX
from qualifica.validation import rdflib_cache
from qualifica.validation.gate import ensure_bundled

if TYPE_CHECKING:
    from qualifica.api.workers import Role

log = logging.getLogger(__name__)


def start(ctx: Context) -> None:
    """Everything the API does before its first request: let rdflib keep parsed SPARQL (the
    shapes' constraints, validated on every write), load the bundled graph into an empty store,
    then build the planning index and the table of cited sources the pages read (both kept
    current on writes from then on)."""
    rdflib_cache.enable()
    feed = feed_for(ctx)  # records every write from here on, the bundled load included
    ensure_bundled(ctx)
    sync_legal(ctx, feed)
    get_index(ctx)
    cited_sources(ctx)
    ctx.part(SANDBOX).start()  # the worker processes start in the background


def create_app(settings: Settings, *, context: Context | None = None,
               worker: Role | None = None, serving: bool = False) -> FastAPI:
    """A FastAPI app over the store the settings name (or over a given context, for tests).

    The app opens and closes its own context; a ``context`` passed in stays open (its owner
    closes it). ``worker``: the role of this process under ``serve --workers`` (api.workers).
    ``serving``: a server process of its own (``serve``), whose heap is frozen for the garbage
    collector after start-up (``memory.freeze_long_lived``).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_process = worker is not None or serving
        with memory.collector_paused(own_process):
            if context is not None:
                ctx = context
            elif worker is not None:
                ctx = worker.open_context()
            else:
                ctx = open_context(settings)
        try:
            with memory.collector_paused(own_process):
                start(ctx)
                if own_process:
                    ctx.part(MIRROR)  # the in-memory copy of the store, built in the background
                app.state.ctx = ctx
                if worker is not None:
                    await worker.started(app)
            if own_process:
                memory.freeze_long_lived()
                ctx.store.subscribe(memory.settle_after_write, last=True)
            yield
        finally:
            if worker is not None:
                await worker.stopping()
            if context is None:
                ctx.close()

    app = FastAPI(
        title="Qualifica",
        version=__version__,
        summary="Competencies, roles, tasks, training formats and legal bases of the "
        "digitalised German public sector, as a knowledge graph.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc from packaged assets: api/routes/docs.py
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=openapi.operation_id,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Link", "Location", "Content-Location", "Vary"],
    )
    problems.install(app)
    caching.install(app, settings)
    queries.install(app)
    openapi.install(app)
    security.install(app, settings)
    compression.install(app)  # outermost: compresses the final answer
    for router in ROUTERS:
        app.include_router(router)
    if worker is not None:
        worker.install(app)
    return app
