"""From the rows of an import to quads: every cell checked, every reference resolved against the
workbook and a :class:`~qualifica.ingest.lookup.Lookup` of the store, every problem collected.

Two passes: the entity sheets first declare their ids (checked, unique, not yet stored), so rows
may refer to entries anywhere in the workbook; then every row becomes quads in the named graph
``IMPORT_GRAPH``. Requirements and outcomes become qualified links ``owner → node → competency at
a level``, one node per owner and competency. Any problem means no plan: ``ImportFailed`` lists
them all, by sheet and row.

Values become RDF terms through ``sparql.binding`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from qualifica.ingest.cells import (
    At,
    References,
    flag_literal,
    id_iri,
    required_values,
    source_terms,
    text_literal,
)
from qualifica.ingest.lookup import Lookup
from qualifica.ingest.messages import LINK_LABELS, ImportFailed, RowError
from qualifica.ingest.read import Table
from qualifica.ingest.sheets import SHEETS, TRAINING_KINDS, SheetSpec, sheet_order
from qualifica.namespaces import DCTERMS, GRAPH, ID, KINDS, QD, RDF, SKOS
from qualifica.sparql import binding
from qualifica.sparql.nodes import slug_of

#: The named graph imported rows are written to.
IMPORT_GRAPH = GRAPH + "import"
#: The source every editorial link cites besides its own source (as in the bundled data).
EDITORIAL_SOURCE = ID + "source/editorial"

#: The kinds of the sheets whose rows are links, not entities with ids.
_LINK_KINDS = ("requirement", "outcome")


@dataclass
class Plan:
    """The quads of an import, where each minted IRI came from, and what is created."""

    quads: list[Quad]
    origins: dict[str, tuple[str, int]]
    created: dict[str, int]


# -- links -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Link:
    """A checked requirement or outcome row: ``owner → iri`` with its facts."""

    iri: str
    owner: NamedNode
    competency: NamedNode
    level: NamedNode
    rank: int
    editorial: Literal
    essential: Literal | None
    sources: list[NamedNode | Literal]


# -- the planner -----------------------------------------------------------------------------------

class _Planner:
    def __init__(self, tables: Mapping[str, Table], lookup: Lookup) -> None:
        self.tables = tables
        self.lookup = lookup
        self.refs = References(lookup)
        self.errors: list[RowError] = []
        self.quads: list[Quad] = []
        self.origins: dict[str, tuple[str, int]] = {}
        self.graph = NamedNode(IMPORT_GRAPH)

    def at(self, spec: SheetSpec, row: int) -> At:
        return At(spec.name, row, self.errors)

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, NamedNode(p), o, self.graph))

    # -- pass 1 ----------------------------------------------------------------------------
    def declare(self) -> None:
        """The ids each entity sheet declares (checked, unique, not yet stored)."""
        entity_sheets = [(spec, self.tables[spec.name]) for spec in SHEETS
                         if spec.name in self.tables and spec.kind not in _LINK_KINDS]
        stored = self.lookup.existing({
            iri for spec, table in entity_sheets for _row, values in table.rows
            if (iri := id_iri(values.get("id", ""), spec.kind)) is not None})
        for spec, table in entity_sheets:
            seen = self.refs.declared.setdefault(spec.kind, {})
            for row, values in table.rows:
                slug = values.get("id", "")
                iri = id_iri(slug, spec.kind)
                if not slug:
                    continue
                at = self.at(spec, row)
                if iri is None:
                    at.err("id", "invalid_id", value=slug)
                elif iri in seen:
                    at.err("id", "duplicate_id", value=slug, first=seen[iri])
                elif iri in stored:
                    at.err("id", "id_stored", value=slug)
                else:
                    seen[iri] = row
                    self.origins[iri] = (spec.name, row)
                    self.refs.labels[iri] = {"de": values.get("label_de", ""),
                                             "en": values.get("label_en", "")}

    # -- pass 2: entities ------------------------------------------------------------------
    def entity(self, spec: SheetSpec, row: int, values: Mapping[str, str]) -> NamedNode | None:
        """The common part of roles, tasks, competencies and training formats."""
        at = self.at(spec, row)
        required_values(at, spec, values)
        iri = id_iri(values.get("id", ""), spec.kind)
        if iri is None or self.origins.get(iri) != (spec.name, row):
            return None  # reported by ``declare`` (or missing)
        node = NamedNode(iri)
        self.add(node, RDF + "type", NamedNode(KINDS[spec.kind]))
        for lang in ("de", "en"):
            for col, pred in ((f"label_{lang}", SKOS + "prefLabel"),
                              (f"definition_{lang}", SKOS + "definition")):
                if values.get(col):
                    lit = text_literal(at, values[col], col, lang)
                    if lit is not None:
                        self.add(node, pred, lit)
        for src in source_terms(at, values.get("source", ""), "source"):
            self.add(node, DCTERMS + "source", src)
        if spec.column("legal_basis") is not None:
            for lb in self.refs.refs(at, values.get("legal_basis", ""), "legal-basis",
                                     "legal_basis"):
                self.add(node, QD + "legalBasis", lb)
        return node  # checked further even when incomplete: every error is reported

    def roles(self, table: Table) -> None:
        for row, values in table.rows:
            node = self.entity(table.spec, row, values)
            if node is not None:
                for task in self.refs.refs(self.at(table.spec, row), values.get("tasks", ""),
                                           "task", "tasks"):
                    self.add(node, QD + "performsTask", task)

    def tasks(self, table: Table) -> None:
        for row, values in table.rows:
            self.entity(table.spec, row, values)

    def competencies(self, table: Table) -> None:
        for row, values in table.rows:
            node = self.entity(table.spec, row, values)
            if node is None:
                continue
            at = self.at(table.spec, row)
            fw = (self.refs.ref(at, values["framework"], "framework", "framework")
                  if values.get("framework") else None)
            if fw is not None:
                self.add(node, SKOS + "inScheme", fw)
                self.refs.frameworks[node.value] = frozenset({fw.value})
            self.add(node, RDF + "type", NamedNode(SKOS + "Concept"))
            broader = values.get("broader", "")
            if broader:
                b = self.refs.ref(at, broader, "competency", "broader")
                if b is not None:
                    self.add(node, SKOS + "broader", b)
            elif fw is not None:
                self.add(node, SKOS + "topConceptOf", fw)

    def training_formats(self, table: Table) -> None:
        for row, values in table.rows:
            node = self.entity(table.spec, row, values)
            kind = values.get("kind", "").strip()
            if node is None or not kind:
                continue
            kind = kind.split(":", 1)[1] if kind.lower().startswith("qd:") else kind
            match = next((k for k in TRAINING_KINDS if k.lower() == kind.lower()), None)
            if match is None:
                self.at(table.spec, row).err("kind", "not_training_kind", value=kind)
                continue
            self.add(node, QD + "kind", NamedNode(QD + match))

    # -- pass 2: requirements and outcomes -------------------------------------------------
    def requirement_row(self, at: At, values: Mapping[str, str]) -> _Link | None:
        """A requirement: a role or task requires a competency at a level."""
        raw = values.get("holder", "")
        owner = self.refs.holder(at, raw) if raw else None
        return self.link_row(at, values, "requirement", "holder", owner, essential=True)

    def outcome_row(self, at: At, values: Mapping[str, str]) -> _Link | None:
        """A learning outcome: a training format develops a competency to a level."""
        raw = values.get("training_format", "")
        owner = self.refs.ref(at, raw, "training-format", "training_format") if raw else None
        return self.link_row(at, values, "outcome", "training_format", owner, essential=None)

    def link_row(self, at: At, values: Mapping[str, str], kind: str, owner_column: str,
                 owner: NamedNode | None, *, essential: bool | None) -> _Link | None:
        """The part requirements and outcomes share: competency, level, flags and sources.

        ``essential`` is the default of the row's ``essential`` column, ``None`` where the sheet
        has none.
        """
        raw_comp = values.get("competency", "")
        comp = self.refs.ref(at, raw_comp, "competency", "competency") if raw_comp else None
        lvl = (self.refs.level(at, values["level"], comp)
               if comp is not None and values.get("level") else None)
        editorial = flag_literal(at, values.get("editorial", ""), False, "editorial")
        is_essential = (flag_literal(at, values.get("essential", ""), essential, "essential")
                        if essential is not None else None)
        sources = source_terms(at, values.get("source", ""), "source")
        if editorial is not None and editorial.value == "true":
            sources.insert(0, NamedNode(EDITORIAL_SOURCE))
        elif not values.get("source") and editorial is not None:
            at.err("source", "source_missing")
            return None
        if owner is None or comp is None or lvl is None or editorial is None:
            return None
        if essential is not None and is_essential is None:
            return None
        for what, column in ((owner, owner_column), (comp, "competency")):
            if not what.value.startswith(ID):
                at.err(column, "foreign_id")
        if not (owner.value.startswith(ID) and comp.value.startswith(ID)):
            return None
        iri = binding.iri(f"{slug_of(owner.value)}-{slug_of(comp.value)}", param="id",
                          kind=kind).value
        return _Link(iri, owner, comp, lvl[0], lvl[1], editorial, is_essential, sources)

    def links(self, table: Table, read_row: Callable[[At, Mapping[str, str]], _Link | None],
              owner_column: str, kind: str, owner_pred: str) -> None:
        """The rows of a requirements or outcomes sheet as qualified links, one per owner and
        competency, none that the store holds already."""
        checked: list[tuple[int, _Link]] = []
        for row, values in table.rows:
            at = self.at(table.spec, row)
            required_values(at, table.spec, values)
            link = read_row(at, values)
            if link is not None:
                checked.append((row, link))
        stored = self.lookup.existing({link.iri for _row, link in checked})
        seen: dict[str, int] = {}
        for row, link in checked:
            at = self.at(table.spec, row)
            if link.iri in seen:
                at.err(owner_column, "duplicate_link", first=seen[link.iri])
            elif link.iri in stored:
                at.err(owner_column, "link_stored", slug=slug_of(link.iri))
            else:
                seen[link.iri] = row
                self.origins[link.iri] = (table.spec.name, row)
                self.add_link(link, kind, owner_pred)

    def add_link(self, link: _Link, kind: str, owner_pred: str) -> None:
        node = NamedNode(link.iri)
        self.add(link.owner, owner_pred, node)
        self.add(node, RDF + "type", NamedNode(KINDS[kind]))
        names = {f"{what}_{lang}": self.refs.label(iri.value, lang)
                 for what, iri in (("owner", link.owner), ("competency", link.competency))
                 for lang in ("de", "en")}
        for lang, template in zip(("de", "en"), LINK_LABELS[kind], strict=True):
            self.add(node, SKOS + "prefLabel",
                     Literal(template.format(rank=link.rank, **names), language=lang))
        self.add(node, QD + "competency", link.competency)
        self.add(node, QD + "level", link.level)
        if link.essential is not None:
            self.add(node, QD + "essential", link.essential)
        self.add(node, QD + "editorial", link.editorial)
        for src in link.sources:
            self.add(node, DCTERMS + "source", src)

    def run(self) -> Plan:
        self.declare()
        for name, method in (("roles", self.roles), ("tasks", self.tasks),
                             ("competencies", self.competencies),
                             ("training formats", self.training_formats)):
            table = self.tables.get(name)
            if table is not None:
                method(table)
        if "requirements" in self.tables:
            self.links(self.tables["requirements"], self.requirement_row, "holder",
                       "requirement", QD + "requires")
        if "outcomes" in self.tables:
            self.links(self.tables["outcomes"], self.outcome_row, "training_format", "outcome",
                       QD + "develops")
        if self.errors:
            self.errors.sort(key=lambda e: (sheet_order(e.sheet), e.row or 0))
            raise ImportFailed(self.errors)
        created = {spec.name: 0 for spec in SHEETS}
        for sheet, _row in self.origins.values():
            created[sheet] += 1
        return Plan(list(dict.fromkeys(self.quads)), dict(self.origins), created)


def plan(tables: Mapping[str, Table], lookup: Lookup) -> Plan:
    """Check every row against the workbook and ``lookup`` and build the quads;
    ``ImportFailed`` lists every problem."""
    return _Planner(tables, lookup).run()
