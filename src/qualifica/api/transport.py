"""The HTTP protocol of ``qualifica serve``: uvicorn's httptools protocol, one write per answer.

uvicorn writes the status line and headers of an answer to the socket as soon as the app sends
``http.response.start``, and the body with the next message: two ``send`` calls, two TCP
segments, and a client that wakes up for the headers only to wait again for the body. Every
answer of this app is sent as a whole (the ETag middleware buffers it to hash it), so both
writes happen in the same turn of the event loop. :class:`CoalescingTransport` holds small
writes until the end of that turn (``loop.call_soon``) and hands them to the socket together
(``writelines``: one ``writev``). Large writes and anything that would grow the held bytes past
:data:`HOLD_LIMIT` go out at once, so a streamed answer (a dump) stays a stream under uvicorn's
flow control; ``close`` and ``abort`` send (or drop) what is held first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Held writes are sent once they reach this many bytes.
HOLD_LIMIT = 64 * 1024

#: The protocol for ``uvicorn.Config(http=...)``, as an import string (the worker processes of
#: ``serve --workers`` are spawned with a pickled config).
PROTOCOL = "qualifica.api.transport:HttpProtocol"


class CoalescingTransport:
    """A transport that sends the writes of one event-loop turn in one system call."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._size = 0
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold ``data`` until the end of this turn (or send it now, with what is held, when
        the held bytes would pass :data:`HOLD_LIMIT`)."""
        if not data:
            return
        self._held.append(bytes(data))
        self._size += len(data)
        if self._size >= HOLD_LIMIT:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush_later)

    def writelines(self, chunks: Any) -> None:
        """Write each chunk (held like :meth:`write`)."""
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand the held writes to the socket now."""
        if not self._held:
            return
        held, self._held, self._size = self._held, [], 0
        if len(held) == 1:
            self._transport.write(held[0])
        else:
            self._transport.writelines(held)

    def _flush_later(self) -> None:
        self._scheduled = False
        if not self._transport.is_closing():
            self.flush()

    def get_write_buffer_size(self) -> int:
        """The transport's buffer and the held bytes."""
        return self._transport.get_write_buffer_size() + self._size

    def close(self) -> None:
        """Send what is held, then close."""
        if not self._transport.is_closing():
            self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is held and close at once."""
        self._held, self._size = [], 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a :class:`CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Wrap the connection's transport."""
        coalescing = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)  # type: ignore[arg-type]
