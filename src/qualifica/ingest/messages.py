"""What the spreadsheet import says, in German and English: every message in one table, and the
error types that carry them (``RowError`` for one problem, ``ImportFailed`` for the refusal).

Messages are ``str.format`` templates; :func:`error` fills both languages from the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualifica.errors import ValidationFailed

#: ``key -> (German, English)``.
MESSAGES: dict[str, tuple[str, str]] = {
    # reading files, sheets and header rows
    "unreadable_xlsx": ("Die Datei ist keine lesbare xlsx-Arbeitsmappe ({reason}).",
                        "the file is not a readable xlsx workbook ({reason})"),
    "csv_sheet_unknown": ("Die CSV-Datei nennt kein bekanntes Tabellenblatt (Dateiname z. B. "
                          "roles.csv).",
                          "the CSV file does not name a known sheet (name the file e.g. "
                          "roles.csv); expected one of {sheets}"),
    "not_a_table_file": ("Erwartet wird eine xlsx-Arbeitsmappe oder eine CSV-Datei.",
                         "expected an xlsx workbook or a CSV file"),
    "unknown_sheet": ("unbekanntes Tabellenblatt", "unknown sheet; expected one of {sheets}"),
    "duplicate_sheet": ("Tabellenblatt doppelt vorhanden", "duplicate sheet"),
    "unknown_column": ("unbekannte Spalte (Spalte {number})", "unknown column (column {number})"),
    "duplicate_column": ("Spalte doppelt vorhanden", "duplicate column"),
    "missing_column": ("Pflichtspalte fehlt", "required column missing"),
    "too_many_rows": ("mehr als {limit} Zeilen", "more than {limit} rows"),
    # cells
    "value_required": ("Pflichtangabe fehlt", "a value is required"),
    "invalid_text": ("ungültiger Text: {detail}", "invalid text: {detail}"),
    "not_boolean": ("{value!r} ist kein Wahrheitswert (ja/nein)",
                    "{value!r} is not a boolean (ja/nein, true/false)"),
    "invalid_source": ("ungültige Quelle {value!r}", "invalid source {value!r}: {detail}"),
    "not_training_kind": ("{value!r} ist keine Bildungsart (Ausbildung, Fortbildung, "
                          "Weiterbildung)",
                          "{value!r} is not a training kind (Ausbildung, Fortbildung, "
                          "Weiterbildung)"),
    # ids the workbook declares
    "invalid_id": ("{value!r} ist keine gültige Kennung (Kleinbuchstaben, Ziffern, einzelne "
                   "Bindestriche)",
                   "{value!r} is not a valid id (lower-case letters, digits, single hyphens)"),
    "duplicate_id": ("Kennung {value!r} doppelt (schon in Zeile {first})",
                     "duplicate id {value!r} (already in row {first})"),
    "id_stored": ("{value!r} gibt es im Bestand schon; der Import legt nur neue Einträge an",
                  "{value!r} already exists in the store; an import only creates new resources"),
    # references
    "invalid_ref": ("{value!r} ist keine gültige Kennung ({kind})",
                    "{value!r} is not a valid {kind} id"),
    "unknown_ref": ("{value!r} ist weder in der Arbeitsmappe noch im Bestand als {kind} bekannt",
                    "unknown {kind} {value!r}: neither in the workbook nor in the store"),
    "not_role_or_task": ("{value!r} ist keine Rolle oder Aufgabe",
                         "{value!r} is not a role or task"),
    "invalid_holder": ("{value!r} ist keine gültige Kennung", "{value!r} is not a valid id"),
    "holder_ambiguous": ("{value!r} ist Rolle und Aufgabe; role:{value} oder task:{value} angeben",
                         "{value!r} is both a role and a task; write role:{value} or "
                         "task:{value}"),
    "unknown_holder": ("{value!r} ist weder in der Arbeitsmappe noch im Bestand als Rolle oder "
                       "Aufgabe bekannt",
                       "unknown role or task {value!r}: neither in the workbook nor in the store"),
    # levels
    "rank_off_scale": ("Stufe {rank} liegt außerhalb der Skala des Kompetenzrahmens {frameworks} "
                       "(Stufen {scale})",
                       "level {rank} is outside the scale of the framework {frameworks} "
                       "(levels {scale})"),
    "rank_ambiguous": ("Rang mehrdeutig; bitte eine Stufen-ID angeben: {levels}",
                       "ambiguous rank; give a level id: {levels}"),
    "level_off_scale": ("Stufe {value!r} gehört nicht zum Kompetenzrahmen {frameworks} der "
                        "Kompetenz",
                        "level {value!r} is not on the scale of the competency's framework "
                        "{frameworks}"),
    # requirements and outcomes
    "source_missing": ("Quelle fehlt (oder editorial = ja angeben)",
                       "a source is required (or set editorial to yes)"),
    "foreign_id": ("nur Kennungen dieses Graphen sind hier möglich",
                   "only ids of this graph can be used here"),
    "duplicate_link": ("dieselbe Zuordnung steht schon in Zeile {first}",
                       "the same link is already in row {first}"),
    "link_stored": ("diese Zuordnung gibt es im Bestand schon",
                    "this link already exists in the store ({slug})"),
    # the SHACL gate
    "shacl": ("SHACL: {message_de}{value}", "SHACL: {message_en}{value}"),
    "shacl_elsewhere": ("<{focus}>: SHACL: {message_de}{value}",
                        "<{focus}>: SHACL: {message_en}{value}"),
}

#: Labels the import gives the links it creates: ``kind -> (German, English)``.
LINK_LABELS: dict[str, tuple[str, str]] = {
    "requirement": ("{owner_de} – {competency_de} (Stufe {rank})",
                    "{owner_en} – {competency_en} (level {rank})"),
    "outcome": ("{owner_de} – {competency_de} (bis Stufe {rank})",
                "{owner_en} – {competency_en} (up to level {rank})"),
}


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


def error(sheet: str | None, row: int | None, column: str | None, key: str,
          **values: object) -> RowError:
    """The problem ``key`` of :data:`MESSAGES` at a place, in both languages."""
    de, en = MESSAGES[key]
    return RowError(sheet, row, column, de.format(**values), en.format(**values))


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
