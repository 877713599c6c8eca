"""Giving memory back to the operating system after a large request.

CPython frees objects into its allocator's arenas, and glibc keeps freed heap pages mapped; after
a large write the process would keep its peak size. ``malloc_trim(0)`` returns the free pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

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
