"""The API side of the sandbox: a supervised pool of worker processes.

``Sandbox`` starts ``QUALIFICA_QUERY_WORKERS`` processes (``spawn``, so no lock or handle of the
server is inherited) on first use. A job waits for an idle worker, is sent down its pipe, and is
answered when the worker replies. Past the job's deadline the worker is killed (SIGKILL: it stops
using CPU at once) and replaced in the background; a worker that dies on a job (a crash in a
parser, its memory limit) is replaced the same way, and the job is answered with a clear error.

Workers read the store through snapshots: a RocksDB checkpoint of the embedded store (hard
links, a few milliseconds) or, for an in-memory store, an N-Quads file. A snapshot is taken
when a job needs one and the store has changed since the last; old ones are deleted once no
worker has them open. Remote stores need none: workers query the server themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import queue
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from pyoxigraph import Quad

from qualifica import errors
from qualifica.config import Settings
from qualifica.context import Context, Part
from qualifica.errors import BadParameter, QualificaError, QueryTimeout
from qualifica.sandbox import jobs
from qualifica.sandbox.limits import RdfLimits
from qualifica.sandbox.worker import WorkerConfig, main
from qualifica.sparql import guard
from qualifica.store.base import DatasetSpec, Store
from qualifica.store.oxigraph import OxigraphStore
from qualifica.validation.incremental import Change
from qualifica.validation.shacl import Report

log = logging.getLogger(__name__)

#: How long a new worker may take to start before it is given up.
START_TIMEOUT_S = 60.0
#: Worker starts that may fail in a row before the pool stops trying (a broken installation).
MAX_FAILED_STARTS = 5
#: Extra time past a job's deadline before its worker is killed: lets a store that checks the
#: same deadline answer with a clean timeout first.
GRACE_S = 0.3

_ERRORS: dict[str, type[QualificaError]] = {
    cls.__name__: cls for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, QualificaError)
}


def _rebuild(name: str, status: int, detail: str, extra: dict[str, Any]) -> QualificaError:
    """The error a worker raised, as the same class with the same status, detail and fields
    (set directly: the classes' constructors differ in what they ask for)."""
    cls = _ERRORS.get(name, QualificaError)
    exc = cls.__new__(cls)
    Exception.__init__(exc, detail)
    exc.detail = detail
    exc.extra = extra
    exc.status = status
    if isinstance(exc, BadParameter):
        exc.param = extra.get("param")
    return exc


class SandboxCrashed(BadParameter):
    """A job ended its worker (a crash, or its memory limit)."""

    title = "Request aborted"


class _Worker:
    """One worker process and its pipe."""

    def __init__(self, process: BaseProcess, conn: Connection, info: dict[str, Any]) -> None:
        self.process = process
        self.conn = conn
        self.info = info
        self.snapshot: str | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self.process.pid

    def kill(self) -> None:
        """End the process now and reap it."""
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class _Snapshots:
    """Snapshots of an embedded store for the workers, one per store generation."""

    def __init__(self, store: OxigraphStore, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self._lock = threading.Lock()
        self._current: tuple[int, str] | None = None
        self._count = 0

    def current(self) -> str:
        """The path of a snapshot of the store as it is now."""
        with self._lock:
            generation = self.store.generation
            if self._current is not None and self._current[0] == generation:
                return self._current[1]
            self._count += 1
            suffix = "" if self.store.path is not None else ".nq"
            target = self.folder / f"g{generation}-{self._count}{suffix}"
            self.store.snapshot(target)
            self._current = (generation, str(target))
            return str(target)

    def prune(self, in_use: set[str]) -> None:
        """Delete snapshots that are neither current nor open in a worker."""
        with self._lock:
            keep = set(in_use)
            if self._current is not None:
                keep.add(self._current[1])
            for path in self.folder.iterdir():
                if str(path) not in keep:
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)


class Sandbox:
    """A supervised pool of worker processes for user SPARQL and uploaded RDF."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.size = settings.query_workers
        self._folder = Path(tempfile.mkdtemp(prefix="qualifica-sandbox-"))
        self._snapshots = (_Snapshots(store, self._folder)
                           if isinstance(store, OxigraphStore) and not settings.remote else None)
        self._config = WorkerConfig(
            settings=settings.model_dump(),
            memory_bytes=settings.worker_memory_mb * 1024 * 1024,
            isolate_network=not settings.remote and not settings.service_allow
            and not settings.load_allow,
            recycle_rss_bytes=settings.worker_memory_mb * 1024 * 1024 // 2,
        )
        self._mp = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._failed_starts = 0
        self._first_ready = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=max(8, 4 * self.size),
                                            thread_name_prefix="sandbox")
        self.replaced = 0
        """Workers replaced after a timeout or a crash (for tests and logs)."""

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers in the background (the first job waits for one)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn_async()

    def _spawn_async(self) -> None:
        threading.Thread(target=self._spawn, name="sandbox-spawn", daemon=True).start()

    def _spawn(self) -> None:
        if self._closed:
            return
        parent, child = self._mp.Pipe()
        process = self._mp.Process(target=main, args=(child, self._config), daemon=True,
                                   name="qualifica-sandbox")
        try:
            process.start()
            child.close()
            if not parent.poll(START_TIMEOUT_S):
                raise TimeoutError("the worker did not start in time")
            kind, info = parent.recv()
            if kind != "ready":
                raise RuntimeError(f"unexpected first message {kind!r}")
        except (OSError, EOFError, TimeoutError, RuntimeError) as exc:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
            if self._closed:
                return
            self._failed_starts += 1
            if self._failed_starts > MAX_FAILED_STARTS:
                log.error("a sandbox worker could not start (%s); %d starts failed in a row, "
                          "giving up: requests needing a worker will time out", exc,
                          self._failed_starts)
                return
            log.error("a sandbox worker could not start: %s", exc)
            time.sleep(1.0)
            self._spawn_async()
            return
        worker = _Worker(process, parent, info)
        if self._config.isolate_network and not info.get("network_isolated"):
            log.warning("sandbox worker %s runs without network isolation (the kernel refused "
                        "a network namespace); SERVICE and LOAD are still checked", worker.pid)
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._failed_starts = 0
            self._workers.add(worker)
        self._idle.put(worker)
        self._first_ready.set()

    def _retire(self, worker: _Worker, *, failed: bool = True) -> None:
        """Kill ``worker`` and start a replacement. ``failed=False``: the worker answered and
        ends by itself (its memory grew past the recycling threshold); that is not counted."""
        with self._lock:
            self._workers.discard(worker)
            self.replaced += failed
        worker.kill()
        self._spawn_async()

    def close(self) -> None:
        """Stop every worker and delete the snapshots."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()
        self._executor.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self._folder, ignore_errors=True)

    @property
    def pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._lock:
            return [w.pid for w in self._workers if w.pid is not None]

    # -- jobs -------------------------------------------------------------------------------
    def call(self, job: jobs.Job, timeout_s: float) -> Any:
        """Run ``job`` in a worker and return its answer; blocks (call it off the event loop).

        Raises the job's own ``QualificaError``, ``QueryTimeout`` past ``timeout_s`` (the
        worker is killed), ``SandboxCrashed`` when the job ended its worker.
        """
        self.start()
        # Starting the pool is not the job's time: wait for the first worker apart.
        self._first_ready.wait(START_TIMEOUT_S)
        deadline = time.monotonic() + timeout_s
        if (isinstance(job, jobs.QueryJob | jobs.UpdateJob | jobs.ValidateJob)
                and self._snapshots is not None):
            job = replace(job, snapshot=self._snapshots.current())
        try:
            worker = self._idle.get(timeout=max(timeout_s, 0.001))
        except queue.Empty:
            raise QueryTimeout(
                f"no evaluator became free within {timeout_s:g} s; try again later"
            ) from None
        try:
            worker.conn.send(job)
            remaining = deadline - time.monotonic() + GRACE_S
            if not worker.conn.poll(max(remaining, 0.0)):
                self._retire(worker)
                raise QueryTimeout(f"the request ran longer than {timeout_s:g} s and was stopped")
            kind, payload, recycle = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            code = worker.process.exitcode
            self._retire(worker)
            log.warning("a sandbox worker ended on a job (exit code %s)", code)
            raise SandboxCrashed(
                "the request was stopped: evaluating it exceeded the memory or stack of the "
                "evaluator"
            ) from exc
        worker.snapshot = getattr(job, "snapshot", None)
        if recycle:
            # The worker ends after this reply: it must not be handed the next job (which
            # would meet a closed pipe), so it is replaced now.
            self._retire(worker, failed=False)
        elif worker.process.is_alive():
            self._idle.put(worker)
        else:
            self._retire(worker)
        if self._snapshots is not None:
            with self._lock:
                in_use = {w.snapshot for w in self._workers if w.snapshot is not None}
            self._snapshots.prune(in_use)
        if kind == "ok":
            return payload
        raise _rebuild(*payload)

    async def run(self, job: jobs.Job, timeout_s: float) -> Any:
        """``call`` from the event loop, on the sandbox's own threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.call, job, timeout_s)

    # -- typed front doors ------------------------------------------------------------------
    async def query(self, text: str, info: guard.QueryInfo, *, dataset: DatasetSpec | None,
                    accept: str | None, fmt: tuple[str, ...] | None) -> tuple[str, bytes]:
        """Evaluate a checked, canonical query; returns the media type and the answer."""
        s = self.settings
        job = jobs.QueryJob(text=text, info=info, dataset=dataset, accept=accept, format=fmt,
                            timeout_s=s.query_timeout_s, service_allow=tuple(s.service_allow))
        result: tuple[str, bytes] = await self.run(job, s.query_timeout_s)
        return result

    def limits(self) -> RdfLimits:
        """The upload limits of the settings."""
        s = self.settings
        return RdfLimits(max_json_depth=s.max_json_depth,
                         max_literal_bytes=s.max_literal_bytes, max_quads=s.max_write_quads)

    async def parse_rdf(self, data: bytes, media_type: str, *, graph: str | None,
                        base_iri: str | None) -> list[Quad]:
        """Parse an uploaded RDF document in a worker, within the upload limits."""
        job = jobs.ParseJob(data=data, media_type=media_type, graph=graph, base_iri=base_iri,
                            limits=self.limits())
        payload: bytes = await self.run(job, self.settings.write_timeout_s)
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, jobs.from_nquads, payload)

    def update_change(self, text: str, info: guard.QueryInfo) -> Change:
        """What a checked, canonical SPARQL Update would change, computed in a worker on a
        snapshot of the store as it is now (call it under the write lock)."""
        s = self.settings
        job = jobs.UpdateJob(text=text, info=info, service_allow=tuple(s.service_allow),
                             load_allow=tuple(s.load_allow))
        added, removed = self.call(job, s.write_timeout_s)
        return Change(added=jobs.from_nquads(added), removed=jobs.from_nquads(removed))

    def validate(self, store: Store, change: Change) -> Report:
        """The gate's incremental validation of ``change``, run in a worker on a snapshot of
        the store as it is now (call it under the write lock). ``store`` is the store the
        snapshot is taken of; it is named to fit the validator interface of the gate."""
        job = jobs.ValidateJob(added=jobs.nquads(change.added),
                               removed=jobs.nquads(change.removed))
        report: Report = self.call(job, self.settings.write_timeout_s)
        return report


def _build(ctx: Context) -> Sandbox:
    return Sandbox(ctx.settings, ctx.store)


#: The context's sandbox: built on first use, its workers stopped when the context closes.
SANDBOX: Part[Sandbox] = Part("sandbox", _build, close=Sandbox.close)
