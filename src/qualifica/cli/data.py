"""Commands: data (``release``)."""

from __future__ import annotations

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
