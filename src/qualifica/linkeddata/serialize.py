"""Serialising a graph (a list of triples) in one of the RDF media types of ``conneg``.

Turtle, N-Triples and RDF/XML are written by pyoxigraph with the project's prefixes (only those
used); JSON-LD is written here directly from the triples, with compact IRIs under a ``@context``
of the prefixes used, so that partner systems read short keys.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from qualifica import media
from qualifica.namespaces import FOAF, PREFIXES, SD

#: The prefixes written into Turtle, RDF/XML and JSON-LD: the project's and those of the
#: dataset metadata vocabularies (only the ones a graph uses are written).
LD_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "foaf": FOAF,
    "sd": SD,
    "spdx": "http://spdx.org/rdf/terms#",
    "formats": "http://www.w3.org/ns/formats/",
    "vann": "http://purl.org/vocab/vann/",
}

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ENDS = ("/", "#")
#: At most this many compact forms are remembered per prefix table.
MEMO = 65536


class Namespaces:
    """A prefix table with a reverse index: the prefix of an IRI is found with one dictionary
    lookup (the IRI cut after its last ``/`` or ``#``) instead of a scan of every namespace.

    That cut is the only candidate: a local part holding ``/``, ``#`` or ``?`` is never
    shortened (Turtle and JSON-LD would misread it). Tables with a namespace that ends in
    another character are scanned instead.
    """

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = dict(prefixes)
        self.by_namespace: dict[str, str] = {}
        for prefix, ns in self.prefixes.items():
            # of two prefixes for one namespace the first wins, as in a scan
            self.by_namespace.setdefault(ns, prefix)
        self.indexed = all(ns.endswith(_ENDS) for ns in self.prefixes.values())
        #: compact forms found so far (a few thousand IRIs: predicates, classes, the
        #: resources served), emptied when it holds ``MEMO`` of them
        self._curies: dict[str, str] = {}

    def split(self, iri: str) -> tuple[str, str] | None:
        """``(prefix, local)`` of ``iri`` when it has a safe compact form, else ``None``."""
        if self.indexed:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = self.by_namespace.get(iri[:cut]) if cut else None
            if prefix is None:
                return None
            local = iri[cut:]
        else:
            best = ""
            for name, ns in self.prefixes.items():
                if iri.startswith(ns) and len(ns) > len(self.prefixes.get(best, "")):
                    best = name
            if not best:
                return None
            prefix, local = best, iri[len(self.prefixes[best]):]
            if local.startswith("//") or any(c in local for c in "/#"):
                return None
        if not local or "?" in local:
            return None
        return prefix, local

    def curie(self, iri: str) -> str:
        """``prefix:local``, or the IRI itself."""
        found = self._curies.get(iri)
        if found is None:
            parts = self.split(iri)
            found = iri if parts is None else f"{parts[0]}:{parts[1]}"
            if len(self._curies) >= MEMO:
                self._curies = {}
            self._curies[iri] = found
        return found

    def used(self, triples: Iterable[Triple]) -> dict[str, str]:
        """The entries of the table that some IRI of ``triples`` (a subject, predicate,
        object or literal datatype) is written with, in the table's order."""
        iris: set[str] = set()
        add = iris.add
        for subject, predicate, obj in triples:
            add(predicate.value)
            if type(subject) is NamedNode:
                add(subject.value)
            kind = type(obj)
            if kind is NamedNode:
                add(obj.value)
            elif kind is Literal:
                add(obj.datatype.value)
        names = set()
        curie = self.curie
        for iri in iris:
            compact = curie(iri)
            if compact != iri:
                names.add(compact[:compact.index(":")])
        return {p: ns for p, ns in self.prefixes.items() if p in names}


_LD = Namespaces(LD_PREFIXES)


@functools.lru_cache(maxsize=256)
def _table_of(items: tuple[tuple[str, str], ...]) -> Namespaces:
    """The prefix table of a context (kept, with the compact forms it found: the contexts of
    descriptions are the few subsets of ``LD_PREFIXES`` their kinds use)."""
    return Namespaces(dict(items))


def _table(prefixes: Mapping[str, str]) -> Namespaces:
    return _LD if prefixes is LD_PREFIXES else Namespaces(prefixes)


def sorted_triples(triples: Iterable[Triple]) -> list[Triple]:
    """Distinct triples in a stable order (stable bytes make stable ETags): that of their
    N-Triples lines, which one call per triple writes."""
    return sorted(set(triples), key=str)


def used_prefixes(triples: Iterable[Triple]) -> dict[str, str]:
    """The entries of ``LD_PREFIXES`` that the IRIs of ``triples`` are written with."""
    return _LD.used(triples)


def to_bytes(triples: Iterable[Triple], media_type: str, *, compact: bool = True) -> bytes:
    """``triples`` serialised as ``media_type`` (an RDF media type of ``qualifica.media``)."""
    fmt = media.rdf_format(media_type)
    if fmt is None:
        raise ValueError(f"{media_type} is not an RDF serialisation")
    ordered = sorted_triples(triples)
    if fmt in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS):
        return serialize(ordered, format=fmt) or b""
    if fmt == RdfFormat.JSON_LD:
        if not compact:
            return serialize(ordered, format=fmt) or b""
        return jsonld_bytes(ordered, used_prefixes(ordered))
    return serialize(ordered, format=fmt, prefixes=used_prefixes(ordered)) or b""


def curie(iri: str, prefixes: Mapping[str, str] = LD_PREFIXES) -> str:
    """``prefix:local`` for an IRI in a namespace of ``prefixes`` (the longest match), else the
    IRI. Local parts that JSON-LD or Turtle would misread (empty, ``//…``, holding ``/``, ``#``
    or ``?``) keep the full IRI."""
    return _table(prefixes).curie(iri)


def _node_id(term: object, table: Namespaces) -> str:
    if isinstance(term, NamedNode):
        return table.curie(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    raise TypeError(f"{term!r} cannot be a JSON-LD node")


def jsonld_bytes(triples: Iterable[Triple], prefixes: Mapping[str, str] | None = None
                 ) -> bytes:
    """JSON-LD of ``triples`` written directly: one node object per subject (in the order the
    subjects first occur), properties and node ``@id``s as compact IRIs under a ``@context``
    of ``prefixes`` (default: all of ``LD_PREFIXES``), literal datatypes as full IRIs.

    The document expands (e.g. with pyld) to exactly ``triples``. Writing it from the triples
    costs one pass and one ``orjson.dumps``, where parsing a serialiser's expanded
    output and compacting it costs several times that.
    """
    context = dict(LD_PREFIXES) if prefixes is None else dict(prefixes)
    table = _LD if context == LD_PREFIXES else _table_of(tuple(context.items()))
    curie = table.curie
    nodes: dict[object, dict[str, Any]] = {}
    # one pass; the terms' types compared directly (this runs once per triple served)
    for subject, predicate, obj in triples:
        node = nodes.get(subject)
        if node is None:
            node = nodes[subject] = {"@id": _node_id(subject, table)}
        key = curie(predicate.value)
        values = node.get(key)
        if values is None:
            values = node[key] = []
        kind = type(obj)
        if kind is NamedNode:
            values.append({"@id": curie(obj.value)})
        elif kind is Literal:
            if obj.language:
                values.append({"@language": obj.language, "@value": obj.value})
            else:
                datatype = obj.datatype.value
                values.append({"@value": obj.value} if datatype == XSD_STRING
                              else {"@type": datatype, "@value": obj.value})
        else:
            values.append({"@id": _node_id(obj, table)})
    return orjson.dumps({"@context": context, "@graph": list(nodes.values())})
