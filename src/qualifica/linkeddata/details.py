"""The detail answer of one resource (``/api/{collection}/{id}``): its node, labels,
definition, provenance, and its links as nodes.

Statements about the resource come from ``queries/lib/rest-describe.rq``, qualified links
(requirements, learning outcomes) from ``rest-qualified.rq``; labels and the other links from
the catalogue snapshot.

Every detail says whether the resource is deprecated (``owl:deprecated true``); a deprecated one
also names its successor (``dcterms:isReplacedBy``) as ``replaced_by`` (a node, or null when it
names none), and ``successor_links`` gives the ``Link: <…>; rel="successor-version"`` values
its answers carry.
"""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
from pyoxigraph import BlankNode, Literal, NamedNode

from qualifica.errors import NotFound
from qualifica.labels import pick_label
from qualifica.linkeddata.catalogue import COLLECTIONS, MAX_ANSWERS, Catalogue, select
from qualifica.linkeddata.provenance import provenance_of
from qualifica.namespaces import (
    DCTERMS_SOURCE,
    QD_DEVELOPS,
    QD_EDITORIAL,
    QD_KIND,
    QD_LEGAL_BASIS,
    QD_LEVEL_OF,
    QD_PART_OF,
    QD_PERFORMS_TASK,
    QD_REQUIRES,
    SKOS_ALT_LABEL,
    SKOS_BROADER,
    SKOS_DEFINITION,
    SKOS_IN_SCHEME,
    SKOS_PREF_LABEL,
)
from qualifica.sparql.nodes import kind_of, slug_of
from qualifica.sparql.registry import Registry
from qualifica.sparql.terms import text_of as lexical
from qualifica.store.base import Readable, Term


def _plain(term: Term) -> Any:
    """A literal as a JSON value (booleans and integers native), an IRI as its string."""
    if isinstance(term, Literal):
        dt = term.datatype.value
        if dt.endswith("#boolean"):
            return term.value in ("true", "1")
        if dt.endswith("#integer"):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        return term.value
    if isinstance(term, NamedNode):
        return term.value
    return str(term)


def _by_lang(values: list[Literal]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lit in values:
        out.setdefault((lit.language or "").split("-")[0].lower() or "und", lit.value)
    return out


def _qualified(cat: Catalogue, store: Readable, registry: Registry, iri: str, relation: str,
               lang: str) -> list[dict[str, Any]]:
    """Requirements (``qd:requires``) or outcomes (``qd:develops``) of a resource."""
    links: dict[str, dict[str, Any]] = {}
    for row in select(store, registry, "rest-qualified", {"resource": iri}).rows:
        if lexical(row["relation"]) != relation:
            continue
        link = row["link"]
        key = str(link)
        entry = links.get(key)
        if entry is None:
            entry = {}
            if isinstance(link, NamedNode):
                entry.update(cat.node(link.value, lang))
                entry["type"] = "requirement" if relation == QD_REQUIRES else "outcome"
            entry["competency"] = cat.node(lexical(row["competency"]), lang)
            level = row.get("level")
            if isinstance(level, NamedNode):
                level_node: dict[str, Any] = dict(cat.node(level.value, lang))
                if row.get("rank") is not None:
                    level_node["rank"] = _plain(row["rank"])
                entry["level"] = level_node
            if relation == QD_REQUIRES:
                entry["essential"] = bool(_plain(row["essential"])) \
                    if row.get("essential") is not None else False
            entry["editorial"] = bool(_plain(row["editorial"])) \
                if row.get("editorial") is not None else False
            entry["source"] = []
            links[key] = entry
        src = row.get("source")
        if src is not None and not isinstance(src, BlankNode):
            value = _plain(src)
            if value not in entry["source"]:
                entry["source"].append(value)
    return sorted(links.values(),
                  key=lambda e: (e["competency"]["label"].casefold(), e["competency"]["iri"]))


def detail(cat: Catalogue, store: Readable, registry: Registry, collection: str, value: str, *,
           lang: str = "de") -> dict[str, Any]:
    """The detail answer of the resource ``value`` (slug or IRI) of a collection."""
    kind = COLLECTIONS.get(collection)
    if kind is None:
        raise NotFound(f"there is no collection {collection!r}", param="kind")
    iri = cat.resolve(value, kind, param="id")
    body: dict[str, Any] = dict(cat.node(iri, lang))
    rows = select(store, registry, "rest-describe", {"resource": iri}).rows
    props: dict[str, list[Term]] = {}
    for row in rows:
        props.setdefault(lexical(row["property"]), []).append(row["value"])
    labels = _by_lang([t for t in props.get(SKOS_PREF_LABEL, []) if isinstance(t, Literal)])
    body["labels"] = labels
    alt: dict[str, list[str]] = {}
    for t in props.get(SKOS_ALT_LABEL, []):
        if isinstance(t, Literal):
            alt.setdefault((t.language or "und").split("-")[0].lower(), []).append(t.value)
    body["alt_labels"] = {k: sorted(v) for k, v in alt.items()}
    definitions = _by_lang([t for t in props.get(SKOS_DEFINITION, [])
                            if isinstance(t, Literal)])
    if definitions:
        body["definition"] = pick_label(definitions, lang)
        body["definitions"] = definitions
    body["source"] = sorted({_plain(t) for t in props.get(DCTERMS_SOURCE, [])
                             if not isinstance(t, BlankNode)}, key=str)
    editorial = props.get(QD_EDITORIAL)
    if editorial:
        body["editorial"] = any(bool(_plain(t)) for t in editorial)
    body["deprecated"] = cat.is_deprecated(iri)
    if body["deprecated"]:
        successors = cat.ordered(cat.successors(iri), lang)
        body["replaced_by"] = cat.node(successors[0], lang) if successors else None
    body.update(_links(cat, store, registry, iri, kind, lang))
    return body


def detail_json(cat: Catalogue, store: Readable, registry: Registry, collection: str, value: str,
                *, lang: str = "de") -> tuple[str, bytes]:
    """The IRI and the encoded JSON of :func:`detail`, kept with the catalogue: the catalogue
    belongs to one store generation, so a kept answer is exactly what ``detail`` would give
    until the next write (the first lookup after it reads the store again)."""
    key = (collection, value, lang)
    kept = cat.answers.get(key)
    if kept is not None:
        return kept
    body = detail(cat, store, registry, collection, value, lang=lang)
    answer = (str(body["iri"]), orjson.dumps(body))
    if len(cat.answers) >= MAX_ANSWERS:
        # Concurrent requests may race here; at worst an answer is dropped or made twice.
        with contextlib.suppress(StopIteration, KeyError, RuntimeError):
            del cat.answers[next(iter(cat.answers))]
    cat.answers[key] = answer
    return answer


def public_url_of(base_iri: str, iri: str) -> str:
    """Where an instance IRI is served on this server (``{base}id/{kind}/{slug}``); other
    IRIs unchanged."""
    kind = kind_of(iri)
    if kind is None:
        return iri
    return f"{base_iri.rstrip('/')}/id/{kind}/{slug_of(iri)}"


def successor_links(cat: Catalogue, iri: str, base_iri: str) -> list[str]:
    """``Link`` values (``rel="successor-version"``) to the successors of a deprecated
    resource, in IRI order; empty for a current one."""
    if not cat.is_deprecated(iri):
        return []
    return [f'<{public_url_of(base_iri, s)}>; rel="successor-version"'
            for s in cat.successors(iri)]


def _links(cat: Catalogue, store: Readable, registry: Registry, iri: str, kind: str,
           lang: str) -> dict[str, Any]:
    """The links of a resource as nodes, each with its provenance (``editorial`` and
    ``sources``, see :mod:`qualifica.linkeddata.provenance`), read with one query."""
    qualified: list[dict[str, Any]] = []
    if kind in ("role", "task"):
        qualified = _qualified(cat, store, registry, iri, QD_REQUIRES, lang)
    elif kind == "training-format":
        qualified = _qualified(cat, store, registry, iri, QD_DEVELOPS, lang)
    members = cat.members(iri) if kind == "framework" else []
    top = cat.top_concepts(iri, members) if kind == "framework" else []
    incoming = {
        "task": [(QD_PERFORMS_TASK, cat.sources(iri, QD_PERFORMS_TASK))],
        "competency": [(SKOS_BROADER, cat.sources(iri, SKOS_BROADER)),
                       (QD_DEVELOPS, cat.sources(iri, QD_DEVELOPS))],
        "framework": [(QD_LEVEL_OF, cat.sources(iri, QD_LEVEL_OF)), (SKOS_IN_SCHEME, top)],
        "legal-basis": [(QD_PART_OF, cat.sources(iri, QD_PART_OF))],
    }.get(kind, [])
    prov = provenance_of(store, registry,
                         [iri, *(s for _, subjects in incoming for s in subjects),
                          *(q["iri"] for q in qualified if q.get("iri"))], lang)

    def out_nodes(prop: str, targets: list[str]) -> list[dict[str, Any]]:
        return [prov.node(n, iri, prop, n["iri"]) for n in cat.nodes(targets, lang)]

    def in_nodes(prop: str, subjects: list[str]) -> list[dict[str, Any]]:
        return [prov.node(n, n["iri"], prop, iri) for n in cat.nodes(subjects, lang)]

    def one(prop: str, targets: list[str]) -> dict[str, Any] | None:
        ordered = cat.ordered(targets, lang)
        return prov.node(dict(cat.node(ordered[0], lang)), iri, prop, ordered[0]) \
            if ordered else None

    for entry in qualified:
        relation = QD_REQUIRES if entry.get("type") == "requirement" else QD_DEVELOPS
        link = entry.get("iri")
        mark = prov.mark(iri, relation, link or "", editorial_link=entry["editorial"])
        own = prov.subjects.get(link or "")
        entry["sources"] = [s.as_json() for s in (own.sources.values() if own and own.sources
                                                  else mark.sources)]
    out: dict[str, Any] = {}
    if kind in ("role", "task", "training-format"):
        out["legal_bases"] = out_nodes(QD_LEGAL_BASIS, cat.targets(iri, QD_LEGAL_BASIS))
    if kind == "role":
        out["tasks"] = out_nodes(QD_PERFORMS_TASK, cat.targets(iri, QD_PERFORMS_TASK))
        out["requirements"] = qualified
    elif kind == "task":
        out["roles"] = in_nodes(QD_PERFORMS_TASK, cat.sources(iri, QD_PERFORMS_TASK))
        out["requirements"] = qualified
    elif kind == "competency":
        out["framework"] = one(SKOS_IN_SCHEME, cat.targets(iri, SKOS_IN_SCHEME))
        out["broader"] = out_nodes(SKOS_BROADER, cat.targets(iri, SKOS_BROADER))
        out["narrower"] = in_nodes(SKOS_BROADER, cat.sources(iri, SKOS_BROADER))
        out["formats"] = in_nodes(QD_DEVELOPS, cat.sources(iri, QD_DEVELOPS))
    elif kind == "framework":
        levels = []
        for level in cat.sources(iri, QD_LEVEL_OF):
            node: dict[str, Any] = prov.node(dict(cat.node(level, lang)), level, QD_LEVEL_OF,
                                             iri)
            node["rank"] = cat.ranks.get(level)
            levels.append(node)
        out["levels"] = sorted(levels, key=lambda n: (n["rank"] or 0, n["iri"]))
        out["top"] = in_nodes(SKOS_IN_SCHEME, top)
        out["total_competencies"] = len(members)
    elif kind == "level":
        out["framework"] = one(QD_LEVEL_OF, cat.targets(iri, QD_LEVEL_OF))
        out["rank"] = cat.ranks.get(iri)
    elif kind == "training-format":
        kinds = cat.ordered(cat.targets(iri, QD_KIND), lang)
        out["kind"] = dict(prov.node(dict(cat.node(kinds[0], lang)), iri, QD_KIND, kinds[0]),
                           type="training-kind") if kinds else None
        out["outcomes"] = qualified
    elif kind == "legal-basis":
        out["part_of"] = one(QD_PART_OF, cat.targets(iri, QD_PART_OF))
        out["parts"] = in_nodes(QD_PART_OF, cat.sources(iri, QD_PART_OF))
    return out
