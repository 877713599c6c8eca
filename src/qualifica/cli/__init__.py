"""The ``qualifica`` command line: thin commands over the library functions."""

from __future__ import annotations

from qualifica.cli import core, data, planning  # noqa: F401  (register commands)
from qualifica.cli.app import app


def main() -> None:
    """Entry point of the ``qualifica`` console script."""
    app()


__all__ = ["app", "main"]
