"""A real ``qualifica serve`` process over an on-disk store, and a canary HTTP endpoint on
127.0.0.1 that records every request reaching it: the hostile-input suite attacks the first and
watches the second."""

from __future__ import annotations

import csv
import hashlib
import http.server
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from qualifica.store.stamps import MODIFIED_GRAPH
from qualifica_testing import free_port

TOKEN = "hostile-suite-token"
ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@dataclass
class Canary:
    """An HTTP endpoint that answers like a SPARQL server and records who called it."""

    url: str
    hits: list[str] = field(default_factory=list)


@dataclass
class Server:
    """The server under attack."""

    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: Path

    @property
    def alive(self) -> bool:
        """The process is still running."""
        return self.process.poll() is None

    def client(self, timeout: float = 30.0) -> httpx.Client:
        """A client for the server."""
        return httpx.Client(base_url=self.url, timeout=timeout)

    def auth(self) -> dict[str, str]:
        """The write token's header."""
        return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            hits.append(f"{self.command} {self.path}")
            body = (b'{"head":{"vars":["s"]},"results":{"bindings":'
                    b'[{"s":{"type":"literal","value":"INTERNAL-SECRET"}}]}}')
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Canary(f"http://127.0.0.1:{server.server_address[1]}", hits)
    server.shutdown()


def start_server(data_dir: Path) -> Server:
    """Start ``qualifica serve`` over an on-disk store in ``data_dir`` (bundled graph loaded,
    writes allowed with ``TOKEN``, 2 s query deadline, two sandbox workers per process) and wait
    until it answers ``/healthz``."""
    port = free_port()
    env = {
        **os.environ,
        "QUALIFICA_DATA_DIR": str(data_dir),
        "QUALIFICA_API_TOKENS": TOKEN,
        "QUALIFICA_QUERY_TIMEOUT_S": "2",
        "QUALIFICA_QUERY_WORKERS": "4",  # two sandbox workers in each server process
        "QUALIFICA_WORKER_MEMORY_MB": "1024",
        "QUALIFICA_LOG_LEVEL": "WARNING",
    }
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            # The default number of server processes (one per core): the store probes below
            # may reach any of them, and each names the same data by the same ETag.
            [sys.executable, "-m", "qualifica", "serve", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    srv = Server(f"http://127.0.0.1:{port}", process, data_dir, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(srv.url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if not srv.alive:
            raise RuntimeError("the server died on start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the server did not start within 120 s")
    return srv


def stop_server(srv: Server) -> None:
    """Stop a server started by ``start_server`` (and only that process)."""
    srv.process.terminate()
    try:
        srv.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        srv.process.kill()
        srv.process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server every hostile test attacks; tests that may change its store leave it as they
    found it (see ``unchanged``)."""
    srv = start_server(tmp_path_factory.mktemp("hostile"))
    yield srv
    stop_server(srv)


def measure(srv: Server, query: str, accept: str = "application/sparql-results+json"
            ) -> httpx.Response:
    """Run a query the tests measure the store with (not a request under test), trying again
    when the machine is busy: its 2 s deadline can pass (503), or its sandbox worker can end on
    it (400 "Request aborted"; seen under load when the worker's native code could not start a
    thread: "Resource temporarily unavailable"). The answer must be a 200."""
    deadline = time.monotonic() + 120
    with srv.client() as c:
        while True:
            r = c.post("/sparql", data={"query": query}, headers={"Accept": accept})
            if r.status_code != 503 and not (
                    r.status_code == 400 and r.json().get("title") == "Request aborted"):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(1)  # a replacement sandbox worker may still be starting
    assert r.status_code == 200, r.text
    return r


def fingerprint(srv: Server, *, outside: str | None = None) -> str:
    """A hash of every quad in the store's named graphs (order-independent); with ``outside``,
    of those in graphs whose IRI does not start with it, and not of the stamps (an accepted
    write in such a graph stamps the resources it touches, wherever they are described).

    The server runs several processes: one that has not yet followed the last write (a large
    one on a busy machine takes it longer than a request waits) answers from the state before.
    So the hash is read until three reads in a row agree (bounded: 60 s)."""
    deadline = time.monotonic() + 60
    seen = [_fingerprint_once(srv, outside)]
    while (len(seen) < 3 or len(set(seen[-3:])) > 1) and time.monotonic() < deadline:
        time.sleep(0.1)
        seen.append(_fingerprint_once(srv, outside))
    return seen[-1]


def _fingerprint_once(srv: Server, outside: str | None) -> str:
    r = measure(srv, ALL_QUADS, "text/csv")
    rows = list(csv.reader(io.StringIO(r.text, newline="")))[1:]
    lines = sorted("\t".join(row) for row in rows
                   if outside is None or not (row[0].startswith(outside)
                                              or row[0] == MODIFIED_GRAPH))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest() + f":{len(lines)}"


def store_tag(srv: Server) -> str:
    """A cheap probe of the store's state: the ``ETag`` of ``/healthz`` hashes the store's
    generation (one more on every committed write) and its quad count."""
    with srv.client() as c:
        r = c.get("/healthz")
    assert r.status_code == 200, r.text
    tag = r.headers.get("etag")
    assert tag, "/healthz carries no ETag"
    return tag


def assert_up(srv: Server, canary: Canary, hits_before: int) -> None:
    """The server process is alive, answers ``/healthz`` and nothing reached the canary."""
    assert srv.alive, srv.log.read_text()[-3000:]
    with srv.client() as c:
        assert c.get("/healthz").status_code == 200
    assert canary.hits[hits_before:] == []


@pytest.fixture
def unchanged(server: Server, canary: Canary) -> Iterator[None]:
    """The test leaves the store as it found it, the server up and the canary untouched."""
    before = fingerprint(server)
    hits = len(canary.hits)
    yield
    assert_up(server, canary, hits)
    assert fingerprint(server) == before


def report_line(config: pytest.Config, line: str) -> None:
    """Write ``line`` to the terminal, past output capturing (the fuzzing modules print the
    figures of their run this way)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is None:
        reporter.write_line(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(line)


def worker_deaths(srv: Server) -> int:
    """How many sandbox workers ended on a job so far (a crash or their memory limit), as the
    server logs them; workers stopped at a deadline are counted by the 503 answers instead."""
    return srv.log.read_text(errors="replace").count("a sandbox worker ended on a job")
