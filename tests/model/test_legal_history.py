"""Legal bases over time: the versions of the bundled provisions and their sources, the legal
bases in force before and after each bundled amendment, the changes of a hand-made act with
worked-out answers, and the quality rule on resources resting on repealed law."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from qualifica.config import Settings
from qualifica.context import Context
from qualifica.linkeddata import legal
from qualifica.namespaces import DCTERMS, ELI, GRAPH, ID, QD, RDF
from qualifica.sparql import run
from qualifica.validation.checks import run_checks
from qualifica_testing import ROOT, load_graph, memory_context

L = ID + "legal-basis/"
FIXTURE = ROOT / "tests" / "data" / "legal" / "changes.ttl"
QC = "resting-on-provision-no-longer-in-force-violation"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def in_force(ctx: Context, on: str) -> dict[str, str | None]:
    """legal basis slug → the slug of its version in force (None: it has no versions)."""
    query = ctx.registry.get("legal-bases-in-force")
    rows = run.select(ctx.store, run.bound(query, {"date": on})).rows
    out: dict[str, str | None] = {}
    for row in rows:
        version = row.get("version")
        out[row["legalBasis"].value.removeprefix(L)] = (
            version.value.removeprefix(L) if version is not None else None)
    return out


# --- the bundled history ---------------------------------------------------------------------

#: (legal basis, last day of the old state, its version then, its version the day after)
#: for every bundled amendment; None: not in force.
AMENDMENTS = [
    ("bbig", "2019-12-31", "bbig-fassung-2005", "bbig-fassung-2020"),
    ("bbig-53", "2019-12-31", "bbig-53-fassung-2005", "bbig-53-fassung-2020"),
    ("bbig-53a", "2019-12-31", None, "bbig-53a-fassung-2020"),
    ("bbig-53b", "2019-12-31", None, "bbig-53b-fassung-2020"),
    ("bbig-53c", "2019-12-31", None, "bbig-53c-fassung-2020"),
    ("bbig-53d", "2019-12-31", None, "bbig-53d-fassung-2020"),
    ("bbig-53e", "2019-12-31", None, "bbig-53e-fassung-2020"),
    ("bbg-61", "2021-07-06", "bbg-61-fassung-2009", "bbg-61-fassung-2021"),
    ("ozg", "2024-07-23", "ozg-fassung-2017", "ozg-fassung-2024"),
    ("ozg-1", "2024-07-23", "ozg-1-fassung-2017", "ozg-1-fassung-2024"),
    ("ozg-1a", "2024-07-23", None, "ozg-1a-fassung-2024"),
    ("ozg-3", "2024-07-23", "ozg-3-fassung-2017", "ozg-3-fassung-2024"),
    ("ozg-3a", "2024-07-23", None, "ozg-3a-fassung-2024"),
    ("ozg-9a", "2024-07-23", None, "ozg-9a-fassung-2024"),
    ("vo-verwaltungsinformatikdienst-gehoben", "2025-02-28", None,
     "vo-verwaltungsinformatikdienst-gehoben-fassung-2025"),
]


@pytest.mark.parametrize(("basis", "last_old", "before", "after"), AMENDMENTS,
                         ids=[f"{a[0]}@{a[1]}" for a in AMENDMENTS])
def test_in_force_before_and_after_each_amendment(bundled_ctx: Context, basis: str,
                                                  last_old: str, before: str | None,
                                                  after: str) -> None:
    first_new = (day(last_old) + datetime.timedelta(days=1)).isoformat()
    old, new = in_force(bundled_ctx, last_old), in_force(bundled_ctx, first_new)
    if before is None:
        assert basis not in old
    else:
        assert old[basis] == before
    assert new[basis] == after
    # the library answer agrees with the named query
    assert (L + basis in legal.in_force_on(bundled_ctx, day(last_old))) == (before is not None)
    assert L + basis in legal.in_force_on(bundled_ctx, day(first_new))


def test_provisions_without_versions_follow_their_act(bundled_ctx: Context) -> None:
    early = in_force(bundled_ctx, "2005-06-01")
    assert "bbig-1" in early and early["bbig-1"] is None  # follows bbig-fassung-2005
    assert "bbig" in early and "bbg-61" not in early  # BBG of 2009 not yet
    assert "ozg" not in in_force(bundled_ctx, "2017-08-13")
    # the old GVIDVDV is no legal basis of anything here: never listed
    assert not any(k.startswith("gvidvdv") for k in in_force(bundled_ctx, "2020-01-01"))


def test_every_version_is_sourced_dated_and_cited(bundled_ctx: Context) -> None:
    store = bundled_ctx.store
    versions = {q.subject.value for q in store.quads(
        None, NamedNode(RDF + "type"), NamedNode(QD + "LegalVersion"))}
    assert len(versions) >= 26
    for iri in versions:
        sources = [q.object for q in store.quads(NamedNode(iri), NamedNode(DCTERMS + "source"))]
        assert sources and all(isinstance(s, NamedNode) for s in sources), iri
        ids = [q.object for q in store.quads(NamedNode(iri), NamedNode(DCTERMS + "identifier"))]
        assert len(ids) == 1 and isinstance(ids[0], Literal), iri
        assert ids[0].value.startswith("BGBl."), iri
        owners = list(store.quads(None, NamedNode(QD + "hasVersion"), NamedNode(iri)))
        assert len(owners) == 1, iri
    # the history lives in a graph of its own
    assert GRAPH + "legal-history" in store.named_graphs()


def test_amending_acts_are_linked_both_ways(bundled_ctx: Context) -> None:
    store = bundled_ctx.store
    amends = {(q.subject.value, q.object.value)
              for q in store.quads(None, NamedNode(ELI + "amends"), None)}
    amended_by = {(q.object.value, q.subject.value)
                  for q in store.quads(None, NamedNode(ELI + "amended_by"), None)}
    assert amends == amended_by
    assert (L + "bbg-aenderung-2021", L + "bbg-61") in amends
    assert (L + "ozg-aenderungsgesetz", L + "ozg-1a") in amends


def test_bundled_changes(bundled_ctx: Context) -> None:
    changes = legal.legal_changes(bundled_ctx, day("2020-01-01"), day("2025-12-31"), "de")
    got = [(c.date.isoformat(), c.kind, c.provision["id"]) for c in changes]
    assert got[0] == ("2025-03-01", "replaced", "vo-verwaltungsinformatikdienst-gehoben")
    assert ("2024-07-24", "renumbered", "ozg-1a") in got
    assert ("2024-07-24", "amended", "ozg-1") in got
    assert ("2024-07-24", "added", "ozg-9a") in got
    assert ("2021-07-07", "renumbered", "bbg-61") in got  # Abs. 2 → Abs. 3
    assert ("2020-01-01", "added", "bbig-53a") in got
    assert [c.date for c in changes] == sorted((c.date for c in changes), reverse=True)
    by_key = {(c.date.isoformat(), c.provision["id"]): c for c in changes}
    ozg_1a = by_key[("2024-07-24", "ozg-1a")]
    assert ozg_1a.old_version and ozg_1a.old_version["id"] == "ozg-1-fassung-2017"
    assert ozg_1a.changed_by and ozg_1a.changed_by["id"] == "ozg-aenderungsgesetz"
    offers = {n["id"] for n in ozg_1a.affected["offer"]}
    assert "egov-campus-verwaltungsportale" in offers
    assert {n["id"] for n in ozg_1a.affected["role"]} >= {"digitalisierungsbeauftragte"}
    bachelor = by_key[("2020-01-01", "bbig-53c")]
    assert [n["id"] for n in bachelor.affected["offer"]] == ["bachelor-professional"]


def test_bundled_graph_rests_on_no_repealed_provision(bundled_ctx: Context) -> None:
    rows = bundled_ctx.store.query(bundled_ctx.registry.qc[QC].text).rows  # type: ignore[union-attr]
    assert rows == []


# --- a hand-made act with worked-out answers --------------------------------------------------

@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    ctx = memory_context(tmp_path_factory.mktemp("legal"))
    load_graph(ctx.store, FIXTURE, GRAPH + "legal-test")
    yield ctx
    ctx.close()


#: Every change of the fixture, newest first: (date, kind, provision, old, new, changed by).
EXPECTED = [
    ("2022-01-01", "added", "testgesetz-4", None, "testgesetz-4-fassung-3",
     "testgesetz-aenderung"),
    ("2021-07-01", "repealed", "testgesetz-3", "testgesetz-3-fassung-1", None, None),
    ("2020-01-01", "amended", "testgesetz", "testgesetz-fassung-1", "testgesetz-fassung-2",
     "testgesetz-aenderung"),
    ("2020-01-01", "amended", "testgesetz-1", "testgesetz-1-fassung-1", "testgesetz-1-fassung-2",
     "testgesetz-aenderung"),
    ("2020-01-01", "renumbered", "testgesetz-2a", "testgesetz-2-fassung-1",
     "testgesetz-2a-fassung-2", "testgesetz-aenderung"),
    ("2010-01-01", "added", "testgesetz", None, "testgesetz-fassung-1", None),
    ("2010-01-01", "added", "testgesetz-1", None, "testgesetz-1-fassung-1", None),
    ("2010-01-01", "added", "testgesetz-2", None, "testgesetz-2-fassung-1", None),
    ("2010-01-01", "added", "testgesetz-3", None, "testgesetz-3-fassung-1", None),
]


def _table(changes: list[legal.Change]) -> list[tuple[str | None, ...]]:
    return [(c.date.isoformat(), c.kind, c.provision["id"],
             c.old_version["id"] if c.old_version else None,
             c.new_version["id"] if c.new_version else None,
             c.changed_by["id"] if c.changed_by else None) for c in changes]


def test_handmade_changes_all(handmade: Context) -> None:
    got = _table(legal.legal_changes(handmade, day("1900-01-01"), day("2100-12-31"), "de"))
    assert got == EXPECTED


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2020-01-01", "2020-01-01", EXPECTED[2:5]),
    ("2020-01-02", "2021-06-30", []),
    ("2021-07-01", "2021-07-01", EXPECTED[1:2]),  # the day after the last day in force
    ("2021-01-01", "2030-12-31", EXPECTED[:2]),
])
def test_handmade_changes_in_a_range(handmade: Context, start: str, end: str,
                                     expected: list[tuple[str | None, ...]]) -> None:
    assert _table(legal.legal_changes(handmade, day(start), day(end), "de")) == expected


def test_handmade_changes_of_an_act(handmade: Context) -> None:
    by_act = _table(legal.legal_changes(handmade, day("2015-01-01"), day("2030-12-31"), "de",
                                        act="testgesetz"))
    assert by_act == EXPECTED[:5]
    by_amending_act = _table(legal.legal_changes(
        handmade, day("2015-01-01"), day("2030-12-31"), "de", act="testgesetz-aenderung"))
    assert by_amending_act == [e for e in EXPECTED[:5] if e[5] == "testgesetz-aenderung"]
    assert legal.legal_changes(handmade, day("2015-01-01"), day("2030-12-31"), "de",
                               act="bbig") == []


def test_handmade_affected(handmade: Context) -> None:
    changes = {(c.date.isoformat(), c.provision["id"]): c for c in legal.legal_changes(
        handmade, day("2020-01-01"), day("2022-12-31"), "en")}

    def ids(key: tuple[str, str], kind: str) -> list[str]:
        return [n["id"] for n in changes[key].affected[kind]]

    repealed = ("2021-07-01", "testgesetz-3")
    assert ids(repealed, "role") == ["testrolle"]
    assert ids(repealed, "offer") == ids(repealed, "task") == []
    moved = ("2020-01-01", "testgesetz-2a")
    assert ids(moved, "task") == ["testaufgabe"]
    assert ids(moved, "role") == ["testrolle-zwei"]  # performs the task
    assert ids(moved, "requirement") == ["testaufgabe-anforderung"]
    assert ids(("2020-01-01", "testgesetz-1"), "offer") == ["testkurs"]
    # a change of the act reaches everything resting on any of its provisions
    act = ("2020-01-01", "testgesetz")
    assert sorted(ids(act, "role")) == ["testrolle", "testrolle-zwei"]
    assert ids(act, "offer") == ["testkurs"]
    assert changes[act].provision["label"] == "Test Act"  # the language asked for
    assert ids(("2022-01-01", "testgesetz-4"), "role") == []


def test_handmade_in_force(handmade: Context) -> None:
    assert in_force(handmade, "2019-12-31") == {
        "testgesetz": "testgesetz-fassung-1", "testgesetz-1": "testgesetz-1-fassung-1",
        "testgesetz-2": "testgesetz-2-fassung-1", "testgesetz-3": "testgesetz-3-fassung-1"}
    assert in_force(handmade, "2021-07-01") == {
        "testgesetz": "testgesetz-fassung-2", "testgesetz-1": "testgesetz-1-fassung-2",
        "testgesetz-2a": "testgesetz-2a-fassung-2"}
    assert "testgesetz-4" in in_force(handmade, "2022-01-01")
    assert in_force(handmade, "2009-12-31") == {}


def test_handmade_versions(handmade: Context) -> None:
    versions = legal.versions_of(handmade, [L + "testgesetz-1"], "en")[L + "testgesetz-1"]
    assert [v.iri.removeprefix(L) for v in versions] == [
        "testgesetz-1-fassung-1", "testgesetz-1-fassung-2"]
    old, new = versions
    assert old.start == day("2010-01-01") and old.entry_into_force is None
    assert old.last_day == day("2019-12-31") and old.in_force_on(day("2019-12-31"))
    assert not old.in_force_on(day("2020-01-01")) and new.in_force_on(day("2020-01-01"))
    assert new.previous == old.iri
    assert new.changed_by is not None and new.changed_by["label"] == "Test Amending Act"


# --- the quality rule --------------------------------------------------------------------------

def test_qc_rule_names_what_rests_on_a_repealed_provision(handmade: Context) -> None:
    rows = handmade.store.query(handmade.registry.qc[QC].text).rows  # type: ignore[union-attr]
    found = {(r["resource"].value.removeprefix(ID), r["legalBasis"].value.removeprefix(L),
              r["lastDay"].value) for r in rows}
    assert found == {("role/testrolle", "testgesetz-3", "2021-06-30")}


def test_qualifica_check_fails_on_a_fixture_resting_on_a_repealed_provision(
        tmp_path: Path) -> None:
    bundled = tmp_path / "data"
    shutil.copytree(ROOT / "data", bundled)
    shutil.copy(FIXTURE, bundled / "zz-legal-test.ttl")
    outcomes = {o.name: o for o in run_checks(
        Settings(bundled_dir=bundled, data_dir=tmp_path / "var"), reasoner=False)}
    shacl = outcomes["bundled graph conforms to the shapes (SHACL)"]
    assert shacl.status == "pass", shacl.report
    rule = outcomes[f"qc: {QC}"]
    assert rule.status == "fail"
    assert "role/testrolle" in rule.report and "testgesetz-3" in rule.report
    # without the fixture the rule passes
    shutil.copy(FIXTURE, tmp_path / "fixture.ttl")
    (bundled / "zz-legal-test.ttl").unlink()
    again = {o.name: o for o in run_checks(
        Settings(bundled_dir=bundled, data_dir=tmp_path / "var"), reasoner=False)}
    assert again[f"qc: {QC}"].status == "pass"
