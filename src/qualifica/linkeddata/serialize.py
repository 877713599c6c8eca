"""Serialising a graph (a list of triples) in one of the RDF media types of ``conneg``.

Turtle, N-Triples and RDF/XML are written by pyoxigraph with the project's prefixes; JSON-LD is
written by pyoxigraph and then compacted with the project's ``@context`` (``linkeddata.context``)
when that context is available, so that partner systems read short keys.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

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

def sorted_triples(triples: Iterable[Triple]) -> list[Triple]:
    """Distinct triples in a stable order (stable bytes make stable ETags)."""
    return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def used_prefixes(triples: Iterable[Triple]) -> dict[str, str]:
    """The entries of ``PREFIXES`` whose namespace some IRI of ``triples`` is in."""
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    return {p: ns for p, ns in LD_PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def to_bytes(triples: Iterable[Triple], media_type: str, *, compact: bool = True) -> bytes:
    """``triples`` serialised as ``media_type`` (an RDF media type of ``qualifica.media``)."""
    fmt = media.rdf_format(media_type)
    if fmt is None:
        raise ValueError(f"{media_type} is not an RDF serialisation")
    ordered = sorted_triples(triples)
    out = io.BytesIO()
    if fmt in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS):
        serialize(ordered, out, format=fmt)
        return out.getvalue()
    prefixes = used_prefixes(ordered)
    if fmt == RdfFormat.JSON_LD:
        serialize(ordered, out, format=fmt)
        return compact_jsonld(out.getvalue(), prefixes) if compact else out.getvalue()
    serialize(ordered, out, format=fmt, prefixes=prefixes)
    return out.getvalue()


def curie(iri: str, prefixes: Mapping[str, str] = LD_PREFIXES) -> str:
    """``prefix:local`` for an IRI in a namespace of ``prefixes`` (the longest match), else the
    IRI. Local parts that JSON-LD or Turtle would misread (empty, ``//…``) keep the full IRI."""
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(prefixes.get(best, "")):
            best = prefix
    if not best:
        return iri
    local = iri[len(prefixes[best]):]
    if not local or local.startswith("//") or any(c in local for c in "/#?"):
        return iri
    return f"{best}:{local}"


def _compact(value: Any, prefixes: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_compact(v, prefixes) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@id" and isinstance(item, str):
            out[key] = curie(item, prefixes)
        elif key == "@type" and "@value" not in value:
            out[key] = ([curie(t, prefixes) for t in item] if isinstance(item, list)
                        else curie(item, prefixes))
        elif key.startswith("@"):
            out[key] = _compact(item, prefixes)
        else:
            out[curie(key, prefixes)] = _compact(item, prefixes)
    return out


def compact_jsonld(expanded: bytes, prefixes: dict[str, str] | None = None) -> bytes:
    """Expanded JSON-LD from pyoxigraph, shortened with the project's prefixes.

    Property names, node ``@id``s and ``@type``s in a namespace of ``PREFIXES`` become compact
    IRIs, and the prefixes become the ``@context``; the document expands to exactly the same
    triples (literal datatypes stay full IRIs).
    """
    try:
        doc = json.loads(expanded)
    except ValueError:
        log.warning("pyoxigraph wrote JSON-LD that does not parse; answering it as it is")
        return expanded
    graph = doc if isinstance(doc, list) else doc.get("@graph", [doc])
    context = dict(LD_PREFIXES) if prefixes is None else prefixes
    return json.dumps({"@context": context, "@graph": _compact(graph, context)},
                      ensure_ascii=False, indent=1).encode("utf-8")
