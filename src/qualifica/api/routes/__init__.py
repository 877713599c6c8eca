"""The routers of the API, in the order they are mounted, and the start-up hooks."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from qualifica.api.routes import (
    datasets,
    health,
    imports,
    ontology,
    pages,
    planning,
    queries,
    releases,
    resources,
    rest,
    sparql,
    writes,
)
from qualifica.context import Context

ROUTERS: list[APIRouter] = [
    health.router,
    sparql.router,
    writes.router,
    imports.router,
    planning.router,
    queries.router,
    releases.router,
    rest.router,
    resources.router,
    ontology.router,
    datasets.router,
    pages.router,
]

#: Called with the context after the bundled graph is loaded, before the first request.
STARTUP_HOOKS: list[Callable[[Context], None]] = []

# Planning: build the planning index once the bundled graph is loaded (kept current on writes).
from qualifica.planning import install as _planning_install  # noqa: E402

STARTUP_HOOKS.append(_planning_install)
