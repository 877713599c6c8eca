"""The description of a resource: the graph served at its dereferenceable IRI.

A description holds the resource's own triples, the triples of the qualified links it points to
(``qd:requires`` → ``qd:CompetencyRequirement``, ``qd:develops`` → ``qd:LearningOutcome``) and of
its blank nodes, the labels of everything it links to, and the statements of the resources that
link to it (with their labels). The queries are the library queries ``describe-resource`` (the
resource and what it links to) and ``describe-incoming`` (what links to it, at most 200 rows: a
framework or level that thousands of resources name is still described in milliseconds).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyoxigraph import NamedNode, Triple

from qualifica.context import Context
from qualifica.errors import NotFound
from qualifica.sparql import run
from qualifica.store.base import GraphResult, QueryResult, Term

log = logging.getLogger(__name__)


def run_internal(ctx: Context, name: str, values: dict[str, Term] | None = None) -> QueryResult:
    """Run the library query ``name`` with ``values`` bound (substitution or ``VALUES``)."""
    query = run.bound(ctx.registry.internal(name), terms=values or {})
    return run.execute(ctx.store, query, timeout_s=ctx.settings.query_timeout_s)


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


def describe(ctx: Context, resource: NamedNode) -> Description:
    """The description of ``resource``; ``NotFound`` when the store says nothing about it."""
    values: dict[str, Term] = {"resource": resource}
    triples: list[Triple] = []
    for name in ("describe-resource", "describe-incoming"):
        result = run_internal(ctx, name, values)
        if isinstance(result, GraphResult):
            triples.extend(result.triples)
    description = Description(resource.value, triples)
    if not description.subject_triples:
        raise NotFound(f"there is no resource {resource.value}", id=resource.value)
    log.debug("described %s: %d triples", resource.value, len(triples))
    return description
