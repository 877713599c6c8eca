"""The change feed for partner systems: every committed change to the data and every legal
change, stored durably and served newest first as Atom and as ActivityStreams 2.0.

The feed is an append-only SQLite file (``{data_dir}/feed.sqlite``, WAL journal). The context
part ``FEED`` subscribes to the store: every write committed through ``Store.apply`` (API
writes, spreadsheet imports, loads through the gate) appends one entry naming the resources
(subjects) and properties (predicates) it changed, in the listener the store calls right after
the commit. Legal changes (``linkeddata.legal``) are appended when the feed first sees them in
the data (at start-up and after each write), each once, keyed by change. Entries are numbered
in the order they were stored; a partner polls with ``since`` (a time) and loses nothing across
restarts, because nothing of the feed lives only in memory.
"""

from __future__ import annotations

import datetime
import itertools
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad

from qualifica.context import Context, Part
from qualifica.errors import BadParameter
from qualifica.linkeddata import legal
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import ELI, QD, SKOS
from qualifica.store.base import ChangeSet
from qualifica.store.stamps import MODIFIED_GRAPH, in_stamp_graph

log = logging.getLogger(__name__)

#: Entries per page of either serialisation.
PAGE_SIZE = 50
#: Resources named per entry (a larger write names this many and gives the total).
MAX_RESOURCES = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    published TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_published ON entries (published);
"""


def now_utc() -> datetime.datetime:
    """The current time in UTC (the feed's clock)."""
    return datetime.datetime.now(datetime.UTC)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Entry:
    """One stored entry of the feed."""

    seq: int
    id: str
    published: datetime.datetime
    kind: str  # "data", "legal" or "release"
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def resources(self) -> list[str]:
        """The IRIs of the resources changed (at most :data:`MAX_RESOURCES`)."""
        return list(self.body.get("resources", []))

    @property
    def properties(self) -> list[str]:
        """The IRIs of the properties changed."""
        return list(self.body.get("properties", []))


@dataclass
class FeedPage:
    """One page of the feed, newest first."""

    entries: list[Entry]
    page: int
    pages: int
    total: int
    last_seq: int
    since: datetime.datetime | None


def _terms(quads: Iterable[Quad]) -> tuple[set[str], set[str], set[str]]:
    subjects: set[str] = set()
    predicates: set[str] = set()
    graphs: set[str] = set()
    for q in quads:
        if isinstance(q.subject, NamedNode):
            subjects.add(q.subject.value)
        predicates.add(q.predicate.value)
        if isinstance(q.graph_name, NamedNode):
            graphs.add(q.graph_name.value)
    return subjects, predicates, graphs


def data_entry_body(change: ChangeSet) -> dict[str, Any]:
    """What an entry says about a committed write: the resources and properties changed, the
    graphs touched and how many statements were added and removed (``null`` when unknown)."""
    if change.added is None or change.removed is None:
        return {"resources": [], "resources_total": None, "properties": [],
                "graphs": sorted(g for g in change.graphs if g), "added": None, "removed": None}
    # the data the write changed; the stamps it set (``store.stamps``) go without saying
    added = [q for q in change.added if not in_stamp_graph(q)]
    removed = [q for q in change.removed if not in_stamp_graph(q)]
    subjects, predicates, graphs = _terms([*added, *removed])
    ordered = sorted(subjects)
    return {"resources": ordered[:MAX_RESOURCES], "resources_total": len(ordered),
            "properties": sorted(predicates),
            "graphs": sorted(graphs | {g for g in change.graphs if g and g != MODIFIED_GRAPH}),
            "added": len(added), "removed": len(removed)}


class ChangeFeed:
    """The stored feed: append entries, read pages newest first."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    # -- writing ---------------------------------------------------------------------------
    def append(self, kind: str, body: dict[str, Any], *, key: str | None = None,
               at: datetime.datetime | None = None) -> Entry | None:
        """Store one entry (committed before this returns); ``None`` when an entry with the
        same ``key`` is stored already."""
        entry_id = f"urn:uuid:{uuid.uuid4()}"
        published = at or now_utc()
        with self._lock:
            try:
                cur = self._db.execute(
                    "INSERT INTO entries (id, published, kind, key, body) VALUES (?, ?, ?, ?, ?)",
                    (entry_id, _stamp(published), kind, key,
                     json.dumps(body, ensure_ascii=False, sort_keys=True)))
            except sqlite3.IntegrityError:
                return None
            seq = int(cur.lastrowid or 0)
        return Entry(seq, entry_id, published, kind, body)

    def record(self, change: ChangeSet) -> Entry | None:
        """Store a committed write (nothing for a write that changed nothing)."""
        if change.added is not None and change.removed is not None \
                and not change.added and not change.removed:
            return None
        return self.append("data", data_entry_body(change))

    def record_legal(self, changes: Iterable[legal.Change],
                     english: dict[str, str] | None = None) -> int:
        """Store the legal changes not stored yet (``english``: English labels of the
        provisions); returns how many were new."""
        new = 0
        for c in changes:
            key = "legal|" + "|".join((c.date.isoformat(), c.kind, c.provision["iri"],
                                       c.new_version["iri"] if c.new_version else "",
                                       c.old_version["iri"] if c.old_version else ""))
            body = {
                "date": c.date.isoformat(), "change": c.kind,
                "provision": c.provision["iri"],
                "label": c.provision["label"],
                "label_en": (english or {}).get(c.provision["iri"], c.provision["label"]),
                "new_version": c.new_version["iri"] if c.new_version else None,
                "old_version": c.old_version["iri"] if c.old_version else None,
                "changed_by": c.changed_by["iri"] if c.changed_by else None,
                "resources": [c.provision["iri"]] + [
                    n["iri"] for n in (c.new_version, c.old_version) if n],
                "properties": [],
                "affected": {k: [n["iri"] for n in v] for k, v in c.affected.items() if v},
            }
            if self.append("legal", body, key=key) is not None:
                new += 1
        return new

    def record_release(self, version: str, iri: str, graph: str, issued: str,
                       quads: int) -> Entry | None:
        """Store the making of release ``version`` (once per version)."""
        return self.append("release", {
            "release": version, "issued": issued, "graph": graph, "quads": quads,
            "resources": [iri, graph], "properties": []}, key=f"release|{version}")

    # -- reading ---------------------------------------------------------------------------
    def last_seq(self) -> int:
        """The number of the newest entry (0 when empty)."""
        with self._lock:
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()
        return int(row[0])

    def page(self, page: int = 1, since: datetime.datetime | None = None,
             size: int = PAGE_SIZE) -> FeedPage:
        """Entries newest first, ``size`` per page (page 1 the newest); with ``since``, only
        the entries stored after that moment."""
        where, args = ("WHERE published > ?", [_stamp(since)]) if since else ("", [])
        with self._lock:
            total = int(self._db.execute(f"SELECT COUNT(*) FROM entries {where}",  # noqa: S608
                                         args).fetchone()[0])
            rows = self._db.execute(
                f"SELECT seq, id, published, kind, body FROM entries {where} "  # noqa: S608
                "ORDER BY seq DESC LIMIT ? OFFSET ?", [*args, size, (page - 1) * size]
            ).fetchall()
            last = int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries")
                       .fetchone()[0])
        entries = [Entry(int(seq), eid, _parse_stamp(pub), kind, json.loads(body))
                   for seq, eid, pub, kind, body in rows]
        pages = max(1, -(-total // size))
        return FeedPage(entries, page, pages, total, last, since)


def _parse_stamp(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


def parse_since(value: str | None) -> datetime.datetime | None:
    """``since`` as a moment: an RFC 3339 time (``2026-12-01T17:00:00Z``) or a day
    (``2026-12-01``, its start in UTC); ``BadParameter`` otherwise."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter("parameter 'since' must be a time such as 2026-12-01T17:00:00Z "
                           f"or a day, got {value[:40]!r}", param="since", status=422) from None
    if moment.tzinfo is None:
        raise BadParameter("parameter 'since' needs a time zone (Z or +01:00)",
                           param="since", status=422)
    return moment.astimezone(datetime.UTC)


def sync_legal(ctx: Context, feed: ChangeFeed) -> int:
    """Append the legal changes of the data the feed has not published yet (none when the
    configured queries lack ``legal-changes``)."""
    if "legal-changes" not in ctx.registry.queries or _follows(ctx):
        return 0
    try:
        changes = legal.legal_changes(ctx, datetime.date(1900, 1, 1),
                                      datetime.date(2100, 12, 31), "de")
    except BadParameter as exc:
        # A remote server may refuse the query (Virtuoso 7.2's SPARQL compiler does, see
        # docs/backends.md): the data stays served, the feed carries no legal changes.
        log.warning("the legal changes could not be read for the change feed: %s", exc)
        return 0
    cat = catalogue_for(ctx)
    english = {c.provision["iri"]: cat.label(c.provision["iri"], "en") for c in changes}
    # oldest first, so that the entries are numbered in the order the changes took effect
    return feed.record_legal(reversed(changes), english)


#: The predicates a legal change is made of (``legal-changes``: the versions of a provision,
#: their dates, predecessors and numbers, the act a provision is part of). A change is stored
#: once under its date, kind, provision and versions, so a write that touches none of these
#: adds none.
LEGAL_PREDICATES = frozenset({
    QD + "hasVersion", QD + "previousVersion", QD + "partOf", SKOS + "notation",
    ELI + "version_date", ELI + "first_date_entry_in_force", ELI + "date_no_longer_in_force",
})


def may_add_legal_changes(change: ChangeSet) -> bool:
    """Whether ``change`` can add a legal change: it adds or removes a statement with one of
    ``LEGAL_PREDICATES``, or what it changed is unknown. (Reading the legal changes again
    after every write cost a second at scale 1.)"""
    if change.added is None or change.removed is None:
        return True
    return any(q.predicate.value in LEGAL_PREDICATES
               for q in itertools.chain(change.added, change.removed))


def _build(ctx: Context) -> ChangeFeed:
    feed = ChangeFeed(Path(ctx.settings.data_dir) / "feed.sqlite")

    def listener(change: ChangeSet) -> None:
        try:
            feed.record(change)
            if may_add_legal_changes(change):
                sync_legal(ctx, feed)
        except Exception:  # the write is committed; the feed must never undo or fail it
            log.exception("the change feed could not record a write")

    if not _follows(ctx):
        # last: the legal changes are labelled from the catalogue, which its own listener has
        # then patched for this write (called before it, the feed found the catalogue a write
        # behind and built it anew: seconds at scale 1, inside every write)
        ctx.store.subscribe(listener, last=True)
    return feed


def _follows(ctx: Context) -> bool:
    """Whether the store follows another process's writes (``serve --workers``): that
    process records them, so this one only reads the feed."""
    return bool(getattr(ctx.store, "follows", False))


FEED: Part[ChangeFeed] = Part("change feed", _build, ChangeFeed.close)


def feed_for(ctx: Context) -> ChangeFeed:
    """The change feed of this context (opened and subscribed to the store on first use)."""
    return ctx.part(FEED)
