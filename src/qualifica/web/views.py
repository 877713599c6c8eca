"""What the pages show, read from the store: pure functions returning dataclasses.

This module holds the home page and the level choices; the other pages live in their own
modules (``resource_view``, ``role_view``, ``competency_view``) over the shared reads of
``web.queries`` and the tables of ``web.tables``, and are re-exported here. Every read goes
through the library queries ``queries/lib/page-*.rq`` with values bound by ``sparql.binding``;
labels are fetched in one batch per page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from qualifica.context import Context
from qualifica.namespaces import ID, KINDS
from qualifica.sparql.terms import int_of, iri_of
from qualifica.web.competency_view import (
    CompetencyPath,
    CompetencyView,
    competency_paths,
    competency_view,
)
from qualifica.web.formats import (
    FormatRow,
    LegalRow,
    format_pairs,
    format_rows,
    formats_for,
    legal_bases_for,
)
from qualifica.web.queries import Labeller, Ref, href_for, resolve, select_rows
from qualifica.web.resource_view import ResourceView, Statement, resource_view
from qualifica.web.role_view import MergedRequirement, RoleView, merged_requirements, role_view
from qualifica.web.tables import Cell, Table, table_csv

__all__ = [
    "Cell", "CompetencyPath", "CompetencyView", "FormatRow", "HomeView", "Labeller",
    "LegalRow", "LevelChoice", "MergedRequirement", "Ref", "ResourceView", "RoleView",
    "Statement", "Table", "competency_paths", "competency_view", "format_pairs", "format_rows",
    "formats_for", "home_view",
    "href_for", "legal_bases_for", "levels_by_framework", "list_of", "merged_requirements",
    "resolve", "resource_view", "role_view", "table_csv",
]


@dataclass
class HomeView:
    """The home page: roles, and competencies grouped by framework."""

    roles: list[Ref]
    frameworks: list[tuple[Ref | None, list[Ref]]]


def list_of(ctx: Context, kind: str, labeller: Labeller) -> list[tuple[Ref, str | None]]:
    """Every instance of ``kind`` with its framework IRI (for competencies), by label."""
    rows = select_rows(ctx, "page-list", {"class": KINDS[kind]})
    items: dict[str, str | None] = {}
    for row in rows:
        iri = iri_of(row.get("iri"))
        if iri and iri.startswith(ID):
            items.setdefault(iri, iri_of(row.get("framework")))
    return sorted(((labeller.ref(i), f) for i, f in items.items()),
                  key=lambda x: x[0].label.lower())


def home_view(ctx: Context, lang: str) -> HomeView:
    """Roles and competencies for the home page."""
    labeller = Labeller(ctx, lang)
    roles = [r for r, _ in list_of(ctx, "role", labeller)]
    groups: dict[str | None, list[Ref]] = defaultdict(list)
    for ref, framework in list_of(ctx, "competency", labeller):
        groups[framework].append(ref)
    for refs in groups.values():
        refs.sort(key=lambda r: _natural(r.id))
    frameworks = sorted(((labeller.ref(f) if f else None, refs) for f, refs in groups.items()),
                        key=lambda g: (g[0] is None, g[0].label.lower() if g[0] else ""))
    return HomeView(roles=roles, frameworks=frameworks)


def _natural(text: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in text.split("-"))


@dataclass(frozen=True)
class LevelChoice:
    """A level a planner can pick for a held competency."""

    ref: Ref
    rank: int


def levels_by_framework(ctx: Context, labeller: Labeller) -> dict[str, list[LevelChoice]]:
    """Every framework's levels, lowest first."""
    rows = select_rows(ctx, "page-levels", {})
    out: dict[str, list[LevelChoice]] = defaultdict(list)
    for row in rows:
        level, framework, rank = iri_of(row.get("level")), iri_of(row.get("framework")), \
            int_of(row.get("rank"))
        if level and framework and rank is not None:
            out[framework].append(LevelChoice(labeller.ref(level), rank))
    for choices in out.values():
        choices.sort(key=lambda c: c.rank)
    return dict(out)
