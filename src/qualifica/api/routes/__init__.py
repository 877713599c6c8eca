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

#: The router finds a request's route by trying the routes in this order (FastAPI matches the
#: path of every route mounted before it, and those of the chosen router twice): the routers
#: most requests go to come first. No route shadows another in this order
#: (``tests/api/test_route_order.py``); where two patterns overlap the narrower comes first
#: (``/api/competencies/{id:path}/roles`` of the planning router before the REST router's
#: ``/api/competencies/{id:path}``).
ROUTERS: list[APIRouter] = [
    health.router,
    resources.router,
    planning.router,
    rest.router,
    pages.router,
    browse.router,
    sparql.router,
    writes.router,
    imports.router,
    queries.router,
    releases.router,
    legal.router,
    feeds.router,
    ontology.router,
    datasets.router,
    docs.router,
]
