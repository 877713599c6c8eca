"""The order the routers are mounted in (``qualifica.api.routes.ROUTERS``) decides only how
fast a request finds its route, never which route answers it: no route shadows another.

FastAPI tries the routes in order and takes the first whose pattern matches the whole path;
the routers most requests go to are mounted first. Every route is tried with paths made from
its own pattern (each parameter filled in several ways, ``{x:path}`` with and without a slash),
and the first route that matches such a path must be the route it was made from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match, Route

from qualifica.api import routes
from qualifica.api.app import create_app
from qualifica.api.routes import planning, rest
from qualifica.config import Settings

#: Values for the parameters of a pattern: ``{name}`` and ``{name:path}``.
_FILLS = (("x", "a/b"), ("x", "x"), ("roles", "roles/x"), ("1", "1"), ("cio", "cio"))


def _leaves(items: Iterable[BaseRoute]) -> Iterator[Route]:
    """The routes of an app in the order they are tried (included routers opened)."""
    for item in items:
        inner = getattr(item, "original_router", None)
        if inner is not None:
            yield from _leaves(inner.routes)
        elif isinstance(item, Route):
            yield item


def _paths(pattern: str) -> set[str]:
    out = set()
    for plain, path in _FILLS:
        filled = re.sub(r"\{[^}:]+:path\}", path, pattern)
        out.add(re.sub(r"\{[^}]+\}", plain, filled))
    return out


def _first(order: list[Route], path: str, method: str) -> Route | None:
    for route in order:
        match, _ = route.matches({"type": "http", "path": path, "method": method,
                                  "root_path": ""})
        if match == Match.FULL:
            return route
    return None


def _shadowed(order: list[Route]) -> list[tuple[str, str, str, str | None]]:
    """(pattern, path, method, pattern that answers instead) for every path of a route that
    another route answers."""
    out = []
    for route in order:
        for path in sorted(_paths(route.path)):
            for method in sorted(route.methods or ()):
                found = _first(order, path, method)
                if found is not route and (found is None or found.path != route.path):
                    out.append((route.path, path, method, found.path if found else None))
    return out


def _app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path, load_bundled=False))


def test_no_route_shadows_another(tmp_path: Path) -> None:
    order = list(_leaves(_app(tmp_path).routes))
    assert len(order) > 80  # every router's routes, the named queries' included
    assert _shadowed(order) == []


def test_the_routers_most_requests_go_to_are_tried_first(tmp_path: Path) -> None:
    order = [r.path for r in _leaves(_app(tmp_path).routes)]
    first = order.index("/id/{kind}/{slug}")
    assert first < 5
    assert order.index("/api/roles/{id:path}") < order.index("/sparql")
    assert order.index("/roles/{id}") < order.index("/graphs")


def test_the_check_finds_a_shadowed_route(tmp_path: Path) -> None:
    """Mounted before the planning router, the REST router's ``/api/competencies/{id:path}``
    would answer ``/api/competencies/{id}/roles``."""
    swapped = [rest.router, planning.router,
               *(r for r in routes.ROUTERS if r not in (rest.router, planning.router))]
    order = list(_leaves(r for router in swapped for r in router.routes))
    assert ("/api/competencies/{id:path}/roles", "/api/competencies/x/roles", "GET",
            "/api/competencies/{id:path}") in _shadowed(order)
