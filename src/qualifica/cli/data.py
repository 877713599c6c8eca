"""Commands: data."""

from __future__ import annotations

from qualifica.cli.app import app  # noqa: F401
