"""Consistency of the ontology under the OWL 2 DL reasoner HermiT (through owlready2, on Java).

The Turtle files are merged with rdflib into one graph, their ``owl:imports`` dropped (the files
given *are* the import closure; nothing is fetched from the network) and written as RDF/XML to a
temporary file, which owlready2 loads into a fresh ``World``. HermiT then decides whether the
ontology is consistent and which named classes are unsatisfiable (equivalent to ``owl:Nothing``).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from qualifica.namespaces import ONTOLOGY_IRI

log = logging.getLogger(__name__)


class ReasonerUnavailable(RuntimeError):
    """HermiT cannot run here (no Java, or the reasoner failed for another reason)."""


@dataclass
class ReasonerResult:
    """The reasoner's verdict on a set of ontology files."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""

    @property
    def ok(self) -> bool:
        """Consistent and without unsatisfiable classes."""
        return self.consistent and not self.unsatisfiable


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology's Turtle files: ``ontology/*.ttl`` and ``ontology/vocab/*.ttl``."""
    return [*sorted(ontology_dir.glob("*.ttl")), *sorted((ontology_dir / "vocab").glob("*.ttl"))]


def merged_graph(paths: Sequence[Path]) -> rdflib.Graph:
    """All files in one rdflib graph: ``owl:imports`` removed (the files are the closure), and
    only the main ontology header kept."""
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    graph.remove((None, OWL.imports, None))
    # One ontology header: the others' annotations would make owlready2 see several ontologies.
    main = rdflib.URIRef(ONTOLOGY_IRI)
    for header in list(graph.subjects(RDF.type, OWL.Ontology)):
        if header != main:
            graph.remove((header, None, None))
    return graph


def check_consistency(paths: Sequence[Path]) -> ReasonerResult:
    """Run HermiT over ``paths``; raises ``ReasonerUnavailable`` when it cannot run."""
    import owlready2

    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ReasonerUnavailable(f"Java ({owlready2.JAVA_EXE}) is not installed; HermiT needs it")
    started = time.monotonic()
    graph = merged_graph(paths)
    with tempfile.TemporaryDirectory(prefix="qualifica-hermit-") as tmp:
        owl_file = Path(tmp) / "ontology.owl"
        graph.serialize(owl_file, format="xml")
        world = owlready2.World()
        try:
            onto = world.get_ontology(owl_file.as_uri()).load()
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            unsat = sorted(
                str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasonerResult(False, files=list(paths), seconds=time.monotonic() - started,
                                  message="inconsistent: HermiT found no model of the ontology")
        except (OSError, owlready2.OwlReadyError) as exc:
            raise ReasonerUnavailable(f"HermiT could not run: {exc}") from exc
        finally:
            world.close()
    seconds = time.monotonic() - started
    message = ("consistent" if not unsat
               else f"consistent, but {len(unsat)} unsatisfiable class(es)")
    log.info("HermiT on %d file(s): %s in %.1f s", len(paths), message, seconds)
    return ReasonerResult(True, unsat, list(paths), seconds, message)
