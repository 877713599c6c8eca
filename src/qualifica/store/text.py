"""SPARQL text the stores write themselves: data blocks, graph drops, ``VALUES`` blocks.

A leaf module (it imports pyoxigraph and ``qualifica.errors`` only) shared by both store backends
and by ``sparql.binding``. Terms are always written from their own N-Triples syntax
(``str(term)`` of a pyoxigraph term), which escapes quotes, ``>``, braces and newlines, so no text
that reaches a store is ever formatted from unescaped input.

A small tokenizer (comments, strings, IRIs, variables and prefixed names are whole tokens, so a
keyword inside them never counts) finds the top-level ``WHERE`` group, the query form and whether
a query names its own dataset (``FROM``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from pyoxigraph import BlankNode, NamedNode, Quad, Triple

from qualifica.errors import BadParameter

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")

#: The one SPARQL tokenizer: comments end at CR or LF (SPARQL 1.1 Query, 19.4); strings, IRIs,
#: variables and prefixed names are whole tokens, so a keyword inside them never counts.
TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF]
                    (?:[A-Za-z0-9_.\u00B7\u00C0-\uFFFF-]*[A-Za-z0-9_\u00B7\u00C0-\uFFFF-])?)?
                 :(?:[A-Za-z0-9_:%\u00B7\u00C0-\uFFFF-]|\\[_~.!$&'()*+,;=/?\#@%-]
                    |\.(?=[A-Za-z0-9_:%\u00B7\u00C0-\uFFFF-]|\\))*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """``(kind, text, depth, end)`` of every significant token (whitespace and comments
    dropped); ``depth`` counts the braces around it."""
    depth = 0
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth -= 1
        yield kind, match.group(), depth, match.end()
        if kind == "open":
            depth += 1


def _top_words(text: str) -> Iterator[str]:
    for kind, tok, depth, _ in tokens(text):
        if kind == "word" and depth == 0:
            yield tok.upper()


def form_of(text: str) -> str | None:
    """The query form (``SELECT``, ``CONSTRUCT``, ``ASK``, ``DESCRIBE``) or ``None``."""
    return next((w for w in _top_words(text) if w in QUERY_FORMS), None)


def names_dataset(text: str) -> bool:
    """Whether a query names its own dataset with ``FROM`` or ``FROM NAMED``."""
    return "FROM" in _top_words(text)


@functools.lru_cache(maxsize=1024)
def where_brace(text: str) -> int:
    """Offset just after the ``{`` that opens the top-level WHERE group of a query.

    Kept per text: the library's queries get values bound on every request, and reading a
    query's tokens again each time cost a tenth of an HTML page's time."""
    seen_where = False
    groups_closed = 0
    form = None
    for kind, tok, depth, end in tokens(text):
        if kind == "word" and depth == 0:
            word = tok.upper()
            if form is None and word in QUERY_FORMS:
                form = word
            elif word == "WHERE":
                if form == "CONSTRUCT" and groups_closed == 0:
                    raise BadParameter(
                        "values cannot be bound into the short form CONSTRUCT WHERE { ... }; "
                        "write CONSTRUCT { template } WHERE { pattern }", param="query")
                seen_where = True
        elif kind == "open" and depth == 0:
            if seen_where or form != "CONSTRUCT" or groups_closed >= 1:
                return end
        elif kind == "close" and depth == 0:
            groups_closed += 1
    raise BadParameter("the query has no WHERE group to bind values into", param="query")


def _variable(name: str) -> str:
    if not _VARIABLE.fullmatch(name):
        raise BadParameter(f"{name}: is not a valid variable name", param=name)
    return f"?{name}"


def with_values(text: str, rows: Mapping[str, Sequence[object]]) -> str:
    """The query with ``VALUES`` blocks (one per variable, a join) opening its WHERE group."""
    blocks = [f" VALUES {_variable(name)} {{ " + " ".join(str(t) for t in terms) + " }"
              for name, terms in rows.items()]
    pos = where_brace(text)
    return text[:pos] + "\n" + "\n".join(blocks) + "\n" + text[pos:]


def with_rows(text: str, names: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The query with one ``VALUES (?a ?b …) { (…) … }`` block of whole rows opening its WHERE
    group (``None`` in a row is ``UNDEF``)."""
    head = " ".join(_variable(n) for n in names)
    body = " ".join(
        "(" + " ".join("UNDEF" if t is None else str(t) for t in row) + ")" for row in rows)
    pos = where_brace(text)
    return text[:pos] + f"\n VALUES ({head}) {{ {body} }}\n" + text[pos:]


# --- quads ----------------------------------------------------------------------------------


def _blank(term: object) -> bool:
    if isinstance(term, BlankNode):
        return True
    if isinstance(term, Triple):
        return _blank(term.subject) or _blank(term.object)
    return False


def has_blank_node(quad: Quad) -> bool:
    """Whether a quad holds a blank node (also inside a quoted triple)."""
    return _blank(quad.subject) or _blank(quad.object)


def graph_of(quad: Quad) -> str:
    """The IRI of a quad's graph; ``""`` for the default graph."""
    return quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""


def graphs_of(quads: Iterable[Quad]) -> set[str]:
    """The graphs of some quads (``""``: the default graph)."""
    return {graph_of(q) for q in quads}


def quad_block(quads: Iterable[Quad]) -> str:
    """``{ … }`` holding the quads, grouped by graph."""
    lines: list[str] = []
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        triple = f"{q.subject} {q.predicate} {q.object} ."
        if isinstance(q.graph_name, NamedNode):
            by_graph.setdefault(str(q.graph_name), []).append(triple)
        else:
            lines.append(triple)
    for graph, triples in by_graph.items():
        lines.append(f"GRAPH {graph} {{\n" + "\n".join(triples) + "\n}")
    return "{\n" + "\n".join(lines) + "\n}"


def delete_data(quads: Sequence[Quad]) -> str:
    """``DELETE DATA`` of quads without blank nodes (SPARQL allows none there)."""
    if any(has_blank_node(q) for q in quads):
        raise ValueError("DELETE DATA cannot name a blank node")
    return f"DELETE DATA {quad_block(quads)}"


def insert_data(quads: Sequence[Quad]) -> str:
    """``INSERT DATA`` of the quads; those with blank nodes go into a second operation of the
    same request, ``INSERT { … } WHERE {}``: the same effect (one fresh node per label), and
    Virtuoso refuses blank nodes in ``INSERT DATA`` (and large ``INSERT`` templates, so only
    those quads go there)."""
    plain = [q for q in quads if not has_blank_node(q)]
    blank = [q for q in quads if has_blank_node(q)]
    parts = [f"INSERT DATA {quad_block(plain)}"] if plain else []
    parts += [f"INSERT {quad_block(group)} WHERE {{}}" for group in _blank_groups(blank)]
    return " ;\n".join(parts)


#: Quads per ``INSERT { … } WHERE {}`` operation: Virtuoso refuses a template whose generated
#: SQL passes 10,000 lines (which some 60 quads of the ontology already did).
_TEMPLATE_QUADS = 25


def _blank_groups(quads: Sequence[Quad]) -> list[list[Quad]]:
    """``quads`` in groups of at most ``_TEMPLATE_QUADS`` (more only when one set of connected
    blank nodes needs it), each blank node label in one group alone: an ``INSERT`` template
    makes one fresh node per label and operation, so a label split over two operations would
    become two nodes."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    def labels(q: Quad) -> list[str]:
        return [t.value for t in (q.subject, q.object, q.graph_name) if isinstance(t, BlankNode)]

    for q in quads:
        found = labels(q)
        for other in found[1:]:
            parent[root(other)] = root(found[0])
    components: dict[str, list[Quad]] = {}
    for i, q in enumerate(quads):
        found = labels(q)  # none: a blank node inside a quoted triple, a group of its own
        components.setdefault(root(found[0]) if found else f" {i}", []).append(q)
    groups: list[list[Quad]] = []
    current: list[Quad] = []
    for component in components.values():
        if current and len(current) + len(component) > _TEMPLATE_QUADS:
            groups.append(current)
            current = []
        current.extend(component)
    if current:
        groups.append(current)
    return groups


def data_block(removed: Sequence[Quad], added: Sequence[Quad]) -> str:
    """One update request that deletes ``removed`` (no blank nodes) and then inserts ``added``."""
    parts = []
    if removed:
        parts.append(delete_data(removed))
    if added:
        parts.append(insert_data(added))
    return " ;\n".join(parts)


def drop_graphs(graphs: Iterable[str]) -> str:
    """``DROP SILENT GRAPH`` operations, one per graph."""
    return " ;\n".join(f"DROP SILENT GRAPH {NamedNode(g)}" for g in sorted(graphs))


def indexed_update(verb: str, indices: Sequence[int], function: str, *, named: bool) -> str:
    """``INSERT``/``DELETE`` of quads whose terms come from a custom function.

    ``function(i, k)`` returns term ``k`` (subject, predicate, object, graph) of quad ``i``. A
    variable bound to a stored blank node addresses that very node, which no data block can do
    (``DELETE DATA`` forbids blank nodes, ``INSERT DATA`` makes fresh ones).
    """
    fn = NamedNode(function)
    binds = " ".join(f"BIND({fn}(?i, {k}) AS ?{v})" for k, v in enumerate("spog"))
    template = "GRAPH ?g { ?s ?p ?o }" if named else "?s ?p ?o"
    rows = " ".join(str(i) for i in indices)
    return f"{verb} {{ {template} }} WHERE {{ VALUES ?i {{ {rows} }} {binds} }}"
