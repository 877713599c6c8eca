"""Linked-data negotiation: the formats every resource is offered in and the ``Link`` headers
that name its alternates. Negotiation itself is ``qualifica.media``'s, shared by every route.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

from qualifica import media

log = logging.getLogger(__name__)

TURTLE = media.TURTLE
JSON_LD = media.JSON_LD
N_TRIPLES = media.N_TRIPLES
RDF_XML = media.RDF_XML
HTML = media.HTML
JSON = media.JSON
N_QUADS = media.N_QUADS
TRIG = media.TRIG
SHORT_NAME = media.SHORT_NAME

#: The RDF graph formats every linked-data resource is offered in (HTML first: the default).
RDF_FORMATS: tuple[str, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
RESOURCE_FORMATS: tuple[str, ...] = (HTML, *RDF_FORMATS)

parse_accept = media.parse_accept
negotiate = media.negotiate
content_type = media.content_type


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

