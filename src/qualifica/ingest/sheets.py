"""The sheets of the import workbook: their columns with bilingual documentation, the names a
sheet or CSV file may go by, and the template workbook planners fill in.

The workbook has one sheet per kind of row: ``roles``, ``tasks``, ``competencies``,
``requirements``, ``training formats`` and ``outcomes`` (and an ``Anleitung`` sheet that is not
read). Row 1 of every sheet holds the column names (in any order; each header cell carries a
comment documenting the column); data starts in row 2.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualifica.namespaces import DCTERMS, QD, SKOS

#: The media type of the workbook.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The instructions sheet (never read as data).
INSTRUCTIONS = "Anleitung"
#: At most this many data rows per sheet.
MAX_ROWS = 20_000
#: The training kinds a training format may have (local names in the ontology).
TRAINING_KINDS = ("Ausbildung", "Fortbildung", "Weiterbildung")


# -- the sheets -----------------------------------------------------------------------------------

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
_EDITORIAL = Column("editorial", False, _EDITORIAL_DE, _EDITORIAL_EN, _BOOL_CHOICES)
_LINK_SOURCE = Column("source", False, _LINK_SOURCE_DE, _LINK_SOURCE_EN)


def _link_columns(owner: Column, competency: tuple[str, str], level: tuple[str, str],
                  *extra: Column) -> tuple[Column, ...]:
    """The columns of a sheet linking an owner to a competency at a level (requirements,
    outcomes): the owner, the competency and the level (required, each with its German and
    English description), ``extra``, the editorial mark and the source."""
    return (owner, Column("competency", True, *competency), Column("level", True, *level),
            *extra, _EDITORIAL, _LINK_SOURCE)


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
    SheetSpec("requirements", "requirement", "Kompetenzanforderungen", "Competency requirements",
              _link_columns(
                  Column("holder", True, "Rolle oder Aufgabe, die die Kompetenz erfordert: ID "
                         "(bei Mehrdeutigkeit role:ID oder task:ID).", "Role or task that "
                         "requires the competency: an id (role:id or task:id where ambiguous)."),
                  ("Kompetenz-ID (z. B. digcomp-4-2).", "Competency id (e.g. digcomp-4-2)."),
                  (_LEVEL_DE, _LEVEL_EN),
                  Column("essential", False, "unverzichtbar: ja/nein (Standard ja).",
                         "Essential: yes/no (ja/nein, default yes).", _BOOL_CHOICES),
              )),
    SheetSpec("training formats", "training-format", "Bildungsformate", "Training formats",
              _entity_columns((
                  Column("kind", True, "Bildungsart: Ausbildung, Fortbildung oder Weiterbildung.",
                         "Training kind: Ausbildung, Fortbildung or Weiterbildung.",
                         TRAINING_KINDS),
                  Column("legal_basis", True, "Rechtsgrundlagen: IDs, mit ; getrennt "
                         "(mindestens eine).", "Legal bases: ids separated by ';' (at least "
                         "one)."),
              ))),
    SheetSpec("outcomes", "outcome", "Lernergebnisse", "Learning outcomes", _link_columns(
        Column("training_format", True, "Bildungsformat-ID (aus dem Blatt training formats oder "
               "dem Bestand).", "Training format id (from the training formats sheet or already "
               "stored)."),
        ("Kompetenz-ID, die das Format vermittelt.", "Competency id the format develops."),
        ("Erreichte " + _LEVEL_DE, "Level reached: " + _LEVEL_EN),
    )),
)
_BY_NAME = {s.name: s for s in SHEETS}


def sheet_named(name: str) -> SheetSpec | None:
    """The sheet a name (sheet title or CSV file stem) stands for: case, ``_`` and ``-`` are
    ignored (``Training_Formats`` → ``training formats``)."""
    key = re.sub(r"[\s_-]+", " ", name.strip().lower())
    return _BY_NAME.get(key)


def sheet_order(sheet: str | None) -> int:
    """The position of a sheet in the workbook (unknown sheets last), for sorting errors."""
    names = [s.name for s in SHEETS]
    return names.index(sheet) if sheet in names else len(names)


#: The column a SHACL property path is written from, per sheet (``*``: on every sheet).
PATH_COLUMNS: dict[str, dict[str, str]] = {
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


# -- the template -------------------------------------------------------------------------------

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
