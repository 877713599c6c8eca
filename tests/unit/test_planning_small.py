"""Exact planning answers on the hand-made graph ``tests/data/planning/small.ttl``.

The expected values below were worked out by hand from the graph (its header comment lists the
hierarchy, the requirements with their levels and the learning outcomes).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica import planning
from qualifica.config import Settings
from qualifica.errors import BadParameter, NotFound
from qualifica.namespaces import QD, RDF, SKOS
from qualifica.planning import PlanningIndex
from qualifica.planning.paths import MAX_HOPS
from qualifica_testing import PLANNING_GRAPH, PLANNING_GRAPH_FILE, planning_context

SMALL = PLANNING_GRAPH_FILE
ID = "https://w3id.org/qualifica/id/"
C, R, T, F = ID + "competency/", ID + "role/", ID + "task/", ID + "training-format/"
A, A1, A1A, A2 = C + "grundlagen", C + "datenkompetenz", C + "datenschutz", C + "kommunikation"
B, B1, SEC = C + "projektarbeit", C + "prozessmodellierung", C + "it-sicherheit"
R1, R2, R3 = R + "prozessmanagerin", R + "datenanalyst", R + "sachbearbeitung"
T1, T2 = T + "prozesse-analysieren", T + "daten-auswerten"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanningIndex]:
    ctx = planning_context(tmp_path_factory.mktemp("small"))
    yield planning.get_index(ctx)
    ctx.close()


def ids(nodes: list[dict[str, str]]) -> list[str]:
    return [n["id"] for n in nodes]


# --- the index ----------------------------------------------------------------------------------

def test_merged_requirements_higher_level_wins_essential_if_either(index: PlanningIndex) -> None:
    reqs = index.role_requirements[R1]
    assert {c: (r.rank, r.essential) for c, r in reqs.items()} == {
        A1: (2, True),   # own @1 essential + task T1 @2 optional
        A2: (2, True),
        B1: (3, True),   # own @2 optional + task T1 @3 essential
    }
    assert set(reqs[A1].sources) == {R1, T1}
    assert {c: (r.rank, r.essential) for c, r in index.role_requirements[R2].items()} == {
        A: (2, True), A1: (3, True), SEC: (1, False),
    }


def test_hierarchy_closure(index: PlanningIndex) -> None:
    assert index.ancestors[A1A] == {A1, A}
    assert index.ancestors[B1] == {B}
    assert index.scale(A1A) == {1, 2, 3, 4}


# --- roles of a competency -------------------------------------------------------------------

def test_roles_for_narrow_competency_with_hierarchy_and_task_paths(index: PlanningIndex) -> None:
    answer = planning.roles_for(index, A1A)
    assert answer["competency"]["label"] == "Datenschutz"
    roles = answer["roles"]
    assert [r["role"]["id"] for r in roles] == ["datenanalyst", "prozessmanagerin",
                                                 "sachbearbeitung"]
    assert roles[0]["via"] == ["task", "hierarchy"]
    # equal length: "Daten auswerten" sorts before "Digitale Grundlagen"
    assert [ids(p) for p in roles[0]["paths"]] == [
        ["datenschutz", "datenkompetenz", "daten-auswerten", "datenanalyst"],
        ["datenschutz", "datenkompetenz", "grundlagen", "datenanalyst"],
    ]
    assert roles[1]["via"] == ["task", "hierarchy"]
    assert [ids(p) for p in roles[1]["paths"]] == [
        ["datenschutz", "datenkompetenz", "prozessmanagerin"],
        ["datenschutz", "datenkompetenz", "prozesse-analysieren", "prozessmanagerin"],
    ]
    assert roles[2]["via"] == ["direct"]
    assert [ids(p) for p in roles[2]["paths"]] == [["datenschutz", "sachbearbeitung"]]
    assert [n["type"] for n in roles[0]["paths"][0]] == ["competency", "competency", "task",
                                                        "role"]


def test_roles_for_orders_by_label_in_the_language(index: PlanningIndex) -> None:
    answer = planning.roles_for(index, A1A, lang="en")
    # en: Administrative clerk, Data analyst, Process manager
    assert [r["role"]["id"] for r in answer["roles"]] == ["sachbearbeitung", "datenanalyst",
                                                          "prozessmanagerin"]
    # en: "Digital foundations" sorts before "Evaluate data"
    assert [ids(p)[2] for p in answer["roles"][1]["paths"]] == ["grundlagen", "daten-auswerten"]


def test_roles_for_direct_and_task(index: PlanningIndex) -> None:
    roles = planning.roles_for(index, A1)["roles"]
    by_id = {r["role"]["id"]: r for r in roles}
    assert by_id["prozessmanagerin"]["via"] == ["direct", "task"]
    assert [ids(p) for p in by_id["prozessmanagerin"]["paths"]] == [
        ["datenkompetenz", "prozessmanagerin"],
        ["datenkompetenz", "prozesse-analysieren", "prozessmanagerin"],
    ]
    assert by_id["datenanalyst"]["via"] == ["task", "hierarchy"]
    assert set(by_id) == {"prozessmanagerin", "datenanalyst"}


def test_roles_for_shared_nodes_are_the_index_nodes_in_both_languages(index: PlanningIndex
                                                                      ) -> None:
    # with shared nodes the answer holds the index's node objects: equal to the answer with
    # copies, each equal to a fresh node of its IRI in the answer's language
    de = planning.roles_for(index, A1, lang="de", shared_nodes=True)
    en = planning.roles_for(index, A1, lang="en", shared_nodes=True)
    assert planning.roles_for(index, A1, lang="de") == de
    assert planning.roles_for(index, A1, lang="en") == en
    for answer, lang in ((de, "de"), (en, "en")):
        for entry in answer["roles"]:
            assert entry["role"] == index.node(entry["role"]["iri"], lang)
            for path in entry["paths"]:
                assert path[-1] is entry["role"]
                assert all(step == index.node(step["iri"], lang) for step in path)
    assert {e["role"]["label"] for e in de["roles"]} != {e["role"]["label"] for e in en["roles"]}


def test_roles_for_broad_competency_nobody_needs(index: PlanningIndex) -> None:
    assert planning.roles_for(index, B)["roles"] == []


def test_roles_for_unknown_competency(index: PlanningIndex) -> None:
    with pytest.raises(NotFound) as info:
        planning.roles_for(index, C + "gibt-es-nicht")
    assert info.value.extra["id"] == C + "gibt-es-nicht"


# --- paths ---------------------------------------------------------------------------------------

def test_paths_shortest_first_and_bounded(index: PlanningIndex) -> None:
    answer = planning.paths(index, A1A, R2, max_hops=4)
    assert [ids(p) for p in answer["paths"]] == [
        ["datenschutz", "datenkompetenz", "daten-auswerten", "datenanalyst"],
        ["datenschutz", "datenkompetenz", "grundlagen", "datenanalyst"],
    ]
    assert planning.paths(index, A1A, R2, max_hops=3)["paths"] == answer["paths"]
    assert planning.paths(index, A1A, R2, max_hops=2)["paths"] == []
    assert [ids(p) for p in planning.paths(index, A1, R1)["paths"]] == [
        ["datenkompetenz", "prozessmanagerin"],
        ["datenkompetenz", "prozesse-analysieren", "prozessmanagerin"],
    ]
    assert [len(p) for p in planning.paths(index, A1A, R1, max_hops=4)["paths"]] == [3, 4]


def test_paths_hop_bounds_are_inclusive(index: PlanningIndex) -> None:
    # one hop: a direct requirement; the largest bound is allowed and finds the same paths
    assert [ids(p) for p in planning.paths(index, A1A, R3, max_hops=1)["paths"]] == [
        ["datenschutz", "sachbearbeitung"]]
    assert planning.paths(index, A1A, R2, max_hops=MAX_HOPS) == \
        planning.paths(index, A1A, R2, max_hops=3)
    # the default is four hops: a path of four edges is found, none longer is looked for
    assert planning.paths(index, A1A, R1) == planning.paths(index, A1A, R1, max_hops=4)
    assert [len(p) - 1 for p in planning.paths(index, A1A, R1)["paths"]] == [2, 3]
    assert planning.paths(index, A1A, R1, max_hops=3)["truncated"] is False


def test_paths_direct_and_through_a_task(index: PlanningIndex) -> None:
    # prozessmodellierung reaches the process manager directly and through a task; the task
    # route needs the task's own requirements when the search is bounded from the role
    answer = planning.paths(index, B1, R1, max_hops=2)
    assert [ids(p) for p in answer["paths"]] == [
        ["prozessmodellierung", "prozessmanagerin"],
        ["prozessmodellierung", "prozesse-analysieren", "prozessmanagerin"],
    ]
    assert [n["type"] for n in answer["paths"][1]] == ["competency", "task", "role"]


def test_paths_truncated_keeps_the_shortest(index: PlanningIndex,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # the package exports the function ``paths`` under the module's name
    monkeypatch.setattr(importlib.import_module("qualifica.planning.paths"), "MAX_PATHS", 1)
    answer = planning.paths(index, A1, R1)
    assert [ids(p) for p in answer["paths"]] == [["datenkompetenz", "prozessmanagerin"]]
    assert answer["truncated"] is True


def test_paths_none_upwards_only(index: PlanningIndex) -> None:
    assert planning.paths(index, B, R1)["paths"] == []


def test_paths_bad_input(index: PlanningIndex) -> None:
    for hops in (0, MAX_HOPS + 1):
        with pytest.raises(BadParameter) as info:
            planning.paths(index, A1, R1, max_hops=hops)
        assert info.value.param == "max_hops"
        assert info.value.status == 422
        assert f"between 1 and {MAX_HOPS}" in str(info.value)
    with pytest.raises(NotFound):
        planning.paths(index, A1, R + "niemand")
    with pytest.raises(NotFound):
        planning.paths(index, R1, R1)


# --- gap -----------------------------------------------------------------------------------------

def statuses(answer: dict) -> list[tuple[str, int, int | None, bool, str]]:
    return [(r["competency"]["id"], r["required_level"], r["held_level"], r["essential"],
             r["status"]) for r in answer["requirements"]]


def test_gap_partial_missing_ties_and_uncovered(index: PlanningIndex) -> None:
    answer = planning.gap(index, R1, [(A1, 1)])
    assert answer["role"]["id"] == "prozessmanagerin"
    assert answer["coverage"] == 0.0
    assert statuses(answer) == [
        ("datenkompetenz", 2, 1, True, "partial"),
        ("kommunikation", 2, None, True, "missing"),
        ("prozessmodellierung", 3, None, True, "missing"),
    ]
    # Datenkurs, Analysekurs and Prozesskurs each close one gap: tie broken by label,
    # "Analysekurs" < "Datenkurs"; then Prozesskurs; Kommunikationstraining only reaches 1 < 2.
    recs = answer["recommendations"]
    assert [r["training_format"]["id"] for r in recs] == ["analysekurs", "prozesskurs"]
    assert [r["closes"] for r in recs] == [[A1], [B1]]
    assert recs[0]["kind"]["iri"].endswith("#Weiterbildung")
    assert ids(recs[0]["legal_basis"]) == ["testgesetz-3"]
    assert ids(recs[1]["legal_basis"]) == ["testgesetz"]
    assert answer["uncovered"] == [A2]


def test_gap_tie_follows_label_language(index: PlanningIndex) -> None:
    recs = planning.gap(index, R1, [(A1, 1)], lang="en")["recommendations"]
    # en: "Analytics basics" (datenkurs) < "Data analysis course" (analysekurs)
    assert [r["training_format"]["id"] for r in recs] == ["datenkurs", "prozesskurs"]
    assert ids(recs[0]["legal_basis"]) == ["testgesetz-3"]


def test_gap_partial_level_with_coverage(index: PlanningIndex) -> None:
    answer = planning.gap(index, R1, [(A1, 2), (A2, 3), (B1, 2)])
    assert answer["coverage"] == 0.6667
    assert statuses(answer) == [
        ("datenkompetenz", 2, 2, True, "met"),
        ("kommunikation", 2, 3, True, "met"),
        ("prozessmodellierung", 3, 2, True, "partial"),
    ]
    # Analysekurs reaches Prozessmodellierung only at 2 < 3
    assert [(r["training_format"]["id"], r["closes"]) for r in answer["recommendations"]] == [
        ("prozesskurs", [B1])]
    assert answer["uncovered"] == []


def test_gap_narrower_does_not_meet_broader_and_task_inherited(index: PlanningIndex) -> None:
    answer = planning.gap(index, R2, [(A1A, 4)])
    assert statuses(answer) == [
        # essential first, then by label: "Datenkompetenz" < "Digitale Grundlagen"
        ("datenkompetenz", 3, None, True, "missing"),   # from task Daten auswerten
        ("grundlagen", 2, None, True, "missing"),
        ("it-sicherheit", 1, None, False, "missing"),
    ]
    assert answer["coverage"] == 0.0
    assert [(r["training_format"]["id"], r["closes"]) for r in answer["recommendations"]] == [
        ("datenkurs", sorted([A, A1]))]
    assert answer["uncovered"] == [SEC]


def test_gap_in_english_names_formats_kinds_and_legal_bases(index: PlanningIndex) -> None:
    fortbildung = {"iri": QD + "Fortbildung", "id": QD + "Fortbildung", "label": "Fortbildung",
                   "type": "training-kind"}
    answer = planning.gap(index, R1, [], "en")
    assert answer["recommendations"] == [
        {"training_format": _node("training-format", "datenkurs", "Analytics basics"),
         "kind": fortbildung, "closes": [A1],
         "legal_basis": [_node("legal-basis", "testgesetz-3", "Section 3 Test Act")]},
        {"training_format": _node("training-format", "prozesskurs", "Process course"),
         "kind": fortbildung, "closes": [B1],
         "legal_basis": [_node("legal-basis", "testgesetz", "Test Act")]},
    ]
    assert answer["uncovered"] == [A2]
    assert answer["role"] == _node("role", "prozessmanagerin", "Process manager")
    # requirements by their English labels
    assert [r["competency"]["label"] for r in answer["requirements"]] == [
        "Communication", "Data literacy", "Process modelling"]


def test_role_profile_formats_reaching_exactly_the_required_level(index: PlanningIndex) -> None:
    profile = planning.role_profile(index, R2)
    formats = {r["competency"]["id"]: ids(r["formats"]) for r in profile["requirements"]}
    # the data course reaches level 2 of the foundations and level 3 of data literacy: enough
    assert formats["grundlagen"] == ["datenkurs"]
    assert formats["datenkompetenz"] == ["analysekurs", "datenkurs"]


def test_role_profile_orders_tasks_by_label_in_the_language(tmp_path: Path) -> None:
    ctx = planning_context(tmp_path)
    ctx.store.add([Quad(NamedNode(R1), NamedNode(QD + "performsTask"), NamedNode(T2),
                        NamedNode(PLANNING_GRAPH))])
    index = planning.get_index(ctx)
    assert ids(planning.role_profile(index, R1, "de")["tasks"]) == [
        "daten-auswerten", "prozesse-analysieren"]  # Daten auswerten, Prozesse analysieren
    assert ids(planning.role_profile(index, R1, "en")["tasks"]) == [
        "prozesse-analysieren", "daten-auswerten"]  # Analyse processes, Evaluate data
    ctx.close()


def test_role_without_requirements(tmp_path: Path) -> None:
    """A role that requires nothing is fully covered by anything, and ranks first."""
    ctx = planning_context(tmp_path)
    role = NamedNode(R + "ohne-anforderungen")
    graph = NamedNode(PLANNING_GRAPH)
    ctx.store.add([
        Quad(role, NamedNode(RDF + "type"), NamedNode(QD + "Role"), graph),
        Quad(role, NamedNode(SKOS + "prefLabel"), Literal("Ohne Anforderungen", language="de"),
             graph),
    ])
    index = planning.get_index(ctx)
    assert planning.gap(index, role.value, []) == {
        "role": _node("role", "ohne-anforderungen", "Ohne Anforderungen"), "coverage": 1.0,
        "requirements": [], "recommendations": [], "uncovered": []}
    ranked = planning.match(index, [], 2)["roles"]
    assert [(r["role"]["id"], r["coverage"], r["missing"]) for r in ranked] == [
        ("ohne-anforderungen", 1.0, []), ("datenanalyst", 0.0, [A1, A])]
    assert planning.curriculum_gaps(index, role.value) == {"gaps": []}
    ctx.close()


def test_gap_all_met(index: PlanningIndex) -> None:
    answer = planning.gap(index, R2, [(A, 2), (A1, 4), (SEC, 1)])
    assert answer["coverage"] == 1.0
    assert answer["recommendations"] == [] and answer["uncovered"] == []


def test_gap_optional_only_role_counts_all(index: PlanningIndex) -> None:
    assert planning.gap(index, R3, [(A2, 2)])["coverage"] == 0.5


def test_gap_level_outside_scale(index: PlanningIndex) -> None:
    for bad in (5, 0):
        with pytest.raises(BadParameter) as info:
            planning.gap(index, R1, [(A1, 2), (A2, bad)])
        assert info.value.param == "have[1].level"
        assert info.value.status == 422
        assert f"rank {bad} is outside the scale (1..4) of the framework of {A2}" in \
            str(info.value)


def test_gap_unknown_ids(index: PlanningIndex) -> None:
    with pytest.raises(NotFound, match=f"there is no role {R}niemand") as info:
        planning.gap(index, R + "niemand", [])
    assert info.value.extra["id"] == R + "niemand"
    with pytest.raises(NotFound, match=rf"there is no competency {C}unbekannt "
                                       r"\(have\[0\]\.competency\)") as info:
        planning.gap(index, R1, [(C + "unbekannt", 1)])
    assert info.value.extra["id"] == C + "unbekannt"


def test_held_twice_counts_the_higher_rank(index: PlanningIndex) -> None:
    for have in ([(A1, 2), (A1, 1)], [(A1, 1), (A1, 2)]):
        rows = {r["competency"]["id"]: r for r in planning.gap(index, R1, have)["requirements"]}
        assert (rows["datenkompetenz"]["held_level"], rows["datenkompetenz"]["status"]) == \
            (2, "met")


# --- match ---------------------------------------------------------------------------------------

def test_match_coverage_then_label(index: PlanningIndex) -> None:
    answer = planning.match(index, [(A1, 3), (A2, 2)])
    assert [(r["role"]["id"], r["coverage"], r["missing"]) for r in answer["roles"]] == [
        ("prozessmanagerin", 0.6667, [B1]),
        ("datenanalyst", 0.5, [A]),
        ("sachbearbeitung", 0.5, [A1A]),
    ]
    en = planning.match(index, [(A1, 3), (A2, 2)], lang="en")
    assert [r["role"]["id"] for r in en["roles"]] == ["prozessmanagerin", "sachbearbeitung",
                                                      "datenanalyst"]
    assert len(planning.match(index, [(A1, 3)], limit=2)["roles"]) == 2


def test_match_nothing_held(index: PlanningIndex) -> None:
    answer = planning.match(index, [])
    assert [r["coverage"] for r in answer["roles"]] == [0.0, 0.0, 0.0]
    assert [r["role"]["id"] for r in answer["roles"]] == ["datenanalyst", "prozessmanagerin",
                                                          "sachbearbeitung"]


def test_match_limit_bounds(index: PlanningIndex) -> None:
    assert len(planning.match(index, [], 10_000)["roles"]) == 3
    assert len(planning.match(index, [], 1)["roles"]) == 1
    for limit in (0, 10_001):
        with pytest.raises(BadParameter) as info:
            planning.match(index, [], limit)
        assert (info.value.param, info.value.status) == ("limit", 422)
        assert "between 1 and 10000" in str(info.value)


# --- curriculum gaps -----------------------------------------------------------------------------

def test_curriculum_gaps_all_roles(index: PlanningIndex) -> None:
    gaps = planning.curriculum_gaps(index)["gaps"]
    assert [(g["competency"]["id"], g["required_level"], g["best_available_level"],
             ids(g["roles"])) for g in gaps] == [
        ("datenschutz", 1, None, ["sachbearbeitung"]),
        ("it-sicherheit", 1, None, ["datenanalyst"]),
        ("kommunikation", 2, 1, ["prozessmanagerin", "sachbearbeitung"]),
    ]


def test_curriculum_gaps_in_english_order_by_english_labels(index: PlanningIndex) -> None:
    gaps = planning.curriculum_gaps(index, None, "en")["gaps"]
    assert [(g["competency"]["label"], [r["label"] for r in g["roles"]]) for g in gaps] == [
        ("Communication", ["Administrative clerk", "Process manager"]),
        ("Data protection", ["Administrative clerk"]),
        ("IT security", ["Data analyst"]),
    ]


def test_roles_for_in_english_labels_every_node(index: PlanningIndex) -> None:
    answer = planning.roles_for(index, A1A, "en")
    assert answer["competency"] == _node("competency", "datenschutz", "Data protection")
    assert [r["role"]["label"] for r in answer["roles"]] == [
        "Administrative clerk", "Data analyst", "Process manager"]
    assert [[n["label"] for n in p] for p in answer["roles"][1]["paths"]] == [
        ["Data protection", "Data literacy", "Digital foundations", "Data analyst"],
        ["Data protection", "Data literacy", "Evaluate data", "Data analyst"],
    ]
    # paths in English are ordered by their English labels (German: the task route first)
    assert [[n["label"] for n in p] for p in planning.paths(index, A1A, R2, 4, "en")["paths"]] \
        == [["Data protection", "Data literacy", "Digital foundations", "Data analyst"],
            ["Data protection", "Data literacy", "Evaluate data", "Data analyst"]]
    # roles that no held competency counts follow in the order of their English labels
    assert [r["role"]["label"] for r in planning.match(index, [], 3, "en")["roles"]] == [
        "Administrative clerk", "Data analyst", "Process manager"]
    with pytest.raises(NotFound, match=f"there is no competency {C}unbekannt"):
        planning.roles_for(index, C + "unbekannt")
    with pytest.raises(NotFound, match=f"there is no role {R}niemand"):
        planning.paths(index, A1A, R + "niemand")


def test_curriculum_gaps_one_role(index: PlanningIndex) -> None:
    gaps = planning.curriculum_gaps(index, R1)["gaps"]
    assert [(g["competency"]["id"], g["required_level"], g["best_available_level"],
             ids(g["roles"])) for g in gaps] == [("kommunikation", 2, 1, ["prozessmanagerin"])]


def test_role_profile(index: PlanningIndex) -> None:
    profile = planning.role_profile(index, R1)
    assert ids(profile["tasks"]) == ["prozesse-analysieren"]
    first = profile["requirements"][0]
    assert first["competency"]["id"] == "datenkompetenz"
    assert sorted(ids(first["from"])) == ["prozesse-analysieren", "prozessmanagerin"]
    assert first["level"]["id"] == "testrahmen-2"
    assert sorted(ids(first["formats"])) == ["analysekurs", "datenkurs"]


def _node(kind: str, slug: str, label: str) -> dict[str, str]:
    return {"iri": f"{ID}{kind}/{slug}", "id": slug, "label": label, "type": kind}


def test_role_profile_whole_answer_in_english(index: PlanningIndex) -> None:
    role = _node("role", "prozessmanagerin", "Process manager")
    task = _node("task", "prozesse-analysieren", "Analyse processes")
    assert planning.role_profile(index, R1, "en") == {
        "role": role,
        "tasks": [task],
        "requirements": [
            {"competency": _node("competency", "kommunikation", "Communication"),
             "required_level": 2, "level": _node("level", "testrahmen-2", "Level 2"),
             "essential": True, "from": [role],
             # the communication training reaches level 1 only
             "formats": []},
            {"competency": _node("competency", "datenkompetenz", "Data literacy"),
             "required_level": 2, "level": _node("level", "testrahmen-2", "Level 2"),
             "essential": True, "from": [role, task],
             "formats": [_node("training-format", "analysekurs", "Data analysis course"),
                         _node("training-format", "datenkurs", "Analytics basics")]},
            {"competency": _node("competency", "prozessmodellierung", "Process modelling"),
             "required_level": 3, "level": _node("level", "testrahmen-3", "Level 3"),
             "essential": True, "from": [role, task],
             "formats": [_node("training-format", "prozesskurs", "Process course")]},
        ],
    }


def test_the_small_graph_conforms_to_the_shapes() -> None:
    from qualifica.validation.shacl import Shapes, parse_files, to_rdflib

    settings = Settings(in_memory=True, load_bundled=False)
    ontology = [*sorted(settings.ontology_dir.glob("*.ttl")),
                *sorted((settings.ontology_dir / "vocab").glob("*.ttl"))]
    graph = None
    for quads in parse_files([*ontology, SMALL]).values():
        graph = to_rdflib(quads, graph) if graph is not None else to_rdflib(quads)
    report = Shapes(settings.shapes_dir, settings.ontology_dir).validate(graph)
    assert report.conforms, report.text("en")
