"""Commands: data (``release``, ``import``, ``import-template``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualifica.cli import beside
from qualifica.cli.app import app, context, err, fail, out, settings
from qualifica.errors import QualificaError


@app.command()
def release(
    version: Annotated[str, typer.Argument(help="The release version, X.Y.Z")],
) -> None:
    """Freeze the current data as a citable release (named graph, dumps, DCAT entry).

    While ``qualifica serve`` holds the store, the release is made by the server
    (``POST /api/releases`` with the first token of ``QUALIFICA_API_TOKENS``)."""
    from qualifica.linkeddata.releases import check_version, make_release

    s = settings()
    if beside.store_is_held(s):
        try:
            check_version(version)
            answer = beside.post(s, "make a release", "api/releases", json={"version": version})
        except QualificaError as exc:
            raise fail(exc.detail) from exc
        except beside.ServerHolds as exc:
            raise fail(exc.line) from exc
        if answer.status_code != 201:
            raise fail(beside.problem_detail(answer))
        made = answer.json()
        _print_release(made["version"], made["issued"], made["quads"], made["graph"],
                       made["files"])
        return
    with context(bundled=True, write="make the release through it") as ctx:
        try:
            rel = make_release(ctx, version)
        except QualificaError as exc:
            raise fail(exc.detail) from exc
        _print_release(rel.version, rel.issued, rel.quads, rel.graph, list(rel.files))


def _print_release(version: str, issued: str, quads: int, graph: str, files: list[str]) -> None:
    out.print(f"release {version} ({issued}): {quads} quads in <{graph}>; files: "
              f"{', '.join(files)}", markup=False, highlight=False, soft_wrap=True)


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

    def refused(errors: list[tuple[str, str, str, str]]) -> typer.Exit:
        table = Table(title=f"{len(errors)} error(s); nothing was imported")
        for name in ("sheet", "row", "column", "message"):
            table.add_column(name)
        for row in errors:
            table.add_row(*row)
        err.print(table)
        return typer.Exit(1)

    def imported(quads: int, graph: str, created: dict[str, int]) -> None:
        made = ", ".join(f"{k}: {v}" for k, v in created.items() if v) or "nothing"
        out.print(f"imported {quads} quads into <{graph}>; created {made}",
                  soft_wrap=True, markup=False, highlight=False)

    s = settings()
    if beside.store_is_held(s):
        try:
            with file.open("rb") as fh:
                answer = beside.post(s, "import", "api/import",
                                     files={"file": (file.name, fh)},
                                     data={"sheet": sheet} if sheet else None)
        except beside.ServerHolds as exc:
            raise fail(exc.line) from exc
        body = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
        if answer.status_code == 422 and isinstance(body.get("errors"), list):
            raise refused([(e.get("sheet") or "", str(e.get("row") or ""),
                            e.get("column") or "",
                            str(e.get(f"message_{lang}") or ""))
                           for e in body["errors"]])
        if answer.status_code not in (200, 201):
            raise fail(beside.problem_detail(answer))
        imported(body["quads"], body["graph"], body.get("created", {}))
        return
    with context(bundled=True, write="import through it") as ctx:
        try:
            result = import_bytes(ctx, file.read_bytes(), filename=file.name, sheet=sheet)
        except ImportFailed as exc:
            raise refused([(e.sheet or "", str(e.row or ""), e.column or "",
                            e.message_de if lang == "de" else e.message_en)
                           for e in exc.errors]) from exc
        except QualificaError as exc:
            raise fail(exc.detail) from exc
        imported(result.quads, result.graph, result.created)


@app.command("import-template")
def import_template(
    output: Annotated[Path, typer.Argument(help="Where to write the template workbook")] = Path(
        "qualifica-import.xlsx"),
) -> None:
    """Write the spreadsheet import template (xlsx)."""
    from qualifica.ingest.spreadsheet import template_workbook

    output.write_bytes(template_workbook())
    out.print(f"wrote {output}")
