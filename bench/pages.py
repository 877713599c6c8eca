"""HTML pages made anew, in process: what ``/id/{kind}/{slug}`` costs as a page the first time
it is asked for in a store generation (``web.render.render_resource``, without the request
around it and without the pages kept per generation).

One command (from the repository root)::

    .venv/bin/python bench/pages.py --scale 1

It generates the bench graph (or reuses ``bench/out/graph-{scale}.nt``) and bulk-loads it into
an on-disk store in a temporary folder (``--store PATH``: a store loaded before, opened as it
is; it must not be open in another process), builds the planning index, makes one page (which
reads the catalogue and the tables kept per store generation), moves everything alive out of
the collector's reach as ``qualifica serve`` does after start-up, and then makes the pages of
``--pages`` resources of each kind (seeded; German, then English with ``--lang en``), each
once. Prints median, p95 and the largest time and the mean size per kind, and writes
``bench/out/pages-{scale}.json``. ``--after-write``: then a small write elsewhere (a label of a
resource of its own, in a graph of its own) starts a new store generation, and the same pages
are made again (what a server does after each write; what did not change is not drawn again,
``web.render._drawn``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from common import OUT, bench_store, instances, store_context, summary
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api.memory import freeze_long_lived
from qualifica.context import Context
from qualifica.namespaces import GRAPH, ID, SKOS
from qualifica.planning import get_index
from qualifica.web.render import render_resource

#: The kinds whose pages are measured: the role, competency and training-format pages, and the
#: generic resource page of a task and a legal basis.
PAGE_KINDS = ("competency", "role", "training-format", "task", "legal-basis")


def make_pages(ctx: Context, picked: dict[str, list[str]], lang: str) -> dict[str, object]:
    """Make the page of each resource picked (but the first of each kind) once; print and
    return median, p95, largest time and mean size per kind."""
    out: dict[str, object] = {}
    for kind, iris in picked.items():
        times: list[float] = []
        size = 0
        for iri in iris[1:]:
            started = time.perf_counter()
            body = render_resource(ctx, iri, lang)
            times.append(time.perf_counter() - started)
            size += len(body.encode("utf-8"))
        stats = {**summary(times), "mean_kb": round(size / max(1, len(times)) / 1000, 1)}
        out[kind] = stats
        print(f"{kind:16} median {stats['median_ms']:6.2f} ms  p95 {stats['p95_ms']:6.2f} ms"
              f"  max {stats['max_ms']:6.2f} ms  {stats['mean_kb']:5.1f} kB"
              f"  ({stats['n']} pages)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--pages", type=int, default=80, help="pages per kind")
    parser.add_argument("--kinds", default=",".join(PAGE_KINDS))
    parser.add_argument("--lang", default="de")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--after-write", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="qualifica-pages-") as folder:
        tmp = Path(folder)
        store = bench_store(args.store, tmp, args.scale, args.seed)
        ctx = store_context(store, tmp)
        t0 = time.perf_counter()
        get_index(ctx)
        rng = random.Random(args.seed)
        kinds = [k for k in args.kinds.split(",") if k]
        picked = {k: rng.sample(found, min(args.pages + 1, len(found)))
                  for k in kinds if (found := instances(store, k))}
        first = next(iter(picked.values()))[0]
        render_resource(ctx, first, args.lang)
        print(f"planning index, catalogue and first page in {time.perf_counter() - t0:.1f} s")
        freeze_long_lived()
        results: dict[str, object] = {"scale": args.scale, "lang": args.lang,
                                      "kinds": make_pages(ctx, picked, args.lang)}
        if args.after_write:
            subject = NamedNode(f"{ID}role/bench-pages-write")
            store.apply([], [Quad(subject, NamedNode(f"{SKOS}prefLabel"),
                                  Literal("Schreibprobe", language="de"),
                                  NamedNode(GRAPH + "bench-pages-write"))])
            render_resource(ctx, first, args.lang)
            print("after a write elsewhere:")
            results["after_write"] = make_pages(ctx, picked, args.lang)
        ctx.close()  # and the store
    out = args.out or OUT / f"pages-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
