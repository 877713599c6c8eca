"""One writer, many readers: how the processes of ``serve --workers N`` share one store.

Exactly one process writes (:class:`Publisher`, beside the store it owns). After every commit
it publishes, in a folder all processes see:

- the change, as two N-Quads files (``c{serial}-removed.nq``, ``c{serial}-added.nq``; none for
  a change whose quads are unknown);
- for an embedded store, a RocksDB checkpoint of the store as committed (``cp-{serial}``: hard
  links, a few milliseconds), which readers open read-only;
- then, atomically (write and rename), ``state.json``: the writer's ``epoch`` (one per writing
  process), the ``serial`` of the commit and the checkpoint's path.

The other processes read through a :class:`FollowerStore`. It polls ``state.json`` (and is
told to look at once after a write it forwarded, and by every request that finds the file
changed: :meth:`FollowerStore.stale`); on a new serial it opens the new checkpoint
(a remote store needs none: the server has the data) and then tells its listeners exactly what
changed since the serial it had, the changes in between combined into one. So the planning
index of every process is patched by the same quads as the writer's. A reader that fell behind
past the files kept, or a new writer (a new epoch), gives its listeners an unknown change: they
read everything again. Serials grow across writers, so ``generation`` is the same number in
every process for the same state.

Checkpoints and change files are deleted ``retain_s`` seconds after a newer one superseded
them: a reader still running a query on an older checkpoint keeps it open meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, parse, serialize

from qualifica.errors import StoreUnavailable
from qualifica.store.base import (
    ChangeNotifier,
    ChangeSet,
    DatasetSpec,
    QueryResult,
    Store,
    Term,
)
from qualifica.store.oxigraph import OxigraphStore
from qualifica.store.text import graphs_of

log = logging.getLogger(__name__)

STATE = "state.json"


@dataclass(frozen=True)
class Published:
    """What ``state.json`` says: who wrote last, which commit, where its checkpoint is."""

    epoch: str
    serial: int
    checkpoint: str | None


def read_state(folder: Path) -> Published | None:
    """The published state, or ``None`` before the writer has published anything."""
    try:
        raw = json.loads((folder / STATE).read_text())
    except (OSError, ValueError):
        return None
    return Published(raw["epoch"], int(raw["serial"]), raw.get("checkpoint"))


def _nquads(quads: Iterable[Quad], path: Path) -> None:
    with path.open("wb") as out:
        serialize(quads, out, format=RdfFormat.N_QUADS)


class Publisher:
    """The writing process's side: publishes every commit of ``store`` into ``folder``."""

    def __init__(self, store: Store, folder: Path, *, retain_s: float = 60.0) -> None:
        self.store = store
        self.folder = folder
        self.retain_s = retain_s
        self.epoch = uuid.uuid4().hex
        previous = read_state(folder)
        # Serials go on from the last writer's, so they never repeat in the readers; the
        # store's own generation is moved to the serial, so that every process names the same
        # data by the same generation (ETags, dumps, snapshots).
        first = previous.serial + 1 if previous is not None else 0
        if isinstance(store, ChangeNotifier):
            store.advance_to(first)
        self._base = max(first - store.generation, 0)
        self._superseded: list[tuple[float | None, list[Path]]] = []
        self._lock = threading.Lock()

    @property
    def serial(self) -> int:
        """The serial of the store's current state."""
        return self._base + self.store.generation

    def start(self) -> None:
        """Publish the store as it is now, then every commit."""
        with self._lock:
            self._publish(ChangeSet())
        self.store.subscribe(self._on_commit)

    def _on_commit(self, change: ChangeSet) -> None:
        # Runs inside the store's commit (under its write lock), before the write answers: a
        # client that wrote reads its write from any process that has looked since.
        with self._lock:
            try:
                self._publish(change)
            except OSError:
                log.exception("publishing a commit to the other processes failed; they will "
                              "read everything again at the next commit")

    def _publish(self, change: ChangeSet) -> None:
        serial = self.serial
        written: list[Path] = []
        if change.added is not None and change.removed is not None:
            for side, quads in (("removed", change.removed), ("added", change.added)):
                path = self.folder / f"c{serial}-{side}.nq"
                _nquads(quads, path)
                written.append(path)
        checkpoint: Path | None = None
        if isinstance(self.store, OxigraphStore) and self.store.path is not None:
            checkpoint = self.folder / f"cp-{serial}"
            self.store.snapshot(checkpoint)
            written.append(checkpoint)
        tmp = self.folder / f".{STATE}.{serial}"
        tmp.write_text(json.dumps({"epoch": self.epoch, "serial": serial,
                                   "checkpoint": str(checkpoint) if checkpoint else None}))
        os.replace(tmp, self.folder / STATE)
        self._prune(written)

    def _prune(self, current: list[Path]) -> None:
        """Delete what was superseded more than ``retain_s`` seconds ago; ``current`` is
        superseded by the next commit."""
        now = time.monotonic()
        if self._superseded:
            since, paths = self._superseded[-1]
            if since is None:
                self._superseded[-1] = (now, paths)
        keep: list[tuple[float | None, list[Path]]] = []
        for since, paths in self._superseded:
            if since is not None and now - since >= self.retain_s:
                for path in paths:
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
            else:
                keep.append((since, paths))
        keep.append((None, current))
        self._superseded = keep


def _changes_between(folder: Path, after: int, upto: int) -> ChangeSet:
    """The changes of serials ``after+1 .. upto`` as one exact change (unknown if any is)."""
    first: dict[Quad, bool] = {}  # quad -> whether its first change added it
    last: dict[Quad, bool] = {}
    for serial in range(after + 1, upto + 1):
        removed_file = folder / f"c{serial}-removed.nq"
        added_file = folder / f"c{serial}-added.nq"
        try:
            removed = list(parse(path=str(removed_file), format=RdfFormat.N_QUADS))
            added = list(parse(path=str(added_file), format=RdfFormat.N_QUADS))
        except (OSError, SyntaxError):
            return ChangeSet()  # unknown (not published, or already deleted): read everything
        for quad in removed:
            first.setdefault(quad, False)
            last[quad] = False
        for quad in added:
            first.setdefault(quad, True)
            last[quad] = True
    # A quad's first change says whether it was stored before, its last whether it is now.
    net_added = [q for q, now in last.items() if now and first[q]]
    net_removed = [q for q, now in last.items() if not now and not first[q]]
    return ChangeSet(added=net_added, removed=net_removed,
                     graphs=graphs_of([*net_added, *net_removed]))


class FollowerStore(ChangeNotifier):
    """A read-only ``Store`` that follows what the writing process publishes in ``folder``.

    ``inner`` is the store to read when no checkpoint is published (a remote store); for an
    embedded store each published checkpoint is opened read-only in turn. Writes raise
    ``StoreUnavailable``: in these processes they are forwarded to the writer.
    """

    #: Changes reach this store from the writing process, which records them (change feed).
    follows = True

    def __init__(self, folder: Path, inner: Store | None = None, *,
                 poll_s: float = 0.1) -> None:
        ChangeNotifier.__init__(self)
        self.folder = folder
        self.poll_s = poll_s
        self._fixed = inner
        self._inner: Store | None = inner
        self._state: Published | None = None
        self._mark: tuple[int, int] | None = None
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.switches = 0
        """How many published states this store has moved to (for tests and logs)."""

    # -- following ------------------------------------------------------------------------
    def wait_for_writer(self, timeout_s: float) -> None:
        """Block until the writer has published a first state, and open it."""
        deadline = time.monotonic() + timeout_s
        while not self.refresh():
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"the writing process published nothing within "
                                       f"{timeout_s:g} s")
            time.sleep(0.05)

    def follow(self) -> None:
        """Look for new states in the background, every ``poll_s`` seconds."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="store-follower",
                                            daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.refresh()
            except Exception:
                log.exception("following the writer's store failed; trying again")

    def _published_mark(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.folder / STATE)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    def stale(self) -> bool:
        """Whether the writer published a state after the one read here (one ``stat``): a
        request that finds it so moves first, so a client reads a write that has answered from
        every process, whichever its next connection reaches."""
        mark = self._published_mark()
        return mark is not None and mark != self._mark

    def refresh(self) -> bool:
        """Move to the newest published state if there is one; ``False`` while nothing is
        published. Listeners are called (on this thread) with what changed."""
        with self._refresh_lock:
            # Read before the state: a state published meanwhile still shows as stale. Kept
            # only once the move is complete (store switched, listeners done): a request that
            # asks ``stale`` meanwhile waits for this move instead of answering from the state
            # before it.
            mark = self._published_mark()
            state = read_state(self.folder)
            if state is None:
                return False
            old = self._state
            if old is not None and old.epoch == state.epoch and old.serial == state.serial:
                self._mark = mark
                return True
            if old is not None and old.epoch == state.epoch and state.serial > old.serial:
                change = _changes_between(self.folder, old.serial, state.serial)
            else:
                change = ChangeSet()
            if state.checkpoint is not None:
                # The old store is dropped, not closed: a query running on it ends first.
                self._inner = OxigraphStore.open_snapshot(Path(state.checkpoint))
            self._state = state
            self.switches += 1
            self._generation = state.serial
            if old is not None:
                self._notify(change)
            self._mark = mark
            return True

    @property
    def serial(self) -> int | None:
        """The serial of the state read from, ``None`` before the first."""
        return None if self._state is None else self._state.serial

    def snapshot_path(self) -> str | None:
        """The checkpoint read now (immutable; the sandbox's workers may open it too)."""
        return None if self._state is None else self._state.checkpoint

    def _store(self) -> Store:
        inner = self._inner
        if inner is None:
            raise StoreUnavailable("the store is not open yet")
        return inner

    # -- reads ----------------------------------------------------------------------------
    def query(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None,
              dataset: DatasetSpec | None = None, timeout_s: float | None = None
              ) -> QueryResult:
        """Run a query on the state followed now."""
        return self._store().query(sparql, substitutions=substitutions, dataset=dataset,
                                   timeout_s=timeout_s)

    def quads(self, subject: NamedNode | BlankNode | None = None,
              predicate: NamedNode | None = None, obj: Term | None = None,
              graph: str | None = None) -> Iterator[Quad]:
        """Quads matching a pattern."""
        return self._store().quads(subject, predicate, obj, graph)

    def count(self) -> int:
        """Number of quads."""
        return self._store().count()

    def named_graphs(self) -> list[str]:
        """The named graphs that hold quads."""
        return self._store().named_graphs()

    def dump(self, output: IO[bytes], fmt: RdfFormat, graph: str | None = None) -> None:
        """Stream the store."""
        self._store().dump(output, fmt, graph)

    # -- writes go to the writer ------------------------------------------------------------
    def _refuse(self) -> ChangeSet:
        raise StoreUnavailable("this process reads only; writes go through the writing process")

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad], *,
              stamp: bool = False) -> ChangeSet:
        """Refused: the writing process applies writes."""
        return self._refuse()

    def clear(self) -> None:
        """Refused: the writing process applies writes."""
        self._refuse()

    def update(self, sparql: str) -> None:
        """Refused: the writing process applies writes."""
        self._refuse()

    def close(self) -> None:
        """Stop following; the store read is released."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._fixed is not None:
            self._fixed.close()
        self._inner = None
