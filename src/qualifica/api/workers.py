"""``serve --workers N``: N server processes over one store, one of them the writer.

The parent process binds the listening socket and runs uvicorn's process supervisor
(``uvicorn.supervisors.Multiprocess``): N processes started with ``spawn`` accept on the same
socket; one that dies is replaced; SIGINT/SIGTERM stop them all (each closes its context, and
so its sandbox workers) before the parent exits.

Each process decides its role as it starts: the first to take an exclusive ``flock`` on
``writer.lock`` in the shared folder is the **writer**, the others are **readers**. The lock is
held for the life of the process, so when the writer dies its replacement takes the lock (the
readers keep reading the last published state meanwhile).

- The writer opens the store as a single process would, loads the bundled graph when the store
  is empty and publishes every commit for the readers (``store.follower.Publisher``). Besides
  the shared socket it answers on a Unix socket of its own, for the readers.
- A reader opens a ``FollowerStore`` (the writer's checkpoints read-only, or the remote store)
  and forwards every write request (the routes that require a write token) to the writer's
  Unix socket, unchanged. Before it relays the answer it moves to the state the writer
  published, so the client reads its own write from this process at once; the other readers
  move within their polling interval (0.1 s), or at once when a request reaches them (each
  request first looks whether ``state.json`` changed: one ``stat``, and waits up to
  ``CATCH_UP_S`` for the move), so a write that has answered is read from every process.
  Because every write is applied by one process under its write lock, writes are serialised
  across processes: two writes that are each valid but jointly invalid cannot both pass the
  SHACL gate.

Every answer names the process that gave it (``X-Qualifica-Worker: <pid>``).

The sandbox: each process has its own pool of query workers; the settings' ``query_workers``
is split between the processes (at least one each), so the number of sandbox processes stays
what one server process would start (``max(query_workers, N)`` in all).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qualifica.api import problems
from qualifica.api.routes.writes import require_token
from qualifica.api.security import STRICT_HEADERS
from qualifica.api.transport import PROTOCOL as HTTP_PROTOCOL
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.linkeddata.catalogue import built_catalogue, catalogue_for
from qualifica.linkeddata.feed import feed_for
from qualifica.sparql.registry import Registry
from qualifica.store import open_store
from qualifica.store.base import ChangeSet
from qualifica.store.follower import FollowerStore, Publisher
from qualifica.validation.gate import ensure_bundled

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

WORKER_HEADER = "x-qualifica-worker"
_PR_SET_PDEATHSIG = 1
#: How long a reader waits, at start, for the writer to publish the store.
WRITER_START_S = 900.0
#: How long the supervisor waits for a server process to answer its health check before it
#: replaces the process (uvicorn's default, 5 s, is shorter than a process's start-up on a
#: busy machine: it would replace processes that are still starting, again and again).
WORKER_HEALTHCHECK_S = 60
#: How long a request in a reader waits for the process to move to a newly published state.
CATCH_UP_S = 0.5
_HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"upgrade", b"te",
               b"proxy-connection", b"content-length"}


@dataclass(frozen=True)
class Plan:
    """What every server process is started with (pickled into it)."""

    folder: str
    """Shared folder: the writer lock, the published state, checkpoints and changes."""
    writer_socket: str
    """The writer's Unix socket."""
    workers: int


def per_worker_settings(settings: Settings, workers: int) -> Settings:
    """The settings of one of ``workers`` processes: its share of the sandbox workers."""
    share = max(1, math.ceil(settings.query_workers / workers))
    return settings.model_copy(update={"query_workers": share})


@dataclass(eq=False)
class Role:
    """The part a server process plays: writer (``writes``) or reader."""

    settings: Settings
    plan: Plan
    writes: bool
    lock_fd: int
    store: FollowerStore | None = None
    publisher: Publisher | None = None
    ctx: Context | None = field(default=None, repr=False)
    _unix: asyncio.AbstractServer | None = field(default=None, repr=False)
    _client: httpx.AsyncClient | None = field(default=None, repr=False)

    # -- lifespan hooks (api.app) -------------------------------------------------------
    def open_context(self) -> Context:
        """The context of this process: the store itself (writer) or a follower (reader)."""
        folder = Path(self.plan.folder)
        if self.writes:
            ctx = open_context(self.settings)
            try:
                feed_for(ctx)  # records every write from here on, the bundled load included
                ensure_bundled(ctx)
                self.publisher = Publisher(ctx.store, folder,
                                           retain_s=max(60.0, 3 * self.settings.query_timeout_s))
                self.publisher.start()
            except BaseException:
                ctx.close()
                raise
            self.ctx = ctx
            return ctx
        registry = Registry(self.settings.queries_dir)
        inner = open_store(self.settings, registry.library()) if self.settings.remote else None
        store = FollowerStore(folder, inner)
        try:
            store.wait_for_writer(WRITER_START_S)
        except BaseException:
            store.close()
            raise
        self.store = store
        self.ctx = Context(settings=self.settings, store=store, registry=registry)
        return self.ctx

    async def started(self, app: ASGIApp) -> None:
        """After start-up (planning index built): build the REST catalogue now rather than in
        the first request; then the writer answers on its Unix socket too, and a reader starts
        following the writer: on each new state its planning index and its catalogue are
        patched (or, after an unknown change, built again; requests meanwhile get the previous
        catalogue, as in the writer during such a write)."""
        assert self.ctx is not None
        ctx = self.ctx
        await run_in_threadpool(catalogue_for, ctx)
        if self.store is not None:
            def rebuild(_change: ChangeSet) -> None:
                # A known change has patched the catalogue already; after an unknown one it
                # is built again beside the requests (they get the previous one meanwhile).
                if built_catalogue(ctx) is None:
                    threading.Thread(target=catalogue_for, args=(ctx,), name="catalogue",
                                     daemon=True).start()

            self.store.subscribe(rebuild)
            self.store.follow()
        if self.writes:
            self._unix = await _serve_unix(app, self.plan.writer_socket)
        else:
            self._client = httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(uds=self.plan.writer_socket),
                base_url="http://writer",
                timeout=httpx.Timeout(self.settings.write_timeout_s + 60, connect=5.0),
            )

    async def stopping(self) -> None:
        """Before the context closes: stop answering on the Unix socket / forwarding."""
        if self._unix is not None:
            self._unix.close()
            with contextlib.suppress(OSError):
                Path(self.plan.writer_socket).unlink()
        if self._client is not None:
            await self._client.aclose()

    def install(self, app: FastAPI) -> None:
        """Name the process on every answer; in a reader, forward writes to the writer."""
        if not self.writes:
            app.add_middleware(ForwardWrites, role=self, writes=write_routes(app))
        app.add_middleware(WorkerHeader)

    # -- forwarding ---------------------------------------------------------------------------
    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the request to the writer unchanged and relay its answer, once this process
        reads the state the write published."""
        assert self._client is not None and self.store is not None
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _HOP_BY_HOP]
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target = target + b"?" + scope["query_string"]

        async def body() -> Any:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return

        request = self._client.build_request(scope["method"], target.decode("latin-1"),
                                             headers=headers, content=body())
        try:
            response = await self._client.send(request, stream=True)
            # The writer's bytes as sent (compressed when the client asked for it), so the
            # relayed Content-Encoding stays true.
            try:
                content = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            log.warning("forwarding a write to the writing process failed: %s", exc)
            answer = problems.problem(
                503, "Store unavailable",
                "the writing process is not available (it may be restarting); try again "
                "shortly", instance=scope["path"],
                headers={**STRICT_HEADERS, "Retry-After": "2"})
            await answer(scope, receive, send)
            return
        # Read-your-writes: this process reads the published state before it answers.
        await run_in_threadpool(self.store.refresh)
        out = [(k.encode("latin-1"), v.encode("latin-1"))
               for k, v in response.headers.multi_items()
               if k.lower().encode("latin-1") not in _HOP_BY_HOP
               and k.lower() != WORKER_HEADER]
        out.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": out})
        await send({"type": "http.response.body", "body": content})


def _dependencies(dependant: Dependant) -> list[Callable[..., Any]]:
    calls: list[Callable[..., Any]] = []
    for dep in dependant.dependencies:
        if dep.call is not None:
            calls.append(dep.call)
        calls += _dependencies(dep)
    return calls


def write_routes(app: FastAPI) -> set[tuple[str, str]]:
    """``(method, path)`` of every route that needs a write token: the writes."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                if require_token in _dependencies(route.dependant):
                    found.update((method, prefix + route.path) for method in route.methods or ())
                continue
            included = getattr(route, "include_context", None)  # an included router
            if included is not None:
                walk(included.included_router.routes, prefix + included.prefix)

    walk(list(app.routes), "")
    return found


class ForwardWrites:
    """ASGI middleware of a reader: write requests go to the writer, the rest to the app
    after this process has moved to the newest published state."""

    def __init__(self, app: ASGIApp, role: Role, writes: set[tuple[str, str]]) -> None:
        self.app = app
        self.role = role
        self.writes = writes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if (scope["method"], scope["path"]) in self.writes:
                await self.role.forward(scope, receive, send)
                return
            store = self.role.store
            if store is not None and store.stale():
                # A write has answered since this process last looked: move to its state
                # first, waiting at most CATCH_UP_S (a large change keeps being applied beside
                # the requests, which answer from the previous state meanwhile).
                moving = asyncio.ensure_future(run_in_threadpool(store.refresh))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(moving), CATCH_UP_S)
        await self.app(scope, receive, send)


class WorkerHeader:
    """ASGI middleware: ``X-Qualifica-Worker: <pid>`` on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.header = (WORKER_HEADER.encode(), str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        await self.app(scope, receive, named)


async def _serve_unix(app: ASGIApp, path: str) -> asyncio.AbstractServer:
    """Answer HTTP on the Unix socket ``path`` with uvicorn's protocol, in this event loop."""
    import uvicorn
    from uvicorn.server import ServerState

    config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False,
                            proxy_headers=False, http=HTTP_PROTOCOL)
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(FileNotFoundError):
        Path(path).unlink()

    def protocol() -> asyncio.Protocol:
        made: asyncio.Protocol = config.http_protocol_class(  # type: ignore[call-arg]
            config=config, server_state=state, app_state={})
        return made

    server = await loop.create_unix_server(protocol, path=path)
    os.chmod(path, 0o600)
    return server


def _elect(folder: Path) -> tuple[bool, int]:
    """Take the writer lock if it is free: ``(writes, fd)``; the fd stays open for life."""
    fd = os.open(folder / "writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False, fd
    return True, fd


def _die_with_parent() -> None:
    """Ask the kernel to end this process when the supervisor ends, even by SIGKILL (Linux);
    otherwise the processes would keep the store open without anyone to stop them."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the supervisor ended before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def worker_app(settings: Settings, plan: Plan) -> FastAPI:
    """The app of one server process (uvicorn's factory, called in that process)."""
    from qualifica.api.app import create_app

    _die_with_parent()
    writes, fd = _elect(Path(plan.folder))
    role = Role(per_worker_settings(settings, plan.workers), plan, writes, fd)
    log.info("server process %d is the %s", os.getpid(), "writer" if writes else "reader")
    return create_app(role.settings, worker=role)


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def serve(settings: Settings, workers: int) -> None:
    """Run ``workers`` server processes on ``settings.host:port`` until SIGINT/SIGTERM."""
    import uvicorn
    from uvicorn.supervisors.multiprocess import Multiprocess

    if settings.remote:
        folder = Path(tempfile.mkdtemp(prefix="qualifica-workers-"))
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Beside the store: checkpoints are hard links, which need the same file system.
        folder = Path(tempfile.mkdtemp(prefix="workers-", dir=settings.data_dir))
    sockets = Path(tempfile.mkdtemp(prefix="qualifica-"))
    plan = Plan(folder=str(folder), writer_socket=str(sockets / "writer.sock"),
                workers=workers)
    config = uvicorn.Config(partial(worker_app, settings, plan), factory=True,
                            host=settings.host, port=settings.port, workers=workers,
                            log_level=settings.log_level.lower(), http=HTTP_PROTOCOL,
                            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S)
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)

