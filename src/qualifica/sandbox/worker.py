"""The sandbox worker process: limits itself, then answers jobs from its pipe until it closes.

Before it takes a job, a worker caps its address space (``RLIMIT_AS``) and, when it needs no
network (embedded store, no SERVICE allow-list), moves into a network namespace of its own that
has no interface up: no query, federated or not, and no parser can reach any host, whatever a
check upstream missed. Where the kernel refuses that (no user namespaces), the worker runs on
and says so in its ready message.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import resource
import signal
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from qualifica.config import Settings
from qualifica.errors import BadParameter, QualificaError
from qualifica.sandbox import jobs

log = logging.getLogger(__name__)

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_M_ARENA_MAX = -8


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker is started with."""

    settings: dict[str, Any]
    memory_bytes: int
    isolate_network: bool
    recycle_rss_bytes: int


def _limit_memory(limit: int) -> None:
    if limit <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and hard < limit:
        limit = hard
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _few_malloc_arenas() -> None:
    """At most two glibc malloc arenas: each arena reserves 64 MB of address space, which the
    worker's address-space limit counts, so that many threads would leave too little for the
    next thread's stack ("Resource temporarily unavailable")."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to cap
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)


def _leave_network() -> bool:
    """Move this process into an empty network namespace; ``False`` where the kernel refuses."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWUSER | _CLONE_NEWNET
        return bool(libc.unshare(flags) == 0)
    except (OSError, AttributeError):
        return False


def _rss_bytes() -> int:
    """The worker's resident memory now (not its peak: on Linux the peak is inherited across
    the exec that starts a worker, so it would count the server's own memory)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return pages * os.sysconf("SC_PAGE_SIZE")


def _problem(exc: QualificaError) -> tuple[str, int, str, dict[str, Any]]:
    return (type(exc).__name__, exc.status, exc.detail, dict(exc.extra))


def main(conn: Connection, config: WorkerConfig) -> None:
    """Serve jobs from ``conn`` until it closes (or the worker should be replaced).

    Each reply is ``(kind, payload, recycle)``: ``recycle`` says that the worker ends after it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server's Ctrl-C is for the server
    # The SPARQL checks parse with a recursive-descent parser; the tokenizer has already
    # bounded the nesting, so a deeper Python stack is safe here.
    sys.setrecursionlimit(20_000)
    _few_malloc_arenas()
    # Below the server processes: a runaway query until its deadline takes the CPU the
    # server's own answers (health checks, planning questions) do not need.
    with contextlib.suppress(OSError):
        os.nice(10)
    isolated = _leave_network() if config.isolate_network else False
    _limit_memory(config.memory_bytes)
    state = jobs.WorkerState(Settings(**config.settings))
    conn.send(("ready", {"pid": os.getpid(), "network_isolated": isolated}))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", jobs.run(state, job))
        except QualificaError as exc:
            reply = ("error", _problem(exc))
        except MemoryError:
            reply = ("error", _problem(BadParameter(
                "the request needs more memory than a worker may use", status=413)))
        except RecursionError:
            reply = ("error", _problem(BadParameter("the request is nested too deeply")))
        except Exception as exc:  # a job must never take the worker's loop down
            log.warning("sandbox job failed: %s", exc, exc_info=True)
            reply = ("error", _problem(BadParameter(
                f"the request could not be evaluated: {str(exc)[:300]}")))
        # Past the recycling threshold the worker ends after this reply to give its memory
        # back; the reply says so, so that the pool sends it no further job.
        recycle = _rss_bytes() > config.recycle_rss_bytes
        try:
            conn.send((*reply, recycle))
        except (OSError, ValueError):
            return
        if recycle:
            return
