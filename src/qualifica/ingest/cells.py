"""Cells of an import: reading the values of one row (texts, flags, sources, ids) and resolving
its references against the ids the workbook declares and a :class:`~qualifica.ingest.lookup.Lookup`
of the store. Problems are reported at the row (:class:`At`) and never raised, so that every
problem of a workbook is collected.

Values become RDF terms through ``sparql.binding`` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from qualifica.errors import BadParameter
from qualifica.ingest.lookup import Lookup
from qualifica.ingest.messages import RowError, error
from qualifica.ingest.sheets import SheetSpec
from qualifica.namespaces import ID, KINDS, PREFIXES
from qualifica.sparql import binding
from qualifica.sparql.nodes import slug_of

_TRUE = {"ja", "j", "true", "wahr", "yes", "y", "1", "x"}
_FALSE = {"nein", "n", "false", "falsch", "no", "0"}
_IRI_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_CURIE = re.compile(r"^([a-z][a-z-]*):([a-z0-9]+(?:-[a-z0-9]+)*)$")
_RANK = re.compile(r"\s*\d{1,3}\s*")


# -- cells -----------------------------------------------------------------------------------------

@dataclass
class At:
    """The row a value comes from, and the list its problems go to."""

    sheet: str
    row: int
    errors: list[RowError]

    def err(self, column: str | None, key: str, **values: object) -> None:
        """Report the problem ``key`` of ``messages.MESSAGES`` at ``column`` of this row."""
        self.errors.append(error(self.sheet, self.row, column, key, **values))


def expand(value: str) -> str:
    """``role:x`` and the other instance prefixes (``format:x``, ``legal:x``) to full IRIs."""
    m = _CURIE.fullmatch(value)
    if m:
        prefix = m.group(1)
        base = (ID + prefix + "/") if prefix in KINDS else PREFIXES.get(prefix, "")
        if base.startswith(ID):
            return base + m.group(2)
    return value


def parts(value: str) -> list[str]:
    """The values of a cell holding several, separated by ``;``."""
    return [p for p in (v.strip() for v in value.split(";")) if p]


def required_values(at: At, spec: SheetSpec, values: Mapping[str, str]) -> bool:
    """Whether the row has a value in every required column (each one missing is reported)."""
    ok = True
    for col in spec.columns:
        if col.required and not values.get(col.name, ""):
            at.err(col.name, "value_required")
            ok = False
    return ok


def text_literal(at: At, value: str, column: str, lang: str) -> Literal | None:
    """A text in ``lang``, checked by ``sparql.binding``."""
    try:
        checked = binding.string(value, param=column)
    except BadParameter as exc:
        at.err(column, "invalid_text", detail=exc.detail)
        return None
    return Literal(checked.value, language=lang)


def flag_literal(at: At, value: str, default: bool, column: str) -> Literal | None:
    """A boolean from ja/nein, yes/no, true/false, x, 1/0 ...; ``default`` for an empty cell."""
    low = value.strip().lower()
    if not low:
        return binding.boolean(default)
    if low in _TRUE or low in _FALSE:
        return binding.boolean(low in _TRUE, param=column)
    at.err(column, "not_boolean", value=value)
    return None


def source_terms(at: At, value: str, column: str) -> list[NamedNode | Literal]:
    """The sources of a cell: IRIs where a value looks like one, citations as text otherwise."""
    out: list[NamedNode | Literal] = []
    for part in parts(value):
        try:
            term: NamedNode | Literal = (binding.iri(part, param=column)
                                         if _IRI_LIKE.fullmatch(part)
                                         else binding.string(part, param=column))
        except BadParameter as exc:
            at.err(column, "invalid_source", value=part[:60], detail=exc.detail)
            continue
        out.append(term)
    return out


def id_iri(slug: str, kind: str) -> str | None:
    """The IRI an id column mints, ``None`` for an invalid id."""
    return binding.iri(slug, param="id", kind=kind).value if binding.SLUG.fullmatch(slug) else None


# -- references ------------------------------------------------------------------------------------

@dataclass
class References:
    """Resolves references against the ids the workbook declares and the stored resources."""

    lookup: Lookup
    declared: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> iri -> row
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # of declared resources
    frameworks: dict[str, frozenset[str]] = field(default_factory=dict)  # of declared ones

    def known(self, iri: str, kind: str) -> bool:
        """Whether ``iri`` is a ``kind`` the workbook declares or the store holds."""
        return iri in self.declared.get(kind, {}) or self.lookup.is_a(iri, kind)

    def ref(self, at: At, value: str, kind: str, column: str) -> NamedNode | None:
        """A reference to a resource of ``kind`` declared in the workbook or stored."""
        try:
            node = binding.iri(expand(value), param=column, kind=kind)
        except BadParameter:
            at.err(column, "invalid_ref", value=value, kind=kind)
            return None
        if self.known(node.value, kind):
            return node
        at.err(column, "unknown_ref", value=value, kind=kind)
        return None

    def refs(self, at: At, value: str, kind: str, column: str) -> list[NamedNode]:
        """The references of a cell holding several."""
        return [n for part in parts(value) if (n := self.ref(at, part, kind, column)) is not None]

    def holder(self, at: At, value: str) -> NamedNode | None:
        """A role or task: ``role:x``, ``task:x``, a full IRI, or an id that is only one of them."""
        expanded = expand(value)
        if expanded != value or _IRI_LIKE.fullmatch(value):
            kind = next((k for k in ("role", "task") if expanded.startswith(f"{ID}{k}/")), None)
            if kind is None:
                at.err("holder", "not_role_or_task", value=value)
                return None
            return self.ref(at, expanded, kind, "holder")
        if not binding.SLUG.fullmatch(value):
            at.err("holder", "invalid_holder", value=value)
            return None
        found = [NamedNode(iri) for kind in ("role", "task")
                 if self.known(iri := binding.iri(value, param="holder", kind=kind).value, kind)]
        if len(found) == 1:
            return found[0]
        at.err("holder", "holder_ambiguous" if found else "unknown_holder", value=value)
        return None

    def level(self, at: At, value: str, competency: NamedNode) -> tuple[NamedNode, int] | None:
        """The level ``value`` (a rank or a level id) on the scale of the competency."""
        fws = self.frameworks.get(competency.value)
        if fws is None:
            fws = self.lookup.frameworks.get(competency.value, frozenset())
        levels = self.lookup.levels
        names = ", ".join(sorted(slug_of(f) for f in fws)) or "?"
        if _RANK.fullmatch(value):
            rank = int(value)
            found = sorted(lvl for lvl, (r, lf) in levels.items() if r == rank and lf & fws)
            if not found:
                ranks = sorted({r for r, lf in levels.values() if lf & fws})
                scale = f"{ranks[0]}–{ranks[-1]}" if ranks else "—"
                at.err("level", "rank_off_scale", rank=rank, frameworks=names, scale=scale)
                return None
            if len(found) > 1:
                at.err("level", "rank_ambiguous", levels=", ".join(slug_of(f) for f in found))
                return None
            return NamedNode(found[0]), rank
        node = self.ref(at, value, "level", "level")
        if node is None:
            return None
        rank, lf = levels.get(node.value, (0, frozenset()))
        if not lf & fws:
            at.err("level", "level_off_scale", value=value, frameworks=names)
            return None
        return node, rank

    def label(self, iri: str, lang: str) -> str:
        """The label of a declared or stored resource (the other language, else its id)."""
        labels = self.labels.get(iri)
        if labels is None:
            labels = dict(self.lookup.labels.get(iri, {}))
        return labels.get(lang) or labels.get("de") or labels.get("en") or slug_of(iri)
