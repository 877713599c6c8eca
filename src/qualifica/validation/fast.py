"""Full SHACL validation compiled to SPARQL and evaluated by pyoxigraph.

pySHACL walks the data graph focus node by focus node in Python: a whole ESCO-size store takes
minutes. Here every constraint of the shapes becomes one SPARQL query over all focus nodes at
once (one query per shape and constraint component), which pyoxigraph evaluates natively:

* targets (``sh:targetClass`` with the class hierarchy, ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, SPARQL-based targets) become a sub-select of ``?this``;
* value-wise components (``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:in``,
  ``sh:languageIn``, ``sh:minInclusive``, ``sh:not`` of a simple shape) become a FILTER on the
  value nodes; counting components (``sh:minCount``, ``sh:maxCount``, ``sh:qualifiedMinCount``,
  ``sh:qualifiedMaxCount``, ``sh:uniqueLang``) a GROUP BY;
* SPARQL-based constraints (``sh:sparql``) run as they are, joined with the focus nodes.

A node shape with anything else (``sh:node``, ``sh:or``, ``sh:pattern`` …) is validated by pySHACL
instead, with a shapes graph holding just those shapes: the results are the same either way.
pySHACL stays the reference (``tests/unit/test_fast_validation.py`` compares both result by
result). Results equal pySHACL's as sets of (focus node, path, value, source shape, component,
severity): where pySHACL reports the same result twice, this reports it once.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import pickle
import re
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from qualifica.validation.shacl import Finding, Report, Shapes, _term

log = logging.getLogger(__name__)

Term = NamedNode | BlankNode | Literal
_PARAMS_IGNORED = {
    SH.message, SH.severity, SH.name, SH.description, SH.path, SH.targetClass, SH.targetNode,
    SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.order, SH.group, SH.deactivated,
    SH.defaultValue, SH.prefixes, SH.declare, SH.property,
}
#: Inner shapes of sh:not / sh:qualifiedValueShape: the constraints compiled to a condition.
_INNER = {SH["class"], SH.languageIn, SH.nodeKind, SH["in"], SH.datatype}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isIRI({v}) || isBlank({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_COMPONENT = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
_VALUE_WISE = (SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.languageIn,
               SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH["not"])
#: The value range components and the comparison a conforming value meets.
_RANGE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
          SH.maxExclusive: "<"}
_COUNTING = (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount,
             SH.uniqueLang)
_SUPPORTED = set(_VALUE_WISE) | set(_COUNTING) | {SH.sparql, SH.qualifiedValueShape}
_ONTOLOGY_GRAPH = NamedNode("urn:x-qualifica:validation:ontology")


class Unsupported(Exception):
    """A shape uses something the compiler does not translate (pySHACL validates it)."""


@dataclass(frozen=True)
class Outcome:
    """One validation result, with RDF terms (``path``: the path as SPARQL text)."""

    focus: Term
    path: str | None
    path_iri: str | None
    value: Term | None
    shape: rdflib.term.Node
    component: rdflib.URIRef
    severity: rdflib.URIRef
    # what the result says, not which result it is
    messages: tuple[rdflib.Literal, ...] = field(compare=False)
    constraint: rdflib.term.Node | None = field(default=None, compare=False)


@dataclass
class _Query:
    """One compiled constraint: ``kind`` (value, min, max, unique, sparql) with its condition
    (``cond``: on ``?v``; the query text of a SPARQL constraint) and count ``n``."""

    shape: rdflib.term.Node
    component: rdflib.URIRef
    kind: str
    path: rdflib.term.Node | None
    path_text: str | None
    cond: str
    n: int
    severity: rdflib.URIRef
    messages: tuple[rdflib.Literal, ...]
    constraint: rdflib.term.Node | None = None
    check_lexical: rdflib.URIRef | None = None  # sh:datatype: re-check lexical forms in Python


@dataclass
class _Shape:
    """A node shape: its targets (SPARQL patterns binding ``?this``, target classes) and the
    constraints of it and its property shapes."""

    node: rdflib.term.Node
    targets: list[str]
    classes: list[rdflib.URIRef]
    queries: list[_Query] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    #: whether the targets are few enough to list (SPARQL-based targets, sh:targetNode)
    listable: bool = False


_WHERE = re.compile(r"\bWHERE\s*\{|\{", re.IGNORECASE)
#: Focus nodes listed in a VALUES block up to this many; above, the targets are joined.
MAX_LISTED = 20_000


def _query_text(q: _Query, focus: str, listed: bool) -> str:
    """The SPARQL query of a compiled constraint.

    ``focus`` is a pattern binding ``?this``: a VALUES block when ``listed``, else the
    targets. With listed focus nodes every query starts from them; otherwise a constraint
    that only rare values break reads the path's triples first and checks the targets of the
    few it finds (``FILTER EXISTS``), which pyoxigraph does several times faster.
    """
    path, cond, n = q.path_text, q.cond, q.n
    if q.kind == "value":
        if path is None:
            return (f"SELECT DISTINCT ?this ?v WHERE {{ {focus} BIND (?this AS ?v) "
                    f"FILTER ({cond}) }}")
        if listed:
            return f"SELECT DISTINCT ?this ?v WHERE {{ {focus} ?this {path} ?v FILTER ({cond}) }}"
        return ("SELECT DISTINCT ?this ?v WHERE { { SELECT DISTINCT ?this ?v WHERE { "
                f"?this {path} ?v FILTER ({cond}) }} }} FILTER EXISTS {{ {focus} }} }}")
    if q.kind == "min":
        if n <= 0:
            return "SELECT ?this WHERE { FILTER (false) }"
        if n == 1:
            if listed:
                return (f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ "
                        f"?this {path} ?v FILTER ({cond}) }} }}")
            return (f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {path} ?v "
                    f"FILTER ({cond}) }} }}")
        return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v FILTER ({cond}) }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
    if q.kind == "max":
        grouped = (f"SELECT ?this WHERE {{ {{inner}} ?this {path} ?v FILTER ({cond}) }} "
                   f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
        if listed:
            return grouped.replace("{inner}", focus)
        return ("SELECT ?this WHERE { { " + grouped.replace("{inner}", "") + " } "
                f"FILTER EXISTS {{ {focus} }} }}")
    if q.kind == "unique":
        grouped = (f"SELECT ?this ?l WHERE {{ {{inner}} ?this {path} ?v "
                   "FILTER (isLiteral(?v) && LANG(?v) != \"\") BIND (LCASE(LANG(?v)) AS ?l) } "
                   "GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?v) > 1)")
        if listed:
            return grouped.replace("{inner}", focus)
        return ("SELECT ?this ?l WHERE { { " + grouped.replace("{inner}", "") + " } "
                f"FILTER EXISTS {{ {focus} }} }}")
    # a SPARQL-based constraint: the listed focus nodes go into its WHERE clause
    value = "(?value AS ?v)" if q.path is not None else "(COALESCE(?value, ?this) AS ?v)"
    if listed:
        m = _WHERE.search(cond)
        assert m is not None
        body = cond[:m.end()] + " " + focus + " " + cond[m.end():]
        return f"SELECT DISTINCT ?this {value} ?path WHERE {{ {{ {body} }} }}"
    return f"SELECT DISTINCT ?this {value} ?path WHERE {{ {focus} {{ {cond} }} }}"



def sparql_path(g: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL property path as a SPARQL property path (also its canonical text)."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in g:
        items = list(Collection(g, node))
        return "(" + "/".join(sparql_path(g, i) for i in items) + ")"
    for pred, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "({})*"),
                      (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
        inner = g.value(node, pred)
        if inner is not None:
            return fmt.format(sparql_path(g, inner))
    alt = g.value(node, SH.alternativePath)
    if alt is not None:
        return "(" + "|".join(sparql_path(g, i) for i in Collection(g, alt)) + ")"
    raise Unsupported(f"unknown path {node!r}")


def shape_key(g: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A stable name of a shape: its IRI, or for a blank node its structure (sorted triples)."""
    if not isinstance(node, rdflib.BNode):
        return str(node)
    parts = []
    for p, o in sorted(g.predicate_objects(node)):
        parts.append(f"{p.n3()} {shape_key(g, o) if isinstance(o, rdflib.BNode) else o.n3()}")
    return "[" + " ; ".join(sorted(parts)) + "]"


def _ox(term: rdflib.term.Node) -> Term:
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        return Literal(str(term), datatype=NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"unsupported term {term!r}")


_STR_OF_VAR = re.compile(r"\bSTR\s*\(\s*([?$][A-Za-z_]\w*)\s*\)", re.IGNORECASE)


def _rdflib_str(text: str) -> str:
    """rdflib's ``STR()`` answers a blank node's label where SPARQL 1.1 raises an error; the
    label is random, so read it as the empty string (no pattern of the shapes matches it)."""
    return _STR_OF_VAR.sub(lambda m: f'IF(isBlank({m[1]}), "", STR({m[1]}))', text)


def _sparql_term(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.BNode):
        raise Unsupported("a blank node as a constraint value")
    return term.n3()


class FastValidator:
    """Compiles ``shapes`` once; validates pyoxigraph stores with one query per constraint."""

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.sg = shapes.shapes
        self._ontology: list[Triple] | None = None
        self.compiled: list[_Shape] = []
        self.fallback: list[rdflib.term.Node] = []
        self._fallback_graph: rdflib.Graph | None = None
        self.last_stats: dict[str, float] = {}
        self._compile()

    # -- compiling -----------------------------------------------------------------------
    def _compile(self) -> None:
        g = self.sg
        node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
        parents: dict[rdflib.term.Node, list[rdflib.term.Node]] = defaultdict(list)
        for s, o in g.subject_objects(SH.property):
            parents[o].append(s)
            node_shapes.add(s)
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                     SH.target):
            node_shapes |= {s for s in g.subjects(pred, None) if (s, SH.path, None) not in g}
        prop_shapes = set(g.subjects(RDF.type, SH.PropertyShape)) | set(parents)
        # inner shapes (of sh:not, sh:qualifiedValueShape) are not validated on their own
        inner = set(g.objects(None, SH["not"])) | set(g.objects(None, SH.qualifiedValueShape))
        roots = sorted(node_shapes - prop_shapes - inner, key=lambda n: shape_key(g, n))
        fallback: set[rdflib.term.Node] = set()
        for root in roots:
            if self._deactivated(root):
                continue
            try:
                self.compiled.append(self._compile_node_shape(root))
            except Unsupported as exc:
                log.info("shape %s is validated by pySHACL: %s", root, exc)
                fallback.add(root)
        standalone = prop_shapes - set(parents) - inner
        for ps in sorted(standalone, key=lambda n: shape_key(g, n)):
            if any(True for _ in g.objects(ps, SH.targetClass)) or any(
                    True for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                                   SH.target) for _ in g.objects(ps, p)):
                fallback.add(ps)  # a property shape with its own targets: rare, left to pySHACL
        self.fallback = sorted(fallback, key=lambda n: shape_key(g, n))

    def _deactivated(self, node: rdflib.term.Node) -> bool:
        d = self.sg.value(node, SH.deactivated)
        return isinstance(d, rdflib.Literal) and d.value is True

    def _severity(self, node: rdflib.term.Node) -> rdflib.URIRef:
        sev = self.sg.value(node, SH.severity)
        return sev if isinstance(sev, rdflib.URIRef) else SH.Violation

    def _messages(self, node: rdflib.term.Node) -> tuple[rdflib.Literal, ...]:
        return tuple(sorted((m for m in self.sg.objects(node, SH.message)
                             if isinstance(m, rdflib.Literal)), key=lambda m: m.language or ""))

    def _prefixes(self, node: rdflib.term.Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for onto in self.sg.objects(node, SH.prefixes):
            for decl in self.sg.objects(onto, SH.declare):
                pfx, ns = self.sg.value(decl, SH.prefix), self.sg.value(decl, SH.namespace)
                if pfx is not None and ns is not None:
                    out[str(pfx)] = str(ns)
        return out

    def _targets(self, shape: rdflib.term.Node, prefixes: dict[str, str]
                 ) -> tuple[list[str], list[rdflib.URIRef]]:
        g = self.sg
        parts: list[str] = []
        classes = [c for c in g.objects(shape, SH.targetClass) if isinstance(c, rdflib.URIRef)]
        if len(classes) != len(list(g.objects(shape, SH.targetClass))):
            raise Unsupported("a target class that is not an IRI")
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, rdflib.OWL.Class) in g:
            raise Unsupported("an implicit class target")
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_sparql_term(n) for n in nodes) + " }")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_sparql_term(p)} [] .")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"[] {_sparql_term(p)} ?this .")
        for t in g.objects(shape, SH.target):
            select = g.value(t, SH.select)
            if (t, RDF.type, SH.SPARQLTarget) not in g or select is None:
                raise Unsupported("a target that is not a SPARQL target")
            if self._deactivated(t):
                continue
            prefixes.update(self._prefixes(t))
            parts.append("{ " + _rdflib_str(str(select)) + " }")
        return parts, classes

    def _compile_node_shape(self, shape: rdflib.term.Node) -> _Shape:
        g = self.sg
        prefixes: dict[str, str] = {}
        targets, classes = self._targets(shape, prefixes)
        out = _Shape(shape, targets, classes, prefixes=prefixes, listable=not classes and not any(
            (shape, p, None) in g for p in (SH.targetSubjectsOf, SH.targetObjectsOf)))
        self._constraints(out, shape, None)
        for ps in g.objects(shape, SH.property):
            if self._deactivated(ps):
                continue
            path = g.value(ps, SH.path)
            if path is None:
                raise Unsupported("a property shape without a path")
            for pred in (SH.property, SH.node, SH["and"], SH["or"], SH.xone):
                if (ps, pred, None) in g:
                    raise Unsupported(f"{pred} in a property shape")
            self._constraints(out, ps, path)
        return out

    def _constraints(self, out: _Shape, shape: rdflib.term.Node,
                     path: rdflib.term.Node | None) -> None:
        g = self.sg
        for p in set(g.predicates(shape, None)):
            if p in _PARAMS_IGNORED or p == RDF.type or not str(p).startswith(str(SH)):
                continue
            if p not in _SUPPORTED:
                raise Unsupported(f"{p}")
        sev, msgs = self._severity(shape), self._messages(shape)
        path_text = sparql_path(g, path) if path is not None else None

        def add(component: rdflib.URIRef, kind: str, cond: str = "", n: int = 0,
                **kw: object) -> None:
            out.queries.append(_Query(shape, component, kind, path, path_text, cond, n, sev,
                                      msgs, **kw))  # type: ignore[arg-type]

        for param in _VALUE_WISE:
            for arg in g.objects(shape, param):
                lexical = arg if param == SH.datatype and arg not in (
                    XSD.string, RDF.langString, RDFS.Literal) else None
                add(_COMPONENT[param], "value", self._violates(param, arg),
                    check_lexical=lexical)
        if path_text is not None:
            self._counting(add, shape)
        elif any((shape, p, None) in g for p in _COUNTING):
            raise Unsupported("a counting constraint on a node shape")
        for c in g.objects(shape, SH.sparql):
            if self._deactivated(c):
                continue
            select = g.value(c, SH.select)
            if select is None:
                raise Unsupported("a SPARQL constraint without sh:select")
            text = str(select)
            if any(v in text for v in ("$PATH", "$currentShape", "$shapesGraph", "?PATH")):
                raise Unsupported("a SPARQL constraint with pre-bound variables other than $this")
            if not _WHERE.search(text):
                raise Unsupported("a SPARQL constraint whose WHERE clause is not found")
            out.prefixes.update(self._prefixes(c))
            add(SH.SPARQLConstraintComponent, "sparql",
                _rdflib_str(text.replace("$this", "?this")), constraint=c)
            out.queries[-1].messages = self._messages(c) or msgs

    def _counting(self, add: Callable[..., None], shape: rdflib.term.Node) -> None:
        g = self.sg
        for n in g.objects(shape, SH.minCount):
            add(SH.MinCountConstraintComponent, "min", "true", int(n))
        for n in g.objects(shape, SH.maxCount):
            add(SH.MaxCountConstraintComponent, "max", "true", int(n))
        qvs = list(g.objects(shape, SH.qualifiedValueShape))
        if len(qvs) > 1:
            raise Unsupported("several qualified value shapes")
        if qvs:
            disjoint = g.value(shape, SH.qualifiedValueShapesDisjoint)
            if isinstance(disjoint, rdflib.Literal) and disjoint.value is True:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            conf = self._conforms(qvs[0], "?v")
            for n in g.objects(shape, SH.qualifiedMinCount):
                add(SH.QualifiedMinCountConstraintComponent, "min", conf, int(n))
            for n in g.objects(shape, SH.qualifiedMaxCount):
                add(SH.QualifiedMaxCountConstraintComponent, "max", conf, int(n))
        for flag in g.objects(shape, SH.uniqueLang):
            if isinstance(flag, rdflib.Literal) and flag.value is True:
                add(SH.UniqueLangConstraintComponent, "unique")

    def _violates(self, param: rdflib.URIRef, arg: rdflib.term.Node) -> str:
        """A SPARQL condition on ``?v`` that holds when the value node breaks the constraint."""
        if param == SH["not"]:
            return self._conforms(arg, "?v")
        if param in _RANGE:
            if not isinstance(arg, rdflib.Literal):
                raise Unsupported(f"{param} with a non-literal")
            if isinstance(arg.value, str) or arg.value is None:
                raise Unsupported(f"{param} with a string")
            return (f"!(isLiteral(?v) && !(DATATYPE(?v) IN ({XSD.string.n3()}, "
                    f"{RDF.langString.n3()})) && COALESCE(?v {_RANGE[param]} {arg.n3()}, false))")
        return f"!({self._value_cond(param, arg, '?v')})"

    def _value_cond(self, param: rdflib.URIRef, arg: rdflib.term.Node, v: str) -> str:
        """A SPARQL condition on ``v`` that holds when the value node meets one constraint."""
        if param == SH["class"]:
            return f"EXISTS {{ {v} a ?_k . FILTER (?_k IN ({{CLASSES {arg}}})) }}"
        if param == SH.nodeKind:
            if arg not in _NODE_KINDS:
                raise Unsupported(f"node kind {arg}")
            return _NODE_KINDS[arg].format(v=v)  # type: ignore[index]
        if param == SH["in"]:
            items = list(Collection(self.sg, arg))  # type: ignore[arg-type]
            if not items:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {_sparql_term(i)})" for i in items) + ")"
        if param == SH.languageIn:
            tags = [str(t).lower() for t in Collection(self.sg, arg)]  # type: ignore[arg-type]
            if "*" in tags:
                return f"(isLiteral({v}) && LANG({v}) != \"\")"
            # pySHACL: the tag, or its first subtag, is listed (case-insensitive); for a listed
            # tag without "-" that is SPARQL's LANGMATCHES, which pyoxigraph does cheaply
            tests = [f'LANGMATCHES(LANG({v}), "{t}")' if "-" not in t
                     else f'LCASE(LANG({v})) = "{t}"' for t in tags]
            return f"(isLiteral({v}) && ({' || '.join(tests) or 'false'}))"
        if param == SH.datatype:
            if arg == RDFS.Literal:
                return f"isLiteral({v})"
            # ill-typed lexical forms are found in Python (``_bad_lexical``) and excluded there
            return f"(isLiteral({v}) && DATATYPE({v}) = {_sparql_term(arg)})"
        raise Unsupported(f"{param}")

    def _conforms(self, inner: rdflib.term.Node, v: str) -> str:
        """A SPARQL condition that holds when ``v`` conforms to a simple inner shape."""
        g = self.sg
        conds = []
        for p, o in g.predicate_objects(inner):
            if p == RDF.type or p in (SH.message, SH.severity, SH.name, SH.description):
                continue
            if p not in _INNER or (p == SH.datatype and o not in (XSD.string, RDF.langString,
                                                                   RDFS.Literal)):
                raise Unsupported(f"{p} in an inner shape")
            conds.append(self._value_cond(p, o, v))
        return "(" + " && ".join(conds or ["true"]) + ")"

    # -- running -------------------------------------------------------------------------
    def ontology_triples(self) -> list[Triple]:
        """The ontology (mixed into every validated graph, as pySHACL's ``ont_graph``)."""
        if self._ontology is None:
            self._ontology = [Triple(_ox(s), _ox(p), _ox(o))  # type: ignore[arg-type]
                              for s, p, o in self.shapes.ontology]
        return self._ontology

    def memory_store(self, quads: Iterable[Quad], *, ontology: bool = True) -> Store:
        """An in-memory pyoxigraph store of ``quads`` (graphs kept) and the ontology."""
        store = Store()
        store.extend(quads)
        if ontology:
            store.extend(Quad(t.subject, t.predicate, t.object, _ONTOLOGY_GRAPH)
                         for t in self.ontology_triples())
        return store

    def outcomes_of(self, quads: Iterable[Quad], *, ontology: bool = True) -> list[Outcome]:
        """The results on ``quads`` with the ontology mixed in (as pySHACL's ``ont_graph``)."""
        return self.outcomes(self.memory_store(quads, ontology=ontology))

    def validate_quads(self, quads: Iterable[Quad], *, ontology: bool = True) -> Report:
        """Validate ``quads`` (the union of their graphs), with the ontology mixed in."""
        t0 = time.perf_counter()
        store = self.memory_store(quads, ontology=ontology)
        load_s = time.perf_counter() - t0
        report = self.validate_store(store, ontology=False, in_memory=True)
        self.last_stats["load_s"] = load_s
        return report

    def missing_ontology(self, store: Store) -> list[Triple]:
        """Ontology triples (without blank nodes) that ``store`` does not hold in any graph."""
        return [t for t in self.ontology_triples()
                if not isinstance(t.subject, BlankNode) and not isinstance(t.object, BlankNode)
                and next(iter(store.quads_for_pattern(t.subject, t.predicate, t.object)), None)
                is None]

    def validate_store(self, store: Store, *, ontology: bool = True,
                       focus: Sequence[NamedNode | BlankNode] | None = None,
                       in_memory: bool = False) -> Report:
        """Validate everything ``store`` holds (the union of its graphs).

        With ``ontology`` the ontology is mixed in: when the store lacks some of it, the store
        is copied into memory with it first. ``focus`` keeps only results about those nodes.
        An ``in_memory`` store is validated on every core (``outcomes``, ``workers``).
        """
        started = time.perf_counter()
        if ontology and self.missing_ontology(store):
            store, in_memory = self.memory_store(store), True
        copied = time.perf_counter()
        workers = (os.cpu_count() or 1) if in_memory else 1
        outcomes = self.outcomes(store, focus, workers=workers)
        self.last_stats = {"copy_s": copied - started, "query_s": time.perf_counter() - copied,
                           "results": float(len(outcomes))}
        return self.report(outcomes)

    def outcomes(self, store: Store, focus: Sequence[NamedNode | BlankNode] | None = None,
                 *, workers: int = 1) -> list[Outcome]:
        """Every result of validating ``store`` (optionally only about ``focus`` nodes).

        With ``workers`` > 1 a forked copy of this process runs half of the shapes (see
        ``_forked``); only for an in-memory store (an on-disk one runs RocksDB threads)."""
        hierarchy = self._subclasses(store)
        restrict = None
        if focus is not None:
            if not focus:
                return []
            if all(isinstance(n, NamedNode) for n in focus):
                restrict = "VALUES ?this { " + " ".join(str(n) for n in focus) + " }"
        found: set[Outcome] = set()
        if workers > 1 and _can_fork():
            mine, theirs = _halves(self.compiled)
            found = self._forked(lambda: self._run(store, theirs, hierarchy, restrict),
                                 lambda: self._run(store, mine, hierarchy, restrict))
        else:
            found = self._run(store, self.compiled, hierarchy, restrict)
        if self.fallback:
            found |= self._fallback(store)
        if focus is not None:
            keep = set(focus)
            found = {o for o in found if o.focus in keep}
        return sorted(found, key=_order)

    @staticmethod
    def _forked(child: Callable[[], set[Outcome]], parent: Callable[[], set[Outcome]]
                ) -> set[Outcome]:
        """``child`` in a forked copy of this process (it shares the in-memory store, copy on
        write) while this one runs ``parent``; the child's results come back pickled."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running any cleanup
            code = 0
            try:
                os.close(read_fd)
                data = pickle.dumps(child(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_fd)
        try:
            mine = parent()
        finally:
            with os.fdopen(read_fd, "rb") as pipe:
                data = pipe.read()
            _pid, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            raise RuntimeError("the validation worker failed")
        theirs: set[Outcome] = pickle.loads(data)  # noqa: S301 (our own forked child wrote it)
        return mine | theirs

    def _run(self, store: Store, shapes: Sequence[_Shape], hierarchy: dict[str, set[str]],
             restrict: str | None) -> set[Outcome]:
        """The results of the compiled ``shapes`` on ``store``."""
        found: set[Outcome] = set()
        for shape in shapes:
            pattern = self._target_pattern(shape, hierarchy)
            if pattern is None:
                continue
            head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(shape.prefixes.items()))
            listed = None
            if restrict is not None or shape.listable:
                listed = self._list_focus(store, head, f"{restrict or ''} {pattern}")
                if listed == "":
                    continue  # no focus node
            focus_text = listed or pattern
            queries = shape.queries
            present = [q for q in queries if q.kind == "min" and q.n == 1]
            if len(present) > 1 and listed is None:
                # "at least one value" of several paths: one pass over the focus nodes
                found |= self._present(store, head, focus_text, present, hierarchy)
                queries = [q for q in queries if q not in present]
            for q in queries:
                text = head + _fill(_query_text(q, focus_text, listed is not None), hierarchy)
                bad = self._bad_lexical(store, q) if q.check_lexical is not None else None
                for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
                    found.add(self._outcome(q, row))
                if bad:  # well-typed by SPARQL's DATATYPE, ill-typed by rdflib's reading
                    found |= self._ill_typed(store, q, focus_text, bad, head)
        return found

    def _present(self, store: Store, head: str, focus: str, queries: list[_Query],
                 hierarchy: dict[str, set[str]]) -> set[Outcome]:
        """The focus nodes without a (conforming) value on each path, in one query."""
        binds = " ".join(f"BIND (EXISTS {{ ?this {q.path_text} ?v FILTER ({q.cond}) }} AS ?m{i})"
                         for i, q in enumerate(queries))
        flags = " ".join(f"?m{i}" for i in range(len(queries)))
        missing = " || ".join(f"!?m{i}" for i in range(len(queries)))
        text = head + _fill(f"SELECT DISTINCT ?this {flags} WHERE {{ {focus} {binds} "
                            f"FILTER ({missing}) }}", hierarchy)
        out = set()
        for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
            for i, q in enumerate(queries):
                flag = row[f"m{i}"]
                if isinstance(flag, Literal) and flag.value == "false":
                    out.add(self._outcome(q, row))
        return out

    def _list_focus(self, store: Store, head: str, pattern: str) -> str | None:
        """The focus nodes as a VALUES block ("" when there are none), or None when they are
        too many to list or include blank nodes (which VALUES cannot name)."""
        text = f"{head}SELECT DISTINCT ?this WHERE {{ {pattern} }}"
        nodes = []
        for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
            node = row["this"]
            if not isinstance(node, NamedNode) or len(nodes) >= MAX_LISTED:
                return None
            nodes.append(str(node))
        if not nodes:
            return ""
        return "VALUES ?this { " + " ".join(nodes) + " }"

    def _target_pattern(self, shape: _Shape, hierarchy: dict[str, set[str]]) -> str | None:
        """A pattern binding ``?this`` to each focus node of ``shape`` (repeats possible)."""
        parts = list(shape.targets)
        classes = sorted({c for k in shape.classes for c in hierarchy.get(str(k), {str(k)})})
        if classes:
            parts.insert(0, "VALUES ?_tc { " + " ".join(f"<{c}>" for c in classes) + " } "
                         "?this a ?_tc .")
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return " UNION ".join("{ " + p + " }" for p in parts)

    def _subclasses(self, store: Store) -> dict[str, set[str]]:
        """Each class with all its subclasses (rdfs:subClassOf*, from the validated graph)."""
        sub: dict[str, set[str]] = defaultdict(set)
        text = f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}"
        for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
            s, o = row["s"], row["o"]
            if isinstance(s, NamedNode) and isinstance(o, NamedNode):
                sub[o.value].add(s.value)
        closure: dict[str, set[str]] = {}

        def down(c: str) -> set[str]:
            if c in closure:
                return closure[c]
            seen, todo = {c}, [c]
            while todo:
                for s in sub.get(todo.pop(), ()):
                    if s not in seen:
                        seen.add(s)
                        todo.append(s)
            closure[c] = seen
            return seen

        return _Closure(down)

    def _bad_lexical(self, store: Store, q: _Query) -> set[Literal]:
        """Literals of the datatype whose lexical form rdflib finds ill-typed (pySHACL's view)."""
        from qualifica.validation.shacl import _term as to_rdflib_term

        dt = q.check_lexical
        pattern = f"?s {q.path_text} ?v ." if q.path_text else "?v ?p ?o ."
        text = (f"SELECT DISTINCT ?v WHERE {{ {pattern} FILTER (isLiteral(?v) && "
                f"DATATYPE(?v) = <{dt}>) }}")
        bad = set()
        for row in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
            lit = row["v"]
            r = to_rdflib_term(lit)
            if getattr(r, "ill_typed", False) or not _actual(r, dt):  # type: ignore[arg-type]
                bad.add(lit)
        return bad

    def _ill_typed(self, store: Store, q: _Query, focus: str, bad: set[Literal],
                   head: str) -> set[Outcome]:
        values = f"?this {q.path_text} ?v ." if q.path_text else "BIND (?this AS ?v)"
        text = (head + "SELECT DISTINCT ?this ?v WHERE { VALUES ?v { "
                + " ".join(str(b) for b in bad) + " } " + values + " FILTER EXISTS { " + focus
                + " } }")
        return {self._outcome(q, row)
                for row in store.query(text, use_default_graph_as_union=True)}  # type: ignore[union-attr]

    def _outcome(self, q: _Query, row: object) -> Outcome:
        this = row["this"]  # type: ignore[index]
        value = row["v"] if q.kind in ("value", "sparql") else None  # type: ignore[index]
        path_text = q.path_text
        path_iri = str(q.path) if isinstance(q.path, rdflib.URIRef) else None
        if q.kind == "sparql":
            p = row["path"]  # type: ignore[index]
            if isinstance(p, NamedNode):
                path_text, path_iri = f"<{p.value}>", p.value
        return Outcome(this, path_text, path_iri, value, q.shape, q.component, q.severity,
                       q.messages, q.constraint)

    def _fallback(self, store: Store) -> set[Outcome]:
        """Results of the shapes not compiled, from pySHACL over the whole store."""
        from pyshacl import validate as pyshacl_validate

        from qualifica.validation.shacl import to_rdflib

        if self._fallback_graph is None:
            self._fallback_graph = _subgraph(self.sg, self.fallback)
        data = to_rdflib(store)
        _, results, _ = pyshacl_validate(data, shacl_graph=self._fallback_graph,
                                         inference="none", abort_on_first=False,
                                         allow_warnings=True, meta_shacl=False, advanced=True)
        return set(outcomes_of_report(results, self.sg))

    # -- reporting -----------------------------------------------------------------------
    def report(self, outcomes: list[Outcome]) -> Report:
        """A ``Report`` (findings as pySHACL's report gives them) of ``outcomes``."""
        findings = [_finding(o) for o in outcomes]
        findings.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path or "",
                                     f.shape or ""))
        conforms = not any(o.severity == SH.Violation for o in outcomes)
        make = functools.partial(report_graph, tuple(outcomes), conforms)
        # a rejection carries its report graph (the API answers with it); otherwise it is
        # built when asked for (``Report.report_graph``)
        return Report(conforms=conforms, findings=findings,
                      graph=None if conforms else make(), make_graph=make)


def _can_fork() -> bool:
    """Whether a forked worker may run: on a platform with fork, in a process with no other
    thread that could hold a lock the worker needs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _halves(shapes: Sequence[_Shape]) -> tuple[list[_Shape], list[_Shape]]:
    """The shapes in two groups of about the same work (queries × target classes)."""
    bins: tuple[list[_Shape], list[_Shape]] = ([], [])
    load = [0, 0]
    for shape in sorted(shapes, key=lambda s: -_cost(s)):
        i = 0 if load[0] <= load[1] else 1
        bins[i].append(shape)
        load[i] += _cost(shape)
    return bins


def _cost(shape: _Shape) -> int:
    return len(shape.queries) * max(1, len(shape.classes)) + 4 * len(shape.targets)


class _Closure(dict):  # type: ignore[type-arg]
    """Subclasses of a class, computed on first lookup."""

    def __init__(self, down: Callable[[str], set[str]]) -> None:
        super().__init__()
        self._down = down

    def get(self, key: str, default: object = None) -> set[str]:  # type: ignore[override]
        return self._down(key)


def _fill(text: str, hierarchy: dict[str, set[str]]) -> str:
    """Put the subclasses of each ``{CLASSES iri}`` placeholder into the query."""
    while "{CLASSES " in text:
        start = text.index("{CLASSES ")
        end = text.index("}", start)
        iri = text[start + 9:end]
        classes = sorted(hierarchy.get(iri, {iri}))
        text = text[:start] + ", ".join(f"<{c}>" for c in classes) + text[end + 1:]
    return text


def _actual(lit: rdflib.Literal, dt: rdflib.URIRef) -> bool:
    """pySHACL's check that a literal's value is of the Python type of its datatype."""
    import datetime as dt_
    from decimal import Decimal

    v = lit.value
    kinds: dict[rdflib.URIRef, type | tuple[type, ...]] = {
        XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
        XSD.date: dt_.date, XSD.time: dt_.time, XSD.dateTime: dt_.datetime,
    }
    kind = kinds.get(dt)
    return True if kind is None else isinstance(v, kind)


def _order(o: Outcome) -> tuple[str, ...]:
    return (str(o.focus), o.path or "", str(o.value), str(o.shape), str(o.component))


@functools.lru_cache(maxsize=1024)
def _finding_parts(messages: tuple[rdflib.Literal, ...], shape: rdflib.term.Node,
                   component: rdflib.URIRef, severity: rdflib.URIRef
                   ) -> tuple[str, str, str | None, str, str]:
    msgs = {str(m.language or ""): str(m) for m in messages}
    en = msgs.get("en") or msgs.get("") or next(iter(msgs.values()), "")
    return (en, msgs.get("de") or en, str(shape) if isinstance(shape, rdflib.URIRef) else None,
            str(component), str(severity).rsplit("#", 1)[-1])


def _text(term: Term) -> str:
    """A term as ``str`` of its rdflib form gives it (rdflib normalises literals)."""
    return term.value if isinstance(term, NamedNode | BlankNode) else str(_term(term))


def _finding(o: Outcome) -> Finding:
    en, de, shape, component, severity = _finding_parts(o.messages, o.shape, o.component,
                                                        o.severity)
    return Finding(focus=_text(o.focus), path=o.path_iri, shape=shape, component=component,
                   severity=severity, message_en=en, message_de=de,
                   value=_text(o.value) if o.value is not None else None)


def _subgraph(g: rdflib.Graph, roots: Iterable[rdflib.term.Node]) -> rdflib.Graph:
    """The shapes ``roots`` with everything they reach (shapes, lists, prefix declarations)."""
    out = rdflib.Graph()
    todo, seen = list(roots), set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in g.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, rdflib.BNode) or p in (SH.property, SH.node, SH.prefixes, SH["not"],
                                                    SH.qualifiedValueShape, SH["and"], SH["or"],
                                                    SH.xone):
                todo.append(o)
    return out


def outcomes_of_report(results: rdflib.Graph, shapes: rdflib.Graph) -> list[Outcome]:
    """The results of a pySHACL report graph as ``Outcome``s (for comparison and fallback)."""
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        shape = results.value(r, SH.sourceShape)
        out.append(Outcome(
            focus=_ox(results.value(r, SH.focusNode)),  # type: ignore[arg-type]
            path=sparql_path(results, path) if path is not None else None,
            path_iri=str(path) if isinstance(path, rdflib.URIRef) else None,
            value=_ox(value) if value is not None else None,
            shape=shape,  # type: ignore[arg-type]
            component=results.value(r, SH.sourceConstraintComponent),  # type: ignore[arg-type]
            severity=results.value(r, SH.resultSeverity),  # type: ignore[arg-type]
            messages=tuple(sorted((m for m in results.objects(r, SH.resultMessage)
                                   if isinstance(m, rdflib.Literal)),
                                  key=lambda m: m.language or "")),
            constraint=results.value(r, SH.sourceConstraint),
        ))
    return out


def comparable(outcomes: Iterable[Outcome], shapes: rdflib.Graph) -> set[tuple[str, ...]]:
    """Results as comparable tuples: focus, path, value, source shape, component, severity."""
    def n3(t: Term | None) -> str:
        return "" if t is None else _term(t).n3()

    return {(n3(o.focus), o.path or "", n3(o.value), shape_key(shapes, o.shape),
             str(o.component), str(o.severity)) for o in outcomes}


def report_graph(outcomes: Sequence[Outcome], conforms: bool) -> rdflib.Graph:
    """A SHACL validation report graph of ``outcomes``."""
    g = rdflib.Graph()
    g.bind("sh", SH)
    report = rdflib.BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, rdflib.Literal(conforms)))
    for o in outcomes:
        r = rdflib.BNode()
        g.add((report, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, _term(o.focus)))
        g.add((r, SH.sourceShape, o.shape))
        g.add((r, SH.sourceConstraintComponent, o.component))
        g.add((r, SH.resultSeverity, o.severity))
        if o.value is not None:
            g.add((r, SH.value, _term(o.value)))
        if o.constraint is not None:
            g.add((r, SH.sourceConstraint, o.constraint))
        if o.path_iri is not None:
            g.add((r, SH.resultPath, rdflib.URIRef(o.path_iri)))
        elif o.path is not None:
            g.add((r, SH.resultPath, rdflib.Literal(o.path)))
        for m in o.messages:
            g.add((r, SH.resultMessage, m))
    return g


_VALIDATORS: weakref.WeakKeyDictionary[Shapes, FastValidator] = weakref.WeakKeyDictionary()


def fast_validator(shapes: Shapes) -> FastValidator:
    """The fast validator of ``shapes``, compiled on first use."""
    validator = _VALIDATORS.get(shapes)
    if validator is None:
        validator = _VALIDATORS[shapes] = FastValidator(shapes)
    return validator


def validate_with(shapes: Shapes, store: object, new: Iterable[Quad] = (),
                  removed: Iterable[Quad] = ()) -> Report:
    """Full validation of a ``Store`` of any backend as it would be with ``new`` added and
    ``removed`` taken away.

    An embedded store that is validated as it is (nothing added or removed) is read in place;
    otherwise what it holds is copied into memory with the change (an empty store costs
    nothing to copy).
    """
    validator = fast_validator(shapes)
    native = getattr(store, "native", None)
    ox = native() if callable(native) else None
    new, gone = list(new), set(removed)
    if ox is not None and not new and not gone:
        return validator.validate_store(ox)
    t0 = time.perf_counter()
    held = ox if ox is not None else store.quads()  # type: ignore[attr-defined]
    if ox is not None and len(ox) == 0:
        held = []
    kept = (q for q in held if q not in gone) if gone else held
    memory = validator.memory_store(itertools.chain(kept, new))
    load_s = time.perf_counter() - t0
    report = validator.validate_store(memory, ontology=False, in_memory=True)
    validator.last_stats["load_s"] = load_s
    return report
