"""The library queries a request runs, at scale: every query of ``queries/lib/`` that takes
parameters, bound to resources of the bench graph, timed on the on-disk store.

One command (from the repository root)::

    .venv/bin/python bench/lib_queries.py --scale 1

The queries with parameters are the ones pages, descriptions and REST answers run per request
(the ones without read the whole store once per generation: the catalogue, the planning
index). Each is bound as a request binds it (``sparql.binding``: one value by substitution, a
list of values as a leading ``VALUES`` block) to ``--values`` resources of each kind of the
bench graph and a source cited by its IRI, and run ``--runs`` times; the fastest run counts
(the store read from memory, as a busy server reads it). A query slower than
``--limit-ms`` is named, and the command exits 1: a query evaluated over the whole store and
joined with its values afterwards (an optimizer that does not carry the ``VALUES`` into a
``UNION``) takes seconds at scale 1 instead of a millisecond. Writes
``bench/out/lib-queries-{scale}.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from common import OUT, bench_store, instances

from qualifica.config import Settings
from qualifica.sparql import run
from qualifica.sparql.registry import NamedQuery, Registry

#: Analytical questions asked per change, not per page (the legal changes page): measured,
#: never named slow.
ANALYTICAL = {"legal-affected"}
#: The kinds whose resources are bound to the list parameters.
KINDS = ("role", "competency", "task", "training-format", "legal-basis")
#: A value for each parameter type that is no IRI.
PLAIN = {"language": "de", "integer": 10, "boolean": True, "date": "2020-01-01"}


def values_for(query: NamedQuery, iris: list[str]) -> dict[str, object] | None:
    """The parameters of ``query`` bound for the bench (``None``: one it cannot bind)."""
    raw: dict[str, object] = {}
    for p in query.params:
        if p.type == "iris":
            raw[p.name] = iris
        elif p.type == "iri":
            raw[p.name] = iris[0]
        elif p.type in PLAIN:
            raw[p.name] = PLAIN[p.type]
        elif p.required:
            return None
    return raw


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--values", type=int, default=2, help="resources of each kind bound")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit-ms", type=float, default=50.0)
    parser.add_argument("--timeout-s", type=float, default=60.0)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    registry = Registry(Settings(load_bundled=False).queries_dir)
    with tempfile.TemporaryDirectory(prefix="qualifica-lib-queries-") as folder:
        store = bench_store(args.store, Path(folder), args.scale, args.seed)
        iris = [iri for kind in KINDS for iri in instances(store, kind)[:args.values]]
        iris.append("https://example.org/bench-source")  # a source cited by its IRI
        results: dict[str, dict[str, object]] = {}
        slow: list[str] = []
        for name, query in sorted(store_queries(registry)):
            raw = values_for(query, iris)
            if raw is None:
                continue
            bound = run.bound(query, raw)
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                run.execute(store, bound, timeout_s=args.timeout_s)
                times.append(time.perf_counter() - t0)
            best = min(times) * 1000
            results[name] = {"params": [f"{p.name}:{p.type}" for p in query.params],
                             "best_ms": round(best, 3)}
            named = best > args.limit_ms and name not in ANALYTICAL
            if named:
                slow.append(name)
            print(f"{best:10.2f} ms  {name}{'  SLOW' if named else ''}")
        store.close()
    out = args.out or OUT / f"lib-queries-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"scale": args.scale, "values": len(iris), "queries": results,
                               "slow": slow}, indent=2) + "\n")
    if slow:
        print(f"slower than {args.limit_ms:g} ms: {', '.join(slow)}")
        return 1
    return 0


def store_queries(registry: Registry) -> list[tuple[str, NamedQuery]]:
    """The library queries that take parameters."""
    return [(name, q) for name, q in registry.lib.items() if q.params]


if __name__ == "__main__":
    sys.exit(main())
