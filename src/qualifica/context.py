"""The runtime context shared by the CLI and the API: settings, store, named queries, and the
lazily built parts that live as long as the process (query pool, write lock, and the parts that
higher layers own: shapes, incremental validator, planning index, catalogue, dumps).

The context sits below ``planning``, ``validation``, ``linkeddata`` and ``web`` and imports none
of them, not even for type checking. What it holds of theirs is declared by the owning module as
a :class:`Part`, a typed key with a builder and an optional closer::

    HOLDER: Part[IndexHolder] = Part("planning index", _new_holder, close=IndexHolder.close)

    def holder(ctx: Context) -> IndexHolder:
        return ctx.part(HOLDER)

``Context.part`` builds a part on first use (once, also under concurrent requests) and
``Context.close`` closes every built part in reverse order of building, then the query pool,
then the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from qualifica.config import Settings
from qualifica.sparql.registry import Registry
from qualifica.store import Store, open_store
from qualifica.store.mirror import Mirror, Reads, mirror_of

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Part(Generic[T]):
    """A part of the context owned by a higher module: built from the context on first use,
    closed (when ``close`` is given) with the context. Parts are compared by identity, so each
    module-level ``Part`` is its own slot."""

    name: str
    build: Callable[[Context], T]
    close: Callable[[T], None] | None = None


class PerGeneration(Generic[T]):
    """A value read from the store once per store generation: kept until a write starts a new
    generation, then read again by the first caller (concurrent callers wait for that read)."""

    def __init__(self, read: Callable[[Context], T]) -> None:
        self._read = read
        self._lock = threading.Lock()
        #: ``(generation, value)``, replaced as one
        self._kept: tuple[int, T] | None = None

    def of(self, ctx: Context) -> T:
        """The value at the store's current generation."""
        generation = ctx.store.generation
        kept = self._kept
        if kept is not None and kept[0] == generation:
            return kept[1]
        with self._lock:
            kept = self._kept
            if kept is None or kept[0] != generation:
                kept = self._kept = (generation, self._read(ctx))
            return kept[1]


def per_generation(name: str, read: Callable[[Context], T]) -> Part[PerGeneration[T]]:
    """A context part holding what ``read`` reads from the store, once per store generation."""
    return Part(name, lambda ctx: PerGeneration(read))


@dataclass(eq=False)
class Context:
    """Everything a command or a request needs; built once per process by ``open_context``."""

    settings: Settings
    store: Store
    registry: Registry
    #: One write at a time: validation and commit must see the same store.
    write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _parts: dict[Part[Any], Any] = field(default_factory=dict, init=False, repr=False)
    _building: dict[Part[Any], threading.Lock] = field(default_factory=dict, init=False,
                                                       repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _closed: bool = field(default=False, init=False, repr=False)

    def part(self, part: Part[T]) -> T:
        """The context's ``part``, built on first use; concurrent callers wait for one build."""
        try:
            value: T = self._parts[part]
            return value
        except KeyError:
            pass
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the context is closed; cannot build its {part.name}")
            building = self._building.setdefault(part, threading.Lock())
        # Built outside the context lock: one slow part (the planning index) must not hold up
        # the first use of another.
        with building:
            if part in self._parts:
                value = self._parts[part]
                return value
            value = part.build(self)
            with self._lock:
                self._parts[part] = value
                late = self._closed
            if late and part.close is not None:  # built while the context was closing
                part.close(value)
            return value

    @property
    def reads(self) -> Reads:
        """What the library queries of pages and descriptions read: the in-memory copy of an
        on-disk store when it is current (``store.mirror``; a server process builds it as it
        starts, ``part(MIRROR)``; a command reads the store), else the store."""
        return self.part(READS)

    def built(self, part: Part[T]) -> T | None:
        """The part if it has been built, else ``None`` (never builds it)."""
        value: T | None = self._parts.get(part)
        return value

    @property
    def closed(self) -> bool:
        """Whether ``close`` has been called."""
        return self._closed

    def bundled_files(self) -> list[Path]:
        """Ontology, vocabularies and bundled data, in load order."""
        s = self.settings
        files = [*sorted(s.ontology_dir.glob("*.ttl")),
                 *sorted((s.ontology_dir / "vocab").glob("*.ttl"))]
        files += sorted(s.bundled_dir.glob("*.ttl"))
        return files

    def close(self) -> None:
        """Close what the context owns: its parts (newest first, the sandbox's worker processes
        among them), then the store.

        A part that fails to close is logged and the others are still closed. Closing twice does
        nothing the second time.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            parts = list(self._parts.items())
        for part, value in reversed(parts):
            if part.close is None:
                continue
            try:
                part.close(value)
            except Exception:
                log.exception("closing the %s failed", part.name)
        self.store.close()


def _close_mirror(mirror: Mirror | None) -> None:
    if mirror is not None:
        mirror.close()


#: The in-memory copy of the store (``store.mirror``), ``None`` where there is none.
MIRROR: Part[Mirror | None] = Part(
    "in-memory copy of the store",
    lambda ctx: mirror_of(ctx.store, ctx.settings.memory_mirror_max_quads), _close_mirror)
READS: Part[Reads] = Part("reads", lambda ctx: Reads(ctx.store, lambda: ctx.built(MIRROR)))


def open_context(settings: Settings, *, read_only: bool = False) -> Context:
    """Open store and registry; fails fast on a bad query file. ``read_only``: see
    ``open_store``."""
    registry = Registry(settings.queries_dir)
    store = open_store(settings, registry.library(), read_only=read_only)
    return Context(settings=settings, store=store, registry=registry)
