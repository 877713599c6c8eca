"""An in-memory copy of an on-disk store for the short reads that make pages and descriptions.

A description or page made anew reads a resource's few hundred statements; on the on-disk store
each term of each statement is a look-up in RocksDB (7-9 µs a statement at scale 1, most of a
description's time), in memory 0.3 µs. So each server process keeps a copy of the store in
memory (pyoxigraph's in-memory store: about 400 bytes a quad, 300-350 MB at scale 1) that follows
every write exactly:

- it is built in the background from the store's quads, at the generation it was read at (a
  write during the copy starts it again, once the store has been quiet for a moment);
- each exact change (``ChangeSet`` with ``added``/``removed``: every write through ``apply``,
  and what a following process reads of the writer's changes) is applied to it by the store's
  listener, under the write lock, before the next write; an unknown change (a SPARQL Update, a
  bulk load) drops it and it is built again in the background;
- past ``memory_mirror_max_quads`` (a setting; 0 turns the copy off) it is dropped (not made
  at all for a larger store), and the store is read;
- a read uses it only when it holds the store's current generation, and only if no change was
  applied while the read ran (``_seq`` is odd while one is); otherwise the read goes to the
  store. So an answer read from the copy is exactly the store's answer at that generation.

Only the library queries of descriptions, pages and REST details read from it (``Reads``,
the context's ``reads``); user SPARQL runs in the sandbox's processes over the store itself.
In-memory and remote stores get no copy.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from pyoxigraph import Quad

from qualifica.store.base import ChangeSet, DatasetSpec, QueryResult, Store, Term
from qualifica.store.follower import FollowerStore
from qualifica.store.oxigraph import OxigraphStore

log = logging.getLogger(__name__)

#: Quads copied per batch (the copy checks between batches whether it is still wanted).
BATCH = 50_000
#: How long the store must go without a write before a copy starts (after one was overtaken).
QUIET_S = 1.0
#: Copies tried for one need before giving up until the next change asks for one again.
ATTEMPTS = 3


class Mirror:
    """The in-memory copy of ``store`` (see the module); ``query`` answers from it when it
    holds the store's current generation, else returns ``None``."""

    def __init__(self, store: Store, max_quads: int) -> None:
        self._store = store
        self._max_quads = max_quads
        self._lock = threading.Lock()  # installing a copy, applying a change
        self._copy: OxigraphStore | None = None
        self._generation = -1  # the store generation the copy holds
        self._seq = 0  # odd while a change is applied to the copy
        self._quads = 0  # quads in the copy (exact changes only add and remove stored ones)
        self._over = False  # the store holds more than ``max_quads`` (``_quads`` of them)
        self._wanted = threading.Event()  # a copy should be (re)built
        self._stop = threading.Event()
        self.builds = 0
        """How many copies were installed (for tests and logs)."""
        store.subscribe(self._follow)
        self._thread = threading.Thread(target=self._run, name="store-mirror", daemon=True)
        self._wanted.set()
        self._thread.start()

    # -- reads ------------------------------------------------------------------------------
    @property
    def current(self) -> bool:
        """Whether the copy holds the store's current generation."""
        return (self._copy is not None and self._seq % 2 == 0
                and self._generation == self._store.generation)

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              dataset: DatasetSpec | None = None, timeout_s: float | None = None
              ) -> QueryResult | None:
        """The answer from the copy, or ``None`` when it does not hold the store's current
        generation from the start of the read to its end."""
        copy, seq, generation = self._copy, self._seq, self._generation
        if copy is None or seq % 2 or generation != self._store.generation:
            return None
        result = copy.query(sparql, substitutions=substitutions, dataset=dataset,
                            timeout_s=timeout_s)
        if self._seq != seq or self._copy is not copy \
                or self._store.generation != generation:
            return None  # a change reached the copy or the store meanwhile
        return result

    def wait(self, timeout_s: float) -> bool:
        """Wait until the copy holds the current generation (tests, benchmarks); whether it
        does."""
        deadline = time.monotonic() + timeout_s
        while not self.current:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    # -- following the store ----------------------------------------------------------------
    def _follow(self, change: ChangeSet) -> None:
        """The store's listener: apply an exact change to the copy, drop it after an unknown
        one (and build it again)."""
        with self._lock:
            copy = self._copy
            exact = change.added is not None and change.removed is not None
            if exact and (copy is not None or self._over):
                self._quads += len(change.added or ()) - len(change.removed or ())
            if copy is None:
                # a copy being built now is overtaken and starts again; a store too large
                # for one is counted again only once it may fit
                if not self._over or not exact or self._quads <= self._max_quads:
                    self._wanted.set()
                return
            if not exact:
                self._copy, self._generation = None, -1
                self._wanted.set()
                return
            if self._quads > self._max_quads:  # grown past the limit: the store is read
                log.info("the in-memory copy of the store is dropped: more than %d quads",
                         self._max_quads)
                self._copy, self._generation, self._over = None, -1, True
                return
            assert change.added is not None and change.removed is not None
            self._seq += 1
            try:
                native = copy.native()
                for quad in change.removed:
                    native.remove(quad)
                native.extend(change.added)
                self._generation = self._store.generation
            except Exception:  # the write has committed: drop the copy, never the write
                log.exception("the in-memory copy of the store could not follow a write; it "
                              "is made again")
                self._copy, self._generation = None, -1
                self._wanted.set()
            finally:
                self._seq += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wanted.wait()
            if self._stop.is_set():
                return
            self._wanted.clear()
            try:
                self._build()
            except Exception:
                log.exception("the in-memory copy of the store could not be made; the store "
                              "is read instead")

    def _build(self) -> None:
        for attempt in range(ATTEMPTS):
            if attempt:
                self._quiet()
            if self._stop.is_set():
                return
            generation = self._store.generation
            count = self._store.count()
            with self._lock:
                self._over = count > self._max_quads
                if self._over:
                    self._quads = count
            if self._over:
                log.info("no in-memory copy of the store: more than %d quads",
                         self._max_quads)
                return
            started = time.perf_counter()
            copy = OxigraphStore(None)
            native = copy.native()
            batch: list[Quad] = []
            overtaken = False
            for quad in self._store.quads():
                batch.append(quad)
                if len(batch) >= BATCH:
                    native.extend(batch)
                    batch = []
                    if self._stop.is_set():
                        return
                    if self._store.generation != generation:
                        overtaken = True
                        break
            if not overtaken:
                native.extend(batch)
                with self._lock:  # a write's listener waits for this, and applies its change
                    if self._store.generation == generation:
                        self._copy, self._generation = copy, generation
                        self._quads = len(native)
                        self._wanted.clear()  # set by writes of the overtaken copies only
                        self.builds += 1
                        log.info("in-memory copy of the store: %d quads in %.1f s",
                                 len(native), time.perf_counter() - started)
                        return
            log.debug("a write overtook the in-memory copy of the store; again")
        log.info("writes kept overtaking the in-memory copy of the store; the store is read "
                 "until the next write")

    def _quiet(self) -> None:
        """Wait until the store has gone ``QUIET_S`` without a write (or the mirror stops)."""
        while not self._stop.is_set():
            generation = self._store.generation
            if self._stop.wait(QUIET_S) or self._store.generation == generation:
                return

    def close(self) -> None:
        """Stop building and drop the copy."""
        self._stop.set()
        self._wanted.set()
        self._thread.join(timeout=10)
        with self._lock:
            self._copy, self._generation = None, -1


def mirror_of(store: Store, max_quads: int) -> Mirror | None:
    """The in-memory copy of ``store`` when it is on disk (embedded, or the checkpoints a
    following process reads) and ``max_quads`` is not 0; ``None`` otherwise."""
    on_disk = ((isinstance(store, OxigraphStore) and store.path is not None)
               or (isinstance(store, FollowerStore) and store.snapshot_path() is not None))
    return Mirror(store, max_quads) if on_disk and max_quads > 0 else None


class Reads:
    """What the library queries of descriptions and pages read: the in-memory copy (``mirror()``
    gives it, or ``None``) when it holds the store's current generation, else the store."""

    def __init__(self, store: Store, mirror: Callable[[], Mirror | None]) -> None:
        self._store = store
        self._mirror = mirror

    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              dataset: DatasetSpec | None = None, timeout_s: float | None = None
              ) -> QueryResult:
        """Answer from the copy when it is current, else from the store."""
        mirror = self._mirror()
        if mirror is not None:
            result = mirror.query(sparql, substitutions=substitutions, dataset=dataset,
                                  timeout_s=timeout_s)
            if result is not None:
                return result
        return self._store.query(sparql, substitutions=substitutions, dataset=dataset,
                                 timeout_s=timeout_s)
