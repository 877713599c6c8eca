"""Real SPARQL servers for the remote-backend tests.

An Oxigraph server process (PyPI ``oxigraph``, ``--union-default-graph``) is started on
127.0.0.1 and a free port for the session and stopped by its PID at the end. With
``QUALIFICA_TEST_VIRTUOSO=1`` the same tests also run against Virtuoso (``scripts/virtuoso.sh``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from qualifica.context import Context, open_context
from qualifica.store.remote import RemoteStore
from qualifica.store.stamps import MODIFIED_GRAPH
from qualifica.validation.gate import ensure_bundled
from qualifica_testing import Server, start_oxigraph, start_virtuoso

BACKENDS = ["oxigraph", "oxigraph-explicit",
            *(["virtuoso"] if os.environ.get("QUALIFICA_TEST_VIRTUOSO") == "1" else [])]
FOREIGN_GRAPH = "urn:x-other-application:graph"
"""A graph of another application on the same server: explicit dataset mode must not see it."""


@pytest.fixture(scope="session", params=BACKENDS)
def sparql_server(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real SPARQL server process for the session (one per backend)."""
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "virtuoso":
        server = start_virtuoso(root)
    else:
        server = start_oxigraph(root / "db", union=request.param == "oxigraph")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def remote_bundled_ctx(sparql_server: Server, bundled_ctx: Context,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A context over a remote store holding the bundled graph, loaded through the gate; its
    stamps (``dcterms:modified``, the moment of the load) are then made those of the embedded
    ``bundled_ctx``, so that both backends answer the same."""
    settings = sparql_server.settings(tmp_path_factory.mktemp("remote-ctx"), load_bundled=True)
    ctx = open_context(settings)
    ctx.store.clear()
    if sparql_server.dataset == "explicit":
        # the server also holds another application's graph and a triple in its own default graph
        foreign = "<urn:x-other:s> <urn:x-other:p> \"other\""
        httpx.post(sparql_server.update,
                   data={sparql_server.update_param or "update":
                         f"INSERT DATA {{ GRAPH <{FOREIGN_GRAPH}> {{ {foreign} }} {foreign} }}"},
                   timeout=30).raise_for_status()
    ensure_bundled(ctx)
    loaded = list(ctx.store.quads(graph=MODIFIED_GRAPH))
    embedded = list(bundled_ctx.store.quads(graph=MODIFIED_GRAPH))
    assert {q.subject for q in loaded} == {q.subject for q in embedded}
    ctx.store.apply(loaded, embedded)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def scratch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second Oxigraph server for tests that write (cleared by ``scratch_store``)."""
    server = start_oxigraph(tmp_path_factory.mktemp("scratch") / "db")
    yield server
    server.stop()


@pytest.fixture
def scratch_store(scratch_server: Server) -> Iterator[RemoteStore]:
    """An empty remote store."""
    store = scratch_server.store()
    store.clear()
    yield store
    store.close()
