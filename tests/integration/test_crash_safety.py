"""Crash safety: a server killed (SIGKILL) in the middle of a large write leaves, once reopened,
all of that write or none of it — and everything written before it.

``qualifica serve`` runs as a real process over an on-disk store. A calibration write measures
how long a large write takes; then the same kind of write is killed at several points of that
span (parsing, validation, commit), the store is reopened and counted.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx
import pytest

from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import (
    QUALIFICA,
    answers_ok,
    crash_process,
    free_port,
    start_process,
    stop_process,
)

pytestmark = pytest.mark.slow

TOKEN = "crash-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROLE = """
<https://w3id.org/qualifica/id/role/crashrolle> a <https://w3id.org/qualifica/ontology#Role> ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> "Absturzrolle"@de , "Crash role"@en ;
  <http://purl.org/dc/terms/source> <https://example.org/source> .
"""
SUBJECTS = 10
PER_SUBJECT = 4000  # 40,000 triples per large write


def large_body(tag: str) -> bytes:
    lines = [
        f'<urn:crash:{tag}:{s}> <urn:crash:value> "{tag} {s} {i}" .'
        for s in range(SUBJECTS) for i in range(PER_SUBJECT)
    ]
    return ("\n".join(lines) + "\n").encode()


class Server:
    """``qualifica serve`` in its own process over ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir),
               "QUALIFICA_API_TOKENS": TOKEN, "QUALIFICA_LOAD_BUNDLED": "false",
               "QUALIFICA_MAX_BODY_BYTES": str(200 * 1024 * 1024),
               "QUALIFICA_LOG_LEVEL": "WARNING"}
        self.proc = start_process([str(QUALIFICA), "serve", "--port", str(self.port)],
                                  answers_ok(self.url + "/healthz"), what="qualifica serve",
                                  env=env, log=data_dir.parent / f"serve-{self.port}.log")

    def post(self, graph: str, body: bytes, content_type: str) -> httpx.Response:
        return httpx.post(self.url + "/graphs", params={"graph": graph}, content=body,
                          headers={"Content-Type": content_type, **AUTH}, timeout=300)

    def kill(self) -> None:
        crash_process(self.proc)  # its server processes too, which keep the store until ended

    def stop(self) -> None:
        stop_process(self.proc)


def stored_count(data_dir: Path) -> int:
    store = OxigraphStore(data_dir / "store")
    try:
        return store.count()
    finally:
        store.close()


def test_sigkill_mid_write_keeps_all_or_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    total = SUBJECTS * PER_SUBJECT

    # before: a small write that must survive every crash
    server = Server(data_dir)
    r = server.post("https://w3id.org/qualifica/graph/crash-before", ROLE.encode(), "text/turtle")
    assert r.status_code == 201, r.text
    # calibration: how long one large write takes, uninterrupted
    started = time.monotonic()
    r = server.post("https://w3id.org/qualifica/graph/crash-calibration", large_body("cal"),
                    "application/n-triples")
    span = time.monotonic() - started
    assert r.status_code == 201, r.text
    server.stop()
    before = stored_count(data_dir)
    assert before == 4 + 1 + total  # the role, its dcterms:modified, the calibration

    outcomes = []
    for i, fraction in enumerate((0.4, 0.8, 0.95)):
        server = Server(data_dir)
        body = large_body(f"w{i}")
        answer: dict[str, int] = {}

        def send(body: bytes = body, answer: dict[str, int] = answer,
                 server: Server = server, i: int = i) -> None:
            try:
                answer["status"] = server.post(
                    f"https://w3id.org/qualifica/graph/crash-{i}", body,
                    "application/n-triples").status_code
            except httpx.HTTPError:
                answer["status"] = -1

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(span * fraction)
        server.kill()
        thread.join(timeout=60)
        after = stored_count(data_dir)
        assert after in (before, before + total), (fraction, before, after)
        if answer.get("status") == 201:
            assert after == before + total  # an acknowledged write is durable
        outcomes.append(after == before + total)
        before = after
    # the server still works on the reopened store, and what was there before is intact
    server = Server(data_dir)
    try:
        health = httpx.get(server.url + "/healthz", timeout=10).json()
        assert health["quads"] == before
        role = httpx.get(server.url + "/graphs",
                         params={"graph": "https://w3id.org/qualifica/graph/crash-before"},
                         headers={"Accept": "application/n-triples"}, timeout=10)
        assert role.status_code == 200 and len(role.text.strip().splitlines()) == 4
    finally:
        server.stop()
    assert len(outcomes) == 3
