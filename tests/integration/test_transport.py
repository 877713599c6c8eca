"""The HTTP protocol of ``qualifica serve`` (``api.transport``) under a real uvicorn server: an
answer leaves in one write to the socket (uvicorn's own protocol needs two), a large answer's
head goes with its first bytes, a head without body (``HEAD``, a stream not ready yet) is not
held back, and an answer to ``Connection: close`` arrives whole before the connection closes."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from qualifica.api import transport
from qualifica.api.fastjson import FastJSONResponse
from qualifica_testing import LiveServer, answers_ok, wait_until

#: What reached each connection's socket: one list of writes per connection, in order.
WRITES: list[list[bytes]] = []


class Spy:
    """Stands between the protocol and the real transport and records every write."""

    def __init__(self, real: asyncio.Transport) -> None:
        self.real = real
        self.writes: list[bytes] = []
        WRITES.append(self.writes)

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.real.write(data)

    def writelines(self, chunks: Any) -> None:
        chunks = [bytes(c) for c in chunks]
        self.writes.append(b"".join(chunks))
        self.real.writelines(chunks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class SpiedServe(transport.HttpProtocol):
    """The protocol of ``serve``, over a recorded transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(Spy(transport))  # type: ignore[arg-type]


class SpiedUvicorn(HttpToolsProtocol):
    """uvicorn's own protocol, over a recorded transport (for comparison)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(Spy(transport))  # type: ignore[arg-type]


SMALL = {"items": [{"n": i, "label": f"Eintrag {i}"} for i in range(400)]}
LARGE = b"x" * 300_017


def app() -> FastAPI:
    api = FastAPI()
    release = anyio.Event()

    @api.api_route("/small", methods=["GET", "HEAD"])
    async def small() -> FastJSONResponse:
        return FastJSONResponse(SMALL)

    @api.get("/large")
    async def large() -> StreamingResponse:
        async def one() -> AsyncIterator[bytes]:
            yield LARGE
        return StreamingResponse(one(), media_type="application/octet-stream")

    @api.get("/held")
    async def held() -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            await release.wait()  # nothing to send with the head
            yield b"first\n"
        return StreamingResponse(parts(), media_type="text/plain")

    @api.post("/release")
    async def let_go() -> dict[str, bool]:
        release.set()
        return {"released": True}

    return api


def _start(server: LiveServer) -> LiveServer:
    server.thread.start()
    wait_until(answers_ok(server.url + "/small"), timeout=30, what="the test server")
    return server


@pytest.fixture(scope="module")
def served() -> Iterator[LiveServer]:
    server = _start(LiveServer(app(), http=SpiedServe))
    try:
        yield server
    finally:
        server.stop()


def _answers_on_one_connection(url: str, n: int) -> list[bytes]:
    """The writes that reached the socket for ``n`` answers on one kept-alive connection."""
    WRITES.clear()
    with httpx.Client(base_url=url, timeout=10) as c:
        for _ in range(n):
            response = c.get("/small", headers={"Accept-Encoding": "identity"})
            assert response.status_code == 200 and response.json() == SMALL
    assert len(WRITES) == 1  # one connection
    return WRITES[0]


def test_an_answer_leaves_in_one_write(served: LiveServer) -> None:
    writes = _answers_on_one_connection(served.url, 5)
    assert len(writes) == 5
    body = json.dumps(SMALL, separators=(",", ":")).encode()
    for write in writes:
        assert write.startswith(b"HTTP/1.1 200 OK\r\n")
        assert write.endswith(b"\r\n\r\n" + body)


def test_uvicorn_alone_writes_headers_and_body_apart() -> None:
    """The reason for ``api.transport``: the same answers under uvicorn's own protocol."""
    server = _start(LiveServer(app(), http=SpiedUvicorn))
    try:
        writes = _answers_on_one_connection(server.url, 3)
        assert len(writes) == 6
        assert all(w.startswith(b"HTTP/1.1 200 OK") for w in writes[::2])
        assert all(w.startswith(b"{") for w in writes[1::2])
    finally:
        server.stop()


def test_a_large_answer_leaves_with_its_head(served: LiveServer) -> None:
    WRITES.clear()
    with httpx.Client(base_url=served.url, timeout=10) as c:
        response = c.get("/large")
    assert response.content == LARGE
    writes = WRITES[0]
    assert writes[0].startswith(b"HTTP/1.1 200 OK")
    assert writes[0].endswith(LARGE + b"\r\n")  # the head and the one chunk
    assert writes[1:] == [b"0\r\n\r\n"]  # the end of the chunked answer


def test_a_head_alone_is_not_held_back(served: LiveServer) -> None:
    """The head of a stream whose first part waits arrives before it; so does a HEAD's."""
    WRITES.clear()
    with httpx.Client(base_url=served.url, timeout=5) as c:
        head = c.head("/small")
        assert head.status_code == 200 and head.content == b""
        with c.stream("GET", "/held") as response:
            assert response.status_code == 200  # the head, while the body waits (else: timeout)
            with httpx.Client(base_url=served.url, timeout=5) as other:
                assert other.post("/release").json() == {"released": True}
            assert response.read() == b"first\n"
    assert WRITES[0][0].startswith(b"HTTP/1.1 200 OK") and WRITES[0][0].endswith(b"\r\n\r\n")


def test_connection_close_gets_the_whole_answer(served: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
        sock.sendall(b"GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"connection: close" in head.lower()
    assert json.loads(body) == SMALL
