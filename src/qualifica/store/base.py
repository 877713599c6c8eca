"""The ``Store`` protocol every backend implements, and the result types it returns.

Results are materialised (lists, not lazy iterators) so that a query's time limit is enforced
while its rows are read, and so that both backends hand the same values to the layers above.
Terms are pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``, ``Triple``) on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Protocol, runtime_checkable

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple

Term = NamedNode | BlankNode | Literal | Triple


@dataclass
class SelectResult:
    """Solutions of a SELECT query: the projected variables and one dict per row."""

    variables: list[str]
    rows: list[dict[str, Term]]


@dataclass
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: list[Triple]


QueryResult = SelectResult | AskResult | GraphResult


@dataclass(frozen=True)
class DatasetSpec:
    """An RDF dataset named by the request (SPARQL protocol ``default-graph-uri`` etc.).

    ``None`` on both fields means: the default graph is the union of all graphs.
    """

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


@dataclass
class ChangeSet:
    """What a committed write changed: exactly the quads it added and removed (``apply`` drops
    additions already stored and removals not stored). ``added``/``removed`` are ``None`` when
    unknown (``update``, ``bulk_add``), so listeners must then re-read what they keep.
    ``graphs`` holds the graphs touched (``""``: the default graph)."""

    added: list[Quad] | None = None
    removed: list[Quad] | None = None
    graphs: set[str] = field(default_factory=set)


ChangeListener = Callable[[ChangeSet], None]


class ChangeNotifier:
    """The write counter and listeners every backend shares; ``_committed`` after each write."""

    def __init__(self) -> None:
        self._generation = 0
        self._listeners: list[ChangeListener] = []
        self._last: list[ChangeListener] = []

    @property
    def generation(self) -> int:
        """Grows with every write committed through this store."""
        return self._generation

    def subscribe(self, listener: ChangeListener, *, last: bool = False) -> None:
        """Call ``listener`` after every committed write; with ``last``, after every listener
        subscribed without it (once the tables kept in memory have followed the write)."""
        (self._last if last else self._listeners).append(listener)

    def advance_to(self, generation: int) -> None:
        """Move the counter forward to ``generation`` (never back) without a change: the
        processes of one server then name the same data by the same number."""
        self._generation = max(self._generation, generation)

    def _committed(self, change: ChangeSet) -> None:
        self._generation += 1
        self._notify(change)

    def _notify(self, change: ChangeSet) -> None:
        """Call the listeners (those subscribed with ``last`` after the others)."""
        for listener in (*self._listeners, *self._last):
            listener(change)

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad], *,
              stamp: bool = False) -> ChangeSet:
        """Remove, then add, in one transaction (each backend writes it its own way)."""
        raise NotImplementedError

    def add(self, quads: Iterable[Quad]) -> ChangeSet:
        """``apply([], quads)``."""
        return self.apply([], quads)

    def remove(self, quads: Iterable[Quad]) -> ChangeSet:
        """``apply(quads, [])``."""
        return self.apply(quads, [])


class Readable(Protocol):
    """What answers SPARQL queries: a ``Store``, or what reads from one (``store.mirror``)."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        dataset: DatasetSpec | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; with no dataset the default graph is the union of all graphs."""
        ...


@runtime_checkable
class Store(Readable, Protocol):
    """A quad store that answers SPARQL 1.1 (``query``, of :class:`Readable`) and takes atomic
    writes."""

    @property
    def generation(self) -> int:
        """A counter that grows with every committed write (for caches and ETags)."""
        ...

    def subscribe(self, listener: ChangeListener, *, last: bool = False) -> None:
        """Call ``listener`` after every committed write; with ``last``, after every listener
        subscribed without it."""
        ...

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad], *,
              stamp: bool = False) -> ChangeSet:
        """Remove ``removed``, then add ``added``, in one transaction: all of it or none.

        Every write goes through here. Listeners are told exactly what changed (the returned
        ``ChangeSet``): removals of quads not stored and additions of quads already stored (after
        the removals) are dropped; a write that changes nothing commits and publishes nothing.
        A named graph left without quads no longer exists (``named_graphs``). With ``stamp``
        (every gated write) the resources it touches get ``dcterms:modified`` in the same
        transaction, and the change set holds the stamp quads (``stamps.py``).
        """
        ...

    def add(self, quads: Iterable[Quad]) -> ChangeSet:
        """``apply([], quads)``."""
        ...

    def remove(self, quads: Iterable[Quad]) -> ChangeSet:
        """``apply(quads, [])``."""
        ...

    def clear(self) -> None:
        """Remove every quad (of Qualifica's graphs, on a remote store in ``explicit`` or
        ``union-filtered`` mode) in one transaction; listeners learn every quad removed."""
        ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update atomically (internal use: publishes an unknown change, so
        listeners re-read everything; the API's writes go through ``apply``)."""
        ...

    def quads(
        self,
        subject: NamedNode | BlankNode | None = None,
        predicate: NamedNode | None = None,
        obj: Term | None = None,
        graph: str | None = None,
    ) -> Iterator[Quad]:
        """Quads matching a pattern (``None`` matches anything; graph ``None``: all graphs)."""
        ...

    def count(self) -> int:
        """The number of quads in the store."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of all named graphs."""
        ...

    def dump(self, output: IO[bytes], fmt: RdfFormat, graph: str | None = None) -> None:
        """Write the whole store (N-Quads/TriG) or the union of its graphs (triple formats)."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...
