"""Build ``data/digcomp.ttl`` (DigComp 2.2: 5 areas, 21 competences) from the JRC code list, and
``data/digcomp-de.ttl``, this project's German text for it.

The English titles and descriptions come from the CSV of dini-ag-kim/digComp. No published German
edition of DigComp 2.2 was found in a stored source. The five German area titles are those of
DigComp 2.3 AT, the Austrian edition (etc.at), and stay in ``digcomp.ttl`` with that source. The
German titles and descriptions of the 21 competences, the descriptions of the areas, the German
descriptions of the eight levels and the everyday alternative labels are this project's
translation and wording: they go to ``digcomp-de.ttl``, a named graph whose description cites the
editorial assignment, so every statement in it is editorial; each resource there also carries an
editorial note saying so.
Run: ``python scripts/build_digcomp.py path/to/digcomp-2.2.csv > data/digcomp.ttl`` and
``python scripts/build_digcomp.py --german path/to/digcomp-2.2.csv > data/digcomp-de.ttl``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DOI = "https://doi.org/10.2760/115376"
CSV_SOURCE = "https://github.com/dini-ag-kim/digComp"
#: DigComp 2.3 AT (Austria, 2022): the five competence areas with their German titles.
AREAS_DE_SOURCE = "https://www.etc.at/?p=3140"
EDITORIAL = "https://w3id.org/qualifica/id/source/editorial"
GRAPH_DE = "https://w3id.org/qualifica/graph/digcomp-de"

#: German titles, by code: the areas as in DigComp 2.3 AT, the competences this project's
#: translation (no published German edition of DigComp 2.2 found).
GERMAN: dict[str, str] = {
    "1": "Informations- und Datenkompetenz",
    "1.1": "Durchsuchen, Suchen und Filtern von Daten, Informationen und digitalen Inhalten",
    "1.2": "Bewerten von Daten, Informationen und digitalen Inhalten",
    "1.3": "Verwalten von Daten, Informationen und digitalen Inhalten",
    "2": "Kommunikation und Zusammenarbeit",
    "2.1": "Interagieren mithilfe digitaler Technologien",
    "2.2": "Teilen mithilfe digitaler Technologien",
    "2.3": "Gesellschaftliche Teilhabe mithilfe digitaler Technologien",
    "2.4": "Zusammenarbeiten mithilfe digitaler Technologien",
    "2.5": "Netiquette",
    "2.6": "Verwalten der digitalen Identität",
    "3": "Erstellung digitaler Inhalte",
    "3.1": "Entwickeln digitaler Inhalte",
    "3.2": "Integrieren und Neuerarbeiten digitaler Inhalte",
    "3.3": "Urheberrecht und Lizenzen",
    "3.4": "Programmieren",
    "4": "Sicherheit",
    "4.1": "Schutz von Geräten",
    "4.2": "Schutz personenbezogener Daten und der Privatsphäre",
    "4.3": "Schutz der Gesundheit und des Wohlbefindens",
    "4.4": "Schutz der Umwelt",
    "5": "Problemlösung",
    "5.1": "Lösen technischer Probleme",
    "5.2": "Ermitteln von Bedürfnissen und technologischen Antworten",
    "5.3": "Kreatives Nutzen digitaler Technologien",
    "5.4": "Erkennen von Lücken bei digitalen Kompetenzen",
}

#: German descriptions of the 21 competences, rendered from the JRC descriptions.
DEFINITIONS_DE: dict[str, str] = {
    "1.1": "Informationsbedarf artikulieren, in digitalen Umgebungen nach Daten, Informationen "
           "und Inhalten suchen, auf sie zugreifen und zwischen ihnen navigieren. Persönliche "
           "Suchstrategien entwickeln und aktualisieren.",
    "1.2": "Die Glaubwürdigkeit und Zuverlässigkeit von Quellen für Daten, Informationen und "
           "digitale Inhalte analysieren, vergleichen und kritisch bewerten. Daten, Informationen "
           "und digitale Inhalte analysieren, interpretieren und kritisch bewerten.",
    "1.3": "Daten, Informationen und Inhalte in digitalen Umgebungen organisieren, speichern und "
           "abrufen. Sie in einer strukturierten Umgebung organisieren und verarbeiten.",
    "2.1": "Mithilfe verschiedener digitaler Technologien interagieren und die für einen "
           "Kontext angemessenen digitalen Kommunikationsmittel verstehen.",
    "2.2": "Daten, Informationen und digitale Inhalte mithilfe geeigneter digitaler "
           "Technologien mit anderen teilen. Als Vermittler agieren, Praktiken des Zitierens und "
           "der Quellenangabe kennen.",
    "2.3": "Durch die Nutzung öffentlicher und privater digitaler Dienste an der Gesellschaft "
           "teilhaben. Möglichkeiten zur Selbstbestimmung und zu partizipativer "
           "Bürgerbeteiligung mithilfe geeigneter digitaler Technologien suchen.",
    "2.4": "Digitale Werkzeuge und Technologien für Zusammenarbeit sowie für die gemeinsame "
           "Erarbeitung von Daten, Ressourcen und Wissen nutzen.",
    "2.5": "Verhaltensnormen und Know-how bei der Nutzung digitaler Technologien und der "
           "Interaktion in digitalen Umgebungen kennen. Kommunikationsstrategien an die "
           "Zielgruppe anpassen und kulturelle sowie generationenbezogene Vielfalt in digitalen "
           "Umgebungen beachten.",
    "2.6": "Eine oder mehrere digitale Identitäten erstellen und verwalten, den eigenen Ruf "
           "schützen und mit den Daten umgehen, die man mit digitalen Werkzeugen, Umgebungen und "
           "Diensten erzeugt.",
    "3.1": "Digitale Inhalte in verschiedenen Formaten erstellen und bearbeiten, sich mit "
           "digitalen Mitteln ausdrücken.",
    "3.2": "Neue Informationen und Inhalte verändern, verfeinern und in einen vorhandenen "
           "Bestand an Wissen und Ressourcen einfügen, um neue, originelle und relevante Inhalte "
           "und Wissen zu schaffen.",
    "3.3": "Verstehen, wie Urheberrecht und Lizenzen für digitale Informationen und Inhalte "
           "gelten.",
    "3.4": "Eine Folge verständlicher Anweisungen für ein Computersystem planen und entwickeln, "
           "um ein Problem zu lösen oder eine bestimmte Aufgabe auszuführen.",
    "4.1": "Geräte und digitale Inhalte schützen sowie Risiken und Bedrohungen in digitalen "
           "Umgebungen verstehen. Sicherheitsmaßnahmen kennen und Zuverlässigkeit und "
           "Privatsphäre angemessen berücksichtigen.",
    "4.2": "Personenbezogene Daten und Privatsphäre in digitalen Umgebungen schützen. Verstehen, "
           "wie personenbezogene Informationen genutzt und geteilt werden können, während man "
           "sich und andere vor Schaden schützt. Verstehen, dass digitale Dienste mit einer "
           "Datenschutzerklärung über die Verwendung personenbezogener Daten informieren.",
    "4.3": "Gesundheitsrisiken und Gefahren für das körperliche und seelische Wohlbefinden bei "
           "der Nutzung digitaler Technologien vermeiden. Sich und andere vor möglichen Gefahren "
           "in digitalen Umgebungen schützen (z. B. Cybermobbing). Digitale Technologien für "
           "soziales Wohlergehen und soziale Inklusion kennen.",
    "4.4": "Die Umweltauswirkungen digitaler Technologien und ihrer Nutzung kennen.",
    "5.1": "Technische Probleme beim Betrieb von Geräten und bei der Nutzung digitaler "
           "Umgebungen erkennen und lösen (von der Fehlerbehebung bis zur Lösung komplexerer "
           "Probleme).",
    "5.2": "Bedürfnisse einschätzen, digitale Werkzeuge und mögliche technologische Antworten "
           "ermitteln, bewerten, auswählen und nutzen. Digitale Umgebungen an persönliche "
           "Bedürfnisse anpassen (z. B. Barrierefreiheit).",
    "5.3": "Digitale Werkzeuge und Technologien nutzen, um Wissen zu schaffen und Prozesse und "
           "Produkte zu erneuern. Sich einzeln und gemeinsam mit Denkprozessen befassen, um "
           "begriffliche Probleme und Problemsituationen in digitalen Umgebungen zu verstehen "
           "und zu lösen.",
    "5.4": "Verstehen, wo die eigene digitale Kompetenz verbessert oder aktualisiert werden "
           "muss. Andere bei der Entwicklung ihrer digitalen Kompetenz unterstützen. "
           "Möglichkeiten zur Weiterentwicklung suchen und mit der digitalen Entwicklung Schritt "
           "halten.",
}

#: German definitions of the five areas (the CSV has none for areas).
AREA_DEFINITIONS: dict[str, tuple[str, str]] = {
    "1": ("Kompetenzbereich 1 von DigComp 2.2: Informationsbedarf artikulieren, Daten, "
          "Informationen und digitale Inhalte finden, bewerten und verwalten.",
          "DigComp 2.2 competence area 1: articulating information needs; locating, evaluating "
          "and managing data, information and digital content."),
    "2": ("Kompetenzbereich 2 von DigComp 2.2: mithilfe digitaler Technologien interagieren, "
          "kommunizieren, teilen und zusammenarbeiten.",
          "DigComp 2.2 competence area 2: interacting, communicating, sharing and collaborating "
          "through digital technologies."),
    "3": ("Kompetenzbereich 3 von DigComp 2.2: digitale Inhalte erstellen und bearbeiten, "
          "Urheberrecht und Lizenzen beachten, programmieren.",
          "DigComp 2.2 competence area 3: creating and editing digital content, applying "
          "copyright and licences, programming."),
    "4": ("Kompetenzbereich 4 von DigComp 2.2: Geräte, Inhalte, personenbezogene Daten, "
          "Gesundheit und Umwelt schützen.",
          "DigComp 2.2 competence area 4: protecting devices, content, personal data, health "
          "and the environment."),
    "5": ("Kompetenzbereich 5 von DigComp 2.2: Bedürfnisse und Probleme erkennen und mit "
          "digitalen Mitteln lösen, Kompetenzlücken erkennen.",
          "DigComp 2.2 competence area 5: identifying needs and problems and resolving them "
          "with digital means, identifying competence gaps."),
}

#: German descriptions of the eight proficiency levels, rendered from the JRC level table.
LEVELS_DE: dict[int, str] = {
    1: "DigComp-Kompetenzstufe 1 (Grundlegend): einfache Aufgaben mit Anleitung; Erinnern.",
    2: "DigComp-Kompetenzstufe 2 (Grundlegend): einfache Aufgaben selbstständig und bei Bedarf "
       "mit Anleitung; Erinnern.",
    3: "DigComp-Kompetenzstufe 3 (Selbstständig): klar definierte Routineaufgaben und einfache "
       "Probleme eigenständig; Verstehen.",
    4: "DigComp-Kompetenzstufe 4 (Selbstständig): Aufgaben sowie klar definierte, nicht "
       "routinemäßige Probleme unabhängig und nach eigenem Bedarf; Verstehen.",
    5: "DigComp-Kompetenzstufe 5 (Fortgeschritten): verschiedene Aufgaben und Probleme, andere "
       "anleiten; Anwenden.",
    6: "DigComp-Kompetenzstufe 6 (Fortgeschritten): die jeweils passendsten Aufgaben, sich in "
       "komplexen Zusammenhängen auf andere einstellen; Bewerten.",
    7: "DigComp-Kompetenzstufe 7 (Hoch spezialisiert): komplexe Probleme mit begrenzten Lösungen "
       "lösen, zur Berufspraxis beitragen und andere anleiten; Erschaffen.",
    8: "DigComp-Kompetenzstufe 8 (Hoch spezialisiert): komplexe Probleme mit vielen "
       "Einflussfaktoren lösen, dem Fachgebiet neue Ideen und Verfahren vorschlagen; Erschaffen.",
}

NOTE_DE = ("Deutsche Bezeichnung und Beschreibung: Übersetzung des Qualifica-Projekts; eine "
           "veröffentlichte deutsche Ausgabe von DigComp 2.2 wurde nicht gefunden.")
NOTE_EN = ("German title and description: this project's translation; no published German "
           "edition of DigComp 2.2 was found.")
AREA_NOTE_DE = ("Deutscher Titel nach DigComp 2.3 AT; die Beschreibung des Bereichs ist eine "
                "Zusammenfassung des Qualifica-Projekts.")
AREA_NOTE_EN = ("German title as in DigComp 2.3 AT; the description of the area is this "
                "project's summary.")
LEVEL_NOTE_DE = ("Deutsche Stufenbezeichnung nach dem Digitalen Kompetenzmodell für Österreich "
                 "(DigComp 2.2 AT); die deutsche Beschreibung ist eine Übersetzung des "
                 "Qualifica-Projekts.")
LEVEL_NOTE_EN = ("German level name as in the Digital Competence Model for Austria "
                 "(DigComp 2.2 AT); the German description is this project's translation.")

_SMALL = {"and", "of", "the", "through", "for", "in", "to", "with"}


def title_case(name: str) -> str:
    """``PROTECTING PERSONAL DATA AND PRIVACY`` → ``Protecting personal data and privacy``."""
    words = name.strip().lower().split()
    return " ".join([words[0].capitalize(), *words[1:]]).replace(" , ", ", ")


#: Everyday names planners search for (skos:altLabel), German and English.
ALT_LABELS = {
    "4.2": ("Datenschutz", "Data protection"),
    "3.4": ("Programmieren", "Coding"),
}


def literal(text: str, lang: str) -> str:
    """A Turtle string literal with a language tag."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def slug(code: str) -> str:
    """``4.2`` → ``digcomp-4-2``; ``4.0`` → ``digcomp-4``."""
    major, _, minor = code.partition(".")
    return f"digcomp-{major}" if minor in {"", "0"} else f"digcomp-{major}-{minor}"


def _areas(rows: list[dict[str, str]]) -> dict[str, str]:
    """Area name in the CSV → its slug."""
    return {row["Name"].strip(): slug(row["ShortCode"].strip())
            for row in rows if row["Level"].strip() == "1"}


def build(rows: list[dict[str, str]]) -> str:
    """The Turtle text of the DigComp 2.2 concepts as the sources state them."""
    out = [
        "# DigComp 2.2 (EU JRC 2022, DOI 10.2760/115376): 5 competence areas and 21 competences.",
        "# Generated by scripts/build_digcomp.py from the dini-ag-kim/digComp code list. German",
        "# area titles as in DigComp 2.3 AT; the German titles and descriptions of the competences",
        "# are this project's translation and live in digcomp-de.ttl (an editorial graph).",
        "",
        "@prefix qd: <https://w3id.org/qualifica/ontology#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix competency: <https://w3id.org/qualifica/id/competency/> .",
        "@prefix framework: <https://w3id.org/qualifica/id/framework/> .",
        "",
    ]
    areas = _areas(rows)
    for row in rows:
        code = row["ShortCode"].strip()
        name = row["Name"].strip()
        is_area = row["Level"].strip() == "1"
        key = code.split(".")[0] if is_area else code
        english = title_case(name)
        lines = [f"competency:{slug(code)}", "    a qd:Competency, skos:Concept ;"]
        if is_area:
            lines.append(f"    skos:prefLabel {literal(GERMAN[key], 'de')}, "
                         f"{literal(english, 'en')} ;")
        else:
            lines.append(f"    skos:prefLabel {literal(english, 'en')} ;")
        lines.append(f'    skos:notation "{key}" ;')
        if is_area:
            lines.append("    skos:inScheme framework:digcomp-2-2 ;")
            lines.append("    skos:topConceptOf framework:digcomp-2-2 ;")
            lines.append(f"    dcterms:source <{DOI}>, <{CSV_SOURCE}>, <{AREAS_DE_SOURCE}> .")
        else:
            description = " ".join(row["Description"].replace(" ,", ",").split())
            lines.append(f"    skos:definition {literal(description, 'en')} ;")
            lines.append("    skos:inScheme framework:digcomp-2-2 ;")
            lines.append(f"    skos:broader competency:{areas[row['BroaderConcept'].strip()]} ;")
            lines.append(f"    dcterms:source <{DOI}>, <{CSV_SOURCE}> .")
        out.extend([*lines, ""])
    return "\n".join(out)


def build_german(rows: list[dict[str, str]]) -> str:
    """The Turtle text of this project's German text for DigComp 2.2 (an editorial graph)."""
    out = [
        "# This project's German text for DigComp 2.2: titles and descriptions of the 21",
        "# competences, descriptions of the 5 areas and of the 8 levels, everyday alternative",
        "# labels. No published German edition of DigComp 2.2 was found in a stored source, so",
        "# every statement here is editorial: the graph describes itself with the editorial",
        "# source. Generated by scripts/build_digcomp.py --german.",
        "",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix competency: <https://w3id.org/qualifica/id/competency/> .",
        "@prefix level: <https://w3id.org/qualifica/id/level/> .",
        "",
    ]
    for row in rows:
        code = row["ShortCode"].strip()
        is_area = row["Level"].strip() == "1"
        key = code.split(".")[0] if is_area else code
        lines = [f"competency:{slug(code)}"]
        if is_area:
            de, en = AREA_DEFINITIONS[key]
            lines.append(f"    skos:definition {literal(de, 'de')}, {literal(en, 'en')} ;")
            note = (AREA_NOTE_DE, AREA_NOTE_EN)
        else:
            lines.append(f"    skos:prefLabel {literal(GERMAN[key], 'de')} ;")
            lines.append(f"    skos:definition {literal(DEFINITIONS_DE[key], 'de')} ;")
            note = (NOTE_DE, NOTE_EN)
        if key in ALT_LABELS:
            alt_de, alt_en = ALT_LABELS[key]
            lines.append(f"    skos:altLabel {literal(alt_de, 'de')}, {literal(alt_en, 'en')} ;")
        lines.append(f"    skos:editorialNote {literal(note[0], 'de')}, {literal(note[1], 'en')} .")
        out.extend([*lines, ""])
    for rank, text in LEVELS_DE.items():
        out.extend([f"level:digcomp-{rank}",
                    f"    skos:definition {literal(text, 'de')} ;",
                    f"    skos:editorialNote {literal(LEVEL_NOTE_DE, 'de')}, "
                    f"{literal(LEVEL_NOTE_EN, 'en')} .", ""])
    out.extend([
        f"<{GRAPH_DE}>",
        "    skos:prefLabel " + literal("Deutsche Texte zu DigComp 2.2 (Übersetzung des "
                                       "Qualifica-Projekts)", "de") + ", "
        + literal("German text for DigComp 2.2 (this project's translation)", "en") + " ;",
        f"    dcterms:source <{EDITORIAL}> .",
        "",
    ])
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Read the CSV named on the command line, write Turtle to stdout (``--german``: the
    German text)."""
    args = argv[1:]
    german = "--german" in args
    args = [a for a in args if a != "--german"]
    path = Path(args[0]) if args else Path("digcomp-2.2.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    sys.stdout.write(build_german(rows) if german else build(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
