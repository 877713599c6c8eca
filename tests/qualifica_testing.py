"""Test support shared by the suites: free ports and a real uvicorn server in a thread."""

from __future__ import annotations

import functools
import socket
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn

from qualifica.config import PROJECT_ROOT, Settings
from qualifica.context import Context, open_context
from qualifica.namespaces import GRAPH
from qualifica.sparql.registry import Registry

#: The base URL of in-process test clients: a host the server trusts by default (Starlette's
#: ``TestClient`` would send ``Host: testserver``, which ``QUALIFICA_TRUSTED_HOSTS`` refuses).
LOCAL = "http://localhost"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A uvicorn server in a thread on 127.0.0.1 and a free port."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the test server did not start within 30 s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


REST_GRAPH_FILE = Path(__file__).resolve().parent / "api" / "rest-graph.ttl"


def load_rest_graph(ctx: Context) -> None:
    """Load the small REST test graph (``tests/api/rest-graph.ttl``) into its own named graph."""
    g = ox.NamedNode(GRAPH + "rest-test")
    triples = ox.parse(path=str(REST_GRAPH_FILE), format=ox.RdfFormat.TURTLE)
    ctx.store.add([ox.Quad(t.subject, t.predicate, t.object, g) for t in triples])


def rest_graph_context(data_dir: Path) -> Context:
    """An in-memory context holding only the REST test graph."""
    ctx = open_context(Settings(in_memory=True, load_bundled=False, data_dir=data_dir))
    load_rest_graph(ctx)
    return ctx


@functools.cache
def library() -> dict[str, str]:
    """The texts of ``queries/lib`` (what stores and the gate are given by the registry)."""
    return Registry(PROJECT_ROOT / "queries").library()
