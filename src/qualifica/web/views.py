"""What the pages show, read from the store: pure functions returning dataclasses.

Every read goes through the library queries ``queries/lib/page-*.rq`` with values bound by
``sparql.binding``; labels are fetched in one batch per page. Tables are :class:`Table` values so
that the HTML page and its CSV download show the same rows.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context
from qualifica.errors import NotFound
from qualifica.namespaces import DCTERMS, ID, KINDS, QD, RDF, RDFS, SKOS
from qualifica.sparql import binding
from qualifica.sparql.nodes import kind_of, pick_label, slug_of
from qualifica.store.base import SelectResult, Term

log = logging.getLogger(__name__)

TYPE = RDF + "type"
PREF = SKOS + "prefLabel"
DEFINITION = SKOS + "definition"
SOURCE = DCTERMS + "source"
EDITORIAL = QD + "editorial"
BROADER = SKOS + "broader"
IN_SCHEME = SKOS + "inScheme"
LEGAL_BASIS = QD + "legalBasis"
PERFORMS = QD + "performsTask"
# Shown in their own places on a resource page, not among the properties.
_HEADLINE = {PREF, DEFINITION, RDFS + "label"}


# --- building blocks ---------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    """A resource as a page shows it: label, kind and the page it links to."""

    iri: str
    id: str
    kind: str
    label: str
    href: str


@dataclass(frozen=True)
class Cell:
    """One table cell: text, and where it names a resource, its IRI and link."""

    text: str
    href: str | None = None
    iri: str | None = None
    cls: str | None = None

    @classmethod
    def of(cls, ref: Ref | None, *, css: str | None = None) -> Cell:
        """A cell for a resource (empty for ``None``)."""
        if ref is None:
            return cls("")
        return cls(ref.label, href=ref.href, iri=ref.iri, cls=css)


@dataclass
class Table:
    """A table of a page; ``name`` is its CSV download name."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    csv_only: frozenset[int] = frozenset()
    """Indexes of columns only the CSV download has (the page shows them otherwise)."""

    @property
    def shown(self) -> list[int]:
        """The indexes of the columns the page shows."""
        return [i for i in range(len(self.columns)) if i not in self.csv_only]


def href_for(iri: str) -> str:
    """The page of a resource: role and competency pages, else ``/id/{kind}/{slug}``."""
    kind = kind_of(iri)
    if kind is None:
        return iri
    slug = slug_of(iri)
    if kind == "role":
        return f"/roles/{slug}"
    if kind == "competency":
        return f"/competencies/{slug}"
    return f"/id/{kind}/{slug}"


def _local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[-1]
    return iri


def _select(ctx: Context, name: str, raw: Mapping[str, object]) -> list[dict[str, Term]]:
    bound = binding.bind(ctx.registry.internal(name), raw)
    text, subs = bound.for_substitution()
    result = ctx.store.query(text, substitutions=subs, timeout_s=ctx.settings.query_timeout_s)
    if not isinstance(result, SelectResult):
        raise TypeError(f"library query {name} is not a SELECT")
    return result.rows


def _iri(term: Term | None) -> str | None:
    return term.value if isinstance(term, NamedNode) else None


def _int(term: Term | None) -> int | None:
    if isinstance(term, Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def _bool(term: Term | None) -> bool | None:
    if isinstance(term, Literal):
        return term.value in {"true", "1"}
    return None


class Labeller:
    """Labels of many resources, fetched in batches, picked in one language."""

    def __init__(self, ctx: Context, lang: str) -> None:
        self.ctx = ctx
        self.lang = lang
        self._labels: dict[str, dict[str, str]] = {}
        self._rdfs: dict[str, dict[str, str]] = {}

    def load(self, iris: Iterable[str]) -> None:
        """Fetch the labels of every IRI not seen yet."""
        todo = sorted({i for i in iris if i and i not in self._labels})
        for start in range(0, len(todo), binding.MAX_LIST):
            chunk = todo[start:start + binding.MAX_LIST]
            for i in chunk:
                self._labels.setdefault(i, {})
            for row in _select(self.ctx, "page-labels", {"iri": chunk}):
                iri, label = _iri(row.get("iri")), row.get("label")
                if iri is None or not isinstance(label, Literal):
                    continue
                kind = row.get("kind")
                target = self._labels if isinstance(kind, Literal) and kind.value == "pref" \
                    else self._rdfs
                target.setdefault(iri, {}).setdefault(label.language or "", label.value)

    def label(self, iri: str) -> str:
        """The label in the page language, with fallback; the local name when there is none."""
        self.load([iri])
        labels = self._labels.get(iri) or self._rdfs.get(iri) or {}
        return pick_label(labels, self.lang, _local_name(slug_of(iri)))

    def ref(self, iri: str) -> Ref:
        """A :class:`Ref` for ``iri``."""
        return Ref(iri=iri, id=slug_of(iri), kind=kind_of(iri) or "resource",
                   label=self.label(iri), href=href_for(iri))


def _text(ctx: Context, lang: str, values: Sequence[Term]) -> str:
    by_lang = {v.language or "": v.value for v in values if isinstance(v, Literal)}
    return pick_label(by_lang, lang, "")


def resolve(value: str, kind: str, *, param: str = "id") -> str:
    """The IRI for a slug of ``kind`` or a full IRI (``BadParameter`` 422 otherwise)."""
    return binding.iri(value, param=param, kind=kind).value


# --- generic resource ---------------------------------------------------------------------

@dataclass
class Statement:
    """One property value of a resource page."""

    prop: Ref
    value: Ref | None
    text: str
    lang: str = ""
    datatype: str = ""


@dataclass
class ResourceView:
    """A resource with everything stated about it and everything linking to it."""

    ref: Ref
    types: list[Ref]
    definition: str
    alt_labels: dict[str, str]
    statements: list[Statement]
    incoming: list[tuple[Ref, Ref]]
    sources: list[Statement]
    editorial: bool | None
    graphs: list[str]


def _statements(ctx: Context, iri: str) -> list[dict[str, Term]]:
    rows = _select(ctx, "page-resource", {"iri": iri})
    if not rows:
        raise NotFound(f"there is no resource {iri}", id=slug_of(iri))
    return rows


def _check_kind(rows: Sequence[Mapping[str, Term]], iri: str, kind: str) -> None:
    types = {_iri(r.get("o")) for r in rows if _iri(r.get("p")) == TYPE}
    if KINDS[kind] not in types:
        raise NotFound(f"there is no {kind} {slug_of(iri)!r}", id=slug_of(iri))


def resource_view(ctx: Context, iri: str, lang: str) -> ResourceView:
    """Everything about one resource; ``NotFound`` when nothing is stated about it."""
    rows = _statements(ctx, iri)
    incoming_rows = _select(ctx, "page-incoming", {"iri": iri})
    labeller = Labeller(ctx, lang)
    labeller.load([iri])
    labeller.load(t for r in rows for t in (_iri(r.get("p")), _iri(r.get("o"))) if t)
    labeller.load(t for r in incoming_rows for t in (_iri(r.get("s")), _iri(r.get("p"))) if t)
    types: list[Ref] = []
    definitions: list[Term] = []
    alt: dict[str, str] = {}
    statements: list[Statement] = []
    sources: list[Statement] = []
    editorial: bool | None = None
    graphs: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for row in rows:
        p, o = _iri(row.get("p")), row.get("o")
        graph = _iri(row.get("g"))
        if graph:
            graphs.add(graph)
        if p is None or o is None:
            continue
        key = (p, str(o))
        if key in seen:
            continue
        seen.add(key)
        if p == TYPE and isinstance(o, NamedNode):
            types.append(labeller.ref(o.value))
            continue
        if p == DEFINITION:
            definitions.append(o)
            continue
        if p == SKOS + "altLabel" and isinstance(o, Literal):
            alt.setdefault(o.language or "", o.value)
        if p in _HEADLINE:
            continue
        if p == EDITORIAL:
            editorial = _bool(o)
        stmt = _statement(labeller, p, o)
        (sources if p == SOURCE else statements).append(stmt)
    incoming = [(labeller.ref(s), labeller.ref(p)) for r in incoming_rows
                if (s := _iri(r.get("s"))) and (p := _iri(r.get("p")))]
    return ResourceView(
        ref=labeller.ref(iri), types=types, definition=_text(ctx, lang, definitions),
        alt_labels=alt, statements=statements, incoming=incoming, sources=sources,
        editorial=editorial, graphs=sorted(graphs),
    )


def _statement(labeller: Labeller, p: str, o: Term) -> Statement:
    prop = labeller.ref(p)
    if isinstance(o, NamedNode):
        return Statement(prop=prop, value=labeller.ref(o.value), text=o.value)
    if isinstance(o, Literal):
        datatype = o.datatype.value if o.datatype else ""
        return Statement(prop=prop, value=None, text=o.value, lang=o.language or "",
                         datatype=datatype)
    return Statement(prop=prop, value=None, text=str(o))


# --- role page ------------------------------------------------------------------------------

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


def merged_requirements(ctx: Context, role_iri: str, labeller: Labeller
                        ) -> list[MergedRequirement]:
    """The role's requirements and its tasks' ones; per competency the higher level wins and
    it is essential if either is."""
    rows = _select(ctx, "page-role-requirements", {"role": role_iri})
    labeller.load(t for r in rows for k in ("via", "competency", "level", "framework")
                  if (t := _iri(r.get(k))))
    merged: dict[str, MergedRequirement] = {}
    for row in rows:
        comp = _iri(row.get("competency"))
        via = _iri(row.get("via"))
        if comp is None or via is None:
            continue
        rank = _int(row.get("rank"))
        level = _iri(row.get("level"))
        essential = bool(_bool(row.get("essential")))
        editorial = bool(_bool(row.get("editorial")))
        framework = _iri(row.get("framework"))
        current = merged.get(comp)
        if current is None:
            current = merged[comp] = MergedRequirement(
                competency=labeller.ref(comp),
                framework=labeller.ref(framework) if framework else None,
                level=labeller.ref(level) if level else None, rank=rank,
                essential=essential, editorial=editorial, via=[])
        else:
            if rank is not None and (current.rank is None or rank > current.rank):
                current.rank, current.level = rank, labeller.ref(level) if level else None
            current.essential = current.essential or essential
            current.editorial = current.editorial and editorial
        via_ref = labeller.ref(via)
        if via_ref not in current.via:
            current.via.append(via_ref)
    return sorted(merged.values(), key=lambda r: (not r.essential, r.competency.label.lower()))


@dataclass
class FormatRow:
    """A training format that develops a competency, and the level it reaches."""

    format: Ref
    kinds: list[Ref]
    competency: Ref
    level: Ref | None
    rank: int | None
    editorial: bool


def formats_for(ctx: Context, competencies: Sequence[str], labeller: Labeller
                ) -> list[FormatRow]:
    """The formats that develop any of ``competencies``, one row per format and competency."""
    if not competencies:
        return []
    rows = _select(ctx, "page-formats", {"competency": list(competencies)})
    labeller.load(t for r in rows for k in ("format", "competency", "level", "kind")
                  if (t := _iri(r.get(k))))
    found: dict[tuple[str, str], FormatRow] = {}
    for row in rows:
        fmt, comp = _iri(row.get("format")), _iri(row.get("competency"))
        if fmt is None or comp is None:
            continue
        level, kind, rank = _iri(row.get("level")), _iri(row.get("kind")), _int(row.get("rank"))
        item = found.get((fmt, comp))
        if item is None:
            item = found[(fmt, comp)] = FormatRow(
                format=labeller.ref(fmt), kinds=[], competency=labeller.ref(comp),
                level=labeller.ref(level) if level else None, rank=rank,
                editorial=bool(_bool(row.get("editorial"))))
        elif rank is not None and (item.rank is None or rank > item.rank):
            item.rank, item.level = rank, labeller.ref(level) if level else None
        if kind and all(k.iri != kind for k in item.kinds):
            item.kinds.append(labeller.ref(kind))
    return sorted(found.values(), key=lambda f: (f.competency.label.lower(),
                                                  f.format.label.lower()))


@dataclass
class LegalRow:
    """A legal basis of a role, task or format, with the act it is part of."""

    subject: Ref
    legal: Ref
    act: Ref | None


def legal_bases_for(ctx: Context, subjects: Sequence[str], labeller: Labeller
                    ) -> list[LegalRow]:
    """The legal bases of the given roles, tasks and formats."""
    if not subjects:
        return []
    rows = _select(ctx, "page-legal-bases", {"subject": sorted(set(subjects))})
    labeller.load(t for r in rows for k in ("subject", "legal", "act") if (t := _iri(r.get(k))))
    out: dict[tuple[str, str], LegalRow] = {}
    for row in rows:
        subj, legal, act = _iri(row.get("subject")), _iri(row.get("legal")), _iri(row.get("act"))
        if subj and legal and (subj, legal) not in out:
            out[(subj, legal)] = LegalRow(labeller.ref(subj), labeller.ref(legal),
                                          labeller.ref(act) if act else None)
    return sorted(out.values(), key=lambda r: (r.legal.label.lower(), r.subject.label.lower()))


def _level_text(level: Ref | None, rank: int | None) -> str:
    if level is None:
        return ""
    return level.label if rank is None or str(rank) in level.label else f"{level.label} ({rank})"


def role_view(ctx: Context, role: str, lang: str, words: Mapping[str, str]) -> RoleView:
    """The role page for a slug or IRI; ``NotFound`` for anything that is not a role."""
    iri = resolve(role, "role")
    rows = _statements(ctx, iri)
    _check_kind(rows, iri, "role")
    resource = resource_view(ctx, iri, lang)
    labeller = Labeller(ctx, lang)
    tasks = sorted({_iri(r.get("o")) for r in rows if _iri(r.get("p")) == PERFORMS} - {None},
                   key=str)
    labeller.load([iri, *[t for t in tasks if t]])
    task_refs = sorted((labeller.ref(t) for t in tasks if t), key=lambda r: r.label.lower())
    reqs = merged_requirements(ctx, iri, labeller)
    formats = formats_for(ctx, [r.competency.iri for r in reqs], labeller)
    required_rank = {r.competency.iri: r.rank for r in reqs}
    legal = legal_bases_for(ctx, [iri, *(t.iri for t in task_refs),
                                  *{f.format.iri for f in formats}], labeller)
    w = words
    tables = {
        "tasks": Table("tasks", w["tasks"], [w["task"]],
                       [[Cell.of(t)] for t in task_refs]),
        "requirements": Table(
            "requirements", w["requirements"],
            [w["competency"], w["framework"], w["required_level"], w["essential"], w["via"],
             w["source"]],
            [[Cell.of(r.competency), Cell.of(r.framework),
              Cell(_level_text(r.level, r.rank), href=r.level.href if r.level else None,
                   iri=r.level.iri if r.level else None),
              Cell(w["yes"] if r.essential else w["no"]),
              Cell(", ".join(w["via_role"] if v.iri == iri else v.label for v in r.via)),
              Cell(w["editorial"] if r.editorial else w["sourced"],
                   cls="editorial" if r.editorial else None)]
             for r in reqs]),
        "formats": Table(
            "formats", w["formats"],
            [w["format"], w["kind"], w["competency"], w["level_reached"],
             w["reaches_required"]],
            [[Cell.of(f.format), Cell(", ".join(k.label for k in f.kinds)),
              Cell.of(f.competency),
              Cell(_level_text(f.level, f.rank)),
              Cell(w["yes"] if _closes(f.rank, required_rank.get(f.competency.iri))
                   else w["no"])]
             for f in formats]),
        "legal-bases": Table(
            "legal-bases", w["legal_bases"], [w["legal_basis"], w["part_of"], w["applies_to"]],
            [[Cell.of(lr.legal), Cell.of(lr.act), Cell.of(lr.subject)] for lr in legal]),
    }
    return RoleView(resource=resource, tasks=task_refs, requirements=reqs, tables=tables)


def _closes(reached: int | None, required: int | None) -> bool:
    return reached is not None and (required is None or reached >= required)


# --- competency page ------------------------------------------------------------------------

@dataclass
class CompetencyPath:
    """competency → (broader)* → required competency → (task) → role."""

    competencies: list[Ref]
    task: Ref | None
    role: Ref
    level: Ref | None
    rank: int | None
    essential: bool

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
    rows = _select(ctx, "page-competency-paths", {"competency": iri})
    edge_rows = _select(ctx, "page-broader", {"competency": iri})
    edges: dict[str, list[str]] = defaultdict(list)
    for row in edge_rows:
        n, b = _iri(row.get("narrower")), _iri(row.get("broader"))
        if n and b:
            edges[n].append(b)
    labeller.load(t for r in rows for k in ("required", "task", "role", "level")
                  if (t := _iri(r.get(k))))
    labeller.load(edges)
    labeller.load(b for bs in edges.values() for b in bs)
    out: dict[tuple[str, ...], CompetencyPath] = {}
    for row in rows:
        required, role = _iri(row.get("required")), _iri(row.get("role"))
        if required is None or role is None:
            continue
        task = _iri(row.get("task"))
        chain = _chain(iri, required, edges) if required != iri else [iri]
        key = (*chain, task or "", role)
        rank = _int(row.get("rank"))
        level = _iri(row.get("level"))
        if key in out and (rank is None or (out[key].rank or 0) >= rank):
            continue
        out[key] = CompetencyPath(
            competencies=[labeller.ref(c) for c in chain],
            task=labeller.ref(task) if task else None, role=labeller.ref(role),
            level=labeller.ref(level) if level else None, rank=rank,
            essential=bool(_bool(row.get("essential"))))
    return sorted(out.values(), key=lambda p: (p.role.label.lower(), len(p.competencies),
                                                p.task.label.lower() if p.task else ""))


def competency_view(ctx: Context, competency: str, lang: str, words: Mapping[str, str]
                    ) -> CompetencyView:
    """The competency page for a slug or IRI; ``NotFound`` for anything that is not one."""
    iri = resolve(competency, "competency")
    rows = _statements(ctx, iri)
    _check_kind(rows, iri, "competency")
    resource = resource_view(ctx, iri, lang)
    labeller = Labeller(ctx, lang)
    broader = [s.value for s in resource.statements if s.prop.iri == BROADER and s.value]
    frameworks = [s.value for s in resource.statements if s.prop.iri == IN_SCHEME and s.value]
    narrower = sorted((s for s, p in resource.incoming if p.iri == BROADER),
                      key=lambda r: r.id)
    found = competency_paths(ctx, iri, labeller)
    formats = formats_for(ctx, [iri], labeller)
    w = words
    tables = {
        "paths": Table(
            "paths", w["roles_paths"],
            [w["role"], w["task"], w["competency"], w["required_level"], w["essential"],
             w["path"]],
            [[Cell.of(p.role), Cell.of(p.task), Cell.of(p.competencies[-1]),
              Cell(_level_text(p.level, p.rank)),
              Cell(w["yes"] if p.essential else w["no"]),
              Cell(" → ".join(n.label for n in p.nodes))]
             for p in found], csv_only=frozenset({5})),
        "formats": Table(
            "formats", w["formats"], [w["format"], w["kind"], w["level_reached"]],
            [[Cell.of(f.format), Cell(", ".join(k.label for k in f.kinds)),
              Cell(_level_text(f.level, f.rank))] for f in formats]),
        "narrower": Table("narrower", w["narrower"], [w["competency"]],
                          [[Cell.of(n)] for n in narrower]),
    }
    return CompetencyView(resource=resource, framework=frameworks[0] if frameworks else None,
                          broader=broader, narrower=narrower, paths=found, formats=formats,
                          tables=tables)


# --- lists ----------------------------------------------------------------------------------

@dataclass
class HomeView:
    """The home page: roles, and competencies grouped by framework."""

    roles: list[Ref]
    frameworks: list[tuple[Ref | None, list[Ref]]]


def list_of(ctx: Context, kind: str, labeller: Labeller) -> list[tuple[Ref, str | None]]:
    """Every instance of ``kind`` with its framework IRI (for competencies), by label."""
    rows = _select(ctx, "page-list", {"class": KINDS[kind]})
    labeller.load(t for r in rows for k in ("iri", "framework") if (t := _iri(r.get(k))))
    items: dict[str, str | None] = {}
    for row in rows:
        iri = _iri(row.get("iri"))
        if iri and iri.startswith(ID):
            items.setdefault(iri, _iri(row.get("framework")))
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
    rows = _select(ctx, "page-levels", {})
    labeller.load(t for r in rows if (t := _iri(r.get("level"))))
    out: dict[str, list[LevelChoice]] = defaultdict(list)
    for row in rows:
        level, framework, rank = _iri(row.get("level")), _iri(row.get("framework")), \
            _int(row.get("rank"))
        if level and framework and rank is not None:
            out[framework].append(LevelChoice(labeller.ref(level), rank))
    for choices in out.values():
        choices.sort(key=lambda c: c.rank)
    return dict(out)


# --- CSV ------------------------------------------------------------------------------------

def table_csv(table: Table) -> str:
    """The table as CSV with a header row; a column of resources gets an IRI column beside it."""
    with_iri = [any(len(row) > i and row[i].iri for row in table.rows)
                for i in range(len(table.columns))]
    header: list[str] = []
    for name, has_iri in zip(table.columns, with_iri, strict=True):
        header.append(name)
        if has_iri:
            header.append(f"{name} IRI")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in table.rows:
        out: list[str] = []
        for i, has_iri in enumerate(with_iri):
            cell = row[i] if i < len(row) else Cell("")
            out.append(cell.text)
            if has_iri:
                out.append(cell.iri or "")
        writer.writerow(out)
    return buf.getvalue()
