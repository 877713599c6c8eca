"""HTTP caching and the JSON-LD context link, as ASGI middleware.

- ``ETagMiddleware``: every ``GET``/``HEAD`` answer with status 200 gets a strong ``ETag``
  (a hash of the body and of the store generation) unless the route set one, a ``304 Not
  Modified`` when ``If-None-Match`` names it, and ``Cache-Control: public, max-age=60`` unless
  the route set its own. A ``HEAD`` request is answered from the ``GET`` answer so that both
  carry the same ``ETag``. Bodies larger than ``max_buffer`` bytes (dumps) pass through
  unhashed.
- ``ContextLinkMiddleware``: every ``application/json`` answer under ``/api/`` gets the
  ``Link`` header that makes it JSON-LD under ``/context.jsonld`` (an absolute URL under the
  configured public base, never under the request's ``Host``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders

from qualifica.config import Settings
from qualifica.linkeddata.context import CONTEXT_PATH, link_header

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_CACHE_CONTROL = "public, max-age=60"
_KEEP_ON_304 = ("etag", "cache-control", "content-location", "expires", "vary", "link",
                "last-modified", "access-control-allow-origin",
                "access-control-expose-headers")


def _generation(scope: Scope) -> int:
    app = scope.get("app")
    ctx = getattr(getattr(app, "state", None), "ctx", None)
    store = getattr(ctx, "store", None)
    return int(getattr(store, "generation", 0) or 0)


def etag_for(body: bytes, generation: int) -> str:
    """A strong entity tag for a body served at a store generation."""
    digest = hashlib.sha256()
    digest.update(str(generation).encode())
    digest.update(b"\0")
    digest.update(body)
    return f'"{digest.hexdigest()[:32]}"'


def none_match(header: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


class ETagMiddleware:
    """Strong ETags, 304 on ``If-None-Match`` and a default ``Cache-Control`` for reads."""

    def __init__(self, app: ASGIApp, max_buffer: int = 16 * 1024 * 1024) -> None:
        self.app = app
        self.max_buffer = max_buffer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        inner_scope = dict(scope, method="GET") if head else scope
        request_headers = Headers(scope=scope)
        if_none_match = request_headers.get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # streaming through without an ETag

        async def wrapped(message: Message) -> None:
            nonlocal start, size, passing
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or passing:
                if passing and head and message["type"] == "http.response.body":
                    message = dict(message, body=b"")
                await send(message)
                return
            assert start is not None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if more and size > self.max_buffer:
                passing = True
                await send(start)
                await send({"type": "http.response.body",
                            "body": b"" if head else b"".join(chunks), "more_body": True})
                return
            if more:
                return
            await self._finish(start, b"".join(chunks), scope, if_none_match, head, send)

        await self.app(inner_scope, receive, wrapped)

    async def _finish(self, start: Message, body: bytes, scope: Scope,
                      if_none_match: str | None, head: bool, send: Send) -> None:
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        etag = headers.get("etag")
        if etag is None:
            etag = etag_for(body, _generation(scope))
            headers["etag"] = etag
        if "cache-control" not in headers:
            headers["cache-control"] = DEFAULT_CACHE_CONTROL
        if none_match(if_none_match, etag):
            kept = [(k, v) for k, v in headers.raw if k.decode("latin-1").lower() in _KEEP_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(dict(start, headers=headers.raw))
        await send({"type": "http.response.body", "body": b"" if head else body})


class ContextLinkMiddleware:
    """Adds the JSON-LD context ``Link`` to every ``application/json`` answer under ``/api/``."""

    def __init__(self, app: ASGIApp, context: str) -> None:
        self.app = app
        self.link = link_header(context)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/api/") and path != "/api":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                media = headers.get("content-type", "").split(";")[0].strip().lower()
                if media == "application/json":
                    link = self.link
                    existing = headers.get("link")
                    headers["link"] = f"{existing}, {link}" if existing else link
                    message = dict(message, headers=headers.raw)
            await send(message)

        await self.app(scope, receive, wrapped)


def context_url(settings: Settings) -> str:
    """The absolute URL of ``/context.jsonld`` under the public base of ``settings``."""
    return settings.public_base + CONTEXT_PATH.lstrip("/")


def install(app: FastAPI, settings: Settings) -> None:
    """Register both middlewares (the ETag one outermost, so it hashes the final answer)."""
    app.add_middleware(ContextLinkMiddleware, context=context_url(settings))
    app.add_middleware(ETagMiddleware)
