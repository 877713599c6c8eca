"""Reading an upload into tables: an xlsx workbook (one table per known sheet) or one CSV file.

Header rows are checked against the sheet's columns; empty rows and rows whose first cell starts
with ``#`` are skipped. Every problem of the file is collected and raised together as
``ImportFailed``; cells are kept as text, unchecked (``ingest.rows`` checks them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from qualifica.ingest.messages import ImportFailed, RowError, error
from qualifica.ingest.sheets import INSTRUCTIONS, MAX_ROWS, SHEETS, XLSX, SheetSpec, sheet_named

_SHEET_NAMES = ", ".join(s.name for s in SHEETS)


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


def _header(spec: SheetSpec, number: int, cells: Sequence[object],
            errors: list[RowError]) -> list[str] | None:
    """The column names of a header row; ``None`` (and the problems reported) when it has an
    unknown or duplicate column or lacks a required one."""
    before = len(errors)
    names = [_text(c).lower() for c in cells]
    for i, name in enumerate(names):
        if name and spec.column(name) is None:
            errors.append(error(spec.name, number, name, "unknown_column", number=i + 1))
        elif name and names.index(name) != i:
            errors.append(error(spec.name, number, name, "duplicate_column"))
    errors.extend(error(spec.name, number, col.name, "missing_column") for col in spec.columns
                  if col.required and col.name not in names)
    return names if len(errors) == before else None


def _table(spec: SheetSpec, rows: Iterable[tuple[int, Sequence[object]]],
           errors: list[RowError]) -> Table | None:
    """Check the header row and collect the data rows of one sheet."""
    table = Table(spec)
    it = iter(rows)
    header_row = next(it, None)
    if header_row is None:
        return table
    names = _header(spec, *header_row, errors)
    if names is None:
        return None
    for number, cells in it:
        values = {names[i]: _text(c) for i, c in enumerate(cells) if i < len(names) and names[i]}
        first = _text(cells[0]) if cells else ""
        if not any(values.values()) or first.startswith("#"):
            continue
        if len(table.rows) >= MAX_ROWS:
            errors.append(error(spec.name, number, None, "too_many_rows", limit=MAX_ROWS))
            return None
        table.rows.append((number, values))
    return table


def _read_sheet(ws: Any, tables: dict[str, Table], errors: list[RowError]) -> None:
    title = str(ws.title)
    if title.strip().lower() in {INSTRUCTIONS.lower(), "readme"}:
        return
    spec = sheet_named(title)
    if spec is None:
        errors.append(error(title, None, None, "unknown_sheet", sheets=_SHEET_NAMES))
        return
    if spec.name in tables:
        errors.append(error(title, None, None, "duplicate_sheet"))
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
        raise ImportFailed([error(None, None, None, "unreadable_xlsx", reason=exc)]) from exc
    if errors:
        raise ImportFailed(errors)
    return tables


def read_csv(data: bytes, sheet: str) -> dict[str, Table]:
    """One sheet from a CSV file (UTF-8 or Windows-1252; ``,``, ``;`` or tab separated)."""
    spec = sheet_named(sheet)
    if spec is None:
        raise ImportFailed([error(sheet, None, None, "csv_sheet_unknown", sheets=_SHEET_NAMES)])
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
    raise ImportFailed([error(None, None, None, "not_a_table_file")])
