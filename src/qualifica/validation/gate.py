"""The SHACL gate: parse, validate against the shapes together with what is stored, then write
in one transaction. On any failure nothing is written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from qualifica.context import Context
from qualifica.errors import ValidationFailed
from qualifica.namespaces import GRAPH
from qualifica.store.base import Store
from qualifica.validation.fast import validate_with
from qualifica.validation.shacl import Report, Shapes, parse_files, shapes_of

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
#: From this many quads on, a load into an embedded store is written in bulk.
BULK_MIN = 100_000


class GateRejected(ValidationFailed):
    """The data does not conform; ``report`` holds the findings."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.text("en"), report=report.as_json())
        self.report = report


@dataclass
class LoadResult:
    """What a gated load wrote."""

    files: int
    quads: int
    before: int
    after: int
    report: Report


def graph_for(path: Path) -> str:
    """The named graph a bundled or loaded file goes to: ``.../graph/{file stem}``."""
    return f"{GRAPH}{path.stem}"


def check(store: Store, shapes: Shapes, new: Sequence[Quad]) -> Report:
    """Validate the store's content plus ``new`` (full validation, compiled to SPARQL: the
    same results as pySHACL's, see ``fast/``)."""
    return validate_with(shapes, store, new)


def gated_add(store: Store, shapes: Shapes, quads: Sequence[Quad]) -> Report:
    """Validate stored + ``quads``; write them in one transaction (``store.apply``) only if
    they conform."""
    report = check(store, shapes, quads)
    if not report.conforms:
        raise GateRejected(report)
    bulk = getattr(store, "bulk_add", None)
    native = getattr(store, "native", None)
    if len(quads) >= BULK_MIN and callable(bulk) and callable(native):
        # A large load into an embedded store skips the transaction (several times faster);
        # should it fail, the quads it was adding are removed again.
        held = native()
        new = [q for q in dict.fromkeys(quads) if q not in held]
        try:
            bulk(new)
        except BaseException:
            store.remove(new)
            raise
    else:
        store.apply([], quads)
    return report


def load_files(
    store: Store,
    shapes: Shapes,
    paths: Sequence[Path],
    *,
    graph: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Parse every file, validate all of it with what is stored, write it all or nothing.

    Without ``graph`` each file goes to its own named graph (``graph_for``).
    """
    before = store.count()
    parsed = parse_files(paths, graph=graph)
    quads: list[Quad] = []
    for i, (path, file_quads) in enumerate(parsed.items(), 1):
        if graph is None:
            target = NamedNode(graph_for(path))
            file_quads = [Quad(q.subject, q.predicate, q.object, target) for q in file_quads]
        quads.extend(file_quads)
        if progress:
            progress("parsed", i, len(parsed))
    if progress:
        progress("validating", 0, 1)
    report = gated_add(store, shapes, quads)
    if progress:
        progress("written", 1, 1)
    return LoadResult(len(paths), len(quads), before, store.count(), report)


def ensure_bundled(ctx: Context) -> int:
    """Load the bundled graph through the gate when the store is empty; returns quads written."""
    if not ctx.settings.load_bundled or ctx.store.count() > 0:
        return 0
    result = load_files(ctx.store, shapes_of(ctx), ctx.bundled_files())
    log.info("loaded the bundled graph: %d quads", result.quads)
    return result.quads
