"""Compiling SHACL shapes to SPARQL: each node shape becomes its targets (patterns binding
``?this``) and one ``_Query`` per constraint of it and its property shapes.

A shape that uses something not translated here raises ``Unsupported`` and is left to pySHACL
(``Compiler.fallback``).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

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
#: A SPARQL target's ``sh:select`` in another form, run instead (same focus nodes, faster).
FAST_SELECT = rdflib.URIRef("https://w3id.org/qualifica/shapes#fastSelect")
_VALUE_WISE = (SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.languageIn,
               SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH["not"])
#: The value range components and the comparison a conforming value meets.
_RANGE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
          SH.maxExclusive: "<"}
_COUNTING = (SH.minCount, SH.maxCount, SH.qualifiedMinCount, SH.qualifiedMaxCount,
             SH.uniqueLang)
_SUPPORTED = set(_VALUE_WISE) | set(_COUNTING) | {SH.sparql, SH.qualifiedValueShape}
_ONTOLOGY_GRAPH = NamedNode("urn:x-qualifica:validation:ontology")
#: Where the WHERE clause of a SPARQL constraint opens.
_WHERE = re.compile(r"\bWHERE\s*\{|\{", re.IGNORECASE)


class Unsupported(Exception):
    """A shape uses something the compiler does not translate (pySHACL validates it)."""



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


_STR_OF_VAR = re.compile(r"\bSTR\s*\(\s*([?$][A-Za-z_]\w*)\s*\)", re.IGNORECASE)


def _rdflib_str(text: str) -> str:
    """rdflib's ``STR()`` answers a blank node's label where SPARQL 1.1 raises an error; the
    label is random, so read it as the empty string (no pattern of the shapes matches it)."""
    return _STR_OF_VAR.sub(lambda m: f'IF(isBlank({m[1]}), "", STR({m[1]}))', text)


def _count(n: rdflib.term.Node) -> int:
    """The number of a counting constraint (``sh:minCount 1``): its literal read as an integer;
    ``ValueError`` when it is none."""
    if not isinstance(n, rdflib.Literal):
        raise ValueError(f"a count that is not a literal: {n}")
    return int(n)


def _sparql_term(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.BNode):
        raise Unsupported("a blank node as a constraint value")
    return term.n3()


class Compiler:
    """Compiles the shapes graph ``sg``: ``compiled`` (node shapes turned into queries) and
    ``fallback`` (shapes left to pySHACL)."""

    def __init__(self, sg: rdflib.Graph) -> None:
        self.sg = sg
        self.compiled: list[_Shape] = []
        self.fallback: list[rdflib.term.Node] = []
        self._compile()

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
            # an equivalent query that Oxigraph evaluates faster, when the shapes give one
            select = g.value(t, FAST_SELECT) or g.value(t, SH.select)
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
            add(SH.MinCountConstraintComponent, "min", "true", _count(n))
        for n in g.objects(shape, SH.maxCount):
            add(SH.MaxCountConstraintComponent, "max", "true", _count(n))
        qvs = list(g.objects(shape, SH.qualifiedValueShape))
        if len(qvs) > 1:
            raise Unsupported("several qualified value shapes")
        if qvs:
            disjoint = g.value(shape, SH.qualifiedValueShapesDisjoint)
            if isinstance(disjoint, rdflib.Literal) and disjoint.value is True:
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            conf = self._conforms(qvs[0], "?v")
            for n in g.objects(shape, SH.qualifiedMinCount):
                add(SH.QualifiedMinCountConstraintComponent, "min", conf, _count(n))
            for n in g.objects(shape, SH.qualifiedMaxCount):
                add(SH.QualifiedMaxCountConstraintComponent, "max", conf, _count(n))
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
            items = list(Collection(self.sg, arg))
            if not items:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {_sparql_term(i)})" for i in items) + ")"
        if param == SH.languageIn:
            tags = [str(t).lower() for t in Collection(self.sg, arg)]
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
            if not isinstance(p, rdflib.URIRef) or p not in _INNER or (
                    p == SH.datatype and o not in (XSD.string, RDF.langString, RDFS.Literal)):
                raise Unsupported(f"{p} in an inner shape")
            conds.append(self._value_cond(p, o, v))
        return "(" + " && ".join(conds or ["true"]) + ")"

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
