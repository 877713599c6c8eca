"""The role and competency pages take their requirements, the levels their formats reach and
the editorial marks from the planning index and the catalogue: the same facts as queries over
the store, on the bundled graph and after writes that change only a mark or a level."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from qualifica import planning
from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import QD, XSD
from qualifica.planning.index import build_index
from qualifica.sparql.terms import bool_of, int_of, iri_of
from qualifica.web.formats import format_pairs, format_rows, formats_for
from qualifica.web.queries import Labeller
from qualifica.web.role_view import merged_requirements

ID = "https://w3id.org/qualifica/id/"

#: The requirements of a role as the role page read them before (one row per requirement).
REFERENCE = """
PREFIX qd: <https://w3id.org/qualifica/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?via ?req ?competency ?level ?rank ?essential ?editorial ?framework WHERE {
  { ?role qd:requires ?req . BIND(?role AS ?via) }
  UNION
  { ?role qd:performsTask ?via . ?via qd:requires ?req . }
  ?req qd:competency ?competency .
  OPTIONAL { ?req qd:level ?level . OPTIONAL { ?level qd:rank ?rank } }
  OPTIONAL { ?req qd:essential ?essential }
  OPTIONAL { ?req qd:editorial ?editorial }
  OPTIONAL { ?competency skos:inScheme ?framework }
}
"""


def reference(ctx: Context, role: str) -> dict[str, tuple[object, ...]]:
    """Per competency: level, rank, essential (either), editorial (all), frameworks, via."""
    rows = ctx.store.query(REFERENCE.replace("?role", f"<{role}>")).rows  # type: ignore[union-attr]
    acc: dict[str, dict[str, object]] = {}
    for row in rows:
        comp = iri_of(row["competency"])
        assert comp is not None
        rank = int_of(row.get("rank"))
        entry = acc.setdefault(comp, {"rank": None, "level": None, "essential": False,
                                      "editorial": True, "frameworks": set(), "via": set()})
        if rank is not None and (entry["rank"] is None or rank > entry["rank"]):  # type: ignore[operator]
            entry["rank"], entry["level"] = rank, iri_of(row.get("level"))
        entry["essential"] = entry["essential"] or bool(bool_of(row.get("essential")))
        entry["editorial"] = entry["editorial"] and bool(bool_of(row.get("editorial")))
        if (fw := iri_of(row.get("framework"))) is not None:
            entry["frameworks"].add(fw)  # type: ignore[attr-defined]
        entry["via"].add(iri_of(row["via"]))  # type: ignore[attr-defined]
    return {c: (e["level"], e["rank"], e["essential"], e["editorial"],
                min(e["frameworks"]) if e["frameworks"] else None,  # type: ignore[arg-type]
                sorted(e["via"]))  # type: ignore[arg-type]
            for c, e in acc.items()}


def from_page(ctx: Context, role: str) -> dict[str, tuple[object, ...]]:
    labeller = Labeller(ctx, "de")
    return {r.competency.iri: (r.level.iri if r.level else None, r.rank, r.essential,
                               r.editorial, r.framework.iri if r.framework else None,
                               [v.iri for v in r.via])
            for r in merged_requirements(ctx, role, labeller)}


def test_every_role_page_merges_the_requirements_the_store_holds(bundled_ctx: Context) -> None:
    roles = sorted(planning.get_index(bundled_ctx).roles)
    assert len(roles) > 10
    marked = 0
    for role in roles:
        expected = reference(bundled_ctx, role)
        assert from_page(bundled_ctx, role) == expected, role
        marked += sum(1 for e in expected.values() if e[3])
    assert marked > 0  # the bundled graph has editorial requirements


def test_format_rows_from_memory_are_the_rows_of_the_store(bundled_ctx: Context) -> None:
    comps = sorted(catalogue_for(bundled_ctx).by_kind["competency"])
    labeller = Labeller(bundled_ctx, "en")
    queried = formats_for(bundled_ctx, comps, labeller)
    made = format_rows(bundled_ctx, format_pairs(bundled_ctx, comps, labeller), labeller)
    assert len(made) > 10
    assert made == queried


def flag(value: bool) -> Literal:
    return Literal(str(value).lower(), datatype=NamedNode(XSD + "boolean"))


def test_a_changed_mark_or_level_reaches_the_pages_facts(planning_ctx: Context) -> None:
    role, comp = ID + "role/datenanalyst", ID + "competency/grundlagen"
    fmt, outcome = ID + "training-format/datenkurs", NamedNode(ID + "outcome/datenkurs-grundlagen")
    req = NamedNode(ID + "requirement/datenanalyst-grundlagen")
    before = planning.get_index(planning_ctx)
    assert before.role_requirements[role][comp].editorial
    assert comp in before.editorial_outcomes[fmt]
    assert before.outcome_levels[fmt][comp] == ID + "level/testrahmen-2"
    editorial = NamedNode(QD + "editorial")
    graph = next(q.graph_name for q in planning_ctx.store.quads(req, editorial, None))
    planning_ctx.store.remove([*planning_ctx.store.quads(req, editorial, None),
                        *planning_ctx.store.quads(outcome, editorial, None),
                        *planning_ctx.store.quads(outcome, NamedNode(QD + "level"), None)])
    planning_ctx.store.add([Quad(req, editorial, flag(False), graph),
                     Quad(outcome, NamedNode(QD + "level"),
                          NamedNode(ID + "level/testrahmen-3"), graph)])
    patched = planning.get_index(planning_ctx)
    fresh = build_index(planning_ctx.store, planning_ctx.registry)
    for ix in (patched, fresh):
        assert not ix.role_requirements[role][comp].editorial
        assert comp not in ix.editorial_outcomes.get(fmt, ())
        assert ix.outcome_levels[fmt][comp] == ID + "level/testrahmen-3"
        assert ix.format_outcomes[fmt][comp] == 3
    assert patched.editorial_outcomes == fresh.editorial_outcomes
    assert patched.outcome_levels == fresh.outcome_levels
    assert patched.role_requirements == fresh.role_requirements
