"""Media types and content negotiation, one implementation for every route.

- The media types Qualifica reads and writes, and what ``?format=`` short names stand for.
- ``parse_accept`` reads an ``Accept`` header (q-values, parameters, wildcards, a bare ``*``);
  ``negotiate`` picks one of the offered media types, the ``format`` override first.
- Aliases are per offer: ``application/json`` is SPARQL JSON where SPARQL results are offered,
  ``application/xml`` is SPARQL XML (never RDF/XML: browsers send it); a short name stands
  for the first of its media types a route offers (``format=xml``: SPARQL XML for a SELECT,
  RDF/XML for a CONSTRUCT), as SPARQLWrapper, Fuseki and Virtuoso read them.
- ``rdf_format`` / ``results_format`` map a media type to pyoxigraph's ``RdfFormat`` /
  ``QueryResultsFormat`` through pyoxigraph's own media-type tables, limited to an allow-list.
- ``content_type`` gives the ``Content-Type`` value: every text-based format is UTF-8 and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

from qualifica.errors import NotAcceptable

TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"
N_QUADS = "application/n-quads"
TRIG = "application/trig"
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
HTML = "text/html"
JSON = "application/json"

#: RDF formats read and written, each with pyoxigraph's format.
RDF_MEDIA: tuple[str, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG)
#: SPARQL results formats written.
RESULTS_MEDIA: tuple[str, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)

#: Short names of ``?format=``; each stands for the first of its media types a route offers.
FORMAT_KEYS: Mapping[str, tuple[str, ...]] = {
    "ttl": (TURTLE,),
    "turtle": (TURTLE,),
    "n3": (TURTLE,),
    "jsonld": (JSON_LD,),
    "json-ld": (JSON_LD,),
    "nt": (N_TRIPLES,),
    "ntriples": (N_TRIPLES,),
    "n-triples": (N_TRIPLES,),
    "rdf": (RDF_XML,),
    "rdfxml": (RDF_XML,),
    "rdf+xml": (RDF_XML,),
    "xml": (SPARQL_XML, RDF_XML),
    "json": (JSON, SPARQL_JSON, JSON_LD),
    "html": (HTML,),
    "nq": (N_QUADS,),
    "nquads": (N_QUADS,),
    "trig": (TRIG,),
    "csv": (CSV,),
    "tsv": (TSV,),
}

#: The preferred short name of each media type (``Link`` headers, file suffixes).
SHORT_NAME: Mapping[str, str] = {
    TURTLE: "ttl",
    JSON_LD: "jsonld",
    N_TRIPLES: "nt",
    RDF_XML: "rdf",
    HTML: "html",
    JSON: "json",
    N_QUADS: "nq",
    TRIG: "trig",
    CSV: "csv",
    TSV: "tsv",
    SPARQL_JSON: "json",
    SPARQL_XML: "xml",
}

#: Media types clients send for types offered under another name; each alias stands for the
#: first of its targets a route offers.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "application/x-turtle": (TURTLE,),
    "application/turtle": (TURTLE,),
    "text/n3": (TURTLE,),
    "text/rdf+n3": (TURTLE,),
    "text/n-triples": (N_TRIPLES,),
    "text/plain": (N_TRIPLES,),  # N-Triples' media type before RDF 1.1
    "application/xhtml+xml": (HTML,),
    "application/x-trig": (TRIG,),
    "text/x-nquads": (N_QUADS,),
    "application/json": (SPARQL_JSON, JSON_LD),
    # What a SPARQL client asks of a graph query in the results' terms (rdflib's SPARQLStore
    # with returnFormat json or xml): the RDF form of the same syntax, as ``format=`` reads it.
    "application/sparql-results+json": (SPARQL_JSON, JSON_LD),
    "application/sparql-results+xml": (SPARQL_XML, RDF_XML),
    # Not RDF/XML: browsers accept application/xml with a high q-value and would get RDF/XML
    # instead of Turtle; ``format=xml`` does name RDF/XML for a graph.
    "application/xml": (SPARQL_XML,),
    "text/xml": (SPARQL_XML,),
    "application/x-json+ld": (JSON_LD,),
}

_MAX_RANGES = 64


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header: ``type/subtype`` with its q-value and parameters."""

    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...] = ()
    order: int = 0

    @property
    def full(self) -> str:
        """``type/subtype``."""
        return f"{self.type}/{self.subtype}"

    @property
    def specificity(self) -> int:
        """3 for ``type/subtype;param``, 2 for ``type/subtype``, 1 for ``type/*``, 0 for ``*/*``."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str, offered: Sequence[str] = ()) -> bool:
        """Whether this range covers ``media_type``, directly or as the alias that stands for it
        among ``offered``."""
        if self.type == "*":
            return True
        if self.subtype == "*":
            return self.type == media_type.partition("/")[0]
        return self.full == media_type or alias_target(self.full, offered or (media_type,)) \
            == media_type


def alias_target(media_type: str, offered: Sequence[str]) -> str | None:
    """The offered media type an alias stands for, if any."""
    for target in ALIASES.get(media_type, ()):
        if target in offered:
            return target
    return None


def _parse_q(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        return 0.0
    return min(max(value, 0.0), 1.0)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for order, part in enumerate(header.split(",")[:_MAX_RANGES]):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            if media == "*":  # some clients send a bare '*'
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "q":
                q = _parse_q(value)
            elif key and key != "charset":
                params.append((key, value))
        ranges.append(MediaRange(main, sub, q, tuple(params), order))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str, offered: Sequence[str] = ()) -> float:
    """The q-value the client gives ``media_type``: that of the most specific matching range."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type, offered) and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best is not None else 0.0


def resolve_format(value: str, offered: Sequence[str]) -> str | None:
    """The offered media type a ``?format=`` value (short name or media type) names."""
    key = value.strip().lower()
    if key in FORMAT_KEYS:
        return next((m for m in FORMAT_KEYS[key] if m in offered), None)
    if "/" in key:
        key = key.split(";")[0].strip()
        return key if key in offered else alias_target(key, offered)
    return None


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the ``Accept`` header likes best (the first offer without a
    header); ``None`` when it accepts none. Ties go to the earlier offer."""
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for media_type in offered:
        q = quality(ranges, media_type, offered)
        if q > best_q:
            best, best_q = media_type, q
    return best


def negotiate(accept: str | None, offered: Sequence[str], override: str | None = None) -> str:
    """The media type to answer with, one of ``offered``.

    ``override`` (``?format=``) wins over the header. Otherwise the offered type with the highest
    q-value wins; ties go to the earlier entry of ``offered``. A missing or empty ``Accept``
    means ``*/*``. Raises ``NotAcceptable`` (406) when nothing fits.
    """
    if not offered:
        raise ValueError("negotiate() needs at least one offered media type")
    if override is not None and override.strip():
        wanted = resolve_format(override, offered)
        if wanted is not None:
            return wanted
        available = sorted({SHORT_NAME.get(m, m) for m in offered})
        raise NotAcceptable(
            f"format {override[:40]!r} is not available here; use one of: "
            + ", ".join(available),
            param="format", available=list(offered),
        )
    best = choose(accept, offered)
    if best is None:
        raise NotAcceptable(
            f"none of the requested media types ({(accept or '')[:200]}) is available; "
            f"offered: {', '.join(offered)}",
            available=list(offered),
        )
    return best


def content_type(media_type: str) -> str:
    """The ``Content-Type`` value for a media type: text-based formats say they are UTF-8."""
    textual = (media_type.startswith("text/") or media_type.endswith(("+json", "+xml"))
               or media_type in (JSON, N_TRIPLES, N_QUADS, TRIG))
    return f"{media_type}; charset=utf-8" if textual else media_type


def rdf_format(media_type: str) -> RdfFormat | None:
    """pyoxigraph's RDF format for an allowed media type (aliases included), else ``None``."""
    key = media_type.split(";")[0].strip().lower()
    key = key if key in RDF_MEDIA else (alias_target(key, RDF_MEDIA) or key)
    if key not in RDF_MEDIA:
        return None
    return RdfFormat.from_media_type(key)


def results_format(media_type: str) -> QueryResultsFormat | None:
    """pyoxigraph's SPARQL results format for an allowed media type, else ``None``."""
    key = media_type.split(";")[0].strip().lower()
    if key not in RESULTS_MEDIA:
        return None
    return QueryResultsFormat.from_media_type(key)
