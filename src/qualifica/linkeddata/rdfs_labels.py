"""The ``rdfs:label`` of every IRI at the store's current generation, in memory.

Descriptions and pages take the ``skos:prefLabel`` of the resources they link to from the
catalogue (``linkeddata.catalogue``) and their ``rdfs:label`` (classes and properties of the
ontology: a few hundred) from this table, read with the library query ``describe-labels`` once
per store generation, so that no request reads labels from the store one by one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, Part
from qualifica.sparql import run
from qualifica.store.base import SelectResult


@dataclass
class RdfsLabels:
    """The ``rdfs:label`` literals of every IRI at one store generation."""

    generation: int = -1
    labels: dict[str, list[Literal]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, ctx: Context) -> dict[str, list[Literal]]:
        """The table of the store's current generation (read again after a write)."""
        generation = ctx.store.generation
        if self.generation == generation:
            return self.labels
        with self.lock:
            if self.generation != generation:
                query = run.bound(ctx.registry.internal("describe-labels"), terms={})
                result = run.execute(ctx.store, query, timeout_s=ctx.settings.query_timeout_s)
                table: dict[str, list[Literal]] = {}
                for row in result.rows if isinstance(result, SelectResult) else ():
                    subject, label = row.get("resource"), row.get("label")
                    if isinstance(subject, NamedNode) and isinstance(label, Literal):
                        table.setdefault(subject.value, []).append(label)
                self.labels, self.generation = table, generation
            return self.labels


RDFS_LABELS: Part[RdfsLabels] = Part("rdfs labels", lambda ctx: RdfsLabels())


def rdfs_labels(ctx: Context) -> dict[str, list[Literal]]:
    """``{iri: [rdfs:label literals]}`` of the store's current generation (never mutate it)."""
    return ctx.part(RDFS_LABELS).of(ctx)
