"""Gated writes: work out what a write changes, validate the result, then commit it atomically.

Every write of the API (Graph Store Protocol, SPARQL Update, spreadsheet import) goes through
``gated_write``: the store as it would be after the write is validated (incrementally, see
``incremental.py``) and the change is committed with one ``Store.apply(removed, added)`` only if
it conforms; otherwise ``GateRejected`` carries the report and the store is unchanged. The store
tells its listeners exactly which quads changed, so the planning index is patched, not rebuilt.

What a SPARQL Update changes is computed before anything is written:

* ``INSERT DATA`` / ``DELETE DATA`` without blank nodes (any sequence of them): the quads are read
  from the request, in order (a later operation on the same quad wins);
* any other update: it is run on an in-memory copy of the store and the copy is compared with the
  store (cost grows with the store, so it is refused above ``GENERAL_UPDATE_LIMIT`` quads).

In an update, as in pyoxigraph, the default graph is the store's own default graph, not the
union of all graphs that queries see; Qualifica keeps its data in named graphs. A delete that
would change nothing is refused (``Conflict``, 409) rather than answered as a success: a
``DELETE DATA`` quad that is not stored (the message names the graphs that hold the triple), or
an update with a deleting operation (``DELETE``, ``CLEAR``, ``DROP``, ``COPY``, ``MOVE``) that
changes no quad at all. A graph exists while it holds quads. ``LOAD`` is not run (``Forbidden``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad
from pyoxigraph import Store as _MemoryStore

from qualifica.context import Context, Part
from qualifica.errors import BadParameter, Conflict, Forbidden, NotFound
from qualifica.store import text
from qualifica.store.base import Store
from qualifica.store.stamps import MODIFIED_GRAPH, in_stamp_graph
from qualifica.validation.fast import validate_with
from qualifica.validation.gate import GateRejected
from qualifica.validation.incremental import Change, IncrementalValidator
from qualifica.validation.shacl import Report, Shapes, ox_term, shapes_of

log = logging.getLogger(__name__)

#: Above this many quads a general (non-DATA) SPARQL Update is refused.
GENERAL_UPDATE_LIMIT = 2_000_000
#: Update operations that delete (rdflib algebra names); one of them changing nothing is refused.
DELETING = frozenset({"DeleteData", "DeleteWhere", "Clear", "Drop", "Copy", "Move"})
_DEFAULT_GRAPH_HINT = (
    "In an update the default graph is the store's own default graph, not the union of all "
    "graphs that queries see; Qualifica keeps its data in named graphs: name the graph with "
    "GRAPH <…> { … }, USING <…> or WITH <…>.")


@dataclass
class WriteResult:
    """What a gated write did (``added``/``removed``: quads that really changed)."""

    added: int
    removed: int
    report: Report
    created: bool = False


def full_validate(store: Store, shapes: Shapes, change: Change) -> Report:
    """Full validation of the store as it would be after ``change`` (what ``check`` does)."""
    removed = {q.triple for q in change.removed}
    gone = [q for q in store.quads() if q.triple in removed] if removed else []
    return validate_with(shapes, store, change.added, gone)


class Validator(Protocol):
    """What the gate validates a change with: the incremental validator in this process, or
    the sandbox's, which runs it in a worker process."""

    def validate(self, store: Store, change: Change) -> Report:
        """The report on the store as it would be after ``change``."""
        ...


def gated_write(store: Store, validator: Validator, change: Change) -> WriteResult:
    """Validate the store after ``change``; commit it with one ``store.apply`` only if it
    conforms."""
    report = validator.validate(store, change)
    if not report.conforms:
        raise GateRejected(report)
    done = store.apply(change.removed, change.added, stamp=True)
    # what the write changed of the data (the stamps it set aside)
    return WriteResult(sum(not in_stamp_graph(q) for q in done.added or ()),
                       sum(not in_stamp_graph(q) for q in done.removed or ()), report)


def graph_quads(store: Store, graph: str | None) -> list[Quad]:
    """The quads of one graph (``None``: the store's own default graph)."""
    if graph is not None:
        return list(store.quads(graph=graph))
    return [q for q in store.quads() if isinstance(q.graph_name, DefaultGraph)]


def update_change(store: Store, update: str, *, allow_load: bool = False) -> Change:
    """What a SPARQL Update would change, computed without writing (see the module doc).

    ``LOAD`` is refused unless ``allow_load`` says its sources were checked against
    ``QUALIFICA_LOAD_ALLOW`` (the sandbox does so on the parsed update). An update rdflib's
    parser cannot read (it fails on some valid literals, e.g. negative decimals) is computed on
    a copy with pyoxigraph's parser, which reports real syntax errors.

    Raises ``BadParameter`` (malformed), ``Forbidden`` (``LOAD``) and ``Conflict`` (a delete
    that would change nothing, a graph that does not exist).
    """
    calls_load = any(kind == "word" and token.upper() == "LOAD"
                     for kind, token, _depth, _end in text.tokens(update))
    if calls_load and not allow_load:
        raise Forbidden("LOAD is not run by this server unless its source is listed in "
                        "QUALIFICA_LOAD_ALLOW; send the data to PUT or POST /graphs")
    try:
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate

        parsed = translateUpdate(parseUpdate(update))
    except Exception:  # rdflib raises pyparsing and its own errors
        if calls_load:
            raise Forbidden("the update calls LOAD and could not be parsed to check it") from None
        return _diff_on_copy(store, update)
    ops = list(parsed.algebra)
    leading = _data_ops(ops)
    if leading is not None and len(leading) == len(ops):
        change = _data_change(leading)
        _check_deletes(store, leading)
        return change
    if leading:
        _check_deletes(store, leading)
    change = _diff_on_copy(store, update)
    if not change.added and not change.removed and any(_deletes(op) for op in ops):
        raise Conflict("the update changes nothing: what it deletes is not in the store. "
                       + _DEFAULT_GRAPH_HINT)
    return change


def _deletes(op: Any) -> bool:
    return op.name in DELETING or (op.name == "Modify" and op.get("delete") is not None)


_DataOp = tuple[bool, list[Quad]]
"""An ``INSERT DATA`` (``True``) or ``DELETE DATA`` operation and its quads."""


def _data_ops(ops: list[Any]) -> list[_DataOp] | None:
    """The leading ``INSERT DATA``/``DELETE DATA`` operations without blank nodes (``None`` when
    the first operation is not one)."""
    out: list[_DataOp] = []
    for op in ops:
        if op.name not in ("InsertData", "DeleteData"):
            break
        quads = [Quad(_ox(s), _ox(p), _ox(o), DefaultGraph())  # type: ignore[arg-type]
                 for s, p, o in op.get("triples") or []]
        for g, triples in (op.get("quads") or {}).items():
            quads += [Quad(_ox(s), _ox(p), _ox(o), NamedNode(str(g)))  # type: ignore[arg-type]
                      for s, p, o in triples]
        if any(isinstance(t, BlankNode) for q in quads for t in (q.subject, q.object)):
            break  # blank nodes: fresh ones for INSERT DATA, a syntax error in DELETE DATA
        out.append((op.name == "InsertData", quads))
    return out or None


def _data_change(ops: list[_DataOp]) -> Change:
    """The net change of a sequence of data operations: the last operation on a quad wins."""
    last: dict[Quad, bool] = {}
    for inserting, quads in ops:
        for q in quads:
            last.pop(q, None)
            last[q] = inserting
    return Change(added=[q for q, ins in last.items() if ins],
                  removed=[q for q, ins in last.items() if not ins])


def _check_deletes(store: Store, ops: list[_DataOp]) -> None:
    """``Conflict`` unless every ``DELETE DATA`` quad is stored when its operation runs."""
    stored = _stored(store, [q for _, quads in ops for q in quads])
    present: dict[Quad, bool] = {}
    missing: list[Quad] = []
    for inserting, quads in ops:
        for q in quads:
            if not inserting and not present.get(q, q in stored):
                missing.append(q)
            present[q] = inserting
    if not missing:
        return
    lines = []
    for q in missing[:5]:
        where = "the default graph" if isinstance(q.graph_name, DefaultGraph) \
            else f"graph {q.graph_name}"
        holders = sorted({str(h.graph_name) for h in store.quads(
            q.subject if isinstance(q.subject, NamedNode) else None, q.predicate, q.object)
            if h.triple == q.triple and h.graph_name != q.graph_name})
        found = f"; the triple is in {', '.join(holders)}" if holders else ""
        lines.append(f"{q.subject} {q.predicate} {q.object} is not in {where}{found}")
    more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
    raise Conflict("DELETE DATA changes nothing for quads that are not stored; nothing was "
                   "changed: " + "; ".join(lines) + more + ". " + _DEFAULT_GRAPH_HINT,
                   missing=len(missing))


def _stored(store: Store, quads: Iterable[Quad]) -> set[Quad]:
    """Which of ``quads`` (without blank nodes) the store holds, in the graph they name."""
    by_key: dict[tuple[Any, Any], set[Quad]] = {}
    for q in quads:
        if isinstance(q.subject, NamedNode):
            by_key.setdefault((q.subject, q.predicate), set()).add(q)
    found: set[Quad] = set()
    for (subject, predicate), wanted in by_key.items():
        found |= {q for q in store.quads(subject, predicate) if q in wanted}
    return found


def _diff_on_copy(store: Store, update: str) -> Change:
    if store.count() > GENERAL_UPDATE_LIMIT:
        raise BadParameter(
            "this store is too large for general SPARQL updates; use INSERT DATA / DELETE DATA "
            "or the Graph Store Protocol at /graphs",
            param="update",
        )
    before = set(store.quads())
    copy = _MemoryStore()
    copy.extend(before)
    try:
        copy.update(update)
    except SyntaxError as exc:
        raise BadParameter(f"malformed SPARQL update: {exc}", param="update") from exc
    except RuntimeError as exc:  # pyoxigraph: a graph the update names does not exist
        raise Conflict(f"the update cannot be applied: {exc} (a graph exists while it holds "
                       "quads; add SILENT to skip a missing graph)") from exc
    except OSError as exc:
        raise BadParameter(f"the SPARQL update cannot be applied: {exc}", param="update") from exc
    after = set(copy)
    return Change(added=sorted(after - before, key=str), removed=sorted(before - after, key=str))


def _ox(term: rdflib.term.Node) -> NamedNode | BlankNode | Literal:
    try:
        return ox_term(term)
    except TypeError:
        raise BadParameter(f"unsupported term in update: {term!r}", param="update") from None


# -- the write operations of the API (Graph Store Protocol and SPARQL Update) -----------------

def _new_validator(ctx: Context) -> IncrementalValidator:
    return IncrementalValidator(shapes_of(ctx), ctx.registry.library())


#: The context's incremental validator, built on first use.
VALIDATOR: Part[IncrementalValidator] = Part("incremental validator", _new_validator)


def validator_for(ctx: Context) -> IncrementalValidator:
    """The context's incremental validator (built on first use)."""
    return ctx.part(VALIDATOR)


def write_lock(ctx: Context) -> threading.Lock:
    """One write at a time: validation and commit must see the same store."""
    return ctx.write_lock


def _not_the_stamps(graph: str | None) -> None:
    """The stamp graph is the server's: a Graph Store write to it is refused (403)."""
    if graph == MODIFIED_GRAPH:
        raise Forbidden(f"the graph <{graph}> holds the dcterms:modified the server sets at "
                        "every write; it is not written directly", graph=graph)


def _retarget(quads: list[Quad], graph: str | None) -> list[Quad]:
    _not_the_stamps(graph)
    g: NamedNode | DefaultGraph = NamedNode(graph) if graph is not None else DefaultGraph()
    return [Quad(q.subject, q.predicate, q.object, g) for q in quads]


def put_graph(ctx: Context, graph: str | None, quads: list[Quad],
              validator: Validator | None = None) -> WriteResult:
    """Replace one graph's content (GSP PUT), gated; ``created`` when the graph was new."""
    new = _retarget(quads, graph)
    with write_lock(ctx):
        old = graph_quads(ctx.store, graph)
        created = graph is not None and not old
        result = gated_write(ctx.store, validator or validator_for(ctx),
                             Change(added=new, removed=old))
    result.created = created
    return result


def post_graph(ctx: Context, graph: str | None, quads: list[Quad],
               validator: Validator | None = None) -> WriteResult:
    """Merge quads into one graph (GSP POST), gated."""
    with write_lock(ctx):
        created = graph is not None and graph not in ctx.store.named_graphs()
        result = gated_write(ctx.store, validator or validator_for(ctx),
                             Change(added=_retarget(quads, graph)))
    result.created = created
    return result


def delete_graph(ctx: Context, graph: str | None,
                 validator: Validator | None = None) -> WriteResult:
    """Remove one graph (GSP DELETE), gated; ``NotFound`` when it holds no quads (a named
    graph exists while it holds quads)."""
    _not_the_stamps(graph)
    with write_lock(ctx):
        old = graph_quads(ctx.store, graph)
        if not old:
            raise NotFound(f"there is no graph {graph}" if graph is not None
                           else "the default graph holds no quads", graph=graph)
        return gated_write(ctx.store, validator or validator_for(ctx), Change(removed=old))


def run_update(ctx: Context, update: str,
               compute: Callable[[Store, str], Change] = update_change,
               validator: Validator | None = None) -> WriteResult:
    """A SPARQL Update, gated: its effect is computed first (by ``compute``; the API computes
    it in a sandbox worker), then committed with ``apply``.

    The write operations validate with ``validator`` (the API passes the sandbox, so that the
    validation runs in a worker process), else with the context's own validator."""
    with write_lock(ctx):
        change = compute(ctx.store, update)
        return gated_write(ctx.store, validator or validator_for(ctx), change)
