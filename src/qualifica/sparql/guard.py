"""What a query sent to the read-only endpoint may do, checked before it runs.

A small SPARQL tokenizer (comments, strings and IRIs are skipped as whole tokens, so a keyword
inside them never counts) finds:

- the query form (``select``, ``ask``, ``construct``, ``describe``), or that the text is an
  update (refused: the endpoint is read-only);
- every ``SERVICE`` target: a federated call is allowed only when its IRI starts with a prefix of
  ``QUALIFICA_SERVICE_ALLOW``; a variable target, or one that cannot be resolved, is refused;
- the ``FROM`` / ``FROM NAMED`` IRIs, so that a query's own dataset is honoured (the store's
  default is the union of all graphs).

The checks fail closed: when the tokenizer cannot tell what a ``SERVICE`` calls, it is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from qualifica.errors import BadParameter, Forbidden
from qualifica.store.base import DatasetSpec

QUERY_FORMS = ("select", "ask", "construct", "describe")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
READ_ONLY = "this is a read-only endpoint; send updates to /sparql/update"

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF]
                    (?:[A-Za-z0-9_.\u00B7\u00C0-\uFFFF-]*[A-Za-z0-9_\u00B7\u00C0-\uFFFF-])?)?
                 :(?:[A-Za-z0-9_:%\u00B7\u00C0-\uFFFF-]|\\[_~.!$&'()*+,;=/?\#@%-]
                    |\.(?=[A-Za-z0-9_:%\u00B7\u00C0-\uFFFF-]|\\))*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_LOCAL_ESC = re.compile(r"\\(.)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class TooLarge(BadParameter):
    """A query or request body over its size limit (413)."""

    title = "Content too large"

    def __init__(self, detail: str, *, param: str) -> None:
        super().__init__(detail, param=param, status=413)


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (a group name of ``_TOKEN``) and text."""

    kind: str
    text: str


@dataclass
class QueryInfo:
    """What the tokenizer found in a query text."""

    form: str | None = None
    update: bool = False
    services: list[str | None] = field(default_factory=list)
    """``SERVICE`` targets as absolute IRIs; ``None`` for a variable or unresolvable target."""
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)

    def dataset(self) -> DatasetSpec | None:
        """The query's own dataset (``FROM``/``FROM NAMED``), or ``None`` when it names none."""
        if not self.from_graphs and not self.from_named:
            return None
        return DatasetSpec(
            default_graphs=tuple(self.from_graphs),
            named_graphs=tuple(self.from_named) if self.from_named else (),
        )


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, match.group())


def _resolve(tok: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    """The absolute IRI an IRI or prefixed-name token stands for, or ``None``."""
    if tok.kind == "iri":
        value = tok.text[1:-1]
        if _SCHEME.match(value):
            return value
        return urljoin(base, value) if base and _SCHEME.match(base) else None
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        ns = prefixes.get(prefix)
        if ns is None:
            return None
        return ns + _LOCAL_ESC.sub(r"\1", local)
    return None


def inspect(text: str) -> QueryInfo:
    """Tokenize a query text and report its form, updates, SERVICE targets and FROM clauses."""
    info = QueryInfo()
    prefixes: dict[str, str] = {}
    base: str | None = None
    toks = list(tokens(text))
    depth = 0
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        word = tok.text.upper() if tok.kind == "word" else ""
        if tok.kind == "open":
            depth += 1
        elif tok.kind == "close":
            depth -= 1
        elif word == "PREFIX" and nxt is not None and nxt.kind == "pname":
            iri_tok = toks[i + 2] if i + 2 < len(toks) else None
            if iri_tok is not None:
                target = _resolve(iri_tok, {}, base)
                if target is not None:
                    prefixes[nxt.text[:-1]] = target
            i += 3
            continue
        elif word == "BASE" and nxt is not None and nxt.kind == "iri":
            base = _resolve(nxt, prefixes, base) or base
            i += 2
            continue
        elif info.form is None and not info.update and depth == 0 and word:
            if word.lower() in QUERY_FORMS:
                info.form = word.lower()
            elif word in UPDATE_KEYWORDS:
                info.update = True
        elif word == "FROM" and depth == 0 and nxt is not None:
            named = nxt.kind == "word" and nxt.text.upper() == "NAMED"
            target_tok = toks[i + 2] if named and i + 2 < len(toks) else nxt
            target = _resolve(target_tok, prefixes, base)
            if target is not None:
                (info.from_named if named else info.from_graphs).append(target)
        elif word == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
                j += 1
            target_tok = toks[j] if j < len(toks) else Token("other", "")
            info.services.append(_resolve(target_tok, prefixes, base))
        i += 1
    return info


def check_query(text: str, *, service_allow: Sequence[str], max_chars: int) -> QueryInfo:
    """Refuse what the read-only endpoint does not run; returns what the query is.

    Raises ``BadParameter`` (400, 413 when too long) and ``Forbidden`` (updates, SERVICE).
    """
    if len(text) > max_chars:
        raise TooLarge(f"the query is {len(text)} characters long; the limit is {max_chars}",
                       param="query")
    if not text.strip():
        raise BadParameter("the query is empty", param="query")
    info = inspect(text)
    if info.update:
        raise Forbidden(READ_ONLY)
    for target in info.services:
        if target is None:
            raise Forbidden(
                "SERVICE with a variable or unresolvable endpoint is not allowed here"
            )
        if not any(target.startswith(prefix) for prefix in service_allow):
            raise Forbidden(
                f"SERVICE <{target}> is not allowed: federated queries may only call endpoints "
                "listed in QUALIFICA_SERVICE_ALLOW"
            )
    if info.form is None:
        raise BadParameter(
            "malformed SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE",
            param="query",
        )
    return info
