"""Content negotiation: ``Accept`` parsing with q-values, the ``?format=`` override, the
media-type table, and the headers every negotiated answer carries.

``negotiate(accept_header, offered, override)`` is generic: ``offered`` lists the media types a
route can produce in its order of preference (the first is the default for ``*/*`` or a missing
``Accept``), and the answer is one of them or ``NotAcceptable``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from qualifica.errors import NotAcceptable

log = logging.getLogger(__name__)

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
N_TRIPLES = "application/n-triples"
RDF_XML = "application/rdf+xml"
HTML = "text/html"
JSON = "application/json"
N_QUADS = "application/n-quads"
TRIG = "application/trig"

#: Short names accepted by ``?format=`` and the media type each stands for.
FORMAT_KEYS: Mapping[str, str] = {
    "ttl": TURTLE,
    "turtle": TURTLE,
    "jsonld": JSON_LD,
    "json-ld": JSON_LD,
    "nt": N_TRIPLES,
    "ntriples": N_TRIPLES,
    "rdf": RDF_XML,
    "xml": RDF_XML,
    "rdfxml": RDF_XML,
    "html": HTML,
    "json": JSON,
    "nq": N_QUADS,
    "trig": TRIG,
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}

#: The preferred short name of each media type (used in ``Link`` headers and file suffixes).
SHORT_NAME: Mapping[str, str] = {
    TURTLE: "ttl",
    JSON_LD: "jsonld",
    N_TRIPLES: "nt",
    RDF_XML: "rdf",
    HTML: "html",
    JSON: "json",
    N_QUADS: "nq",
    TRIG: "trig",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}

#: Media types clients send for a type we offer under its registered name.
ALIASES: Mapping[str, str] = {
    "application/x-turtle": TURTLE,
    "application/turtle": TURTLE,
    "text/n-triples": N_TRIPLES,
    "text/plain": N_TRIPLES,  # N-Triples' media type before RDF 1.1
    "application/xhtml+xml": HTML,
    "application/x-trig": TRIG,
    "text/x-nquads": N_QUADS,
}

#: The RDF graph formats every linked-data resource is offered in (HTML first: the default).
RDF_FORMATS: tuple[str, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
RESOURCE_FORMATS: tuple[str, ...] = (HTML, *RDF_FORMATS)

_MAX_RANGES = 64


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header: ``type/subtype`` with its q-value and parameters."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()
    order: int = 0

    @property
    def specificity(self) -> int:
        """3 for ``type/subtype;param``, 2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        """Whether this range covers ``media_type`` (or an alias of it)."""
        main = media_type.partition("/")[0]
        if self.type == "*":
            return True
        if self.subtype == "*":
            return self.type == main
        full = f"{self.type}/{self.subtype}"
        return full == media_type or ALIASES.get(full) == media_type


def _parse_q(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        return 0.0
    return min(max(value, 0.0), 1.0)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for order, part in enumerate(header.split(",")[:_MAX_RANGES]):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            if media == "*":  # some clients send a bare '*'
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "q":
                q = _parse_q(value)
            elif key:
                params.append((key, value))
        ranges.append(MediaRange(main, sub, q, tuple(params), order))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of the most specific matching range."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def format_media_type(value: str) -> str | None:
    """The media type a ``?format=`` value names (a short name or a media type), else ``None``."""
    key = value.strip().lower()
    if key in FORMAT_KEYS:
        return FORMAT_KEYS[key]
    if "/" in key:
        return ALIASES.get(key, key)
    return None


def negotiate(accept_header: str | None, offered: Sequence[str],
              override: str | None = None) -> str:
    """The media type to answer with, one of ``offered``.

    ``override`` (the ``?format=`` value) wins over the header. Otherwise the offered type with
    the highest q-value wins; ties go to the earlier entry of ``offered``. A missing or empty
    ``Accept`` means ``*/*``. Raises ``NotAcceptable`` (406) when nothing fits.
    """
    if not offered:
        raise ValueError("negotiate() needs at least one offered media type")
    available = [SHORT_NAME.get(m, m) for m in offered]
    if override is not None and override.strip():
        wanted = format_media_type(override)
        if wanted is not None and wanted in offered:
            return wanted
        raise NotAcceptable(
            f"format {override[:40]!r} is not available here; "
            f"use one of: {', '.join(available)}",
            param="format", available=list(offered),
        )
    ranges = parse_accept(accept_header)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type)
        if q > best_q:
            best, best_q = media_type, q
    if best is None:
        raise NotAcceptable(
            f"none of the requested media types ({accept_header[:200] if accept_header else ''})"
            f" is available; offered: {', '.join(offered)}",
            available=list(offered),
        )
    return best


def alternates(url: str, offered: Sequence[str]) -> list[str]:
    """``Link`` header values: one ``rel="alternate"`` per offered type, as ``url?format=x``."""
    sep = "&" if "?" in url else "?"
    links = []
    for media_type in offered:
        key = SHORT_NAME.get(media_type, media_type)
        links.append(f'<{url}{sep}format={quote(key, safe="")}>; rel="alternate"; '
                     f'type="{media_type}"')
    return links


def link_header(url: str, offered: Sequence[str], *, canonical: str | None = None,
                extra: Sequence[str] = ()) -> str:
    """A complete ``Link`` header: canonical IRI (if any), alternates, and ``extra`` links."""
    parts: list[str] = []
    if canonical:
        parts.append(f'<{canonical}>; rel="canonical"')
    parts.extend(alternates(url, offered))
    parts.extend(extra)
    return ", ".join(parts)


def content_type(media_type: str) -> str:
    """The ``Content-Type`` value for a media type (with ``charset`` for text formats)."""
    if media_type.startswith("text/") or media_type in {JSON, JSON_LD, N_TRIPLES, RDF_XML}:
        return f"{media_type}; charset=utf-8"
    return media_type
