"""Commands: data (``release``, ``import``, ``import-template``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualifica.cli.app import app, context, err, out
from qualifica.errors import QualificaError


@app.command()
def release(
    version: Annotated[str, typer.Argument(help="The release version, X.Y.Z")],
) -> None:
    """Freeze the current data as a citable release (named graph, dumps, DCAT entry)."""
    from qualifica.linkeddata.releases import make_release

    with context(bundled=True) as ctx:
        try:
            made = make_release(ctx, version)
        except QualificaError as exc:
            err.print(f"[red]error:[/red] {exc.detail}")
            raise typer.Exit(2) from exc
        out.print(f"release {made.version} ({made.issued}): {made.quads} quads in "
                  f"<{made.graph}>; files: {', '.join(made.files)}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A filled-in workbook (.xlsx) or one CSV file "
                                              "named after its sheet (e.g. roles.csv)",
                                         exists=True, dir_okay=False, readable=True)],
    sheet: Annotated[str | None, typer.Option(help="The sheet a CSV file holds (default: the "
                                                   "file name's stem)")] = None,
    lang: Annotated[str, typer.Option(help="Language of the error messages: de or en")] = "en",
) -> None:
    """Import planners' data from a spreadsheet, all or nothing, through the SHACL gate
    (template: GET /api/import/template.xlsx or ``qualifica import-template``)."""
    from rich.table import Table

    from qualifica.ingest.spreadsheet import ImportFailed, import_bytes

    with context(bundled=True) as ctx:
        try:
            result = import_bytes(ctx, file.read_bytes(), filename=file.name, sheet=sheet)
        except ImportFailed as exc:
            table = Table(title=f"{len(exc.errors)} error(s); nothing was imported")
            for name in ("sheet", "row", "column", "message"):
                table.add_column(name)
            for e in exc.errors:
                table.add_row(e.sheet or "", str(e.row or ""), e.column or "",
                              e.message_de if lang == "de" else e.message_en)
            err.print(table)
            raise typer.Exit(1) from exc
        except QualificaError as exc:
            err.print(f"[red]error:[/red] {exc.detail}")
            raise typer.Exit(2) from exc
        created = ", ".join(f"{k}: {v}" for k, v in result.created.items() if v) or "nothing"
        out.print(f"imported {result.quads} quads into <{result.graph}>; created {created}",
                  soft_wrap=True, markup=False, highlight=False)


@app.command("import-template")
def import_template(
    output: Annotated[Path, typer.Argument(help="Where to write the template workbook")] = Path(
        "qualifica-import.xlsx"),
) -> None:
    """Write the spreadsheet import template (xlsx)."""
    from qualifica.ingest.spreadsheet import template_workbook

    output.write_bytes(template_workbook())
    out.print(f"wrote {output}")
