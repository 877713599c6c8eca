"""The generic resource page: everything stated about a resource and everything linking to
it (``/id/{kind}/{slug}`` as HTML). A deprecated resource (``owl:deprecated true``) carries its
successors (``dcterms:isReplacedBy``) so that every page can show the notice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context
from qualifica.namespaces import (
    BASE,
    DCTERMS_IS_REPLACED_BY,
    DCTERMS_SOURCE,
    OWL_DEPRECATED,
    QD_DEVELOPS,
    QD_EDITORIAL,
    QD_REQUIRES,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    SKOS_DEFINITION,
    SKOS_PREF_LABEL,
)
from qualifica.sparql.terms import bool_of, iri_of
from qualifica.store.base import Term
from qualifica.web.i18n import term_label
from qualifica.web.locale import localised, natural_key
from qualifica.web.paging import Pages, Window, window
from qualifica.web.queries import Labeller, Ref, pick_text, select_rows, statements_about

_DCT = "http://purl.org/dc/terms/"
_CITATIONS = {_DCT + "identifier", _DCT + "bibliographicCitation", _DCT + "source",
              "http://www.w3.org/2004/02/skos/core#notation"}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Shown in their own places on a resource page, not among the properties.
_HEADLINE = {SKOS_PREF_LABEL, SKOS_DEFINITION, RDFS_LABEL}
#: The source an editorial assignment cites (see docs/data.md, "Provenance of every statement").
_EDITORIAL_SOURCE = "https://w3id.org/qualifica/id/source/editorial"


@dataclass
class Statement:
    """One property value of a resource page."""

    prop: Ref
    value: Ref | None
    text: str
    lang: str = ""
    datatype: str = ""
    #: No published source states it: it is in an editorial graph, its resource cites the
    #: editorial assignment, or it links to a qualified link marked editorial.
    editorial: bool = False


@dataclass
class ResourceView:
    """A resource with everything stated about it and everything linking to it."""

    ref: Ref
    types: list[Ref]
    definition: str
    alt_labels: dict[str, str]
    statements: list[Statement]
    incoming: list[tuple[Ref, Ref]]
    sources: list[Statement]
    editorial: bool | None
    graphs: list[str]
    deprecated: bool = False
    replaced_by: list[Ref] = field(default_factory=list)
    #: More resources link to it than the page lists (``MAX_INCOMING``).
    more_incoming: bool = False
    #: Every link to it the page lists, as (subject, property) IRIs in the order shown;
    #: ``incoming`` holds the ones of the page of rows shown (``incoming_window``).
    incoming_links: list[tuple[str, str]] = field(default_factory=list)
    incoming_window: Window | None = None


#: What the role and competency pages show of the statements about the resource itself
#: (header and sources): they read only these (``statements_about``), not its labels and
#: qualified links.
HEAD_PREDICATES: frozenset[str] = frozenset({
    RDF_TYPE, SKOS_DEFINITION, OWL_DEPRECATED, DCTERMS_IS_REPLACED_BY, QD_EDITORIAL,
    DCTERMS_SOURCE})


#: The links to a resource a page lists (a framework or level that thousands of resources name
#: is still one quick page; the SPARQL endpoint answers the complete list).
MAX_INCOMING = 100


#: The tables of the generic resource page shown in pages of rows (``web.paging``).
RESOURCE_TABLES = ("incoming",)


def resource_view(ctx: Context, iri: str, lang: str,
                  rows: list[dict[str, Term]] | None = None, *, incoming: bool = True,
                  pages: Pages | None = None, words: Mapping[str, str] | None = None
                  ) -> ResourceView:
    """Everything about one resource; ``NotFound`` when nothing is stated about it. ``rows``:
    the statements about it when the caller read them already (``statements_about``).
    ``incoming``: read the links to it (a page that does not list them leaves them out);
    ``pages``: the page of the links to show (``web.paging``, table ``incoming``), all of
    them when ``None``."""
    if rows is None:
        rows = statements_about(ctx, iri)
    incoming_rows = select_rows(ctx, "page-incoming", {"iri": iri}) if incoming else []
    more_incoming = len(incoming_rows) > MAX_INCOMING
    incoming_rows = incoming_rows[:MAX_INCOMING]
    labeller = Labeller(ctx, lang)
    links = [(s, p) for r in incoming_rows
             if (s := iri_of(r.get("s"))) and (p := iri_of(r.get("p")))]
    types: list[Ref] = []
    definitions: list[Term] = []
    alt: dict[str, str] = {}
    statements: list[Statement] = []
    sources: list[Statement] = []
    editorial: bool | None = None
    deprecated = False
    replaced_by: list[Ref] = []
    graphs: set[str] = set()
    seen: set[tuple[str, str]] = set()
    editorial_resource = any(iri_of(r.get("p")) == DCTERMS_SOURCE
                             and iri_of(r.get("o")) == _EDITORIAL_SOURCE for r in rows)
    for row in rows:
        p, o = iri_of(row.get("p")), row.get("o")
        graph = iri_of(row.get("g"))
        if graph:
            graphs.add(graph)
        if p is None or o is None:
            continue
        key = (p, str(o))
        if key in seen:
            continue
        seen.add(key)
        if p == RDF_TYPE and isinstance(o, NamedNode):
            types.append(labeller.ref(o.value))
            continue
        if p == SKOS_DEFINITION:
            definitions.append(o)
            continue
        if p == SKOS_ALT_LABEL and isinstance(o, Literal):
            alt.setdefault(o.language or "", o.value)
        if p in _HEADLINE:
            continue
        if p == QD_EDITORIAL:
            editorial = bool_of(o)
        if p == OWL_DEPRECATED:
            deprecated = deprecated or bool_of(o, False)
        if p == DCTERMS_IS_REPLACED_BY and isinstance(o, NamedNode):
            replaced_by.append(labeller.ref(o.value))
        stmt = _statement(labeller, p, o, lang)
        stmt.editorial = editorial_resource or row.get("editorialGraph") is not None or (
            p in (QD_REQUIRES, QD_DEVELOPS) and row.get("editorialLink") is not None)
        (sources if p == DCTERMS_SOURCE else statements).append(stmt)
    statements = sorted(_in_language(statements, lang),
                        key=lambda s: (s.prop.label.casefold(), natural_key(s.value.label if s.value
                                                                          else s.text)))
    # sorted by the labels (in memory), the links of the rows shown made into references
    links.sort(key=lambda sp: (labeller.label(sp[1]).casefold(),
                               natural_key(labeller.label(sp[0]))))
    shown = (window("incoming", len(links), pages, ctx.settings.page_rows, words["incoming"],
                    words) if pages is not None and words is not None else None)
    incoming_refs = [(labeller.ref(s), labeller.ref(p))
                     for s, p in (shown.cut(links) if shown else links)]
    return ResourceView(
        ref=labeller.ref(iri), types=types, definition=pick_text(lang, definitions),
        alt_labels=alt, statements=statements, incoming=incoming_refs, sources=sources,
        editorial=editorial, graphs=sorted(graphs), deprecated=deprecated,
        replaced_by=sorted(replaced_by, key=lambda r: (r.label.casefold(), r.iri)),
        more_incoming=more_incoming, incoming_links=links, incoming_window=shown,
    )


def _statement(labeller: Labeller, p: str, o: Term, lang: str) -> Statement:
    prop = labeller.ref(p)
    if isinstance(o, NamedNode):
        value = labeller.ref(o.value)
        if not o.value.startswith(BASE) and not labeller.has_label(o.value) \
                and term_label(o.value, labeller.lang) is None:
            # An address outside the graph without a name of its own (a law's web page):
            # shown in full rather than by its last segment.
            value = replace(value, label=o.value)
        return Statement(prop=prop, value=value, text=o.value)
    if isinstance(o, Literal):
        datatype = o.datatype.value if o.datatype else ""
        # A citation without a language tag cites German law the German way ("BGBl. I S. 920",
        # "§ 4"): marked as German, so that an English page says it is (WCAG 3.1.2).
        tag = o.language or ("de" if p in _CITATIONS and datatype in ("", _XSD_STRING) else "")
        return Statement(prop=prop, value=None, text=localised(o.value, datatype, lang),
                         lang=tag, datatype=datatype)
    return Statement(prop=prop, value=None, text=str(o))


def _in_language(statements: list[Statement], lang: str) -> list[Statement]:
    """Of the texts of one property in several languages only those in the page's language
    (a text in another language stays when the property has none in the page's one)."""
    def primary(tag: str) -> str:
        return tag.split("-")[0].lower()

    has_own = {s.prop.iri for s in statements if s.lang and primary(s.lang) == lang}
    return [s for s in statements
            if not s.lang or s.prop.iri not in has_own or primary(s.lang) == lang]
