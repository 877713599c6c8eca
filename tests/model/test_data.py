"""The bundled knowledge graph: it loads through the SHACL gate, conforms without warnings, is
complete where the domain says so (roles, DigComp, levels, tasks, formats, legal bases) and cites
only the sources the domain names."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode

from qualifica.context import Context
from qualifica.namespaces import DCTERMS, GRAPH, ID, PREFIXES, QD, RDF, SKOS, XSD
from qualifica.sparql.binding import bind
from qualifica.store.base import SelectResult
from qualifica.store.stamps import in_stamp_graph
from qualifica.validation.shacl import parse_files, shapes_of, to_rdflib

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
VOCAB_FILE = ROOT / "ontology" / "vocab" / "frameworks.ttl"
EDITORIAL = ID + "source/editorial"

TYPE = NamedNode(RDF + "type")
PREF = NamedNode(SKOS + "prefLabel")
SOURCE = NamedNode(DCTERMS + "source")


def qd(name: str) -> NamedNode:
    return NamedNode(QD + name)


def node(kind: str, slug: str) -> NamedNode:
    return NamedNode(f"{ID}{kind}/{slug}")


def instances(ctx: Context, cls: str) -> set[str]:
    return {q.subject.value for q in ctx.store.quads(None, TYPE, qd(cls))}


def objects(ctx: Context, subject: str, predicate: NamedNode) -> list[str]:
    return [q.object.value for q in ctx.store.quads(NamedNode(subject), predicate, None)]


def labels(ctx: Context, subject: str) -> dict[str, str]:
    return {q.object.language or "": q.object.value
            for q in ctx.store.quads(NamedNode(subject), PREF, None)
            if isinstance(q.object, Literal)}


def rank(ctx: Context, level: str) -> int:
    return int(objects(ctx, level, qd("rank"))[0])


# --- loading and validation ------------------------------------------------------------------

def test_bundled_graph_loaded_through_the_gate(bundled_ctx: Context) -> None:
    graphs = bundled_ctx.store.named_graphs()
    for stem in ("digcomp", "competencies", "legal-bases", "training", "roles", "tasks",
                 "requirements", "sources", "frameworks"):
        assert GRAPH + stem in graphs
    assert bundled_ctx.store.count() > 3500


def test_bundled_graph_conforms_without_warnings(bundled_ctx: Context) -> None:
    quads = [q for qs in parse_files(bundled_ctx.bundled_files()).values() for q in qs]
    report = shapes_of(bundled_ctx).validate(to_rdflib(quads))
    assert report.conforms, report.text("en")
    assert report.findings == [], report.text("en")


def test_files_use_the_project_prefixes() -> None:
    declared = re.compile(r"^@prefix\s+([\w-]*):\s+<([^>]+)>\s*\.", re.MULTILINE)
    for path in [*DATA_FILES, VOCAB_FILE]:
        prefixes = declared.findall(path.read_text(encoding="utf-8"))
        assert prefixes, path
        for name, iri in prefixes:
            assert PREFIXES.get(name) == iri, f"{path.name}: prefix {name}: <{iri}>"


# --- roles and tasks -------------------------------------------------------------------------

E_KOMPETENZ_ROLES = [
    "cio", "it-koordinator", "it-architekt", "it-projektmanager", "it-anforderungsmanager",
    "it-controller", "it-sicherheitsmanager", "organisations-changemanager", "prozessmanager",
    "innovationsmanager", "fachaufgabentraeger", "fachanwendungsbetreuer", "agenda-setter",
    "berater-dienstleister", "anwender", "betreuung", "schulung", "entwicklung", "betrieb",
]
OTHER_ROLES = [
    "chief-digital-officer", "digitalisierungsbeauftragte", "digitallotse",
    "verwaltungsfachangestellte", "fachinformatiker-anwendungsentwicklung",
    "fachinformatiker-systemintegration", "fachinformatiker-daten-und-prozessanalyse",
    "fachinformatiker-digitale-vernetzung", "verwaltungsinformatikdienst-gehoben", "finanzwirt",
    "kaufleute-bueromanagement",
]


def test_roles_include_every_named_role(bundled_ctx: Context) -> None:
    roles = instances(bundled_ctx, "Role")
    assert len(roles) >= 21
    for slug in E_KOMPETENZ_ROLES + OTHER_ROLES:
        assert node("role", slug).value in roles, slug
    assert labels(bundled_ctx, node("role", "prozessmanager").value) == {
        "de": "Prozessmanager/-in", "en": "Process manager"}


def test_every_role_has_tasks_requirements_and_a_group(bundled_ctx: Context) -> None:
    for role in instances(bundled_ctx, "Role"):
        assert objects(bundled_ctx, role, qd("performsTask")), role
        assert objects(bundled_ctx, role, qd("requires")), role
        groups = objects(bundled_ctx, role, qd("roleGroup"))
        assert len(groups) == 1 and labels(bundled_ctx, groups[0]).keys() == {"de", "en"}, role


def test_occupations_have_their_ordinances(bundled_ctx: Context) -> None:
    # the title Finanzwirt/in comes with the career qualification of § 3 StBAG (audit §7.6)
    assert objects(bundled_ctx, node("role", "finanzwirt").value, qd("legalBasis")) == [
        node("legal-basis", "stbag-3").value]
    vfa = objects(bundled_ctx, node("role", "verwaltungsfachangestellte").value, qd("legalBasis"))
    assert sorted(v.rsplit("/", 1)[1] for v in vfa) == [
        "vwfangausbv-2", "vwfangausbv-3", "vwfangausbv-4"]
    for spec in ("anwendungsentwicklung", "systemintegration", "daten-und-prozessanalyse",
                 "digitale-vernetzung"):
        bases = objects(bundled_ctx, node("role", f"fachinformatiker-{spec}").value,
                        qd("legalBasis"))
        assert bases == [node("legal-basis", "fiausbv").value]


def test_tasks_are_many_and_all_performed(bundled_ctx: Context) -> None:
    tasks = instances(bundled_ctx, "Task")
    assert len(tasks) >= 40
    performed = {q.object.value for q in bundled_ctx.store.quads(None, qd("performsTask"), None)}
    assert tasks == performed


def test_requirement_shapes_of_the_data(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    requirements = instances(ctx, "CompetencyRequirement")
    assert len(requirements) > 100
    for req in requirements:
        # IRI = requirement/{holder}-{competency}
        holders = [q.subject for q in ctx.store.quads(None, qd("requires"), NamedNode(req))]
        assert len(holders) == 1
        competency = objects(ctx, req, qd("competency"))[0]
        assert req == f"{ID}requirement/{holders[0].value.rsplit('/', 1)[1]}-" \
                      f"{competency.rsplit('/', 1)[1]}"
        assert objects(ctx, req, qd("essential")) in (["true"], ["false"])
        assert objects(ctx, req, qd("editorial")) == ["true"]
        sources = objects(ctx, req, SOURCE)
        assert EDITORIAL in sources and len(sources) >= 2
    assert labels(ctx, node("requirement", "prozessmanager-digcomp-4-2").value) == {
        "de": "Prozessmanager/-in – 4.2 (Stufe 5)", "en": "Process manager – 4.2 (level 5)"}


def test_requirement_reached_only_through_a_task(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    role = node("role", "fachinformatiker-systemintegration").value
    own = {objects(ctx, r, qd("competency"))[0] for r in objects(ctx, role, qd("requires"))}
    via_tasks = {objects(ctx, r, qd("competency"))[0]
                 for t in objects(ctx, role, qd("performsTask"))
                 for r in objects(ctx, t, qd("requires"))}
    assert node("competency", "digcomp-4-1").value in via_tasks - own


def test_a_role_requires_a_broader_digcomp_area(bundled_ctx: Context) -> None:
    areas = {node("competency", f"digcomp-{i}").value for i in range(1, 6)}
    required = {q.object.value for q in bundled_ctx.store.quads(None, qd("competency"), None)
                if q.subject.value.startswith(ID + "requirement/")}
    assert required & areas


# --- competencies, frameworks, levels --------------------------------------------------------

def test_digcomp_has_5_areas_and_21_competences(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    scheme = node("framework", "digcomp-2-2")
    in_scheme = {q.subject.value
                 for q in ctx.store.quads(None, NamedNode(SKOS + "inScheme"), scheme)}
    areas = {q.subject.value
             for q in ctx.store.quads(None, NamedNode(SKOS + "topConceptOf"), scheme)}
    assert areas == {node("competency", f"digcomp-{i}").value for i in range(1, 6)}
    competences = in_scheme - areas
    assert len(competences) == 21
    per_area: dict[str, int] = defaultdict(int)
    for c in competences:
        broader = objects(ctx, c, NamedNode(SKOS + "broader"))
        assert len(broader) == 1 and broader[0] in areas, c
        notation = objects(ctx, c, NamedNode(SKOS + "notation"))[0]
        assert c.endswith("digcomp-" + notation.replace(".", "-"))
        per_area[broader[0].rsplit("-", 1)[1]] += 1
    assert dict(per_area) == {"1": 3, "2": 6, "3": 4, "4": 4, "5": 4}
    assert labels(ctx, node("competency", "digcomp-4-2").value) == {
        "de": "Schutz personenbezogener Daten und der Privatsphäre",
        "en": "Protecting personal data and privacy"}
    assert labels(ctx, node("competency", "digcomp-1").value)["de"] == \
        "Informations- und Datenkompetenz"
    assert labels(ctx, node("competency", "digcomp-4").value)["de"] == "Sicherheit"


def test_blv_and_meta_study_competencies(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    expected = {
        "blv-kompetenzen": {"Fachkompetenz", "Methodenkompetenz", "Soziale Kompetenz"},
        "qd-metastudie": {"Selbstorganisationsfähigkeit", "Problemlösungskompetenz",
                          "Soziale Kompetenzen", "Orientierungskompetenz",
                          "Managementtechniken", "IT-bezogene Kompetenzen"},
    }
    for framework, names in expected.items():
        members = [q.subject.value for q in ctx.store.quads(
            None, NamedNode(SKOS + "inScheme"), node("framework", framework))]
        assert {labels(ctx, m)["de"] for m in members} == names


def test_frameworks(bundled_ctx: Context) -> None:
    frameworks = instances(bundled_ctx, "CompetencyFramework")
    assert frameworks == {node("framework", s).value for s in (
        "digcomp-2-2", "e-kompetenz", "blv-kompetenzen", "qd-metastudie",
        "fiausbv-ausbildungsberufsbild", "vwfangausbv-ausbildungsberufsbild")}
    for f in frameworks:
        types = objects(bundled_ctx, f, TYPE)
        assert SKOS + "ConceptScheme" in types
        assert objects(bundled_ctx, f, NamedNode(SKOS + "definition"))
        assert objects(bundled_ctx, f, SOURCE)
    assert objects(bundled_ctx, node("framework", "digcomp-2-2").value, SOURCE) == [
        "https://doi.org/10.2760/115376"]


def test_digcomp_has_8_levels_and_the_mastery_scale_3(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    digcomp = [node("level", f"digcomp-{i}").value for i in range(1, 9)]
    for i, level in enumerate(digcomp, 1):
        assert rank(ctx, level) == i
        assert objects(ctx, level, qd("levelOf")) == [node("framework", "digcomp-2-2").value]
    assert labels(ctx, digcomp[0]) == {"de": "Grundlegend 1", "en": "Foundation 1"}
    assert labels(ctx, digcomp[7]) == {"de": "Hoch spezialisiert 8", "en": "Highly specialised 8"}
    frameworks = {node("framework", f).value
                  for f in ("e-kompetenz", "blv-kompetenzen", "qd-metastudie")}
    for i in range(1, 4):
        level = node("level", f"e-kompetenz-{i}").value
        assert rank(ctx, level) == i
        assert set(objects(ctx, level, qd("levelOf"))) == frameworks
        assert EDITORIAL in objects(ctx, level, SOURCE)
    # 8 DigComp levels, 3 mastery levels, the one aim each of the two ordinances states
    assert len(instances(ctx, "ProficiencyLevel")) == 13


# --- training formats ------------------------------------------------------------------------

def test_every_format_has_kind_outcomes_and_a_section_level_basis(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    formats = instances(ctx, "TrainingFormat")
    assert len(formats) >= 20
    kinds: dict[str, int] = defaultdict(int)
    for f in formats:
        kind = objects(ctx, f, qd("kind"))
        assert len(kind) == 1
        kinds[kind[0].rsplit("#", 1)[1]] += 1
        outcomes = objects(ctx, f, qd("develops"))
        # only offers develop competencies; a legal form of training develops none (audit T6)
        is_form = QD + "LegalFormOfTraining" in objects(ctx, f, TYPE)
        assert (not outcomes) if is_form else bool(outcomes), f
        for o in outcomes:
            assert o == f"{ID}outcome/{f.rsplit('/', 1)[1]}-" \
                        f"{objects(ctx, o, qd('competency'))[0].rsplit('/', 1)[1]}"
        bases = objects(ctx, f, qd("legalBasis"))
        assert any(objects(ctx, b, qd("partOf")) for b in bases), f
    assert set(kinds) == {"Ausbildung", "Fortbildung", "Weiterbildung"}


def test_named_formats_exist(bundled_ctx: Context) -> None:
    formats = instances(bundled_ctx, "TrainingFormat")
    for slug in ("tvoed-erhaltungsqualifizierung", "tvoed-fort-und-weiterbildung",
                 "tvoed-qualifizierung-arbeitsplatzsicherung",
                 "tvoed-wiedereinstiegsqualifizierung", "digitv-massgeschneiderte-kurse",
                 "digitv-allgemeingueltige-kurse", "digitv-studiengaenge", "berufsausbildung",
                 "berufliche-fortbildung", "umschulung", "gepruefte-berufsspezialistin",
                 "bachelor-professional", "master-professional",
                 "vorbereitungsdienst-verwaltungsinformatik",
                 "vorbereitungsdienst-technischer-verwaltungsdienst-itzbund",
                 "vorbereitungsdienst-digitale-verwaltung-cyber-sicherheit",
                 "master-verwaltungsinformatik-unibw", "egov-campus-prozessmanagement",
                 "egov-campus-verwaltungsportale", "digitaljourney", "dienstliche-qualifizierung"):
        assert node("training-format", slug).value in formats, slug
    tvoed = objects(bundled_ctx, node("training-format", "tvoed-erhaltungsqualifizierung").value,
                    qd("legalBasis"))
    assert tvoed == [node("legal-basis", "tvoed-5").value]


def test_outcomes_whose_level_no_source_states_are_editorial(bundled_ctx: Context) -> None:
    """No source states the level any format reaches on a DigComp, e-competence, BLV or QD scale
    (audit P1): every such outcome is editorial. Only the outcomes of the two apprenticeships on
    their ordinances' occupational profiles are stated by a source (the ordinance's aim of
    training as their level). In-service qualification under § 47 BLV is a legal form now and
    develops nothing."""
    ctx = bundled_ctx
    stated = [q.subject.value for q in ctx.store.quads(
        None, qd("editorial"), Literal("false", datatype=NamedNode(XSD + "boolean")))]
    assert stated == []
    ordinance_levels = {node("level", "fiausbv-handlungsfaehigkeit").value,
                        node("level", "vwfangausbv-handlungsfaehigkeit").value}
    for outcome in instances(ctx, "LearningOutcome"):
        if objects(ctx, outcome, qd("level"))[0] in ordinance_levels:
            assert objects(ctx, outcome, qd("editorial")) == [], outcome
            assert EDITORIAL not in objects(ctx, outcome, SOURCE), outcome
            continue
        assert objects(ctx, outcome, qd("editorial")) == ["true"], outcome
        assert EDITORIAL in objects(ctx, outcome, SOURCE), outcome
    dq = node("training-format", "dienstliche-qualifizierung").value
    assert QD + "LegalFormOfTraining" in objects(ctx, dq, TYPE)
    assert objects(ctx, dq, qd("develops")) == []


# --- legal bases -----------------------------------------------------------------------------

ACTS = ["bbig", "vwfangausbv", "fiausbv", "bbg", "blv", "tvoed", "tv-l", "digitv-bund", "ozg",
        "ozg-aenderungsgesetz", "egovg", "vo-verwaltungsinformatikdienst-gehoben", "stbag",
        "gtditzbundvdv", "gntvddvcsvdv", "bueromkfausbv", "mvitaufstv"]
SECTIONS = ["bbig-1", "bbig-3", "bbig-5", "bbig-53", "bbig-53a", "bbig-53b", "bbig-53c",
            "bbig-53d", "bbig-53e", "bbig-58", "bbig-73", "vwfangausbv-2", "vwfangausbv-3",
            "vwfangausbv-4", "bbg-61", "bbg-78", "blv-46", "blv-47", "tvoed-5", "tv-l-5",
            "digitv-bund-4", "ozg-1", "ozg-1a", "ozg-3", "ozg-3a", "ozg-4", "ozg-5", "ozg-9a",
            "egovg-6", "egovg-9", "stbag-3", "gtditzbundvdv-1", "gntvddvcsvdv-1", "mvitaufstv-1",
            "bueromkfausbv-1"]


def test_legal_bases_acts_and_sections(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    bases = instances(ctx, "LegalBasis")
    assert bases == {node("legal-basis", s).value for s in ACTS + SECTIONS}
    for section in SECTIONS:
        iri = node("legal-basis", section).value
        act = objects(ctx, iri, qd("partOf"))
        assert act == [node("legal-basis", section.rsplit("-", 1)[0]).value], section
        assert objects(ctx, iri, NamedNode(SKOS + "scopeNote")), section  # the "as of" note
    for act in ACTS:
        iri = node("legal-basis", act).value
        assert not objects(ctx, iri, qd("partOf"))
        assert objects(ctx, iri, NamedNode(DCTERMS + "identifier")), act


def test_legal_sources_by_kind_of_norm(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    gii = "https://www.gesetze-im-internet.de/"
    assert objects(ctx, node("legal-basis", "bbig-1").value, SOURCE) == [gii + "bbig_2005/__1.html"]
    for agreement in ("tvoed", "tvoed-5", "digitv-bund", "digitv-bund-4", "tv-l"):
        sources = [q.object for q in ctx.store.quads(
            node("legal-basis", agreement), SOURCE, None)]
        assert sources and all(isinstance(s, Literal) for s in sources), agreement
    schema_same_as = NamedNode("https://schema.org/sameAs")
    assert objects(ctx, node("legal-basis", "ozg-aenderungsgesetz").value, schema_same_as) == [
        "https://www.recht.bund.de/eli/bund/bgbl-1/2024/245"]
    assert objects(ctx, node("legal-basis", "vo-verwaltungsinformatikdienst-gehoben").value,
                   schema_same_as) == ["https://www.recht.bund.de/eli/bund/bgbl-1/2024/284"]


# --- sources ---------------------------------------------------------------------------------

ALLOWED_SOURCES = (
    EDITORIAL, ID + "legal-basis/", "https://doi.org/10.2760/115376",
    "https://github.com/dini-ag-kim/digComp", "urn:isbn:978-3-946209-03-4",
    "https://www.qualifica-digitalis.de/", "https://www.fokus.fraunhofer.de/",
    "https://trendreport.digitaler-staat.org/", "https://egov-campus.org/",
    "https://www.bakoev.bund.de/", "https://www.digitalakademie.bund.de/",
    "https://www.gesetze-im-internet.de/",
    "https://www.recht.bund.de/eli/bund/bgbl-1/2024/",
    # stored pages that state what the 2022 text of gesetze-im-internet.de cannot: the OZG 2.0
    # numbering and the GVIDVDV of 2024 (both described in sources.ttl)
    "https://gesetze.legal/bund/ozg", "https://buzer.de/gesetz/16606/b46619.htm",
    # the MVITAufstV of 2023 (buzer.de), the two eGov-Campus modules named in the dbb magazin,
    # the DQR level of the Fachinformatiker/-in qualification
    "https://buzer.de/gesetz/15809/b43409.htm",
    "https://dbb.de/fileadmin/user_upload/dbb/epaper/dbb_magazin_23_04/28",
    "https://kampuspedia.com/de/Fachinformatiker",
    # German DigComp area titles (DigComp 2.3 AT) and level names (DigComp 2.2 AT)
    "https://www.etc.at/?p=3140", "https://www.fit4internet.at/view/verstehen-das-modell",
    # the text of the e-competence study's role figure (the 19 roles and their groups)
    "https://vdocuments.mx/rollen-und-kompetenzen-foer-eine-erfolgreiche-aus-und-"
    "fortbildungsplanung-ist-er.html",
    # the DQR list of assigned qualifications (level 4 for three-year dual apprenticeships)
    "https://de.scribd.com/document/367248158/DQR-Liste-Der-Zugeordneten-Qualifikationen",
)


def test_every_subject_of_the_data_has_a_source() -> None:
    graph = to_rdflib(q for qs in parse_files([*DATA_FILES, VOCAB_FILE]).values() for q in qs)
    bibliographic = rdflib.URIRef(DCTERMS + "BibliographicResource")
    source = rdflib.URIRef(DCTERMS + "source")
    subjects = set(graph.subjects())
    described = set(graph.subjects(rdflib.RDF.type, bibliographic))
    missing = [s for s in subjects - described if (s, source, None) not in graph]
    assert missing == []
    assert len(subjects) > 350


def test_only_the_domain_sources_are_cited(bundled_ctx: Context) -> None:
    cited = {q.object.value for q in bundled_ctx.store.quads(None, SOURCE, None)
             if isinstance(q.object, NamedNode)}
    stray = sorted(c for c in cited if not c.startswith(ALLOWED_SOURCES))
    assert stray == []
    described = {q.subject.value for q in bundled_ctx.store.quads(
        None, TYPE, NamedNode(DCTERMS + "BibliographicResource"))}
    for iri in cited - described:
        assert iri.startswith((ID + "legal-basis/", "https://www.gesetze-im-internet.de/",
                               "https://www.recht.bund.de/")), iri


@pytest.mark.parametrize("kind", ["role", "task", "competency", "training-format", "legal-basis",
                                  "requirement", "outcome", "level", "framework"])
def test_every_instance_has_one_label_per_language(bundled_ctx: Context, kind: str) -> None:
    cls = {"role": "Role", "task": "Task", "competency": "Competency",
           "training-format": "TrainingFormat", "legal-basis": "LegalBasis",
           "requirement": "CompetencyRequirement", "outcome": "LearningOutcome",
           "level": "ProficiencyLevel", "framework": "CompetencyFramework"}[kind]
    members = instances(bundled_ctx, cls)
    assert members
    for member in members:
        assert member.startswith(f"{ID}{kind}/")
        langs = [q.object.language for q in bundled_ctx.store.quads(NamedNode(member), PREF, None)
                 if isinstance(q.object, Literal)]
        assert sorted(langs) == ["de", "en"], member


# --- legal bases at their current wording (audit 2026-12, L1-L13) ----------------------------

def literal_values(ctx: Context, subject: str, predicate: str) -> dict[str, str]:
    return {q.object.language or "": q.object.value
            for q in ctx.store.quads(NamedNode(subject), NamedNode(predicate), None)
            if isinstance(q.object, Literal)}


def test_bbg_61_duty_is_subsection_3_since_2021(bundled_ctx: Context) -> None:
    iri = node("legal-basis", "bbg-61").value
    definition = literal_values(bundled_ctx, iri, SKOS + "definition")
    assert definition["de"].startswith("Abs. 3:") and "dienstlichen Qualifizierung" in \
        definition["de"]
    assert objects(bundled_ctx, iri, NamedNode(DCTERMS + "identifier")) == [
        "BGBl. I 2009 S. 160, § 61 Abs. 3"]
    qualification = literal_values(bundled_ctx, node("training-format",
                                                     "dienstliche-qualifizierung").value,
                                   SKOS + "definition")
    assert "§ 61 Abs. 3 BBG" in qualification["de"] and "Abs. 2 BBG" not in qualification["de"]


def test_bbig_cited_as_re_promulgated_in_2020(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    assert objects(ctx, node("legal-basis", "bbig").value, NamedNode(DCTERMS + "identifier")) \
        == ["BGBl. I 2020 S. 920"]
    for section in ("bbig-1", "bbig-53a", "bbig-53b", "bbig-53c", "bbig-53d", "bbig-53e"):
        identifier = objects(ctx, node("legal-basis", section).value,
                             NamedNode(DCTERMS + "identifier"))
        assert identifier[0].startswith("BGBl. I 2020 S. 920, § "), section
        assert "2005" not in identifier[0]
    assert "Abs. 4" in literal_values(ctx, node("legal-basis", "bbig-1").value,
                                      SKOS + "definition")["de"]
    assert literal_values(ctx, node("legal-basis", "bbig-53").value, SKOS + "prefLabel")["de"] \
        == "§ 53 BBiG – Fortbildungsordnungen der höherqualifizierenden Berufsbildung"
    for stage in ("53b", "53c", "53d"):  # the sections state no DQR level
        assert "DQR" not in literal_values(ctx, node("legal-basis", f"bbig-{stage}").value,
                                           SKOS + "definition")["de"]


def test_ozg_in_the_numbering_of_ozg_2_0(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    heading = {s: literal_values(ctx, node("legal-basis", s).value, SKOS + "prefLabel")["de"]
               for s in ("ozg-1", "ozg-1a", "ozg-3a", "ozg-9a")}
    assert heading == {
        "ozg-1": "§ 1 OZG – Anwendungsbereich",
        "ozg-1a": "§ 1a OZG – Portalverbund für digitale Verwaltungsleistungen",
        "ozg-3a": "§ 3a OZG – Beratungsangebot im Portalverbund",
        "ozg-9a": "§ 9a OZG – Grundsätze der elektronischen Abwicklung über "
                  "Verwaltungsportale; Schriftformersatz"}
    assert objects(ctx, node("legal-basis", "ozg").value, NamedNode(DCTERMS + "identifier")) == [
        "BGBl. I 2017 S. 3122, 3138"]
    # the portal network is § 1a now: nothing points at § 1 for it
    portal = {q.subject.value for q in ctx.store.quads(None, qd("legalBasis"),
                                                       node("legal-basis", "ozg-1"))}
    assert portal == set()
    assert objects(ctx, node("legal-basis", "ozg-aenderungsgesetz").value,
                   NamedNode(DCTERMS + "issued")) == ["2024-07-19"]


def test_official_titles_and_abbreviations(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    digitv = node("legal-basis", "digitv-bund").value
    assert literal_values(ctx, digitv, SKOS + "prefLabel")["de"] == \
        "Digitalisierungstarifvertrag (DigiTV)"
    assert objects(ctx, digitv, NamedNode(DCTERMS + "identifier")) == [
        "Digitalisierungstarifvertrag vom 10. Juni 2021 (DigiTV)"]
    gvidvdv = node("legal-basis", "vo-verwaltungsinformatikdienst-gehoben").value
    alt = [q.object.value for q in ctx.store.quads(NamedNode(gvidvdv),
                                                   NamedNode(SKOS + "altLabel"), None)]
    assert alt == ["GVIDVDV"]
    assert "GVIDVDV" in literal_values(ctx, gvidvdv, SKOS + "prefLabel")["de"]


def test_every_legal_basis_names_the_version_it_cites(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    version = NamedNode("http://data.europa.eu/eli/ontology#version_date")
    undated = {"tvoed", "tvoed-5", "tv-l", "tv-l-5"}  # cited "as amended": no date to give
    for iri in instances(ctx, "LegalBasis"):
        slug = iri.rsplit("/", 1)[1]
        assert objects(ctx, iri, NamedNode(DCTERMS + "identifier")), slug
        dates = objects(ctx, iri, version)
        assert (dates == []) if slug in undated else (len(dates) == 1), slug
        if not slug.startswith(("tvoed", "tv-l", "digitv")):
            # a provision without an address of its own is reached through its act's ELI
            addresses = [a for x in [iri, *objects(ctx, iri, qd("partOf"))]
                         for p in ("https://schema.org/url", "https://schema.org/sameAs")
                         for a in objects(ctx, x, NamedNode(p))]
            assert any(a.startswith(("https://www.gesetze-im-internet.de/",
                                     "https://www.recht.bund.de/eli/")) for a in addresses), slug


def test_vwfangausbv_content_is_not_sourced_to_its_duration_section(
        bundled_ctx: Context) -> None:
    duration = "https://www.gesetze-im-internet.de/vwfangausbv_1999/__2.html"
    citing = {q.subject.value for q in bundled_ctx.store.quads(None, SOURCE, NamedNode(duration))}
    # § 2 states the 36 months and the five specialisations: the occupation, its training and
    # the provision itself, nothing else
    assert citing == {node("role", "verwaltungsfachangestellte").value,
                      node("training-format", "ausbildung-verwaltungsfachangestellte").value,
                      node("legal-basis", "vwfangausbv-2").value}


# --- offers, not legal forms (audit T2, T6) ----------------------------------------------------

LEGAL_FORMS = ["tvoed-erhaltungsqualifizierung", "tvoed-fort-und-weiterbildung",
               "tvoed-qualifizierung-arbeitsplatzsicherung", "tvoed-wiedereinstiegsqualifizierung",
               "digitv-massgeschneiderte-kurse", "digitv-allgemeingueltige-kurse",
               "digitv-studiengaenge", "berufsausbildung", "berufliche-fortbildung", "umschulung",
               "gepruefte-berufsspezialistin", "bachelor-professional", "master-professional",
               "dienstliche-qualifizierung"]


def test_legal_forms_of_training_develop_nothing(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    forms = instances(ctx, "LegalFormOfTraining")
    assert forms == {node("training-format", s).value for s in LEGAL_FORMS}
    developed_by = {q.subject.value for q in ctx.store.quads(None, qd("develops"), None)}
    assert forms & developed_by == set()
    assert not [q for q in ctx.store.quads(None, TYPE, qd("LearningOutcome"))
                if any(q.subject.value.startswith(f"{ID}outcome/{s}-") for s in LEGAL_FORMS)]
    # offers name the legal form they belong to
    assert objects(ctx, node("training-format", "ausbildung-fachinformatiker").value,
                   qd("legalForm")) == [node("training-format", "berufsausbildung").value]


def test_no_legal_form_is_recommended_for_any_role(bundled_ctx: Context) -> None:
    """The gap analysis of every role, for someone holding nothing, recommends offers only."""
    from qualifica.planning.gaps import gap
    from qualifica.planning.index import get_index

    index = get_index(bundled_ctx)
    forms = {node("training-format", s).value for s in LEGAL_FORMS}
    recommended: set[str] = set()
    for role in instances(bundled_ctx, "Role"):
        result = gap(index, role, [])
        recommended |= {r["training_format"]["iri"] for r in result["recommendations"]}
    assert len(recommended) >= 5, "the gap analysis recommends offers"
    assert recommended & forms == set()


# --- the e-competence role model (audit E1-E3) -------------------------------------------------

ROLE_FIGURE = ("https://vdocuments.mx/rollen-und-kompetenzen-foer-eine-erfolgreiche-aus-und-"
               "fortbildungsplanung-ist-er.html")


def test_nineteen_reference_roles_of_the_e_competence_model(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    isbn = "urn:isbn:978-3-946209-03-4"
    reference = {r for r in instances(ctx, "Role") if isbn in objects(ctx, r, SOURCE)}
    assert reference == {node("role", s).value for s in E_KOMPETENZ_ROLES}
    assert len(reference) == 19
    group = {r.rsplit("/", 1)[1]: objects(ctx, r, qd("roleGroup"))[0].rsplit("/", 1)[1]
             for r in reference}
    # the figure: the IT services roles and the three user roles
    for slug in ("betreuung", "schulung", "entwicklung", "betrieb"):
        assert group[slug] == "it-fachaufgaben-it-dienstleistungen", slug
    assert {s for s, g in group.items() if g == "nutzer"} == {
        "agenda-setter", "anwender", "berater-dienstleister"}
    assert sum(1 for g in group.values() if g != "nutzer") == 16  # the Gestalter roles
    for slug in ("betreuung", "schulung", "entwicklung", "betrieb", "anwender",
                 "agenda-setter", "berater-dienstleister"):
        assert ROLE_FIGURE in objects(ctx, node("role", slug).value, SOURCE), slug


# --- provenance of plain link statements (audit P2, P3) ----------------------------------------

EDITORIAL_LINKS = GRAPH + "editorial-links"
PLAIN = ("performsTask", "roleGroup", "legalBasis")


def test_plain_links_are_sourced_or_in_the_editorial_graph(bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    graph = NamedNode(EDITORIAL_LINKS)
    assert objects(ctx, EDITORIAL_LINKS, SOURCE) == [EDITORIAL]
    editorial = {(q.subject.value, q.predicate.value, q.object.value)
                 for q in ctx.store.quads(None, None, None, EDITORIAL_LINKS)
                 if q.subject != graph}
    assert {p.rsplit("#", 1)[1] for _, p, _ in editorial} == set(PLAIN)
    # no source lists the tasks of a role: every qd:performsTask statement is editorial
    performs = {(q.subject.value, q.predicate.value, q.object.value)
                for q in ctx.store.quads(None, qd("performsTask"), None)}
    assert performs <= editorial
    # a statement is either editorial or stated by a source, never both
    for pred in PLAIN:
        outside = [q for q in ctx.store.quads(None, qd(pred), None)
                   if q.graph_name != graph]
        assert not {(q.subject.value, q.predicate.value, q.object.value) for q in outside} \
            & editorial
    # stated by a source: the TVöD formats' § 5 TVöD, the occupations' ordinances, the user
    # roles' group in the study's figure; editorial: the eGov-Campus offers' legal bases
    stated = [("training-format/tvoed-erhaltungsqualifizierung", "legalBasis",
               "legal-basis/tvoed-5"),
              ("role/fachinformatiker-systemintegration", "legalBasis", "legal-basis/fiausbv"),
              ("role/anwender", "roleGroup", "role-group/nutzer")]
    for s, p, o in stated:
        assert (ID + s, QD + p, ID + o) not in editorial
        assert list(ctx.store.quads(NamedNode(ID + s), qd(p), NamedNode(ID + o)))
    assert (ID + "training-format/egov-campus-prozessmanagement", QD + "legalBasis",
            ID + "legal-basis/digitv-bund-4") in editorial
    assert (ID + "role/cio", QD + "roleGroup", ID + "role-group/it-managementaufgaben") in \
        editorial


def test_editorial_statements_query_lists_every_editorial_statement(
        bundled_ctx: Context) -> None:
    ctx = bundled_ctx
    text, subs = bind(ctx.registry.get("editorial-statements"), {}).for_substitution()
    result = ctx.store.query(text, substitutions=subs)
    assert isinstance(result, SelectResult)
    rows = {(r["subject"].value, r["predicate"].value, r["object"].value) for r in result.rows}
    # the editorial graphs: the plain links, this project's German text for DigComp and its
    # English text for the ordinances' occupational profiles
    graphs = {NamedNode(EDITORIAL_LINKS), NamedNode(GRAPH + "digcomp-de"),
              NamedNode(GRAPH + "ordinances-en")}
    assert {q.subject for q in ctx.store.quads(None, SOURCE, NamedNode(EDITORIAL))
            if q.subject.value.startswith(GRAPH)} == graphs
    plain = {(q.subject.value, q.predicate.value, q.object.value)
             for g in graphs for q in ctx.store.quads(None, None, None, g.value)
             if q.subject not in graphs}
    qualified = {q.subject.value for q in ctx.store.quads(
        None, qd("editorial"), Literal("true", datatype=NamedNode(XSD + "boolean")))}
    # the resources that cite the editorial assignment: every statement about them
    editorial_subjects = {q.subject for q in ctx.store.quads(None, SOURCE, NamedNode(EDITORIAL))
                          if q.graph_name not in graphs}
    described = {(q.subject.value, q.predicate.value, q.object.value)
                 for s in editorial_subjects for q in ctx.store.quads(s, None, None)
                 if q.graph_name not in graphs and not (
                     q.predicate.value in (QD + "requires", QD + "develops")
                     and q.object.value in qualified)}
    assert plain <= rows
    assert described <= rows
    assert {o for _, p, o in rows if p in (QD + "requires", QD + "develops")} == qualified
    assert len(rows) == len(plain | described) + len(qualified)
    # a task description is editorial; so is the German title of a DigComp competence (this
    # project's translation), its English title is not (the JRC's)
    assert (ID + "task/e-akte-fuehren", SKOS + "prefLabel", "Elektronische Akten führen") in rows
    c42 = ID + "competency/digcomp-4-2"
    assert (c42, SKOS + "prefLabel", "Schutz personenbezogener Daten und der Privatsphäre") in rows
    assert (c42, SKOS + "prefLabel", "Protecting personal data and privacy") not in rows


# --- issue 9: the rest of the audit -----------------------------------------------------------

def test_anwender_are_citizens_and_businesses(bundled_ctx: Context) -> None:
    """Audit E2: the figure names the role "Anwender (Bürger, Unternehmen)" in the group Nutzer;
    it is not staff doing casework."""
    ctx = bundled_ctx
    anwender = node("role", "anwender").value
    assert labels(ctx, anwender)["de"] == "Anwender/-in (Bürger/-in, Unternehmen)"
    alt = literal_values(ctx, anwender, SKOS + "altLabel")
    assert alt["de"] == "Anwender (Bürger, Unternehmen)"
    assert "Bürgerinnen und Bürger sowie Unternehmen" in \
        literal_values(ctx, anwender, SKOS + "definition")["de"]
    assert objects(ctx, anwender, qd("roleGroup")) == [ID + "role-group/nutzer"]
    tasks = objects(ctx, anwender, qd("performsTask"))
    assert tasks == [ID + "task/verwaltungsleistungen-online-nutzen"]
    for clerk_task in ("e-akte-fuehren", "fachanwendungen-nutzen"):
        assert ID + "task/" + clerk_task not in tasks
    # using public services online is DigComp 2.3 (participating through digital technologies)
    (req,) = objects(ctx, tasks[0], qd("requires"))
    assert objects(ctx, req, qd("competency")) == [ID + "competency/digcomp-2-3"]
    assert ROLE_FIGURE in objects(ctx, anwender, SOURCE)


#: Role names that need no gender-inclusive form: abbreviations, English terms, the names of
#: functions and the occupations whose paired form the ordinances give.
NEUTRAL_ROLE_NAMES = {
    "CIO", "Agenda Setter (Politik, Amtsleitung u. a.)", "Betreuung", "Schulung", "Entwicklung",
    "Betrieb", "Chief Digital Officer (CDO)",
    "Beamtin/Beamter im gehobenen Verwaltungsinformatikdienst des Bundes",
    "Kaufmann/Kauffrau für Büromanagement",
}


def test_role_names_in_one_gender_inclusive_form(bundled_ctx: Context) -> None:
    """Issue 9, item 6: every German role name that names persons takes the short form with a
    slash and hyphen ("Prozessmanager/-in", "Verwaltungsfachangestellte/-r"); the study's own
    names stay as alternative labels."""
    ctx = bundled_ctx
    for role in instances(ctx, "Role"):
        name = labels(ctx, role)["de"]
        if name in NEUTRAL_ROLE_NAMES:
            continue
        assert re.search(r"\w/-(in|r|lotsin)\b", name), name
        assert not re.search(r"\w/(in|r)\b", name), name  # the old forms without hyphen
    prozess = node("role", "prozessmanager").value
    assert literal_values(ctx, prozess, SKOS + "altLabel")["de"] == "Prozessmanager"
    # the study's name of the role, searchable
    assert ROLE_FIGURE not in objects(ctx, prozess, SOURCE)
    # labels of the links follow the role's name
    assert labels(ctx, node("requirement", "it-controller-digcomp-1-2").value)["de"] \
        .startswith("IT-Controller/-in – ")


def test_german_grammar_of_the_labels(bundled_ctx: Context) -> None:
    """Audit E5 and issue 9, item 6: no "Das niedrigstes" and no "zur/zum" before a noun whose
    forms differ."""
    ctx = bundled_ctx
    german = [q.object.value for q in ctx.store.quads(None, None, None)
              if isinstance(q.object, Literal) and q.object.language == "de"]
    assert german
    for text in german:
        assert not re.search(r"\bDas (niedrigstes|mittleres|höchstes)\b", text), text
        assert "zur/zum" not in text, text
    fi = node("training-format", "ausbildung-fachinformatiker").value
    assert labels(ctx, fi)["de"] == "Ausbildung zum Fachinformatiker/zur Fachinformatikerin"
    level = node("level", "e-kompetenz-1").value
    assert literal_values(ctx, level, SKOS + "definition")["de"].startswith("Das niedrigste ")


def offers(ctx: Context) -> set[str]:
    return instances(ctx, "TrainingFormat") - instances(ctx, "LegalFormOfTraining")


#: Addresses that name a platform or an academy, not one offer.
HOME_PAGES = {"https://egov-campus.org/", "https://www.bakoev.bund.de/",
              "https://www.digitalakademie.bund.de/"}


def test_every_offer_names_its_provider_and_a_source_naming_it(bundled_ctx: Context) -> None:
    """Issue 9, item 4 and audit T4, T8: an offer names the institution that runs it (a described
    qd:Provider) and cites a source besides the home page of a platform; no topic bundle is an
    offer."""
    ctx = bundled_ctx
    found = offers(ctx)
    assert len(found) >= 9
    for offer in found:
        providers = objects(ctx, offer, qd("provider"))
        assert providers, offer
        for provider in providers:
            assert QD + "Provider" in objects(ctx, provider, TYPE), provider
            assert set(labels(ctx, provider)) == {"de", "en"}
            assert objects(ctx, provider, SOURCE), provider
        sources = set(objects(ctx, offer, SOURCE))
        assert sources - HOME_PAGES - {EDITORIAL}, offer
        assert not objects(ctx, offer, NamedNode(SKOS + "scopeNote")), offer  # no bundle notes
    # the topic bundles and the format buckets are gone
    for slug in ("egov-campus-ozg", "egov-campus-fim", "egov-campus-it-sicherheit",
                 "egov-campus-kuenstliche-intelligenz", "digitalakademie-seminare",
                 "digitalakademie-webinare", "digitalakademie-lernvideos",
                 "digitalakademie-programme"):
        assert not list(ctx.store.quads(node("training-format", slug), None, None)), slug
    modules = node("training-format", "egov-campus-prozessmanagement").value
    assert objects(ctx, modules, qd("provider")) == [ID + "provider/egov-campus"]
    assert "https://dbb.de/fileadmin/user_upload/dbb/epaper/dbb_magazin_23_04/28" in \
        objects(ctx, modules, SOURCE)
    # legal forms have no provider
    for form in instances(ctx, "LegalFormOfTraining"):
        assert not objects(ctx, form, qd("provider")), form


def test_the_dual_study_programme_is_the_preparatory_service(bundled_ctx: Context) -> None:
    """Audit T1: under § 1 GVIDVDV the dual B.Sc. programme at the HS Bund is the preparatory
    service; one offer, at the Fachbereich Finanzen, with no second contradicting outcome."""
    ctx = bundled_ctx
    assert not list(ctx.store.quads(
        node("training-format", "duales-studium-verwaltungsinformatik"), None, None))
    vd = node("training-format", "vorbereitungsdienst-verwaltungsinformatik").value
    assert objects(ctx, vd, qd("provider")) == [ID + "provider/hs-bund-fachbereich-finanzen"]
    assert "duale Bachelorstudiengang" in literal_values(ctx, vd, SKOS + "definition")["de"]
    assert "HWR" not in literal_values(ctx, vd, SKOS + "definition")["de"]
    outcomes = objects(ctx, vd, qd("develops"))
    competencies = [objects(ctx, o, qd("competency"))[0] for o in outcomes]
    assert len(competencies) == len(set(competencies))
    assert ID + "competency/digcomp-3-4" in competencies


def test_in_service_offers_are_of_one_kind(bundled_ctx: Context) -> None:
    """Audit T7: the open online modules and the Digitalakademie's programme are in-service
    training (Fortbildung) alike."""
    ctx = bundled_ctx
    for slug in ("egov-campus-prozessmanagement", "egov-campus-verwaltungsportale",
                 "digitaljourney"):
        assert objects(ctx, node("training-format", slug).value, qd("kind")) == \
            [QD + "Fortbildung"], slug


def test_the_other_federal_it_preparatory_services(bundled_ctx: Context) -> None:
    """Audit § 7.2: the preparatory services of the ITZBund (GtDITZBundVDV) and for digital
    administration and cyber security (GntVDDVCSVDV), and the master programme for promotion
    (MVITAufstV), each an offer with its provider and its ordinance's § 1."""
    ctx = bundled_ctx
    expected = {
        "vorbereitungsdienst-technischer-verwaltungsdienst-itzbund": (
            "gtditzbundvdv-1", "unibw-muenchen", "BGBl. I 2020 S. 2479, § 1"),
        "vorbereitungsdienst-digitale-verwaltung-cyber-sicherheit": (
            "gntvddvcsvdv-1", "hs-bund", "BGBl. I 2020 S. 2021, § 1"),
        "master-verwaltungsinformatik-unibw": (
            "mvitaufstv-1", "unibw-muenchen", "BGBl. 2023 I Nr. 85, § 1"),
    }
    for slug, (section, provider, identifier) in expected.items():
        offer = node("training-format", slug).value
        assert objects(ctx, offer, qd("legalBasis")) == [ID + "legal-basis/" + section]
        assert objects(ctx, offer, qd("provider")) == [ID + "provider/" + provider]
        basis = ID + "legal-basis/" + section
        assert objects(ctx, basis, NamedNode(DCTERMS + "identifier")) == [identifier]
    mvit = node("legal-basis", "mvitaufstv").value
    assert objects(ctx, mvit, NamedNode("https://schema.org/sameAs")) == [
        "https://www.recht.bund.de/eli/bund/bgbl-1/2023/85"]
    assert objects(ctx, mvit, NamedNode(DCTERMS + "issued")) == ["2023-03-20"]


def test_kaufleute_fuer_bueromanagement(bundled_ctx: Context) -> None:
    """Audit § 7.7: the occupation, a training occupation of the public service under § 1
    BüroMKfAusbV, with its apprenticeship."""
    ctx = bundled_ctx
    role = node("role", "kaufleute-bueromanagement").value
    assert objects(ctx, role, qd("legalBasis")) == [ID + "legal-basis/bueromkfausbv-1"]
    offer = node("training-format", "ausbildung-kaufleute-bueromanagement").value
    assert objects(ctx, offer, qd("legalForm")) == [ID + "training-format/berufsausbildung"]
    assert objects(ctx, offer, qd("provider")) == [
        ID + "provider/lernorte-duale-berufsausbildung"]


def test_dqr_level_only_where_a_source_states_it(bundled_ctx: Context) -> None:
    """Audit L4 and § 7.9: a DQR level only where a cited source states it (the Fachinformatiker/
    -in qualification, level 4; the three-year apprenticeships of the VwFAngAusbV and the
    BüroMKfAusbV, which the DQR list assigns to level 4 as "Duale Berufsausbildung (3- und
    3½-jährige Ausbildungen)"); none on the BBiG sections, which state none."""
    ctx = bundled_ctx
    stated = {q.subject.value: q.object.value
              for q in ctx.store.quads(None, qd("dqrLevel"), None)}
    fi = node("training-format", "ausbildung-fachinformatiker").value
    three_year = {node("training-format", "ausbildung-verwaltungsfachangestellte").value,
                  node("training-format", "ausbildung-kaufleute-bueromanagement").value}
    assert stated == {fi: "4", **dict.fromkeys(three_year, "4")}
    assert "https://kampuspedia.com/de/Fachinformatiker" in objects(ctx, fi, SOURCE)
    dqr_list = ("https://de.scribd.com/document/367248158/"
                "DQR-Liste-Der-Zugeordneten-Qualifikationen")
    for apprenticeship in three_year:
        sources = objects(ctx, apprenticeship, SOURCE)
        assert dqr_list in sources
        # the ordinance's section on the duration (three years) is cited beside the list
        assert any(s.endswith("/__2.html") for s in sources), sources


def test_german_digcomp_text_is_sourced_or_marked_as_translation(bundled_ctx: Context) -> None:
    """Audit D1, D2, D4: the area titles and level names follow the Austrian editions, which
    are cited; the titles and descriptions of the 21 competences are this project's
    translation, in an editorial graph of their own and with a note saying so; no German title
    of the publication is made up."""
    ctx = bundled_ctx
    graph = GRAPH + "digcomp-de"
    assert objects(ctx, graph, SOURCE) == [EDITORIAL]
    german_titles = {q.subject.value for q in ctx.store.quads(None, PREF, None)
                     if isinstance(q.object, Literal) and q.object.language == "de"
                     and q.subject.value.startswith(ID + "competency/digcomp-")
                     and q.graph_name == NamedNode(graph)}
    areas = {node("competency", f"digcomp-{i}").value for i in range(1, 6)}
    competences = instances(ctx, "Competency") & {
        q.subject.value for q in ctx.store.quads(None, NamedNode(SKOS + "broader"), None)
        if q.subject.value.startswith(ID + "competency/digcomp-")}
    assert len(competences) == 21
    assert german_titles == competences
    for c in competences:
        note = literal_values(ctx, c, SKOS + "editorialNote")
        assert "Übersetzung des Qualifica-Projekts" in note["de"], c
    for area in areas:
        assert "https://www.etc.at/?p=3140" in objects(ctx, area, SOURCE)
    level_8 = node("level", "digcomp-8").value
    assert labels(ctx, level_8)["de"] == "Hoch spezialisiert 8"
    assert "https://www.fit4internet.at/view/verstehen-das-modell" in \
        objects(ctx, level_8, SOURCE)
    framework = node("framework", "digcomp-2-2").value
    assert "de" not in literal_values(ctx, framework, SKOS + "altLabel")
    doi = "https://doi.org/10.2760/115376"
    # no German title is made up: the German label names the English edition, and the
    # citation gives the publication by its English title
    assert "englischsprachige Ausgabe" in labels(ctx, doi)["de"]
    assert "DigComp 2.2: The Digital Competence Framework for Citizens" in \
        literal_values(ctx, doi, DCTERMS + "bibliographicCitation")["de"]


def test_every_statement_has_a_queryable_provenance(bundled_ctx: Context) -> None:
    """Issue 9, item 5: statement-provenance tells for each statement about a resource whether
    it is editorial or which sources state it; a statement is never both and never neither."""
    ctx = bundled_ctx
    query = ctx.registry.get("statement-provenance")
    for subject, expect in [
        (ID + "training-format/digitaljourney", {
            (QD + "provider", ID + "provider/digitalakademie-bund"): "source",
            (QD + "legalBasis", ID + "legal-basis/blv-47"): "editorial",
            (QD + "develops", ID + "outcome/digitaljourney-qd-managementtechniken"):
                "editorial"}),
        (ID + "role/anwender", {
            (QD + "roleGroup", ID + "role-group/nutzer"): "source",
            (QD + "performsTask", ID + "task/verwaltungsleistungen-online-nutzen"):
                "editorial"}),
        (ID + "competency/digcomp-4-2", {
            (SKOS + "prefLabel", "Protecting personal data and privacy"): "source",
            (SKOS + "prefLabel", "Schutz personenbezogener Daten und der Privatsphäre"):
                "editorial"}),
        (ID + "task/e-akte-fuehren", {
            (SKOS + "prefLabel", "Elektronische Akten führen"): "editorial"}),
    ]:
        text, subs = bind(query, {"subject": subject}).for_substitution()
        result = ctx.store.query(text, substitutions=subs)
        assert isinstance(result, SelectResult)
        kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
        sources: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in result.rows:
            key = (row["predicate"].value, row["object"].value)
            kinds[key].add(row["kind"].value)
            if row.get("source") is not None:
                sources[key].add(row["source"].value)
        assert all(len(k) == 1 for k in kinds.values()), subject
        # every statement but the server's dcterms:modified (no statement of a source)
        assert len(kinds) == len([q for q in ctx.store.quads(NamedNode(subject), None, None)
                                  if not in_stamp_graph(q)])
        for key, kind in expect.items():
            assert kinds[key] == {kind}, (subject, key)
        # a sourced statement names a published source
        assert all(sources[key] for key, k in kinds.items() if k == {"source"}), subject


def test_blv_and_egovg_provisions_as_their_text_has_them(bundled_ctx: Context) -> None:
    """Audit L10-L12: § 47 Abs. 1 Satz 2 Nr. 1 BLV (not "Abs. 1 Nr. 1") with the duty of
    Abs. 2; § 46 BLV: Personalentwicklungskonzepte as the basis; § 9 EGovG by its full title."""
    ctx = bundled_ctx
    german = [q.object.value for q in ctx.store.quads(None, None, None)
              if isinstance(q.object, Literal) and q.object.language == "de"]
    assert not [t for t in german if "§ 47 Abs. 1 Nr. 1" in t]
    blv47 = literal_values(ctx, node("legal-basis", "blv-47").value, SKOS + "definition")["de"]
    assert "Abs. 1 Satz 2 Nr. 1" in blv47 and "Abs. 2" in blv47
    blv46 = literal_values(ctx, node("legal-basis", "blv-46").value, SKOS + "definition")["de"]
    assert "Personalentwicklungskonzepte" in blv46
    egovg9 = labels(ctx, node("legal-basis", "egovg-9").value)["de"]
    assert egovg9.endswith("Optimierung von Verwaltungsabläufen und Information zum "
                           "Verfahrensstand")


def test_vwfangausbv_by_its_citation_and_address(bundled_ctx: Context) -> None:
    """Audit L9: BGBl. citation, and the address slug gesetze-im-internet.de uses."""
    ctx = bundled_ctx
    act = node("legal-basis", "vwfangausbv").value
    assert objects(ctx, act, NamedNode(DCTERMS + "identifier")) == ["BGBl. I 1999 S. 1029"]
    assert objects(ctx, act, NamedNode("https://schema.org/url")) == [
        "https://www.gesetze-im-internet.de/vwfangausbv_1999/"]


def test_advanced_training_has_both_halves_of_its_legal_basis(bundled_ctx: Context) -> None:
    """Audit T2, T5: Anpassungsfortbildung (§ 1 Abs. 4 Nr. 1, § 53e BBiG) beside higher
    vocational training; Umschulung a legal form of its own (§ 1 Abs. 5, § 58 BBiG)."""
    ctx = bundled_ctx
    fortbildung = node("training-format", "berufliche-fortbildung").value
    assert set(objects(ctx, fortbildung, qd("legalBasis"))) == {
        ID + "legal-basis/bbig-1", ID + "legal-basis/bbig-53", ID + "legal-basis/bbig-53e"}
    umschulung = node("training-format", "umschulung").value
    assert QD + "LegalFormOfTraining" in objects(ctx, umschulung, TYPE)
    assert set(objects(ctx, umschulung, qd("legalBasis"))) == {
        ID + "legal-basis/bbig-1", ID + "legal-basis/bbig-58"}


def test_sources_cited_at_their_stored_address(bundled_ctx: Context) -> None:
    """Audit P5 and the municipal roles: the FOKUS news at its stored address; the Trendreport
    with its authors and title; the role no stored source names cites the editorial source;
    audit D3: no invented alternative label on DigComp 4.1."""
    ctx = bundled_ctx
    fokus = "https://www.fokus.fraunhofer.de/de/fokus/news/qd-metastudie_2020_08"
    assert objects(ctx, node("framework", "qd-metastudie").value, SOURCE) == [fokus]
    citation = literal_values(ctx, "https://trendreport.digitaler-staat.org/",
                              DCTERMS + "bibliographicCitation")["de"]
    assert "Prognos AG" in citation and "Richtig organisiert?" in citation
    assert EDITORIAL in objects(ctx, node("role", "digitalisierungsbeauftragte").value, SOURCE)
    for cdo in ("chief-digital-officer", "digitallotse"):
        assert EDITORIAL not in objects(ctx, node("role", cdo).value, SOURCE)
    assert literal_values(ctx, node("competency", "digcomp-4-1").value,
                          SKOS + "altLabel") == {}


def test_weak_requirement_links_replaced(bundled_ctx: Context) -> None:
    """Audit § 5 sample: the three weak editorial assignments point at competences that fit the
    task (still editorial)."""
    ctx = bundled_ctx
    for task, old, new in [
        ("anforderungen-dokumentieren", "digcomp-3-1", "digcomp-1-3"),
        ("it-beschaffung-vorbereiten", "blv-fachkompetenz", "digcomp-5-2"),
        ("it-budget-planen", "digcomp-1-2", "qd-managementtechniken"),
    ]:
        reqs = objects(ctx, node("task", task).value, qd("requires"))
        competencies = {objects(ctx, r, qd("competency"))[0] for r in reqs}
        assert ID + "competency/" + new in competencies, task
        assert ID + "competency/" + old not in competencies, task
        for r in reqs:
            assert objects(ctx, r, qd("editorial")) == ["true"]


# --- audit § 7.5: the ordinances' occupational profiles as sourced competencies ----------------

GII = "https://www.gesetze-im-internet.de/"

#: § 4 FIAusbV: the Berufsbildpositionen of Abs. 2 to 7, as the ordinance words them, by the group
#: of § 4 Abs. 1 they belong to.
FIAUSBV_4 = {
    "4-2": ("Fachrichtungsübergreifende berufsprofilgebende Fertigkeiten, Kenntnisse und "
            "Fähigkeiten", [
        "Planen, Vorbereiten und Durchführen von Arbeitsaufgaben in Abstimmung mit den "
        "kundenspezifischen Geschäfts- und Leistungsprozessen",
        "Informieren und Beraten von Kunden und Kundinnen",
        "Beurteilen marktgängiger IT-Systeme und kundenspezifischer Lösungen",
        "Entwickeln, Erstellen und Betreuen von IT-Lösungen",
        "Durchführen und Dokumentieren von qualitätssichernden Maßnahmen",
        "Umsetzen, Integrieren und Prüfen von Maßnahmen zur IT-Sicherheit und zum Datenschutz",
        "Erbringen der Leistungen und Auftragsabschluss",
        "Betreiben von IT-Systemen",
        "Inbetriebnehmen von Speicherlösungen",
        "Programmieren von Softwarelösungen"]),
    "4-3": ("Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung "
            "Anwendungsentwicklung", [
        "Konzipieren und Umsetzen von kundenspezifischen Softwareanwendungen",
        "Sicherstellen der Qualität von Softwareanwendungen"]),
    "4-4": ("Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung "
            "Systemintegration", [
        "Konzipieren und Realisieren von IT-Systemen",
        "Installieren und Konfigurieren von Netzwerken",
        "Administrieren von IT-Systemen"]),
    "4-5": ("Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung "
            "Daten- und Prozessanalyse", [
        "Analysieren von Arbeits- und Geschäftsprozessen",
        "Analysieren von Datenquellen und Bereitstellen von Daten",
        "Nutzen der Daten zur Optimierung von Arbeits- und Geschäftsprozessen sowie zur "
        "Optimierung digitaler Geschäftsmodelle",
        "Umsetzen des Datenschutzes und der Schutzziele der Datensicherheit"]),
    "4-6": ("Berufsprofilgebende Fertigkeiten, Kenntnisse und Fähigkeiten in der Fachrichtung "
            "Digitale Vernetzung", [
        "Analysieren und Planen von Systemen zur Vernetzung von Prozessen und Produkten",
        "Errichten, Ändern und Prüfen von vernetzten Systemen",
        "Betreiben von vernetzten Systemen und Sicherstellen der Systemverfügbarkeit"]),
    "4-7": ("Fachrichtungsübergreifende, integrativ zu vermittelnde Fertigkeiten, Kenntnisse und "
            "Fähigkeiten", [
        "Berufsbildung sowie Arbeits- und Tarifrecht",
        "Aufbau und Organisation des Ausbildungsbetriebes",
        "Sicherheit und Gesundheitsschutz bei der Arbeit",
        "Umweltschutz",
        "vernetztes Zusammenarbeiten unter Nutzung digitaler Medien"]),
}


def _scheme_members(ctx: Context, framework: str) -> set[str]:
    return {q.subject.value for q in ctx.store.quads(
        None, NamedNode(SKOS + "inScheme"), NamedNode(framework))}


def _label_graph(ctx: Context, subject: str, lang: str) -> set[str]:
    return {q.graph_name.value for q in ctx.store.quads(NamedNode(subject), PREF, None)
            if isinstance(q.object, Literal) and q.object.language == lang}


def _assert_sourced_profile(ctx: Context, framework: str, members: set[str],
                            section: str) -> None:
    """German titles stated by the ordinance's section; English titles this project's translation
    in the editorial graph; nothing else editorial."""
    assert _scheme_members(ctx, framework) == members
    assert set(objects(ctx, framework, SOURCE)) == {section}
    for c in members | {framework}:
        assert section in objects(ctx, c, SOURCE), c
        assert EDITORIAL not in objects(ctx, c, SOURCE), c
        assert _label_graph(ctx, c, "de") == {GRAPH + "ordinances"}, c
        assert _label_graph(ctx, c, "en") == {GRAPH + "ordinances-en"}, c
    assert objects(ctx, GRAPH + "ordinances-en", SOURCE) == [EDITORIAL]
    assert objects(ctx, GRAPH + "ordinances", SOURCE) == []


def _assert_taught_by(ctx: Context, offer: str, positions: set[str], level: str,
                      sources: set[str]) -> None:
    """The apprenticeship develops every position, at the one aim its ordinance states, as a
    sourced (non-editorial) learning outcome; no role is said to require a position."""
    developed: dict[str, str] = {}
    for outcome in objects(ctx, node("training-format", offer).value, qd("develops")):
        (competency,) = objects(ctx, outcome, qd("competency"))
        if competency in positions:
            developed[competency] = outcome
            assert objects(ctx, outcome, qd("level")) == [level], outcome
            assert objects(ctx, outcome, qd("editorial")) == [], outcome
            assert set(objects(ctx, outcome, SOURCE)) == sources, outcome
    assert set(developed) == positions
    required = {o for r in ctx.store.quads(None, qd("competency"), None)
                for o in [r.object.value]
                if QD + "CompetencyRequirement" in objects(ctx, r.subject.value, TYPE)}
    assert not required & positions


def test_fiausbv_berufsbildpositionen_are_sourced_competencies(bundled_ctx: Context) -> None:
    """Audit § 7.5: the 10 + 2 + 3 + 4 + 3 + 5 Berufsbildpositionen of § 4 Abs. 2-7 FIAusbV with
    their titles as the ordinance words them, under the groups of § 4 Abs. 1, sourced to § 4;
    the apprenticeship develops them (§ 3: the training teaches them)."""
    ctx = bundled_ctx
    section = GII + "fiausbv/__4.html"
    framework = node("framework", "fiausbv-ausbildungsberufsbild").value
    positions: set[str] = set()
    groups: set[str] = set()
    for slug, (group_title, titles) in FIAUSBV_4.items():
        group = node("competency", f"fiausbv-{slug}").value
        groups.add(group)
        assert labels(ctx, group)["de"] == group_title
        assert objects(ctx, group, NamedNode(SKOS + "topConceptOf")) == [framework]
        for number, title in enumerate(titles, 1):
            position = node("competency", f"fiausbv-{slug}-{number}").value
            positions.add(position)
            assert labels(ctx, position)["de"] == title
            assert objects(ctx, position, NamedNode(SKOS + "broader")) == [group]
            assert f"§ 4 Abs. {slug[-1]} Nr. {number} FIAusbV" in \
                literal_values(ctx, position, SKOS + "definition")["de"]
    assert len(positions) == 27
    _assert_sourced_profile(ctx, framework, positions | groups, section)
    assert "f/fiausbv/index.md" in literal_values(ctx, framework, SKOS + "scopeNote")["de"]
    level = node("level", "fiausbv-handlungsfaehigkeit").value
    assert objects(ctx, level, qd("levelOf")) == [framework]
    assert objects(ctx, level, SOURCE) == [GII + "fiausbv/__3.html"]
    assert "berufliche Handlungsfähigkeit" in literal_values(ctx, level, SKOS + "definition")["de"]
    _assert_taught_by(ctx, "ausbildung-fachinformatiker", positions, level,
                      {section, GII + "fiausbv/__3.html"})
    # English: this project's translation, listed as editorial by statement-provenance
    position = node("competency", "fiausbv-4-2-10").value
    assert labels(ctx, position)["en"] == "Programming software solutions"
    text, subs = bind(ctx.registry.get("statement-provenance"),
                      {"subject": position}).for_substitution()
    result = ctx.store.query(text, substitutions=subs)
    assert isinstance(result, SelectResult)
    kinds = {(r["predicate"].value, r["object"].value): r["kind"].value for r in result.rows}
    assert kinds[(SKOS + "prefLabel", "Programmieren von Softwarelösungen")] == "source"
    assert kinds[(SKOS + "prefLabel", "Programming software solutions")] == "editorial"


def test_vwfangausbv_ausbildungsberufsbild_is_sourced(bundled_ctx: Context) -> None:
    """Audit § 7.5: § 3 VwFAngAusbV, the skills and knowledge of the common training (Abs. 1:
    7 items, of which no. 1 and 5 have 4 sub-items each) and of the five specialisations
    (Abs. 2: 3 + 2 + 3 + 4 + 3), as the ordinance words and groups them; the apprenticeship
    develops them (§ 4 Abs. 4: taught so that the trainee is able to work independently)."""
    ctx = bundled_ctx
    section = GII + "vwfangausbv_1999/__3.html"
    framework = node("framework", "vwfangausbv-ausbildungsberufsbild").value
    members = _scheme_members(ctx, framework)
    tops = set(objects(ctx, framework, NamedNode(SKOS + "hasTopConcept"))) or {
        q.subject.value for q in ctx.store.quads(
            None, NamedNode(SKOS + "topConceptOf"), NamedNode(framework))}
    assert {labels(ctx, t)["de"] for t in tops} == {
        "Gemeinsame Berufsausbildung", "Fachrichtung Bundesverwaltung",
        "Fachrichtung Landesverwaltung", "Fachrichtung Kommunalverwaltung",
        "Fachrichtung Handwerksorganisation und Industrie- und Handelskammern",
        "Fachrichtung Kirchenverwaltung in den Gliedkirchen der Evangelischen Kirche in "
        "Deutschland"}
    items = members - tops
    assert len(items) == 7 + 8 + 15
    common = node("competency", "vwfangausbv-3-1").value
    expect = {"3-1-1": ("der Ausbildungsbetrieb", common),
              "3-1-1-1": ("Struktur, Stellung und Aufgaben des Ausbildungsbetriebes",
                          node("competency", "vwfangausbv-3-1-1").value),
              "3-1-3": ("Informations- und Kommunikationssysteme", common),
              "3-1-5-2": ("Haushaltswesen", node("competency", "vwfangausbv-3-1-5").value),
              "3-1-7": ("Allgemeines Verwaltungsrecht und Verwaltungsverfahren", common),
              "3-2-1-3": ("Personalwirtschaft", node("competency", "vwfangausbv-3-2-1").value),
              "3-2-3-3": ("Kommunalrecht", node("competency", "vwfangausbv-3-2-3").value)}
    for slug, (title, broader) in expect.items():
        c = node("competency", f"vwfangausbv-{slug}").value
        assert labels(ctx, c)["de"] == title
        assert objects(ctx, c, NamedNode(SKOS + "broader")) == [broader]
    # § 2 (the duration) is not cited for content; "gemeinsame Berufsausbildung" is § 4 Abs. 1
    assert set(objects(ctx, common, SOURCE)) == {section, GII + "vwfangausbv_1999/__4.html"}
    _assert_sourced_profile(ctx, framework, members, section)
    level = node("level", "vwfangausbv-handlungsfaehigkeit").value
    assert objects(ctx, level, SOURCE) == [GII + "vwfangausbv_1999/__4.html"]
    _assert_taught_by(ctx, "ausbildung-verwaltungsfachangestellte", items, level,
                      {section, GII + "vwfangausbv_1999/__4.html"})
