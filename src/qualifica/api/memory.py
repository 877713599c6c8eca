"""Giving memory back to the operating system after a large request.

CPython frees objects into its allocator's arenas, and glibc keeps freed heap pages mapped; after
a large write the process would keep its peak size. ``malloc_trim(0)`` returns the free pages.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Iterator

log = logging.getLogger(__name__)

_libc: ctypes.CDLL | None = None
try:
    _name = ctypes.util.find_library("c")
    _libc = ctypes.CDLL(_name) if _name else None
except OSError:  # not glibc: nothing to trim
    _libc = None


def release_memory() -> None:
    """Collect garbage and return free heap pages to the system (glibc only)."""
    gc.collect()
    trim = getattr(_libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


#: Allocations (minus deallocations) between two collections of the youngest generation
#: (CPython's default: 700). A server allocates many short-lived objects per request; fewer,
#: larger young collections cost less in all.
YOUNG_THRESHOLD = 20_000


def freeze_long_lived() -> None:
    """After start-up: move everything alive now (the store's read path, the planning index,
    the catalogue: millions of objects at scale) out of the collector's reach, and collect the
    young generation less often.

    Without it, each full collection walks every one of those objects (hundreds of
    milliseconds at scale 1, holding the GIL): the tail latency of whatever request is
    running then. Objects made later (a patched index or catalogue) are collected as usual;
    the frozen ones are freed by reference counting when they are dropped.
    """
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, second, third)
    log.debug("froze %d objects for the collector", gc.get_freeze_count())


def settle_after_write(_change: object = None) -> None:
    """After a write in a server process, once the tables kept in memory have followed it
    (subscribed ``last``): collect, then move what is alive now out of the collector's reach,
    as after start-up.

    A write makes new versions of the planning index and the catalogue: new maps of up to
    100,000 entries at scale 1, whose values the collector cannot leave out. Left young, they
    were walked by the next young collection (10-33 ms at scale 1, in whatever request it fell
    into), again by the next middle one, and by every full one after. Collected once here (7-9
    ms, in the write or, in a process following the writer, while it catches up) and frozen,
    they cost nothing more; the versions they replace are freed by reference counting as
    before, so the frozen objects do not grow with the writes
    (``tests/unit/test_memory.py``)."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """No automatic collection inside (when ``pause``): start-up builds millions of objects
    that all stay alive (the catalogue, the planning index, the tables of the pages), and each
    full collection while they grow walks every one of them again (at scale 1 about 25 full
    collections of 0.15-0.2 s each). What is garbage is collected once, afterwards
    (``freeze_long_lived``)."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
