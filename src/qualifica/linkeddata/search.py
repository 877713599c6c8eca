"""Search and autocomplete over preferred and alternative labels in both languages.

Labels and queries are normalised twice: case-folded with umlauts spelled out (ä→ae, ö→oe,
ü→ue, ß→ss) and case-folded with diacritics stripped (ä→a). A label matches when either form
of the query matches the same form of the label, so "Schuetzen", "schützen" and "Schutzen"
all find "Schützen". Ranking: exact match, then prefix, then the start of a later word, then
anywhere inside; ties by label and IRI. The index is part of the catalogue snapshot, so it
is rebuilt when the store changes. Deprecated resources (``owl:deprecated true``) are found
only when asked for (``deprecated=True``).

With ``fuzzy=True`` (the search page) a label also matches when every word of the query is
within a few edits of a word of the label: insertions, deletions, substitutions and swaps of
two neighbouring letters (optimal string alignment distance, computed by rapidfuzz over the
index's word list), at most one edit for words of 4-7 letters and two from 8 letters on, none
below. "Prozesmanager" finds "Prozessmanager"; such matches rank after every literal one, the
closest first.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from qualifica.errors import BadParameter
from qualifica.linkeddata.catalogue import COLLECTIONS, Catalogue, fold

#: Kinds searched when no ``type`` is given.
SEARCHABLE: tuple[str, ...] = (
    "role", "task", "competency", "framework", "training-format", "legal-basis", "level",
)
MATCHES: tuple[str, ...] = ("exact", "prefix", "word", "infix", "fuzzy")
FUZZY = MATCHES.index("fuzzy")
MAX_LIMIT = 100
MAX_QUERY = 200
_SPELL_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe"})
_WORDS = re.compile(r"[0-9a-z]+")
_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")


def typos_allowed(word: str) -> int:
    """How many edits a query word may be away from a label word: 0 below 4 letters, 1 for
    4-7 letters, 2 from 8 letters on."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def spelled(text: str) -> str:
    """Case-folded, umlauts spelled out, other diacritics stripped, whitespace collapsed."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SPELL_OUT)
    return _strip(folded)


def stripped(text: str) -> str:
    """Case-folded with every diacritic stripped (ä→a), ß→ss, whitespace collapsed."""
    return _strip(unicodedata.normalize("NFC", text).casefold().replace("ß", "ss"))


def _strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


@dataclass(frozen=True)
class _Entry:
    iri: str
    kind: str
    label: str
    preferred: bool
    forms: tuple[str, str]  # spelled, stripped
    lang: str = ""


@dataclass(frozen=True)
class _Index:
    """The entries of one catalogue snapshot, their forms joined for literal matching, and, for
    fuzzy matching, their words."""

    entries: list[_Entry]
    words: list[str]  # every distinct word of every form, for rapidfuzz
    by_word: dict[str, frozenset[int]]  # word -> indexes of the entries holding it
    # per form (spelled, stripped): every entry's form joined by "\n" (which no form holds:
    # whitespace is collapsed), and where each starts, with len(blob) + 1 as the last start
    blobs: tuple[str, str] = ("", "")
    starts: tuple[list[int], list[int]] = ([], [])
    _order: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> iri -> sort key

    def sort_key(self, cat: Catalogue, iri: str, lang: str) -> str:
        """The folded label of ``iri`` in ``lang`` (computed once per snapshot)."""
        keys = self._order.setdefault(lang, {})
        key = keys.get(iri)
        if key is None:
            key = keys[iri] = fold(cat.label(iri, lang))
        return key


def _joined(forms: list[str]) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for form in forms:
        starts.append(pos)
        pos += len(form) + 1
    starts.append(pos)
    return "\n".join(forms), starts


def _index(cat: Catalogue) -> _Index:
    if isinstance(cat.search_index, _Index):
        return cat.search_index
    entries: list[_Entry] = []
    for iri, kind in cat.kinds.items():
        if kind not in SEARCHABLE:
            continue
        for lang, label in cat.labels.get(iri, {}).items():
            entries.append(_Entry(iri, kind, label, True, (spelled(label), stripped(label)),
                                  lang))
        for lang, labels in cat.alt.get(iri, {}).items():
            for label in labels:
                entries.append(_Entry(iri, kind, label, False,
                                      (spelled(label), stripped(label)), lang))
    by_word: dict[str, set[int]] = {}
    for i, entry in enumerate(entries):
        for form in entry.forms:
            for word in _WORDS.findall(form):
                by_word.setdefault(word, set()).add(i)
    spelled_blob, spelled_starts = _joined([e.forms[0] for e in entries])
    stripped_blob, stripped_starts = _joined([e.forms[1] for e in entries])
    index = _Index(entries, sorted(by_word), {w: frozenset(e) for w, e in by_word.items()},
                   (spelled_blob, stripped_blob), (spelled_starts, stripped_starts))
    cat.search_index = index  # one per snapshot: a write builds a new catalogue
    return index


def _literal(index: _Index, forms: tuple[str, str]) -> dict[int, int]:
    """Entries whose form contains the query's form of the same kind: entry index -> the best
    rank (exact, prefix, a later word's start, anywhere). One ``str.find`` per matching entry
    and form, and a word-start search where the first hit is inside a word."""
    found: dict[int, int] = {}
    for k, q in enumerate(forms):
        if not q:
            continue
        blob, starts = index.blobs[k], index.starts[k]
        word = re.compile(r"(?<![0-9a-z])" + re.escape(q)) if _WORDS.match(q) else None
        pos = blob.find(q)
        while pos >= 0:
            i = bisect_right(starts, pos) - 1
            start, end = starts[i], starts[i + 1] - 1
            if pos == start:
                rank = 0 if end - start == len(q) else 1
            elif word is not None and (blob[pos - 1] not in _ALNUM
                                       or word.search(blob, pos, end) is not None):
                rank = 2
            else:
                rank = 3
            if rank < found.get(i, len(MATCHES)):
                found[i] = rank
            pos = blob.find(q, end + 1)
    return found


def _fuzzy(index: _Index, forms: tuple[str, str]) -> dict[int, int]:
    """Entries every query word of which is within its allowed edits of one of their words:
    entry index -> the sum of the smallest distances (the closer, the better)."""
    best: dict[int, int] | None = None
    for form in dict.fromkeys(forms):
        found = _fuzzy_form(index, _WORDS.findall(form))
        if found is None:
            continue
        if best is None:
            best = found
        else:
            for i, d in found.items():
                best[i] = min(d, best.get(i, d))
    return best or {}


def _fuzzy_form(index: _Index, words: list[str]) -> dict[int, int] | None:
    if not words:
        return None
    total: dict[int, int] | None = None
    for word in words:
        allowed = typos_allowed(word)
        near: dict[int, int] = {}
        hits = [(w, 0) for w in index.words if word in w] if allowed == 0 else [
            (w, int(d)) for w, d, _ in process.extract(
                word, index.words, scorer=OSA.distance, score_cutoff=allowed, limit=None)]
        for w, d in hits:
            for i in index.by_word[w]:
                if d < near.get(i, d + 1):
                    near[i] = d
        total = near if total is None else {
            i: total[i] + d for i, d in near.items() if i in total}
        if not total:
            return {}
    return total


def parse_types(raw: str | None) -> tuple[str, ...]:
    """Kinds from a comma-separated ``type`` value (``role,competency`` or REST collection
    names such as ``roles``); 422 naming ``type`` for an unknown one."""
    if raw is None or not raw.strip():
        return SEARCHABLE
    kinds: list[str] = []
    for part in raw.split(","):
        name = part.strip().lower()
        if not name:
            continue
        kind = COLLECTIONS.get(name, name)
        if kind not in SEARCHABLE:
            raise BadParameter(
                f"parameter 'type': unknown type {part.strip()[:40]!r}; use one of "
                + ", ".join(SEARCHABLE), param="type", status=422)
        kinds.append(kind)
    return tuple(dict.fromkeys(kinds))


def ranked(cat: Catalogue, q: str, *, types: tuple[str, ...] = SEARCHABLE, lang: str = "de",
           deprecated: bool = False, fuzzy: bool = False, limit: int | None = None
           ) -> list[tuple[str, str, str, str]]:
    """Every resource matching ``q`` (the first ``limit`` of them), best first, as ``(iri,
    match, matched label, its language)``."""
    if len(q) > MAX_QUERY:
        raise BadParameter(f"parameter 'q' is longer than {MAX_QUERY} characters", param="q",
                           status=422)
    forms = (spelled(q), stripped(q))
    if not forms[0] and not forms[1]:
        return []
    index = _index(cat)
    best: dict[str, tuple[int, int, int, _Entry]] = {}

    def offer(rank: int, distance: int, entry: _Entry) -> None:
        if entry.kind not in types or (not deprecated and entry.iri in cat.deprecated):
            return
        key = (rank, distance, 0 if entry.preferred else 1, entry)
        current = best.get(entry.iri)
        if current is None or key[:3] < current[:3]:
            best[entry.iri] = key

    for i, rank in _literal(index, forms).items():
        offer(rank, 0, index.entries[i])
    if fuzzy:
        for i, distance in _fuzzy(index, forms).items():
            offer(FUZZY, distance, index.entries[i])

    def key(k: tuple[int, int, int, _Entry]) -> tuple[int, int, int, str, str]:
        return (k[0], k[1], k[2], index.sort_key(cat, k[3].iri, lang), k[3].iri)

    order = sorted(best.values(), key=key) if limit is None else \
        heapq.nsmallest(limit, best.values(), key=key)
    return [(k[3].iri, MATCHES[k[0]], k[3].label, k[3].lang) for k in order]


def search(cat: Catalogue, q: str, *, types: tuple[str, ...] = SEARCHABLE, lang: str = "de",
           limit: int = 20, deprecated: bool = False, fuzzy: bool = False
           ) -> list[dict[str, Any]]:
    """Resources whose labels match ``q``, best first; an empty list when nothing matches.
    Deprecated resources only when ``deprecated`` is true; near misses with ``fuzzy``."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParameter(f"parameter 'limit' must be between 1 and {MAX_LIMIT}",
                           param="limit", status=422)
    out: list[dict[str, Any]] = []
    for iri, match, label, _ in ranked(cat, q, types=types, lang=lang, deprecated=deprecated,
                                       fuzzy=fuzzy, limit=limit):
        item: dict[str, Any] = dict(cat.node(iri, lang))
        item["match"] = match
        item["matched"] = label
        out.append(item)
    return out
