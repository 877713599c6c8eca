"""The embedded backend: pyoxigraph, on disk (RocksDB) or in memory."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Variable,
    parse,
    serialize,
)
from pyoxigraph import (
    Store as _OxStore,
)

from qualifica.errors import BadParameter, QueryTimeout, StoreLocked, StoreUnavailable
from qualifica.namespaces import PREFIXES
from qualifica.store import stamps, text
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

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        """Open the store at ``path`` (``None``: in memory).

        ``read_only`` opens a read-only view of a store another process holds read-write: the
        store as it was when opened, read from a checkpoint of it (see ``_view``); writes to it
        fail. A store held by another process raises ``StoreLocked`` when opened read-write.
        """
        self.path = path
        self.read_only = read_only and path is not None
        self._checkpoint: Path | None = None
        try:
            if path is None:
                self._store = _OxStore()
            elif self.read_only:
                self._store = self._view(path)
            else:
                self._store = _OxStore(str(path))
        except (OSError, RuntimeError) as exc:
            if "LOCK" in str(exc) and not self.read_only:
                raise StoreLocked(f"another process holds the store at {path}") from exc
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from exc
        ChangeNotifier.__init__(self)
        self._write_lock = threading.Lock()
        self._counted: tuple[int, int] | None = None

    def _view(self, path: Path) -> _OxStore:
        """A read-only view of the store at ``path`` that another process writes.

        RocksDB's read-only opening reads the files of the moment it opens; the writing process
        may replace them afterwards (compaction), and during the opening itself. So the view is
        a checkpoint (hard links, taken from the read-only opening) in
        ``{path}/../.readers/``, removed on ``close``, and an opening that meets files being
        replaced is tried again.
        """
        readers = path.parent / ".readers"
        readers.mkdir(exist_ok=True)
        _remove_stale_checkpoints(readers)
        for attempt in range(_VIEW_ATTEMPTS):
            target = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=readers))
            try:
                live = _OxStore.read_only(str(path))
                live.backup(str(target / "store"))
                del live
                view = _OxStore.read_only(str(target / "store"))
            except (OSError, RuntimeError):  # RocksDB reports a vanished file as corruption
                shutil.rmtree(target, ignore_errors=True)
                if attempt == _VIEW_ATTEMPTS - 1:
                    raise
                log.debug("the store changed while a view was opened; again", exc_info=True)
                time.sleep(0.05 * (attempt + 1))
                continue
            self._checkpoint = target
            return view
        raise AssertionError("unreachable")

    # -- reads ---------------------------------------------------------------------------
    def native(self) -> _OxStore:
        """The pyoxigraph store itself, for bulk reads that run many queries over all of it
        (full SHACL validation); writes go through ``apply``."""
        return self._store

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
        """Number of quads; counted once per generation (pyoxigraph counts by scanning: about
        0.1 s at 576,000 quads, which ``/healthz`` would pay on every call)."""
        generation = self.generation
        counted = self._counted
        if counted is not None and counted[0] == generation:
            return counted[1]
        number = len(self._store)
        if self.generation == generation:  # no write committed while counting
            self._counted = (generation, number)
        return number

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs that hold quads (a graph emptied by ``update`` is left out,
        as ``apply`` drops the graphs it empties)."""
        return sorted(
            g.value for g in self._store.named_graphs() if isinstance(g, NamedNode)
            and next(iter(self._store.quads_for_pattern(None, None, None, g)), None) is not None
        )

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
    def _writable(self) -> None:
        """Refuse a write to a read-only view with one clear error."""
        if self.read_only:
            raise StoreUnavailable(f"the store at {self.path} is open read-only (another "
                                   "process holds it); write through that process")

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad], *,
              stamp: bool = False) -> ChangeSet:
        """Remove, then add, in one transaction; publishes exactly what changed.

        With ``stamp`` the resources it touches get their ``dcterms:modified`` in the same
        transaction (``stamps.stamped``).

        What is stored is read under the write lock, so the published change is exact even
        when writes race. Quads with blank nodes are written through variables bound by a
        custom function (``text.indexed_update``): they address the stored nodes themselves,
        which ``DELETE DATA`` (no blank nodes allowed) and ``INSERT DATA`` (fresh nodes) cannot.
        """
        self._writable()
        removals = list(dict.fromkeys(removed))
        additions = list(dict.fromkeys(added))
        with self._write_lock:
            adding = set(additions)
            gone = [q for q in removals if q not in adding and q in self._store]
            new = [q for q in additions if q not in self._store]
            if stamp:
                gone, new = stamps.stamped(gone, new, self._stamps_of, self._remaining)
            if not gone and not new:
                return ChangeSet(added=[], removed=[], graphs=set())
            try:
                if gone:
                    update, bound = _update_text(gone, new, self._emptied(gone, new))
                    self._store.update(update, custom_functions={NamedNode(_TERM): _terms(bound)})
                else:
                    self._store.extend(new)
                if self.path is not None:
                    self._store.flush()
            except OSError as exc:
                log.exception("store write failed")
                raise StoreUnavailable("the store could not write") from exc
            change = ChangeSet(added=new, removed=gone, graphs=text.graphs_of([*gone, *new]))
            self._committed(change)
            return change

    def _stamps_of(self, resources: Sequence[NamedNode]) -> list[Quad]:
        graph = NamedNode(stamps.MODIFIED_GRAPH)
        modified = NamedNode(stamps.DCTERMS_MODIFIED)
        return [q for r in resources
                for q in self._store.quads_for_pattern(r, modified, None, graph)]

    def _remaining(self, resources: Sequence[NamedNode], gone: set[Quad]) -> set[NamedNode]:
        return {r for r in resources
                if any(q not in gone and not stamps.in_stamp_graph(q)
                       for q in self._store.quads_for_pattern(r, None, None, None))}

    def _emptied(self, gone: list[Quad], new: list[Quad]) -> list[str]:
        """Named graphs that hold no quad once ``gone`` is removed and ``new`` added."""
        removing = set(gone)
        filled = text.graphs_of(new)
        emptied = []
        for graph in text.graphs_of(gone) - filled - {""}:
            rest = self._store.quads_for_pattern(None, None, None, NamedNode(graph))
            if all(q in removing for q in rest):
                emptied.append(graph)
        return emptied

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update atomically; listeners are told the change is unknown."""
        self._writable()
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
        """Remove everything; listeners learn every quad removed."""
        self._writable()
        with self._write_lock:
            gone = list(self._store)
            self._store.clear()
            if self.path is not None:
                self._store.flush()
            self._committed(ChangeSet(added=[], removed=gone, graphs=text.graphs_of(gone)))

    def bulk_add(self, quads: Iterable[Quad]) -> None:
        """Load many quads without holding them in memory (benchmarks; not transactional)."""
        self._writable()
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
        store._counted = None
        store.path = None
        store.read_only = False
        store._checkpoint = None
        try:
            if source.is_dir():
                store._store = _OxStore.read_only(str(source))
            else:
                store._store = _OxStore()
                # Blank node labels kept: they name the same nodes as in the store.
                store._store.extend(parse(path=str(source), format=RdfFormat.N_QUADS))
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the snapshot {source}: {exc}") from exc
        return store

    def close(self) -> None:
        """Flush and release (a read-only view: remove its checkpoint)."""
        if self.path is not None and not self.read_only:
            try:
                self._store.flush()
            except OSError:
                log.warning("flush on close failed", exc_info=True)
        del self._store
        if self._checkpoint is not None:
            shutil.rmtree(self._checkpoint, ignore_errors=True)
            self._checkpoint = None


_VIEW_ATTEMPTS = 10


def _remove_stale_checkpoints(readers: Path) -> None:
    """Remove the checkpoints of read-only views whose process has gone (named ``{pid}-…``)."""
    for folder in readers.iterdir():
        pid = folder.name.split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # another user's process: still running
            pass


_TERM = "urn:x-qualifica:store:term"
"""The custom function that hands the terms of quads with blank nodes to an update."""


def _update_text(gone: list[Quad], new: list[Quad], emptied: list[str]
                 ) -> tuple[str, list[Quad]]:
    """One update: remove ``gone``, drop the graphs it empties, add ``new``; and the quads the
    indexed operations read through ``_TERM``."""
    bound: list[Quad] = []
    parts: list[str] = []

    def block(verb: str, quads: list[Quad]) -> None:
        plain = [q for q in quads if not text.has_blank_node(q)]
        if plain:
            parts.append(f"{verb} DATA {text.quad_block(plain)}")
        blank = [q for q in quads if text.has_blank_node(q)]
        for named in (False, True):
            rows = [q for q in blank if isinstance(q.graph_name, NamedNode) is named]
            if rows:
                first = len(bound)
                bound.extend(rows)
                parts.append(text.indexed_update(verb, range(first, len(bound)), _TERM,
                                                 named=named))

    block("DELETE", gone)
    if emptied:
        parts.append(text.drop_graphs(emptied))
    block("INSERT", new)
    return " ;\n".join(parts), bound


def _terms(bound: list[Quad]) -> Callable[[Literal, Literal], Term | None]:
    def term(i: Literal, k: Literal) -> Term | None:
        q = bound[int(i.value)]
        part = (q.subject, q.predicate, q.object, q.graph_name)[int(k.value)]
        return part if not isinstance(part, DefaultGraph) else None

    return term


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
