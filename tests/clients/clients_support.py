"""A real ``qualifica serve`` process for the clients suite (imported by the test modules under
this name: ``conftest`` is the name of every suite's fixture module).

``served`` is one server process for the whole suite: the bundled graph in an in-memory store,
writes allowed with ``TOKEN``, bound to 127.0.0.1 and a free port, stopped by its PID.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qualifica_testing import answers_ok, free_port, start_process, stop_process

TOKEN = "clients-suite-token"


@dataclass(frozen=True)
class Served:
    """A running ``qualifica serve``: its base URL and the write token."""

    url: str
    token: str
    log: Path

    @property
    def sparql(self) -> str:
        """The SPARQL query endpoint."""
        return self.url + "/sparql"

    @property
    def update(self) -> str:
        """The SPARQL update endpoint."""
        return self.url + "/sparql/update"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``qualifica serve`` over the bundled graph (in memory), writes allowed with ``TOKEN``."""
    data_dir = tmp_path_factory.mktemp("clients")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir), "QUALIFICA_IN_MEMORY": "true",
           "QUALIFICA_API_TOKENS": TOKEN, "QUALIFICA_QUERY_WORKERS": "1",
           "QUALIFICA_LOG_LEVEL": "WARNING"}
    log = data_dir / "server.log"
    process = start_process(
        [sys.executable, "-m", "qualifica", "serve", "--host", "127.0.0.1", "--port", str(port)],
        answers_ok(url + "/healthz"), what="qualifica serve", timeout=120, log=log, env=env)
    yield Served(url, TOKEN, log)
    stop_process(process)
