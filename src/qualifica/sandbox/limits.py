"""Limits on uploaded RDF, checked before and after parsing.

Before parsing: a JSON(-LD) document's nesting depth (a deeply nested document exhausts the
parser's stack) and, for RDF/XML, the absence of DTD entity declarations (nested entities expand a
few hundred bytes into gigabytes) and of any encoding other than UTF-8 (which would hide them).
After parsing: the number of quads, the size of every literal, and no RDF 1.2 triple terms
(which the SHACL gate cannot read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, Quad, RdfFormat, Triple

from qualifica.errors import BadParameter

_JSON_SPECIAL = re.compile(rb'[\[\]{}"\\]')
_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")


@dataclass(frozen=True)
class RdfLimits:
    """The limits one upload must keep."""

    max_json_depth: int = 64
    max_literal_bytes: int = 1_000_000
    max_quads: int = 1_000_000


def json_depth(data: bytes, limit: int) -> int:
    """The nesting depth of a JSON text (arrays and objects), read up to ``limit + 1``.

    Strings are skipped with their escapes, so brackets inside them never count. Malformed JSON
    is left to the parser; this only measures.
    """
    depth = deepest = 0
    in_string = False
    skip_until = -1
    for match in _JSON_SPECIAL.finditer(data):
        pos = match.start()
        if pos < skip_until:
            continue
        char = match.group()
        if in_string:
            if char == b"\\":
                skip_until = pos + 2  # the escaped character is not special
            elif char == b'"':
                in_string = False
            continue
        if char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in (b"]", b"}"):
            depth -= 1
    return deepest


def check_before_parse(data: bytes, fmt: RdfFormat, limits: RdfLimits) -> None:
    """Refuse, with a clear 400, what no parser should be given."""
    if fmt == RdfFormat.JSON_LD:
        depth = json_depth(data, limits.max_json_depth)
        if depth > limits.max_json_depth:
            raise BadParameter(
                f"the JSON-LD body nests more than {limits.max_json_depth} levels deep",
                param="body",
            )
    if fmt == RdfFormat.RDF_XML:
        if data.startswith(_UTF16_OR_32) or b"\x00" in data[:4]:
            raise BadParameter("RDF/XML bodies must be encoded as UTF-8", param="body")
        if b"<!ENTITY" in data:
            raise BadParameter(
                "RDF/XML with DTD entity declarations (<!ENTITY ...>) is not accepted",
                param="body",
            )


def check_after_parse(quads: Iterable[Quad], limits: RdfLimits) -> None:
    """Refuse an upload with too many quads, an oversized literal or a triple term."""
    for count, quad in enumerate(quads, start=1):
        if count > limits.max_quads:
            raise BadParameter(
                f"the body holds more than {limits.max_quads} triples; split it into smaller "
                "writes", param="body", status=413,
            )
        _check_term(quad.object, limits)
        _check_term(quad.subject, limits)


def _check_term(term: object, limits: RdfLimits) -> None:
    if isinstance(term, Literal):
        size = len(term.value.encode("utf-8", errors="surrogatepass"))
        if size > limits.max_literal_bytes:
            raise BadParameter(
                f"a literal of {size} bytes exceeds the limit of {limits.max_literal_bytes}",
                param="body", status=413,
            )
    elif isinstance(term, Triple):
        # RDF 1.2 triple terms (``<<( s p o )>>``, and the ``<< s p o >>`` reifiers stand for):
        # the SHACL gate and the store's writes read RDF 1.1 terms only.
        raise BadParameter(
            "RDF 1.2 triple terms (<<( ... )>> or << ... >>) are not accepted; send RDF 1.1",
            param="body",
        )
