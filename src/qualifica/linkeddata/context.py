"""The JSON-LD ``@context`` under which every JSON answer of the REST API is JSON-LD.

Answers are plain JSON first; the context (served at ``/context.jsonld`` and linked from every
``application/json`` answer under ``/api/`` with
``Link: <…/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"``) gives them meaning:

- a node ``{"iri", "id", "label", "type"}``: ``iri`` is ``@id``; ``id`` the slug
  (``dcterms:identifier``); ``label`` the ``skos:prefLabel``; ``type`` is ``rdf:type`` with
  vocabulary-relative values whose property-scoped context maps the kinds (``role``,
  ``competency``, ``training-format`` …) to their classes (``qd:Role`` …). ``type`` is not an alias
  of ``@type`` because several kind names (``competency``, ``role``) are also property names of
  the planning answers; a property-scoped context keeps both meanings apart and yields the
  same RDF triple ``<iri> rdf:type qd:Role``.
- listing envelopes use Hydra: ``items`` (``hydra:member``), ``total`` (``hydra:totalItems``),
  ``next``/``prev`` (``hydra:next``/``hydra:previous``, IRIs);
- every other key falls back to ``@vocab`` ``qd:`` (explicit terms are given for the public
  ones so that their IRIs are stable and camel-cased like the ontology).
"""

from __future__ import annotations

from typing import Any, Final

from qualifica.namespaces import PREFIXES, QD

HYDRA: Final = "http://www.w3.org/ns/hydra/core#"
JSONLD_CONTEXT_REL: Final = "http://www.w3.org/ns/json-ld#context"
CONTEXT_PATH: Final = "/context.jsonld"
#: The prefixes of ``namespaces.PREFIXES`` the context declares (the CURIEs below use them).
_CONTEXT_PREFIXES: Final = ("qd", "skos", "dcterms", "rdf", "rdfs", "owl", "xsd")

#: Kind names (the ``type`` of a node) and the classes they stand for.
TYPE_TERMS: Final[dict[str, str]] = {
    "role": "qd:Role",
    "task": "qd:Task",
    "competency": "qd:Competency",
    "framework": "qd:CompetencyFramework",
    "level": "qd:ProficiencyLevel",
    "training-format": "qd:TrainingFormat",
    "legal-basis": "qd:LegalBasis",
    "requirement": "qd:CompetencyRequirement",
    "outcome": "qd:LearningOutcome",
    "training-kind": "qd:TrainingKind",
    "named-query": "qd:NamedQuery",
    "resource": "rdfs:Resource",
}


def _prop(iri: str, **extra: str) -> dict[str, str]:
    return {"@id": iri, **extra}


#: The provenance of a link (``editorial``, ``sources`` on a linked node of a detail) is about
#: the link, not about the linked resource, so under the link properties it is left out of the
#: JSON-LD reading (the stored query ``statement-provenance`` gives it as RDF).
_LINK_SCOPE: Final[dict[str, None]] = {"editorial": None, "sources": None}


def _link(iri: str, **extra: str) -> dict[str, Any]:
    return {"@id": iri, **extra, "@context": dict(_LINK_SCOPE)}


def context_document() -> dict[str, Any]:
    """The JSON-LD context document (a fresh dict each call)."""
    terms: dict[str, Any] = {
        "@version": 1.1,
        "@vocab": QD,
        **{p: PREFIXES[p] for p in _CONTEXT_PREFIXES},
        "hydra": HYDRA,
        # the node form
        "iri": "@id",
        "id": "dcterms:identifier",
        "label": "skos:prefLabel",
        "type": {"@id": "rdf:type", "@type": "@vocab", "@context": dict(TYPE_TERMS)},
        # resource details
        "labels": _prop("skos:prefLabel", **{"@container": "@language"}),
        "alt_labels": _prop("skos:altLabel", **{"@container": "@language"}),
        "definition": "skos:definition",
        "definitions": _prop("skos:definition", **{"@container": "@language"}),
        "source": _prop("dcterms:source", **{"@container": "@set"}),
        "editorial": _prop("qd:editorial", **{"@type": "xsd:boolean"}),
        # the sources of a requirement or outcome, with their titles
        "sources": {"@id": "dcterms:source", "@container": "@set",
                    "@context": {"title": "dcterms:title"}},
        "deprecated": _prop("owl:deprecated", **{"@type": "xsd:boolean"}),
        "replaced_by": _prop("dcterms:isReplacedBy", **{"@type": "@id"}),
        "framework": _link("skos:inScheme"),
        "broader": _link("skos:broader", **{"@container": "@set"}),
        "narrower": _link("skos:narrower", **{"@container": "@set"}),
        "top": _link("skos:hasTopConcept", **{"@container": "@set"}),
        "tasks": _link("qd:performsTask", **{"@container": "@set"}),
        "outcomes": _prop("qd:develops", **{"@container": "@set"}),
        "levels": _link("qd:hasLevel", **{"@container": "@set"}),
        "rank": _prop("qd:rank", **{"@type": "xsd:integer"}),
        "part_of": _link("qd:partOf"),
        "parts": _link("qd:hasPart", **{"@container": "@set"}),
        "legal_bases": _link("qd:legalBasis", **{"@container": "@set"}),
        "formats": _link("qd:trainingFormats", **{"@container": "@set"}),
        # listing envelopes (Hydra)
        "items": _prop("hydra:member", **{"@container": "@set"}),
        "total": _prop("hydra:totalItems", **{"@type": "xsd:integer"}),
        "next": _prop("hydra:next", **{"@type": "@id"}),
        "prev": _prop("hydra:previous", **{"@type": "@id"}),
        "first": _prop("hydra:first", **{"@type": "@id"}),
        "limit": _prop("qd:limit", **{"@type": "xsd:integer"}),
        "offset": _prop("qd:offset", **{"@type": "xsd:integer"}),
        "query": "qd:searchQuery",
        "match": "qd:matchType",
        "matched": "qd:matchedLabel",
        # planning answers
        "competency": "qd:competency",
        "roles": _link("qd:roles", **{"@container": "@set"}),
        "role": "qd:role",
        "via": "qd:via",
        "paths": _prop("qd:paths", **{"@container": "@list"}),
        "coverage": "qd:coverage",
        "requirements": _prop("qd:requires", **{"@container": "@set"}),
        "level": "qd:level",
        "required_level": "qd:requiredLevel",
        "held_level": "qd:heldLevel",
        "essential": _prop("qd:essential", **{"@type": "xsd:boolean"}),
        "status": "qd:status",
        "recommendations": _prop("qd:recommendations", **{"@container": "@set"}),
        "training_format": "qd:trainingFormat",
        "kind": _link("qd:kind"),
        "closes": _prop("qd:closes", **{"@type": "@id", "@container": "@set"}),
        "legal_basis": "qd:legalBasis",
        "uncovered": _prop("qd:uncovered", **{"@type": "@id", "@container": "@set"}),
        "gaps": _prop("qd:gaps", **{"@container": "@set"}),
        "best_available_level": "qd:bestAvailableLevel",
        "missing": _prop("qd:missing", **{"@type": "@id", "@container": "@set"}),
    }
    return {"@context": terms}


def link_header(context_url: str) -> str:
    """The ``Link`` header value that attaches the context to a plain JSON answer."""
    return f'<{context_url}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'
