"""The role page: its tasks, its requirements merged over the role and its tasks, the formats
developing the required competencies and the legal bases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.provenance import cited_sources, editorial_graphs, provenance_of
from qualifica.namespaces import (
    QD_DEVELOPS,
    QD_PERFORMS_TASK,
    QD_REQUIRES,
    QD_ROLE_GROUP,
    SKOS_IN_SCHEME,
)
from qualifica.planning import get_index
from qualifica.sparql.terms import iri_of
from qualifica.web.formats import format_pairs, format_rows, legal_bases_for, legal_groups
from qualifica.web.paging import Pages, Window, window
from qualifica.web.queries import Labeller, Ref, check_kind, resolve, statements_about
from qualifica.web.resource_view import HEAD_PREDICATES, ResourceView, resource_view
from qualifica.web.tables import Cell, Table, level_text, source_cell


@dataclass
class MergedRequirement:
    """A role's requirement of one competency, merged over the role and its tasks."""

    competency: Ref
    framework: Ref | None
    level: Ref | None
    rank: int | None
    essential: bool
    editorial: bool
    via: list[Ref]


@dataclass
class RoleView:
    """The role page: tasks, merged requirements, training formats and legal bases."""

    resource: ResourceView
    tasks: list[Ref]
    requirements: list[MergedRequirement]
    tables: dict[str, Table]
    groups: list[Ref] | None = None


def merged_requirements(ctx: Context, role_iri: str, labeller: Labeller
                        ) -> list[MergedRequirement]:
    """The role's requirements and its tasks' ones; per competency the higher level wins and
    it is essential if either is (a requirement without ``qd:essential`` is optional).

    Taken from the planning index (kept current on every write), which merges them by the same
    rule, with the labels and frameworks from the catalogue: a query over the role and its
    tasks read every requirement whatever the page shows. A merged requirement is editorial
    when every requirement it is made of is marked ``qd:editorial true``."""
    ix = get_index(ctx)
    cat = catalogue_for(ctx)
    merged: list[MergedRequirement] = []
    for comp, req in ix.role_requirements.get(role_iri, {}).items():
        frameworks = cat.targets(comp, SKOS_IN_SCHEME)
        framework = min(frameworks) if frameworks else None
        via = sorted(req.sources)
        merged.append(MergedRequirement(
            competency=labeller.ref(comp),
            framework=labeller.ref(framework) if framework else None,
            level=labeller.ref(req.level) if req.level else None,
            rank=ix.level_rank.get(req.level) if req.level else None,
            essential=req.essential, editorial=req.editorial,
            via=[labeller.ref(v) for v in via]))
    return sorted(merged, key=lambda r: (not r.essential, r.competency.label.lower(),
                                         r.competency.iri))


#: The tables of a role page in the order it shows them, with the word of their titles.
ROLE_TABLES: dict[str, str] = {"tasks": "tasks", "groups": "role_group_list",
                               "requirements": "requirements", "formats": "formats",
                               "legal-bases": "legal_bases"}


def role_view(ctx: Context, role: str, lang: str, words: Mapping[str, str],
              pages: Pages | None = None) -> RoleView:
    """The role page for a slug or IRI; ``NotFound`` for anything that is not a role.

    ``pages``: the page of each table to show (``web.paging``; only those rows are made, with
    their provenance); ``None``: every row (the downloads)."""
    iri = resolve(role, "role")
    rows = statements_about(ctx, iri, HEAD_PREDICATES | {QD_PERFORMS_TASK, QD_ROLE_GROUP})
    check_kind(rows, iri, "role")
    resource = resource_view(ctx, iri, lang, rows, incoming=False)
    labeller = Labeller(ctx, lang)
    tasks = sorted({iri_of(r.get("o")) for r in rows
                    if iri_of(r.get("p")) == QD_PERFORMS_TASK} - {None}, key=str)
    task_refs = sorted((labeller.ref(t) for t in tasks if t), key=lambda r: r.label.lower())
    reqs = merged_requirements(ctx, iri, labeller)
    required_rank = {r.competency.iri: r.rank for r in reqs}
    # The formats and competencies from the catalogue, the levels they reach from the
    # planning index.
    pairs = format_pairs(ctx, [r.competency.iri for r in reqs], labeller)
    legal = legal_bases_for(ctx, [iri, *(t.iri for t in task_refs),
                                  *{f for f, _ in pairs}], labeller)
    groups = sorted({iri_of(r.get("o")) for r in rows
                     if iri_of(r.get("p")) == QD_ROLE_GROUP} - {None}, key=str)
    group_refs = sorted((labeller.ref(g) for g in groups if g), key=lambda r: r.label.lower())
    w = words
    size = ctx.settings.page_rows

    def win(name: str, total: int, unit: str = "rows_of") -> Window:
        return window(name, total, pages, size, w[ROLE_TABLES[name]], w, unit)

    shown_tasks = (w_tasks := win("tasks", len(task_refs))).cut(task_refs)
    shown_groups = (w_groups := win("groups", len(group_refs))).cut(group_refs)
    shown_reqs = (w_reqs := win("requirements", len(reqs))).cut(reqs)
    shown_pairs = (w_formats := win("formats", len(pairs))).cut(pairs)
    shown_formats = format_rows(ctx, shown_pairs, labeller)
    # The legal bases are paged by legal basis, not by row: one whose statements differ in
    # provenance takes a row per provenance, all on the page of that legal basis (which rows
    # there are is known only with the provenance of every subject, which costs a query over
    # all of them).
    legal_order = list(dict.fromkeys(r.legal.iri for r in legal))
    w_legal = win("legal-bases", len(legal_order), "legal_bases_of")
    shown_legal = set(w_legal.cut(legal_order))
    legal_rows = [r for r in legal if r.legal.iri in shown_legal]
    # The provenance of every row shown, with one query (docs/data.md, "Provenance"); the
    # editorial marks of the requirements and outcomes are the planning index's.
    prov = provenance_of(ctx.reads, ctx.registry,
                         [iri, *(f.format.iri for f in shown_formats),
                          *(r.subject.iri for r in legal_rows)],
                         lang, ctx.settings.query_timeout_s, links=False,
                         graphs=editorial_graphs(ctx), cited=cited_sources(ctx))
    tables = {
        "tasks": Table("tasks", w["tasks"], [w["task"], w["source"]],
                       [[Cell.of(t), source_cell(prov.mark(iri, QD_PERFORMS_TASK, t.iri), w)]
                        for t in shown_tasks], window=w_tasks),
        "groups": Table("groups", w["role_group_list"], [w["role_group"], w["source"]],
                        [[Cell.of(g), source_cell(prov.mark(iri, QD_ROLE_GROUP, g.iri), w)]
                         for g in shown_groups], window=w_groups),
        "requirements": Table(
            "requirements", w["requirements"],
            [w["competency"], w["framework"], w["required_level"], w["essential"], w["via"],
             w["source"]],
            [[Cell.of(r.competency), Cell.of(r.framework),
              Cell(level_text(r.level, r.rank), href=r.level.href if r.level else None,
                   iri=r.level.iri if r.level else None),
              Cell(w["yes"] if r.essential else w["no"]),
              Cell(", ".join(w["via_role"] if v.iri == iri else v.label for v in r.via)),
              source_cell(prov.mark(iri, QD_REQUIRES, "", editorial_link=r.editorial), w)]
             for r in shown_reqs], window=w_reqs),
        "formats": Table(
            "formats", w["formats"],
            [w["format"], w["kind"], w["competency"], w["level_reached"],
             w["reaches_required"], w["source"]],
            [[Cell.of(f.format), Cell(", ".join(k.label for k in f.kinds)),
              Cell.of(f.competency),
              Cell(level_text(f.level, f.rank)),
              Cell(w["yes"] if _closes(f.rank, required_rank.get(f.competency.iri))
                   else w["no"]),
              source_cell(prov.mark(f.format.iri, QD_DEVELOPS, f.competency.iri,
                                    editorial_link=f.editorial), w)]
             for f in shown_formats], window=w_formats),
        "legal-bases": Table(
            "legal-bases", w["legal_bases"],
            [w["legal_basis"], w["part_of"], w["applies_to"], w["source"]],
            [[Cell.of(g.legal), Cell.of(g.act), Cell.many(g.subjects),
              source_cell(g.mark, w) if g.mark else Cell("")]
             for g in legal_groups(legal_rows, prov)], window=w_legal),
    }
    return RoleView(resource=resource, tasks=task_refs, requirements=reqs, tables=tables,
                    groups=group_refs)


def _closes(reached: int | None, required: int | None) -> bool:
    return reached is not None and (required is None or reached >= required)
