"""``dcterms:modified`` of every resource, set by the write that changes it.

A write that stamps (``Store.apply(..., stamp=True)``: every gated write and load) gives every
resource under the ID namespace whose statements it adds or removes (as subject) the moment of
its commit as ``dcterms:modified`` (``xsd:dateTime``, UTC, milliseconds), in the same
transaction, and removes the stamp it had. A resource left without statements loses its stamp,
so a deleted resource does not live on as a stamp. The stamps are one named graph,
:data:`MODIFIED_GRAPH`, kept by the server alone: what a stamping write brings into that graph,
and any ``dcterms:modified`` it states about a resource under the ID namespace, is replaced by
the server's stamp (dropped from the write).

Both backends call :func:`stamped` under their write lock with the exact change (quads not
stored already dropped) and two readers of what is stored, so the stamp quads are part of the
change set every listener (planning index, catalogue, other worker processes) receives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from pyoxigraph import Literal, NamedNode, Quad

from qualifica.namespaces import DCTERMS, GRAPH, ID, XSD

MODIFIED_GRAPH = GRAPH + "modified"
"""The named graph of the stamps (administrative statements, not data of a source)."""
DCTERMS_MODIFIED = DCTERMS + "modified"

_GRAPH = NamedNode(MODIFIED_GRAPH)
_MODIFIED = NamedNode(DCTERMS_MODIFIED)
_DATETIME = NamedNode(XSD + "dateTime")

#: The stored stamp quads of some resources.
StampsOf = Callable[[Sequence[NamedNode]], list[Quad]]
#: Of some resources, those that hold statements (outside the stamp graph) other than ``gone``.
Remaining = Callable[[Sequence[NamedNode], set[Quad]], set[NamedNode]]


def now() -> str:
    """The current moment as an ``xsd:dateTime`` lexical form (UTC, milliseconds, ``Z``) that
    every store gives back as written (:func:`canonical_time`)."""
    return canonical_time(dt.datetime.now(dt.UTC))


def canonical_time(moment: dt.datetime) -> str:
    """``moment`` (UTC) to the millisecond as an ``xsd:dateTime`` lexical form that every
    store gives back unchanged: three digits of fraction, the last never 0 (a moment whose
    millisecond ends in 0 is written one millisecond later).

    Stores write other fractions back in their own ways: Oxigraph drops trailing zeros
    (``.860`` → ``.86``, ``.000`` → none), Virtuoso always writes three digits (``.86`` →
    ``.860``); both keep ``.861``."""
    millisecond = moment.microsecond // 1000
    if millisecond % 10 == 0:
        millisecond += 1
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{millisecond:03d}Z"


def stamp_quad(resource: NamedNode, moment: str) -> Quad:
    """The stamp of ``resource``."""
    return Quad(resource, _MODIFIED, Literal(moment, datatype=_DATETIME), _GRAPH)


def in_stamp_graph(quad: Quad) -> bool:
    """Whether ``quad`` lies in the stamp graph."""
    return isinstance(quad.graph_name, NamedNode) and quad.graph_name.value == MODIFIED_GRAPH


def server_kept(quad: Quad) -> bool:
    """Whether a write may not bring ``quad``: it lies in the stamp graph, or it states the
    ``dcterms:modified`` of a resource under the ID namespace."""
    return in_stamp_graph(quad) or (
        quad.predicate == _MODIFIED and isinstance(quad.subject, NamedNode)
        and quad.subject.value.startswith(ID))


def touched(quads: Iterable[Quad]) -> list[NamedNode]:
    """The resources under the ID namespace that are subjects of ``quads``, in first order."""
    seen: dict[NamedNode, None] = {}
    for q in quads:
        s = q.subject
        if isinstance(s, NamedNode) and s.value.startswith(ID) and not in_stamp_graph(q):
            seen.setdefault(s, None)
    return list(seen)


def stamped(gone: list[Quad], new: list[Quad], stamps_of: StampsOf, remaining: Remaining,
            moment: str | None = None) -> tuple[list[Quad], list[Quad]]:
    """The change ``gone``/``new`` (exact: ``gone`` stored, ``new`` not) with the stamps.

    Quads the server keeps are dropped from ``new`` and stamp-graph quads from ``gone``; then
    every touched resource gets the stamp ``moment`` (default: now), or loses its stamp when
    nothing of it remains. A write that changes nothing but stamps changes nothing.
    """
    gone = [q for q in gone if not in_stamp_graph(q)]
    new = [q for q in new if not server_kept(q)]
    resources = touched([*gone, *new])
    if not resources:
        return gone, new
    moment = moment or now()
    added = {q.subject for q in new}
    removed_only = [r for r in resources if r not in added]
    alive = added | (remaining(removed_only, set(gone)) if removed_only else set())
    fresh = [stamp_quad(r, moment) for r in resources if r in alive]
    old = stamps_of(resources)
    keep = set(fresh)
    return ([*gone, *(q for q in old if q not in keep)],
            [*new, *(q for q in fresh if q not in set(old))])
