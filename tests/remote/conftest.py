"""Real SPARQL servers for the remote-backend tests.

An Oxigraph server process (PyPI ``oxigraph``, ``--union-default-graph``) is started on
127.0.0.1 and a free port for the session and stopped by its PID at the end. With
``QUALIFICA_TEST_VIRTUOSO=1`` the same tests also run against Virtuoso (``scripts/virtuoso.sh``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from qualifica_test_servers import Server, start_oxigraph, start_virtuoso

from qualifica.context import Context, ensure_bundled, open_context
from qualifica.store.remote import RemoteStore

BACKENDS = ["oxigraph", *(["virtuoso"] if os.environ.get("QUALIFICA_TEST_VIRTUOSO") == "1"
                          else [])]


@pytest.fixture(scope="session", params=BACKENDS)
def sparql_server(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real SPARQL server process for the session (one per backend)."""
    root = tmp_path_factory.mktemp(request.param)
    server = start_virtuoso(root) if request.param == "virtuoso" else start_oxigraph(root / "db")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def remote_bundled_ctx(sparql_server: Server,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A context over a remote store holding the bundled graph, loaded through the gate."""
    settings = sparql_server.settings(tmp_path_factory.mktemp("remote-ctx"), load_bundled=True)
    ctx = open_context(settings)
    ctx.store.clear()  # type: ignore[attr-defined]
    ensure_bundled(ctx)
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
