"""Support shared by the test suites and the benchmarks: loopback ports, servers and test data.

* Ports and processes: :func:`free_port`, :func:`loopback_socket`, :func:`wait_until`,
  :func:`start_process`, :func:`stop_process` and :func:`crash_process` (every process is
  stopped by its own PID).
* Servers: :class:`LiveServer` (the app under uvicorn in a thread), :func:`start_oxigraph` and
  :func:`start_virtuoso` (real SPARQL servers, described by :class:`Server`).
* Data: :func:`load_graph` (an RDF file into one named graph), the small planning graph
  (:func:`planning_context`), the REST test graph (:func:`rest_graph_context`) and the seeded
  benchmark generator (:func:`bench_generator`).
* Writable copies: :func:`empty_store` (in memory or on a server) and :func:`bundled_copy` (a
  context over a copy of the bundled graph), served by :func:`app_client`.

The test suites import it as ``qualifica_testing`` (``tests/`` is on ``sys.path`` under pytest);
the benchmarks put ``tests/`` on ``sys.path`` first. Every server binds to 127.0.0.1.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pyoxigraph as ox
import uvicorn
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Quad

from qualifica.api import create_app
from qualifica.api.transport import PROTOCOL as HTTP_PROTOCOL
from qualifica.config import PROJECT_ROOT, Settings
from qualifica.context import Context, open_context
from qualifica.namespaces import GRAPH, ID
from qualifica.sparql.registry import Registry
from qualifica.store.base import Store
from qualifica.store.follower import FollowerStore, Publisher
from qualifica.store.oxigraph import OxigraphStore
from qualifica.store.remote import RemoteStore

#: The base URL of in-process test clients: a host the server trusts by default (Starlette's
#: ``TestClient`` would send ``Host: testserver``, which ``QUALIFICA_TRUSTED_HOSTS`` refuses).
LOCAL = "http://localhost"

WRITE_TOKEN = "write-token-for-tests"
"""An API token for test apps that take writes (sent as :data:`WRITE_AUTH`)."""
WRITE_AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"
BIN = Path(sys.executable).parent
OXIGRAPH = BIN / "oxigraph"
"""The Oxigraph server binary of the PyPI package ``oxigraph`` (a test dependency)."""
QUALIFICA = BIN / "qualifica"

# --- ports and processes -------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers in other processes).

    The port is released before the caller binds it; in-process servers use
    :func:`loopback_socket` instead, which keeps it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def loopback_socket() -> socket.socket:
    """A TCP socket bound to 127.0.0.1 and a free port, to be handed to a server as it is
    (no window in which another process could take the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def wait_until(ready: Callable[[], bool], *, timeout: float, what: str,
               process: subprocess.Popen[bytes] | None = None, interval: float = 0.1) -> None:
    """Poll ``ready`` until it is true; ``RuntimeError`` after ``timeout`` seconds or as soon as
    ``process`` has exited. ``httpx`` errors count as not ready."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} during start-up")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {timeout:g} s")
        time.sleep(interval)


def answers_ok(url: str) -> Callable[[], bool]:
    """A readiness check: ``GET url`` answers 200."""
    return lambda: httpx.get(url, timeout=2).status_code == 200


def stop_process(process: subprocess.Popen[Any], timeout: float = 30) -> None:
    """Stop a process we started: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from ``/proc``; none where it is missing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _ended(pid: int) -> bool:
    """Whether process ``pid`` has ended (gone, or a zombie no one has reaped yet: its files and
    locks are released either way)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def crash_process(process: subprocess.Popen[Any], timeout: float = 30) -> None:
    """Kill a process we started as a crash would (SIGKILL, no clean shut-down) and wait until
    it and its children have ended: the server processes of ``qualifica serve --workers`` are
    killed by the kernel when their supervisor dies, a moment after it, and keep the store's
    lock until they have ended."""
    if process.poll() is not None:
        return
    children = _children(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)
    wait_until(lambda: all(_ended(pid) for pid in children), timeout=timeout,
               what=f"the children {children} of the killed process {process.pid}", interval=0.05)


def start_process(command: Sequence[str], ready: Callable[[], bool], *, what: str,
                  timeout: float = 60, log: Path | None = None,
                  env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start ``command`` and wait (bounded) until ``ready``; output goes to ``log`` (or is
    discarded). A process that does not get ready is stopped before the error is raised."""
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                                   env=None if env is None else dict(env))
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]  # the child holds its own descriptor
    try:
        wait_until(ready, timeout=timeout, what=what, process=process)
    except BaseException:
        stop_process(process, timeout=10)
        raise
    return process


def writer_and_reader(tmp_path: Path, first: Iterable[Quad]
                      ) -> tuple[OxigraphStore, Publisher, FollowerStore]:
    """An on-disk store holding ``first`` that publishes its commits into ``tmp_path/shared``
    (the writing process of ``serve --workers``), and a store following it (a reading one)."""
    store = OxigraphStore(tmp_path / "store")
    store.add(first)
    folder = tmp_path / "shared"
    folder.mkdir()
    publisher = Publisher(store, folder, retain_s=3600)
    publisher.start()
    follower = FollowerStore(folder)
    follower.wait_for_writer(5)
    return store, publisher, follower


# --- the app in a thread -------------------------------------------------------------------------


class LiveServer:
    """The app under uvicorn in a thread, on a socket bound to 127.0.0.1 and a free port, with
    the HTTP protocol of ``qualifica serve`` (``api.transport``) unless ``http`` names another."""

    def __init__(self, app: object, http: object = HTTP_PROTOCOL) -> None:
        self.socket = loopback_socket()
        self.port = int(self.socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", http=http)  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.socket]}, daemon=True)

    def start(self, timeout: float = 30) -> LiveServer:
        """Start the thread and wait (bounded) until ``/healthz`` answers."""
        self.thread.start()
        wait_until(answers_ok(self.url + "/healthz"), timeout=timeout, what="the test server")
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread (bounded)."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


# --- SPARQL servers ------------------------------------------------------------------------------


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
        """Settings of a remote store over this server (data folder ``tmp``)."""
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
        """Stop the server (by its PID, or through the Virtuoso script)."""
        if self.env is not None:
            stop_virtuoso(self)
        elif self.process is not None:
            stop_process(self.process, timeout=10)


def _sparql_answers(query_url: str) -> Callable[[], bool]:
    return lambda: httpx.post(query_url, data={"query": "ASK {}"},
                              headers={"Accept": "application/sparql-results+json"},
                              timeout=2).status_code == 200


def start_oxigraph(location: Path, *, union: bool = True, timeout: float = 30) -> Server:
    """An Oxigraph server over the store folder ``location`` (created when missing, served as
    it is when it exists) on a free loopback port; waits (bounded) until it answers.

    ``union=False`` starts it without ``--union-default-graph`` and the store in explicit
    dataset mode (as for Fuseki without ``unionDefaultGraph``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_process(
        [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
         *(["--union-default-graph"] if union else [])],
        _sparql_answers(f"{base}/query"), what="the oxigraph server", timeout=timeout,
        log=location.parent / f"oxigraph-{port}.log",
    )
    return Server("oxigraph", f"{base}/query", f"{base}/update", process,
                  dataset="union" if union else "explicit")


def oxigraph_load(location: Path, file: Path) -> None:
    """Bulk-load an RDF file into the Oxigraph store folder ``location`` (``oxigraph load``)."""
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(file)],
                   check=True, capture_output=True, timeout=3600)


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
    """Stop a Virtuoso started by :func:`start_virtuoso` (by the PID its script recorded)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "stop"],
                   env=server.env, check=False, timeout=60)


# --- test data -----------------------------------------------------------------------------------

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
            ".nq": ox.RdfFormat.N_QUADS}


def load_graph(store: Store, path: Path, graph: str, *, bulk: bool = False) -> None:
    """Load the triples of an RDF file (``.ttl``, ``.nt``) into the named graph ``graph``.

    ``bulk=True`` streams them into an ``OxigraphStore`` without a transaction (benchmark
    graphs of hundreds of thousands of triples); otherwise one ``store.add``."""
    g = ox.NamedNode(graph)
    quads = (ox.Quad(t.subject, t.predicate, t.object, g)
             for t in ox.parse(path=str(path), format=_FORMATS[path.suffix]))
    if bulk:
        if not isinstance(store, OxigraphStore):
            raise TypeError("bulk loading needs an OxigraphStore")
        store.bulk_add(quads)
    else:
        store.add(quads)


def role_turtle(slug: str, label_de: str, label_en: str, *, definition: bool = True) -> str:
    """Turtle of a new role ``…/id/role/{slug}`` that passes the write gate: labels in German and
    English, a definition in both (one line, unless ``definition=False``) and a source."""
    lines = [f'<https://w3id.org/qualifica/id/role/{slug}> a qd:Role ;',
             f'  skos:prefLabel "{label_de}"@de , "{label_en}"@en ;']
    if definition:
        lines.append('  skos:definition "Eine Rolle für Tests."@de , "A role for tests."@en ;')
    lines.append("  dcterms:source <https://www.bmi.bund.de/> .")
    return ("\n@prefix qd: <https://w3id.org/qualifica/ontology#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            "@prefix dcterms: <http://purl.org/dc/terms/> .\n" + "\n".join(lines) + "\n")


def empty_store(backend: Server | None, data_dir: Path,
                **settings: Any) -> tuple[Settings, Store]:
    """Settings (``settings`` added, nothing loaded by itself) and an empty store: a new
    in-memory one for ``backend=None``, else the server's, cleared."""
    if backend is None:
        return (Settings(in_memory=True, load_bundled=False, data_dir=data_dir, **settings),
                OxigraphStore(None))
    store = backend.store()
    store.clear()
    return backend.settings(data_dir, load_bundled=False, **settings), store


def bundled_copy(bundled: Context, data_dir: Path, backend: Server | None = None,
                 **settings: Any) -> Context:
    """A context over a copy of the bundled graph in an :func:`empty_store` (in memory, or on
    ``backend``), with the bundled context's queries: a test may write to it."""
    config, store = empty_store(backend, data_dir, **settings)
    store.add(bundled.store.quads())
    return Context(settings=config, store=store, registry=bundled.registry)


def app_client(ctx: Context) -> TestClient:
    """An in-process client of the app over ``ctx`` (use it as a context manager)."""
    return TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL)


def memory_context(data_dir: Path) -> Context:
    """An empty in-memory context that loads nothing by itself."""
    return open_context(Settings(in_memory=True, load_bundled=False, data_dir=data_dir))


PLANNING_GRAPH_FILE = TEST_DATA / "planning" / "small.ttl"
PLANNING_GRAPH = GRAPH + "small"


def planning_context(data_dir: Path) -> Context:
    """An in-memory context holding only the small planning graph
    (``tests/data/planning/small.ttl``) in the graph ``…/graph/small``."""
    ctx = memory_context(data_dir)
    load_graph(ctx.store, PLANNING_GRAPH_FILE, PLANNING_GRAPH)
    return ctx


REST_GRAPH_FILE = ROOT / "tests" / "api" / "rest-graph.ttl"


def load_rest_graph(ctx: Context) -> None:
    """Load the small REST test graph (``tests/api/rest-graph.ttl``) into its own named graph."""
    load_graph(ctx.store, REST_GRAPH_FILE, GRAPH + "rest-test")


def rest_graph_context(data_dir: Path) -> Context:
    """An in-memory context holding only the REST test graph."""
    ctx = memory_context(data_dir)
    load_rest_graph(ctx)
    return ctx


@functools.cache
def library() -> dict[str, str]:
    """The texts of ``queries/lib`` (what stores and the gate are given by the registry)."""
    return Registry(PROJECT_ROOT / "queries").library()
def bench_generator() -> ModuleType:
    """``bench/generate.py`` (the seeded benchmark graph generator) as a module."""
    spec = importlib.util.spec_from_file_location("qualifica_bench_generate",
                                                  ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RandomWriter:
    """Seeded random writes for the patch tests (planning index, catalogue): new IRIs, the
    quads of a predicate, and a change applied as a replacement of a whole graph."""

    def __init__(self, ctx: Context, rng: random.Random) -> None:
        self.ctx, self.rng, self.n = ctx, rng, 0

    def new(self, kind: str) -> str:
        self.n += 1
        return f"{ID}{kind}/neu-{self.n}"

    def existing(self, predicate: str) -> list[Quad]:
        return sorted(self.ctx.store.quads(None, NamedNode(predicate), None), key=str)

    def replace_graph(self, graph: NamedNode, add: list[Quad], remove: list[Quad]) -> None:
        """``add``/``remove`` moved into ``graph`` and written as one change that replaces
        the whole graph (added and removed quads together)."""
        current = set(self.ctx.store.quads(None, None, None, graph.value))
        new = (current | {Quad(x.subject, x.predicate, x.object, graph) for x in add}) - {
            Quad(x.subject, x.predicate, x.object, graph) for x in remove}
        self.ctx.store.apply(sorted(current, key=str), sorted(new, key=str))


PATCH_MAIN = NamedNode(GRAPH + "main")
PATCH_EXTRA = NamedNode(GRAPH + "extra")
"""The two graphs the patch tests write into."""


def graph_file_context(data_dir: Path, path: Path, fmt: ox.RdfFormat) -> Context:
    """An empty in-memory context holding the triples of ``path`` in :data:`PATCH_MAIN`."""
    ctx = memory_context(data_dir)
    ctx.store.add(Quad(t.subject, t.predicate, t.object, PATCH_MAIN)
                  for t in ox.parse(path=str(path), format=fmt))
    return ctx


def generated_graph_context(data_dir: Path) -> Context:
    """:func:`graph_file_context` of a small generated bench graph (scale 0.01, seed 11)."""
    path = data_dir / "graph.nt"
    bench_generator().write(0.01, 11, path)
    return graph_file_context(data_dir, path, ox.RdfFormat.N_TRIPLES)
