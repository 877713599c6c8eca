"""The patched planning index equals a freshly built one after every write (seeded random writes).

Random writes (requirements, tasks, broader links, outcomes, labels, types, kinds, legal bases,
schemes; added, removed, or several at once through ``Store.apply``) go to a real store; after
each, the index the holder patched must hold the same maps as one built from scratch and give the
same answers to ``roles_for``, ``paths``, ``gap``, ``match``, ``curriculum_gaps`` and
``role_profile``.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica import planning
from qualifica.context import Context
from qualifica.errors import QualificaError
from qualifica.namespaces import QD, RDF, SKOS, XSD
from qualifica.planning.index import HOLDER, IndexHolder, PlanningIndex, build_index
from qualifica_testing import PATCH_EXTRA, PATCH_MAIN, RandomWriter

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "planning" / "small.ttl"
ID = "https://w3id.org/qualifica/id/"
MAIN = PATCH_MAIN
EXTRA = PATCH_EXTRA
SKIP = {"generation", "built_s", "_nodes", "_role_order"}
FIELDS = [f.name for f in dataclasses.fields(PlanningIndex) if f.name not in SKIP]
CLASSES = [QD + "Role", QD + "Task", QD + "Competency", QD + "TrainingFormat"]
KINDS = [QD + "Ausbildung", QD + "Fortbildung", QD + "Weiterbildung"]





def _answer(call: Callable[..., Any], *args: Any) -> Any:
    try:
        return call(*args)
    except QualificaError as exc:
        return ("error", type(exc).__name__, str(exc))


def _have(index: PlanningIndex, rng: random.Random, n: int) -> list[tuple[str, int]]:
    comps = sorted(index.competencies)
    out = []
    for c in rng.sample(comps, min(n, len(comps))):
        out.append((c, rng.choice(sorted(index.scale(c)) or [1])))
    return out


def assert_same(patched: PlanningIndex, fresh: PlanningIndex, rng: random.Random,
                sample: int | None) -> None:
    """Same maps, same nodes, same answers."""
    for name in FIELDS:
        assert getattr(patched, name) == getattr(fresh, name), name
    for lang in ("de", "en"):
        assert patched.roles_by_label(lang) == fresh.roles_by_label(lang)
        for iri in fresh.types:
            assert patched.node(iri, lang) == fresh.node(iri, lang), iri
    comps = sorted(fresh.competencies)
    roles = sorted(fresh.roles)
    if sample is not None:
        comps = rng.sample(comps, min(sample, len(comps)))
        roles = rng.sample(roles, min(sample, len(roles)))
    for lang in ("de", "en"):
        for c in comps:
            assert (_answer(planning.roles_for, patched, c, lang)
                    == _answer(planning.roles_for, fresh, c, lang)), c
        for r in roles:
            have = _have(fresh, rng, 4)
            assert (_answer(planning.gap, patched, r, have, lang)
                    == _answer(planning.gap, fresh, r, have, lang)), r
            assert planning.role_profile(patched, r, lang) == planning.role_profile(fresh, r, lang)
            assert (planning.curriculum_gaps(patched, r, lang)
                    == planning.curriculum_gaps(fresh, r, lang))
            if comps:
                c = rng.choice(comps)
                assert (_answer(planning.paths, patched, c, r, 5, lang)
                        == _answer(planning.paths, fresh, c, r, 5, lang))
        for _ in range(3):
            have = _have(fresh, rng, 5)
            assert (_answer(planning.match, patched, have, 10, lang)
                    == _answer(planning.match, fresh, have, 10, lang))
        assert planning.curriculum_gaps(patched, None, lang) == planning.curriculum_gaps(
            fresh, None, lang)


class Writer(RandomWriter):
    """Seeded random writes over the resources of the current index."""

    def some(self, *pools: Any) -> str:
        pool: list[str] = sorted(set().union(*pools))
        return self.rng.choice(pool)

    def graph(self) -> NamedNode:
        return self.rng.choice([MAIN, EXTRA])

    def make(self, ix: PlanningIndex) -> tuple[str, list[Quad], list[Quad]]:
        """One random change: (name, quads to add, quads to remove)."""
        rng, g = self.rng, self.graph()

        def q(s: str, p: str, o: Any) -> Quad:
            return Quad(NamedNode(s), NamedNode(p), o if not isinstance(o, str)
                        else NamedNode(o), g)

        comps = ix.competencies | {self.new("competency")}
        holders = ix.roles | ix.tasks | set(list(sorted(ix.competencies))[:1])
        levels = [*sorted(ix.level_rank), ID + "level/unbekannt"]
        op = rng.randrange(16)
        if op in (0, 1):  # a new requirement (sometimes of a new holder, or an existing node)
            holder = self.some(holders) if rng.random() < 0.9 else self.new("role")
            olds = self.existing(QD + "requires")
            if olds and rng.random() < 0.2:
                return "share requirement", [q(holder, QD + "requires", olds[0].object)], []
            req = self.new("requirement")
            quads = [q(holder, QD + "requires", req),
                     q(req, QD + "competency", self.some(comps))]
            if rng.random() < 0.8:
                quads.append(q(req, QD + "level", rng.choice(levels)))
            if rng.random() < 0.7:
                quads.append(q(req, QD + "essential", Literal(
                    rng.choice(["true", "false"]), datatype=NamedNode(XSD + "boolean"))))
            return "add requirement", quads, []
        if op == 2:
            pool = [*self.existing(QD + "requires"), *self.existing(QD + "competency"),
                    *self.existing(QD + "level"), *self.existing(QD + "essential")]
            return "remove requirement fact", [], rng.sample(pool, min(len(pool), 1))
        if op == 3:
            role = self.some(ix.roles) if rng.random() < 0.8 else self.new("role")
            task = self.some(ix.tasks | ix.roles) if rng.random() < 0.8 else self.new("task")
            return "add performsTask", [q(role, QD + "performsTask", task)], []
        if op == 4:
            pool = self.existing(QD + "performsTask")
            return "remove performsTask", [], rng.sample(pool, min(len(pool), 2))
        if op == 5:
            return "add broader", [q(self.some(comps), SKOS + "broader", self.some(comps))], []
        if op == 6:
            pool = self.existing(SKOS + "broader")
            return "remove broader", [], rng.sample(pool, min(len(pool), 1))
        if op == 7:
            fmt = self.some(ix.formats) if rng.random() < 0.8 else self.new("training-format")
            out = self.new("outcome")
            quads = [q(fmt, QD + "develops", out), q(out, QD + "competency", self.some(comps))]
            if rng.random() < 0.8:
                quads.append(q(out, QD + "level", rng.choice(levels)))
            return "add outcome", quads, []
        if op == 8:
            pool = self.existing(QD + "develops")
            return "remove outcome", [], rng.sample(pool, min(len(pool), 1))
        if op == 9:
            pool = self.existing(SKOS + "prefLabel")
            return "remove label", [], rng.sample(pool, min(len(pool), 1))
        if op == 10:
            target = self.some(ix.roles, ix.tasks, ix.competencies, ix.formats)
            lang = rng.choice(["de", "en", "fr"])
            label = Literal(rng.choice(["Aa", "Mm", "Zz", "Öffentlich"]) + str(self.n),
                            language=lang)
            self.n += 1
            return "add label", [q(target, SKOS + "prefLabel", label)], []
        if op == 11:
            target = (self.some(ix.roles, ix.tasks, ix.competencies, ix.formats)
                      if rng.random() < 0.5 else self.new("thing"))
            return "add type", [q(target, RDF + "type", rng.choice(CLASSES))], []
        if op == 12:
            pool = [x for x in self.existing(RDF + "type")
                    if isinstance(x.object, NamedNode) and x.object.value in CLASSES]
            return "remove type", [], rng.sample(pool, min(len(pool), 1))
        if op == 13:
            fmt = self.some(ix.formats, ix.roles)
            if rng.random() < 0.5:
                return "add kind", [q(fmt, QD + "kind", rng.choice(KINDS))], []
            return "add legal basis", [q(fmt, QD + "legalBasis", self.new("legal-basis"))], []
        if op == 14:
            pool = [*self.existing(QD + "kind"), *self.existing(QD + "legalBasis"),
                    *self.existing(SKOS + "inScheme")]
            return "remove kind, legal basis or scheme", [], rng.sample(pool, min(len(pool), 1))
        scheme = self.some(ix.framework_levels)
        return "add scheme", [q(self.some(comps), SKOS + "inScheme", scheme)], []

    def step(self, ix: PlanningIndex) -> str:
        """Apply one change (sometimes two at once, or as a replacement of the extra graph)."""
        name, add, remove = self.make(ix)
        if self.rng.random() < 0.15:
            name2, add2, remove2 = self.make(ix)
            name, add, remove = f"{name} + {name2}", add + add2, remove + remove2
        if self.rng.random() < 0.1:
            # the whole extra graph replaced: one change with added and removed quads
            self.replace_graph(EXTRA, add, remove)
            return f"replace extra graph ({name})"
        if remove:
            self.ctx.store.remove(remove)
        if add:
            self.ctx.store.add(add)
        if self.rng.random() < 0.1 and add:
            # the same triples in the other graph too, then gone from it: still in the union
            other = [Quad(x.subject, x.predicate, x.object,
                          EXTRA if x.graph_name == MAIN else MAIN) for x in add]
            self.ctx.store.add(other)
            self.ctx.store.remove(other)
            name += " (duplicated and removed again)"
        return name


def run(ctx: Context, seed: int, steps: int, sample: int | None) -> IndexHolder:
    planning.get_index(ctx)
    holder = ctx.part(HOLDER)
    assert isinstance(holder, IndexHolder)
    rng = random.Random(seed)
    writer = Writer(ctx, rng)
    for i in range(steps):
        name = writer.step(planning.get_index(ctx))
        patched = planning.get_index(ctx)
        fresh = build_index(ctx.store, ctx.registry)
        try:
            assert_same(patched, fresh, random.Random(i), sample)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, step {i}: {name}: {exc}") from exc
    return holder


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_patched_index_equals_a_fresh_build_on_the_small_graph(small_ctx: Context,
                                                                seed: int) -> None:
    holder = run(small_ctx, seed, 70, None)
    assert holder.patches >= 60  # the writes were patched, not rebuilt
    assert holder.rebuilds == 1


def test_patched_index_equals_a_fresh_build_on_a_generated_graph(generated_ctx: Context) -> None:
    holder = run(generated_ctx, 7, 60, 12)
    assert holder.patches >= 50
    assert holder.rebuilds == 1
