"""gzip when asked: compressed answers decompress to the plain ones, ``Vary`` names both
``Accept`` and ``Accept-Encoding``, ETags turn weak and still revalidate (304), HEAD stays
empty, the ``.gz`` dumps are not compressed twice, problems are compressed like any answer, and
files served with their checksum are sent as they are, and a streamed answer stays a stream
(chunk by chunk through the real middleware stack)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from collections.abc import AsyncIterator, Iterator

import anyio
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from qualifica.api import caching, compression

GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def api(client: TestClient) -> Iterator[TestClient]:
    yield client


def vary(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()}


def raw(client: TestClient, path: str, **headers: str):  # type: ignore[no-untyped-def]
    """The answer as sent (not decompressed by the client)."""
    with client.stream("GET", path, headers=headers) as response:
        body = b"".join(response.iter_raw())
    return response, body


@pytest.mark.parametrize(("path", "accept"), [
    ("/catalog", "text/turtle"),
    ("/catalog", "application/ld+json"),
    ("/id/role/prozessmanager", "text/html"),
    ("/id/role/prozessmanager", "text/turtle"),
    ("/api/roles?limit=100", "application/json"),
    ("/downloads/", "text/html"),
])
def test_compressed_when_asked(api: TestClient, path: str, accept: str) -> None:
    packed, body = raw(api, path, Accept=accept, **GZIP)
    plain, plain_body = raw(api, path, Accept=accept, **PLAIN)
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(body) == plain_body
    assert len(body) < len(plain_body)
    assert int(packed.headers["content-length"]) == len(body)
    assert packed.headers["content-type"] == plain.headers["content-type"]
    assert "accept-encoding" in vary(packed) and "accept-encoding" in vary(plain)
    if "accept" in vary(plain):  # negotiated answers keep varying on Accept
        assert "accept" in vary(packed)
    # the same entity tag: weak when compressed
    assert packed.headers["etag"] == "W/" + plain.headers["etag"]


def test_etags_revalidate_either_way(api: TestClient) -> None:
    packed, _ = raw(api, "/catalog", **GZIP)
    plain, _ = raw(api, "/catalog", **PLAIN)
    for tag in (packed.headers["etag"], plain.headers["etag"]):
        again = api.get("/catalog", headers={"If-None-Match": tag, **GZIP})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == packed.headers["etag"]
        assert "accept-encoding" in vary(again)
        plain_again = api.get("/catalog", headers={"If-None-Match": tag, **PLAIN})
        assert plain_again.status_code == 304
        assert plain_again.headers["etag"] == plain.headers["etag"]
    # another representation (JSON-LD) has another tag
    other = api.get("/catalog", headers={"Accept": "application/ld+json",
                                         "If-None-Match": packed.headers["etag"], **GZIP})
    assert other.status_code == 200


def test_head_has_no_body(api: TestClient) -> None:
    response, _ = raw(api, "/catalog", **GZIP)
    head = api.head("/catalog", headers=GZIP)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == response.headers["content-type"]


@pytest.mark.parametrize("name", ["qualifica.nt", "qualifica.ttl", "qualifica.nq.gz"])
def test_files_with_a_checksum_are_sent_as_they_are(api: TestClient, name: str) -> None:
    """A dump is sent as the bytes its ``Repr-Digest`` (and the catalog) names, gzip asked for
    or not; its compressed copy is a download of its own."""
    response, body = raw(api, f"/downloads/{name}", **GZIP)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert int(response.headers["content-length"]) == len(body)


def test_small_answers_and_gzip_files_pass_as_they_are(api: TestClient) -> None:
    small, body = raw(api, "/healthz", **GZIP)
    assert "content-encoding" not in small.headers and body.startswith(b"{")
    dump, packed = raw(api, "/downloads/qualifica.nt.gz", **GZIP)
    assert dump.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in dump.headers  # not compressed twice
    nt, _ = raw(api, "/downloads/qualifica.nt", **PLAIN)
    assert gzip.decompress(packed) == api.get("/downloads/qualifica.nt").content
    assert nt.headers["content-type"].startswith("application/n-triples")


def test_problems_are_compressed_too(api: TestClient) -> None:
    bad = {"role": "prozessmanager", "have": [{"competency": 1, "level": "x"}] * 50}
    with api.stream("POST", "/api/gap", json=bad, headers=GZIP) as response:
        body = b"".join(response.iter_raw())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["content-encoding"] == "gzip"
    problem = json.loads(gzip.decompress(body))
    assert problem["status"] == 422 and len(problem["errors"]) >= 50


def test_a_stream_stays_a_stream() -> None:
    """Chunks of a streamed answer larger than the ETag buffer leave the app one by one, each
    compressed and flushed, and together decompress to the whole body."""
    chunks = [bytes([65 + i]) * 40_000 for i in range(5)]

    async def produce() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    app = FastAPI()

    @app.get("/stream")
    def stream() -> StreamingResponse:
        return StreamingResponse(produce(), media_type="text/plain")

    app.add_middleware(caching.ETagMiddleware, max_buffer=50_000)
    compression.install(app)

    sent: list[dict[str, object]] = []

    requested = False

    async def receive() -> dict[str, object]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await anyio.sleep_forever()  # the client stays connected (until cancelled)
        raise AssertionError("unreachable")

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/stream", "raw_path": b"/stream",
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("localhost", 80), "client": ("127.0.0.1", 1234),
             "headers": [(b"host", b"localhost"), (b"accept-encoding", b"gzip")]}
    anyio.run(app, scope, receive, send)  # type: ignore[arg-type]

    start = sent[0]
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
    assert headers["content-encoding"] == "gzip"
    assert "content-length" not in headers
    bodies = [m for m in sent[1:] if m["type"] == "http.response.body"]
    nonempty = [m for m in bodies if m.get("body")]
    assert len(nonempty) >= 3  # not gathered into one body
    assert all(m.get("more_body") for m in bodies[:-1])
    whole = b"".join(m.get("body", b"") for m in bodies)  # type: ignore[misc]
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    first = decoder.decompress(nonempty[0]["body"])  # type: ignore[arg-type]
    assert first  # each flushed chunk decodes as it comes
    assert first + decoder.decompress(whole[len(nonempty[0]["body"]):]) == b"".join(chunks)  # type: ignore[arg-type]



def test_compressed_at_the_fast_level(api: TestClient) -> None:
    """The deflate stream is zlib's at ``compression.LEVEL`` (3: measured about half the CPU
    of level 6 on the planning answers, docs/performance.md), not Starlette's default 9."""
    packed, body = raw(api, "/api/competencies/digcomp-4-2/roles", **GZIP)
    _, plain_body = raw(api, "/api/competencies/digcomp-4-2/roles", **PLAIN)
    assert packed.headers["content-encoding"] == "gzip" and len(plain_body) > 4096

    def deflate(level: int) -> bytes:
        z = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
        return z.compress(plain_body) + z.flush()

    assert compression.LEVEL == 3
    assert body[10:-8] == deflate(3)  # past the gzip header, before its CRC and size
    assert body[10:-8] != deflate(9)
