"""The ``qualifica`` command line: thin commands over the library functions."""

from __future__ import annotations

from qualifica.cli.app import app
from qualifica.cli import core, data, planning  # noqa: F401  (register commands)


def main() -> None:
    """Entry point of the ``qualifica`` console script."""
    app()


__all__ = ["app", "main"]
