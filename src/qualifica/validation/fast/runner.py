"""Running compiled shapes on a pyoxigraph store: the query text of each constraint, the
queries themselves, and the split of the work over two processes.

pyoxigraph holds the GIL while it evaluates a query, so a second thread gains nothing (measured):
the second core is used by a second process. An in-memory store is shared with a forked copy of
this process (``forked``); a store on disk is read by a fresh process from a checkpoint
(``store_worker``).
"""

from __future__ import annotations

import os
import pickle
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence

import rdflib
from pyoxigraph import Literal, NamedNode, Store
from rdflib.namespace import RDFS, XSD

from qualifica.validation.fast.compiler import _WHERE, _Query, _Shape
from qualifica.validation.fast.findings import Outcome
from qualifica.validation.shacl import _term

#: Focus nodes listed in a VALUES block up to this many; above, the targets are joined.
MAX_LISTED = 20_000


def _query_text(q: _Query, focus: str, listed: bool) -> str:
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
                f"?this {path} ?v FILTER ({cond}) }} }} FILTER EXISTS {{ {focus} }} }}")
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


def forked(child: Callable[[], set[Outcome]], parent: Callable[[], set[Outcome]]
            ) -> set[Outcome]:
    """``child`` in a forked copy of this process (it shares the in-memory store, copy on
    write) while this one runs ``parent``; the child's results come back pickled."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running any cleanup
        code = 0
        try:
            os.close(read_fd)
            data = pickle.dumps(child(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        mine = parent()
    finally:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _pid, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        raise RuntimeError("the validation worker failed")
    theirs: set[Outcome] = pickle.loads(data)  # noqa: S301 (our own forked child wrote it)
    return mine | theirs


def run_shapes(store: Store, shapes: Sequence[_Shape], hierarchy: dict[str, set[str]],
         restrict: str | None) -> set[Outcome]:
    """The results of the compiled ``shapes`` on ``store``."""
    found: set[Outcome] = set()
    for shape in shapes:
        pattern = _target_pattern(shape, hierarchy)
        if pattern is None:
            continue
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(shape.prefixes.items()))
        listed = None
        if restrict is not None or shape.listable:
            listed = _list_focus(store, head, f"{restrict or ''} {pattern}")
            if listed == "":
                continue  # no focus node
        focus_text = listed or pattern
        queries = shape.queries
        present = [q for q in queries if q.kind == "min" and q.n == 1]
        if len(present) > 1 and listed is None:
            # "at least one value" of several paths: one pass over the focus nodes
            found |= _present(store, head, focus_text, present, hierarchy)
            queries = [q for q in queries if q not in present]
        for q in queries:
            text = head + _fill(_query_text(q, focus_text, listed is not None), hierarchy)
            bad = _bad_lexical(store, q) if q.check_lexical is not None else None
            for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
                found.add(_outcome(q, row))
            if bad:  # well-typed by SPARQL's DATATYPE, ill-typed by rdflib's reading
                found |= _ill_typed(store, q, focus_text, bad, head)
    return found


def _present(store: Store, head: str, focus: str, queries: list[_Query],
             hierarchy: dict[str, set[str]]) -> set[Outcome]:
    """The focus nodes without a (conforming) value on each path, in one query."""
    binds = " ".join(f"BIND (EXISTS {{ ?this {q.path_text} ?v FILTER ({q.cond}) }} AS ?m{i})"
                     for i, q in enumerate(queries))
    flags = " ".join(f"?m{i}" for i in range(len(queries)))
    missing = " || ".join(f"!?m{i}" for i in range(len(queries)))
    text = head + _fill(f"SELECT DISTINCT ?this {flags} WHERE {{ {focus} {binds} "
                        f"FILTER ({missing}) }}", hierarchy)
    out = set()
    for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
        for i, q in enumerate(queries):
            flag = row[f"m{i}"]
            if isinstance(flag, Literal) and flag.value == "false":
                out.add(_outcome(q, row))
    return out


def _list_focus(store: Store, head: str, pattern: str) -> str | None:
    """The focus nodes as a VALUES block ("" when there are none), or None when they are
    too many to list or include blank nodes (which VALUES cannot name)."""
    text = f"{head}SELECT DISTINCT ?this WHERE {{ {pattern} }}"
    nodes = []
    for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
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


def _bad_lexical(store: Store, q: _Query) -> set[Literal]:
    """Literals of the datatype whose lexical form rdflib finds ill-typed (pySHACL's view)."""
    dt = q.check_lexical
    pattern = f"?s {q.path_text} ?v ." if q.path_text else "?v ?p ?o ."
    text = (f"SELECT DISTINCT ?v WHERE {{ {pattern} FILTER (isLiteral(?v) && "
            f"DATATYPE(?v) = <{dt}>) }}")
    bad = set()
    for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
        lit = row["v"]
        r = _term(lit)
        if getattr(r, "ill_typed", False) or not _actual(r, dt):  # type: ignore[arg-type]
            bad.add(lit)
    return bad


def _ill_typed(store: Store, q: _Query, focus: str, bad: set[Literal],
               head: str) -> set[Outcome]:
    values = f"?this {q.path_text} ?v ." if q.path_text else "BIND (?this AS ?v)"
    text = (head + "SELECT DISTINCT ?this ?v WHERE { VALUES ?v { "
            + " ".join(str(b) for b in bad) + " } " + values + " FILTER EXISTS { " + focus
            + " } }")
    return {_outcome(q, row)
            for row in store.query(text, use_default_graph_as_union=True)}  # type: ignore[union-attr]


def _outcome(q: _Query, row: object) -> Outcome:
    this = row["this"]  # type: ignore[index]
    value = row["v"] if q.kind in ("value", "sparql") else None  # type: ignore[index]
    path_text = q.path_text
    path_iri = str(q.path) if isinstance(q.path, rdflib.URIRef) else None
    if q.kind == "sparql":
        p = row["path"]  # type: ignore[index]
        if isinstance(p, NamedNode):
            path_text, path_iri = f"<{p.value}>", p.value
    return Outcome(this, path_text, path_iri, value, q.shape, q.component, q.severity,
                   q.messages, q.constraint)


def can_fork() -> bool:
    """Whether a forked worker may run: on a platform with fork, in a process with no other
    thread that could hold a lock the worker needs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def halves(shapes: Sequence[_Shape]) -> tuple[list[_Shape], list[_Shape]]:
    """The shapes in two groups of about the same work (queries × target classes)."""
    bins: tuple[list[_Shape], list[_Shape]] = ([], [])
    load = [0, 0]
    for shape in sorted(shapes, key=lambda s: -_cost(s)):
        i = 0 if load[0] <= load[1] else 1
        bins[i].append(shape)
        load[i] += _cost(shape)
    return bins


def _cost(shape: _Shape) -> int:
    return len(shape.queries) * max(1, len(shape.classes)) + 4 * len(shape.targets)


class _Closure(dict):  # type: ignore[type-arg]
    """Subclasses of a class, computed on first lookup."""

    def __init__(self, down: Callable[[str], set[str]]) -> None:
        super().__init__()
        self._down = down

    def get(self, key: str, default: object = None) -> set[str]:  # type: ignore[override]
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
