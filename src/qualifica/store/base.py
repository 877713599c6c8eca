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
    """What a committed write changed. ``added``/``removed`` are ``None`` when unknown
    (e.g. after a SPARQL Update), so listeners must then re-read what they keep."""

    added: list[Quad] | None = None
    removed: list[Quad] | None = None
    graphs: set[str] = field(default_factory=set)


ChangeListener = Callable[[ChangeSet], None]


class ChangeNotifier:
    """The write counter and listeners every backend shares; ``_committed`` after each write."""

    def __init__(self) -> None:
        self._generation = 0
        self._listeners: list[ChangeListener] = []

    @property
    def generation(self) -> int:
        """Grows with every write committed through this store."""
        return self._generation

    def subscribe(self, listener: ChangeListener) -> None:
        """Call ``listener`` after every committed write."""
        self._listeners.append(listener)

    def _committed(self, change: ChangeSet) -> None:
        self._generation += 1
        for listener in self._listeners:
            listener(change)


@runtime_checkable
class Store(Protocol):
    """A quad store that answers SPARQL 1.1 and takes atomic writes."""

    @property
    def generation(self) -> int:
        """A counter that grows with every committed write (for caches and ETags)."""
        ...

    def subscribe(self, listener: ChangeListener) -> None:
        """Call ``listener`` after every committed write."""
        ...

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

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update atomically."""
        ...

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction: all of them or none."""
        ...

    def remove(self, quads: Iterable[Quad]) -> None:
        """Remove quads in one transaction."""
        ...

    def replace_graph(self, graph: str | None, quads: Iterable[Quad]) -> None:
        """Replace the content of one graph (``None``: the default graph) in one transaction."""
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
