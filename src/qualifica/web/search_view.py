"""The search page: every match of a query, typo-tolerant, grouped by kind, paged, with a type
filter and the number of matches of each kind; and the suggestions of its autocomplete.

Matching is ``linkeddata.search.ranked`` with ``fuzzy=True`` over the catalogue snapshot's
index (built once per store generation): literal matches first, then near misses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qualifica.errors import BadParameter, NotFound
from qualifica.linkeddata.catalogue import Catalogue
from qualifica.linkeddata.search import SEARCHABLE, parse_types, ranked
from qualifica.namespaces import QD_KIND, QD_LEVEL_OF, QD_PART_OF, QD_PERFORMS_TASK, SKOS_IN_SCHEME
from qualifica.web.browse import catalogue_ref
from qualifica.web.page_errors import worded
from qualifica.web.queries import Ref

PAGE_SIZE = 20
SUGGESTIONS = 8

#: What a result names beside its label: the framework of a competency or level, the act of a
#: provision, the kind of a training format, the roles performing a task.
_CONTEXT: dict[str, tuple[str, bool]] = {
    "competency": (SKOS_IN_SCHEME, False),
    "level": (QD_LEVEL_OF, False),
    "legal-basis": (QD_PART_OF, False),
    "training-format": (QD_KIND, False),
    "task": (QD_PERFORMS_TASK, True),
}


@dataclass
class Hit:
    """One search result."""

    ref: Ref
    context: list[Ref]
    matched: str
    match: str


@dataclass
class Group:
    """The results of one kind on the current page."""

    kind: str
    hits: list[Hit]


@dataclass
class Facet:
    """A type filter choice with its number of matches."""

    kind: str
    count: int
    selected: bool


@dataclass
class SearchView:
    """What the search page shows."""

    q: str
    kind: str | None
    total: int
    page: int
    pages: int
    groups: list[Group]
    facets: list[Facet]
    fuzzy_only: bool


def _context(cat: Catalogue, iri: str, kind: str, lang: str) -> list[Ref]:
    prop, inverse = _CONTEXT.get(kind, ("", False))
    if not prop:
        return []
    found = cat.sources(iri, prop) if inverse else cat.targets(iri, prop)
    return [catalogue_ref(cat, i, lang) for i in cat.ordered(cat.current(found), lang)]


def parse_page(raw: str | None, words: Mapping[str, str]) -> int:
    """The page number (1 when absent); 422 naming ``page`` when it is not a positive integer."""
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        raise BadParameter(words["err_page_number"], param="page", status=422, worded=True)
    return int(raw)


def search_view(cat: Catalogue, q: str, kind: str | None, page: int, lang: str,
                words: Mapping[str, str]) -> SearchView:
    """One page of the matches of ``q`` (of ``kind``, if given); ``NotFound`` for a page past
    the last."""
    q = q.strip()
    with worded(words["err_type"].format(value=kind)):
        kinds = parse_types(kind) if kind else SEARCHABLE  # 422 for an unknown one
    if kind and len(kinds) != 1:
        raise BadParameter(words["err_type"].format(value=kind), param="type", status=422,
                           worded=True)
    found = ranked(cat, q, lang=lang, fuzzy=True) if q else []
    counts: dict[str, int] = {}
    for iri, *_ in found:
        k = cat.kind(iri) or ""
        counts[k] = counts.get(k, 0) + 1
    chosen = kinds[0] if kind else None
    hits = [f for f in found if chosen is None or cat.kind(f[0]) == chosen]
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    if page > pages:
        raise NotFound(words["err_page"].format(page=page, pages=pages), param="page",
                       id=str(page), worded=True)
    window = hits[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    groups: dict[str, Group] = {}
    for iri, match, matched, matched_lang in window:
        k = cat.kind(iri) or "resource"
        ref = catalogue_ref(cat, iri, lang)
        # the label that matched, unless it is the one shown or in the other language
        shown = matched if matched != ref.label and matched_lang in ("", lang) else ""
        groups.setdefault(k, Group(k, [])).hits.append(
            Hit(ref, _context(cat, iri, k, lang), shown, match))
    facets = [Facet(k, counts[k], k == chosen) for k in SEARCHABLE if counts.get(k)]
    return SearchView(q=q, kind=chosen, total=len(hits), page=page, pages=pages,
                      groups=list(groups.values()), facets=facets,
                      fuzzy_only=bool(hits) and all(h[1] == "fuzzy" for h in hits))


def suggestions(cat: Catalogue, q: str, lang: str, words: Mapping[str, str]
                ) -> dict[str, Any]:
    """The autocomplete answer: the best few matches with their kind and page."""
    q = q.strip()
    items = []
    for iri, *_ in (ranked(cat, q, lang=lang, fuzzy=True, limit=SUGGESTIONS) if q else []):
        ref = catalogue_ref(cat, iri, lang)
        items.append({"label": ref.label, "type": ref.kind,
                      "kind": words.get(f"kind_{ref.kind}", ref.kind), "href": ref.href})
    return {"query": q, "items": items}
