"""gzip for clients that ask for it (``Accept-Encoding: gzip``), as ASGI middleware.

Starlette's ``GZipMiddleware`` compresses every answer of at least ``MINIMUM_SIZE`` bytes,
streamed answers chunk by chunk (each chunk flushed, so a stream stays a stream), and adds
``Vary: Accept-Encoding`` beside the ``Vary: Accept`` of negotiated answers. It leaves alone what
is compressed already (``application/gzip``: the ``.gz`` dumps, images), partial answers (206)
and answers that carry a ``Content-Encoding``.

Files served with their checksum (``Repr-Digest``: the dumps and release files) are sent as they
are: the digest is that of the bytes on disk, which compression would change, and compressing a
large dump for every download would cost the server more than the client gains; the compressed
copies are there to download (``qualifica.nt.gz`` …). They pass the gzip middleware marked as
``Content-Encoding: identity``, and the mark is taken off again outside it.

It wraps the ETag middleware, so the entity tag is computed over the uncompressed body and a
``304`` is decided before compression. A compressed answer is a different sequence of bytes, so
its strong entity tag becomes weak (``W/"…"``), as nginx does; ``If-None-Match`` compares
weakly, so either form revalidates.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware

from qualifica.api.caching import ASGIApp, Message, Receive, Scope, Send

#: Smaller answers are sent as they are (compression would not pay).
MINIMUM_SIZE = 1024
#: zlib level: 3, the strongest of zlib's fast strategy (levels 1-3). Measured on the planning
#: answers at scale 1 (docs/performance.md): the 63 kB roles-for-a-competency answer costs
#: 0.10 ms at level 3, 0.23 ms at 6 (Starlette's default 9: 0.57 ms), for 2.8 kB instead of
#: 2.2 kB; answers of 10-25 kB cost 0.04-0.06 ms instead of 0.06-0.11 ms, 3-15 % larger.
LEVEL = 3


class WeakETagWhenCompressed:
    """Turns the strong ``ETag`` of a gzip-compressed answer into a weak one (and takes off the
    mark ``KeepFilesAsTheyAre`` put on a file).

    A ``304`` to a client that accepts gzip carries the weak form too, and
    ``Vary: Accept-Encoding``, so that a cache matches it with the compressed answer it
    stored (a weak validator also matches an uncompressed one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepts_gzip = "gzip" in Headers(scope=scope).get("accept-encoding", "")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = _headers_of(message)
                if headers.get("content-encoding") == _IDENTITY:  # the mark of a file
                    del headers["content-encoding"]
                etag = headers.get("etag")
                compressed = headers.get("content-encoding", "").lower() == "gzip"
                revalidated = message["status"] == 304 and accepts_gzip
                if revalidated:
                    headers.add_vary_header("Accept-Encoding")
                if etag and not etag.startswith("W/") and (compressed or revalidated):
                    headers["etag"] = f"W/{etag}"
                message = dict(message, headers=headers.raw)
            await send(message)

        await self.app(scope, receive, wrapped)


_IDENTITY = "identity"


def _headers_of(message: Message) -> MutableHeaders:
    return MutableHeaders(raw=list(message.get("headers", [])))


class KeepFilesAsTheyAre:
    """Inside gzip: marks answers with a ``Repr-Digest`` so that gzip leaves them alone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = _headers_of(message)
                if "repr-digest" in headers and "content-encoding" not in headers:
                    headers["content-encoding"] = _IDENTITY
                    message = dict(message, headers=headers.raw)
            await send(message)

        await self.app(scope, receive, wrapped)


def install(app: FastAPI) -> None:
    """Register gzip (and the weak-ETag rewrite outside it) as the outermost middlewares."""
    app.add_middleware(KeepFilesAsTheyAre)
    app.add_middleware(GZipMiddleware, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)
    app.add_middleware(WeakETagWhenCompressed)
