"""Spreadsheet import for planners: a filled-in workbook (or one CSV file) becomes quads written
through the SHACL gate, all or nothing.

The steps live in their own modules: ``ingest.sheets`` (the sheets, their documented columns and
the template workbook), ``ingest.read`` (an upload into tables), ``ingest.lookup`` (what the store
holds, read once per import), ``ingest.rows`` (rows into quads, every problem collected) and
``ingest.messages`` (every message in German and English). This module puts them together.

Every problem is collected, not just the first, as ``RowError`` naming sheet, row and column in
German and English; any error means nothing is written (``ImportFailed``). Rows that parse become
quads in the named graph ``IMPORT_GRAPH`` and pass the same incremental SHACL gate as every other
write (``validation.changes``); a SHACL rejection is reported per row too, through the map from each
minted IRI to the row it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qualifica.context import Context
from qualifica.ingest.lookup import Lookup, lookup_for
from qualifica.ingest.messages import ImportFailed, RowError, error
from qualifica.ingest.read import Table, read_csv, read_upload, read_workbook
from qualifica.ingest.rows import EDITORIAL_SOURCE, IMPORT_GRAPH, Plan, plan
from qualifica.ingest.sheets import (
    INSTRUCTIONS,
    PATH_COLUMNS,
    SHEETS,
    XLSX,
    SheetSpec,
    sheet_named,
    template_workbook,
)
from qualifica.validation.gate import GateRejected

__all__ = [
    "EDITORIAL_SOURCE", "IMPORT_GRAPH", "INSTRUCTIONS", "SHEETS", "XLSX", "ImportFailed",
    "ImportResult", "Lookup", "Plan", "RowError", "SheetSpec", "Table", "import_bytes",
    "import_tables", "lookup_for", "plan", "read_csv", "read_upload", "read_workbook",
    "sheet_named", "template_workbook",
]

log = logging.getLogger(__name__)


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
    """The violations of a rejected import, each at the row its focus node came from."""
    out = []
    for finding in exc.report.violations:
        sheet, row = origins.get(finding.focus, (None, None))
        column = None
        if sheet is not None and finding.path:
            column = (PATH_COLUMNS.get(sheet, {}).get(finding.path)
                      or PATH_COLUMNS["*"].get(finding.path))
        value = f" ({finding.value})" if finding.value else ""
        out.append(error(sheet, row, column, "shacl" if sheet is not None else "shacl_elsewhere",
                         focus=finding.focus, message_de=finding.message_de,
                         message_en=finding.message_en, value=value))
    return out or [RowError(None, None, None, exc.report.text("de"), exc.report.text("en"))]


def import_tables(ctx: Context, tables: Mapping[str, Table]) -> ImportResult:
    """Plan the import and write it through the SHACL gate, all or nothing."""
    from qualifica.validation import changes

    made = plan(tables, lookup_for(ctx))
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
