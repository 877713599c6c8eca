"""Linked-data negotiation: the formats every resource is offered in and the ``Link`` headers
that name its alternates. Negotiation itself is ``qualifica.media``'s, shared by every route.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

from qualifica import media

log = logging.getLogger(__name__)

# The media types of linked-data answers, under the names their callers use.
from qualifica.media import HTML as HTML  # noqa: E402
from qualifica.media import JSON as JSON  # noqa: E402
from qualifica.media import JSON_LD as JSON_LD  # noqa: E402
from qualifica.media import N_QUADS as N_QUADS  # noqa: E402
from qualifica.media import N_TRIPLES as N_TRIPLES  # noqa: E402
from qualifica.media import RDF_XML as RDF_XML  # noqa: E402
from qualifica.media import SHORT_NAME as SHORT_NAME  # noqa: E402
from qualifica.media import TRIG as TRIG  # noqa: E402
from qualifica.media import TURTLE as TURTLE  # noqa: E402

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

