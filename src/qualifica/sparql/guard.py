"""What user SPARQL may do, checked before it runs.

Every check works on the query as the SPARQL grammar reads it:

1. ``canonical`` applies what the grammar applies before parsing: codepoint escapes
   (``\\uXXXX``, ``\\UXXXXXXXX``) are expanded, and line ends are normalised to ``\\n``. The
   canonical text is what is then checked *and* what is evaluated, so no check and no
   evaluator can read the same request two ways (for example a comment that one of them ends
   at a carriage return and the other does not).
2. A tokenizer (comments end at CR or LF; strings and IRIs are whole tokens, so a keyword inside
   them never counts) finds the query form, updates (refused by the read-only endpoint), the
   ``FROM`` / ``FROM NAMED`` IRIs, the nesting depth of groups, brackets and parentheses (too
   deep a query is refused before any parser sees it: deep nesting exhausts the evaluator's
   stack), and every ``SERVICE`` and ``LOAD``.
3. When the text calls ``SERVICE`` or ``LOAD``, ``verify_parsed`` parses it into SPARQL algebra
   and checks every ``SERVICE`` target against ``QUALIFICA_SERVICE_ALLOW`` and every ``LOAD``
   source against ``QUALIFICA_LOAD_ALLOW`` (default: nothing). The parse must account for every
   ``SERVICE``/``LOAD`` the tokenizer saw, else the request is refused: the checks fail closed.
   This parse runs in the sandbox worker (``qualifica.sandbox``), never in the API process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from qualifica.errors import BadParameter, Forbidden, TooLarge
from qualifica.store import text as sparql_text
from qualifica.store.base import DatasetSpec

QUERY_FORMS = ("select", "ask", "construct", "describe")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
READ_ONLY = "this is a read-only endpoint; send updates to /sparql/update"

_LOCAL_ESC = re.compile(r"\\(.)")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


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
    loads: list[str | None] = field(default_factory=list)
    """``LOAD`` sources as absolute IRIs (updates)."""
    depth: int = 0
    """The deepest nesting of ``{}``, ``()`` and ``[]``."""

    def dataset(self) -> DatasetSpec | None:
        """The query's own dataset (``FROM``/``FROM NAMED``), or ``None`` when it names none."""
        if not self.from_graphs and not self.from_named:
            return None
        return DatasetSpec(
            default_graphs=tuple(self.from_graphs),
            named_graphs=tuple(self.from_named) if self.from_named else (),
        )


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped), read by the
    store's one tokenizer (``store.text``)."""
    for kind, token, _depth, _end in sparql_text.tokens(text):
        yield Token(kind, token)


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
    depth = 0  # braces only: the query form and FROM are read at the top level
    nesting = 0  # braces, brackets and parentheses
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        word = tok.text.upper() if tok.kind == "word" else ""
        if tok.kind == "open" or tok.text in ("(", "["):
            nesting += 1
            info.depth = max(info.depth, nesting)
        elif tok.kind == "close" or tok.text in (")", "]"):
            nesting -= 1
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
        if word in ("SERVICE", "LOAD"):
            j = i + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
                j += 1
            target_tok = toks[j] if j < len(toks) else Token("other", "")
            targets = info.services if word == "SERVICE" else info.loads
            targets.append(_resolve(target_tok, prefixes, base))
        i += 1
    return info


def canonical(text: str) -> str:
    """The query text as the SPARQL grammar reads it: codepoint escapes expanded (SPARQL 1.1
    Query, 19.2) and every line end (CR LF, CR) written as LF.

    A carriage return inside a long string literal becomes a line feed; nothing else changes
    meaning. Raises ``BadParameter`` for an escape that names no character.
    """

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise BadParameter(f"the escape {match.group(0)} names no character", param="query")
        return chr(code)

    text = _CODEPOINT.sub(expand, text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_text(text: str, *, max_chars: int, max_depth: int, param: str) -> QueryInfo:
    if len(text) > max_chars:
        raise TooLarge(f"the {param} is {len(text)} characters long; the limit is {max_chars}",
                       param=param)
    if not text.strip():
        raise BadParameter(f"the {param} is empty", param=param)
    info = inspect(text)
    if info.depth > max_depth:
        raise BadParameter(
            f"the {param} nests groups, brackets or parentheses {info.depth} deep; "
            f"the limit is {max_depth}",
            param=param,
        )
    return info


def _check_targets(targets: Sequence[str | None], allow: Sequence[str], what: str,
                   setting: str) -> None:
    for target in targets:
        if target is None:
            raise Forbidden(f"{what} with a variable or unresolvable IRI is not allowed here")
        if not any(target.startswith(prefix) for prefix in allow):
            raise Forbidden(f"{what} <{target}> is not allowed: only IRIs listed in {setting} "
                            "may be used")


def check_query(text: str, *, service_allow: Sequence[str], max_chars: int,
                max_depth: int = 64) -> QueryInfo:
    """Refuse what the read-only endpoint does not run; returns what the query is.

    ``text`` must be ``canonical``. Raises ``BadParameter`` (400, 413 when too long) and
    ``Forbidden`` (updates, SERVICE).
    """
    info = _check_text(text, max_chars=max_chars, max_depth=max_depth, param="query")
    if info.update:
        raise Forbidden(READ_ONLY)
    _check_targets(info.services, service_allow, "SERVICE", "QUALIFICA_SERVICE_ALLOW")
    if info.form is None:
        raise BadParameter(
            "malformed SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE",
            param="query",
        )
    return info


def check_update(text: str, *, service_allow: Sequence[str], load_allow: Sequence[str],
                 max_chars: int, max_depth: int = 64) -> QueryInfo:
    """The tokenizer's checks of a SPARQL Update (``text`` canonical): size, depth, SERVICE and
    LOAD targets. Raises ``BadParameter`` or ``Forbidden``."""
    info = _check_text(text, max_chars=max_chars, max_depth=max_depth, param="update")
    _check_targets(info.services, service_allow, "SERVICE", "QUALIFICA_SERVICE_ALLOW")
    _check_targets(info.loads, load_allow, "LOAD", "QUALIFICA_LOAD_ALLOW")
    return info


def needs_parse(info: QueryInfo) -> bool:
    """Whether the text calls ``SERVICE`` or ``LOAD``, so ``verify_parsed`` must confirm it."""
    return bool(info.services or info.loads)


def verify_parsed(text: str, info: QueryInfo, *, update: bool, service_allow: Sequence[str],
                  load_allow: Sequence[str] = ()) -> None:
    """Parse ``text`` (canonical) into SPARQL algebra and check every ``SERVICE`` and ``LOAD``
    in it; the parse must find at least as many as the tokenizer did.

    Fails closed: a text that calls ``SERVICE``/``LOAD`` and cannot be parsed is refused. Runs
    in a sandbox worker: parsing a hostile text may take time and memory.
    """
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed: Any = (translateUpdate(parseUpdate(text)) if update
                       else translateQuery(parseQuery(text)))
    except RecursionError as exc:
        raise BadParameter("the request is nested too deeply to be checked",
                           param="update" if update else "query") from exc
    except Exception as exc:  # rdflib raises pyparsing and its own errors
        raise Forbidden(
            "the request calls SERVICE or LOAD and could not be parsed to check their targets: "
            f"{str(exc)[:200]}"
        ) from exc
    services: list[str | None] = []
    loads: list[str | None] = []
    _walk(parsed.algebra, services, loads)
    if len(services) < len(info.services) or len(loads) < len(info.loads):
        raise Forbidden("the request's SERVICE or LOAD targets could not all be verified")
    _check_targets(services, service_allow, "SERVICE", "QUALIFICA_SERVICE_ALLOW")
    _check_targets(loads, load_allow, "LOAD", "QUALIFICA_LOAD_ALLOW")


def _walk(node: Any, services: list[str | None], loads: list[str | None]) -> None:
    """Collect ``SERVICE`` targets and ``LOAD`` sources of an rdflib algebra tree."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[Any] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            if current.name == "ServiceGraphPattern":
                term = current.get("term")
                services.append(str(term) if isinstance(term, URIRef) else None)
            elif current.name == "Load":
                term = current.get("iri")
                loads.append(str(term) if isinstance(term, URIRef) else None)
            stack.extend(current.values())
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple | set):
            stack.extend(current)
