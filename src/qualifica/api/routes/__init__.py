"""The routers of the API, in the order they are mounted."""

from __future__ import annotations

from fastapi import APIRouter

from qualifica.api.routes import (
    browse,
    datasets,
    docs,
    feeds,
    health,
    imports,
    legal,
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

ROUTERS: list[APIRouter] = [
    health.router,
    sparql.router,
    writes.router,
    imports.router,
    planning.router,
    queries.router,
    releases.router,
    legal.router,
    feeds.router,
    rest.router,
    resources.router,
    ontology.router,
    datasets.router,
    pages.router,
    browse.router,
    docs.router,
]
