"""Validation results: ``Outcome`` (one result, with RDF terms), the ``Report`` of a list of
them (findings as pySHACL's report gives them, the report graph built when asked for), pySHACL's
report graph read back as outcomes, and the comparable form the agreement tests use.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import rdflib
from pyoxigraph import BlankNode, NamedNode
from rdflib.namespace import RDF, SH

from qualifica.validation.fast.compiler import Term, shape_key, sparql_path
from qualifica.validation.shacl import Finding, Report, _term, ox_term


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
    if type(term) is NamedNode or type(term) is BlankNode:  # most: no isinstance of a union
        return term.value
    return term.value if isinstance(term, NamedNode | BlankNode) else str(_term(term))


def _finding(o: Outcome, parts: dict[tuple[int, ...], tuple[str, str, str | None, str, str]]
             ) -> Finding:
    # the outcomes of one constraint share these objects: looked up by identity (hashing
    # rdflib's terms for each of 48,000 results took most of the time)
    key = (id(o.messages), id(o.shape), id(o.component), id(o.severity))
    found = parts.get(key)
    if found is None:
        found = parts[key] = _finding_parts(o.messages, o.shape, o.component, o.severity)
    en, de, shape, component, severity = found
    return Finding(focus=_text(o.focus), path=o.path_iri, shape=shape, component=component,
                   severity=severity, message_en=en, message_de=de,
                   value=_text(o.value) if o.value is not None else None)


def outcomes_of_report(results: rdflib.Graph, shapes: rdflib.Graph) -> list[Outcome]:
    """The results of a pySHACL report graph as ``Outcome``s (for comparison and fallback)."""
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        shape = results.value(r, SH.sourceShape)
        out.append(Outcome(
            focus=ox_term(results.value(r, SH.focusNode)),  # type: ignore[arg-type]
            path=sparql_path(results, path) if path is not None else None,
            path_iri=str(path) if isinstance(path, rdflib.URIRef) else None,
            value=ox_term(value) if value is not None else None,
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


def report(outcomes: list[Outcome]) -> Report:
    """A ``Report`` (findings as pySHACL's report gives them) of ``outcomes``."""
    parts: dict[tuple[int, ...], tuple[str, str, str | None, str, str]] = {}
    findings = [_finding(o, parts) for o in outcomes]
    # whatever the order of ``outcomes``: every field that may tell two findings apart
    findings.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path or "",
                                 f.shape or "", f.component or "", f.value or "",
                                 f.message_en))
    conforms = not any(f.severity == "Violation" for f in findings)
    # the report graph (48,000 results at scale 1 take seconds) is built when asked for
    # (``Report.report_graph``)
    make = functools.partial(report_graph, tuple(outcomes), conforms)
    return Report(conforms=conforms, findings=findings, make_graph=make)
