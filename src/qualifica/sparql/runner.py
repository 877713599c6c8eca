"""Queries run off the event loop, in a bounded pool, with a time limit that frees the caller.

The store checks its deadline while it reads rows; a query that blocks inside one step (a
large aggregate, a sort) cannot be interrupted there, so ``run_async`` also stops *waiting* at
the deadline and answers ``QueryTimeout`` at once. The pool's threads are daemons: a query that
never finishes cannot hold up the process's exit, and at most ``workers`` of them run at a time
(further queries queue; their waiting counts towards their own time limit).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from qualifica.errors import QueryTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")
_Job = tuple[Callable[[], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class QueryPool:
    """A fixed number of daemon worker threads fed from one queue."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._busy = 0

    @property
    def busy(self) -> int:
        """How many workers are running a query now."""
        return self._busy

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self.workers:
                t = threading.Thread(target=self._work, name=f"sparql-{len(self._threads)}",
                                     daemon=True)
                t.start()
                self._threads.append(t)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, loop, future = job
            if future.cancelled():
                continue
            with self._lock:
                self._busy += 1
            try:
                result = fn()
            except BaseException as exc:  # handed to the waiting coroutine, not lost
                outcome: tuple[bool, Any] = (False, _detached(exc))
            else:
                outcome = (True, result)
            finally:
                with self._lock:
                    self._busy -= 1
            try:
                loop.call_soon_threadsafe(_settle, future, outcome)
            except RuntimeError:  # the loop is closed; nobody waits any more
                log.debug("query finished after its event loop closed")

    async def run(self, fn: Callable[[], T], timeout_s: float, *, grace_s: float = 0.0) -> T:
        """Run ``fn`` in the pool; ``QueryTimeout`` when it is not done within ``timeout_s``
        (plus ``grace_s``, which lets a store that checks the same deadline answer first)."""
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, loop, future))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout=timeout_s + grace_s)
        except TimeoutError as exc:
            future.cancel()
            raise QueryTimeout(
                f"the query ran longer than {timeout_s:g} s and was stopped"
            ) from exc

    def shutdown(self) -> None:
        """Let the idle workers end (running ones end after their query)."""
        for _ in self._threads:
            self._jobs.put(None)
        self._threads.clear()


def _detached(exc: BaseException) -> BaseException:
    """``exc`` without tracebacks: their frames hold pyoxigraph iterators, which must be dropped
    on the thread that made them, not on the event loop's."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.done():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
