"""Fixtures of the API suites that write: the store backend (embedded, or a real Oxigraph
server process bound to 127.0.0.1 and stopped by its PID), and a writable in-memory copy of the
bundled graph with its app client (writes on with ``qualifica_testing.WRITE_TOKEN``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qualifica.context import Context
from qualifica_testing import (
    WRITE_TOKEN,
    Server,
    app_client,
    bundled_copy,
    start_oxigraph,
)


@pytest.fixture(scope="module", params=["embedded", pytest.param("oxigraph",
                                                                   marks=pytest.mark.remote)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Server | None]:
    """``None`` for the embedded store, else a running Oxigraph server."""
    if request.param == "embedded":
        yield None
        return
    server = start_oxigraph(tmp_path_factory.mktemp("writes-ox") / "db")
    yield server
    server.stop()


@pytest.fixture
def backend_copy(backend: Server | None, bundled_ctx: Context, tmp_path: Path
                 ) -> Iterator[Context]:
    """A fresh store holding the bundled graph (as loaded, stamps included) on each backend,
    writes on with ``WRITE_TOKEN``."""
    ctx = bundled_copy(bundled_ctx, tmp_path, backend, api_tokens=[WRITE_TOKEN])
    yield ctx
    ctx.close()


@pytest.fixture
def write_ctx(bundled_ctx: Context, tmp_path: Path) -> Iterator[Context]:
    """A fresh in-memory copy of the bundled graph, writes on (data folder ``tmp_path``)."""
    ctx = bundled_copy(bundled_ctx, tmp_path, api_tokens=[WRITE_TOKEN])
    yield ctx
    ctx.close()


@pytest.fixture
def write_client(write_ctx: Context) -> Iterator[TestClient]:
    """The app over :func:`write_ctx`."""
    with app_client(write_ctx) as client:
        yield client


@pytest.fixture
def lctx(tmp_path: Path) -> Iterator[Context]:
    """A fresh context over the linked-data test graph (``test_linkeddata.ld_context``) per
    test: the tests write."""
    from test_linkeddata import ld_context
    ctx = ld_context(tmp_path)
    yield ctx
    ctx.close()


@pytest.fixture
def lclient(lctx: Context) -> Iterator[TestClient]:
    """The app over :func:`lctx`."""
    with app_client(lctx) as client:
        yield client
