"""Citable releases of the data and the changes between them.

``make_release(ctx, "1.2.0")`` freezes what the store holds now:

* a snapshot as N-Quads (gzip) under ``{data_dir}/releases/{version}/``, every quad moved into
  the release's named graph ``https://w3id.org/qualifica/graph/release/{version}`` (the graph
  is kept in the dump, not loaded into the live store: there the default graph is the union of
  all graphs, and a second copy of everything would show up in every answer);
* a Turtle dump of the same triples beside it, and ``SHA256SUMS`` (``sha256sum -c`` reads it);
* a DCAT entry (``dcat:Dataset`` with ``dcat:version``, ``dcterms:issued``, the release graph
  and its distributions) in the graph ``https://w3id.org/qualifica/graph/releases`` of the live
  store, written through the SHACL gate. Its IRI is canonical,
  ``https://w3id.org/qualifica/releases/{version}``, served at ``{public base}releases/{version}``
  (``metadata.release_triples`` describes it in full, DCAT-AP.de).

``changes(ctx, from_, to)`` compares two releases (``to=None``: the live data) resource by
resource: added, removed, and changed with the properties whose values differ.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse, serialize

from qualifica.config import Settings
from qualifica.errors import BadParameter, NotFound
from qualifica.linkeddata import citation
from qualifica.linkeddata.feed import feed_for
from qualifica.namespaces import DCAT, DCTERMS, GRAPH, PREFIXES, RDF_TYPE, XSD
from qualifica.store.stamps import server_kept

if TYPE_CHECKING:
    from qualifica.context import Context

RELEASES_GRAPH = f"{GRAPH}releases"
VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass(frozen=True)
class Release:
    """One release: version, issue date, its graph and files."""

    version: str
    issued: str
    graph: str
    quads: int
    files: tuple[str, ...]


def release_graph(version: str) -> str:
    """The named graph of a release."""
    return f"{GRAPH}release/{version}"


def release_iri(ctx: Context, version: str) -> str:
    """The canonical IRI of a release's DCAT entry (``citation.release_iri``)."""
    return citation.release_iri(version)


def release_url(settings: Settings, version: str) -> str:
    """Where this server serves a release's description: ``{public base}releases/{version}``."""
    return f"{settings.public_base}releases/{version}"


def file_url(settings: Settings, version: str, name: str) -> str:
    """Where this server serves a file of a release."""
    return f"{release_url(settings, version)}/{name}"


SUMS = "SHA256SUMS"
#: File suffix of a release file → (media type of its content, compressed with gzip).
FILE_TYPES: dict[str, tuple[str, bool]] = {
    ".nq.gz": ("application/n-quads", True),
    ".ttl": ("text/turtle", False),
    ".ttl.gz": ("text/turtle", True),
    ".nq": ("application/n-quads", False),
}


@dataclass(frozen=True)
class ReleaseFile:
    """A file of a release: name, path, media type of its content, whether it is gzip, its size
    and SHA-256 (hex)."""

    name: str
    path: Path
    media_type: str
    gzip: bool
    byte_size: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_sums(folder: Path) -> dict[str, str]:
    sums = {p.name: _sha256(p) for p in sorted(folder.glob("qualifica-*")) if p.is_file()}
    tmp = folder / f".{SUMS}.tmp"
    tmp.write_text("".join(f"{h}  {n}\n" for n, h in sums.items()), encoding="ascii")
    tmp.replace(folder / SUMS)
    return sums


def _sums(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file of a release folder, from ``SHA256SUMS`` (written when
    missing: releases made before it existed)."""
    path = folder / SUMS
    if not path.is_file():
        return _write_sums(folder)
    sums = {}
    for line in path.read_text(encoding="ascii").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            sums[name] = digest
    return sums


def checksum(ctx: Context, version: str, name: str) -> str | None:
    """The SHA-256 (hex) of a release file (``None`` for ``SHA256SUMS`` itself)."""
    folder = _folder(ctx, version)
    return _sums(folder).get(name) if folder.is_dir() else None


def release_files(ctx: Context, version: str) -> list[ReleaseFile]:
    """The files of a release with media type, size and SHA-256, by name."""
    folder = _folder(ctx, version)
    if not folder.is_dir():
        return []
    sums = _sums(folder)
    files = []
    for path in sorted(folder.glob("qualifica-*")):
        suffix = path.name.removeprefix(f"qualifica-{version}")
        if suffix not in FILE_TYPES or not path.is_file():
            continue
        media, packed = FILE_TYPES[suffix]
        files.append(ReleaseFile(path.name, path, media, packed, path.stat().st_size,
                                 sums.get(path.name) or _sha256(path)))
    return files


def check_version(version: str) -> str:
    """A semantic version ``X.Y.Z``; ``BadParameter`` otherwise."""
    if not VERSION.match(version):
        raise BadParameter(f"a release version is X.Y.Z (semantic versioning), got {version!r}",
                           param="version", status=422)
    return version


def _folder(ctx: Context, version: str) -> Path:
    return Path(ctx.settings.data_dir) / "releases" / version


def _live_quads(ctx: Context) -> list[Quad]:
    return [q for q in ctx.store.quads()
            if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value == RELEASES_GRAPH)]


def make_release(ctx: Context, version: str, *, today: dt.date | None = None) -> Release:
    """Freeze the current data as release ``version`` (see the module doc)."""
    from qualifica.validation.changes import gated_write, validator_for, write_lock
    from qualifica.validation.incremental import Change

    check_version(version)
    if version in {r.version for r in list_releases(ctx)}:
        raise BadParameter(f"release {version} exists already; releases are immutable",
                           param="version", status=409)
    issued = (today or dt.date.today()).isoformat()
    graph = NamedNode(release_graph(version))
    frozen = [Quad(q.subject, q.predicate, q.object, graph) for q in _live_quads(ctx)]
    folder = _folder(ctx, version)
    folder.mkdir(parents=True, exist_ok=True)
    nq = folder / f"qualifica-{version}.nq.gz"
    ttl = folder / f"qualifica-{version}.ttl"
    with gzip.open(nq, "wb") as fh:
        serialize(frozen, fh, format=RdfFormat.N_QUADS)  # type: ignore[arg-type]
    with ttl.open("wb") as fh:
        serialize((q.triple for q in frozen), fh, format=RdfFormat.TURTLE, prefixes=PREFIXES)
    _write_sums(folder)

    entry = NamedNode(release_iri(ctx, version))
    g = NamedNode(RELEASES_GRAPH)
    meta = [
        Quad(entry, NamedNode(RDF_TYPE), NamedNode(DCAT + "Dataset"), g),
        Quad(entry, NamedNode(DCAT + "version"), Literal(version), g),
        Quad(entry, NamedNode(DCTERMS + "issued"),
             Literal(issued, datatype=NamedNode(XSD + "date")), g),
        Quad(entry, NamedNode(DCTERMS + "title"),
             Literal(f"Qualifica {version}", language="en"), g),
        Quad(entry, NamedNode(DCTERMS + "title"),
             Literal(f"Qualifica {version}", language="de"), g),
        Quad(entry, NamedNode(DCTERMS + "hasPart"), graph, g),
    ]
    for path, media in ((nq, "application/n-quads"), (ttl, "text/turtle")):
        dist = NamedNode(f"{release_iri(ctx, version)}/{path.name}")
        meta += [
            Quad(entry, NamedNode(DCAT + "distribution"), dist, g),
            Quad(dist, NamedNode(RDF_TYPE), NamedNode(DCAT + "Distribution"), g),
            Quad(dist, NamedNode(DCAT + "mediaType"), Literal(media), g),
            Quad(dist, NamedNode(DCAT + "downloadURL"), dist, g),
        ]
    with write_lock(ctx):
        gated_write(ctx.store, validator_for(ctx), Change(added=meta))
    feed_for(ctx).record_release(version, entry.value, graph.value, issued, len(frozen))
    return Release(version, issued, graph.value, len(frozen), (nq.name, ttl.name))


def get_release(ctx: Context, version: str) -> Release:
    """One release; ``NotFound`` when there is none of that version."""
    check_version(version)
    for release in list_releases(ctx):
        if release.version == version:
            return release
    raise NotFound(f"there is no release {version}", id=version)


def list_releases(ctx: Context) -> list[Release]:
    """All releases, oldest first (by version)."""
    out = []
    for q in ctx.store.quads(predicate=NamedNode(DCAT + "version"), graph=RELEASES_GRAPH):
        version = q.object.value if isinstance(q.object, Literal) else ""
        subject = q.subject if isinstance(q.subject, NamedNode) else None
        issued = next((i.object.value for i in ctx.store.quads(
            subject, NamedNode(DCTERMS + "issued"), graph=RELEASES_GRAPH)
            if isinstance(i.object, Literal)), "")
        folder = _folder(ctx, version)
        files = tuple(sorted(p.name for p in folder.glob("qualifica-*"))) if folder.is_dir() else ()
        out.append(Release(version, issued, release_graph(version), -1, files))
    return sorted(out, key=lambda r: tuple(int(x) for x in r.version.split(".")))


def release_file(ctx: Context, version: str, name: str) -> Path:
    """A file of a release (for downloads); ``NotFound`` otherwise."""
    check_version(version)
    path = _folder(ctx, version) / name
    if "/" in name or not (name.startswith("qualifica-") or name == SUMS) or not path.is_file():
        raise NotFound(f"release {version} has no file {name!r}")
    return path


def _snapshot(ctx: Context, version: str | None) -> set[tuple[object, object, object]]:
    """The triples of a release (``None``: of the live data), the stamps aside: a resource
    whose data changed has changed, its ``dcterms:modified`` goes without saying."""
    if version is None:
        quads = _live_quads(ctx)
    else:
        check_version(version)
        path = _folder(ctx, version) / f"qualifica-{version}.nq.gz"
        if not path.is_file():
            raise NotFound(f"there is no release {version}", param="from")
        with gzip.open(path, "rb") as fh:
            quads = list(parse(fh, format=RdfFormat.N_QUADS))  # type: ignore[arg-type]
    return {(q.subject, q.predicate, q.object) for q in quads if not server_kept(q)}


def changes(ctx: Context, from_: str, to: str | None = None) -> dict[str, object]:
    """Resources added, removed and changed (with the changed properties) between versions."""
    old, new = _snapshot(ctx, from_), _snapshot(ctx, to)
    by_old: dict[object, set[tuple[object, object]]] = defaultdict(set)
    by_new: dict[object, set[tuple[object, object]]] = defaultdict(set)
    for s, p, o in old:
        if not isinstance(s, BlankNode):
            by_old[s].add((p, o))
    for s, p, o in new:
        if not isinstance(s, BlankNode):
            by_new[s].add((p, o))
    added = sorted(str(s.value) for s in by_new.keys() - by_old.keys())  # type: ignore[attr-defined]
    removed = sorted(str(s.value) for s in by_old.keys() - by_new.keys())  # type: ignore[attr-defined]
    changed = []
    for s in sorted(by_old.keys() & by_new.keys(), key=lambda n: n.value):  # type: ignore[attr-defined]
        before, after = by_old[s], by_new[s]
        if before == after:
            continue
        props = sorted({str(p.value) for p, _ in before ^ after})  # type: ignore[attr-defined]
        changed.append({"iri": s.value, "properties": props})  # type: ignore[attr-defined]
    return {"from": from_, "to": to or "current", "added": added, "removed": removed,
            "changed": changed}
