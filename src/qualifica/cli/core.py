"""Core commands: serve."""

from __future__ import annotations

from typing import Annotated

import typer

from qualifica.cli.app import app, settings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
) -> None:
    """Serve the API, the SPARQL endpoint and the pages; loads the bundled graph when empty."""
    import uvicorn

    from qualifica.api import create_app

    s = settings()
    update: dict[str, object] = {}
    if host:
        update["host"] = host
    if port:
        update["port"] = port
    s = s.model_copy(update=update)
    uvicorn.run(create_app(s), host=s.host, port=s.port, log_level=s.log_level.lower())
