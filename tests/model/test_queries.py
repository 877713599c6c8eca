"""The named queries of ``queries/`` on the bundled graph: every query runs with its example
parameters through pyoxigraph substitutions and through a VALUES block (as for remote stores),
both give the same rows, and the rows are the expected ones. The quality rules of ``queries/qc``
find nothing in the bundled graph and do find the faults of a deliberately broken one."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat

from qualifica.context import Context
from qualifica.errors import BadParameter
from qualifica.namespaces import ID, QD
from qualifica.sparql.binding import bind
from qualifica.sparql.registry import NamedQuery
from qualifica.store.base import SelectResult, Store
from qualifica.store.oxigraph import OxigraphStore
from qualifica.validation.shacl import parse_bytes

Row = tuple[str | None, ...]

#: The Berufsbildpositionen of § 4 Abs. 2-7 FIAusbV as "{Absatz}-{Nummer}".
FIAUSBV_POSITIONS = [f"{a}-{n}" for a, count in ((2, 10), (3, 2), (4, 3), (5, 4), (6, 3), (7, 5))
                     for n in range(1, count + 1)]

EXPECTED: dict[str, tuple[tuple[str, ...], list[tuple[str | None, ...]]]] = {
    "competencies-per-area": (
        ("area", "notation", "competences"),
        [
            ("competency/digcomp-1", "1", "3"),
            ("competency/digcomp-2", "2", "6"),
            ("competency/digcomp-3", "3", "4"),
            ("competency/digcomp-4", "4", "4"),
            ("competency/digcomp-5", "5", "4"),
        ],
    ),
    "competency-hierarchy": (
        ("competency", "notation", "broader"),
        [
            ("competency/blv-fachkompetenz", None, None),
            ("competency/blv-methodenkompetenz", None, None),
            ("competency/blv-soziale-kompetenz", None, None),
        ],
    ),
    "editorial-links": (
        ("link", "type", "holder", "level"),
        [
            (
                "requirement/digitale-transformation-steuern-digcomp-4-4",
                "qd:CompetencyRequirement",
                "task/digitale-transformation-steuern",
                "level/digcomp-4",
            ),
            (
                "requirement/it-architekt-digcomp-4-4",
                "qd:CompetencyRequirement",
                "role/it-architekt",
                "level/digcomp-4",
            ),
        ],
    ),
    "essential-without-training": (
        ("competency", "holder", "rank", "bestRank"),
        [
            ("competency/blv-fachkompetenz", "role/fachaufgabentraeger", "3", "2"),
            ("competency/blv-fachkompetenz", "role/finanzwirt", "3", "2"),
            ("competency/blv-fachkompetenz", "role/verwaltungsinformatikdienst-gehoben", "3", "2"),
            ("competency/blv-fachkompetenz", "task/fachaufgabe-verantworten", "3", "2"),
            (
                "competency/blv-methodenkompetenz",
                "role/verwaltungsinformatikdienst-gehoben",
                "2",
                None,
            ),
            ("competency/digcomp-1-1", "role/anwender", "3", None),
            ("competency/digcomp-1-2", "role/fachinformatiker-daten-und-prozessanalyse", "6", "5"),
            ("competency/digcomp-1-2", "role/it-controller", "6", "5"),
            ("competency/digcomp-1-2", "task/daten-analysieren", "6", "5"),
            ("competency/digcomp-2-4", "role/cio", "5", None),
            ("competency/digcomp-2-4", "role/it-koordinator", "5", None),
            ("competency/digcomp-2-4", "role/it-projektmanager", "5", None),
            ("competency/digcomp-2-4", "task/digitalisierungsvorhaben-koordinieren", "4", None),
            ("competency/digcomp-2-4", "task/it-projekte-steuern", "4", None),
            ("competency/digcomp-2-4", "task/it-vorhaben-koordinieren", "5", None),
            ("competency/digcomp-4", "role/cio", "5", None),
            ("competency/digcomp-4-1", "role/it-sicherheitsmanager", "6", "5"),
            ("competency/digcomp-4-1", "task/sicherheitskonzept-erstellen", "6", "5"),
            ("competency/digcomp-4-1", "task/sicherheitsvorfaelle-behandeln", "6", "5"),
            ("competency/digcomp-4-2", "role/it-sicherheitsmanager", "6", "5"),
            ("competency/digcomp-4-2", "task/sicherheitskonzept-erstellen", "6", "5"),
            ("competency/digcomp-4-4", "role/it-architekt", "4", None),
            ("competency/digcomp-5-4", "role/agenda-setter", "4", None),
            ("competency/digcomp-5-4", "role/digitallotse", "5", None),
            ("competency/digcomp-5-4", "role/schulung", "5", None),
            ("competency/digcomp-5-4", "task/anwender-schulen", "5", None),
            ("competency/digcomp-5-4", "task/qualifizierungsbedarf-ermitteln", "5", None),
            ("competency/digcomp-5-4", "task/technologietrends-beobachten", "5", None),
            ("competency/qd-managementtechniken", "role/agenda-setter", "3", "2"),
            ("competency/qd-managementtechniken", "role/chief-digital-officer", "3", "2"),
            ("competency/qd-managementtechniken", "role/cio", "3", "2"),
            ("competency/qd-managementtechniken", "role/it-projektmanager", "3", "2"),
            ("competency/qd-managementtechniken", "task/it-governance-steuern", "3", "2"),
            ("competency/qd-managementtechniken", "task/it-projekte-planen", "3", "2"),
            ("competency/qd-orientierungskompetenz", "role/chief-digital-officer", "3", "2"),
            ("competency/qd-problemloesungskompetenz", "role/prozessmanager", "3", "2"),
            ("competency/qd-selbstorganisationsfaehigkeit", "task/it-projekte-steuern", "3", None),
            ("competency/qd-soziale-kompetenzen", "role/digitallotse", "3", "2"),
            ("competency/qd-soziale-kompetenzen", "role/organisations-changemanager", "3", "2"),
            ("competency/qd-soziale-kompetenzen", "task/anforderungen-erheben", "3", "2"),
            (
                "competency/qd-soziale-kompetenzen",
                "task/veraenderungsprozesse-begleiten",
                "3",
                "2",
            ),
        ],
    ),
    "editorial-statements": (
        ("subject", "predicate", "object", "kind"),
        [
            ("role/anwender", "qd:performsTask", "task/verwaltungsleistungen-online-nutzen",
             "plain"),
            ("role/anwender", "qd:requires", "requirement/anwender-digcomp-1", "qualified"),
            ("role/anwender", "qd:requires", "requirement/anwender-digcomp-1-1", "qualified"),
            ("role/anwender", "qd:requires", "requirement/anwender-digcomp-2-1", "qualified"),
            ("role/anwender", "qd:requires", "requirement/anwender-digcomp-4-2", "qualified"),
        ],
    ),
    "statement-provenance": (
        ("predicate", "object", "kind"),
        [
            (
                "http://purl.org/dc/terms/source",
                "https://www.digitalakademie.bund.de/SharedDocs/04_Aktuelles/Meldungen/"
                "SonstigeMeldungen/23_Digital_Journey/23_Digital_Journey.html",
                "source",
            ),
            ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "qd:TrainingFormat", "source"),
            (
                "http://www.w3.org/2004/02/skos/core#definition",
                "Cross-departmental learning journey for top executives of public administration "
                "at three places of learning, with moderated discussions, exchange of "
                "experience, reflection, peer case consultation and keynotes; it aims to connect "
                "executives and make them aware of the digital transformation. The first "
                "#digitaljourney started on 28 November 2022 in Munich.",
                "source",
            ),
            (
                "http://www.w3.org/2004/02/skos/core#definition",
                "Ressortübergreifende Lernreise für oberste Führungskräfte der öffentlichen "
                "Verwaltung an drei Lernorten, mit moderierten Diskussionen, "
                "Erfahrungsaustausch, Reflexion, kollegialer Fallberatung und Impulsvorträgen; "
                "Ziel ist, Führungskräfte zu vernetzen und für die digitale Transformation zu "
                "sensibilisieren. Die erste #digitaljourney begann am 28. November 2022 in "
                "München.",
                "source",
            ),
            (
                "http://www.w3.org/2004/02/skos/core#prefLabel",
                "#digitaljourney der Digitalakademie Bund",
                "source",
            ),
            (
                "http://www.w3.org/2004/02/skos/core#prefLabel",
                "#digitaljourney of the Federal Digital Academy",
                "source",
            ),
            ("qd:develops", "outcome/digitaljourney-qd-managementtechniken", "editorial"),
            ("qd:develops", "outcome/digitaljourney-qd-orientierungskompetenz", "editorial"),
            ("qd:develops", "outcome/digitaljourney-qd-soziale-kompetenzen", "editorial"),
            ("qd:kind", "qd:Fortbildung", "source"),
            ("qd:legalBasis", "legal-basis/blv-47", "editorial"),
            ("qd:provider", "provider/digitalakademie-bund", "source"),
        ],
    ),
    "format-outcomes": (
        ("competency", "level", "rank", "editorial"),
        [
            ("competency/digcomp-1-3", "level/digcomp-5", "5", "true"),
            ("competency/digcomp-3-4", "level/digcomp-6", "6", "true"),
            ("competency/digcomp-4-1", "level/digcomp-5", "5", "true"),
            ("competency/digcomp-5-1", "level/digcomp-6", "6", "true"),
            # the Berufsbildpositionen of § 4 FIAusbV, at the one aim the ordinance states
            *sorted((f"competency/fiausbv-4-{p}", "level/fiausbv-handlungsfaehigkeit", "1",
                     "false") for p in FIAUSBV_POSITIONS),
        ],
    ),
    "formats-by-kind": (
        ("format", "outcomes"),
        [
            ("training-format/ausbildung-fachinformatiker", "31"),
            ("training-format/ausbildung-kaufleute-bueromanagement", "3"),
            ("training-format/ausbildung-verwaltungsfachangestellte", "34"),
            ("training-format/berufsausbildung", "0"),
            ("training-format/vorbereitungsdienst-digitale-verwaltung-cyber-sicherheit", "3"),
            ("training-format/vorbereitungsdienst-technischer-verwaltungsdienst-itzbund", "3"),
            ("training-format/vorbereitungsdienst-verwaltungsinformatik", "6"),
        ],
    ),
    "framework-levels": (
        ("level", "rank"),
        [
            ("level/e-kompetenz-1", "1"),
            ("level/e-kompetenz-2", "2"),
            ("level/e-kompetenz-3", "3"),
        ],
    ),
    "legal-basis-provisions": (
        ("provision", "notation", "url"),
        [
            ("legal-basis/bbig-1", "§ 1", "https://www.gesetze-im-internet.de/bbig_2005/__1.html"),
            ("legal-basis/bbig-3", "§ 3", "https://www.gesetze-im-internet.de/bbig_2005/__3.html"),
            ("legal-basis/bbig-5", "§ 5", "https://www.gesetze-im-internet.de/bbig_2005/__5.html"),
            (
                "legal-basis/bbig-53",
                "§ 53",
                "https://www.gesetze-im-internet.de/bbig_2005/__53.html",
            ),
            (
                "legal-basis/bbig-53a",
                "§ 53a",
                "https://www.gesetze-im-internet.de/bbig_2005/__53a.html",
            ),
            (
                "legal-basis/bbig-53b",
                "§ 53b",
                "https://www.gesetze-im-internet.de/bbig_2005/__53b.html",
            ),
            (
                "legal-basis/bbig-53c",
                "§ 53c",
                "https://www.gesetze-im-internet.de/bbig_2005/__53c.html",
            ),
            (
                "legal-basis/bbig-53d",
                "§ 53d",
                "https://www.gesetze-im-internet.de/bbig_2005/__53d.html",
            ),
            (
                "legal-basis/bbig-53e",
                "§ 53e",
                "https://www.gesetze-im-internet.de/bbig_2005/__53e.html",
            ),
            (
                "legal-basis/bbig-58",
                "§ 58",
                "https://www.gesetze-im-internet.de/bbig_2005/__58.html",
            ),
            (
                "legal-basis/bbig-73",
                "§ 73",
                "https://www.gesetze-im-internet.de/bbig_2005/__73.html",
            ),
        ],
    ),
    "role-competencies": (
        ("competency", "framework", "level", "rank", "essential", "path", "task"),
        [
            (
                "competency/digcomp-1-3",
                "framework/digcomp-2-2",
                "level/digcomp-5",
                "5",
                "true",
                "direct",
                None,
            ),
            (
                "competency/digcomp-1-3",
                "framework/digcomp-2-2",
                "level/digcomp-5",
                "5",
                "true",
                "task",
                "task/prozesse-erheben",
            ),
            (
                "competency/digcomp-2-3",
                "framework/digcomp-2-2",
                "level/digcomp-5",
                "5",
                "true",
                "task",
                "task/verwaltungsleistungen-digitalisieren",
            ),
            (
                "competency/digcomp-4-2",
                "framework/digcomp-2-2",
                "level/digcomp-5",
                "5",
                "true",
                "direct",
                None,
            ),
            (
                "competency/digcomp-4-2",
                "framework/digcomp-2-2",
                "level/digcomp-5",
                "5",
                "true",
                "task",
                "task/verwaltungsleistungen-digitalisieren",
            ),
            (
                "competency/digcomp-5-3",
                "framework/digcomp-2-2",
                "level/digcomp-5",
                "5",
                "true",
                "direct",
                None,
            ),
            (
                "competency/digcomp-5-3",
                "framework/digcomp-2-2",
                "level/digcomp-6",
                "6",
                "true",
                "task",
                "task/prozesse-optimieren",
            ),
            (
                "competency/qd-problemloesungskompetenz",
                "framework/qd-metastudie",
                "level/e-kompetenz-3",
                "3",
                "true",
                "direct",
                None,
            ),
            (
                "competency/qd-problemloesungskompetenz",
                "framework/qd-metastudie",
                "level/e-kompetenz-2",
                "2",
                "true",
                "task",
                "task/prozesse-erheben",
            ),
        ],
    ),
    "role-groups": (
        ("broader", "role"),
        [
            ("role-group/gestalter", "role/digitallotse"),
            ("role-group/gestalter", "role/fachanwendungsbetreuer"),
            ("role-group/gestalter", "role/fachaufgabentraeger"),
            ("role-group/gestalter", "role/finanzwirt"),
            ("role-group/gestalter", "role/kaufleute-bueromanagement"),
            ("role-group/gestalter", "role/verwaltungsfachangestellte"),
        ],
    ),
    "role-requirements-count": (
        ("direct", "viaTasks", "competencies", "essentials"),
        [
            ("4", "5", "5", "9"),
        ],
    ),
    "role-tasks": (
        ("task",),
        [
            ("task/sicherheit-sensibilisieren",),
            ("task/sicherheitskonzept-erstellen",),
            ("task/sicherheitsvorfaelle-behandeln",),
        ],
    ),
    "legal-bases-in-force": (
        ("legalBasis", "version", "from", "until"),
        [
            ('legal-basis/bbg', None, None, None),
            (
                'legal-basis/bbg-61',
                'legal-basis/bbg-61-fassung-2009',
                '2009-02-12',
                '2021-07-06',
            ),
            ('legal-basis/bbg-78', None, None, None),
            ('legal-basis/bbig', 'legal-basis/bbig-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-1', None, None, None),
            ('legal-basis/bbig-3', None, None, None),
            ('legal-basis/bbig-5', None, None, None),
            ('legal-basis/bbig-53', 'legal-basis/bbig-53-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-53a', 'legal-basis/bbig-53a-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-53b', 'legal-basis/bbig-53b-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-53c', 'legal-basis/bbig-53c-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-53d', 'legal-basis/bbig-53d-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-53e', 'legal-basis/bbig-53e-fassung-2020', '2020-01-01', None),
            ('legal-basis/bbig-58', None, None, None),
            ('legal-basis/bbig-73', None, None, None),
            ('legal-basis/blv', None, None, None),
            ('legal-basis/blv-46', None, None, None),
            ('legal-basis/blv-47', None, None, None),
            ('legal-basis/bueromkfausbv', None, None, None),
            ('legal-basis/bueromkfausbv-1', None, None, None),
            ('legal-basis/egovg', None, None, None),
            ('legal-basis/egovg-6', None, None, None),
            ('legal-basis/egovg-9', None, None, None),
            ('legal-basis/ozg', 'legal-basis/ozg-fassung-2017', '2017-08-14', '2024-07-23'),
            ('legal-basis/ozg-1', 'legal-basis/ozg-1-fassung-2017', '2017-08-14', '2024-07-23'),
            ('legal-basis/ozg-3', 'legal-basis/ozg-3-fassung-2017', '2017-08-14', '2024-07-23'),
            ('legal-basis/ozg-4', 'legal-basis/ozg-4-fassung-2017', '2017-08-14', '2024-07-23'),
            ('legal-basis/ozg-5', 'legal-basis/ozg-5-fassung-2017', '2017-08-14', '2024-07-23'),
            ('legal-basis/stbag', None, None, None),
            ('legal-basis/stbag-3', None, None, None),
            ('legal-basis/tv-l', None, None, None),
            ('legal-basis/tv-l-5', None, None, None),
            ('legal-basis/tvoed', None, None, None),
            ('legal-basis/tvoed-5', None, None, None),
            ('legal-basis/vwfangausbv', None, None, None),
            ('legal-basis/vwfangausbv-2', None, None, None),
            ('legal-basis/vwfangausbv-3', None, None, None),
            ('legal-basis/vwfangausbv-4', None, None, None),
        ],
    ),
    "legal-changes": (
        ("date", "kind", "provision", "oldVersion", "newVersion", "changedBy"),
        [
            (
                '2021-07-07',
                'renumbered',
                'legal-basis/bbg-61',
                'legal-basis/bbg-61-fassung-2009',
                'legal-basis/bbg-61-fassung-2021',
                'legal-basis/bbg-aenderung-2021',
            ),
        ],
    ),
    "roles-by-legal-basis": (
        ("role", "path", "task", "provision"),
        [
            (
                "role/fachinformatiker-daten-und-prozessanalyse",
                "task",
                "task/prozesse-erheben",
                "legal-basis/egovg-9",
            ),
            (
                "role/kaufleute-bueromanagement",
                "task",
                "task/e-akte-fuehren",
                "legal-basis/egovg-6",
            ),
            ("role/prozessmanager", "task", "task/prozesse-erheben", "legal-basis/egovg-9"),
            ("role/prozessmanager", "task", "task/prozesse-optimieren", "legal-basis/egovg-9"),
            (
                "role/verwaltungsfachangestellte",
                "task",
                "task/e-akte-fuehren",
                "legal-basis/egovg-6",
            ),
        ],
    ),
    "roles-requiring-competency": (
        ("role", "path", "via", "level", "rank", "essential"),
        [
            ("role/cio", "broader", "competency/digcomp-4", "level/digcomp-5", "5", "true"),
            ("role/anwender", "direct", None, "level/digcomp-3", "3", "true"),
            ("role/fachaufgabentraeger", "direct", None, "level/digcomp-4", "4", "true"),
            ("role/finanzwirt", "direct", None, "level/digcomp-5", "5", "true"),
            ("role/it-sicherheitsmanager", "direct", None, "level/digcomp-6", "6", "true"),
            ("role/kaufleute-bueromanagement", "direct", None, "level/digcomp-4", "4", "true"),
            ("role/prozessmanager", "direct", None, "level/digcomp-5", "5", "true"),
            ("role/verwaltungsfachangestellte", "direct", None, "level/digcomp-4", "4", "true"),
            (
                "role/digitalisierungsbeauftragte",
                "task",
                "task/verwaltungsleistungen-digitalisieren",
                "level/digcomp-5",
                "5",
                "true",
            ),
            (
                "role/it-sicherheitsmanager",
                "task",
                "task/sicherheitskonzept-erstellen",
                "level/digcomp-6",
                "6",
                "true",
            ),
            (
                "role/prozessmanager",
                "task",
                "task/verwaltungsleistungen-digitalisieren",
                "level/digcomp-5",
                "5",
                "true",
            ),
        ],
    ),
    "search-labels": (
        ("resource", "label", "type"),
        [
            ("competency/fiausbv-4-2-1", "Planen, Vorbereiten und Durchführen von Arbeitsaufgaben "
             "in Abstimmung mit den kundenspezifischen Geschäfts- und Leistungsprozessen",
             "qd:Competency"),
            ("competency/fiausbv-4-5", "Berufsprofilgebende Fertigkeiten, Kenntnisse und "
             "Fähigkeiten in der Fachrichtung Daten- und Prozessanalyse", "qd:Competency"),
            ("competency/fiausbv-4-5-1", "Analysieren von Arbeits- und Geschäftsprozessen",
             "qd:Competency"),
            ("competency/fiausbv-4-5-3", "Nutzen der Daten zur Optimierung von Arbeits- und "
             "Geschäftsprozessen sowie zur Optimierung digitaler Geschäftsmodelle",
             "qd:Competency"),
            ("competency/fiausbv-4-6-1", "Analysieren und Planen von Systemen zur Vernetzung von "
             "Prozessen und Produkten", "qd:Competency"),
            (
                "role/fachinformatiker-daten-und-prozessanalyse",
                "Fachinformatiker/-in – Daten- und Prozessanalyse",
                "qd:Role",
            ),
            ("role/prozessmanager", "Prozessmanager/-in", "qd:Role"),
            ("task/prozesse-erheben", "Verwaltungsprozesse erheben und modellieren", "qd:Task"),
            ("task/prozesse-optimieren", "Verwaltungsprozesse optimieren", "qd:Task"),
            ("task/veraenderungsprozesse-begleiten", "Veränderungsprozesse begleiten", "qd:Task"),
            (
                "training-format/egov-campus-prozessmanagement",
                "eGov-Campus: Prozessmanagement im öffentlichen Sektor",
                "qd:TrainingFormat",
            ),
        ],
    ),
    "training-for-competency": (
        ("format", "kind", "level", "rank", "editorial", "legalBasis"),
        [
            (
                "training-format/ausbildung-fachinformatiker",
                "qd:Ausbildung",
                "level/digcomp-5",
                "5",
                "true",
                "legal-basis/bbig-5",
            ),
            (
                "training-format/ausbildung-fachinformatiker",
                "qd:Ausbildung",
                "level/digcomp-5",
                "5",
                "true",
                "legal-basis/fiausbv",
            ),
            (
                "training-format/vorbereitungsdienst-digitale-verwaltung-cyber-sicherheit",
                "qd:Ausbildung",
                "level/digcomp-5",
                "5",
                "true",
                "legal-basis/gntvddvcsvdv-1",
            ),
            (
                "training-format/vorbereitungsdienst-technischer-verwaltungsdienst-itzbund",
                "qd:Ausbildung",
                "level/digcomp-5",
                "5",
                "true",
                "legal-basis/gtditzbundvdv-1",
            ),
            (
                "training-format/vorbereitungsdienst-verwaltungsinformatik",
                "qd:Ausbildung",
                "level/digcomp-5",
                "5",
                "true",
                "legal-basis/bbig-3",
            ),
            (
                "training-format/vorbereitungsdienst-verwaltungsinformatik",
                "qd:Ausbildung",
                "level/digcomp-5",
                "5",
                "true",
                "legal-basis/vo-verwaltungsinformatikdienst-gehoben",
            ),
        ],
    ),
}


def short(term: object) -> str | None:
    """An IRI as ``kind/slug`` or ``qd:Name``, a literal as its value."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value.replace(ID, "").replace(QD, "qd:")
    assert isinstance(term, Literal)
    return term.value


def run_both(
    store: Store, query: NamedQuery, params: Mapping[str, object]
) -> tuple[SelectResult, SelectResult, bool]:
    """Run a named query with substitutions and with a VALUES block; whether any value was
    substituted."""
    bound = bind(query, params)
    text, subs = bound.for_substitution()
    by_substitution = store.query(text, substitutions=subs)
    by_values = store.query(bound.as_values())
    assert isinstance(by_substitution, SelectResult) and isinstance(by_values, SelectResult)
    return by_substitution, by_values, bool(subs)


def table(result: SelectResult, columns: tuple[str, ...]) -> list[Row]:
    return [tuple(short(row.get(c)) for c in columns) for row in result.rows]


def test_registry_holds_the_named_queries(bundled_ctx: Context) -> None:
    registry = bundled_ctx.registry
    assert len(registry) >= 14
    assert set(EXPECTED) <= set(registry.queries)
    for query in registry:
        assert query.form == "select"
        assert query.summary and query.description
        lang = query.param("lang")
        assert lang.type == "language" and lang.default == "de"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_query_example(bundled_ctx: Context, name: str) -> None:
    query = bundled_ctx.registry.get(name)
    by_substitution, by_values, _ = run_both(bundled_ctx.store, query, query.example)
    assert by_substitution.variables == by_values.variables
    assert by_substitution.rows == by_values.rows
    columns, expected = EXPECTED[name]
    assert table(by_substitution, columns) == expected


def test_examples_exercise_substitution(bundled_ctx: Context) -> None:
    substituted = [
        q.name for q in bundled_ctx.registry if run_both(bundled_ctx.store, q, q.example)[2]
    ]
    assert len(substituted) >= 10


@pytest.mark.parametrize(
    ("lang", "label"),
    [("de", "Sicherheitsvorfälle behandeln"), ("en", "Handle security incidents")],
)
def test_labels_follow_the_language(bundled_ctx: Context, lang: str, label: str) -> None:
    query = bundled_ctx.registry.get("role-tasks")
    result, values, _ = run_both(
        bundled_ctx.store, query, {"role": "it-sicherheitsmanager", "lang": lang}
    )
    assert result.rows == values.rows
    labels = [row["taskLabel"] for row in result.rows]
    assert len(labels) == 3 and all(isinstance(x, Literal) and x.language == lang for x in labels)
    assert label in [x.value for x in labels]


# Further parameter sets: both bindings agree, and the answer is the stated one.
CASES: list[tuple[str, dict[str, object], tuple[str, ...], list[Row]]] = [
    (
        "roles-by-legal-basis",
        {"legalBasis": "vwfangausbv"},
        ("role", "path", "provision"),
        [
            ("role/verwaltungsfachangestellte", "direct", "legal-basis/vwfangausbv-2"),
            ("role/verwaltungsfachangestellte", "direct", "legal-basis/vwfangausbv-3"),
            ("role/verwaltungsfachangestellte", "direct", "legal-basis/vwfangausbv-4"),
        ],
    ),
    (
        "roles-by-legal-basis",
        {"legalBasis": ID + "legal-basis/ozg-5"},
        ("role", "task"),
        [
            ("role/it-sicherheitsmanager", "task/sicherheitskonzept-erstellen"),
        ],
    ),
    (
        "competencies-per-area",
        {"framework": "qd-metastudie", "lang": "en"},
        ("area", "competences"),
        [
            ("competency/qd-it-bezogene-kompetenzen", "0"),
            ("competency/qd-managementtechniken", "0"),
            ("competency/qd-orientierungskompetenz", "0"),
            ("competency/qd-problemloesungskompetenz", "0"),
            ("competency/qd-selbstorganisationsfaehigkeit", "0"),
            ("competency/qd-soziale-kompetenzen", "0"),
        ],
    ),
    (
        "roles-requiring-competency",
        {"competency": "digcomp-4-4"},
        ("role", "path", "via"),
        [
            ("role/cio", "broader", "competency/digcomp-4"),
            ("role/it-architekt", "direct", None),
            ("role/chief-digital-officer", "task", "task/digitale-transformation-steuern"),
        ],
    ),
    ("training-for-competency", {"competency": "digcomp-4-4"}, ("format",), []),
    (
        "formats-by-kind",
        {"kind": "Weiterbildung", "lang": "en"},
        ("format",),
        [
            ("training-format/digitv-studiengaenge",),
            ("training-format/master-verwaltungsinformatik-unibw",),
            ("training-format/tvoed-fort-und-weiterbildung",),
            ("training-format/tvoed-qualifizierung-arbeitsplatzsicherung",),
            ("training-format/umschulung",),
        ],
    ),
    (
        "search-labels",
        {"text": "DATENKOMPETENZ"},
        ("resource", "label"),
        [
            ("competency/digcomp-1", "Informations- und Datenkompetenz"),
        ],
    ),
    (
        "search-labels",
        {"text": "privacy", "lang": "en"},
        ("resource",),
        [
            ("competency/digcomp-4-2",),
        ],
    ),
    (
        "framework-levels",
        {},
        ("level", "levelLabel"),
        [
            (f"level/digcomp-{i}", name)
            for i, name in enumerate(
                [
                    "Grundlegend 1",
                    "Grundlegend 2",
                    "Selbstständig 3",
                    "Selbstständig 4",
                    "Fortgeschritten 5",
                    "Fortgeschritten 6",
                    "Hoch spezialisiert 7",
                    "Hoch spezialisiert 8",
                ],
                1,
            )
        ],
    ),
]


@pytest.mark.parametrize(("name", "params", "columns", "expected"), CASES)
def test_named_query_cases(
    bundled_ctx: Context,
    name: str,
    params: dict[str, object],
    columns: tuple[str, ...],
    expected: list[Row],
) -> None:
    query = bundled_ctx.registry.get(name)
    result, values, _ = run_both(bundled_ctx.store, query, params)
    assert result.rows == values.rows
    assert table(result, columns) == expected


def test_optional_parameters_widen_the_answer(bundled_ctx: Context) -> None:
    store, registry = bundled_ctx.store, bundled_ctx.registry
    counts, values, _ = run_both(store, registry.get("role-requirements-count"), {})
    assert counts.rows == values.rows
    assert len(counts.rows) == 30  # 19 reference roles, 3 municipal roles, 8 occupations
    assert all(int(short(row["competencies"]) or 0) >= 2 for row in counts.rows)
    groups, _, _ = run_both(store, registry.get("role-groups"), {"lang": "en"})
    assert len(groups.rows) == 30  # every role in exactly one group
    links, values, _ = run_both(store, registry.get("editorial-links"), {})
    assert links.rows == values.rows
    editorial = [
        q
        for q in store.quads(None, NamedNode(QD + "editorial"), None)
        if isinstance(q.object, Literal) and q.object.value == "true"
    ]
    assert len(links.rows) == len(editorial)
    assert {short(row["type"]) for row in links.rows} == {
        "qd:CompetencyRequirement",
        "qd:LearningOutcome",
    }


@pytest.mark.parametrize(
    ("name", "params", "param"),
    [
        ("formats-by-kind", {"kind": "Studium"}, "kind"),
        ("formats-by-kind", {}, "kind"),
        ("roles-requiring-competency", {}, "competency"),
        ("role-tasks", {"role": "not a slug!"}, "role"),
        ("role-tasks", {"role": "cio", "lang": "de-!!"}, "lang"),
        ("search-labels", {"text": "x" * 1001}, "text"),
        ("framework-levels", {"framework": "e-kompetenz", "limit": "3"}, "limit"),
    ],
)
def test_bad_parameters_are_refused(
    bundled_ctx: Context, name: str, params: dict[str, object], param: str
) -> None:
    with pytest.raises(BadParameter) as info:
        bind(bundled_ctx.registry.get(name), params)
    assert info.value.param == param
    assert info.value.status == 422


# --- quality rules -----------------------------------------------------------------------------


def test_quality_rules_pass_on_the_bundled_graph(bundled_ctx: Context) -> None:
    qc = bundled_ctx.registry.qc
    assert len(qc) >= 5
    for name, query in qc.items():
        result = bundled_ctx.store.query(query.text)
        assert isinstance(result, SelectResult)
        assert result.rows == [], name


BROKEN = """
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://w3id.org/qualifica/id/> .

ex:framework\\/a a qd:CompetencyFramework ; skos:prefLabel "A"@de, "A"@en ;
    dcterms:source <https://example.org/a> .
ex:framework\\/b a qd:CompetencyFramework ; skos:prefLabel "B"@de, "B"@en ;
    dcterms:source <https://example.org/b> .
ex:level\\/b-1 a qd:ProficiencyLevel ; qd:levelOf ex:framework\\/b ; qd:rank 1 ;
    skos:prefLabel "B 1"@de, "B 1"@en ; dcterms:source <https://example.org/b> .
ex:competency\\/c a qd:Competency ; skos:inScheme ex:framework\\/a ;
    skos:prefLabel "C"@de, "C"@en ; dcterms:source <https://example.org/a> .

# no requirement, no task, no source, two German labels and no English one
ex:role\\/empty a qd:Role ; skos:prefLabel "Leer"@de, "Leerstelle"@de .
# a task nobody describes
ex:role\\/busy a qd:Role ; skos:prefLabel "B"@de, "B"@en ; dcterms:source <https://example.org/r> ;
    qd:performsTask ex:task\\/ghost ; qd:requires ex:requirement\\/busy-c .
# level of another framework; editorial without the editorial source
ex:requirement\\/busy-c a qd:CompetencyRequirement ; qd:competency ex:competency\\/c ;
    qd:level ex:level\\/b-1 ; qd:editorial true ; skos:prefLabel "R"@de, "R"@en ;
    dcterms:source <https://example.org/r> .
# a requirement nothing points to
ex:requirement\\/orphan-c a qd:CompetencyRequirement ; qd:competency ex:competency\\/c ;
    skos:prefLabel "O"@de, "O"@en ; dcterms:source <https://example.org/r> .
# a plain link outside an editorial graph whose subject cites only the editorial assignment
ex:task\\/guess a qd:Task ; skos:prefLabel "G"@de, "G"@en ;
    dcterms:source ex:source\\/editorial ; qd:legalBasis ex:legal-basis\\/x .
# a format without legal basis and outcome
ex:training-format\\/f a qd:TrainingFormat ; skos:prefLabel "F"@de, "F"@en ;
    dcterms:source <https://example.org/f> .
"""


@pytest.mark.parametrize(
    "rule",
    [
        "dangling-reference-violation",
        "duplicate-preflabel-language-violation",
        "editorial-without-editorial-source-violation",
        "format-without-legal-basis-violation",
        "level-not-in-framework-violation",
        "missing-label-language-violation",
        "offer-without-provider-violation",
        "orphan-link-violation",
        "plain-link-without-provenance-violation",
        "resource-without-source-violation",
        "role-without-requirement-violation",
        "role-without-task-violation",
    ],
)
def test_quality_rule_finds_its_fault(bundled_ctx: Context, rule: str) -> None:
    store = OxigraphStore(None)
    try:
        store.add(
            parse_bytes(
                BROKEN.encode(),
                RdfFormat.TURTLE,
                source="broken.ttl",
                graph="https://w3id.org/qualifica/graph/broken",
            )
        )
        result = store.query(bundled_ctx.registry.qc[rule].text)
        assert isinstance(result, SelectResult)
        assert result.rows, rule
    finally:
        store.close()


def test_duplicate_label_rule_names_the_resource_and_language(bundled_ctx: Context) -> None:
    """One row per resource and language with two different preferred labels: the role with
    two German labels, not the resources with one label per language, and not twice."""
    store = OxigraphStore(None)
    try:
        store.add(parse_bytes(BROKEN.encode(), RdfFormat.TURTLE, source="broken.ttl",
                              graph="https://w3id.org/qualifica/graph/broken"))
        store.add(parse_bytes(
            b'<https://w3id.org/qualifica/id/task/same> '
            b'<http://www.w3.org/2004/02/skos/core#prefLabel> "S"@en , "T"@de .',
            RdfFormat.TURTLE, source="same.ttl", graph="https://w3id.org/qualifica/graph/s"))
        result = store.query(
            bundled_ctx.registry.qc["duplicate-preflabel-language-violation"].text)
        assert isinstance(result, SelectResult)
        found = {(r["resource"].value, r["language"].value) for r in result.rows}
        assert found == {("https://w3id.org/qualifica/id/role/empty", "de")}
        assert len(result.rows) == 1
    finally:
        store.close()
