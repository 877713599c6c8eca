"""A real ``qualifica serve`` process over an on-disk store, and a canary HTTP endpoint on
127.0.0.1 that records every request reaching it: the hostile-input suite attacks the first and
watches the second."""

from __future__ import annotations

import http.server
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

from qualifica_testing import free_port

TOKEN = "hostile-suite-token"


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


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("hostile")
    port = free_port()
    env = {
        **os.environ,
        "QUALIFICA_DATA_DIR": str(data_dir),
        "QUALIFICA_API_TOKENS": TOKEN,
        "QUALIFICA_QUERY_TIMEOUT_S": "2",
        "QUALIFICA_QUERY_WORKERS": "2",
        "QUALIFICA_WORKER_MEMORY_MB": "1024",
        "QUALIFICA_LOG_LEVEL": "WARNING",
    }
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
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
    yield srv
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
