"""``FastValidator``: the shapes compiled once (``compiler``), run on pyoxigraph stores
(``runner``), the results turned into a ``Report`` (``findings``); ``validate_with`` validates a
store of any backend as it would be after a change."""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import mmap
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import rdflib
from pyoxigraph import (
    BlankNode,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    Triple,
    Variable,
    parse_query_results,
)

from qualifica.validation.fast import runner, store_worker
from qualifica.validation.fast.compiler import _ONTOLOGY_GRAPH, Compiler, _Shape, _subgraph
from qualifica.validation.fast.findings import Outcome, _order, outcomes_of_report, report
from qualifica.validation.shacl import Report, Shapes, ox_term, parse_into

log = logging.getLogger(__name__)


class FastValidator:
    """Compiles ``shapes`` once; validates pyoxigraph stores with one query per constraint."""

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.sg = shapes.shapes
        self._ontology: list[Triple] | None = None
        compiler = Compiler(self.sg)
        self.compiled: list[_Shape] = compiler.compiled
        self.fallback: list[rdflib.term.Node] = compiler.fallback
        self._fallback_graph: rdflib.Graph | None = None
        self.last_stats: dict[str, float] = {}
        #: how the last validation's jobs were shared by two processes (``runner._split``)
        self._split: dict[str, float] = {}

    def ontology_triples(self) -> list[Triple]:
        """The ontology (mixed into every validated graph, as pySHACL's ``ont_graph``)."""
        if self._ontology is None:
            self._ontology = [Triple(ox_term(s), ox_term(p), ox_term(o))  # type: ignore[arg-type]
                              for s, p, o in self.shapes.ontology]
        return self._ontology

    def memory_store(self, quads: Iterable[Quad], *, ontology: bool = True) -> Store:
        """An in-memory pyoxigraph store of ``quads`` (graphs kept) and the ontology."""
        store = Store()
        store.extend(quads)
        if ontology:
            self.add_ontology(store)
        return store

    def add_ontology(self, store: Store) -> None:
        """Put the ontology into ``store`` (in a graph of its own)."""
        store.extend(Quad(t.subject, t.predicate, t.object, _ONTOLOGY_GRAPH)
                     for t in self.ontology_triples())

    def outcomes_of(self, quads: Iterable[Quad], *, ontology: bool = True) -> list[Outcome]:
        """The results on ``quads`` with the ontology mixed in (as pySHACL's ``ont_graph``)."""
        return self.outcomes(self.memory_store(quads, ontology=ontology))

    def validate_quads(self, quads: Iterable[Quad], *, ontology: bool = True) -> Report:
        """Validate ``quads`` (the union of their graphs), with the ontology mixed in."""
        t0 = time.perf_counter()
        store = self.memory_store(quads, ontology=ontology)
        load_s = time.perf_counter() - t0
        rep = self.validate_store(store, ontology=False, in_memory=True)
        self.last_stats["load_s"] = load_s
        return rep

    def validate_files(self, paths: Sequence[Path]) -> Report:
        """Validate files (the union of their triples), with the ontology mixed in.

        pyoxigraph parses them straight into an in-memory store (no Python object per
        triple); blank nodes get fresh labels per file, errors name the file as
        ``parse_files`` does."""
        t0 = time.perf_counter()
        early = self._early(paths)
        if early is None:
            store = parse_into(paths)
        else:
            try:
                # the copy parses strictly at the same time: its errors are the ones raised
                store = parse_into(paths, lenient=True)
            except BaseException:
                early.check()
                early.close()
                raise
            if not early.usable():  # blank nodes: the copy only parsed strictly, for errors
                try:
                    early.check()
                finally:
                    early.close()
                early = None
        self.add_ontology(store)
        load_s = time.perf_counter() - t0
        try:
            rep = self.validate_store(store, ontology=False, in_memory=True, early=early)
        finally:
            if early is not None:
                early.close()
        self.last_stats["load_s"] = load_s
        return rep

    def _early(self, paths: Sequence[Path]) -> runner.Early | None:
        """For files large enough, a second process started at once that parses them too (at
        the same time as this one) and plans the same queries, to take its share of them."""
        if (os.cpu_count() or 1) < 2 or not runner.can_fork():
            return None
        try:
            size = sum(Path(p).stat().st_size for p in paths)
        except OSError:
            return None  # parse_into says what is wrong
        if size < EARLY_BYTES:
            return None
        self.ontology_triples()  # the copy inherits these (and their blank nodes' labels)

        def usable() -> bool:  # the copy's blank nodes would bear other labels than ours
            return not any(_may_have_blank_nodes(Path(p)) for p in paths)

        def prepare() -> tuple[Store, list[runner.Job]]:
            store = parse_into(paths)
            self.add_ontology(store)
            hierarchy = runner.subclasses(store)
            return store, runner.plan(store, self.compiled, hierarchy, None, part="bulk",
                                      listings=True)

        return runner.Early(usable, prepare, verify=lambda: parse_into(paths))

    def missing_ontology(self, store: Store) -> list[Triple]:
        """Ontology triples (without blank nodes) that ``store`` does not hold in any graph."""
        return [t for t in self.ontology_triples()
                if not isinstance(t.subject, BlankNode) and not isinstance(t.object, BlankNode)
                and next(iter(store.quads_for_pattern(t.subject, t.predicate, t.object)), None)
                is None]

    def validate_store(self, store: Store, *, ontology: bool = True,
                       focus: Sequence[NamedNode | BlankNode] | None = None,
                       in_memory: bool = False, path: Path | None = None,
                       early: runner.Early | None = None) -> Report:
        """Validate everything ``store`` holds (the union of its graphs).

        With ``ontology`` the ontology is mixed in: when the store lacks some of it, the store
        is copied into memory with it first. ``focus`` keeps only results about those nodes.
        An ``in_memory`` store, or an on-disk one whose folder is ``path``, is validated on
        every core (``outcomes``, ``workers``).
        """
        started = time.perf_counter()
        if ontology and self.missing_ontology(store):
            store, in_memory, path = self.memory_store(store), True, None
        copied = time.perf_counter()
        self._split = {}
        workers = 2 if (in_memory or path is not None) and (os.cpu_count() or 1) > 1 else 1
        outcomes = self.outcomes(store, focus, workers=workers,
                                 path=None if in_memory else path, early=early, ordered=False)
        queried = time.perf_counter()
        rep = self.report(outcomes)
        self.last_stats = {"copy_s": copied - started, "query_s": queried - copied,
                           "report_s": time.perf_counter() - queried,
                           "results": float(len(outcomes)), **self._split}
        return rep

    def outcomes(self, store: Store, focus: Sequence[NamedNode | BlankNode] | None = None,
                 *, workers: int = 1, path: Path | None = None,
                 early: runner.Early | None = None, ordered: bool = True) -> list[Outcome]:
        """Every result of validating ``store`` (optionally only about ``focus`` nodes), in
        order unless not ``ordered`` (a ``Report`` orders its findings itself).

        With ``workers`` > 1 a second process shares the queries (``runner.run_shared``): a
        forked copy of this one for an in-memory store; for an on-disk store in the folder
        ``path``, a fresh process reading a checkpoint of it (a forked copy would inherit
        RocksDB's threads in an unknown state)."""
        hierarchy = runner.subclasses(store)
        restrict = None
        if focus is not None:
            if not focus:
                return []
            if all(isinstance(n, NamedNode) for n in focus):
                restrict = "VALUES ?this { " + " ".join(str(n) for n in focus) + " }"
        found: set[Outcome] = set()
        if early is not None and (focus is not None or workers < 2):
            early.check()  # it plans every job over every focus node: not used
            early.close()
            early = None
        if early is not None:
            # the copy plans the same jobs (none needs a query to plan: the focus nodes to
            # list are looked up by jobs of their own) and both share them
            bulk = runner.plan(store, self.compiled, hierarchy, None, part="bulk",
                               listings=True)
            found = runner.run_shared(store, bulk, early=early, split=self._split)
        else:
            found = self._run(store, hierarchy, restrict, workers, path)
        if self.fallback:
            found |= self._fallback(store)
        if focus is not None:
            keep = set(focus)
            found = {o for o in found if o.focus in keep}
        return sorted(found, key=_order) if ordered else list(found)

    def _run(self, store: Store, hierarchy: dict[str, set[str]], restrict: str | None,
             workers: int, path: Path | None) -> set[Outcome]:
        """The results of the compiled shapes on ``workers`` processes (``outcomes``).

        With two, the second starts as soon as the jobs are planned (no query needed: the
        focus nodes to list are looked up by jobs of their own, ``runner.plan``), and both
        take the next job when free: the look-ups of SPARQL-based targets too (seconds on
        an on-disk store), whose constraints' queries follow in the process that collects
        their results."""
        if workers > 1 and restrict is None and (path is not None or runner.can_fork()):
            bulk = runner.plan(store, self.compiled, hierarchy, None, "bulk", listings=True,
                               on_disk=path is not None)
            if path is None:
                return runner.run_shared(store, bulk, split=self._split)
            try:
                with _checkpoint(store, path) as checkpoint:
                    return runner.run_shared(store, bulk, checkpoint=checkpoint,
                                             split=self._split)
            except OSError:  # no checkpoint beside the store (a read-only folder): one process
                log.warning("validating %s in one process: no checkpoint", path, exc_info=True)
        found: set[Outcome] = set()
        for job in runner.plan(store, self.compiled, hierarchy, restrict,
                               on_disk=path is not None):
            found |= runner.collect(store, job, store.query(  # type: ignore[arg-type]
                job.text, use_default_graph_as_union=True))
        return found

    def _fallback(self, store: Store) -> set[Outcome]:
        """Results of the shapes not compiled, from pySHACL over the whole store."""
        from pyshacl import validate as pyshacl_validate

        from qualifica.validation.shacl import to_rdflib

        if self._fallback_graph is None:
            self._fallback_graph = _subgraph(self.sg, self.fallback)
        data = to_rdflib(store)
        _, results, _ = pyshacl_validate(data, shacl_graph=self._fallback_graph,
                                         inference="none", abort_on_first=False,
                                         allow_warnings=True, meta_shacl=False, advanced=True)
        return set(outcomes_of_report(results, self.sg))

    @staticmethod
    def report(outcomes: list[Outcome]) -> Report:
        """A ``Report`` (findings as pySHACL's report gives them) of ``outcomes``."""
        return report(outcomes)


#: Files at least this large are parsed by both validating processes at once (``_early``).
EARLY_BYTES = 4_000_000


def _may_have_blank_nodes(path: Path) -> bool:
    """Whether the file may hold a blank node (it does when it holds none of the characters
    that write one, anywhere, even in a literal)."""
    marks = (b"_:",) if path.suffix in (".nt", ".nq") else (b"_:", b"[", b"(")
    try:
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(mark) >= 0 for mark in marks)
    except (OSError, ValueError):  # unreadable or empty
        return True


@contextlib.contextmanager
def _checkpoint(store: Store, path: Path) -> Iterator[Path]:
    """A checkpoint of the on-disk ``store`` kept in the folder ``path`` (hard links beside it,
    in ``.readers/`` as the store's read-only views), removed afterwards."""
    readers = Path(path).parent / ".readers"
    readers.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-validation-", dir=readers))
    try:
        store.backup(str(folder / "store"))
        yield folder / "store"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_VALIDATORS: weakref.WeakKeyDictionary[Shapes, FastValidator] = weakref.WeakKeyDictionary()


def fast_validator(shapes: Shapes) -> FastValidator:
    """The fast validator of ``shapes``, compiled on first use."""
    validator = _VALIDATORS.get(shapes)
    if validator is None:
        validator = _VALIDATORS[shapes] = FastValidator(shapes)
    return validator


def validate_with(shapes: Shapes, store: object, new: Iterable[Quad] = (),
                  removed: Iterable[Quad] = (), *, parsed: Store | None = None) -> Report:
    """Full validation of a ``Store`` of any backend as it would be with ``new`` added and
    ``removed`` taken away.

    An embedded store that is validated as it is (nothing added or removed) is read in place;
    otherwise what it holds is copied into memory with the change (an empty store costs
    nothing to copy). ``parsed``, an in-memory store holding just ``new``, is that copy: what
    is stored is added to it (it changes).
    """
    validator = fast_validator(shapes)
    native = getattr(store, "native", None)
    ox = native() if callable(native) else None
    new, gone = list(new), set(removed)
    if ox is not None and not new and not gone:
        # an embedded store with no folder is in memory (a forked copy can share it)
        path = getattr(store, "path", None)
        return validator.validate_store(ox, path=path, in_memory=path is None)
    t0 = time.perf_counter()
    held = ox if ox is not None else store.quads()  # type: ignore[attr-defined]
    if ox is not None and len(ox) == 0:
        held = []
    kept = (q for q in held if q not in gone) if gone else held
    if parsed is not None and not gone:
        memory = parsed
        memory.extend(kept)
        validator.add_ontology(memory)
    else:
        memory = validator.memory_store(itertools.chain(kept, new))
    load_s = time.perf_counter() - t0
    rep = validator.validate_store(memory, ontology=False, in_memory=True)
    validator.last_stats["load_s"] = load_s
    return rep


def run_queries(store: Store, path: Path, texts: Sequence[str]) -> list[tuple[object, float]]:
    """Run ``texts`` (SPARQL queries over the union of the graphs) on the on-disk ``store`` in
    the folder ``path``, in this process and a second one reading a checkpoint of it, each
    taking the next query when free: each query's results (``QuerySolutions`` or
    ``QueryBoolean``) and the seconds it took, in the order of ``texts``. Raises ``OSError``
    when no checkpoint can be made, ``RuntimeError`` when the second process fails."""
    done: dict[int, tuple[object, float]] = {}
    with _checkpoint(store, path) as checkpoint, \
            tempfile.TemporaryDirectory(prefix="qualifica-queries-") as tmp_name:
        tmp = Path(tmp_name)
        counter, output = tmp / "counter", tmp / "results"
        counter.write_bytes(b"")
        (tmp / "jobs.json").write_text(json.dumps(list(texts)), encoding="utf-8")
        child = runner._spawn(checkpoint, tmp / "jobs.json", counter, output)
        try:
            for index in store_worker.claims(str(counter), len(texts)):
                started = time.perf_counter()
                # the raw results, or the rows of a SELECT read into a list (``_Solutions``)
                result: object = store.query(texts[index], use_default_graph_as_union=True)
                if isinstance(result, QuerySolutions):
                    variables = result.variables
                    rows = list(result)
                    result = _Solutions(variables, rows)
                done[index] = (result, time.perf_counter() - started)
        finally:
            ok = child()
        if not ok:
            raise RuntimeError("the second query process failed")
        data = output.read_bytes() if output.exists() else b""
    offset, size, times = 0, store_worker.HEADER.size, {}
    parsed: dict[int, object] = {}
    while len(data) - offset >= size:
        index, length = store_worker.HEADER.unpack_from(data, offset)
        chunk = data[offset + size:offset + size + length]
        offset += size + length
        if index == store_worker.TIMES:
            times = {int(i): float(t) for i, t in json.loads(chunk)}
        else:
            parsed[index] = parse_query_results(chunk, format=QueryResultsFormat.JSON)
    for index, result in parsed.items():
        if isinstance(result, QuerySolutions):
            result = _Solutions(result.variables, list(result))
        done[index] = (result, times.get(index, 0.0))
    missing = [i for i in range(len(texts)) if i not in done]
    if missing:
        raise RuntimeError(f"queries run by neither process: {missing}")
    return [done[i] for i in range(len(texts))]


class _Solutions(list):  # type: ignore[type-arg]
    """The rows of a SELECT query, read, with its ``variables``."""

    def __init__(self, variables: list[Variable], rows: Iterable[object]) -> None:
        super().__init__(rows)
        self.variables = variables
