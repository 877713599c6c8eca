"""Search benchmark: the typo-tolerant search behind ``/search`` and ``/search/suggest``.

One command (from the repository root)::

    .venv/bin/python bench/search.py --scale 0.2

It generates the seeded graph (or reuses ``bench/out/graph-{scale}.nt``), bulk-loads it into an
on-disk ``OxigraphStore`` in a temporary folder, builds the catalogue snapshot and its search
index (timed; built once per store generation), then measures for a bounded number of queries
and time each:

  (a) the library (``linkeddata.search.ranked``, fuzzy) for prefixes of label words,
  (b) the library for words with a typo (a letter dropped, two letters swapped),
  (c) ``GET /search/suggest`` and (d) ``GET /search`` through real HTTP (the app under uvicorn
      on a free 127.0.0.1 port, in a thread), mixing both kinds of query.

It prints the medians and p95 and writes ``bench/out/search-{scale}.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from common import ROOT, bench_graph, measure, store_context, summary
from pyoxigraph import NamedNode

from qualifica.api import create_app
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.search import ranked
from qualifica.namespaces import GRAPH
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import LiveServer, load_graph


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one letter dropped or two neighbouring letters swapped."""
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=200, help="queries per measurement")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per measurement")
    args = parser.parse_args(argv)

    graph_path = bench_graph(args.scale, args.seed)
    results: dict[str, Any] = {"scale": args.scale, "seed": args.seed}
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="qualifica-search-bench-") as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        load_graph(store, graph_path, NamedNode(GRAPH + "bench").value, bulk=True)
        ctx = store_context(store, Path(tmp))
        t0 = time.perf_counter()
        cat = catalogue_for(ctx)
        results["catalogue_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        ranked(cat, "x")
        results["index_build_s"] = round(time.perf_counter() - t0, 2)
        index = cat.search_index
        results["entries"] = len(index.entries)
        results["words"] = len(index.words)
        print(f"catalogue {results['catalogue_s']} s, search index {results['index_build_s']} s:"
              f" {results['entries']} labels, {results['words']} words")

        words = sorted({w for e in index.entries for w in re.findall(r"[a-zäöüß]{8,}",
                                                                     e.label.lower())})
        sample = rng.sample(words, min(200, len(words)))
        prefixes = [w[:5] for w in sample]
        typos = [typo(w, rng) for w in sample]

        def lib(queries: list[str]) -> Callable[[int], object]:
            return lambda i: ranked(cat, queries[i % len(queries)], fuzzy=True)

        results["a_library_prefix"] = summary(measure(lib(prefixes), args.requests, args.budget))
        results["b_library_typo"] = summary(measure(lib(typos), args.requests, args.budget))
        found = sum(1 for q, w in zip(typos, sample, strict=True)
                    if any(w in e[2].lower() for e in ranked(cat, q, fuzzy=True)[:20]))
        results["typo_recall_top20"] = round(found / len(sample), 3)
        print(f"library: prefix {results['a_library_prefix']}, typo {results['b_library_typo']}")

        server = LiveServer(create_app(ctx.settings, context=ctx)).start(timeout=600)
        try:
            mixed = [q for pair in zip(prefixes, typos, strict=True) for q in pair]
            with httpx.Client(base_url=server.url, timeout=30) as client:
                def http(path: str) -> Callable[[int], object]:
                    def call(i: int) -> object:
                        r = client.get(path, params={"q": mixed[i % len(mixed)]})
                        r.raise_for_status()
                        return r
                    return call
                results["c_http_suggest"] = summary(measure(http("/search/suggest"),
                                                            args.requests, args.budget))
                results["d_http_search_page"] = summary(measure(http("/search"), args.requests,
                                                                args.budget))
        finally:
            server.stop()
        ctx.close()
    for key in ("a_library_prefix", "b_library_typo", "c_http_suggest", "d_http_search_page"):
        r = results[key]
        print(f"{key:22} n={r['n']:4}  median {r['median_ms']:8.2f} ms  p95 {r['p95_ms']:8.2f} ms")
    print(f"typo recall (the intended word among the first 20): {results['typo_recall_top20']}")
    out = ROOT / "bench" / "out" / f"search-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
