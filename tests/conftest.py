"""Shared fixtures: settings, an in-memory context with the bundled graph, an app client, and a
real HTTP server on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.validation.gate import ensure_bundled
from qualifica_testing import LOCAL, LiveServer

ROOT = Path(__file__).resolve().parents[1]

# Property and fuzz tests draw the same inputs on every run of the suite, so that a failure is
# reproducible and a landing is never decided by luck; `pytest --hypothesis-profile=explore`
# draws fresh ones (run it to look for new findings, and keep each as a regression test).
hypothesis_settings.register_profile("suite", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile("suite")
TEST_DATA = ROOT / "tests" / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """In-memory settings that load nothing by themselves."""
    return Settings(in_memory=True, load_bundled=False, data_dir=tmp_path)


@pytest.fixture
def empty_ctx(settings: Settings) -> Iterator[Context]:
    """A context over an empty in-memory store."""
    ctx = open_context(settings)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def bundled_ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """One in-memory context with the bundled graph, shared by read-only tests."""
    s = Settings(in_memory=True, load_bundled=True,
                 data_dir=tmp_path_factory.mktemp("bundled"))
    ctx = open_context(s)
    ensure_bundled(ctx)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def client(bundled_ctx: Context) -> Iterator[TestClient]:
    """An in-process client over the bundled graph (read-only use)."""
    app = create_app(bundled_ctx.settings, context=bundled_ctx)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(bundled_ctx: Context) -> Iterator[LiveServer]:
    """A real HTTP server over the bundled graph."""
    server = LiveServer(create_app(bundled_ctx.settings, context=bundled_ctx)).start()
    yield server
    server.stop()
