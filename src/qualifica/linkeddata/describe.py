"""The description of a resource: the graph served at its dereferenceable IRI.

A description holds the resource's own triples, the triples of the qualified links it points to
(``qd:requires`` → ``qd:CompetencyRequirement``, ``qd:develops`` → ``qd:LearningOutcome``) and of
its blank nodes, the labels of everything it links to, and the statements of the resources that
link to it (with their labels).

Only the resource's own statements are read from the store, with the library queries
``describe-resource`` (the resource and its qualified links) and ``describe-incoming`` (what
links to it, at most 100 statements: a framework or level that thousands of resources name is
still described in milliseconds). The labels of the linked resources, about half of a
description's triples, are taken from memory: their ``skos:prefLabel`` (one per language) from
the catalogue of the store's current generation (``linkeddata.catalogue``, rebuilt after every
write), their ``rdfs:label`` from a table of the same generation (``rdfs_labels``). Reading
each label from the store cost 10-15 µs a triple on the on-disk store.

``description_bytes`` keeps the encoded descriptions of the current store generation (as the
REST details are kept, ``linkeddata.details``): dropped with the generation, so a write shows in
the next answer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from qualifica.context import Context, Part
from qualifica.errors import NotFound
from qualifica.linkeddata import profiles
from qualifica.linkeddata.catalogue import Catalogue, catalogue_for
from qualifica.linkeddata.profiles import Profile
from qualifica.linkeddata.rdfs_labels import rdfs_labels
from qualifica.linkeddata.serialize import to_bytes
from qualifica.namespaces import RDFS_LABEL, SKOS_PREF_LABEL
from qualifica.sparql import run
from qualifica.store.base import GraphResult, QueryResult, Term

log = logging.getLogger(__name__)

_PREF_LABEL = NamedNode(SKOS_PREF_LABEL)
_RDFS_LABEL = NamedNode(RDFS_LABEL)


def run_internal(ctx: Context, name: str, values: dict[str, Term] | None = None) -> QueryResult:
    """Run the library query ``name`` with ``values`` bound (substitution or ``VALUES``), on
    the in-memory copy of the store when it is current (``store.mirror``)."""
    query = run.bound(ctx.registry.internal(name), terms=values or {})
    return run.execute(ctx.reads, query, timeout_s=ctx.settings.query_timeout_s)


@dataclass
class Description:
    """The graph describing ``iri``."""

    iri: str
    triples: list[Triple]

    @property
    def subject_triples(self) -> list[Triple]:
        """The triples whose subject is the described resource."""
        return [t for t in self.triples if isinstance(t.subject, NamedNode)
                and t.subject.value == self.iri]


#: Label triples kept at most for this many IRIs (all are dropped past it; a few tens of
#: thousands are linked at scale 1).
MAX_LABELLED = 200_000


class LabelTriples:
    """The label triples of linked resources, each made once for the labels it is made of:
    building a ``Triple`` of two terms costs more than reading it from a dictionary.

    An IRI's triples are kept with the labels they were made from (copies), and used again
    while the catalogue and the ``rdfs:label`` table of the current generation give that IRI
    the same labels: a write keeps the triples of every IRI whose labels it did not change,
    and a changed label makes them anew at their next use."""

    def __init__(self) -> None:
        self._made: dict[str, tuple[dict[str, str] | None, list[Literal] | None,
                                    tuple[Triple, ...]]] = {}

    def of(self, cat: Catalogue, rdfs: dict[str, list[Literal]], iris: set[str]
           ) -> list[Triple]:
        """The ``skos:prefLabel`` (from the catalogue) and ``rdfs:label`` triples of ``iris``."""
        made = self._made
        labels = cat.labels
        out: list[Triple] = []
        for iri in iris:
            by_lang = labels.get(iri)
            extra = rdfs.get(iri)
            found = made.get(iri)
            if found is None or found[0] != by_lang or found[1] != extra:
                if len(made) >= MAX_LABELLED:
                    made.clear()
                triples = label_triples(cat, rdfs, iri)
                made[iri] = (None if by_lang is None else dict(by_lang),
                             None if extra is None else list(extra), triples)
            else:
                triples = found[2]
            out.extend(triples)
        return out


def label_triples(cat: Catalogue, rdfs: dict[str, list[Literal]], iri: str
                  ) -> tuple[Triple, ...]:
    """The ``skos:prefLabel`` (from the catalogue) and ``rdfs:label`` triples of ``iri``."""
    by_lang = cat.labels.get(iri)
    extra = rdfs.get(iri)
    if by_lang is None and extra is None:
        return ()
    node = NamedNode(iri)
    out = [Triple(node, _PREF_LABEL, Literal(text, language=lang) if lang else Literal(text))
           for lang, text in (by_lang or {}).items()]
    out.extend(Triple(node, _RDFS_LABEL, label) for label in extra or ())
    return tuple(out)


LABEL_TRIPLES: Part[LabelTriples] = Part("label triples", lambda ctx: LabelTriples())


def describe(ctx: Context, resource: NamedNode) -> Description:
    """The description of ``resource``; ``NotFound`` when the store says nothing about it."""
    values: dict[str, Term] = {"resource": resource}
    own = run_internal(ctx, "describe-resource", values)
    triples: list[Triple] = list(own.triples) if isinstance(own, GraphResult) else []
    if not triples:  # every triple of a qualified link comes with one of the resource's own
        raise NotFound(f"there is no resource {resource.value}", id=resource.value)
    incoming = run_internal(ctx, "describe-incoming", values)
    linked: set[str] = set()
    for t in triples:
        if isinstance(t.object, NamedNode):
            linked.add(t.object.value)
    if isinstance(incoming, GraphResult):
        triples.extend(incoming.triples)
        linked.update(t.subject.value for t in incoming.triples
                      if isinstance(t.subject, NamedNode))
    linked.discard(resource.value)
    triples.extend(ctx.part(LABEL_TRIPLES).of(catalogue_for(ctx), rdfs_labels(ctx),
                                              linked))
    log.debug("described %s: %d triples", resource.value, len(triples))
    return Description(resource.value, triples)


#: Encoded descriptions kept per store generation (the oldest dropped past this many).
MAX_BODIES = 4096


class Bodies:
    """Encoded descriptions of one store generation, ``(iri, profile, media type) → bytes``
    (the HTML pages add the table pages they show to the key).

    Like the REST detail answers of the catalogue: a write starts a new generation and the next
    request drops everything kept, so no answer outlives the statements it was made from. An
    answer is kept only when the catalogue its labels came from is of the same generation.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = -1
        self._bodies: dict[tuple[object, ...], bytes] = {}

    def get(self, generation: int, key: tuple[object, ...]) -> bytes | None:
        """The body kept for ``key`` at ``generation``."""
        return self._bodies.get(key) if generation == self._generation else None

    def put(self, generation: int, key: tuple[object, ...], body: bytes) -> None:
        """Keep ``body`` (dropping the bodies of an older generation)."""
        with self._lock:
            if generation != self._generation:
                if generation < self._generation:
                    return
                self._bodies, self._generation = {}, generation
            if len(self._bodies) >= MAX_BODIES:
                self._bodies.pop(next(iter(self._bodies)))
            self._bodies[key] = body


BODIES: Part[Bodies] = Part("description bodies", lambda ctx: Bodies())


def _body_key(resource: NamedNode, profile: Profile, media_type: str) -> tuple[str, ...]:
    return resource.value, profile.token, media_type


def kept_description(ctx: Context, resource: NamedNode, profile: Profile, media_type: str
                     ) -> bytes | None:
    """The encoded description kept at the store's current generation, if any (never reads
    the store)."""
    return ctx.part(BODIES).get(ctx.store.generation, _body_key(resource, profile, media_type))


def description_bytes(ctx: Context, resource: NamedNode, profile: Profile, media_type: str
                      ) -> bytes:
    """The description of ``resource`` in ``profile``, encoded as ``media_type``;
    ``NotFound`` when the store says nothing about it."""
    generation = ctx.store.generation
    bodies = ctx.part(BODIES)
    key = _body_key(resource, profile, media_type)
    body = bodies.get(generation, key)
    if body is not None:
        return body
    labels_from = catalogue_for(ctx).generation
    description = describe(ctx, resource)
    body = to_bytes(profiles.apply(ctx.registry, profile, resource, description.triples),
                    media_type)
    if labels_from == generation == ctx.store.generation:
        bodies.put(generation, key, body)
    return body
