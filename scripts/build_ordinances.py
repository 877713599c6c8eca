"""Generate data/ordinances.ttl and data/ordinances-en.ttl from the titles below.

The titles are those of FIAusbV § 4 and VwFAngAusbV § 3 as the regulations word them (checked in
the bundestag/gesetze mirror, commit 77abca2); the long lines are these titles.

Usage: python scripts/build_ordinances.py [repository root]
"""
# ruff: noqa: E501

import sys
from pathlib import Path

GII = "https://www.gesetze-im-internet.de/"
MIRROR_DE = ("Wortlaut geprüft in der Fassung von gesetze-im-internet.de, gespiegelt im Repositorium "
             "bundestag/gesetze (Stand 26.03.2022, Commit 77abca2), Datei {f}.")
MIRROR_EN = ("Wording checked in the gesetze-im-internet.de version mirrored in the bundestag/gesetze "
             "repository (state of 26 March 2022, commit 77abca2), file {f}.")
ED = "<https://w3id.org/qualifica/id/source/editorial>"

def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'

# (slug, label de, label en, children) ; children: (num, de, en, subchildren)
FI = dict(
    key="fiausbv", abbr="FIAusbV", file="f/fiausbv/index.md", sec="§ 4", sec_en="section 4",
    url=GII + "fiausbv/__4.html", taught=GII + "fiausbv/__3.html",
    fw_de="Ausbildungsberufsbild nach § 4 FIAusbV",
    fw_en="Occupational profile under section 4 FIAusbV",
    fw_def_de=("Die Berufsbildpositionen der Berufsausbildung zum Fachinformatiker und zur Fachinformatikerin "
               "nach § 4 FIAusbV, gegliedert wie in § 4 Abs. 1: fachrichtungsübergreifende berufsprofilgebende, "
               "berufsprofilgebende je Fachrichtung und fachrichtungsübergreifende, integrativ zu vermittelnde "
               "Fertigkeiten, Kenntnisse und Fähigkeiten."),
    fw_def_en=("The occupational profile items of the initial vocational training as an IT specialist under "
               "section 4 FIAusbV, grouped as in section 4(1): cross-specialisation profile-forming, "
               "profile-forming per specialisation, and cross-specialisation integrated skills, knowledge "
               "and abilities."),
    level_de="Berufliche Handlungsfähigkeit (§ 3 Abs. 2 FIAusbV)",
    level_en="Vocational proficiency (section 3(2) FIAusbV)",
    level_def_de=("Die im Ausbildungsrahmenplan genannten Fertigkeiten, Kenntnisse und Fähigkeiten sollen so "
                  "vermittelt werden, dass die Auszubildenden die berufliche Handlungsfähigkeit nach § 1 Absatz 3 "
                  "des Berufsbildungsgesetzes erlangen; sie schließt insbesondere selbständiges Planen, "
                  "Durchführen und Kontrollieren ein (§ 3 Abs. 2 FIAusbV)."),
    level_def_en=("The skills, knowledge and abilities of the framework training plan are to be taught so that "
                  "trainees attain vocational proficiency under section 1(3) of the Vocational Training Act, "
                  "which includes in particular planning, carrying out and checking work independently "
                  "(section 3(2) FIAusbV)."),
    level_url=GII + "fiausbv/__3.html",
    offer="ausbildung-fachinformatiker", offer_de="Ausbildung zum Fachinformatiker/zur Fachinformatikerin",
    offer_en="Training as an IT specialist",
    groups=[
        ("4-2", "Fachrichtungsübergreifende berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten",
         "Cross-specialisation profile-forming skills, knowledge and abilities", "§ 4 Abs. 1 Nr. 1, Abs. 2",
         "section 4(1) no. 1, 4(2)", None, [
            ("Planen, Vorbereiten und Durchführen von Arbeitsaufgaben in Abstimmung mit den kundenspezifischen Geschäfts- und Leistungsprozessen",
             "Planning, preparing and carrying out work tasks in line with the customer's business and service processes"),
            ("Informieren und Beraten von Kunden und Kundinnen", "Informing and advising customers"),
            ("Beurteilen marktgängiger IT-Systeme und kundenspezifischer Lösungen",
             "Assessing IT systems on the market and customer-specific solutions"),
            ("Entwickeln, Erstellen und Betreuen von IT-Lösungen", "Developing, building and maintaining IT solutions"),
            ("Durchführen und Dokumentieren von qualitätssichernden Maßnahmen",
             "Carrying out and documenting quality assurance measures"),
            ("Umsetzen, Integrieren und Prüfen von Maßnahmen zur IT-Sicherheit und zum Datenschutz",
             "Implementing, integrating and checking IT security and data protection measures"),
            ("Erbringen der Leistungen und Auftragsabschluss", "Delivering services and completing orders"),
            ("Betreiben von IT-Systemen", "Operating IT systems"),
            ("Inbetriebnehmen von Speicherlösungen", "Commissioning storage solutions"),
            ("Programmieren von Softwarelösungen", "Programming software solutions"),
        ]),
        ("4-3", "Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung Anwendungsentwicklung",
         "Profile-forming skills, knowledge and abilities in the specialisation application development",
         "§ 4 Abs. 1 Nr. 2 Buchst. a, Abs. 3", "section 4(1) no. 2(a), 4(3)", "Anwendungsentwicklung", [
            ("Konzipieren und Umsetzen von kundenspezifischen Softwareanwendungen",
             "Designing and implementing customer-specific software applications"),
            ("Sicherstellen der Qualität von Softwareanwendungen", "Assuring the quality of software applications"),
        ]),
        ("4-4", "Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung Systemintegration",
         "Profile-forming skills, knowledge and abilities in the specialisation system integration",
         "§ 4 Abs. 1 Nr. 2 Buchst. b, Abs. 4", "section 4(1) no. 2(b), 4(4)", "Systemintegration", [
            ("Konzipieren und Realisieren von IT-Systemen", "Designing and realising IT systems"),
            ("Installieren und Konfigurieren von Netzwerken", "Installing and configuring networks"),
            ("Administrieren von IT-Systemen", "Administering IT systems"),
        ]),
        ("4-5", "Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung Daten- und Prozessanalyse",
         "Profile-forming skills, knowledge and abilities in the specialisation data and process analysis",
         "§ 4 Abs. 1 Nr. 2 Buchst. c, Abs. 5", "section 4(1) no. 2(c), 4(5)", "Daten- und Prozessanalyse", [
            ("Analysieren von Arbeits- und Geschäftsprozessen", "Analysing work and business processes"),
            ("Analysieren von Datenquellen und Bereitstellen von Daten", "Analysing data sources and providing data"),
            ("Nutzen der Daten zur Optimierung von Arbeits- und Geschäftsprozessen sowie zur Optimierung digitaler Geschäftsmodelle",
             "Using data to optimise work and business processes and digital business models"),
            ("Umsetzen des Datenschutzes und der Schutzziele der Datensicherheit",
             "Implementing data protection and the protection goals of data security"),
        ]),
        ("4-6", "Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung Digitale Vernetzung",
         "Profile-forming skills, knowledge and abilities in the specialisation digital networking",
         "§ 4 Abs. 1 Nr. 2 Buchst. d, Abs. 6", "section 4(1) no. 2(d), 4(6)", "Digitale Vernetzung", [
            ("Analysieren und Planen von Systemen zur Vernetzung von Prozessen und Produkten",
             "Analysing and planning systems for networking processes and products"),
            ("Errichten, Ändern und Prüfen von vernetzten Systemen", "Setting up, changing and testing networked systems"),
            ("Betreiben von vernetzten Systemen und Sicherstellen der Systemverfügbarkeit",
             "Operating networked systems and ensuring system availability"),
        ]),
        ("4-7", "Fachrichtungsübergreifende, integrativ zu vermittelnde Fertigkeiten, Kenntnisse und Fähigkeiten",
         "Cross-specialisation skills, knowledge and abilities to be taught in an integrated way",
         "§ 4 Abs. 1 Nr. 3, Abs. 7", "section 4(1) no. 3, 4(7)", None, [
            ("Berufsbildung sowie Arbeits- und Tarifrecht", "Vocational training, labour law and collective bargaining law"),
            ("Aufbau und Organisation des Ausbildungsbetriebes", "Structure and organisation of the training company"),
            ("Sicherheit und Gesundheitsschutz bei der Arbeit", "Safety and health at work"),
            ("Umweltschutz", "Environmental protection"),
            ("vernetztes Zusammenarbeiten unter Nutzung digitaler Medien", "Networked collaboration using digital media"),
        ]),
    ])

VW = dict(
    key="vwfangausbv", abbr="VwFAngAusbV", file="v/vwfangausbv_1999/index.md", sec="§ 3", sec_en="section 3",
    url=GII + "vwfangausbv_1999/__3.html", taught=GII + "vwfangausbv_1999/__4.html",
    fw_de="Ausbildungsberufsbild nach § 3 VwFAngAusbV",
    fw_en="Occupational profile under section 3 VwFAngAusbV",
    fw_def_de=("Die Fertigkeiten und Kenntnisse, die nach § 3 VwFAngAusbV mindestens Gegenstand der Berufsausbildung "
               "zum Verwaltungsfachangestellten/zur Verwaltungsfachangestellten sind, gegliedert wie in § 3: die der "
               "gemeinsamen Ausbildung (Abs. 1) und die jeder der fünf Fachrichtungen (Abs. 2)."),
    fw_def_en=("The skills and knowledge that under section 3 VwFAngAusbV are at least the subject of the initial "
               "vocational training as an administrative specialist, grouped as in section 3: those of the common "
               "training (subsection 1) and those of each of the five specialisations (subsection 2)."),
    level_de="Qualifizierte berufliche Tätigkeit (§ 4 Abs. 4 VwFAngAusbV)",
    level_en="Qualified occupational activity (section 4(4) VwFAngAusbV)",
    level_def_de=("Die in der Verordnung genannten Fertigkeiten und Kenntnisse sollen so vermittelt werden, dass der "
                  "Auszubildende zur Ausübung einer qualifizierten beruflichen Tätigkeit im Sinne des § 1 Abs. 2 des "
                  "Berufsbildungsgesetzes befähigt wird, die insbesondere selbständiges Planen, Durchführen und "
                  "Kontrollieren einschließt (§ 4 Abs. 4 VwFAngAusbV)."),
    level_def_en=("The skills and knowledge named in the regulation are to be taught so that the trainee is able to "
                  "carry out a qualified occupational activity within the meaning of section 1(2) of the Vocational "
                  "Training Act, which includes in particular planning, carrying out and checking work independently "
                  "(section 4(4) VwFAngAusbV)."),
    level_url=GII + "vwfangausbv_1999/__4.html",
    offer="ausbildung-verwaltungsfachangestellte",
    offer_de="Ausbildung zum Verwaltungsfachangestellten/zur Verwaltungsfachangestellten",
    offer_en="Training as an administrative specialist",
    groups=[
        ("3-1", "Gemeinsame Berufsausbildung", "Common training", "§ 3 Abs. 1 (gemeinsame Berufsausbildung nach § 4 Abs. 1)",
         "section 3(1) (common training under section 4(1))", None, [
            ("der Ausbildungsbetrieb", "The training organisation", [
                ("Struktur, Stellung und Aufgaben des Ausbildungsbetriebes", "Structure, position and tasks of the training organisation"),
                ("Berufsbildung", "Vocational training"),
                ("Sicherheit und Gesundheitsschutz bei der Arbeit", "Safety and health at work"),
                ("Umweltschutz", "Environmental protection")]),
            ("Arbeitsorganisation und bürowirtschaftliche Abläufe", "Work organisation and office procedures"),
            ("Informations- und Kommunikationssysteme", "Information and communication systems"),
            ("Kommunikation und Kooperation", "Communication and cooperation"),
            ("Verwaltungsbetriebswirtschaft", "Public administration business management", [
                ("Betriebliche Organisation", "Organisation"),
                ("Haushaltswesen", "Budgeting"),
                ("Rechnungswesen", "Accounting"),
                ("Beschaffung", "Procurement")]),
            ("Personalwesen", "Human resources"),
            ("Allgemeines Verwaltungsrecht und Verwaltungsverfahren", "General administrative law and administrative procedure"),
        ]),
        ("3-2-1", "Fachrichtung Bundesverwaltung", "Specialisation federal administration", "§ 3 Abs. 2 Nr. 1",
         "section 3(2) no. 1", "Bundesverwaltung", [
            ("Fallbezogene Rechtsanwendung", "Case-related application of law"),
            ("Verwaltungshandeln in Arbeitsgebieten des Ausbildungsbetriebes", "Administrative action in the training organisation's fields of work"),
            ("Personalwirtschaft", "Personnel management")]),
        ("3-2-2", "Fachrichtung Landesverwaltung", "Specialisation state administration", "§ 3 Abs. 2 Nr. 2",
         "section 3(2) no. 2", "Landesverwaltung", [
            ("Fallbezogene Rechtsanwendung", "Case-related application of law"),
            ("Handeln in Gebieten des besonderen Verwaltungsrechts", "Action in fields of special administrative law")]),
        ("3-2-3", "Fachrichtung Kommunalverwaltung", "Specialisation municipal administration", "§ 3 Abs. 2 Nr. 3",
         "section 3(2) no. 3", "Kommunalverwaltung", [
            ("Fallbezogene Rechtsanwendung", "Case-related application of law"),
            ("Handeln in Gebieten des besonderen Verwaltungsrechts", "Action in fields of special administrative law"),
            ("Kommunalrecht", "Municipal law")]),
        ("3-2-4", "Fachrichtung Handwerksorganisation und Industrie- und Handelskammern",
         "Specialisation craft organisations and chambers of industry and commerce", "§ 3 Abs. 2 Nr. 4",
         "section 3(2) no. 4", "Handwerksorganisation und Industrie- und Handelskammern", [
            ("Fallbezogene Rechtsanwendung", "Case-related application of law"),
            ("Selbstverwaltungsrecht", "Law of self-administration"),
            ("Wirtschaftsrecht und Wirtschaftsverwaltung", "Commercial law and economic administration"),
            ("Berufsbildungsrecht", "Vocational training law")]),
        ("3-2-5", "Fachrichtung Kirchenverwaltung in den Gliedkirchen der Evangelischen Kirche in Deutschland",
         "Specialisation church administration in the member churches of the Evangelical Church in Germany",
         "§ 3 Abs. 2 Nr. 5", "section 3(2) no. 5", "Kirchenverwaltung in den Gliedkirchen der Evangelischen Kirche in Deutschland", [
            ("Fallbezogene Rechtsanwendung", "Case-related application of law"),
            ("Kirchliches Verfassungs- und Verwaltungsrecht", "Church constitutional and administrative law"),
            ("Verwaltungshandeln in Arbeitsgebieten des Ausbildungsbetriebes", "Administrative action in the training organisation's fields of work")]),
    ])

PFX = """@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix competency: <https://w3id.org/qualifica/id/competency/> .
@prefix framework: <https://w3id.org/qualifica/id/framework/> .
@prefix level: <https://w3id.org/qualifica/id/level/> .
@prefix format: <https://w3id.org/qualifica/id/training-format/> .
@prefix outcome: <https://w3id.org/qualifica/id/outcome/> .
"""

de, en, develops = [], [], {}


def emit(o):
    k, src, taught = o["key"], f"<{o['url']}>", f"<{o['taught']}>"
    fw = f"framework:{k}-ausbildungsberufsbild"
    mirror_de = MIRROR_DE.format(f=o["file"])
    mirror_en = MIRROR_EN.format(f=o["file"])
    de.append(f"""{fw}
    a qd:CompetencyFramework, skos:ConceptScheme ;
    skos:prefLabel {q(o['fw_de'])}@de ;
    skos:definition {q(o['fw_def_de'])}@de ;
    skos:scopeNote {q(mirror_de)}@de, {q(mirror_en)}@en ;
    dcterms:source {src} .
""")
    en.append(f"""{fw}
    skos:prefLabel {q(o['fw_en'])}@en ;
    skos:definition {q(o['fw_def_en'])}@en .
""")
    lv = f"level:{k}-handlungsfaehigkeit"
    de.append(f"""{lv}
    a qd:ProficiencyLevel ;
    skos:prefLabel {q(o['level_de'])}@de ;
    skos:notation "1" ;
    skos:definition {q(o['level_def_de'])}@de ;
    skos:scopeNote {q("Die Verordnung kennt keine Stufenskala; sie nennt für alle Positionen ihres Ausbildungsberufsbildes dieses eine Ziel der Ausbildung.")}@de, {q("The regulation has no scale of levels; it names this one aim of the training for all items of its occupational profile.")}@en ;
    qd:rank 1 ;
    qd:levelOf {fw} ;
    dcterms:source <{o['level_url']}> .
""")
    en.append(f"""{lv}
    skos:prefLabel {q(o['level_en'])}@en ;
    skos:definition {q(o['level_def_en'])}@en .
""")
    outs = []

    def concept(slug, lab_de, lab_en, def_de, def_en, broader, top, fachrichtung):
        c = f"competency:{k}-{slug}"
        extra = f", <{GII}vwfangausbv_1999/__4.html>" if "§ 4 Abs. 1" in def_de else ""
        rel = f"    skos:topConceptOf {fw} ;\n" if top else f"    skos:broader {broader} ;\n"
        de.append(f"""{c}
    a qd:Competency, skos:Concept ;
    skos:prefLabel {q(lab_de)}@de ;
    skos:definition {q(def_de)}@de ;
    skos:inScheme {fw} ;
{rel}    dcterms:source {src}{extra} .
""")
        en.append(f"""{c}
    skos:prefLabel {q(lab_en)}@en ;
    skos:definition {q(def_en)}@en .
""")
        if not top:
            oid = f"outcome:{o['offer']}-{k}-{slug}"
            sn = ""
            if fachrichtung:
                sn = (f"    skos:scopeNote {q('Nur in der Fachrichtung ' + fachrichtung + '.')}@de, "
                      f"{q('Only in the specialisation ' + fachrichtung + '.')}@en ;\n")
            de.append(f"""{oid}
    a qd:LearningOutcome ;
    skos:prefLabel {q(o['offer_de'] + ' – ' + lab_de)}@de ;
    qd:competency {c} ;
    qd:level {lv} ;
{sn}    dcterms:source {src}, {taught} .
""")
            en.append(f"""{oid}
    skos:prefLabel {q(o['offer_en'] + ' – ' + lab_en)}@en .
""")
            outs.append(oid)
        return c

    for g in o["groups"]:
        gslug, gde, gen_, gsec_de, gsec_en, fr, items = g
        gc = concept(gslug, gde, gen_,
                     f"Gruppe von Positionen des Ausbildungsberufsbildes nach {gsec_de} {o['abbr']}.",
                     f"Group of items of the occupational profile under {gsec_en} {o['abbr']}.",
                     None, True, fr)
        for i, it in enumerate(items, 1):
            slug = f"{gslug}-{i}"
            parts = gslug.split("-")
            if k == "fiausbv":
                num_de, num_en = f"§ 4 Abs. {parts[1]} Nr. {i}", f"section 4({parts[1]}) no. {i}"
            elif len(parts) == 2:
                num_de, num_en = f"§ 3 Abs. 1 Nr. {i}", f"section 3(1) no. {i}"
            else:
                num_de, num_en = f"§ 3 Abs. 2 Nr. {parts[2]}.{i}", f"section 3(2) no. {parts[2]}.{i}"
            pos_de = "Berufsbildposition" if k == "fiausbv" else "Fertigkeiten und Kenntnisse"
            pos_en = "Occupational profile item" if k == "fiausbv" else "Skills and knowledge"
            ic = concept(slug, it[0], it[1], f"{pos_de} nach {num_de} {o['abbr']}.",
                         f"{pos_en} under {num_en} {o['abbr']}.", gc, False, fr)
            for j, sub in enumerate(it[2] if len(it) > 2 else [], 1):
                concept(f"{slug}-{j}", sub[0], sub[1], f"{pos_de} nach {num_de}.{j} {o['abbr']}.",
                        f"{pos_en} under {num_en}.{j} {o['abbr']}.", ic, False, fr)
    develops[o["offer"]] = outs
    de.append(f"format:{o['offer']}\n    qd:develops " + ",\n        ".join(outs) + " .\n")


emit(FI)
emit(VW)
head_de = """# The occupational profiles (Ausbildungsberufsbild) of two training regulations as competency
# frameworks: FIAusbV § 4 (Berufsbildpositionen) and VwFAngAusbV § 3, with the German titles
# as the regulations word them, grouped as the regulations group them, and the learning outcomes of
# the two apprenticeships (FIAusbV § 3, VwFAngAusbV § 4: the training teaches them). Wording checked
# in the bundestag/gesetze mirror of gesetze-im-internet.de (state of 26 March 2022, commit
# 77abca2), files f/fiausbv/index.md and v/vwfangausbv_1999/index.md. English titles and
# definitions are this project's translation, in data/ordinances-en.ttl (an editorial graph).
# Generated by scripts/build_ordinances.py.

"""
head_en = """# This project's English text for the occupational profiles in data/ordinances.ttl: titles and
# definitions of the frameworks, levels and items. No official English version of the FIAusbV or
# the VwFAngAusbV is cited, so every statement here is editorial: the graph describes itself with
# the editorial source. Generated by scripts/build_ordinances.py.

"""
NOTE = ('    skos:editorialNote "Englische Bezeichnung und Beschreibung: Übersetzung des '
        'Qualifica-Projekts."@de, "English title and description: this project\'s '
        'translation."@en .\n')
en = [e[:-3] + " ;\n" + NOTE if e.endswith(" .\n") else e for e in en]
en.append("""<https://w3id.org/qualifica/graph/ordinances-en>
    skos:prefLabel "Englische Texte zu den Ausbildungsberufsbildern (Übersetzung des Qualifica-Projekts)"@de, "English text for the occupational profiles (this project's translation)"@en ;
    dcterms:source <https://w3id.org/qualifica/id/source/editorial> .
""")
root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
(root / "data" / "ordinances.ttl").write_text(head_de + PFX + "\n" + "\n".join(de), encoding="utf-8")
(root / "data" / "ordinances-en.ttl").write_text(head_en + PFX + "\n" + "\n".join(en), encoding="utf-8")
for k, v in develops.items():
    sys.stderr.write(f"{k}: {len(v)} outcomes\n")
