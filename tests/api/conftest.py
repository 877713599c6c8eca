"""Fixtures of the API suites that write: the store backend (embedded, or a real Oxigraph
server process bound to 127.0.0.1 and stopped by its PID)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qualifica_testing import Server, start_oxigraph


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
