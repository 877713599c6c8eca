"""Focus-node-scoped SHACL validation of a write, and the gated writes built on it.

A write changes a few triples of a store that conformed before it. Only focus nodes that can
*see* a changed triple through the shapes' paths can change their outcome, so only those are
validated, on a small graph holding just what the shapes can reach from them:

1. ``ShapeReach`` reads the shapes once: which predicates their paths follow forwards and
   backwards (``sh:inversePath``), and how many hops deep any shape looks (nested ``sh:node``,
   ``sh:class`` on a value, SPARQL constraints, capped for ``*``/``+`` paths).
2. ``affected_nodes``: the subjects of the changed triples and their IRI objects, plus every
   node that reaches such a subject within ``depth - 1`` hops along those predicates.
3. ``neighbourhood``: the triples within ``depth`` hops of those nodes, fetched from the store
   (two small queries per hop, on any backend) with the write applied.
4. that graph is validated with the shapes compiled to SPARQL (``fast/``; pySHACL with
   ``engine="pyshacl"``) and the results about the affected nodes are kept.

With a conforming store before the write, the result equals full validation of the store after
the write (``tests/unit/test_incremental_validation.py`` checks this on many random writes).
Full validation stays in ``qualifica check`` and ``gate.check``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, Triple
from pyoxigraph import Store as MemoryStore
from pyshacl import validate as _pyshacl_validate
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from qualifica.store.base import GraphResult, SelectResult, Store
from qualifica.validation.fast import fast_validator
from qualifica.validation.shacl import Report, Shapes, report_from_graph, to_rdflib

log = logging.getLogger(__name__)

#: Hops a ``*`` or ``+`` path is followed by the incremental gate (the data's hierarchies,
#: e.g. ``skos:broader`` of DigComp competence → area, are two levels deep).
UNBOUNDED_PATH_HOPS = 4
#: Hops assumed for a SPARQL-based constraint whose patterns are not analysed further.
SPARQL_CONSTRAINT_HOPS = 3
#: Nodes per VALUES block of one fetch query.
BATCH = 400

RDF_TYPE = NamedNode(str(RDF.type))
Node = NamedNode | BlankNode


@dataclass(frozen=True)
class ShapeReach:
    """What the shapes can look at from a focus node."""

    forward: frozenset[str]
    inverse: frozenset[str]
    depth: int
    any_predicate: bool = False
    """A constraint reads triples of any predicate (a variable in predicate position)."""

    @classmethod
    def of(cls, shapes: rdflib.Graph) -> ShapeReach:
        """Analyse a shapes graph."""
        return _Analyser(shapes).reach()


class _Analyser:
    def __init__(self, g: rdflib.Graph) -> None:
        self.g = g
        self.forward: set[str] = {str(RDF.type)}
        self.inverse: set[str] = set()
        self.any_predicate = False

    def reach(self) -> ShapeReach:
        roots = set(self.g.subjects(RDF.type, SH.NodeShape)) | set(
            self.g.subjects(RDF.type, SH.PropertyShape)
        )
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            roots |= set(self.g.subjects(pred, None))
        for pred in (SH.targetSubjectsOf, SH.targetObjectsOf):
            for p in self.g.objects(None, pred):
                self.forward.add(str(p))
                self.inverse.add(str(p))
        depth = max((self.shape_depth(s, frozenset()) for s in roots), default=1)
        return ShapeReach(frozenset(self.forward), frozenset(self.inverse), max(depth, 1),
                          self.any_predicate)

    def shape_depth(self, shape: rdflib.term.Node, seen: frozenset[rdflib.term.Node]) -> int:
        """Hops from a focus node that validating ``shape`` may read."""
        if shape in seen:
            return 0
        seen = seen | {shape}
        g = self.g
        best = 0
        path = g.value(shape, SH.path)
        base = self.path_len(path) if path is not None else 0
        value_depth = 0
        if path is not None and (g.value(shape, SH["class"]) is not None
                                 or g.value(shape, SH.nodeKind) is not None):
            value_depth = 1  # rdf:type of each value
        nested: list[rdflib.term.Node] = []
        for pred in (SH.node, SH.qualifiedValueShape, SH["not"], SH.property):
            nested += list(g.objects(shape, pred))
        for pred in (SH["and"], SH["or"], SH.xone):
            for lst in g.objects(shape, pred):
                nested += list(Collection(g, lst))
        for inner in nested:
            value_depth = max(value_depth, self.shape_depth(inner, seen))
        for constraint in g.objects(shape, SH.sparql):
            value_depth = max(value_depth, self.sparql_depth(constraint))
        best = base + value_depth
        return best

    def path_len(self, path: rdflib.term.Node, inverse: bool = False) -> int:
        g = self.g
        if isinstance(path, rdflib.URIRef):
            (self.inverse if inverse else self.forward).add(str(path))
            return 1
        inv = g.value(path, SH.inversePath)
        if inv is not None:
            return self.path_len(inv, not inverse)
        alt = g.value(path, SH.alternativePath)
        if alt is not None:
            return max((self.path_len(p, inverse) for p in Collection(g, alt)), default=0)
        for pred in (SH.zeroOrMorePath, SH.oneOrMorePath):
            inner = g.value(path, pred)
            if inner is not None:
                return self.path_len(inner, inverse) * UNBOUNDED_PATH_HOPS
        inner = g.value(path, SH.zeroOrOnePath)
        if inner is not None:
            return self.path_len(inner, inverse)
        if (path, RDF.first, None) in g:
            return sum(self.path_len(p, inverse) for p in Collection(g, path))
        return 1

    def sparql_depth(self, constraint: rdflib.term.Node) -> int:
        """Hops and directions of a SPARQL constraint, from its triple patterns.

        The patterns form a graph over variables; walking it from ``$this`` (forwards first,
        backwards only where a pattern's subject is not reached otherwise) tells which
        predicates are read in which direction and how far from the focus node.
        """
        text = str(self.g.value(constraint, SH.select) or self.g.value(constraint, SH.ask) or "")
        prefixes = _declared_prefixes(self.g)
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p)
        try:
            from rdflib.plugins.sparql import prepareQuery

            algebra = prepareQuery(head + text.replace("$this", "?this")).algebra
        except Exception:  # an unparsable constraint: count its IRIs both ways
            log.warning("cannot analyse a SPARQL constraint; treating it conservatively")
            return self._conservative(text, prefixes)
        patterns: list[tuple[object, object, object]] = []
        _collect_triples(algebra, patterns)
        return self._walk(patterns)

    def _walk(self, patterns: list[tuple[object, object, object]]) -> int:
        this = rdflib.Variable("this")
        dist: dict[object, int] = {this: 0}
        done: set[int] = set()
        # Follow patterns forwards as far as they reach; only when none does, take one pattern
        # backwards (an inverse step) and try forwards again.
        while (self._follow(patterns, dist, done, inverse=False)
               or self._follow(patterns, dist, done, inverse=True)):
            pass
        for i, (_s, p, _o) in enumerate(patterns):
            if i not in done:  # a pattern not connected to $this: read in both directions
                self._path_steps(p, inverse=False)
                self._path_steps(p, inverse=True)
        return max(dist.values(), default=0)

    def _follow(self, patterns: list[tuple[object, object, object]], dist: dict[object, int],
                done: set[int], *, inverse: bool) -> bool:
        """Take the patterns whose start (subject; object when ``inverse``) is reached, recording
        the distance of their end; backwards only the first one. Whether any was taken."""
        progress = False
        for i, (s, p, o) in enumerate(patterns):
            start, end = (o, s) if inverse else (s, o)
            if i not in done and start in dist:
                hops = self._path_steps(p, inverse=inverse)
                if isinstance(end, rdflib.Variable | rdflib.BNode):
                    dist[end] = min(dist.get(end, 1 << 30), dist[start] + hops)
                done.add(i)
                progress = True
                if inverse:
                    break
        return progress

    def _path_steps(self, p: object, *, inverse: bool) -> int:
        """Record the predicates of a pattern's predicate or property path; its length."""
        from rdflib import paths

        if isinstance(p, rdflib.URIRef):
            (self.inverse if inverse else self.forward).add(str(p))
            return 1
        if isinstance(p, paths.InvPath):
            return self._path_steps(p.arg, inverse=not inverse)
        if isinstance(p, paths.SequencePath):
            return sum(self._path_steps(a, inverse=inverse) for a in p.args)
        if isinstance(p, paths.AlternativePath):
            return max((self._path_steps(a, inverse=inverse) for a in p.args), default=0)
        if isinstance(p, paths.MulPath):
            steps = self._path_steps(p.path, inverse=inverse)
            return steps if p.mod == paths.ZeroOrOne else steps * UNBOUNDED_PATH_HOPS
        if isinstance(p, paths.NegatedPath):
            for a in p.args:
                self._path_steps(a, inverse=inverse)
            return 1
        # a variable in predicate position reads every predicate: stay conservative
        self.any_predicate = True
        return 1

    def _conservative(self, text: str, prefixes: dict[str, str]) -> int:
        for iri in re.findall(r"<([^<>\s]+)>", text):
            self._both(iri)
        for pfx, local in re.findall(r"(?<![\w<?$])([A-Za-z][\w-]*)?:([A-Za-z_][\w-]*)", text):
            ns = prefixes.get(pfx or "")
            if ns:
                self._both(ns + local)
        return SPARQL_CONSTRAINT_HOPS

    def _both(self, iri: str) -> None:
        self.forward.add(iri)
        if iri != str(RDF.type):
            self.inverse.add(iri)


def _collect_triples(node: object, out: list[tuple[object, object, object]]) -> None:
    """Every triple pattern of a translated rdflib query algebra, FILTER (NOT) EXISTS included."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                out.extend(tuple(t) for t in value if len(t) == 3)
            else:
                _collect_triples(value, out)
    elif isinstance(node, list | tuple):
        for value in node:
            _collect_triples(value, out)
    elif isinstance(node, dict):
        for value in node.values():
            _collect_triples(value, out)


def _declared_prefixes(g: rdflib.Graph) -> dict[str, str]:
    out = {p: str(ns) for p, ns in g.namespaces()}
    for decl in g.objects(None, SH.declare):
        pfx, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
        if pfx is not None and ns is not None:
            out[str(pfx)] = str(ns)
    return out


@dataclass
class Change:
    """A write: triples removed and triples added (graph names kept for the store)."""

    added: list[Quad] = field(default_factory=list)
    removed: list[Quad] = field(default_factory=list)

    @property
    def triples(self) -> list[Triple]:
        """Every changed triple."""
        return [q.triple for q in (*self.added, *self.removed)]


class _Queries:
    """The library queries the gate runs (``queries/lib/validate-*.rq``)."""

    def __init__(self, library: Mapping[str, str]) -> None:
        try:
            self.outgoing = library["validate-outgoing"]
            self.incoming = library["validate-incoming"]
            self.inverse = library["validate-inverse"]
        except KeyError as exc:
            raise ValueError(f"the library query {exc} is missing") from None


class IncrementalValidator:
    """Validates writes against ``shapes`` looking only at what the write can affect."""

    def __init__(self, shapes: Shapes, library: Mapping[str, str], *,
                 engine: str = "fast") -> None:
        self.shapes = shapes
        #: step 4: "fast" (the shapes compiled to SPARQL, ``fast/``) or "pyshacl"
        self.engine = engine
        self.reach = ShapeReach.of(shapes.shapes)
        self._q = _Queries(library)
        self.last_stats: dict[str, float] = {}
        self._hierarchy = list(shapes.ontology.triples((None, RDFS.subClassOf, None)))
        self._hierarchy_quads = [
            Quad(NamedNode(str(s)), NamedNode(str(RDFS.subClassOf)), NamedNode(str(o)),
                 DefaultGraph())
            for s, _p, o in self._hierarchy
            if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)
        ]
        log.debug("shape reach: depth %d, %d forward and %d inverse predicates",
                  self.reach.depth, len(self.reach.forward), len(self.reach.inverse))

    # -- step 2 --------------------------------------------------------------------------
    def affected_nodes(self, store: Store, change: Change) -> set[Node]:
        """The focus nodes whose outcome the write can change."""
        reach = self.reach
        # A changed triple is read from its subject, or from its object where a shape walks
        # its predicate backwards; those nodes and whatever reaches them are affected.
        frontier: set[Node] = {t.subject for t in change.triples}  # type: ignore[misc]
        frontier |= {t.object for t in change.triples
                     if (reach.any_predicate or t.predicate.value in reach.inverse)
                     and isinstance(t.object, NamedNode | BlankNode)}
        nodes: set[Node] = set(frontier)
        for _ in range(reach.depth - 1):
            iris = [n for n in frontier if isinstance(n, NamedNode)]
            if not iris:
                break
            found = self._linking_subjects(store, iris)
            found |= self._inverse_objects(store, iris)
            frontier = found - nodes
            nodes |= found
        return nodes

    def _linking_subjects(self, store: Store, nodes: list[NamedNode]) -> set[Node]:
        from qualifica.sparql.binding import with_values

        preds = [NamedNode(p) for p in sorted(self.reach.forward) if p != str(RDF.type)]
        out: set[Node] = set()
        for chunk in _chunks(nodes):
            values: dict[str, Sequence[NamedNode]] = {"o": chunk, "p": preds}
            if self.reach.any_predicate:
                del values["p"]
            result = store.query(with_values(self._q.incoming, values))
            assert isinstance(result, SelectResult)
            out |= {r["s"] for r in result.rows if isinstance(r.get("s"), NamedNode | BlankNode)}  # type: ignore[misc]
        return out

    def _inverse_objects(self, store: Store, nodes: list[NamedNode]) -> set[Node]:
        if not self.reach.inverse:
            return set()
        out: set[Node] = set()
        for t in self._fetch_outgoing(store, nodes):
            if t.predicate.value in self.reach.inverse and isinstance(
                t.object, NamedNode | BlankNode
            ):
                out.add(t.object)
        return out

    # -- step 3 --------------------------------------------------------------------------
    def _fetch_outgoing(self, store: Store, nodes: Sequence[NamedNode]) -> list[Triple]:
        from qualifica.sparql.binding import with_values

        triples: list[Triple] = []
        for chunk in _chunks(list(nodes)):
            result = store.query(with_values(self._q.outgoing, {"s": chunk}))
            assert isinstance(result, GraphResult)
            triples += result.triples
        return triples

    def _fetch_inverse(self, store: Store, nodes: Sequence[NamedNode]) -> list[Triple]:
        """Triples pointing at ``nodes`` through the predicates shapes walk backwards.

        One query per predicate, the predicate passed as a substitution: two VALUES blocks
        joined with one triple pattern make pyoxigraph scan the whole store.
        """
        from qualifica.sparql.binding import with_values

        if not self.reach.inverse and not self.reach.any_predicate:
            return []
        preds: list[NamedNode | None] = (
            [None] if self.reach.any_predicate
            else [NamedNode(p) for p in sorted(self.reach.inverse)]
        )
        triples: list[Triple] = []
        for chunk in _chunks(list(nodes)):
            text = with_values(self._q.inverse, {"o": chunk})
            for pred in preds:
                result = store.query(text, substitutions={"p": pred} if pred else None)
                assert isinstance(result, GraphResult)
                triples += result.triples
        return triples

    def neighbourhood(self, store: Store, change: Change, focus: Iterable[Node]) -> set[Triple]:
        """Triples within reach of ``focus`` in the store as it would be after the write."""
        removed = {q.triple for q in change.removed}
        added = {q.triple for q in change.added}
        graph: set[Triple] = set()
        seen: set[Node] = set()
        layer: set[Node] = set(focus)
        for _hop in range(self.reach.depth + 1):
            iris = sorted((n for n in layer - seen if isinstance(n, NamedNode)),
                          key=lambda n: n.value)
            seen |= layer
            fetched = set(self._fetch_outgoing(store, iris)) | set(
                self._fetch_inverse(store, iris)
            )
            fetched -= removed
            local = {t for t in added if t.subject in layer or t.object in layer}
            graph |= fetched | local
            nxt: set[Node] = set()
            fwd, inv, every = self.reach.forward, self.reach.inverse, self.reach.any_predicate
            for t in fetched | local:
                p = t.predicate.value
                if (t.subject in layer and isinstance(t.object, NamedNode | BlankNode)
                        and (every or p in fwd)):
                    nxt.add(t.object)
                if (t.object in layer and isinstance(t.subject, NamedNode | BlankNode)
                        and (every or p in inv)):
                    nxt.add(t.subject)
            layer = nxt - seen
            if not layer:
                break
        return graph

    # -- step 4 --------------------------------------------------------------------------
    def validate(self, store: Store, change: Change) -> Report:
        """Validate the store as it would be after ``change`` (the store conformed before)."""
        t0 = time.perf_counter()
        focus = self.affected_nodes(store, change)
        t1 = time.perf_counter()
        triples = self.neighbourhood(store, change, focus)
        t2 = time.perf_counter()
        focus_nodes = [n for n in focus if isinstance(n, NamedNode | BlankNode)]
        if not focus_nodes:
            return Report(conforms=True)
        if self.engine == "pyshacl":
            report = self._pyshacl(triples, focus_nodes)
        else:
            # The whole neighbourhood is the data; the results are kept for the focus nodes
            # only (nodes at its edge are incomplete there).
            fast = fast_validator(self.shapes)
            memory = MemoryStore()
            memory.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
            memory.extend(self._hierarchy_quads)
            report = fast.report(fast.outcomes(memory, focus_nodes))
        t3 = time.perf_counter()
        self.last_stats = {
            "focus_nodes": float(len(focus)),
            "triples": float(len(triples)),
            "affected_s": t1 - t0,
            "fetch_s": t2 - t1,
            "shacl_s": t3 - t2,
            "total_s": t3 - t0,
        }
        log.debug("incremental validation: %s", self.last_stats)
        return report

    def _pyshacl(self, triples: set[Triple], focus: list[NamedNode | BlankNode]) -> Report:
        """Step 4 with pySHACL (the reference; ``engine="pyshacl"``)."""
        data = to_rdflib(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
        # the class hierarchy the shapes' sh:class and targets need (instead of mixing the
        # whole ontology into the data graph, which pySHACL would copy on every call)
        for triple in self._hierarchy:
            data.add(triple)
        focus_iris: set[rdflib.term.Node] = {
            rdflib.URIRef(n.value) for n in focus if isinstance(n, NamedNode)
        }
        focus_iris |= {rdflib.BNode(n.value) for n in focus if isinstance(n, BlankNode)}
        # The whole neighbourhood is validated and the results are kept for the focus nodes
        # only: nodes at its edge are incomplete there. (pySHACL's own ``focus_nodes=`` option
        # also filters the value nodes of nested shapes, which breaks sh:qualifiedValueShape.)
        _, results, _ = _pyshacl_validate(
            data,
            shacl_graph=self.shapes.shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            meta_shacl=False,
            advanced=True,
        )
        return _restricted(results, focus_iris)


def _restricted(results: rdflib.Graph, focus: set[rdflib.term.Node]) -> Report:
    """The report of ``results`` with only the results about ``focus`` nodes (graph too)."""
    out = rdflib.Graph()
    report_node = rdflib.BNode()
    out.add((report_node, RDF.type, SH.ValidationReport))
    conforms = True
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.focusNode) not in focus:
            continue
        if results.value(result, SH.resultSeverity) == SH.Violation:
            conforms = False
        out.add((report_node, SH.result, result))
        todo = [result]
        while todo:
            node = todo.pop()
            for p, o in results.predicate_objects(node):
                out.add((node, p, o))
                if isinstance(o, rdflib.BNode) and (o, None, None) not in out:
                    todo.append(o)
    out.add((report_node, SH.conforms, rdflib.Literal(conforms)))
    return report_from_graph(out, conforms)


def _chunks(items: list[NamedNode]) -> Iterable[list[NamedNode]]:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]
