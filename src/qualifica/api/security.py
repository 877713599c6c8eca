"""Web safety headers and the ``Host`` check, as ASGI middleware.

- ``SecurityHeadersMiddleware`` gives every answer (pages, JSON, RDF, CSV, errors, ``304``) a
  strict ``Content-Security-Policy`` (scripts, styles and images from this origin only, no
  plugins, no ``<base>``, no framing, forms post only here), ``X-Content-Type-Options:
  nosniff`` and ``Referrer-Policy: strict-origin-when-cross-origin``. The API documentation
  (Swagger UI at ``/docs``, ReDoc at ``/redoc``) loads its scripts, styles and fonts from a CDN
  and starts them with an inline script, so those paths alone get :data:`DOCS_POLICY`.
- Starlette's ``TrustedHostMiddleware`` answers ``400`` to a request whose ``Host`` is not one
  of ``Settings.allowed_hosts``. Absolute URLs are built from ``Settings.public_base`` anyway,
  so a forged ``Host`` never reaches a link; the check also stops DNS-rebinding pages from
  talking to a server on a loopback address.

An unexpected error is answered by Starlette's outermost error middleware, past every other
middleware, so ``api.problems`` sets :data:`STRICT_HEADERS` on that answer itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
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

#: The policy of the API documentation pages only: FastAPI's Swagger UI and ReDoc pages load
#: their bundles from jsDelivr (ReDoc also Google Fonts, and runs a worker from a blob) and
#: start them with an inline script. Nothing on these pages comes from the data.
DOCS_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
    "font-src 'self' https://fonts.gstatic.com",
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))

REFERRER_POLICY = "strict-origin-when-cross-origin"

#: The headers of every answer outside the API documentation.
STRICT_HEADERS = {"Content-Security-Policy": STRICT_POLICY, "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": REFERRER_POLICY}


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy, ``nosniff`` and the referrer policy to every answer
    (a header the route set itself is kept)."""

    def __init__(self, app: ASGIApp, docs_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope.get("path") in self.docs_paths else STRICT_POLICY

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
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(SecurityHeadersMiddleware, docs_paths=[p for p in docs if p])
