"""IRIs of the Qualifica vocabulary and the vocabularies it reuses."""

from __future__ import annotations

from typing import Final

BASE: Final = "https://w3id.org/qualifica/"
QD: Final = "https://w3id.org/qualifica/ontology#"
ONTOLOGY_IRI: Final = "https://w3id.org/qualifica/ontology"
ID: Final = "https://w3id.org/qualifica/id/"
GRAPH: Final = "https://w3id.org/qualifica/graph/"

SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SH: Final = "http://www.w3.org/ns/shacl#"
ESCO: Final = "http://data.europa.eu/esco/model#"
ELM: Final = "http://data.europa.eu/snb/model/elm/"
ELI: Final = "http://data.europa.eu/eli/ontology#"
SCHEMA: Final = "https://schema.org/"
ORG: Final = "http://www.w3.org/ns/org#"
PROV: Final = "http://www.w3.org/ns/prov#"
DCAT: Final = "http://www.w3.org/ns/dcat#"
VOID: Final = "http://rdfs.org/ns/void#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"
FOAF: Final = "http://xmlns.com/foaf/0.1/"

# Properties read in more than one place (one name each; prefix_localName).
RDF_TYPE: Final = RDF + "type"
RDFS_LABEL: Final = RDFS + "label"
SKOS_PREF_LABEL: Final = SKOS + "prefLabel"
SKOS_ALT_LABEL: Final = SKOS + "altLabel"
SKOS_DEFINITION: Final = SKOS + "definition"
SKOS_BROADER: Final = SKOS + "broader"
SKOS_IN_SCHEME: Final = SKOS + "inScheme"
SKOS_TOP_CONCEPT_OF: Final = SKOS + "topConceptOf"
DCTERMS_SOURCE: Final = DCTERMS + "source"
DCTERMS_IS_REPLACED_BY: Final = DCTERMS + "isReplacedBy"
OWL_DEPRECATED: Final = OWL + "deprecated"
QD_EDITORIAL: Final = QD + "editorial"
QD_KIND: Final = QD + "kind"
QD_LEGAL_BASIS: Final = QD + "legalBasis"
QD_PART_OF: Final = QD + "partOf"
QD_LEVEL_OF: Final = QD + "levelOf"
QD_PERFORMS_TASK: Final = QD + "performsTask"
QD_ROLE_GROUP: Final = QD + "roleGroup"
QD_REQUIRES: Final = QD + "requires"
QD_DEVELOPS: Final = QD + "develops"

PREFIXES: Final[dict[str, str]] = {
    "qd": QD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "sh": SH,
    "esco": ESCO,
    "elm": ELM,
    "eli": ELI,
    "schema": SCHEMA,
    "org": ORG,
    "prov": PROV,
    "dcat": DCAT,
    "void": VOID,
    "role": ID + "role/",
    "task": ID + "task/",
    "competency": ID + "competency/",
    "framework": ID + "framework/",
    "level": ID + "level/",
    "format": ID + "training-format/",
    "legal": ID + "legal-basis/",
    "req": ID + "requirement/",
    "outcome": ID + "outcome/",
}

#: The kinds of instance IRIs ``https://w3id.org/qualifica/id/{kind}/{slug}`` and their classes.
KINDS: Final[dict[str, str]] = {
    "role": QD + "Role",
    "task": QD + "Task",
    "competency": QD + "Competency",
    "framework": QD + "CompetencyFramework",
    "level": QD + "ProficiencyLevel",
    "training-format": QD + "TrainingFormat",
    "legal-basis": QD + "LegalBasis",
    "requirement": QD + "CompetencyRequirement",
    "outcome": QD + "LearningOutcome",
    "provider": QD + "Provider",
}


def instance_iri(kind: str, slug: str) -> str:
    """The IRI of the instance ``slug`` of ``kind`` (no checking; see ``sparql.binding``)."""
    return f"{ID}{kind}/{slug}"
