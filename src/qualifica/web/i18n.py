"""The words of the pages in German (default) and English."""

from __future__ import annotations

from typing import Final

LANGS: Final = ("de", "en")
DEFAULT_LANG: Final = "de"

_WORDS: Final[dict[str, tuple[str, str]]] = {
    # key: (de, en)
    "site": ("Qualifica", "Qualifica"),
    "tagline": ("Kompetenzen, Rollen und Qualifizierung in der digitalen Verwaltung",
                "Competencies, roles and training in the digital public sector"),
    "home": ("Start", "Home"),
    "roles": ("Rollen", "Roles"),
    "role": ("Rolle", "Role"),
    "competencies": ("Kompetenzen", "Competencies"),
    "competency": ("Kompetenz", "Competency"),
    "gap": ("Lückenanalyse", "Gap analysis"),
    "sparql": ("SPARQL", "SPARQL"),
    "docs": ("API-Dokumentation", "API documentation"),
    "catalog": ("Datenkatalog", "Data catalogue"),
    "language": ("Sprache", "Language"),
    "search": ("Suche", "Search"),
    "search_placeholder": ("Rolle, Kompetenz, Format …", "Role, competency, format …"),
    "skip": ("Zum Inhalt springen", "Skip to content"),
    "footer": ("Qualifica – offener Wissensgraph. Inhalte mit Quellenangaben; "
               "redaktionelle Zuordnungen sind gekennzeichnet.",
               "Qualifica – an open knowledge graph. Statements cite their sources; "
               "editorial assignments are marked."),
    "deprecated": ("Veraltet", "Deprecated"),
    "replaced_by": ("ersetzt durch", "replaced by"),
    "no_successor": ("kein Nachfolger angegeben", "no successor named"),
    "tasks": ("Aufgaben", "Tasks"),
    "task": ("Aufgabe", "Task"),
    "requirements": ("Kompetenzanforderungen", "Competency requirements"),
    "level": ("Niveau", "Level"),
    "required_level": ("Gefordertes Niveau", "Required level"),
    "held_level": ("Vorhandenes Niveau", "Held level"),
    "level_reached": ("Erreichtes Niveau", "Level reached"),
    "essential": ("Wesentlich", "Essential"),
    "optional": ("Optional", "Optional"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "via": ("Herkunft", "From"),
    "via_role": ("Rolle selbst", "the role itself"),
    "framework": ("Rahmenwerk", "Framework"),
    "formats": ("Qualifizierungsformate", "Training formats"),
    "format": ("Format", "Format"),
    "kind": ("Art", "Kind"),
    "legal_bases": ("Rechtsgrundlagen", "Legal bases"),
    "legal_basis": ("Rechtsgrundlage", "Legal basis"),
    "part_of": ("Teil von", "Part of"),
    "applies_to": ("Gilt für", "Applies to"),
    "download_csv": ("CSV herunterladen", "Download CSV"),
    "editorial": ("redaktionell", "editorial"),
    "editorial_note": ("Redaktionelle Zuordnung: keine veröffentlichte Quelle nennt diese "
                       "Verbindung.",
                       "Editorial assignment: no published source states this link."),
    "sourced": ("belegt", "sourced"),
    "source": ("Quelle", "Source"),
    "sources": ("Quellen", "Sources"),
    "definition": ("Definition", "Definition"),
    "type": ("Typ", "Type"),
    "properties": ("Eigenschaften", "Properties"),
    "property": ("Eigenschaft", "Property"),
    "value": ("Wert", "Value"),
    "incoming": ("Verweise auf diese Ressource", "Links to this resource"),
    "graph": ("Teil der Daten", "Part of the data"),
    "none": ("keine", "none"),
    "broader": ("Übergeordnet", "Broader"),
    "narrower": ("Untergeordnet", "Narrower"),
    "paths": ("Pfade Kompetenz → Aufgabe → Rolle", "Paths competency → task → role"),
    "paths_intro": ("Rollen, die diese Kompetenz (oder eine übergeordnete) selbst oder über "
                    "eine Aufgabe benötigen.",
                    "Roles that require this competency (or a broader one) themselves or "
                    "through a task."),
    "diagram": ("Diagramm", "Diagram"),
    "diagram_svg": ("Diagramm als SVG", "Diagram as SVG"),
    "roles_paths": ("Rollen und Pfade", "Roles and paths"),
    "uncovered": ("Kein Format erreicht das geforderte Niveau bei:",
                  "No training format reaches the required level in:"),
    "path": ("Pfad", "Path"),
    "no_paths": ("Keine Rolle benötigt diese Kompetenz.", "No role requires this competency."),
    "choose_role": ("Rolle wählen", "Choose a role"),
    "show_requirements": ("Anforderungen anzeigen", "Show requirements"),
    "gap_intro": ("Wählen Sie eine Rolle und dann bei jeder vorhandenen Kompetenz das "
                  "erreichte Niveau.",
                  "Choose a role, then the level reached in each competency held."),
    "level_hint": ("Ein gewähltes Niveau zählt als vorhanden; „nicht vorhanden“ lässt die "
                   "Kompetenz weg.",
                   "A level chosen counts as held; “not held” leaves the competency out."),
    "held": ("Vorhanden", "Held"),
    "analyse": ("Lücken berechnen", "Compute gaps"),
    "result": ("Ergebnis", "Result"),
    "coverage": ("Abdeckung", "Coverage"),
    "coverage_of": ("{met} von {total} wesentlichen Anforderungen erfüllt",
                    "{met} of {total} essential requirements met"),
    "gaps": ("Lücken", "Gaps"),
    "no_gaps": ("Keine Lücken: alle Anforderungen sind erfüllt.",
                "No gaps: every requirement is met."),
    "status": ("Status", "Status"),
    "status_met": ("erfüllt", "met"),
    "status_partial": ("teilweise", "partial"),
    "status_missing": ("fehlt", "missing"),
    "recommendations": ("Empfohlene Formate", "Recommended formats"),
    "no_recommendations": ("Kein Format schließt diese Lücken.",
                           "No training format closes these gaps."),
    "reaches_required": ("Erreicht gefordertes Niveau", "Reaches the required level"),
    "closes": ("Schließt Lücke bei", "Closes the gap in"),
    "not_held": ("nicht vorhanden", "not held"),
    "roles_by_framework": ("Kompetenzen nach Rahmenwerk", "Competencies by framework"),
    "other": ("Sonstige", "Other"),
    "not_found": ("Nicht gefunden", "Not found"),
    "bad_request": ("Ungültige Anfrage", "Bad request"),
    "error": ("Fehler", "Error"),
    "back_home": ("Zur Startseite", "Back to the home page"),
    "diagram_legend": ("Pfeile: übergeordnet (gestrichelt), benötigt (durchgezogen), "
                       "führt aus (Rolle ← Aufgabe).",
                       "Arrows: broader (dashed), required by (solid), performed by "
                       "(task → role)."),
    "tools": ("Werkzeuge", "Tools"),
    "resource": ("Ressource", "Resource"),
    "total": ("Anzahl", "Count"),
    "editorial_source": ("Redaktionelle Festlegung von Qualifica",
                         "Editorial decision of Qualifica"),
    "download_xlsx": ("Excel-Datei (XLSX)", "Excel file (XLSX)"),
    "diagram_list": ("Die Pfade als Liste", "The paths as a list"),
    "via_task": ("über die Aufgabe", "through the task"),
    "directly": ("unmittelbar", "directly"),
    "held_none": ("nicht vorhanden", "not held"),
    "result_for": ("Ergebnis für", "Result for"),
    "permalink": ("Dauerhafte Adresse", "Permanent address"),
    "not_found_detail": ("Unter der Adresse {path} gibt es keine Seite.",
                         "There is no page at {path}."),
    "bad_request_detail": ("Die Anfrage an {path} ist ungültig.",
                           "The request to {path} is not valid."),
    "bad_param": ("Bitte prüfen Sie den Parameter „{param}“.",
                  "Please check the parameter “{param}”."),
    "error_detail": ("Die Seite kann gerade nicht angezeigt werden.",
                     "The page cannot be shown right now."),
}

#: The named graphs of the bundled data (their last segment), as the pages name them.
GRAPH_NAMES: Final[dict[str, tuple[str, str]]] = {
    "competencies": ("Kompetenzen", "Competencies"),
    "digcomp": ("DigComp", "DigComp"),
    "editorial-links": ("Redaktionelle Zuordnungen", "Editorial assignments"),
    "legal-bases": ("Rechtsgrundlagen", "Legal bases"),
    "legal-history": ("Fassungen der Rechtsgrundlagen", "Versions of the legal bases"),
    "requirements": ("Kompetenzanforderungen", "Competency requirements"),
    "roles": ("Rollen", "Roles"),
    "sources": ("Quellen", "Sources"),
    "tasks": ("Aufgaben", "Tasks"),
    "training": ("Qualifizierungsformate", "Training formats"),
    "ontology": ("Ontologie", "Ontology"),
    "frameworks": ("Kompetenzrahmen", "Competency frameworks"),
    "qualifica": ("Ontologie", "Ontology"),
    "alignments": ("Abbildungen auf andere Vokabulare", "Alignments to other vocabularies"),
}


def graph_name(iri: str, lang: str) -> str:
    """The name of a named graph of the data; its last segment when it has no name here."""
    last = iri.rstrip("/").rsplit("/", 1)[-1]
    pair = GRAPH_NAMES.get(last)
    return last if pair is None else pair[1 if lang == "en" else 0]


def words(lang: str) -> dict[str, str]:
    """All words in ``lang`` (``de`` unless ``en``)."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


def pick_lang(value: str | None) -> str:
    """``en`` when asked for, else the default ``de``."""
    return value if value in LANGS else DEFAULT_LANG


_ELI = "http://data.europa.eu/eli/ontology#"
_DCT = "http://purl.org/dc/terms/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SCHEMA = "https://schema.org/"
_VANN = "http://purl.org/vocab/vann/"

#: Names of the classes and properties of the vocabularies the graph reuses, for the pages:
#: the store has no label for them in the page's language (or none at all), and a page shows
#: neither an English word on a German page nor a local name such as ``scopeNote``.
TERM_LABELS: Final[dict[str, tuple[str, str]]] = {
    _ELI + "LegalResource": ("Rechtsvorschrift", "Legal resource"),
    _ELI + "LegalResourceSubdivision": ("Teil einer Rechtsvorschrift",
                                        "Subdivision of a legal resource"),
    _ELI + "first_date_entry_in_force": ("In Kraft seit", "In force since"),
    _ELI + "version_date": ("Stand der Fassung", "Version date"),
    _ELI + "date_no_longer_in_force": ("Letzter Tag in Kraft", "Last day in force"),
    _ELI + "LegalExpression": ("Fassung einer Rechtsvorschrift", "Legal expression"),
    _ELI + "amends": ("Ändert", "Amends"),
    _ELI + "amended_by": ("Geändert durch", "Amended by"),
    _ELI + "changes": ("Ändert", "Changes"),
    _ELI + "changed_by": ("Geändert durch", "Changed by"),
    _ELI + "is_realized_by": ("Hat Fassung", "Is realised by"),
    _DCT + "BibliographicResource": ("Veröffentlichung", "Publication"),
    _DCT + "bibliographicCitation": ("Zitierweise", "Citation"),
    _DCT + "created": ("Erstellt", "Created"),
    _DCT + "creator": ("Urheber", "Creator"),
    _DCT + "description": ("Beschreibung", "Description"),
    _DCT + "identifier": ("Fundstelle", "Identifier"),
    _DCT + "issued": ("Ausgegeben am", "Issued"),
    _DCT + "license": ("Lizenz", "Licence"),
    _DCT + "source": ("Quelle", "Source"),
    _DCT + "title": ("Titel", "Title"),
    _DCT + "isReplacedBy": ("Ersetzt durch", "Replaced by"),
    _DCT + "modified": ("Geändert", "Modified"),
    _DCT + "publisher": ("Herausgeber", "Publisher"),
    _VANN + "preferredNamespacePrefix": ("Bevorzugtes Präfix", "Preferred prefix"),
    _VANN + "preferredNamespaceUri": ("Bevorzugter Namensraum", "Preferred namespace"),
    _RDF + "type": ("Typ", "Type"),
    _RDF + "first": ("Erstes Element", "First element"),
    _RDF + "rest": ("Übrige Elemente", "Remaining elements"),
    _RDFS + "comment": ("Kommentar", "Comment"),
    _RDFS + "domain": ("Definitionsbereich", "Domain"),
    _RDFS + "isDefinedBy": ("Definiert in", "Defined by"),
    _RDFS + "label": ("Bezeichnung", "Label"),
    _RDFS + "range": ("Wertebereich", "Range"),
    _RDFS + "seeAlso": ("Siehe auch", "See also"),
    _RDFS + "subClassOf": ("Unterklasse von", "Subclass of"),
    _RDFS + "subPropertyOf": ("Untereigenschaft von", "Subproperty of"),
    _OWL + "AllDisjointClasses": ("Disjunkte Klassen", "Disjoint classes"),
    _OWL + "AnnotationProperty": ("Annotationseigenschaft", "Annotation property"),
    _OWL + "Class": ("Klasse", "Class"),
    _OWL + "DatatypeProperty": ("Dateneigenschaft", "Datatype property"),
    _OWL + "FunctionalProperty": ("Funktionale Eigenschaft", "Functional property"),
    _OWL + "NamedIndividual": ("Individuum", "Individual"),
    _OWL + "ObjectProperty": ("Objekteigenschaft", "Object property"),
    _OWL + "Ontology": ("Ontologie", "Ontology"),
    _OWL + "TransitiveProperty": ("Transitive Eigenschaft", "Transitive property"),
    _OWL + "imports": ("Importiert", "Imports"),
    _OWL + "members": ("Elemente", "Members"),
    _OWL + "unionOf": ("Vereinigung von", "Union of"),
    _OWL + "versionIRI": ("Versions-IRI", "Version IRI"),
    _OWL + "versionInfo": ("Version", "Version"),
    _OWL + "deprecated": ("Veraltet", "Deprecated"),
    _OWL + "sameAs": ("Identisch mit", "Same as"),
    _SKOS + "Concept": ("Begriff", "Concept"),
    _SKOS + "ConceptScheme": ("Begriffsschema", "Concept scheme"),
    _SKOS + "altLabel": ("Alternative Bezeichnung", "Alternative label"),
    _SKOS + "broadMatch": ("Entspricht weiter gefasst", "Broad match"),
    _SKOS + "broader": ("Übergeordnet", "Broader"),
    _SKOS + "narrower": ("Untergeordnet", "Narrower"),
    _SKOS + "closeMatch": ("Entspricht weitgehend", "Close match"),
    _SKOS + "exactMatch": ("Entspricht genau", "Exact match"),
    _SKOS + "definition": ("Definition", "Definition"),
    _SKOS + "hasTopConcept": ("Oberster Begriff", "Top concept"),
    _SKOS + "inScheme": ("Im Begriffsschema", "In scheme"),
    _SKOS + "narrowMatch": ("Entspricht enger gefasst", "Narrow match"),
    _SKOS + "relatedMatch": ("Verwandt mit", "Related match"),
    _SKOS + "related": ("Verwandt", "Related"),
    _SKOS + "notation": ("Kennung", "Notation"),
    _SKOS + "prefLabel": ("Bezeichnung", "Preferred label"),
    _SKOS + "scopeNote": ("Anmerkung zum Geltungsbereich", "Scope note"),
    _SKOS + "topConceptOf": ("Oberster Begriff von", "Top concept of"),
    _SCHEMA + "sameAs": ("Dasselbe wie", "Same as"),
    _SCHEMA + "url": ("Adresse", "Address"),
}


def term_label(iri: str, lang: str) -> str | None:
    """The page's name of a reused vocabulary term in ``lang``; ``None`` for other IRIs."""
    pair = TERM_LABELS.get(iri)
    return None if pair is None else pair[1 if lang == "en" else 0]
