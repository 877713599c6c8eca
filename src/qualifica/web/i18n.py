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
    "graph": ("Graph", "Graph"),
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
    "gap_intro": ("Wählen Sie eine Rolle, kreuzen Sie die vorhandenen Kompetenzen an und "
                  "wählen Sie jeweils das Niveau.",
                  "Choose a role, tick the competencies held and choose the level of each."),
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
}


def words(lang: str) -> dict[str, str]:
    """All words in ``lang`` (``de`` unless ``en``)."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


def pick_lang(value: str | None) -> str:
    """``en`` when asked for, else the default ``de``."""
    return value if value in LANGS else DEFAULT_LANG
