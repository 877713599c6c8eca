"""Rows of the package's own library queries (``queries/lib/*.rq``), optionally limited by
``VALUES`` blocks of internal IRIs, read in chunks when the list of IRIs is long.

The IRIs are the package's own (read from the store or minted by it), not user input: user values
are bound by :mod:`qualifica.sparql.binding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pyoxigraph import NamedNode

from qualifica.sparql import run
from qualifica.sparql.binding import BoundQuery
from qualifica.sparql.registry import Registry
from qualifica.store.base import Readable, Term

#: IRIs per ``VALUES`` block when rows are read for many resources.
VALUES_CHUNK = 500


def select_rows(store: Readable, registry: Registry, name: str,
                values: Mapping[str, Sequence[NamedNode]] | None = None) -> list[dict[str, Term]]:
    """Rows of the library query ``name``, optionally limited by ``VALUES`` blocks."""
    lists = {var: list(terms) for var, terms in (values or {}).items()}
    return run.select(store, BoundQuery(registry.internal(name), lists=lists)).rows


def select_rows_for(store: Readable, registry: Registry, name: str, var: str, iris: Iterable[str]
                    ) -> list[dict[str, Term]]:
    """Rows of the library query ``name`` for the resources ``iris`` bound to ``?var``, read
    :data:`VALUES_CHUNK` IRIs at a time (in IRI order)."""
    todo = sorted(iris)
    rows: list[dict[str, Term]] = []
    for i in range(0, len(todo), VALUES_CHUNK):
        chunk = [NamedNode(v) for v in todo[i:i + VALUES_CHUNK]]
        rows.extend(select_rows(store, registry, name, {var: chunk}))
    return rows
