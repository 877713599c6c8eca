"""User values become RDF terms here, and only here.

Every value is checked for its declared type (IRI, string, integer, boolean, language tag,
list of IRIs) and turned into a pyoxigraph term. Terms reach the query either as pyoxigraph
``substitutions`` (embedded store, single values) or as a ``VALUES`` block placed as the first
element of the top-level ``WHERE`` group, written from the terms' own N-Triples syntax
(remote stores, and lists). Query text is never built by string formatting of user input.
The ``VALUES`` writers (``with_values``, ``where_brace``) live in the leaf module
``store.text`` and are re-exported here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from qualifica.errors import BadParameter
from qualifica.namespaces import ID, KINDS, XSD
from qualifica.sparql.registry import NamedQuery, Param
from qualifica.store.base import Term
from qualifica.store.text import where_brace as where_brace
from qualifica.store.text import with_values as with_values

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# RFC 3987 IRI with the characters SPARQL's IRIREF forbids excluded.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\\x00-\x20]*$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
MAX_STRING = 1000
MAX_LIST = 500
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _bad(param: str, message: str) -> BadParameter:
    return BadParameter(f"parameter {param!r}: {message}", param=param, status=422)


def iri(value: str, *, param: str = "iri", kind: str | None = None) -> NamedNode:
    """An IRI from a full IRI or, when ``kind`` is given, a slug within that kind."""
    if kind is not None and SLUG.fullmatch(value):
        if kind not in KINDS:
            raise _bad(param, f"unknown kind {kind!r}")
        return NamedNode(f"{ID}{kind}/{value}")
    if len(value) > 2000 or not _IRI.fullmatch(value):
        expected = f"a {kind} slug or an absolute IRI" if kind else "an absolute IRI"
        raise _bad(param, f"expected {expected}, got {value[:80]!r}")
    try:
        return NamedNode(value)
    except ValueError as exc:  # code points RFC 3987 excludes, e.g. C1 controls
        raise _bad(param, f"not a valid IRI ({exc}): {value[:80]!r}") from None


def string(value: str, *, param: str = "string") -> Literal:
    """A plain string literal (escaped by the term itself)."""
    if len(value) > MAX_STRING:
        raise _bad(param, f"longer than {MAX_STRING} characters")
    if "\x00" in value:
        raise _bad(param, "contains a NUL character")
    return Literal(value)


def integer(
    value: str | int, *, param: str = "integer", minimum: int | None = None,
    maximum: int | None = None,
) -> Literal:
    """A bounded ``xsd:integer`` literal."""
    if isinstance(value, bool):
        raise _bad(param, "expected an integer")
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?\d{1,12}", value.strip()):
            raise _bad(param, f"expected an integer, got {value[:40]!r}")
        value = int(value.strip())
    lo = INT_MIN if minimum is None else minimum
    hi = INT_MAX if maximum is None else maximum
    if not lo <= value <= hi:
        raise _bad(param, f"must be between {lo} and {hi}")
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def boolean(value: str | bool, *, param: str = "boolean") -> Literal:
    """An ``xsd:boolean`` literal from true/false/1/0."""
    if isinstance(value, str):
        low = value.strip().lower()
        if low not in {"true", "false", "1", "0"}:
            raise _bad(param, f"expected true or false, got {value[:40]!r}")
        value = low in {"true", "1"}
    return Literal("true" if value else "false", datatype=NamedNode(XSD + "boolean"))


def date(value: str, *, param: str = "date") -> Literal:
    """An ``xsd:date`` literal from a calendar date written ``YYYY-MM-DD``."""
    text = value.strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise _bad(param, f"expected a date YYYY-MM-DD, got {value[:40]!r}") from None
    return Literal(day.isoformat(), datatype=NamedNode(XSD + "date"))


def language(value: str, *, param: str = "lang") -> Literal:
    """A BCP 47 language tag as a plain string literal (e.g. for ``langMatches``)."""
    if not _LANG.fullmatch(value):
        raise _bad(param, f"expected a language tag such as 'de' or 'en', got {value[:40]!r}")
    return Literal(value.lower())


def iris(values: Sequence[str] | str, *, param: str = "iris", kind: str | None = None
         ) -> list[NamedNode]:
    """A list of IRIs (a comma-separated string or a sequence)."""
    items = [v.strip() for v in (values.split(",") if isinstance(values, str) else values)
             if v.strip()]
    if len(items) > MAX_LIST:
        raise _bad(param, f"at most {MAX_LIST} values")
    return [iri(v, param=param, kind=kind) for v in items]


@dataclass
class BoundQuery:
    """A named query with its values: single terms and lists of terms per variable."""

    query: NamedQuery
    values: dict[str, Term] = field(default_factory=dict)
    lists: dict[str, list[NamedNode]] = field(default_factory=dict)

    def for_substitution(self) -> tuple[str, dict[str, Term]]:
        """Query text and ``substitutions`` for pyoxigraph.

        pyoxigraph substitutes only variables a SELECT projects; every other value, and every
        list, goes into a leading VALUES block instead.
        """
        everything = self.query.form != "select"
        projected = set(self.query.projection)
        subs: dict[str, Term] = {}
        rows: dict[str, list[Term]] = {k: list(v) for k, v in self.lists.items()}
        for name, term in self.values.items():
            if everything or name in projected:
                subs[name] = term
            else:
                rows[name] = [term]
        text = with_values(self.query.text, rows) if rows else self.query.text
        return text, subs

    def as_values(self) -> str:
        """Query text with every value in a leading VALUES block (for remote stores)."""
        rows: dict[str, list[Term]] = {k: [v] for k, v in self.values.items()}
        rows.update({k: list(v) for k, v in self.lists.items()})
        return with_values(self.query.text, rows) if rows else self.query.text


def coerce(param: Param, raw: object) -> Term | list[NamedNode]:
    """Check one raw value against its parameter declaration and make the term(s)."""
    name = param.name
    if param.type == "iris":
        if isinstance(raw, str | list | tuple):
            return iris(raw, param=name, kind=param.kind)
        raise _bad(name, "expected a list of IRIs")
    if param.type == "integer":
        if not isinstance(raw, str | int):
            raise _bad(name, "expected an integer")
        return integer(raw, param=name, minimum=param.minimum, maximum=param.maximum)
    if param.type == "boolean":
        if not isinstance(raw, str | bool):
            raise _bad(name, "expected true or false")
        return boolean(raw, param=name)
    if not isinstance(raw, str):
        raise _bad(name, "expected a single value")
    if param.enum is not None and raw not in param.enum:
        raise _bad(name, f"must be one of {', '.join(param.enum)}")
    if param.type == "iri":
        return iri(raw, param=name, kind=param.kind)
    if param.type == "language":
        return language(raw, param=name)
    if param.type == "date":
        return date(raw, param=name)
    return string(raw, param=name)


def bind(query: NamedQuery, raw: Mapping[str, object]) -> BoundQuery:
    """Bind raw request values to a named query: defaults applied, unknown names refused."""
    known = {p.name for p in query.params}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _bad(unknown[0], f"query {query.name!r} takes no such parameter")
    bound = BoundQuery(query)
    for param in query.params:
        value = raw.get(param.name)
        if value is None or value == "" or value == []:
            value = param.default
        if value is None:
            if param.required:
                raise _bad(param.name, "is required")
            continue
        term = coerce(param, value)
        if isinstance(term, list):
            bound.lists[param.name] = term
        else:
            bound.values[param.name] = term
    return bound
