"""The competency page: definition, hierarchy, the paths from the competency to the roles
requiring it, and the formats developing it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.provenance import (
    Mark,
    Provenance,
    cited_sources,
    editorial_graphs,
    provenance_of,
)
from qualifica.namespaces import (
    QD_DEVELOPS,
    QD_PERFORMS_TASK,
    QD_REQUIRES,
    SKOS_BROADER,
    SKOS_IN_SCHEME,
)
from qualifica.planning import get_index
from qualifica.planning.index import Requirement
from qualifica.web.formats import FormatRow, format_pairs, format_rows
from qualifica.web.paging import Pages, Window, window
from qualifica.web.queries import Labeller, Ref, check_kind, resolve, statements_about
from qualifica.web.resource_view import HEAD_PREDICATES, ResourceView, resource_view
from qualifica.web.tables import Cell, Table, level_text, source_cell


@dataclass
class CompetencyPath:
    """competency → (broader)* → required competency → (task) → role."""

    competencies: list[Ref]
    task: Ref | None
    role: Ref
    level: Ref | None
    rank: int | None
    essential: bool
    #: The requirement at the end of the path is marked ``qd:editorial true``.
    editorial: bool = False

    @property
    def nodes(self) -> list[Ref]:
        """The nodes of the path, from the competency to the role."""
        return [*self.competencies, *([self.task] if self.task else []), self.role]


@dataclass
class CompetencyView:
    """The competency page: definition, hierarchy, paths to roles, formats."""

    resource: ResourceView
    framework: Ref | None
    broader: list[Ref]
    narrower: list[Ref]
    paths: list[CompetencyPath]
    """The paths shown (every path when the view is made without pages)."""
    formats: list[FormatRow]
    tables: dict[str, Table]
    #: The paths of the rows the paths table shows (all of them without paging): the ones
    #: the page's diagram draws and lists.
    shown_paths: list[CompetencyPath] = field(default_factory=list)
    #: How many paths there are, on every page together.
    path_count: int = 0


def _chain(start: str, goal: str, edges: Mapping[str, Sequence[str]]) -> list[str]:
    """The shortest broader chain from ``start`` up to ``goal`` (both included)."""
    queue: list[list[str]] = [[start]]
    seen = {start}
    while queue:
        chain = queue.pop(0)
        if chain[-1] == goal:
            return chain
        for nxt in edges.get(chain[-1], ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*chain, nxt])
    return [start, goal]


class PathKey(NamedTuple):
    """A path by its IRIs (what :class:`CompetencyPath` holds, without references; a tuple:
    a page makes one for every path, shown or not)."""

    chain: list[str]
    task: str | None
    role: str
    level: str | None
    rank: int | None
    essential: bool
    editorial: bool


def path_keys(ctx: Context, iri: str, labeller: Labeller) -> list[PathKey]:
    """Every path from the competency (or a broader one) through a task to a role, by IRIs,
    in the order of the page (role, length, task; by the labels in memory).

    Read from the planning index (kept current on every write), which holds the broader
    closure and the requirements of every role and task: a property-path query over the store
    took seconds on a large graph. Two requirements of one holder for one competency count as
    one (the higher level, essential if either is, editorial if both are), as in planning.
    """
    ix = get_index(ctx)
    up = [iri, *sorted(ix.ancestors.get(iri, ()))]
    edges: dict[str, list[str]] = {n: list(ix.broader[n]) for n in up if n in ix.broader}
    found: list[tuple[str, str | None, str, Requirement]] = []
    for required in up:
        for role in ix.comp_roles_direct.get(required, ()):
            req = ix.own_requirements.get(role, {}).get(required)
            if req is not None:
                found.append((required, None, role, req))
        for doer in ix.comp_tasks.get(required, ()):
            req = ix.own_requirements.get(doer, {}).get(required)
            if req is not None:
                found.extend((required, doer, role, req) for role in ix.task_roles.get(doer, ()))
    # one path per chain, task and role (the higher level); references made once per path
    best: dict[tuple[str, ...], tuple[list[str], str | None, str, Requirement, int | None]] = {}
    chains: dict[str, list[str]] = {}
    for required, task, role, req in found:
        chain = chains.get(required)
        if chain is None:
            chain = chains[required] = (_chain(iri, required, edges) if required != iri
                                        else [iri])
        key = (*chain, task or "", role)
        rank = ix.level_rank.get(req.level) if req.level else None
        if key in best and (rank is None or (best[key][4] or 0) >= rank):
            continue
        best[key] = (chain, task, role, req, rank)
    keys = [PathKey(chain, task, role, req.level, rank, req.essential, req.editorial)
            for chain, task, role, req, rank in best.values()]
    return sorted(keys, key=lambda k: (labeller.label(k.role).lower(), len(k.chain),
                                       labeller.label(k.task).lower() if k.task else ""))


def competency_paths(ctx: Context, iri: str, labeller: Labeller) -> list[CompetencyPath]:
    """Every path from the competency (or a broader one) through a task to a role, in the
    order of the page (see :func:`path_keys`)."""
    return [make_path(k, labeller) for k in path_keys(ctx, iri, labeller)]


def make_path(key: PathKey, labeller: Labeller) -> CompetencyPath:
    """The path of ``key`` with its references."""
    return CompetencyPath(
        competencies=[labeller.ref(c) for c in key.chain],
        task=labeller.ref(key.task) if key.task else None, role=labeller.ref(key.role),
        level=labeller.ref(key.level) if key.level else None, rank=key.rank,
        essential=key.essential, editorial=key.editorial)


def path_mark(path: CompetencyPath, prov: Provenance) -> Mark:
    """The provenance of a path: editorial when its requirement or the task link is; else the
    sources of the broader links and of the requirement's holder."""
    holder = path.task or path.role
    marks = [prov.mark(holder.iri, QD_REQUIRES, "", editorial_link=path.editorial)]
    if path.task is not None:
        marks.append(prov.mark(path.role.iri, QD_PERFORMS_TASK, path.task.iri))
    marks.extend(prov.mark(a.iri, SKOS_BROADER, b.iri)
                 for a, b in zip(path.competencies, path.competencies[1:], strict=False))
    if any(m.editorial for m in marks):
        return Mark(editorial=True)
    sources = {s.iri or s.title: s for m in marks for s in m.sources}
    return Mark(editorial=False, sources=tuple(sources.values()))


#: The tables of a competency page in the order it shows them, with the word of their titles.
COMPETENCY_TABLES: dict[str, str] = {"paths": "roles_paths", "formats": "formats",
                                     "broader": "broader", "narrower": "narrower"}


def competency_view(ctx: Context, competency: str, lang: str, words: Mapping[str, str],
                    pages: Pages | None = None) -> CompetencyView:
    """The competency page for a slug or IRI; ``NotFound`` for anything that is not one.

    ``pages``: the page of each table to show (``web.paging``; only those rows are made, with
    their provenance, and the diagram draws the paths shown); ``None``: every row."""
    iri = resolve(competency, "competency")
    rows = statements_about(ctx, iri, HEAD_PREDICATES | {SKOS_BROADER, SKOS_IN_SCHEME})
    check_kind(rows, iri, "competency")
    # The narrower competencies from the catalogue of the store's generation (its
    # skos:broader links), not from the links to the resource read from the store.
    resource = resource_view(ctx, iri, lang, rows, incoming=False)
    labeller = Labeller(ctx, lang)
    broader = [s.value for s in resource.statements if s.prop.iri == SKOS_BROADER and s.value]
    frameworks = [s.value for s in resource.statements if s.prop.iri == SKOS_IN_SCHEME and s.value]
    narrower = sorted((labeller.ref(s) for s in catalogue_for(ctx).sources(iri, SKOS_BROADER)),
                      key=lambda r: r.id)
    keys = path_keys(ctx, iri, labeller)
    formats = format_rows(ctx, format_pairs(ctx, [iri], labeller), labeller)
    w = words
    size = ctx.settings.page_rows

    def win(name: str, total: int) -> Window:
        return window(name, total, pages, size, w[COMPETENCY_TABLES[name]], w)

    # the references of the paths shown only (of every path for the downloads)
    w_paths = win("paths", len(keys))
    shown_paths = [make_path(k, labeller) for k in w_paths.cut(keys)]
    shown_formats = (w_formats := win("formats", len(formats))).cut(formats)
    shown_broader = (w_broader := win("broader", len(broader))).cut(broader)
    shown_narrower = (w_narrower := win("narrower", len(narrower))).cut(narrower)
    # The provenance of every row shown, with one query (docs/data.md, "Provenance"); the
    # editorial marks of the requirements and outcomes are the planning index's.
    prov = provenance_of(
        ctx.reads, ctx.registry,
        [iri, *(n.iri for n in shown_narrower), *(f.format.iri for f in shown_formats),
         *(n.iri for p in shown_paths for n in p.nodes)], lang, ctx.settings.query_timeout_s,
        links=False,
        graphs=editorial_graphs(ctx), cited=cited_sources(ctx))
    tables = {
        "paths": Table(
            "paths", w["roles_paths"],
            [w["role"], w["task"], w["competency"], w["required_level"], w["essential"],
             w["path"], w["source"]],
            [[Cell.of(p.role), Cell.of(p.task), Cell.of(p.competencies[-1]),
              Cell(level_text(p.level, p.rank)),
              Cell(w["yes"] if p.essential else w["no"]),
              Cell(" → ".join(n.label for n in p.nodes)),
              source_cell(path_mark(p, prov), w)]
             for p in shown_paths], csv_only=frozenset({5}), window=w_paths),
        "formats": Table(
            "formats", w["formats"], [w["format"], w["kind"], w["level_reached"], w["source"]],
            [[Cell.of(f.format), Cell(", ".join(k.label for k in f.kinds)),
              Cell(level_text(f.level, f.rank)),
              source_cell(prov.mark(f.format.iri, QD_DEVELOPS, iri, editorial_link=f.editorial),
                          w)] for f in shown_formats], window=w_formats),
        "broader": Table("broader", w["broader"], [w["competency"], w["source"]],
                         [[Cell.of(b), source_cell(prov.mark(iri, SKOS_BROADER, b.iri), w)]
                          for b in shown_broader], window=w_broader),
        "narrower": Table("narrower", w["narrower"], [w["competency"], w["source"]],
                          [[Cell.of(n), source_cell(prov.mark(n.iri, SKOS_BROADER, iri), w)]
                           for n in shown_narrower], window=w_narrower),
    }
    return CompetencyView(resource=resource, framework=frameworks[0] if frameworks else None,
                          broader=broader, narrower=narrower, paths=shown_paths,
                          path_count=len(keys), formats=formats,
                          tables=tables, shown_paths=shown_paths)
