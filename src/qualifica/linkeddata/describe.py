"""The description of a resource: the graph served at its dereferenceable IRI.

A description holds the resource's own triples, the triples of the qualified links it points to
(``qd:requires`` → ``qd:CompetencyRequirement``, ``qd:develops`` → ``qd:LearningOutcome``) and of
its blank nodes, the labels of everything it links to, and the statements of the resources that
link to it (with their labels). The query is the library query ``describe-resource``.
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
    result = run_internal(ctx, "describe-resource", {"resource": resource})
    triples = result.triples if isinstance(result, GraphResult) else []
    description = Description(resource.value, triples)
    if not description.subject_triples:
        raise NotFound(f"there is no resource {resource.value}", id=resource.value)
    log.debug("described %s: %d triples", resource.value, len(triples))
    return description
