"""The embedded backend: pyoxigraph, on disk (RocksDB) or in memory."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Variable,
    serialize,
)
from pyoxigraph import (
    Store as _OxStore,
)

from qualifica.errors import BadParameter, QueryTimeout, StoreUnavailable
from qualifica.namespaces import PREFIXES
from qualifica.store.base import (
    AskResult,
    ChangeNotifier,
    ChangeSet,
    DatasetSpec,
    GraphResult,
    QueryResult,
    SelectResult,
    Term,
)

log = logging.getLogger(__name__)

_CHECK_EVERY = 128


class OxigraphStore(ChangeNotifier):
    """A ``Store`` over pyoxigraph. ``path=None`` keeps everything in memory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        try:
            self._store = _OxStore(str(path)) if path is not None else _OxStore()
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from exc
        ChangeNotifier.__init__(self)
        self._write_lock = threading.Lock()

    # -- reads ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        dataset: DatasetSpec | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a query; rows are read with the time limit checked as they come."""
        deadline = time.monotonic() + timeout_s if timeout_s else None
        kwargs: dict[str, object] = {}
        if dataset is None or (dataset.default_graphs is None and dataset.named_graphs is None):
            kwargs["use_default_graph_as_union"] = True
        else:
            if dataset.default_graphs is not None:
                kwargs["default_graph"] = [NamedNode(g) for g in dataset.default_graphs] or [
                    DefaultGraph()
                ]
            else:
                kwargs["use_default_graph_as_union"] = True
            if dataset.named_graphs is not None:
                kwargs["named_graphs"] = [NamedNode(g) for g in dataset.named_graphs]
        if substitutions:
            kwargs["substitutions"] = {Variable(k): v for k, v in substitutions.items()}
        try:
            raw = self._store.query(sparql, **kwargs)  # type: ignore[arg-type]
            return _materialise(raw, deadline, timeout_s)
        except SyntaxError as exc:
            raise BadParameter(f"malformed SPARQL query: {exc}", param="query") from exc
        except OSError as exc:
            log.exception("store read failed")
            raise StoreUnavailable("the store could not answer the query") from exc

    def quads(
        self,
        subject: NamedNode | BlankNode | None = None,
        predicate: NamedNode | None = None,
        obj: Term | None = None,
        graph: str | None = None,
    ) -> Iterator[Quad]:
        """Quads matching a pattern."""
        g = NamedNode(graph) if graph is not None else None
        return iter(self._store.quads_for_pattern(subject, predicate, obj, g))

    def count(self) -> int:
        """Number of quads."""
        return len(self._store)

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def dump(self, output: IO[bytes], fmt: RdfFormat, graph: str | None = None) -> None:
        """Stream the store: quad formats keep graphs, triple formats get the union."""
        if fmt.supports_datasets and graph is None:
            self._store.dump(output, format=fmt)
            return
        if graph is not None:
            triples: Iterable[object] = (
                q.triple for q in self._store.quads_for_pattern(None, None, None, NamedNode(graph))
            )
        else:
            triples = self._store.query(  # type: ignore[assignment]
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
            )
        serialize(triples, output, format=fmt, prefixes=PREFIXES)  # type: ignore[arg-type]

    # -- writes --------------------------------------------------------------------------
    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads in one transaction."""
        batch = list(quads)
        with self._write_lock:
            try:
                self._store.extend(batch)
                if self.path is not None:
                    self._store.flush()
            except OSError as exc:
                log.exception("store write failed")
                raise StoreUnavailable("the store could not write") from exc
            self._committed(ChangeSet(added=batch, removed=[], graphs=_graphs(batch)))

    def remove(self, quads: Iterable[Quad]) -> None:
        """Remove quads in one transaction (an update with DELETE DATA)."""
        batch = [q for q in quads if q in self._store]
        if not batch:
            return
        with self._write_lock:
            try:
                # DELETE DATA built from terms' own N-Quads syntax: one atomic transaction.
                self._store.update(_delete_data(batch))
            except OSError as exc:
                log.exception("store write failed")
                raise StoreUnavailable("the store could not write") from exc
            self._committed(ChangeSet(added=[], removed=batch, graphs=_graphs(batch)))

    def replace_graph(self, graph: str | None, quads: Iterable[Quad]) -> None:
        """Replace one graph's content atomically (DELETE DATA + INSERT DATA in one update)."""
        g = NamedNode(graph) if graph is not None else DefaultGraph()
        new = [Quad(q.subject, q.predicate, q.object, g) for q in quads]
        old = list(self._store.quads_for_pattern(None, None, None, g))
        parts = []
        if old:
            parts.append(_delete_data(old))
        if new:
            parts.append(_insert_data(new))
        with self._write_lock:
            try:
                if parts:
                    self._store.update(" ;\n".join(parts))
            except OSError as exc:
                log.exception("store write failed")
                raise StoreUnavailable("the store could not write") from exc
            self._committed(ChangeSet(added=new, removed=old, graphs={graph or ""}))

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update atomically."""
        with self._write_lock:
            try:
                self._store.update(sparql)
            except SyntaxError as exc:
                raise BadParameter(f"malformed SPARQL update: {exc}", param="update") from exc
            except OSError as exc:
                log.exception("store update failed")
                raise StoreUnavailable("the store could not run the update") from exc
            self._committed(ChangeSet())

    def clear(self) -> None:
        """Remove everything."""
        with self._write_lock:
            self._store.clear()
            self._committed(ChangeSet())

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        """Load many quads without holding them in memory (benchmarks; not transactional)."""
        with self._write_lock:
            self._store.bulk_extend(quads)
            if self.path is not None:
                self._store.optimize()
            self._committed(ChangeSet())

    # -- snapshots for the sandbox workers ------------------------------------------------
    def snapshot(self, target: Path) -> None:
        """A consistent copy of the store that another process may open read-only.

        On disk: a RocksDB checkpoint (hard links, cheap). In memory: an N-Quads file.
        """
        if self.path is not None:
            self._store.flush()
            self._store.backup(str(target))
        else:
            with target.open("wb") as out:
                self._store.dump(out, format=RdfFormat.N_QUADS)

    @classmethod
    def open_snapshot(cls, source: Path) -> OxigraphStore:
        """Open what ``snapshot`` wrote: a checkpoint read-only, an N-Quads file in memory."""
        store = cls.__new__(cls)
        ChangeNotifier.__init__(store)
        store._write_lock = threading.Lock()
        store.path = None
        try:
            if source.is_dir():
                store._store = _OxStore.read_only(str(source))
            else:
                store._store = _OxStore()
                store._store.bulk_load(path=str(source), format=RdfFormat.N_QUADS)
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the snapshot {source}: {exc}") from exc
        return store

    def close(self) -> None:
        """Flush and release."""
        if self.path is not None:
            try:
                self._store.flush()
            except OSError:
                log.warning("flush on close failed", exc_info=True)
        del self._store


def _graphs(quads: list[Quad]) -> set[str]:
    return {q.graph_name.value if isinstance(q.graph_name, NamedNode) else "" for q in quads}


def _quad_text(q: Quad) -> str:
    triple = f"{q.subject} {q.predicate} {q.object} ."
    if isinstance(q.graph_name, NamedNode):
        return f"GRAPH {q.graph_name} {{ {triple} }}"
    return triple


def _insert_data(quads: list[Quad]) -> str:
    return "INSERT DATA {\n" + "\n".join(_quad_text(q) for q in quads) + "\n}"


def _delete_data(quads: list[Quad]) -> str:
    return "DELETE DATA {\n" + "\n".join(_quad_text(q) for q in quads) + "\n}"


def _materialise(
    raw: QuerySolutions | QueryTriples | QueryBoolean | bool,
    deadline: float | None,
    timeout_s: float | None,
) -> QueryResult:
    if isinstance(raw, QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows: list[dict[str, Term]] = []
        for i, solution in enumerate(raw):
            if deadline is not None and i % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                raise QueryTimeout(f"the query ran longer than {timeout_s} s and was stopped")
            row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        _check(deadline, timeout_s)
        return SelectResult(variables, rows)
    if isinstance(raw, QueryTriples):
        triples = []
        for i, triple in enumerate(raw):
            if deadline is not None and i % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                raise QueryTimeout(f"the query ran longer than {timeout_s} s and was stopped")
            triples.append(triple)
        _check(deadline, timeout_s)
        return GraphResult(triples)
    _check(deadline, timeout_s)
    return AskResult(bool(raw))


def _check(deadline: float | None, timeout_s: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise QueryTimeout(f"the query ran longer than {timeout_s} s and was stopped")
