"""Real SPARQL server processes for tests: Oxigraph (PyPI ``oxigraph``) and Virtuoso.

Each server is bound to 127.0.0.1 on a free port, waited for (bounded) and stopped by its PID.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from qualifica.config import Settings
from qualifica.store.remote import RemoteStore
from qualifica_testing import library

ROOT = Path(__file__).resolve().parents[2]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running SPARQL server: its endpoints and how to stop it."""

    name: str
    query: str
    update: str
    process: subprocess.Popen[bytes] | None = None
    update_param: str | None = None
    dataset: str = "union"
    env: dict[str, str] | None = None
    """Environment of ``scripts/virtuoso.sh`` (Virtuoso only)."""

    def settings(self, tmp: Path, **extra: object) -> Settings:
        return Settings(
            sparql_endpoint=self.query,
            sparql_update_endpoint=self.update,
            sparql_update_param=self.update_param,
            sparql_dataset=self.dataset,  # type: ignore[arg-type]
            data_dir=tmp,
            **extra,  # type: ignore[arg-type]
        )

    def store(self) -> RemoteStore:
        """A remote store over this server, as the settings describe it."""
        return RemoteStore(self.query, update_endpoint=self.update, library=library(),
                           update_param=self.update_param, dataset_mode=self.dataset)

    def stop(self) -> None:
        if self.env is not None:
            stop_virtuoso(self)
            return
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_oxigraph(location: Path, *, union: bool = True) -> Server:
    """An Oxigraph server on a free loopback port; waits (bounded) until it answers.

    ``union=False`` starts it without ``--union-default-graph`` and the store in explicit
    dataset mode (as for Fuseki without ``unionDefaultGraph``)."""
    port = free_port()
    log = (location.parent / f"oxigraph-{port}.log").open("wb")
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         *(["--union-default-graph"] if union else [])],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    server = Server("oxigraph", f"{base}/query", f"{base}/update", proc,
                    dataset="union" if union else "explicit")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the oxigraph server exited with {proc.returncode}")
        try:
            r = httpx.post(server.query, data={"query": "ASK {}"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=2)
            if r.status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError("the oxigraph server did not answer within 30 s")


def start_virtuoso(root: Path) -> Server:
    """Virtuoso through ``scripts/virtuoso.sh`` (bound to 127.0.0.1, system graphs private), in
    union-filtered dataset mode (a dataset in the request loses rows of property paths);
    stopped by PID if the start fails."""
    port = free_port()
    env = {**os.environ, "VIRTUOSO_DIR": str(root), "VIRTUOSO_HTTP_PORT": str(port),
           "VIRTUOSO_SQL_PORT": str(free_port())}
    url = f"http://127.0.0.1:{port}/sparql"
    server = Server("virtuoso", url, url, None, update_param="query",
                    dataset="union-filtered", env=env)
    try:
        subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "start"], env=env,
                       check=True, timeout=120)
    except BaseException:
        stop_virtuoso(server)
        raise
    return server


def stop_virtuoso(server: Server) -> None:
    """Stop a Virtuoso started by ``start_virtuoso`` (by the PID its script recorded)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "stop"],
                   env=server.env, check=False, timeout=60)
