"""Search and autocomplete over preferred and alternative labels in both languages.

Labels and queries are normalised twice: case-folded with umlauts spelled out (ä→ae, ö→oe,
ü→ue, ß→ss) and case-folded with diacritics stripped (ä→a). A label matches when either form
of the query matches the same form of the label, so "Schuetzen", "schützen" and "Schutzen"
all find "Schützen". Ranking: exact match, then prefix, then the start of a later word, then
anywhere inside; ties by label and IRI. The index is part of the catalogue snapshot, so it
is rebuilt when the store changes. Deprecated resources (``owl:deprecated true``) are found
only when asked for (``deprecated=True``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from qualifica.errors import BadParameter
from qualifica.linkeddata.catalogue import COLLECTIONS, Catalogue, fold

#: Kinds searched when no ``type`` is given.
SEARCHABLE: tuple[str, ...] = (
    "role", "task", "competency", "framework", "training-format", "legal-basis", "level",
)
MATCHES: tuple[str, ...] = ("exact", "prefix", "word", "infix")
MAX_LIMIT = 100
MAX_QUERY = 200
_SPELL_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe"})
_WORD_START = re.compile(r"(?<![0-9a-z])(?=[0-9a-z])")


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


def _index(cat: Catalogue) -> list[_Entry]:
    if cat.search_index is not None:
        return list(cat.search_index)
    entries: list[_Entry] = []
    for iri, kind in cat.kinds.items():
        if kind not in SEARCHABLE:
            continue
        for label in cat.labels.get(iri, {}).values():
            entries.append(_Entry(iri, kind, label, True, (spelled(label), stripped(label))))
        for labels in cat.alt.get(iri, {}).values():
            for label in labels:
                entries.append(_Entry(iri, kind, label, False,
                                      (spelled(label), stripped(label))))
    cat.search_index = entries
    return entries


def _rank(query: str, label: str) -> int | None:
    if not query:
        return None
    if label == query:
        return 0
    if label.startswith(query):
        return 1
    pos = label.find(query)
    if pos < 0:
        return None
    # a later word of the label starts with the query
    for m in _WORD_START.finditer(label):
        if m.start() > 0 and label.startswith(query, m.start()):
            return 2
    return 3


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


def search(cat: Catalogue, q: str, *, types: tuple[str, ...] = SEARCHABLE, lang: str = "de",
           limit: int = 20, deprecated: bool = False) -> list[dict[str, Any]]:
    """Resources whose labels match ``q``, best first; an empty list when nothing matches.
    Deprecated resources only when ``deprecated`` is true."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParameter(f"parameter 'limit' must be between 1 and {MAX_LIMIT}",
                           param="limit", status=422)
    if len(q) > MAX_QUERY:
        raise BadParameter(f"parameter 'q' is longer than {MAX_QUERY} characters", param="q",
                           status=422)
    forms = (spelled(q), stripped(q))
    if not forms[0] and not forms[1]:
        return []
    best: dict[str, tuple[int, int, _Entry]] = {}
    for entry in _index(cat):
        if entry.kind not in types or (not deprecated and entry.iri in cat.deprecated):
            continue
        ranks = [r for r in (_rank(forms[0], entry.forms[0]), _rank(forms[1], entry.forms[1]))
                 if r is not None]
        if not ranks:
            continue
        key = (min(ranks), 0 if entry.preferred else 1, entry)
        current = best.get(entry.iri)
        if current is None or key[:2] < current[:2]:
            best[entry.iri] = key
    ranked = sorted(
        best.values(),
        key=lambda k: (k[0], k[1], fold(cat.label(k[2].iri, lang)), k[2].iri),
    )
    out: list[dict[str, Any]] = []
    for rank, _pref, entry in ranked[:limit]:
        item: dict[str, Any] = dict(cat.node(entry.iri, lang))
        item["match"] = MATCHES[rank]
        item["matched"] = entry.label
        out.append(item)
    return out
