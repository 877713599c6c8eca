"""Gated writes: work out what a write changes, validate the result, then commit it atomically.

Every write of the API (Graph Store Protocol and SPARQL Update) goes through ``gated_write``:
the store as it would be after the write is validated (incrementally, see ``incremental.py``)
and the write is committed in one transaction only if it conforms; otherwise ``GateRejected``
carries the report and the store is unchanged.

What a SPARQL Update changes is computed before anything is written:

* ``INSERT DATA`` / ``DELETE DATA`` (any sequence of them): the quads are read from the request;
* any other update form: the update is run on an in-memory copy of the store and the copy is
  compared with the store (cost grows with the store, so it is refused above
  ``GENERAL_UPDATE_LIMIT`` quads). In that copy, as in the embedded store, a ``WHERE`` clause's
  default graph is the store's own default graph: name graphs with ``GRAPH`` or ``USING``.

The change is then committed as one ``DELETE DATA``/``INSERT DATA`` request, so every backend
applies exactly what was validated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad
from pyoxigraph import Store as _MemoryStore

from qualifica.context import Context, Part
from qualifica.errors import BadParameter, NotFound
from qualifica.store.base import Store
from qualifica.validation.gate import GateRejected
from qualifica.validation.incremental import Change, IncrementalValidator
from qualifica.validation.shacl import Report, Shapes, shapes_of, to_rdflib

log = logging.getLogger(__name__)

#: Above this many quads a general (non-DATA) SPARQL Update is refused.
GENERAL_UPDATE_LIMIT = 2_000_000


@dataclass
class WriteResult:
    """What a gated write did."""

    added: int
    removed: int
    report: Report
    created: bool = False


def full_validate(store: Store, shapes: Shapes, change: Change) -> Report:
    """Full validation of the store as it would be after ``change`` (what ``check`` does)."""
    removed = {q.triple for q in change.removed}
    graph = to_rdflib(q for q in store.quads() if q.triple not in removed)
    to_rdflib(change.added, graph)
    return shapes.validate(graph)


def gated_write(
    store: Store,
    validator: IncrementalValidator,
    change: Change,
    commit: Callable[[], None] | None = None,
) -> WriteResult:
    """Validate the store after ``change``; commit it only if it conforms."""
    if commit is None:
        change = _effective(store, change)
    report = validator.validate(store, change)
    if not report.conforms:
        raise GateRejected(report)
    if commit is not None:
        commit()
    elif change.added and not change.removed:
        store.add(change.added)
    elif change.removed and not change.added:
        store.remove(change.removed)
    elif change.added or change.removed:
        from qualifica.store.remote import data_update

        store.update(data_update(change.removed, change.added))
    return WriteResult(len(change.added), len(change.removed), report)


def _effective(store: Store, change: Change) -> Change:
    """Drop additions already stored and removals not stored (they change nothing)."""
    stored = _stored(store, [*change.added, *change.removed])
    added = [q for q in dict.fromkeys(change.added) if q not in stored]
    removed = [q for q in dict.fromkeys(change.removed) if q in stored]
    return Change(added=added, removed=removed)


def _stored(store: Store, quads: list[Quad]) -> set[Quad]:
    """Which of ``quads`` (in named graphs, without blank nodes) the store holds."""
    by_subject: dict[NamedNode, list[Quad]] = {}
    for q in quads:
        if isinstance(q.subject, NamedNode) and isinstance(q.graph_name, NamedNode) and not (
            isinstance(q.object, BlankNode)
        ):
            by_subject.setdefault(q.subject, []).append(q)
    found: set[Quad] = set()
    for subject, candidates in by_subject.items():
        wanted = set(candidates)
        predicates = {q.predicate for q in candidates}
        for pred in predicates:
            found |= {q for q in store.quads(subject, pred) if q in wanted}
    return found


def graph_quads(store: Store, graph: str | None) -> list[Quad]:
    """The quads of one graph (``None``: the store's own default graph)."""
    if graph is not None:
        return list(store.quads(graph=graph))
    return [q for q in store.quads() if isinstance(q.graph_name, DefaultGraph)]


def update_change(store: Store, update: str) -> Change:
    """What a SPARQL Update would change, computed without writing (see the module doc)."""
    try:
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate

        parsed = translateUpdate(parseUpdate(update))
    except Exception as exc:  # rdflib raises pyparsing and its own errors
        raise BadParameter(f"malformed SPARQL update: {exc}", param="update") from exc
    ops = list(parsed.algebra)
    if all(op.name in ("InsertData", "DeleteData") for op in ops):
        change = Change()
        for op in ops:
            target = change.added if op.name == "InsertData" else change.removed
            for s, p, o in op.get("triples") or []:
                target.append(Quad(_ox(s), _ox(p), _ox(o), DefaultGraph()))  # type: ignore[arg-type]
            for g, triples in (op.get("quads") or {}).items():
                for s, p, o in triples:
                    target.append(Quad(_ox(s), _ox(p), _ox(o), NamedNode(str(g))))  # type: ignore[arg-type]
        return change
    return _diff_on_copy(store, update)


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
    except OSError as exc:
        raise BadParameter(f"the SPARQL update cannot be applied: {exc}", param="update") from exc
    after = set(copy)
    return Change(added=sorted(after - before, key=str), removed=sorted(before - after, key=str))


def _ox(term: rdflib.term.Node) -> NamedNode | BlankNode | Literal:
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype is not None:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    raise BadParameter(f"unsupported term in update: {term!r}", param="update")


# -- the write operations of the API (Graph Store Protocol and SPARQL Update) -----------------

def _new_validator(ctx: Context) -> IncrementalValidator:
    return IncrementalValidator(shapes_of(ctx), str(ctx.settings.queries_dir / "lib"))


#: The context's incremental validator, built on first use.
VALIDATOR: Part[IncrementalValidator] = Part("incremental validator", _new_validator)


def validator_for(ctx: Context) -> IncrementalValidator:
    """The context's incremental validator (built on first use)."""
    return ctx.part(VALIDATOR)


def write_lock(ctx: Context) -> threading.Lock:
    """One write at a time: validation and commit must see the same store."""
    return ctx.write_lock


def _retarget(quads: list[Quad], graph: str | None) -> list[Quad]:
    g: NamedNode | DefaultGraph = NamedNode(graph) if graph is not None else DefaultGraph()
    return [Quad(q.subject, q.predicate, q.object, g) for q in quads]


def put_graph(ctx: Context, graph: str | None, quads: list[Quad]) -> WriteResult:
    """Replace one graph's content (GSP PUT), gated; ``created`` when the graph was new."""
    new = _retarget(quads, graph)
    with write_lock(ctx):
        old = graph_quads(ctx.store, graph)
        created = graph is not None and not old and graph not in ctx.store.named_graphs()
        change = Change(added=new, removed=old)
        result = gated_write(ctx.store, validator_for(ctx), change,
                             commit=lambda: ctx.store.replace_graph(graph, new))
    result.created = created
    return result


def post_graph(ctx: Context, graph: str | None, quads: list[Quad]) -> WriteResult:
    """Merge quads into one graph (GSP POST), gated."""
    with write_lock(ctx):
        created = graph is not None and graph not in ctx.store.named_graphs()
        result = gated_write(ctx.store, validator_for(ctx), Change(added=_retarget(quads, graph)))
    result.created = created
    return result


def delete_graph(ctx: Context, graph: str | None) -> WriteResult:
    """Remove one graph (GSP DELETE), gated; ``NotFound`` when it does not exist."""
    with write_lock(ctx):
        old = graph_quads(ctx.store, graph)
        if graph is not None and not old:
            raise NotFound(f"there is no graph {graph}", graph=graph)
        return gated_write(ctx.store, validator_for(ctx), Change(removed=old),
                           commit=lambda: ctx.store.replace_graph(graph, []))


def run_update(ctx: Context, update: str,
               compute: Callable[[Store, str], Change] = update_change) -> WriteResult:
    """A SPARQL Update, gated: its effect is computed first (by ``compute``: the API computes
    it in a sandbox worker), then committed as DATA."""
    with write_lock(ctx):
        change = compute(ctx.store, update)
        return gated_write(ctx.store, validator_for(ctx), change)
