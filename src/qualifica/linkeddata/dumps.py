"""Dumps of the whole knowledge graph for ``/downloads/``: Turtle, N-Triples and JSON-LD (the
union of all graphs), N-Quads (every graph kept), and each of them compressed with gzip.

Each dump is written by ``store.dump`` into ``{data_dir}/downloads/`` and remembered with its
size and SHA-256 for the store ``generation`` it was written at; a write to the store (a new
generation) makes the next request write fresh files. Files are named with their generation, so
a download already streaming keeps its file while a newer one is written next to it.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat, parse, serialize

from qualifica.context import Context, Part
from qualifica.linkeddata import conneg

log = logging.getLogger(__name__)

#: File suffix → (media type, pyoxigraph format) of every uncompressed dump.
RDF_DUMPS: dict[str, tuple[str, RdfFormat]] = {
    "ttl": (conneg.TURTLE, RdfFormat.TURTLE),
    "nt": (conneg.N_TRIPLES, RdfFormat.N_TRIPLES),
    "jsonld": (conneg.JSON_LD, RdfFormat.JSON_LD),
    "nq": (conneg.N_QUADS, RdfFormat.N_QUADS),
}
GZIP = "application/gzip"
#: Every dump's suffix → (media type of the file, pyoxigraph format of its content); the
#: ``.gz`` files hold the dump of the same name, compressed with gzip.
DUMP_FORMATS: dict[str, tuple[str, RdfFormat]] = {
    **RDF_DUMPS,
    **{f"{suffix}.gz": (GZIP, fmt) for suffix, (_, fmt) in RDF_DUMPS.items()},
}
DUMP_STEM = "qualifica"


@dataclass(frozen=True)
class Dump:
    """One dump file: its public name, path, media type, size and SHA-256 (hex). The media type
    of a ``.gz`` file is ``application/gzip``; ``content_type`` is that of what it holds."""

    name: str
    suffix: str
    path: Path
    media_type: str
    byte_size: int
    sha256: str
    generation: int

    @property
    def gzip(self) -> bool:
        """Whether the file is compressed with gzip."""
        return self.suffix.endswith(".gz")

    @property
    def content_type(self) -> str:
        """The media type of the RDF the file holds (compressed or not)."""
        return RDF_DUMPS[self.suffix.removesuffix(".gz")][0]


class DumpState:
    """The dumps written last, by suffix; one writer at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.dumps: dict[str, Dump] = {}


#: The dump state of a context.
DUMPS: Part[DumpState] = Part("dumps", lambda ctx: DumpState())


def downloads_dir(ctx: Context) -> Path:
    """``{data_dir}/downloads``, created when missing."""
    folder = ctx.settings.data_dir / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write(ctx: Context, suffix: str, generation: int, triples: Path | None = None) -> Dump:
    """Write one dump; formats that can hold datasets are converted from ``triples`` (the
    N-Triples dump of the same generation) so that every dump is the union graph."""
    media_type, fmt = DUMP_FORMATS[suffix]
    folder = downloads_dir(ctx)
    final = folder / f"{DUMP_STEM}.{generation}.{suffix}"
    tmp = folder / f".{DUMP_STEM}.{generation}.{suffix}.{os.getpid()}.tmp"
    with tmp.open("wb") as out:
        if suffix.endswith(".gz"):
            # the compressed copy of the dump written just before; mtime 0: the same dump
            # gives the same bytes
            plain = folder / f"{DUMP_STEM}.{generation}.{suffix.removesuffix('.gz')}"
            with plain.open("rb") as src, gzip.GzipFile(
                    filename="", mode="wb", fileobj=out, mtime=0) as packed:
                shutil.copyfileobj(src, packed, 1 << 20)
        elif suffix == "nq":
            ctx.store.dump(out, fmt)  # every graph kept
        elif fmt.supports_datasets:
            # JSON-LD can hold named graphs, but every dump is the same graph: the union of
            # all graphs. It is converted, streaming, from the N-Triples dump.
            source = triples or _write(ctx, "nt", generation).path
            serialize(parse(path=str(source), format=RdfFormat.N_TRIPLES), out, format=fmt)
        else:
            ctx.store.dump(out, fmt)
    digest = hashlib.sha256()
    size = 0
    with tmp.open("rb") as written:
        while chunk := written.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    os.replace(tmp, final)
    log.info("wrote %s (%d bytes) for store generation %d", final.name, size, generation)
    return Dump(name=f"{DUMP_STEM}.{suffix}", suffix=suffix, path=final, media_type=media_type,
                byte_size=size, sha256=digest.hexdigest(), generation=generation)


def _prune(folder: Path, keep: set[Path]) -> None:
    for path in folder.glob(f"{DUMP_STEM}.*.*"):
        if path not in keep:
            try:
                path.unlink()
            except OSError:  # another process may have removed it already
                log.debug("could not remove the old dump %s", path)


def current_dumps(ctx: Context) -> dict[str, Dump]:
    """The dumps of the store as it is now, by suffix (written when the generation changed)."""
    state = ctx.part(DUMPS)
    with state.lock:
        generation = ctx.store.generation
        written = state.dumps
        if all(
            d.generation == generation and d.path.is_file() for d in written.values()
        ) and set(written) == set(DUMP_FORMATS):
            return dict(written)
        dumps: dict[str, Dump] = {}
        for suffix in ("nt", *(s for s in DUMP_FORMATS if s != "nt")):
            dumps[suffix] = _write(ctx, suffix, generation, dumps["nt"].path if dumps else None)
        if ctx.store.generation != generation:
            log.info("the store changed while its dumps were written; they show generation %d",
                     generation)
        _prune(downloads_dir(ctx), {d.path for d in dumps.values()})
        state.dumps = dumps
        return dict(dumps)
