"""Web safety headers and the ``Host`` check, as ASGI middleware.

- ``SecurityHeadersMiddleware`` gives every answer (pages, JSON, RDF, CSV, errors, ``304``) a
  strict ``Content-Security-Policy`` (scripts, styles and images from this origin only, no
  plugins, no ``<base>``, no framing, forms post only here), ``X-Content-Type-Options:
  nosniff`` and ``Referrer-Policy: strict-origin-when-cross-origin``. The API documentation
  (Swagger UI at ``/docs``, ReDoc at ``/redoc``) is served from packaged assets under the same
  policy; ReDoc's page alone also allows the ``<style>`` elements ReDoc writes, by their
  hashes (:data:`REDOC_POLICY`, set by the route itself).
- Starlette's ``TrustedHostMiddleware`` answers ``400`` to a request whose ``Host`` is not one
  of ``Settings.allowed_hosts``. Absolute URLs are built from ``Settings.public_base`` anyway,
  so a forged ``Host`` never reaches a link; the check also stops DNS-rebinding pages from
  talking to a server on a loopback address.

An unexpected error is answered by Starlette's outermost error middleware, past every other
middleware, so ``api.problems`` sets :data:`STRICT_HEADERS` on that answer itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware

from qualifica.config import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The policy of every answer of the server.
STRICT_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))


#: The ``<style>`` elements ReDoc writes before it renders, by the SHA-256 of their content:
#: the empty elements styled-components fills through the CSSOM (``insertRule``, which CSP does
#: not govern), and the one stylesheet its bundle carries as text (redoc 2.5.4).
REDOC_STYLE_HASHES = ("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
                      "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='")
#: The policy of ``/redoc``: the strict one, except that the ``<style>`` elements above are
#: applied and ReDoc's search index runs in a worker ReDoc's own script builds from a ``blob:``;
#: no inline script, no inline style attribute, nothing from another origin (the Redocly logo
#: ReDoc links from its CDN is refused, and ReDoc then leaves it out).
REDOC_POLICY = STRICT_POLICY.replace(
    "style-src 'self'", "style-src 'self' " + " ".join(REDOC_STYLE_HASHES)
) + "; worker-src 'self' blob:"

REFERRER_POLICY = "strict-origin-when-cross-origin"

#: The headers of every answer.
STRICT_HEADERS = {"Content-Security-Policy": STRICT_POLICY, "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": REFERRER_POLICY}


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy, ``nosniff`` and the referrer policy to every answer
    (a header the route set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = STRICT_POLICY

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", policy)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", REFERRER_POLICY)
            await send(message)

        await self.app(scope, receive, wrapped)


def install(app: FastAPI, settings: Settings) -> None:
    """Register the ``Host`` check and the security headers; call it after every other
    ``add_middleware`` so that the headers reach every answer, the ``400`` of a bad ``Host``
    and the ``304`` of a cached one included."""
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts,
                       www_redirect=False)
    app.add_middleware(SecurityHeadersMiddleware)
