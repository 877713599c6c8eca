"""Writes and the planning index: patching it in place against rebuilding it.

One command (from the repository root)::

    .venv/bin/python bench/index_writes.py --scale 1

It reuses (or generates) ``bench/out/graph-{scale}.nt``, bulk-loads it into an on-disk
``OxigraphStore`` in a temporary folder, builds the planning index, and then times single
committed writes through the store (``add`` / ``remove``, each returning once the index is current
again) of a requirement, a performed task, a broader link, a learning outcome and a label, each
added and removed again ``--repeat`` times: once with the index patched (the default) and once
with a full rebuild after the write. Every patched index is checked against the answer it should
give (the written role is found, or gone). The time of the patch alone is reported beside the
time of the whole write (which includes the store's own commit and flush to disk). Writes
``bench/out/index-writes-{scale}.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import generate
from common import ROOT, bench_graph, store_context
from pyoxigraph import Literal, NamedNode, Quad

from qualifica import planning
from qualifica.namespaces import GRAPH, QD, RDF, SKOS
from qualifica.planning.index import HOLDER, IndexHolder
from qualifica.store.base import ChangeSet
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import load_graph


def ms(samples: list[float]) -> dict[str, float]:
    """Median and max of durations, in ms."""
    values = sorted(x * 1000 for x in samples)
    return {"n": len(values), "median_ms": round(statistics.median(values), 2),
            "max_ms": round(values[-1], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=10, help="patched writes per kind")
    parser.add_argument("--rebuilds", type=int, default=2, help="writes timed with a rebuild")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    graph_path = bench_graph(args.scale, args.seed)
    results: dict[str, Any] = {"scale": args.scale, "load_average_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="qualifica-bench-") as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        g = NamedNode(GRAPH + "bench")
        load_graph(store, graph_path, g.value, bulk=True)
        results["quads"] = store.count()
        ctx = store_context(store, Path(tmp))
        t0 = time.perf_counter()
        index = planning.get_index(ctx)
        results["index_build_s"] = round(time.perf_counter() - t0, 2)
        holder = ctx.part(HOLDER)
        assert isinstance(holder, IndexHolder)
        print(f"{results['quads']} quads, index built in {results['index_build_s']} s")

        rng = random.Random(args.seed)
        roles = sorted(index.roles)
        leaves = sorted(c for c in index.competencies if c not in index.narrower)
        tasks = sorted(index.tasks)
        formats = sorted(index.formats)
        mids = sorted(c for c in index.competencies if c in index.narrower and c in index.broader)

        def requirement(i: int) -> tuple[list[Quad], str, str]:
            role, comp = rng.choice(roles), rng.choice(leaves)
            req = NamedNode(f"{generate.ID}requirement/bench-write-{i}")
            return [Quad(NamedNode(role), NamedNode(QD + "requires"), req, g),
                    Quad(req, NamedNode(RDF + "type"), NamedNode(QD + "CompetencyRequirement"), g),
                    Quad(req, NamedNode(QD + "competency"), NamedNode(comp), g)], role, comp

        def task(i: int) -> tuple[list[Quad], str, str]:
            role, t = rng.choice(roles), rng.choice(tasks)
            return [Quad(NamedNode(role), NamedNode(QD + "performsTask"), NamedNode(t), g)], \
                role, t

        def broader(i: int) -> tuple[list[Quad], str, str]:
            leaf, mid = rng.choice(leaves), rng.choice(mids)
            return [Quad(NamedNode(leaf), NamedNode(SKOS + "broader"), NamedNode(mid), g)], \
                leaf, mid

        def outcome(i: int) -> tuple[list[Quad], str, str]:
            f, comp = rng.choice(formats), rng.choice(leaves)
            out = NamedNode(f"{generate.ID}outcome/bench-write-{i}")
            return [Quad(NamedNode(f), NamedNode(QD + "develops"), out, g),
                    Quad(out, NamedNode(QD + "competency"), NamedNode(comp), g)], f, comp

        def label(i: int) -> tuple[list[Quad], str, str]:
            role = rng.choice(roles)
            return [Quad(NamedNode(role), NamedNode(SKOS + "prefLabel"),
                         Literal(f"Aaa Schreibprobe {i}", language="fr"), g)], role, ""

        def check(kind: str, subject: str, other: str, present: bool) -> None:
            ix = planning.get_index(ctx)
            if kind == "requirement":
                found = other in ix.role_requirements[subject]
                assert found or not present, "the new requirement is not in the index"
            elif kind == "label":
                assert (ix.labels[subject].get("fr") is not None) == present

        kinds = {"requirement": requirement, "task": task, "broader": broader,
                 "outcome": outcome, "label": label}
        patched: dict[str, Any] = {}
        for name, make in kinds.items():
            adds: list[float] = []
            removes: list[float] = []
            patch_only: list[float] = []
            for i in range(args.repeat):
                quads, a, b = make(i)
                t0 = time.perf_counter()
                store.add(quads)
                adds.append(time.perf_counter() - t0)
                patch_only.append(planning.get_index(ctx).built_s)
                check(name, a, b, True)
                t0 = time.perf_counter()
                store.remove(quads)
                removes.append(time.perf_counter() - t0)
                patch_only.append(planning.get_index(ctx).built_s)
                check(name, a, b, False)
            patched[name] = {"add": ms(adds), "remove": ms(removes), "patch": ms(patch_only)}
            print(f"patched, {name}: add {patched[name]['add']}, remove "
                  f"{patched[name]['remove']}, patch alone {patched[name]['patch']}")
        results["patched"] = patched
        results["patches"] = holder.patches

        # the same single-requirement write, with the whole index rebuilt after it (as for a
        # change whose quads are unknown)
        rebuilt: list[float] = []
        rebuild_only: list[float] = []
        for i in range(args.rebuilds):
            quads, _, _ = requirement(1000 + i)
            t0 = time.perf_counter()
            store.add(quads)
            holder.apply(ChangeSet())  # what a write of unknown quads costs
            rebuilt.append(time.perf_counter() - t0)
            rebuild_only.append(planning.get_index(ctx).built_s)
            store.remove(quads)
        results["rebuilt_requirement_add"] = ms(rebuilt)
        results["rebuild_alone"] = ms(rebuild_only)
        print(f"rebuilt, requirement add: {results['rebuilt_requirement_add']}")
        store.close()

    results["load_average_at_end"] = os.getloadavg()
    out = args.out or ROOT / "bench" / "out" / f"index-writes-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
