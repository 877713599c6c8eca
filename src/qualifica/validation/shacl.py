"""Parsing and SHACL validation of incoming data against ``shapes/`` (pySHACL).

``parse_files`` turns files into quads (syntax errors name file and line); ``Shapes`` holds the
shapes and ontology graphs, loaded once; ``Shapes.validate`` checks a data graph and returns a
``Report``. ``shapes_of(ctx)`` is the context's ``Shapes``, parsed on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse
from pyoxigraph import Store as OxStore
from pyshacl import validate as _pyshacl_validate
from rdflib.namespace import RDF, SH

from qualifica.context import Context, Part
from qualifica.errors import ValidationFailed

log = logging.getLogger(__name__)

_FORMATS = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Finding:
    """One SHACL result: focus node, path, the shape, its severity and message (de/en)."""

    focus: str
    path: str | None
    shape: str | None
    component: str | None
    severity: str
    message_en: str
    message_de: str
    value: str | None = None

    def text(self, lang: str = "en") -> str:
        """One readable line naming node, path and rule."""
        msg = self.message_de if lang == "de" else self.message_en
        where = f" {self.path}" if self.path else ""
        rule = self.shape or self.component or "?"
        return f"{self.severity}: <{self.focus}>{where}: {msg} [{rule}]"


@dataclass
class Report:
    """The outcome of a validation."""

    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    graph: rdflib.Graph | None = None
    #: builds ``graph`` on demand (the fast validator's reports)
    make_graph: Callable[[], rdflib.Graph] | None = field(default=None, repr=False,
                                                          compare=False)

    def report_graph(self) -> rdflib.Graph | None:
        """The SHACL report graph (built on first use where it was not kept)."""
        if self.graph is None and self.make_graph is not None:
            self.graph = self.make_graph()
        return self.graph

    @property
    def violations(self) -> list[Finding]:
        """Findings of severity Violation."""
        return [f for f in self.findings if f.severity == "Violation"]

    def text(self, lang: str = "en") -> str:
        """A readable multi-line report."""
        if self.conforms:
            return "Konform." if lang == "de" else "Conforms."
        head = (
            f"{len(self.violations)} Verstoß/Verstöße:" if lang == "de"
            else f"{len(self.violations)} violation(s):"
        )
        return "\n".join([head, *(f.text(lang) for f in self.findings)])

    def as_json(self) -> dict[str, object]:
        """A JSON-friendly summary."""
        return {
            "conforms": self.conforms,
            "results": [
                {
                    "focusNode": f.focus,
                    "resultPath": f.path,
                    "sourceShape": f.shape,
                    "sourceConstraintComponent": f.component,
                    "resultSeverity": f.severity,
                    "value": f.value,
                    "message": {"en": f.message_en, "de": f.message_de},
                }
                for f in self.findings
            ],
        }


def format_for(path: Path) -> RdfFormat:
    """The RDF format of a file by its extension."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValidationFailed(f"{path}: unknown RDF file type {path.suffix!r}")
    return fmt


def parse_bytes(data: bytes, fmt: RdfFormat, *, source: str, graph: str | None = None,
                base_iri: str | None = None) -> list[Quad]:
    """Parse RDF; a syntax error becomes ``ValidationFailed`` naming the source and position.

    Blank nodes get fresh labels: ``_:b`` of one body or file is never a node already stored.
    """
    g = NamedNode(graph) if graph else None
    try:
        quads = list(parse(data, format=fmt, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise ValidationFailed(f"{source}: syntax error: {exc}", source=source) from exc
    except (ValueError, OSError) as exc:
        raise ValidationFailed(f"{source}: cannot be read as {fmt.name}: {exc}",
                               source=source) from exc
    if g is not None:
        quads = [Quad(q.subject, q.predicate, q.object, g) for q in quads]
    return quads


def parse_files(paths: Sequence[Path], graph: str | None = None) -> dict[Path, list[Quad]]:
    """Parse each file; every file must parse before anything else happens."""
    out = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationFailed(f"{path}: cannot be read: {exc}", source=str(path)) from exc
        out[path] = parse_bytes(data, format_for(path), source=str(path), graph=graph)
    return out


def parse_into(paths: Sequence[Path], *, graph_of: Callable[[Path], str | None] | None = None,
               progress: Callable[[int, int], None] | None = None,
               lenient: bool = False) -> OxStore:
    """Parse each file straight into a new in-memory pyoxigraph store (no Python object per
    triple), the triples of a file into the graph ``graph_of(path)`` (default: the default
    graph); blank nodes get fresh labels per file, errors name the file as ``parse_files``.
    ``progress(done, total)`` is called after each file. ``lenient`` skips some checks of
    IRIs and language tags (a third faster): only when the same files are parsed strictly too."""
    store = OxStore()
    for done, path in enumerate(paths, 1):
        fmt = format_for(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationFailed(f"{path}: cannot be read: {exc}", source=str(path)) from exc
        name = graph_of(path) if graph_of is not None else None
        try:
            if name:
                store.load(data, format=fmt, to_graph=NamedNode(name), lenient=lenient)
            else:
                store.load(data, format=fmt, lenient=lenient)
        except SyntaxError as exc:
            raise ValidationFailed(f"{path}: syntax error: {exc}", source=str(path)) from exc
        except (ValueError, OSError) as exc:
            raise ValidationFailed(f"{path}: cannot be read as {fmt.name}: {exc}",
                                   source=str(path)) from exc
        if progress:
            progress(done, len(paths))
    return store


def to_rdflib(quads: Iterable[Quad], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Triples of quads (graph names dropped) as an rdflib graph."""
    g = graph if graph is not None else rdflib.Graph()
    for q in quads:
        g.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return g


def _term(t: object) -> rdflib.term.Node:
    if isinstance(t, NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, BlankNode):
        return rdflib.BNode(t.value)
    if isinstance(t, Literal):
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
    raise TypeError(f"unsupported term {t!r}")


def ox_term(term: rdflib.term.Node) -> NamedNode | BlankNode | Literal:
    """An rdflib term as a pyoxigraph term (the inverse of :func:`_term`); ``TypeError`` for
    anything else (e.g. a variable)."""
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype is not None:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


class Shapes:
    """The shapes graph (``shapes/*.ttl``) and the ontology (``ontology/**/*.ttl``)."""

    def __init__(self, shapes_dir: Path, ontology_dir: Path) -> None:
        self.shapes = rdflib.Graph()
        for path in sorted(shapes_dir.glob("*.ttl")):
            self.shapes.parse(path, format="turtle")
        self.ontology = rdflib.Graph()
        for path in sorted(ontology_dir.rglob("*.ttl")):
            self.ontology.parse(path, format="turtle")

    def validate(self, data: rdflib.Graph) -> Report:
        """Validate ``data`` with pySHACL (with the ontology mixed in for class hierarchy)."""
        conforms, results = self.pyshacl_report(data)
        return report_from_graph(results, conforms)

    def pyshacl_report(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
        """pySHACL's verdict and report graph on ``data`` (with the ontology mixed in): the
        reference the fast validator (``fast/``) is compared with."""
        conforms, results, _text = _pyshacl_validate(
            data,
            shacl_graph=self.shapes,
            ont_graph=self.ontology,
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            meta_shacl=False,
            advanced=True,
        )
        if not isinstance(results, rdflib.Graph):
            # pySHACL answers with a message instead of a report when a shape itself is broken.
            raise ValidationFailed(f"the shapes could not be applied: {_text}")
        return bool(conforms), results


def _messages(results: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, str]:
    msgs = {str(m.language or ""): str(m) for m in results.objects(node, SH.resultMessage)
            if isinstance(m, rdflib.Literal)}
    if not any(msgs.keys() - {""}):
        # pySHACL drops the language tags of SPARQL-based results; the report graph keeps the
        # tagged sh:message of the SPARQL constraint itself.
        constraint = results.value(node, SH.sourceConstraint)
        tagged = {str(m.language): str(m) for m in results.objects(constraint, SH.message)
                  if isinstance(m, rdflib.Literal) and m.language} if constraint else {}
        msgs.update(tagged)
    en = msgs.get("en") or msgs.get("") or next(iter(msgs.values()), "")
    de = msgs.get("de") or en
    return en, de


def report_from_graph(results: rdflib.Graph, conforms: bool) -> Report:
    """A ``Report`` from a SHACL validation report graph."""
    findings = []
    for node in results.subjects(RDF.type, SH.ValidationResult):
        en, de = _messages(results, node)
        sev = results.value(node, SH.resultSeverity)
        path = results.value(node, SH.resultPath)
        shape = results.value(node, SH.sourceShape)
        comp = results.value(node, SH.sourceConstraintComponent)
        val = results.value(node, SH.value)
        findings.append(
            Finding(
                focus=str(results.value(node, SH.focusNode)),
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
                component=str(comp) if comp is not None else None,
                severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
                message_en=en,
                message_de=de,
                value=str(val) if val is not None else None,
            )
        )
    findings.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path or "", f.shape or ""))
    return Report(conforms=conforms, findings=findings, graph=results)


def _load_shapes(ctx: Context) -> Shapes:
    return Shapes(ctx.settings.shapes_dir, ctx.settings.ontology_dir)


#: The shapes and ontology of a context, parsed on first use.
SHAPES: Part[Shapes] = Part("shapes", _load_shapes)


def shapes_of(ctx: Context) -> Shapes:
    """The context's shapes and ontology, parsed on first use."""
    return ctx.part(SHAPES)
