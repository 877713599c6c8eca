"""Running compiled shapes on a pyoxigraph store: the query text of each constraint, the
queries themselves, and the split of the work over two processes.

pyoxigraph holds the GIL while it evaluates a query, so a second thread gains nothing (measured):
the second core is used by a second process. An in-memory store is shared with a forked copy of
this process (``forked``); a store on disk is read by a fresh process from a checkpoint
(``store_worker``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import rdflib
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    parse_query_results,
)
from rdflib.namespace import RDFS, XSD

from qualifica.errors import QualificaError
from qualifica.validation.fast import store_worker
from qualifica.validation.fast.compiler import _WHERE, _Query, _Shape
from qualifica.validation.fast.findings import Outcome
from qualifica.validation.shacl import _term

log = logging.getLogger(__name__)

#: Focus nodes listed in a VALUES block up to this many; above, the targets are joined.
MAX_LISTED = 20_000


#: The condition of an ``sh:class`` check (``compiler``), its classes in group 1.
_CLASS_CHECK = re.compile(
    r"!\(EXISTS \{ \?v a \?_k \. FILTER \(\?_k IN \((\{CLASSES [^}]*\})\)\) \}\)")


def _failing(path: str | None, cond: str, on_disk: bool = False) -> str:
    """A pattern binding ``?this`` and each value ``?v`` on ``path`` that fails ``cond``.

    On disk an ``sh:class`` check is a ``MINUS`` of the instances of the classes (the path's
    triples and the typed values, joined by hash) instead of a look-up per value (``EXISTS``):
    the classes of the competency of 76,000 requirements at scale 1 on RocksDB in 0.05 s
    against 0.4 s. ``?v`` is always bound on the left, so ``MINUS`` removes exactly what
    ``NOT EXISTS`` would."""
    if on_disk and (m := _CLASS_CHECK.fullmatch(cond)) is not None:
        return f"?this {path} ?v MINUS {{ ?v a ?_k . FILTER (?_k IN ({m.group(1)})) }}"
    return f"?this {path} ?v FILTER ({cond})"


def _query_text(q: _Query, focus: str, listed: bool, on_disk: bool = False) -> str:
    """The SPARQL query of a compiled constraint.

    ``focus`` is a pattern binding ``?this``: a VALUES block when ``listed``, else the
    targets. With listed focus nodes every query starts from them; otherwise a constraint
    that only rare values break reads the path's triples first and checks the targets of the
    few it finds (``FILTER EXISTS``), which pyoxigraph does several times faster.
    """
    path, cond, n = q.path_text, q.cond, q.n
    if q.kind == "value":
        if path is None:
            return (f"SELECT DISTINCT ?this ?v WHERE {{ {focus} BIND (?this AS ?v) "
                    f"FILTER ({cond}) }}")
        if listed:
            return f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {path} ?v FILTER ({cond}) }}"
        return ("SELECT DISTINCT ?this ?v WHERE { { SELECT DISTINCT ?this ?v WHERE { "
                f"{_failing(path, cond, on_disk)} }} }} FILTER EXISTS {{ {focus} }} }}")
    if q.kind == "min":
        if n <= 0:
            return "SELECT ?this WHERE { FILTER (false) }"
        if n == 1:
            if listed:
                return (f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ "
                        f"?this {path} ?v FILTER ({cond}) }} }}")
            return (f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {path} ?v "
                    f"FILTER ({cond}) }} }}")
        return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v FILTER ({cond}) }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
    if q.kind == "max":
        grouped = (f"SELECT ?this WHERE {{ {{inner}} ?this {path} ?v FILTER ({cond}) }} "
                   f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
        if listed:
            return grouped.replace("{inner}", focus)
        return ("SELECT ?this WHERE { { " + grouped.replace("{inner}", "") + " } "
                f"FILTER EXISTS {{ {focus} }} }}")
    if q.kind == "unique":
        grouped = (f"SELECT ?this ?l WHERE {{ {{inner}} ?this {path} ?v "
                   "FILTER (isLiteral(?v) && LANG(?v) != \"\") BIND (LCASE(LANG(?v)) AS ?l) } "
                   "GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?v) > 1)")
        if listed:
            return grouped.replace("{inner}", focus)
        return ("SELECT ?this ?l WHERE { { " + grouped.replace("{inner}", "") + " } "
                f"FILTER EXISTS {{ {focus} }} }}")
    # a SPARQL-based constraint: the listed focus nodes go into its WHERE clause
    value = "(?value AS ?v)" if q.path is not None else "(COALESCE(?value, ?this) AS ?v)"
    if listed:
        m = _WHERE.search(cond)
        assert m is not None
        body = cond[:m.end()] + " " + focus + " " + cond[m.end():]
        return f"SELECT DISTINCT ?this {value} ?path WHERE {{ {{ {body} }} }}"
    return f"SELECT DISTINCT ?this {value} ?path WHERE {{ {focus} {{ {cond} }} }}"


@dataclass
class Job:
    """One query of a validation: ``rows`` (each row one result of ``queries[0]``),
    ``present`` (the flags of several "at least one value" constraints), ``max`` (the counts
    of several "at most n values" constraints on one path), ``count`` (the counts of "at
    least" and "at most" constraints on one path), ``lexical`` (the literals of a datatype
    whose lexical forms rdflib is asked about; ``head`` and ``focus`` are for the query that
    finds their focus nodes) or ``listing`` (the focus nodes of ``shape``, few enough to list:
    the queries of its constraints over them follow in the process that collects it)."""

    text: str
    kind: str
    queries: list[_Query]
    weight: int = 1
    head: str = ""
    focus: str = ""
    shape: _Shape | None = None
    hierarchy: dict[str, set[str]] | None = None


#: The weight of a ``listing`` job (``plan`` runs the heaviest first): the look-ups of
#: SPARQL-based targets take about as long as the queries of a shape with eight classes.
LISTING_WEIGHT = 8


def plan(store: Store, shapes: Sequence[_Shape], hierarchy: dict[str, set[str]],
         restrict: str | None, part: str | None = None, *,
         listings: bool = False, on_disk: bool = False) -> list[Job]:
    """The queries that validate ``shapes`` on ``store``, the costliest first (focus nodes
    few enough to list are looked up here). ``part`` "bulk" keeps the shapes whose focus
    nodes are not listed (no query made here), "listed" the others; None both. With
    ``listings`` (and no ``restrict``) the focus nodes to list are not looked up here: a
    ``listing`` job looks them up, and ``part`` "bulk" keeps those jobs too. ``on_disk``:
    ``store`` is on disk, where some checks are faster read otherwise (``_present_text``)."""
    jobs: list[Job] = []
    values: list[tuple[_Shape, str, str, int, _Query]] = []
    for shape in shapes:
        to_list = restrict is not None or shape.listable
        listing = to_list and listings and restrict is None
        if part is not None and (part == "listed") != to_list and not listing:
            continue
        if listing and part == "listed":
            continue
        pattern = _target_pattern(shape, hierarchy)
        if pattern is None:
            continue
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(shape.prefixes.items()))
        if listing:
            jobs.append(Job(f"{head}SELECT DISTINCT ?this WHERE {{ {pattern} }} "
                            f"LIMIT {MAX_LISTED + 1}", "listing", shape.queries,
                            LISTING_WEIGHT, head, pattern, shape, hierarchy))
            continue
        listed = None
        if to_list:
            listed = _list_focus(store, head, f"{restrict or ''} {pattern}")
            if listed == "":
                continue  # no focus node
        jobs.extend(_shape_jobs(shape, head, listed, pattern, hierarchy, values,
                                on_disk=on_disk))
    jobs.extend(_merged(values, hierarchy, on_disk))
    jobs.sort(key=lambda j: -j.weight)
    return jobs


def _shape_jobs(shape: _Shape, head: str, listed: str | None, pattern: str,
                hierarchy: dict[str, set[str]],
                values: list[tuple[_Shape, str, str, int, _Query]] | None, *,
                on_disk: bool = False) -> list[Job]:
    """The queries of the constraints of ``shape`` over its focus nodes, ``listed`` (a VALUES
    block) or, when None, those the target ``pattern`` binds. Value checks of focus nodes not
    listed go to ``values`` (merged with the same check of other shapes, ``_merged``) unless
    it is None."""
    jobs: list[Job] = []
    focus_text = listed or pattern
    weight = 1 if listed is not None else max(1, len(shape.classes))
    queries = shape.queries
    if listed is None and COUNT_JOBS:
        # "at least" and "at most" constraints on one path: one count per focus node
        counted: dict[str | None, list[_Query]] = defaultdict(list)
        for q in queries:
            if q.kind in ("min", "max") and q.n >= (1 if q.kind == "min" else 0):
                counted[q.path_text].append(q)
        for group in counted.values():
            if {q.kind for q in group} == {"min", "max"}:
                jobs.append(Job(head + _fill(_count_text(focus_text, group, on_disk),
                                             hierarchy),
                                "count", group, 2 * weight))
                queries = [q for q in queries if q not in group]
    present = [q for q in queries if q.kind == "min" and q.n == 1]
    if len(present) > 1 and listed is None:
        # "at least one value" of several paths: one pass over the focus nodes
        jobs.append(Job(head + _fill(_present_text(focus_text, present, on_disk), hierarchy),
                        "present", present, 2 * weight))
        queries = [q for q in queries if q not in present]
    if listed is None:
        # "at most n values" on one path (e.g. at most one German and one English label):
        # one pass over the path's triples, a count per constraint
        by_path: dict[str | None, list[_Query]] = defaultdict(list)
        for q in queries:
            if q.kind == "max":
                by_path[q.path_text].append(q)
        for group in by_path.values():
            if len(group) > 1:
                jobs.append(Job(head + _fill(_max_text(focus_text, group), hierarchy),
                                "max", group, 2 * weight))
                queries = [q for q in queries if q not in group]
    for q in queries:
        if q.check_lexical is not None:
            jobs.append(Job(_lexical_text(q), "lexical", [q], 1, head, focus_text))
        if (q.kind == "value" and q.path_text is not None and listed is None
                and values is not None):
            # merged later with the same check of other shapes (one pass over the path)
            values.append((shape, head, focus_text, weight, q))
            continue
        text = head + _fill(_query_text(q, focus_text, listed is not None, on_disk), hierarchy)
        jobs.append(Job(text, "rows", [q], weight * (1 if q.kind == "value" else 2)))
    return jobs


def _merged(values: list[tuple[_Shape, str, str, int, _Query]],
            hierarchy: dict[str, set[str]], on_disk: bool = False) -> list[Job]:
    """The value checks of focus nodes not listed, one job for the same check (path and
    condition) of several shapes: one pass over the path's triples, a flag per shape telling
    whether the node is one of its focus nodes (e.g. the ``sh:class`` check of
    ``qd:competency`` in the shapes of requirements and of learning outcomes)."""
    groups: dict[tuple[str, str], list[tuple[_Shape, str, str, int, _Query]]] = defaultdict(list)
    for item in values:
        q = item[4]
        groups[(q.path_text or "", q.cond)].append(item)
    jobs = []
    for items in groups.values():
        prefixes: dict[str, str] = {}
        compatible = all(prefixes.setdefault(p, ns) == ns
                         for shape, *_ in items for p, ns in shape.prefixes.items())
        if compatible and len(items) > 1:
            head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
            text = _value_text([(focus, q) for _s, _h, focus, _w, q in items], on_disk)
            jobs.append(Job(head + _fill(text, hierarchy), "value", [q for *_, q in items],
                            max(w for _s, _h, _f, w, _q in items)))
            continue
        for _shape, head, focus, weight, q in items:  # one only, or prefixes that differ
            text = _query_text(q, focus, False, on_disk)
            jobs.append(Job(head + _fill(text, hierarchy), "rows", [q], weight))
    return jobs


def _value_text(items: list[tuple[str, _Query]], on_disk: bool = False) -> str:
    """The values on one path failing one condition, with a flag ``?f<i>`` per focus pattern."""
    q = items[0][1]
    binds = " ".join(f"BIND (EXISTS {{ {focus} }} AS ?f{i})" for i, (focus, _q) in enumerate(items))
    flags = " ".join(f"?f{i}" for i in range(len(items)))
    anyone = " || ".join(f"?f{i}" for i in range(len(items)))
    return (f"SELECT ?this ?v {flags} WHERE {{ {{ SELECT DISTINCT ?this ?v WHERE {{ "
            f"{_failing(q.path_text, q.cond, on_disk)} }} }} {binds} FILTER ({anyone}) }}")


def _flagged(job: Job, rows: Iterable[Any], column: str,
             hit: Callable[[Literal, Any], bool]) -> set[Outcome]:
    """The outcomes of the queries of a merged ``job`` whose column ``{column}{i}`` in a row
    is a literal that ``hit`` accepts."""
    columns = [(f"{column}{i}", q, _Made(q)) for i, q in enumerate(job.queries)]
    found: set[Outcome] = set()
    for row in rows:
        for name, q, made in columns:
            if isinstance(v := row[name], Literal) and hit(v, q):
                found.add(made(row))
    return found


def collect(store: Store, job: Job, rows: Iterable[Any]) -> set[Outcome]:
    """The results of ``job`` from the rows its query answered (an ill-typed literal that
    ``lexical`` finds is looked up in ``store``)."""
    if job.kind == "rows":
        made = _Made(job.queries[0])
        return {made(row) for row in rows}
    if job.kind == "value":  # flag f{i}: the value fails query i's check
        return _flagged(job, rows, "f", lambda v, q: v.value == "true")
    if job.kind == "present":  # flag m{i}: the focus node has a value for query i
        return _flagged(job, rows, "m", lambda v, q: v.value == "false")
    if job.kind == "max":  # count c{i}: the values for query i
        return _flagged(job, rows, "c", lambda v, q: int(v.value) > q.n)
    if job.kind == "count":  # count c{i}: the values for query i, at least or at most n
        return _flagged(job, rows, "c", lambda v, q: (int(v.value) < q.n if q.kind == "min"
                                                      else int(v.value) > q.n))
    if job.kind == "listing":
        return _follow(store, job, rows)
    q = job.queries[0]
    dt = q.check_lexical
    bad = set()
    for row in rows:
        lit = row["v"]
        r = _term(lit)
        if getattr(r, "ill_typed", False) or not _actual(r, dt):  # type: ignore[arg-type]
            bad.add(lit)
    # well-typed by SPARQL's DATATYPE, ill-typed by rdflib's reading
    return _ill_typed(store, q, job.focus, bad, job.head) if bad else set()


def run_shapes(store: Store, shapes: Sequence[_Shape], hierarchy: dict[str, set[str]],
               restrict: str | None) -> set[Outcome]:
    """The results of the compiled ``shapes`` on ``store``, in this process."""
    found: set[Outcome] = set()
    for job in plan(store, shapes, hierarchy, restrict):
        found |= collect(store, job, store.query(job.text, use_default_graph_as_union=True))  # type: ignore[arg-type]
    return found


def run_shared(store: Store, jobs: Sequence[Job], *, checkpoint: Path | None = None,
               early: Early | None = None,
               own: Callable[[], Sequence[Job]] | None = None,
               split: dict[str, float] | None = None) -> set[Outcome]:
    """The results of ``jobs`` run by this process and a second one, each taking the next
    job when it is free.

    The second process is a forked copy of this one sharing the in-memory ``store``, or, with
    ``checkpoint`` (a checkpoint of an on-disk ``store``), a fresh process reading it
    (``store_worker``), or ``early``, a copy forked before the data was parsed that parsed it
    itself. Its results come back through a file as SPARQL JSON, which pyoxigraph writes and
    reads natively (pickling 48,000 results took seconds). ``own()`` gives jobs this process
    plans and runs first, alone, while the second one starts on ``jobs``. ``split``, when
    given, receives how the jobs were shared (``_split``).
    """
    with contextlib.ExitStack() as stack:
        if early is not None:
            stack.callback(early.close)
            counter, output = early.counter, early.output

            def child() -> bool:
                early.check()  # a syntax error found by the copy's strict parse
                return early.wait()
        else:
            tmp = Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="qualifica-validation-")))
            counter, output = tmp / "counter", tmp / "results"
            counter.write_bytes(b"")
            texts = [j.text for j in jobs]
            if checkpoint is None:
                child = _fork(store, texts, str(counter), output)
            else:
                (tmp / "jobs.json").write_text(json.dumps(texts), encoding="utf-8")
                child = _spawn(checkpoint, tmp / "jobs.json", counter, output)
        found: set[Outcome] = set()
        done: set[int] = set()
        own_times: dict[int, float] = {}
        results = _Results(output, jobs, signed=early is not None)
        stack.callback(results.close)
        try:
            for job in own() if own is not None else ():
                found |= collect(store, job, store.query(job.text,  # type: ignore[arg-type]
                                                         use_default_graph_as_union=True))
                found |= results.take(store, done)
            for index in store_worker.claims(str(counter), len(jobs)):
                job = jobs[index]
                done.add(index)
                started = time.perf_counter()
                found |= collect(store, job, store.query(job.text,  # type: ignore[arg-type]
                                                         use_default_graph_as_union=True))
                own_times[index] = time.perf_counter() - started
                found |= results.take(store, done)  # what the second one found meanwhile
        finally:
            ok = child()
        if not ok:
            raise RuntimeError("the second validation process failed")
        found |= results.take(store, done)
        if split is not None:
            split.update(_split(jobs, own_times, results.times))
    if results.same is False:  # the early copy planned other jobs (it should not)
        log.warning("the second validation process planned other queries")
    for index, job in enumerate(jobs):  # taken by neither (e.g. the copy gave up)
        if index not in done:
            found |= collect(store, job, store.query(job.text,  # type: ignore[arg-type]
                                                     use_default_graph_as_union=True))
    return found


def _split(jobs: Sequence[Job], own: dict[int, float],
           other: dict[int, float]) -> dict[str, float]:
    """How the ``jobs`` were shared: the number each process ran and the seconds they took
    (``own``: this process, collecting included; ``other``: the second, its queries), each
    job logged (debug) with its process and time, the longest first."""
    for name, times in (("this", own), ("second", other)):
        for index, seconds in sorted(times.items(), key=lambda it: -it[1]):
            job = jobs[index]
            log.debug("validation job %d (%s process): %.3f s, %s %s of %s", index, name,
                      seconds, job.kind, job.queries[0].component.split("#")[-1],
                      job.queries[0].shape)
    return {"own_jobs": float(len(own)), "own_jobs_s": sum(own.values()),
            "other_jobs": float(len(other)), "other_jobs_s": sum(other.values())}


class _Results:
    """The results the second process has written so far, read as they come (so that few are
    left to read when it is done)."""

    def __init__(self, path: Path, jobs: Sequence[Job], *, signed: bool) -> None:
        self.path, self.jobs = path, jobs
        self.same: bool | None = None if signed else True  # its jobs are ours
        self._file: BinaryIO | None = None
        self._buffer = b""
        #: the seconds each job of the second process took (known when it is done)
        self.times: dict[int, float] = {}

    def take(self, store: Store, done: set[int]) -> set[Outcome]:
        """The results of the jobs written completely since the last call (their indexes are
        added to ``done``; none when the second process planned other jobs)."""
        if self._file is None:
            try:
                self._file = self.path.open("rb")
            except FileNotFoundError:
                return set()
        data = self._buffer + self._file.read()
        found: set[Outcome] = set()
        offset, size = 0, store_worker.HEADER.size
        while len(data) - offset >= size:
            index, length = store_worker.HEADER.unpack_from(data, offset)
            if len(data) - offset - size < length:
                break  # not yet written completely
            chunk = data[offset + size:offset + size + length]
            offset += size + length
            if index == SIGNED:
                self.same = chunk == signature(self.jobs)
            elif index == store_worker.TIMES:
                self.times = {int(i): float(t) for i, t in json.loads(chunk)}
            elif self.same:
                done.add(index)
                results = parse_query_results(chunk, format=QueryResultsFormat.JSON)
                assert isinstance(results, QuerySolutions)  # the jobs are SELECT queries
                found |= collect(store, self.jobs[index], results)
        self._buffer = data[offset:]
        return found

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


#: The index of the record in which an early copy gives the ``signature`` of the jobs it planned.
SIGNED = 0xFFFFFFFF


def signature(jobs: Sequence[Job]) -> bytes:
    """What identifies each job of a plan, whatever the order of the focus nodes it lists."""
    return "\n".join(f"{j.kind} {j.weight} " + " ".join(f"{q.shape} {q.component}"
                                                         for q in j.queries)
                     for j in jobs).encode()


class Early:
    """A forked copy of this process started before the data is parsed, to share the
    validation (``run_shared``).

    In the copy, ``usable()`` tells first whether it can help (not when the data holds blank
    nodes: they would bear other labels there than here), which it tells this process at once
    (``usable``; when it cannot, it runs ``verify()``, a strict parse whose errors come back
    the same way); then ``prepare()`` parses the same data into a store of its own, strictly,
    and plans the same jobs (at the same time as this process parses), and the copy takes its
    share of them. An error of ``prepare`` (e.g. a syntax error) comes back to this process
    (``check``), which may therefore parse leniently."""

    def __init__(self, usable: Callable[[], bool],
                 prepare: Callable[[], tuple[Store, list[Job]]],
                 verify: Callable[[], object] | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="qualifica-validation-"))
        self.counter, self.output = self.folder / "counter", self.folder / "results"
        self.counter.write_bytes(b"")
        self._error = self.folder / "error"
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: work, leave without running any cleanup
            code = 0
            try:
                os.close(read)
                ok = usable()
                os.write(write, b"1" if ok else b"0")
                os.close(write)
                try:
                    if not ok and verify is not None:
                        verify()  # no share, but the errors of a strict parse
                    if ok:
                        store, jobs = prepare()
                except QualificaError as exc:
                    self._error.write_text(json.dumps([type(exc).__name__, exc.detail,
                                                       exc.extra]), encoding="utf-8")
                    raise
                if ok:
                    with self.output.open("wb") as out:
                        sign = signature(jobs)
                        out.write(store_worker.HEADER.pack(SIGNED, len(sign)))
                        out.write(sign)
                        store_worker.work(store, [j.text for j in jobs], str(self.counter), out)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self._read = read
        self._usable: bool | None = None
        self._status: int | None = None

    def usable(self) -> bool:
        """Whether the copy can help (it tells soon after it starts)."""
        if self._usable is None:
            self._usable = os.read(self._read, 1) == b"1"
            os.close(self._read)
        return self._usable

    def wait(self) -> bool:
        """Wait for the copy; whether it succeeded."""
        if self._status is None:
            _pid, status = os.waitpid(self.pid, 0)
            self._status = os.waitstatus_to_exitcode(status)
        return self._status == 0

    def check(self) -> None:
        """Wait for the copy; raise the error it met preparing (e.g. a syntax error), if any."""
        self.wait()
        if self._error.exists():
            from qualifica import errors

            name, detail, extra = json.loads(self._error.read_text(encoding="utf-8"))
            kind = getattr(errors, name, None)
            if not (isinstance(kind, type) and issubclass(kind, QualificaError)):
                kind = QualificaError
            raise kind(detail, **extra)

    def close(self) -> None:
        """Stop the copy (when still running) and remove its files."""
        if self._usable is None:
            os.close(self._read)
            self._usable = False
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _fork(store: Store, texts: list[str], counter: str, output: Path) -> Callable[[], bool]:
    """A forked copy of this process working on the jobs (it shares the in-memory store, copy
    on write); the function returned waits for it and tells whether it succeeded."""
    pid = os.fork()
    if pid == 0:  # the child: work, leave without running any cleanup
        code = 0
        try:
            with output.open("wb") as out:
                store_worker.work(store, texts, counter, out)
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def wait() -> bool:
        _pid, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    return wait


def _spawn(checkpoint: Path, jobs: Path, counter: Path, output: Path) -> Callable[[], bool]:
    """A fresh process reading the checkpoint and working on the jobs; the function returned
    waits for it and tells whether it succeeded."""
    proc = subprocess.Popen(
        [sys.executable, store_worker.__file__, str(checkpoint), str(jobs), str(counter),
         str(output)], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait() -> bool:
        _out, err = proc.communicate()
        if proc.returncode != 0:
            log.error("the second validation process failed: %s", err.decode(errors="replace"))
        return proc.returncode == 0

    return wait


def _present_text(focus: str, queries: list[_Query], on_disk: bool = False) -> str:
    """The focus nodes without a (conforming) value on each path, in one query.

    In memory each focus node's values are looked up (``EXISTS``); on disk, where a look-up
    per focus node costs more than a scan, the values of each path and the focus nodes
    (flagged ``?_f``) are grouped by node, as in ``_count_text`` (measured at scale 1 on
    RocksDB: 0.35 s against 1.13 s for the statements of requirements, 0.23 s against
    0.45 s for the definitions; in memory the look-ups are as fast or faster)."""
    flags = " ".join(f"?m{i}" for i in range(len(queries)))
    if on_disk:
        branches = " UNION ".join(f"{{ ?this {q.path_text} ?v FILTER ({q.cond}) "
                                  f"BIND (1 AS ?_h{i}) }}" for i, q in enumerate(queries))
        select = " ".join(f"((COUNT(?_h{i}) > 0) AS ?m{i})" for i in range(len(queries)))
        none = " || ".join(f"COUNT(?_h{i}) = 0" for i in range(len(queries)))
        return (f"SELECT ?this {select} WHERE {{ {branches} UNION {{ {focus} BIND (1 AS ?_f) }} "
                f"}} GROUP BY ?this HAVING (COUNT(?_f) > 0 && ({none}))")
    binds = " ".join(f"BIND (EXISTS {{ ?this {q.path_text} ?v FILTER ({q.cond}) }} AS ?m{i})"
                     for i, q in enumerate(queries))
    missing = " || ".join(f"!?m{i}" for i in range(len(queries)))
    return f"SELECT DISTINCT ?this {flags} WHERE {{ {focus} {binds} FILTER ({missing}) }}"


def _max_text(focus: str, queries: list[_Query]) -> str:
    """The focus nodes with too many (conforming) values for any of ``queries`` ("max" on one
    path), with the count for each (a value that fails a condition counts for none: ``IF``
    with the unbound ``?_none`` is an error, which ``COUNT`` skips)."""
    path = queries[0].path_text
    counts = [f"COUNT(DISTINCT IF({q.cond}, ?v, ?_none))" for q in queries]
    select = " ".join(f"({c} AS ?c{i})" for i, c in enumerate(counts))
    over = " || ".join(f"{c} > {q.n}" for c, q in zip(counts, queries, strict=True))
    names = " ".join(f"?c{i}" for i in range(len(queries)))
    return (f"SELECT ?this {names} WHERE {{ {{ SELECT ?this {select} WHERE {{ ?this {path} ?v }} "
            f"GROUP BY ?this HAVING ({over}) }} FILTER EXISTS {{ {focus} }} }}")


def _count_text(focus: str, queries: list[_Query], on_disk: bool = False) -> str:
    """The focus nodes with too few or too many (conforming) values on one path for any of
    ``queries`` ("min" and "max"), with the count for each, in one pass over the focus nodes
    and their values. A value that fails a condition counts for none, as in ``_max_text``.

    In memory each focus node's values are looked up (``OPTIONAL``). On disk, where a look-up
    per focus node costs more than a scan, the path's triples and the focus nodes (flagged
    ``?_f``, without a value) are grouped by node and the groups of focus nodes kept: two
    scans and a hash table (the German and English labels at scale 1 on RocksDB: 1.35 s
    against 3.2 s; in memory 0.75 s against 0.71 s, and much slower for few focus nodes)."""
    path = queries[0].path_text
    counts = [f"COUNT(DISTINCT IF({q.cond}, ?v, ?_none))" for q in queries]
    select = " ".join(f"({c} AS ?c{i})" for i, c in enumerate(counts))
    off = " || ".join(f"{c} {'<' if q.kind == 'min' else '>'} {q.n}"
                      for c, q in zip(counts, queries, strict=True))
    if on_disk:
        return (f"SELECT ?this {select} WHERE {{ {{ ?this {path} ?v }} UNION "
                f"{{ {focus} BIND (1 AS ?_f) }} }} GROUP BY ?this "
                f"HAVING (COUNT(?_f) > 0 && ({off}))")
    return (f"SELECT ?this {select} WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
            f"GROUP BY ?this HAVING ({off})")


#: Whether "at least" and "at most" checks of one path are counted in one query (``plan``).
COUNT_JOBS = True


def _lexical_text(q: _Query) -> str:
    """The literals of the datatype ``q`` checks, on its path."""
    pattern = f"?s {q.path_text} ?v ." if q.path_text else "?v ?p ?o ."
    return (f"SELECT DISTINCT ?v WHERE {{ {pattern} FILTER (isLiteral(?v) && "
            f"DATATYPE(?v) = <{q.check_lexical}>) }}")


def _follow(store: Store, job: Job, rows: Iterable[Any]) -> set[Outcome]:
    """The results of the shape of a ``listing`` job over the focus nodes it found."""
    listed = _values(rows)
    if listed == "":
        return set()
    assert job.shape is not None and job.hierarchy is not None
    found: set[Outcome] = set()
    for j in _shape_jobs(job.shape, job.head, listed, job.focus, job.hierarchy, None):
        found |= collect(store, j, store.query(j.text,  # type: ignore[arg-type]
                                               use_default_graph_as_union=True))
    return found


def _list_focus(store: Store, head: str, pattern: str) -> str | None:
    """The focus nodes as a VALUES block ("" when there are none), or None when they are
    too many to list or include blank nodes (which VALUES cannot name)."""
    text = f"{head}SELECT DISTINCT ?this WHERE {{ {pattern} }}"
    return _values(store.query(text, use_default_graph_as_union=True))  # type: ignore[arg-type]


def _values(rows: Iterable[Any]) -> str | None:
    """The nodes ``?this`` of ``rows`` as a VALUES block ("" when there are none), or None
    when they are too many to list or include blank nodes (which VALUES cannot name)."""
    nodes: list[str] = []
    for row in rows:
        node = row["this"]
        if not isinstance(node, NamedNode) or len(nodes) >= MAX_LISTED:
            return None
        nodes.append(str(node))
    if not nodes:
        return ""
    return "VALUES ?this { " + " ".join(nodes) + " }"


def _target_pattern(shape: _Shape, hierarchy: dict[str, set[str]]) -> str | None:
    """A pattern binding ``?this`` to each focus node of ``shape`` (repeats possible)."""
    parts = list(shape.targets)
    classes = sorted({c for k in shape.classes for c in hierarchy.get(str(k), {str(k)})})
    if classes:
        parts.insert(0, "VALUES ?_tc { " + " ".join(f"<{c}>" for c in classes) + " } "
                     "?this a ?_tc .")
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " UNION ".join("{ " + p + " }" for p in parts)


def subclasses(store: Store) -> dict[str, set[str]]:
    """Each class with all its subclasses (rdfs:subClassOf*, from the validated graph)."""
    sub: dict[str, set[str]] = defaultdict(set)
    text = f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}"
    for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
        s, o = row["s"], row["o"]
        if isinstance(s, NamedNode) and isinstance(o, NamedNode):
            sub[o.value].add(s.value)
    closure: dict[str, set[str]] = {}

    def down(c: str) -> set[str]:
        if c in closure:
            return closure[c]
        seen, todo = {c}, [c]
        while todo:
            for s in sub.get(todo.pop(), ()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        closure[c] = seen
        return seen

    return _Closure(down)


def _ill_typed(store: Store, q: _Query, focus: str, bad: set[Literal],
               head: str) -> set[Outcome]:
    values = f"?this {q.path_text} ?v ." if q.path_text else "BIND (?this AS ?v)"
    text = (head + "SELECT DISTINCT ?this ?v WHERE { VALUES ?v { "
            + " ".join(str(b) for b in bad) + " } " + values + " FILTER EXISTS { " + focus
            + " } }")
    made = _Made(q)
    return {made(row)
            for row in store.query(text, use_default_graph_as_union=True)}  # type: ignore[union-attr]


class _Made:
    """Makes the ``Outcome`` of a result row of the query ``q`` (what the results of one
    constraint share is worked out once, not per row: tens of thousands of rows at scale 1)."""

    def __init__(self, q: _Query) -> None:
        self.q = q
        self.value = q.kind in ("value", "sparql")
        self.sparql = q.kind == "sparql"
        path_iri = str(q.path) if isinstance(q.path, rdflib.URIRef) else None
        self.rest = (q.shape, q.component, q.severity, q.messages, q.constraint)
        self.path = (q.path_text, path_iri)

    def __call__(self, row: Any) -> Outcome:
        path_text, path_iri = self.path
        if self.sparql:
            p = row["path"]
            if isinstance(p, NamedNode):
                path_text, path_iri = f"<{p.value}>", p.value
        return Outcome(row["this"], path_text, path_iri, row["v"] if self.value else None,
                       *self.rest)


def can_fork() -> bool:
    """Whether a forked worker may run: on a platform with fork, in a process with no other
    thread that could hold a lock the worker needs."""
    return hasattr(os, "fork") and threading.active_count() == 1


class _Closure(dict):  # type: ignore[type-arg]
    """Subclasses of a class, computed on first lookup."""

    def __init__(self, down: Callable[[str], set[str]]) -> None:
        super().__init__()
        self._down = down

    def get(self, key: str, default: object = None) -> set[str]:
        return self._down(key)


def _fill(text: str, hierarchy: dict[str, set[str]]) -> str:
    """Put the subclasses of each ``{CLASSES iri}`` placeholder into the query."""
    while "{CLASSES " in text:
        start = text.index("{CLASSES ")
        end = text.index("}", start)
        iri = text[start + 9:end]
        classes = sorted(hierarchy.get(iri, {iri}))
        text = text[:start] + ", ".join(f"<{c}>" for c in classes) + text[end + 1:]
    return text


def _actual(lit: rdflib.Literal, dt: rdflib.URIRef) -> bool:
    """pySHACL's check that a literal's value is of the Python type of its datatype."""
    import datetime as dt_
    from decimal import Decimal

    v = lit.value
    kinds: dict[rdflib.URIRef, type | tuple[type, ...]] = {
        XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
        XSD.date: dt_.date, XSD.time: dt_.time, XSD.dateTime: dt_.datetime,
    }
    kind = kinds.get(dt)
    return True if kind is None else isinstance(v, kind)
