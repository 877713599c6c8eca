"""Spreadsheet import for planners: a template workbook, and a parser that turns a filled-in
workbook (or one CSV file) into quads written through the SHACL gate, all or nothing.

The workbook has one sheet per kind of row: ``roles``, ``tasks``, ``competencies``,
``requirements``, ``training formats`` and ``outcomes`` (and an ``Anleitung`` sheet that is not
read). Row 1 of every sheet holds the column names (in any order; each header cell carries a
comment documenting the column); data starts in row 2. Empty rows and rows whose first cell starts
with ``#`` are skipped. A CSV file holds one sheet, named by the file name's stem
(``roles.csv``, ``training-formats.csv``, ``training_formats.csv``) or given explicitly.

Every problem is collected, not just the first, as ``RowError`` naming sheet, row and column in
German and English; any error means nothing is written (``ImportFailed``). Rows that parse become
quads in the named graph ``IMPORT_GRAPH`` and pass the same incremental SHACL gate as every other
write (``validation.changes``); a SHACL rejection is reported per row too, through the map from each
minted IRI to the row it came from.

Values become RDF terms through ``sparql.binding`` only.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pyoxigraph import Literal, NamedNode, Quad

from qualifica.errors import BadParameter, ValidationFailed
from qualifica.namespaces import DCTERMS, GRAPH, ID, KINDS, PREFIXES, QD, RDF, SKOS
from qualifica.sparql import binding
from qualifica.sparql.nodes import slug_of
from qualifica.store.base import Store
from qualifica.validation.gate import GateRejected

if TYPE_CHECKING:
    from qualifica.context import Context

log = logging.getLogger(__name__)

#: The named graph imported rows are written to.
IMPORT_GRAPH = GRAPH + "import"
#: The media type of the workbook.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The source every editorial link cites besides its own source (as in the bundled data).
EDITORIAL_SOURCE = ID + "source/editorial"
#: The instructions sheet (never read as data).
INSTRUCTIONS = "Anleitung"
#: At most this many data rows per sheet.
MAX_ROWS = 20_000

_TRUE = {"ja", "j", "true", "wahr", "yes", "y", "1", "x"}
_FALSE = {"nein", "n", "false", "falsch", "no", "0"}
_TRAINING_KINDS = ("Ausbildung", "Fortbildung", "Weiterbildung")
_IRI_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_CURIE = re.compile(r"^([a-z][a-z-]*):([a-z0-9]+(?:-[a-z0-9]+)*)$")


# -- the sheets ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, whether a value is required, and its documentation."""

    name: str
    required: bool
    de: str
    en: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the workbook."""

    name: str
    kind: str
    de: str
    en: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        """The column called ``name``, if any."""
        return next((c for c in self.columns if c.name == name), None)


_SOURCE_DE = ("Quelle(n), mit ; getrennt: IRIs/URLs (z. B. https://…, urn:isbn:…) oder "
              "Zitationen als Text.")
_SOURCE_EN = ("Source(s), separated by ';': IRIs/URLs (e.g. https://…, urn:isbn:…) or "
              "citations as text.")
_LINK_SOURCE_DE = _SOURCE_DE + " Bei redaktioneller Zuordnung optional."
_LINK_SOURCE_EN = _SOURCE_EN + " Optional for editorial links."
_LEVEL_DE = ("Niveaustufe: Rang (Zahl, z. B. 3) im Kompetenzrahmen der Kompetenz oder Stufen-ID "
             "(z. B. digcomp-3, e-kompetenz-2).")
_LEVEL_EN = ("Level: a rank (a number, e.g. 3) on the scale of the competency's framework or a "
             "level id (e.g. digcomp-3, e-kompetenz-2).")
_EDITORIAL_DE = ("ja/nein (Standard nein): ja, wenn keine veröffentlichte Quelle die Zuordnung "
                 "nennt; dann wird die redaktionelle Quelle ergänzt.")
_EDITORIAL_EN = ("yes/no (ja/nein, default no): yes where no published source states the link; "
                 "the editorial source is then added.")
_BOOL_CHOICES = ("ja", "nein")


def _entity_columns(extra: Sequence[Column]) -> tuple[Column, ...]:
    return (
        Column("id", True, "Kennung: Kleinbuchstaben, Ziffern und einzelne Bindestriche "
               "(z. B. planungslotse).", "Id: lower-case letters, digits and single hyphens "
               "(e.g. planungslotse)."),
        Column("label_de", True, "Bezeichnung auf Deutsch.", "Label in German."),
        Column("label_en", True, "Bezeichnung auf Englisch.", "Label in English."),
        Column("definition_de", False, "Definition auf Deutsch.", "Definition in German."),
        Column("definition_en", False, "Definition auf Englisch.", "Definition in English."),
        *extra,
        Column("source", True, _SOURCE_DE, _SOURCE_EN),
    )


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("roles", "role", "Rollen", "Roles", _entity_columns((
        Column("tasks", False, "Aufgaben der Rolle: Aufgaben-IDs, mit ; getrennt (aus dem Blatt "
               "tasks oder dem Bestand).", "Tasks the role performs: task ids separated by ';' "
               "(from the tasks sheet or already stored)."),
        Column("legal_basis", False, "Rechtsgrundlagen: IDs, mit ; getrennt (z. B. tvoed-5).",
               "Legal bases: ids separated by ';' (e.g. tvoed-5)."),
    ))),
    SheetSpec("tasks", "task", "Aufgaben", "Tasks", _entity_columns((
        Column("legal_basis", False, "Rechtsgrundlagen: IDs, mit ; getrennt.",
               "Legal bases: ids separated by ';'."),
    ))),
    SheetSpec("competencies", "competency", "Kompetenzen", "Competencies", _entity_columns((
        Column("framework", True, "Kompetenzrahmen (z. B. digcomp-2-2, e-kompetenz, "
               "blv-kompetenzen, qd-metastudie).", "Competency framework (e.g. digcomp-2-2, "
               "e-kompetenz, blv-kompetenzen, qd-metastudie)."),
        Column("broader", False, "Oberbegriff: Kompetenz-ID (aus diesem Blatt oder dem Bestand).",
               "Broader competency: a competency id (from this sheet or already stored)."),
    ))),
    SheetSpec("requirements", "requirement", "Kompetenzanforderungen", "Competency requirements", (
        Column("holder", True, "Rolle oder Aufgabe, die die Kompetenz erfordert: ID (bei "
               "Mehrdeutigkeit role:ID oder task:ID).", "Role or task that requires the "
               "competency: an id (role:id or task:id where ambiguous)."),
        Column("competency", True, "Kompetenz-ID (z. B. digcomp-4-2).",
               "Competency id (e.g. digcomp-4-2)."),
        Column("level", True, _LEVEL_DE, _LEVEL_EN),
        Column("essential", False, "unverzichtbar: ja/nein (Standard ja).",
               "Essential: yes/no (ja/nein, default yes).", _BOOL_CHOICES),
        Column("editorial", False, _EDITORIAL_DE, _EDITORIAL_EN, _BOOL_CHOICES),
        Column("source", False, _LINK_SOURCE_DE, _LINK_SOURCE_EN),
    )),
    SheetSpec("training formats", "training-format", "Bildungsformate", "Training formats",
              _entity_columns((
                  Column("kind", True, "Bildungsart: Ausbildung, Fortbildung oder Weiterbildung.",
                         "Training kind: Ausbildung, Fortbildung or Weiterbildung.",
                         _TRAINING_KINDS),
                  Column("legal_basis", True, "Rechtsgrundlagen: IDs, mit ; getrennt "
                         "(mindestens eine).", "Legal bases: ids separated by ';' (at least "
                         "one)."),
              ))),
    SheetSpec("outcomes", "outcome", "Lernergebnisse", "Learning outcomes", (
        Column("training_format", True, "Bildungsformat-ID (aus dem Blatt training formats oder "
               "dem Bestand).", "Training format id (from the training formats sheet or already "
               "stored)."),
        Column("competency", True, "Kompetenz-ID, die das Format vermittelt.",
               "Competency id the format develops."),
        Column("level", True, "Erreichte " + _LEVEL_DE, "Level reached: " + _LEVEL_EN),
        Column("editorial", False, _EDITORIAL_DE, _EDITORIAL_EN, _BOOL_CHOICES),
        Column("source", False, _LINK_SOURCE_DE, _LINK_SOURCE_EN),
    )),
)
_BY_NAME = {s.name: s for s in SHEETS}


def sheet_named(name: str) -> SheetSpec | None:
    """The sheet a name (sheet title or CSV file stem) stands for: case, ``_`` and ``-`` are
    ignored (``Training_Formats`` → ``training formats``)."""
    key = re.sub(r"[\s_-]+", " ", name.strip().lower())
    return _BY_NAME.get(key)


# -- errors --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    """One problem, located by sheet, row (as the spreadsheet numbers it) and column."""

    sheet: str | None
    row: int | None
    column: str | None
    message_de: str
    message_en: str

    def as_json(self) -> dict[str, Any]:
        """The JSON form used in problem answers."""
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "message_de": self.message_de, "message_en": self.message_en}

    def text(self, lang: str = "en") -> str:
        """One readable line."""
        where = ", ".join(str(p) for p in (self.sheet, self.row, self.column) if p is not None)
        msg = self.message_de if lang == "de" else self.message_en
        return f"{where}: {msg}" if where else msg


class ImportFailed(ValidationFailed):
    """The import was refused; ``errors`` lists every problem. Nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        first = self.errors[0].text("en") if self.errors else "no details"
        super().__init__(
            f"the import was refused with {len(self.errors)} error(s); nothing was written "
            f"(first: {first})",
            errors=[e.as_json() for e in self.errors],
        )


# -- reading -------------------------------------------------------------------------------------

@dataclass
class Table:
    """The rows of one sheet: ``(row number, {column: text})``."""

    spec: SheetSpec
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(spec: SheetSpec, rows: Iterable[tuple[int, Sequence[object]]],
           errors: list[RowError]) -> Table | None:
    """Check the header row and collect the data rows of one sheet."""
    table = Table(spec)
    it = iter(rows)
    header_row = next(it, None)
    if header_row is None:
        return table
    number, cells = header_row
    names = [_text(c).lower() for c in cells]
    ok = True
    for i, name in enumerate(names):
        if name and spec.column(name) is None:
            errors.append(RowError(spec.name, number, name,
                                   f"unbekannte Spalte (Spalte {i + 1})",
                                   f"unknown column (column {i + 1})"))
            ok = False
        elif name and names.index(name) != i:
            errors.append(RowError(spec.name, number, name, "Spalte doppelt vorhanden",
                                   "duplicate column"))
            ok = False
    for col in spec.columns:
        if col.required and col.name not in names:
            errors.append(RowError(spec.name, number, col.name, "Pflichtspalte fehlt",
                                   "required column missing"))
            ok = False
    if not ok:
        return None
    for number, cells in it:
        values = {names[i]: _text(c) for i, c in enumerate(cells) if i < len(names) and names[i]}
        if not any(values.values()):
            continue
        first = _text(cells[0]) if cells else ""
        if first.startswith("#"):
            continue
        if len(table.rows) >= MAX_ROWS:
            errors.append(RowError(spec.name, number, None,
                                   f"mehr als {MAX_ROWS} Zeilen", f"more than {MAX_ROWS} rows"))
            return None
        table.rows.append((number, values))
    return table


def _read_sheet(ws: Any, tables: dict[str, Table], errors: list[RowError]) -> None:
    title = str(ws.title)
    if title.strip().lower() in {INSTRUCTIONS.lower(), "readme"}:
        return
    spec = sheet_named(title)
    if spec is None:
        errors.append(RowError(title, None, None, "unbekanntes Tabellenblatt",
                               "unknown sheet; expected one of "
                               + ", ".join(s.name for s in SHEETS)))
        return
    if spec.name in tables:
        errors.append(RowError(title, None, None, "Tabellenblatt doppelt vorhanden",
                               "duplicate sheet"))
        return
    rows = ((i, row) for i, row in enumerate(ws.iter_rows(values_only=True), 1))
    table = _table(spec, rows, errors)
    if table is not None:
        tables[spec.name] = table


def read_workbook(data: bytes) -> dict[str, Table]:
    """The sheets of an xlsx workbook; unknown sheets and bad headers are errors."""
    from openpyxl import load_workbook

    errors: list[RowError] = []
    tables: dict[str, Table] = {}
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                _read_sheet(ws, tables, errors)
        finally:
            wb.close()
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: the file is unreadable
        raise ImportFailed([RowError(None, None, None,
                                     f"Die Datei ist keine lesbare xlsx-Arbeitsmappe ({exc}).",
                                     f"the file is not a readable xlsx workbook ({exc})")]) from exc
    if errors:
        raise ImportFailed(errors)
    return tables


def read_csv(data: bytes, sheet: str) -> dict[str, Table]:
    """One sheet from a CSV file (UTF-8 or Windows-1252; ``,``, ``;`` or tab separated)."""
    spec = sheet_named(sheet)
    if spec is None:
        raise ImportFailed([RowError(sheet, None, None,
                                     "Die CSV-Datei nennt kein bekanntes Tabellenblatt "
                                     "(Dateiname z. B. roles.csv).",
                                     "the CSV file does not name a known sheet (name the file "
                                     "e.g. roles.csv); expected one of "
                                     + ", ".join(s.name for s in SHEETS))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text), dialect)
    table = _table(spec, ((reader.line_num, row) for row in reader), errors)
    if errors or table is None:
        raise ImportFailed(errors)
    return {spec.name: table}


def read_upload(data: bytes, *, filename: str | None = None, content_type: str | None = None,
                sheet: str | None = None) -> dict[str, Table]:
    """A workbook or a CSV file, told apart by file name, media type or content."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if suffix == ".xlsx" or ctype == XLSX or (not suffix and data[:4] == b"PK\x03\x04"):
        return read_workbook(data)
    if suffix == ".csv" or ctype in {"text/csv", "application/csv"} or sheet:
        name = sheet or (PurePath(filename).stem if filename else "")
        return read_csv(data, name)
    raise ImportFailed([RowError(None, None, None,
                                 "Erwartet wird eine xlsx-Arbeitsmappe oder eine CSV-Datei.",
                                 "expected an xlsx workbook or a CSV file")])


# -- turning rows into quads ---------------------------------------------------------------------

RDF_TYPE = NamedNode(RDF + "type")


def _p(iri: str) -> NamedNode:
    return NamedNode(iri)


_PATH_COLUMNS: dict[str, dict[str, str]] = {
    "*": {SKOS + "prefLabel": "label_de", SKOS + "definition": "definition_de",
          DCTERMS + "source": "source", QD + "legalBasis": "legal_basis"},
    "roles": {QD + "performsTask": "tasks", QD + "requires": "tasks"},
    "competencies": {SKOS + "inScheme": "framework", SKOS + "broader": "broader"},
    "requirements": {QD + "competency": "competency", QD + "level": "level",
                     QD + "essential": "essential", QD + "editorial": "editorial"},
    "training formats": {QD + "kind": "kind"},
    "outcomes": {QD + "competency": "competency", QD + "level": "level",
                 QD + "editorial": "editorial"},
}


@dataclass
class Plan:
    """The quads of an import, where each minted IRI came from, and what is created."""

    quads: list[Quad]
    origins: dict[str, tuple[str, int]]
    created: dict[str, int]


class _Planner:
    def __init__(self, store: Store, tables: Mapping[str, Table]) -> None:
        self.store = store
        self.tables = tables
        self.errors: list[RowError] = []
        self.quads: list[Quad] = []
        self.origins: dict[str, tuple[str, int]] = {}
        self.graph = NamedNode(IMPORT_GRAPH)
        self.declared: dict[str, dict[str, int]] = {}  # kind -> iri -> row
        self.labels: dict[str, dict[str, str]] = {}
        self.frameworks: dict[str, set[str]] = {}
        self._types: dict[str, set[str]] = {}
        self._levels: dict[str, tuple[int, set[str]]] | None = None

    # -- helpers ---------------------------------------------------------------------------
    def err(self, sheet: str, row: int, column: str | None, de: str, en: str) -> None:
        self.errors.append(RowError(sheet, row, column, de, en))

    def add(self, s: NamedNode, p: str, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, _p(p), o, self.graph))

    def types(self, iri: str) -> set[str]:
        if iri not in self._types:
            self._types[iri] = {q.object.value for q in self.store.quads(NamedNode(iri), RDF_TYPE)
                                if isinstance(q.object, NamedNode)}
        return self._types[iri]

    def stored(self, iri: str) -> bool:
        return next(iter(self.store.quads(NamedNode(iri))), None) is not None

    def levels(self) -> dict[str, tuple[int, set[str]]]:
        if self._levels is None:
            levels: dict[str, tuple[int, set[str]]] = {}
            for q in self.store.quads(None, _p(QD + "rank")):
                if not isinstance(q.object, Literal) or not isinstance(q.subject, NamedNode):
                    continue
                try:
                    rank = int(q.object.value)
                except ValueError:
                    continue
                fws = {f.object.value for f in self.store.quads(q.subject, _p(QD + "levelOf"))
                       if isinstance(f.object, NamedNode)}
                levels[q.subject.value] = (rank, fws)
            self._levels = levels
        return self._levels

    def label(self, iri: str, lang: str) -> str:
        labels = self.labels.get(iri)
        if labels is None:
            labels = {}
            for q in self.store.quads(NamedNode(iri), _p(SKOS + "prefLabel")):
                if isinstance(q.object, Literal) and q.object.language:
                    labels.setdefault(q.object.language, q.object.value)
            self.labels[iri] = labels
        return labels.get(lang) or labels.get("de") or labels.get("en") or slug_of(iri)

    def frameworks_of(self, iri: str) -> set[str]:
        if iri not in self.frameworks:
            self.frameworks[iri] = {
                q.object.value for q in self.store.quads(NamedNode(iri), _p(SKOS + "inScheme"))
                if isinstance(q.object, NamedNode)
            }
        return self.frameworks[iri]

    def expand(self, value: str) -> str:
        """``role:x`` and the other instance prefixes (``format:x``, ``legal:x``) to full IRIs."""
        m = _CURIE.fullmatch(value)
        if m:
            prefix = m.group(1)
            base = (ID + prefix + "/") if prefix in KINDS else PREFIXES.get(prefix, "")
            if base.startswith(ID):
                return base + m.group(2)
        return value

    def ref(self, value: str, kind: str, sheet: str, row: int, column: str) -> NamedNode | None:
        """A reference to a resource of ``kind`` declared in the workbook or stored."""
        try:
            node = binding.iri(self.expand(value), param=column, kind=kind)
        except BadParameter:
            self.err(sheet, row, column, f"{value!r} ist keine gültige Kennung ({kind})",
                     f"{value!r} is not a valid {kind} id")
            return None
        if node.value in self.declared.get(kind, {}) or KINDS[kind] in self.types(node.value):
            return node
        self.err(sheet, row, column,
                 f"{value!r} ist weder in der Arbeitsmappe noch im Bestand als {kind} bekannt",
                 f"unknown {kind} {value!r}: neither in the workbook nor in the store")
        return None

    def refs(self, value: str, kind: str, sheet: str, row: int, column: str) -> list[NamedNode]:
        out = []
        for part in (v.strip() for v in value.split(";")):
            if part:
                node = self.ref(part, kind, sheet, row, column)
                if node is not None:
                    out.append(node)
        return out

    def text(self, value: str, sheet: str, row: int, column: str, lang: str) -> Literal | None:
        try:
            checked = binding.string(value, param=column)
        except BadParameter as exc:
            self.err(sheet, row, column, f"ungültiger Text: {exc.detail}",
                     f"invalid text: {exc.detail}")
            return None
        return Literal(checked.value, language=lang)

    def flag(self, value: str, default: bool, sheet: str, row: int, column: str) -> Literal | None:
        low = value.strip().lower()
        if not low:
            return binding.boolean(default)
        if low in _TRUE or low in _FALSE:
            return binding.boolean(low in _TRUE, param=column)
        self.err(sheet, row, column, f"{value!r} ist kein Wahrheitswert (ja/nein)",
                 f"{value!r} is not a boolean (ja/nein, true/false)")
        return None

    def sources(self, value: str, sheet: str, row: int, column: str
                ) -> list[NamedNode | Literal]:
        out: list[NamedNode | Literal] = []
        for part in (v.strip() for v in value.split(";")):
            if not part:
                continue
            try:
                term: NamedNode | Literal = (binding.iri(part, param=column)
                                             if _IRI_LIKE.fullmatch(part)
                                             else binding.string(part, param=column))
            except BadParameter as exc:
                self.err(sheet, row, column, f"ungültige Quelle {part[:60]!r}",
                         f"invalid source {part[:60]!r}: {exc.detail}")
                continue
            out.append(term)
        return out

    def required(self, values: Mapping[str, str], spec: SheetSpec, row: int) -> bool:
        ok = True
        for col in spec.columns:
            if col.required and not values.get(col.name, ""):
                self.err(spec.name, row, col.name, "Pflichtangabe fehlt",
                         "a value is required")
                ok = False
        return ok

    # -- the passes ------------------------------------------------------------------------
    def declare(self) -> None:
        """Pass 1: the ids each entity sheet declares (checked, unique, not yet stored)."""
        for spec in SHEETS:
            table = self.tables.get(spec.name)
            if table is None or spec.kind in ("requirement", "outcome"):
                continue
            seen = self.declared.setdefault(spec.kind, {})
            for row, values in table.rows:
                slug = values.get("id", "")
                if not slug:
                    continue
                if not binding.SLUG.fullmatch(slug):
                    self.err(spec.name, row, "id",
                             f"{slug!r} ist keine gültige Kennung (Kleinbuchstaben, Ziffern, "
                             "einzelne Bindestriche)",
                             f"{slug!r} is not a valid id (lower-case letters, digits, single "
                             "hyphens)")
                    continue
                iri = binding.iri(slug, param="id", kind=spec.kind).value
                if iri in seen:
                    self.err(spec.name, row, "id",
                             f"Kennung {slug!r} doppelt (schon in Zeile {seen[iri]})",
                             f"duplicate id {slug!r} (already in row {seen[iri]})")
                    continue
                if self.stored(iri):
                    self.err(spec.name, row, "id",
                             f"{slug!r} gibt es im Bestand schon; der Import legt nur neue "
                             "Einträge an", f"{slug!r} already exists in the store; an import "
                             "only creates new resources")
                    continue
                seen[iri] = row
                self.origins[iri] = (spec.name, row)
                self.labels[iri] = {"de": values.get("label_de", ""),
                                    "en": values.get("label_en", "")}

    def entity(self, spec: SheetSpec, row: int, values: Mapping[str, str]) -> NamedNode | None:
        """The common part of roles, tasks, competencies and training formats."""
        complete = self.required(values, spec, row)
        slug = values.get("id", "")
        iri = binding.iri(slug, param="id", kind=spec.kind).value if binding.SLUG.fullmatch(
            slug) else ""
        if not iri or self.origins.get(iri) != (spec.name, row):
            return None  # reported by ``declare`` (or missing)
        node = NamedNode(iri)
        self.add(node, RDF + "type", NamedNode(KINDS[spec.kind]))
        for lang in ("de", "en"):
            for col, pred in ((f"label_{lang}", SKOS + "prefLabel"),
                              (f"definition_{lang}", SKOS + "definition")):
                if values.get(col):
                    lit = self.text(values[col], spec.name, row, col, lang)
                    if lit is not None:
                        self.add(node, pred, lit)
        for src in self.sources(values.get("source", ""), spec.name, row, "source"):
            self.add(node, DCTERMS + "source", src)
        if "legal_basis" in {c.name for c in spec.columns}:
            for lb in self.refs(values.get("legal_basis", ""), "legal-basis", spec.name, row,
                                "legal_basis"):
                self.add(node, QD + "legalBasis", lb)
        if not complete:
            log.debug("%s row %d is incomplete", spec.name, row)
        return node  # checked further even when incomplete: every error is reported

    def roles(self, table: Table) -> None:
        for row, values in table.rows:
            node = self.entity(table.spec, row, values)
            if node is None:
                continue
            for task in self.refs(values.get("tasks", ""), "task", table.spec.name, row, "tasks"):
                self.add(node, QD + "performsTask", task)

    def tasks(self, table: Table) -> None:
        for row, values in table.rows:
            self.entity(table.spec, row, values)

    def competencies(self, table: Table) -> None:
        for row, values in table.rows:
            node = self.entity(table.spec, row, values)
            if node is None:
                continue
            fw = (self.ref(values["framework"], "framework", table.spec.name, row, "framework")
                  if values.get("framework") else None)
            if fw is not None:
                self.add(node, SKOS + "inScheme", fw)
                self.frameworks[node.value] = {fw.value}
            self.add(node, RDF + "type", NamedNode(SKOS + "Concept"))
            broader = values.get("broader", "")
            if broader:
                b = self.ref(broader, "competency", table.spec.name, row, "broader")
                if b is not None:
                    self.add(node, SKOS + "broader", b)
            elif fw is not None:
                self.add(node, SKOS + "topConceptOf", fw)

    def training_formats(self, table: Table) -> None:
        for row, values in table.rows:
            node = self.entity(table.spec, row, values)
            if node is None:
                continue
            kind = values.get("kind", "").strip()
            if not kind:
                continue
            kind = kind.split(":", 1)[1] if kind.lower().startswith("qd:") else kind
            match = next((k for k in _TRAINING_KINDS if k.lower() == kind.lower()), None)
            if match is None:
                self.err(table.spec.name, row, "kind",
                         f"{kind!r} ist keine Bildungsart (Ausbildung, Fortbildung, "
                         "Weiterbildung)",
                         f"{kind!r} is not a training kind (Ausbildung, Fortbildung, "
                         "Weiterbildung)")
                continue
            self.add(node, QD + "kind", NamedNode(QD + match))

    def level(self, value: str, competency: NamedNode, sheet: str, row: int
              ) -> tuple[NamedNode, int] | None:
        """The level ``value`` (a rank or a level id) on the scale of the competency."""
        fws = self.frameworks_of(competency.value)
        levels = self.levels()
        names = ", ".join(sorted(slug_of(f) for f in fws)) or "?"
        if re.fullmatch(r"\s*\d{1,3}\s*", value):
            rank = int(value)
            found = sorted(lvl for lvl, (r, lf) in levels.items() if r == rank and lf & fws)
            if not found:
                ranks = sorted({r for r, lf in levels.values() if lf & fws})
                scale = f"{ranks[0]}–{ranks[-1]}" if ranks else "—"
                self.err(sheet, row, "level",
                         f"Stufe {rank} liegt außerhalb der Skala des Kompetenzrahmens {names} "
                         f"(Stufen {scale})",
                         f"level {rank} is outside the scale of the framework {names} "
                         f"(levels {scale})")
                return None
            if len(found) > 1:
                self.err(sheet, row, "level",
                         "Rang mehrdeutig; bitte eine Stufen-ID angeben: "
                         + ", ".join(slug_of(f) for f in found),
                         "ambiguous rank; give a level id: "
                         + ", ".join(slug_of(f) for f in found))
                return None
            return NamedNode(found[0]), rank
        node = self.ref(value, "level", sheet, row, "level")
        if node is None:
            return None
        rank, lf = levels.get(node.value, (0, set()))
        if not lf & fws:
            self.err(sheet, row, "level",
                     f"Stufe {value!r} gehört nicht zum Kompetenzrahmen {names} der Kompetenz",
                     f"level {value!r} is not on the scale of the competency's framework "
                     f"{names}")
            return None
        return node, rank

    def holder(self, value: str, sheet: str, row: int) -> NamedNode | None:
        expanded = self.expand(value)
        if expanded != value or _IRI_LIKE.fullmatch(value):
            kind = next((k for k in ("role", "task") if expanded.startswith(f"{ID}{k}/")), None)
            if kind is None:
                self.err(sheet, row, "holder", f"{value!r} ist keine Rolle oder Aufgabe",
                         f"{value!r} is not a role or task")
                return None
            return self.ref(expanded, kind, sheet, row, "holder")
        if not binding.SLUG.fullmatch(value):
            self.err(sheet, row, "holder", f"{value!r} ist keine gültige Kennung",
                     f"{value!r} is not a valid id")
            return None
        found = []
        for kind in ("role", "task"):
            iri = binding.iri(value, param="holder", kind=kind).value
            if iri in self.declared.get(kind, {}) or KINDS[kind] in self.types(iri):
                found.append(NamedNode(iri))
        if len(found) == 1:
            return found[0]
        if found:
            self.err(sheet, row, "holder", f"{value!r} ist Rolle und Aufgabe; role:{value} "
                     f"oder task:{value} angeben", f"{value!r} is both a role and a task; "
                     f"write role:{value} or task:{value}")
        else:
            self.err(sheet, row, "holder",
                     f"{value!r} ist weder in der Arbeitsmappe noch im Bestand als Rolle oder "
                     "Aufgabe bekannt",
                     f"unknown role or task {value!r}: neither in the workbook nor in the store")
        return None

    def link(self, table: Table, owner_column: str, kind: str, owner_pred: str) -> None:
        """Requirements and outcomes: qualified links owner → competency at a level."""
        sheet = table.spec.name
        seen: dict[str, int] = {}
        for row, values in table.rows:
            self.required(values, table.spec, row)
            raw_owner = values.get(owner_column, "")
            if kind == "requirement":
                owner = self.holder(raw_owner, sheet, row) if raw_owner else None
            else:
                owner = (self.ref(raw_owner, "training-format", sheet, row, owner_column)
                         if raw_owner else None)
            raw_comp = values.get("competency", "")
            comp = self.ref(raw_comp, "competency", sheet, row, "competency") if raw_comp else None
            lvl = (self.level(values["level"], comp, sheet, row)
                   if comp is not None and values.get("level") else None)
            editorial = self.flag(values.get("editorial", ""), False, sheet, row, "editorial")
            essential = (self.flag(values.get("essential", ""), True, sheet, row, "essential")
                         if kind == "requirement" else None)
            sources = self.sources(values.get("source", ""), sheet, row, "source")
            if editorial is not None and editorial.value == "true":
                sources.insert(0, NamedNode(EDITORIAL_SOURCE))
            elif not values.get("source") and editorial is not None:
                self.err(sheet, row, "source", "Quelle fehlt (oder editorial = ja angeben)",
                         "a source is required (or set editorial to yes)")
                continue
            if owner is None or comp is None or lvl is None or editorial is None:
                continue
            if kind == "requirement" and essential is None:
                continue
            for what in (owner, comp):
                if not what.value.startswith(ID):
                    self.err(sheet, row, owner_column if what is owner else "competency",
                             "nur Kennungen dieses Graphen sind hier möglich",
                             "only ids of this graph can be used here")
            if not (owner.value.startswith(ID) and comp.value.startswith(ID)):
                continue
            iri = binding.iri(f"{slug_of(owner.value)}-{slug_of(comp.value)}", param="id",
                              kind=kind).value
            if iri in seen:
                self.err(sheet, row, owner_column,
                         f"dieselbe Zuordnung steht schon in Zeile {seen[iri]}",
                         f"the same link is already in row {seen[iri]}")
                continue
            if self.stored(iri):
                self.err(sheet, row, owner_column, "diese Zuordnung gibt es im Bestand schon",
                         f"this link already exists in the store ({slug_of(iri)})")
                continue
            seen[iri] = row
            self.origins[iri] = (sheet, row)
            node = NamedNode(iri)
            level_node, rank = lvl
            self.add(owner, owner_pred, node)
            self.add(node, RDF + "type", NamedNode(KINDS[kind]))
            reached_de, reached_en = ("", "") if kind == "requirement" else ("bis ", "up to ")
            self.add(node, SKOS + "prefLabel", Literal(
                f"{self.label(owner.value, 'de')} – {self.label(comp.value, 'de')} "
                f"({reached_de}Stufe {rank})", language="de"))
            self.add(node, SKOS + "prefLabel", Literal(
                f"{self.label(owner.value, 'en')} – {self.label(comp.value, 'en')} "
                f"({reached_en}level {rank})", language="en"))
            self.add(node, QD + "competency", comp)
            self.add(node, QD + "level", level_node)
            if essential is not None:
                self.add(node, QD + "essential", essential)
            self.add(node, QD + "editorial", editorial)
            for src in sources:
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
            self.link(self.tables["requirements"], "holder", "requirement", QD + "requires")
        if "outcomes" in self.tables:
            self.link(self.tables["outcomes"], "training_format", "outcome", QD + "develops")
        if self.errors:
            self.errors.sort(key=lambda e: (_sheet_order(e.sheet), e.row or 0))
            raise ImportFailed(self.errors)
        created = {spec.name: 0 for spec in SHEETS}
        for sheet, _row in self.origins.values():
            created[sheet] += 1
        return Plan(list(dict.fromkeys(self.quads)), dict(self.origins), created)


def _sheet_order(sheet: str | None) -> int:
    names = [s.name for s in SHEETS]
    return names.index(sheet) if sheet in names else len(names)


def plan(store: Store, tables: Mapping[str, Table]) -> Plan:
    """Check every row against the workbook and the store and build the quads;
    ``ImportFailed`` lists every problem."""
    return _Planner(store, tables).run()


# -- writing -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import wrote."""

    created: dict[str, int]
    quads: int
    graph: str = IMPORT_GRAPH

    def as_json(self) -> dict[str, Any]:
        """The JSON answer of the API."""
        return {"graph": self.graph, "quads": self.quads, "created": self.created}


def _shacl_errors(exc: GateRejected, origins: Mapping[str, tuple[str, int]]) -> list[RowError]:
    out = []
    for finding in exc.report.violations:
        sheet, row = origins.get(finding.focus, (None, None))
        column = None
        if sheet is not None and finding.path:
            column = (_PATH_COLUMNS.get(sheet, {}).get(finding.path)
                      or _PATH_COLUMNS["*"].get(finding.path))
        value = f" ({finding.value})" if finding.value else ""
        de = f"SHACL: {finding.message_de}{value}"
        en = f"SHACL: {finding.message_en}{value}"
        if sheet is None:
            de, en = f"<{finding.focus}>: {de}", f"<{finding.focus}>: {en}"
        out.append(RowError(sheet, row, column, de, en))
    return out or [RowError(None, None, None, exc.report.text("de"), exc.report.text("en"))]


def import_tables(ctx: Context, tables: Mapping[str, Table]) -> ImportResult:
    """Plan the import and write it through the SHACL gate, all or nothing."""
    from qualifica.validation import changes

    made = plan(ctx.store, tables)
    if not made.quads:
        return ImportResult({k: 0 for k in made.created}, 0)
    try:
        result = changes.post_graph(ctx, IMPORT_GRAPH, made.quads)
    except GateRejected as exc:
        raise ImportFailed(_shacl_errors(exc, made.origins)) from exc
    log.info("imported %d quads into <%s>: %s", result.added, IMPORT_GRAPH, made.created)
    return ImportResult(made.created, result.added)


def import_bytes(ctx: Context, data: bytes, *, filename: str | None = None,
                 content_type: str | None = None, sheet: str | None = None) -> ImportResult:
    """Read a workbook or CSV file and import it (see ``import_tables``)."""
    return import_tables(ctx, read_upload(data, filename=filename, content_type=content_type,
                                          sheet=sheet))


# -- the template --------------------------------------------------------------------------------

_GENERAL = (
    ("Qualifica – Import-Vorlage", "Qualifica – import template"),
    ("Jedes Blatt nimmt eine Art von Einträgen auf; Zeile 1 enthält die Spaltennamen (nicht "
     "ändern), die Daten beginnen in Zeile 2. Leere Zeilen und Zeilen, deren erste Zelle mit # "
     "beginnt, werden übergangen. Nicht benötigte Blätter dürfen leer bleiben oder fehlen.",
     "Each sheet takes one kind of entry; row 1 holds the column names (do not change them), data "
     "starts in row 2. Empty rows and rows whose first cell starts with # are skipped. Sheets you "
     "do not need may stay empty or be removed."),
    ("Kennungen (id) sind Kleinbuchstaben, Ziffern und einzelne Bindestriche; Verweise dürfen "
     "Einträge der Arbeitsmappe oder des Bestands nennen (Kennung oder volle IRI). Mehrere Werte "
     "in einer Zelle werden mit ; getrennt.",
     "Ids are lower-case letters, digits and single hyphens; references may name entries of the "
     "workbook or of the store (id or full IRI). Several values in one cell are separated by ';'."),
    ("Der Import gelingt ganz oder gar nicht: Jeder Fehler wird mit Blatt, Zeile und Spalte "
     "gemeldet, und dann wird nichts geschrieben. Die Daten durchlaufen dieselbe SHACL-Prüfung "
     "wie jede andere Änderung.",
     "The import succeeds completely or not at all: every error is reported with sheet, row and "
     "column, and then nothing is written. The data passes the same SHACL check as every other "
     "write."),
    ("Ein Bildungsformat braucht mindestens ein Lernergebnis (Blatt outcomes) und eine "
     "Rechtsgrundlage. CSV: eine Datei je Blatt, benannt nach dem Blatt (roles.csv, "
     "training-formats.csv …).",
     "A training format needs at least one learning outcome (sheet outcomes) and a legal basis. "
     "CSV: one file per sheet, named after the sheet (roles.csv, training-formats.csv …)."),
)


def template_workbook() -> bytes:
    """The import template as xlsx bytes: an instructions sheet (de/en) and the six data sheets
    with documented header cells and choice lists."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = INSTRUCTIONS
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    guide.append(["Deutsch", "English"])
    for de, en in _GENERAL:
        guide.append([de, en])
    guide.append([])
    guide.append(["Blatt / Spalte", "Sheet / column", "Pflicht / required", "Deutsch", "English"])
    for spec in SHEETS:
        guide.append([f"{spec.name} ({spec.de})", f"{spec.name} ({spec.en})"])
        for col in spec.columns:
            guide.append([f"  {col.name}", f"  {col.name}", "ja / yes" if col.required else "",
                          col.de, col.en])
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for cell in guide[1]:
        cell.font = bold
    guide["A2"].font = Font(bold=True, size=14)
    guide["B2"].font = Font(bold=True, size=14)
    for letter, width in zip("ABCDE", (50, 50, 18, 60, 60), strict=True):
        guide.column_dimensions[letter].width = width

    fill = PatternFill("solid", fgColor="DDEBF7")
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        ws.append([c.name for c in spec.columns])
        for i, col in enumerate(spec.columns, 1):
            cell = ws.cell(row=1, column=i)
            cell.font = bold
            cell.fill = fill
            need = "Pflichtangabe / required" if col.required else "optional"
            cell.comment = Comment(f"{col.de}\n\n{col.en}\n\n({need})", "Qualifica",
                                   width=320, height=180)
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = 28 if col.name.startswith("definition") else 20
            if col.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"',
                                    allow_blank=True)
                dv.error = "Bitte einen Wert aus der Liste wählen. / Choose a value from the list."
                dv.add(f"{letter}2:{letter}{MAX_ROWS}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
