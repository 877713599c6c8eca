"""Negotiated linked-data responses: one graph (or HTML page) per request, with the headers every
linked-data answer carries (``Vary: Accept``, ``Link`` with canonical and alternates,
``Content-Location``, ``Cache-Control``), and errors in the negotiated format."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import Triple

from qualifica.api.problems import problem
from qualifica.config import Settings
from qualifica.errors import QualificaError
from qualifica.linkeddata import conneg
from qualifica.linkeddata.serialize import to_bytes

log = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=300"


def public_url(settings: Settings, path: str) -> str:
    """The URL of ``path`` (no leading slash) under the public base URL
    (``QUALIFICA_PUBLIC_URL``, else ``QUALIFICA_BASE_IRI``)."""
    return settings.public_base + path.lstrip("/")


def headers_for(settings: Settings, path: str, offered: Sequence[str], media_type: str, *,
                canonical: str | None = None, extra_links: Sequence[str] = ()
                ) -> dict[str, str]:
    """The headers of a negotiated answer for the resource at ``path``."""
    url = public_url(settings, path)
    headers = {
        "Vary": "Accept",
        "Link": conneg.link_header(url, offered, canonical=canonical, extra=extra_links),
        "Cache-Control": CACHE_CONTROL,
    }
    if media_type in conneg.SHORT_NAME:
        headers["Content-Location"] = f"{url}?format={conneg.SHORT_NAME[media_type]}"
    return headers


def graph_response(triples: Iterable[Triple], media_type: str, headers: dict[str, str]
                   ) -> Response:
    """A graph serialised as ``media_type``."""
    body = to_bytes(triples, media_type)
    return Response(body, media_type=conneg.content_type(media_type), headers=headers)


def negotiate(request: Request, offered: Sequence[str], override: str | None) -> str:
    """The media type for this request (``NotAcceptable`` → 406 problem)."""
    return conneg.negotiate(request.headers.get("accept"), offered, override)


def lang_of(request: Request, lang: str | None) -> str:
    """``de`` or ``en``: the ``lang`` parameter, else ``Accept-Language``, else ``de``."""
    if lang in ("de", "en"):
        return lang
    best, best_q = "de", 0.0
    for part in (request.headers.get("accept-language") or "").split(",")[:32]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in ("de", "en") and q > best_q:
            best, best_q = primary, q
    return best


def error_response(exc: QualificaError, media_type: str, request: Request, *,
                   html: str | None = None, headers: dict[str, str] | None = None
                   ) -> Response:
    """An error in the negotiated format: an HTML page for ``text/html`` (when given), else an
    RFC 9457 problem (``application/problem+json``) — also for RDF media types."""
    base = {"Vary": "Accept"}
    base.update(headers or {})
    if media_type == conneg.HTML and html is not None:
        return HTMLResponse(html, status_code=exc.status, headers=base)
    extra: dict[str, Any] = dict(exc.extra)
    return problem(exc.status, exc.title, exc.detail, instance=str(request.url.path),
                   headers=base, **extra)
