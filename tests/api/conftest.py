"""Fixtures of the API suites that write: the store backend (embedded, or a real Oxigraph
server process bound to 127.0.0.1 and stopped by its PID)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _servers() -> object:
    path = Path(__file__).resolve().parents[1] / "remote" / "qualifica_test_servers.py"
    spec = importlib.util.spec_from_file_location("qualifica_test_servers", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get("qualifica_test_servers") or importlib.util.module_from_spec(spec)
    if "qualifica_test_servers" not in sys.modules:
        sys.modules["qualifica_test_servers"] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["embedded", "oxigraph"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[object]:
    """``None`` for the embedded store, else a running Oxigraph server."""
    if request.param == "embedded":
        yield None
        return
    servers = _servers()
    server = servers.start_oxigraph(tmp_path_factory.mktemp("writes-ox") / "db")  # type: ignore[attr-defined]
    yield server
    server.stop()
