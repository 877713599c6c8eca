"""The SHACL gate: parse, validate against the shapes together with what is stored, then write
in one transaction. On any failure nothing is written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Quad
from pyoxigraph import Store as OxStore

from qualifica.context import Context
from qualifica.errors import ValidationFailed
from qualifica.namespaces import GRAPH
from qualifica.store.base import Store
from qualifica.store.stamps import (
    MODIFIED_GRAPH,
    now,
    server_kept,
    stamp_quad,
    touched,
)
from qualifica.validation.fast import validate_with
from qualifica.validation.shacl import Report, Shapes, parse_into, shapes_of

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
    quads: int  # distinct quads parsed
    before: int
    after: int
    report: Report


def graph_for(path: Path) -> str:
    """The named graph a bundled or loaded file goes to: ``.../graph/{file stem}``."""
    return f"{GRAPH}{path.stem}"


def check(store: Store, shapes: Shapes, new: Sequence[Quad],
          parsed: OxStore | None = None) -> Report:
    """Validate the store's content plus ``new`` (full validation, compiled to SPARQL: the
    same results as pySHACL's, see ``fast/``); ``parsed``: an in-memory store holding just
    ``new``, validated in place (``validate_with``)."""
    return validate_with(shapes, store, new, parsed=parsed)


def gated_add(store: Store, shapes: Shapes, quads: Sequence[Quad],
              parsed: OxStore | None = None) -> Report:
    """Validate stored + ``quads``; write them in one transaction (``store.apply``) only if
    they conform. ``parsed``: an in-memory store holding just ``quads`` (no repeats), which
    the validation may take over."""
    empty = store.count() == 0
    report = check(store, shapes, quads, parsed)
    if not report.conforms:
        raise GateRejected(report)
    bulk = getattr(store, "bulk_add", None)
    native = getattr(store, "native", None)
    if len(quads) >= BULK_MIN and callable(bulk) and callable(native):
        # A large load into an embedded store skips the transaction (several times faster);
        # should it fail, the quads it was adding are removed again.
        held = native()
        unique = quads if parsed is not None else list(dict.fromkeys(quads))
        new = [q for q in unique if (empty or q not in held) and not server_kept(q)]
        # the stamps of what the bulk writes go with it (one change for the listeners); the
        # stamps they replace are removed after it
        moment = now()
        stamps = [stamp_quad(r, moment) for r in touched(new)]
        superseded = [] if empty else [q for s in stamps for q in store.quads(
            s.subject, s.predicate, None, MODIFIED_GRAPH)]  # type: ignore[arg-type]
        try:
            bulk([*new, *stamps])
        except BaseException:
            store.remove([*new, *stamps])
            raise
        if superseded:
            store.remove(superseded)
    else:
        store.apply([], quads, stamp=True)
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
    # parsed straight into an in-memory store, each file into its graph; that store is
    # validated in place (with what is stored copied into it)
    parsed = parse_into(paths, graph_of=graph_for if graph is None else (lambda _path: graph),
                        progress=(lambda done, total: progress("parsed", done, total))
                        if progress else None)
    quads = list(parsed)
    if progress:
        progress("validating", 0, 1)
    report = gated_add(store, shapes, quads, parsed)
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
