"""The HTTP protocol of ``qualifica serve``: uvicorn's httptools protocol, one write per answer.

uvicorn writes the status line and headers of an answer to the socket as soon as the app sends
``http.response.start``, and the body with the next message: two ``send`` calls, two TCP
segments, and a client that wakes up for the headers only to wait again for the body.
:class:`CoalescingTransport` holds the head of an answer (a write that starts with the status
line) and sends it together with the first body bytes, in one ``writev``
(``transport.writelines``); the app's answers are sent whole (the ETag middleware buffers them
to hash them), so an answer leaves in one write. A head with no body bytes following in the same
turn of the event loop (a ``304``, a ``HEAD``, a stream whose first part is not ready yet) goes
out at the end of that turn (``loop.call_soon``), or at once with an empty write, ``close`` or
``abort``. Every other write passes through as it is.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: The protocol for ``uvicorn.Config(http=...)``, as an import string (the worker processes of
#: ``serve --workers`` are spawned with a pickled config).
PROTOCOL = "qualifica.api.transport:HttpProtocol"

_STATUS_LINE = b"HTTP/"


class CoalescingTransport:
    """A transport that sends the head of an answer with its first body bytes."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold the head of an answer; send it with the next bytes written."""
        head = self._head
        if head is not None:
            self._head = None
            if data:
                self._transport.writelines((head, data))
            else:
                self._transport.write(head)
        elif data[:5] == _STATUS_LINE:
            self._head = bytes(data)
            self._loop.call_soon(self.flush)
        elif data:
            self._transport.write(data)

    def writelines(self, chunks: Any) -> None:
        """Write each chunk as :meth:`write` does."""
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Send a head that is still held."""
        head, self._head = self._head, None
        if head is not None and not self._transport.is_closing():
            self._transport.write(head)

    def get_write_buffer_size(self) -> int:
        """The transport's buffer and a held head."""
        return self._transport.get_write_buffer_size() + len(self._head or b"")

    def close(self) -> None:
        """Send a held head, then close."""
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop a held head and close at once."""
        self._head = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a :class:`CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Wrap the connection's transport."""
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
