"""The competency page: definition, hierarchy, the paths from the competency to the roles
requiring it, and the formats developing it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qualifica.context import Context
from qualifica.linkeddata.provenance import Mark, Provenance, provenance_of
from qualifica.namespaces import (
    QD_DEVELOPS,
    QD_PERFORMS_TASK,
    QD_REQUIRES,
    SKOS_BROADER,
    SKOS_IN_SCHEME,
)
from qualifica.sparql.terms import bool_of, int_of, iri_of
from qualifica.web.formats import FormatRow, formats_for
from qualifica.web.queries import Labeller, Ref, check_kind, resolve, select_rows, statements_about
from qualifica.web.resource_view import ResourceView, resource_view
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
    formats: list[FormatRow]
    tables: dict[str, Table]


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


def competency_paths(ctx: Context, iri: str, labeller: Labeller) -> list[CompetencyPath]:
    """Every path from the competency (or a broader one) through a task to a role."""
    rows = select_rows(ctx, "page-competency-paths", {"competency": iri})
    edge_rows = select_rows(ctx, "page-broader", {"competency": iri})
    edges: dict[str, list[str]] = defaultdict(list)
    for row in edge_rows:
        n, b = iri_of(row.get("narrower")), iri_of(row.get("broader"))
        if n and b:
            edges[n].append(b)
    labeller.load(t for r in rows for k in ("required", "task", "role", "level")
                  if (t := iri_of(r.get(k))))
    labeller.load(edges)
    labeller.load(b for bs in edges.values() for b in bs)
    out: dict[tuple[str, ...], CompetencyPath] = {}
    for row in rows:
        required, role = iri_of(row.get("required")), iri_of(row.get("role"))
        if required is None or role is None:
            continue
        task = iri_of(row.get("task"))
        chain = _chain(iri, required, edges) if required != iri else [iri]
        key = (*chain, task or "", role)
        rank = int_of(row.get("rank"))
        level = iri_of(row.get("level"))
        if key in out and (rank is None or (out[key].rank or 0) >= rank):
            continue
        out[key] = CompetencyPath(
            competencies=[labeller.ref(c) for c in chain],
            task=labeller.ref(task) if task else None, role=labeller.ref(role),
            level=labeller.ref(level) if level else None, rank=rank,
            essential=bool(bool_of(row.get("essential"))),
            editorial=bool(bool_of(row.get("editorial"))))
    return sorted(out.values(), key=lambda p: (p.role.label.lower(), len(p.competencies),
                                                p.task.label.lower() if p.task else ""))


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


def competency_view(ctx: Context, competency: str, lang: str, words: Mapping[str, str]
                    ) -> CompetencyView:
    """The competency page for a slug or IRI; ``NotFound`` for anything that is not one."""
    iri = resolve(competency, "competency")
    rows = statements_about(ctx, iri)
    check_kind(rows, iri, "competency")
    resource = resource_view(ctx, iri, lang)
    labeller = Labeller(ctx, lang)
    broader = [s.value for s in resource.statements if s.prop.iri == SKOS_BROADER and s.value]
    frameworks = [s.value for s in resource.statements if s.prop.iri == SKOS_IN_SCHEME and s.value]
    narrower = sorted((s for s, p in resource.incoming if p.iri == SKOS_BROADER),
                      key=lambda r: r.id)
    found = competency_paths(ctx, iri, labeller)
    formats = formats_for(ctx, [iri], labeller)
    # The provenance of every row below, with one query (docs/data.md, "Provenance").
    prov = provenance_of(
        ctx.store, ctx.registry,
        [iri, *(n.iri for n in narrower), *(f.format.iri for f in formats),
         *(n.iri for p in found for n in p.nodes)], lang, ctx.settings.query_timeout_s)
    w = words
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
             for p in found], csv_only=frozenset({5})),
        "formats": Table(
            "formats", w["formats"], [w["format"], w["kind"], w["level_reached"], w["source"]],
            [[Cell.of(f.format), Cell(", ".join(k.label for k in f.kinds)),
              Cell(level_text(f.level, f.rank)),
              source_cell(prov.mark(f.format.iri, QD_DEVELOPS, iri, editorial_link=f.editorial),
                          w)] for f in formats]),
        "broader": Table("broader", w["broader"], [w["competency"], w["source"]],
                         [[Cell.of(b), source_cell(prov.mark(iri, SKOS_BROADER, b.iri), w)]
                          for b in broader]),
        "narrower": Table("narrower", w["narrower"], [w["competency"], w["source"]],
                          [[Cell.of(n), source_cell(prov.mark(n.iri, SKOS_BROADER, iri), w)]
                           for n in narrower]),
    }
    return CompetencyView(resource=resource, framework=frameworks[0] if frameworks else None,
                          broader=broader, narrower=narrower, paths=found, formats=formats,
                          tables=tables)
