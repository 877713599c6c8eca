"""Shared fixtures: settings, an in-memory context with the bundled graph, an app client, and a
real HTTP server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, ensure_bundled, open_context

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    with TestClient(app) as c:
        yield c


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


@pytest.fixture(scope="session")
def live_server(bundled_ctx: Context) -> Iterator[LiveServer]:
    """A real HTTP server over the bundled graph."""
    server = LiveServer(create_app(bundled_ctx.settings, context=bundled_ctx)).start()
    yield server
    server.stop()
