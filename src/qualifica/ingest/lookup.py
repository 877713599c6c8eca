"""What the store already holds that an import refers to, read once per import, not per row.

Kinds, labels, frameworks and levels come from the catalogue snapshot of the store's current
generation (``linkeddata.catalogue``: a few bulk queries per generation, shared with the REST
API). Whether ids or links the import would mint exist already is asked in one query per pass for
all of them (``queries/lib/ingest-existing.rq``). On a remote store this keeps an import to a
handful of requests, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import QD_LEVEL_OF, SKOS_IN_SCHEME
from qualifica.sparql.library import select_rows_for
from qualifica.sparql.terms import iri_of


def _nothing_exists(iris: Iterable[str]) -> set[str]:
    return set()


@dataclass(frozen=True)
class Lookup:
    """The stored resources an import may refer to.

    ``kinds`` maps IRIs to their kind (``role``, ``competency``, ``level`` ...), ``labels`` to
    ``{language: label}``, ``frameworks`` competencies to their frameworks, ``levels`` levels to
    their rank and frameworks; ``existing(iris)`` says which of ``iris`` the store has statements
    about.
    """

    kinds: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    frameworks: Mapping[str, frozenset[str]] = field(default_factory=dict)
    levels: Mapping[str, tuple[int, frozenset[str]]] = field(default_factory=dict)
    existing: Callable[[Iterable[str]], set[str]] = _nothing_exists

    def is_a(self, iri: str, kind: str) -> bool:
        """Whether the store holds ``iri`` as a resource of ``kind``."""
        return self.kinds.get(iri) == kind


def lookup_for(ctx: Context) -> Lookup:
    """The lookup of the store of ``ctx`` as it is now."""
    cat = catalogue_for(ctx)
    frameworks: dict[str, set[str]] = defaultdict(set)
    level_of: dict[str, set[str]] = defaultdict(set)
    for (subject, prop), targets in cat.out.items():
        if prop == SKOS_IN_SCHEME:
            frameworks[subject].update(targets)
        elif prop == QD_LEVEL_OF:
            level_of[subject].update(targets)

    def existing(iris: Iterable[str]) -> set[str]:
        rows = select_rows_for(ctx.store, ctx.registry, "ingest-existing", "resource", iris)
        return {v for row in rows if (v := iri_of(row.get("resource"))) is not None}

    return Lookup(
        kinds=cat.kinds,
        labels=cat.labels,
        frameworks={c: frozenset(v) for c, v in frameworks.items()},
        levels={lvl: (rank, frozenset(level_of.get(lvl, ()))) for lvl, rank in cat.ranks.items()},
        existing=existing,
    )
