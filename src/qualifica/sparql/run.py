"""The one way the package runs a named or library query: bind, then evaluate.

``execute`` evaluates a ``BoundQuery`` (values as substitutions where pyoxigraph takes them, the
rest as a leading ``VALUES`` block; remote stores turn substitutions into ``VALUES`` themselves);
``select`` / ``ask`` / ``construct`` check the answer's kind. ``bound`` binds raw user values
(checked by ``sparql.binding``) or the package's own terms.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import Triple

from qualifica.sparql import binding
from qualifica.sparql.binding import BoundQuery
from qualifica.sparql.registry import NamedQuery
from qualifica.store.base import AskResult, GraphResult, QueryResult, Readable, SelectResult, Term


def bound(query: NamedQuery, raw: Mapping[str, object] | None = None, *,
          terms: Mapping[str, Term] | None = None) -> BoundQuery:
    """``query`` with ``raw`` user values (checked against its parameters) or with the package's
    own ``terms`` (not user input)."""
    if terms is not None:
        return BoundQuery(query, values=dict(terms))
    return binding.bind(query, raw or {})


def execute(store: Readable, query: BoundQuery, *, timeout_s: float | None = None) -> QueryResult:
    """Evaluate a bound query."""
    text, subs = query.for_substitution()
    return store.query(text, substitutions=subs, timeout_s=timeout_s)


def select(store: Readable, query: BoundQuery, *, timeout_s: float | None = None) -> SelectResult:
    """The solutions of a bound SELECT query."""
    result = execute(store, query, timeout_s=timeout_s)
    if not isinstance(result, SelectResult):
        raise TypeError(f"query {query.query.name!r} is not a SELECT query")
    return result


def ask(store: Readable, query: BoundQuery, *, timeout_s: float | None = None) -> bool:
    """The answer of a bound ASK query."""
    result = execute(store, query, timeout_s=timeout_s)
    if not isinstance(result, AskResult):
        raise TypeError(f"query {query.query.name!r} is not an ASK query")
    return result.value


def construct(store: Readable, query: BoundQuery, *, timeout_s: float | None = None
              ) -> list[Triple]:
    """The triples of a bound CONSTRUCT or DESCRIBE query."""
    result = execute(store, query, timeout_s=timeout_s)
    if not isinstance(result, GraphResult):
        raise TypeError(f"query {query.query.name!r} is not a CONSTRUCT or DESCRIBE query")
    return result.triples
