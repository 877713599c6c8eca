"""The runtime context shared by the CLI and the API: settings, store, named queries, shapes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from qualifica.config import Settings
from qualifica.sparql.registry import Registry
from qualifica.store import Store, open_store
from qualifica.validation.shacl import Shapes

log = logging.getLogger(__name__)


@dataclass
class Context:
    """Everything a command or a request needs; built once per process by ``open_context``."""

    settings: Settings
    store: Store
    registry: Registry
    extras: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def shapes(self) -> Shapes:
        """The shapes and ontology, parsed on first use."""
        return Shapes(self.settings.shapes_dir, self.settings.ontology_dir)

    def bundled_files(self) -> list[Path]:
        """Ontology, vocabularies and bundled data, in load order."""
        s = self.settings
        files = [*sorted(s.ontology_dir.glob("*.ttl")),
                 *sorted((s.ontology_dir / "vocab").glob("*.ttl"))]
        files += sorted(s.bundled_dir.glob("*.ttl"))
        return files

    def close(self) -> None:
        """Release the store."""
        self.store.close()


def open_context(settings: Settings) -> Context:
    """Open store and registry; fails fast on a bad query file."""
    registry = Registry(settings.queries_dir)
    store = open_store(settings)
    return Context(settings=settings, store=store, registry=registry)


def ensure_bundled(ctx: Context) -> int:
    """Load the bundled graph through the gate when the store is empty; returns quads written."""
    from qualifica.validation.gate import load_files

    if not ctx.settings.load_bundled or ctx.store.count() > 0:
        return 0
    result = load_files(ctx.store, ctx.shapes, ctx.bundled_files())
    log.info("loaded the bundled graph: %d quads", result.quads)
    return result.quads
