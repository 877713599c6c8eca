"""The patched REST catalogue equals a freshly built one after every write (seeded random writes).

Random writes of everything the catalogue reads (types, preferred and alternative labels, the
links of every kind, outcomes and their competencies, level ranks, deprecation and successors,
modification stamps; added, removed, several at once, or a whole graph replaced) go to a real
store; after each, the catalogue the cache patched must hold the same entries as one built from
scratch, and give the same listings and details.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from qualifica.context import Context
from qualifica.linkeddata import details
from qualifica.linkeddata.catalogue import (
    CATALOGUE,
    COLLECTIONS,
    Catalogue,
    CatalogueCache,
    build,
    catalogue_for,
    listing,
)
from qualifica.namespaces import (
    DCTERMS,
    OWL,
    QD,
    RDF,
    SKOS,
    XSD,
)
from qualifica_testing import PATCH_EXTRA, PATCH_MAIN, RandomWriter

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "planning" / "small.ttl"
ID = "https://w3id.org/qualifica/id/"
MAIN = PATCH_MAIN
EXTRA = PATCH_EXTRA
CLASSES = [QD + "Role", QD + "Task", QD + "Competency", QD + "TrainingFormat",
           QD + "LegalBasis", QD + "ProficiencyLevel", QD + "CompetencyFramework"]
LINKS = [SKOS + "inScheme", SKOS + "broader", SKOS + "topConceptOf", QD + "kind",
         QD + "legalBasis", QD + "partOf", QD + "levelOf", QD + "performsTask"]
BOOLEAN = NamedNode(XSD + "boolean")





def entries(cat: Catalogue) -> dict[str, Any]:
    """Everything a catalogue holds (empty lists left out)."""
    return {
        "kinds": cat.kinds, "labels": cat.labels, "alt": cat.alt,
        "out": {k: v for k, v in cat.out.items() if v},
        "inv": {k: v for k, v in cat.inv.items() if v},
        "by_kind": {k: v for k, v in cat.by_kind.items() if v},
        "ranks": cat.ranks, "deprecated": cat.deprecated, "replaced_by": cat.replaced_by,
        "modified": cat.modified,
    }


def assert_same(ctx: Context, patched: Catalogue, fresh: Catalogue, rng: random.Random) -> None:
    mine, theirs = entries(patched), entries(fresh)
    for name, value in theirs.items():
        assert mine[name] == value, name
    for collection in COLLECTIONS:
        for lang in ("de", "en"):
            a = listing(patched, collection, lang=lang, limit=500, deprecated=True)
            b = listing(fresh, collection, lang=lang, limit=500, deprecated=True)
            assert a == b, collection
    for collection, kind in COLLECTIONS.items():
        pool = sorted(fresh.by_kind.get(kind, ()))
        for iri in rng.sample(pool, min(2, len(pool))):
            assert (details.detail(fresh, ctx.store, ctx.registry, collection, iri, lang="de")
                    == details.detail(patched, ctx.store, ctx.registry, collection, iri,
                                      lang="de")), iri


class Writer(RandomWriter):
    """Seeded random writes of what the catalogue reads."""

    def some(self, cat: Catalogue) -> str:
        pool = sorted(cat.kinds)
        return self.rng.choice(pool) if pool and self.rng.random() < 0.85 else self.new("thing")

    def make(self, cat: Catalogue) -> tuple[str, list[Quad], list[Quad]]:
        rng = self.rng
        g = rng.choice([MAIN, EXTRA])

        def q(s: str | BlankNode, p: str, o: Any) -> Quad:
            subject = NamedNode(s) if isinstance(s, str) else s
            return Quad(subject, NamedNode(p), NamedNode(o) if isinstance(o, str) else o, g)

        op = rng.randrange(14)
        if op == 0:
            return "add type", [q(self.some(cat), RDF + "type", rng.choice(CLASSES))], []
        if op == 1:
            prop = rng.choice([RDF + "type", SKOS + "prefLabel", SKOS + "altLabel",
                               *LINKS, QD + "develops", QD + "competency", QD + "rank",
                               OWL + "deprecated", DCTERMS + "isReplacedBy",
                               DCTERMS + "modified"])
            pool = self.existing(prop)
            return f"remove {prop}", [], rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        if op in (2, 3):
            prop = rng.choice([SKOS + "prefLabel", SKOS + "altLabel"])
            label = Literal(rng.choice(["Aa", "Mm", "Zz", "Öffentlich"]) + str(self.n),
                            language=rng.choice(["de", "en", "fr"]))
            self.n += 1
            return "add label", [q(self.some(cat), prop, label)], []
        if op in (4, 5):
            return "add link", [q(self.some(cat), rng.choice(LINKS), self.some(cat))], []
        if op == 6:
            fmt = self.some(cat)
            out: str | BlankNode = self.new("outcome") if rng.random() < 0.5 else BlankNode()
            return "add outcome", [q(fmt, QD + "develops", out),
                                   q(out, QD + "competency", self.some(cat))], []
        if op == 7:
            pool = [x for x in self.existing(QD + "competency")
                    if any(True for _ in self.ctx.store.quads(None, NamedNode(QD + "develops"),
                                                               x.subject))]
            if pool:
                old = rng.choice(pool)
                return "change an outcome's competency", [q(old.subject, QD + "competency",
                                                            self.some(cat))], [old]
            return "nothing", [], []
        if op == 8:
            rank = Literal(str(rng.randint(1, 6)), datatype=NamedNode(XSD + "integer"))
            return "add rank", [q(self.some(cat), QD + "rank", rank)], []
        if op == 9:
            flag = Literal(rng.choice(["true", "false", "1"]), datatype=BOOLEAN)
            adds = [q(self.some(cat), OWL + "deprecated", flag)]
            if rng.random() < 0.6:
                adds.append(q(adds[0].subject.value, DCTERMS + "isReplacedBy", self.some(cat)))
            return "deprecate", adds, []
        if op == 10:
            stamp = Literal(f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00Z",
                            datatype=NamedNode(XSD + "dateTime"))
            return "stamp", [q(self.some(cat), DCTERMS + "modified", stamp)], []
        if op == 11:
            iri = self.some(cat)
            gone = list(self.ctx.store.quads(NamedNode(iri), None, None))
            return "remove a resource", [], gone
        if op == 12:
            # an irrelevant statement: the catalogue is the same, the generation moves on
            return "add a definition", [q(self.some(cat), SKOS + "definition",
                                          Literal(f"Text {self.n}", language="de"))], []
        iri = self.new("role")
        return "new role", [q(iri, RDF + "type", QD + "Role"),
                            q(iri, SKOS + "prefLabel", Literal("Neu", language="de")),
                            q(iri, QD + "performsTask", self.some(cat))], []

    def step(self, cat: Catalogue) -> str:
        name, add, remove = self.make(cat)
        if self.rng.random() < 0.2:
            name2, add2, remove2 = self.make(cat)
            name, add, remove = f"{name} + {name2}", add + add2, remove + remove2
        if self.rng.random() < 0.1:
            self.replace_graph(EXTRA, add, remove)
            return f"replace extra graph ({name})"
        self.ctx.store.apply(remove, add)
        return name


def run(ctx: Context, seed: int, steps: int) -> CatalogueCache:
    catalogue_for(ctx)
    cache = ctx.part(CATALOGUE)
    rng = random.Random(seed)
    writer = Writer(ctx, rng)
    for i in range(steps):
        name = writer.step(catalogue_for(ctx))
        patched = cache.peek(ctx.store)
        try:
            assert patched is not None, "not patched at once"
            fresh = build(ctx.store, ctx.registry, ctx.store.generation)
            assert_same(ctx, patched, fresh, random.Random(i))
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, step {i}: {name}: {exc}") from exc
    return cache


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patched_catalogue_equals_a_fresh_build_on_the_small_graph(small_ctx: Context,
                                                                    seed: int) -> None:
    cache = run(small_ctx, seed, 80)
    assert cache.builds == 1  # every write was patched, none built again
    assert cache.patches >= 60


def test_patched_catalogue_equals_a_fresh_build_on_a_generated_graph(
        generated_ctx: Context) -> None:
    cache = run(generated_ctx, 7, 50)
    assert cache.builds == 1
    assert cache.patches >= 40


def test_an_unknown_change_is_built_again(small_ctx: Context) -> None:
    before = catalogue_for(small_ctx)
    cache = small_ctx.part(CATALOGUE)
    small_ctx.store.update(
        f"INSERT DATA {{ GRAPH <{MAIN.value}> {{ <{ID}role/neu> a <{QD}Role> }} }}")
    assert cache.peek(small_ctx.store) is None  # not patched: the quads are unknown
    after = catalogue_for(small_ctx)
    assert after is not before and after.kinds[f"{ID}role/neu"] == "role"
    assert cache.builds == 2 and cache.patches == 0
