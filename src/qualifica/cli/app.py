"""The typer application and helpers shared by the command modules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from qualifica.cli.beside import held_line
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.errors import QualificaError, StoreLocked
from qualifica.validation import rdflib_cache

app = typer.Typer(
    name="qualifica",
    help="Qualifica: competencies, roles, tasks, training formats and legal bases of the "
    "digitalised German public sector.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


def settings() -> Settings:
    """Settings from the environment; a bad value ends the command with one clear line."""
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError, shown as one line
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def fail(line: str) -> typer.Exit:
    """Print ``error: line`` on stderr (no markup) and return the exit (code 2) to raise."""
    err.print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


@contextmanager
def context(*, bundled: bool = False, write: str | None = None) -> Iterator[Context]:
    """Open the runtime context for one command; errors end it with exit code 2.

    When a server holds the store, a read command (``write`` is ``None``) gets a read-only view
    of it; a write command ends with one line naming the server and what to do instead, with
    ``write`` saying what that is.
    """
    logging.basicConfig(level=logging.WARNING)
    s = settings()
    read_only = False
    try:
        try:
            ctx = open_context(s)
        except StoreLocked:
            if write is not None:
                raise fail(held_line(s, write)) from None
            read_only = True
            ctx = open_context(s, read_only=True)
    except QualificaError as exc:
        raise fail(exc.detail) from exc
    try:
        if write is not None:
            # the change feed records this command's writes, as a server would (the
            # bundled load included)
            from qualifica.linkeddata.feed import feed_for

            feed_for(ctx)
        if bundled and not read_only:
            from qualifica.validation.gate import ensure_bundled

            try:
                ensure_bundled(ctx)
            except QualificaError as exc:
                err.print("error: the bundled graph could not be loaded:", style="red")
                err.print(exc.detail, markup=False, highlight=False, soft_wrap=True)
                raise typer.Exit(2) from exc
        yield ctx
    finally:
        ctx.close()


@app.callback()
def _root() -> None:
    """Qualifica: competencies, roles, tasks, training formats and legal bases of the digitalised
    German public sector, as a knowledge graph."""
    # Validation (load, validate, import, the first load of the bundled graph) evaluates each
    # SPARQL constraint of the shapes once per focus node; rdflib would parse it every time.
    rdflib_cache.enable()
