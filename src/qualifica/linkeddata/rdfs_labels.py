"""The ``rdfs:label`` of every IRI at the store's current generation, in memory.

Descriptions and pages take the ``skos:prefLabel`` of the resources they link to from the
catalogue (``linkeddata.catalogue``) and their ``rdfs:label`` (classes and properties of the
ontology: a few hundred) from this table, read with the library query ``describe-labels`` once
per store generation, so that no request reads labels from the store one by one.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context, per_generation
from qualifica.sparql import run
from qualifica.store.base import SelectResult


def _read(ctx: Context) -> dict[str, list[Literal]]:
    """The ``rdfs:label`` literals of every IRI, read from the store."""
    query = run.bound(ctx.registry.internal("describe-labels"), terms={})
    result = run.execute(ctx.store, query, timeout_s=ctx.settings.query_timeout_s)
    table: dict[str, list[Literal]] = {}
    for row in result.rows if isinstance(result, SelectResult) else ():
        subject, label = row.get("resource"), row.get("label")
        if isinstance(subject, NamedNode) and isinstance(label, Literal):
            table.setdefault(subject.value, []).append(label)
    return table


RDFS_LABELS = per_generation("rdfs labels", _read)


def rdfs_labels(ctx: Context) -> dict[str, list[Literal]]:
    """``{iri: [rdfs:label literals]}`` of the store's current generation (never mutate it)."""
    return ctx.part(RDFS_LABELS).of(ctx)
