"""Python values from the pyoxigraph terms of query results.

The readers of ``queries/lib/`` answers (pages, catalogue, metadata, ontology documentation)
turn result terms into plain values the same way: an IRI only from a named node, a number or a
truth value only from a literal, ``None`` (or the given default) for anything else.
"""

from __future__ import annotations

from typing import overload

from pyoxigraph import BlankNode, Literal, NamedNode

from qualifica.store.base import Term

__all__ = ["bool_of", "int_of", "iri_of", "lang_of", "text_of"]


def iri_of(term: Term | None) -> str | None:
    """The IRI of a named node; ``None`` for a literal, a blank node or no value."""
    return term.value if isinstance(term, NamedNode) else None


def int_of(term: Term | None) -> int | None:
    """The integer a literal holds; ``None`` when it holds none or ``term`` is no literal."""
    if isinstance(term, Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


@overload
def bool_of(term: Term | None, default: bool) -> bool: ...


@overload
def bool_of(term: Term | None, default: None = None) -> bool | None: ...


def bool_of(term: Term | None, default: bool | None = None) -> bool | None:
    """``True`` for the literals ``"true"`` and ``"1"`` (surrounding whitespace collapsed, as
    for ``xsd:boolean``), ``False`` for any other literal, ``default`` when ``term`` is no
    literal."""
    if isinstance(term, Literal):
        return term.value.strip() in {"true", "1"}
    return default


def text_of(term: Term | None) -> str:
    """The lexical value of a term (IRI, literal or blank node label); ``""`` for no value."""
    if term is None:
        return ""
    if isinstance(term, NamedNode | Literal | BlankNode):
        return term.value
    return str(term)


def lang_of(term: Term | None) -> str:
    """The language tag of a literal; ``""`` for an untagged literal or any other term."""
    return (term.language or "") if isinstance(term, Literal) else ""
