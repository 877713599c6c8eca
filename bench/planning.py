"""Planning benchmark: the HTTP API over the planning index against plain SPARQL on pyoxigraph.

One command (from the repository root)::

    .venv/bin/python bench/planning.py --scale 1

It generates the graph (or reuses ``bench/out/graph-{scale}.nt``), bulk-loads it into an on-disk
``OxigraphStore`` in a temporary folder (load time and resident memory measured), builds the
planning index (timed), starts the real app with uvicorn on a free 127.0.0.1 port in a thread and
measures through HTTP (httpx), for a bounded number of requests and time each:

  (a) ``GET /api/competencies/{id}/roles`` for leaf competencies,
  (b) ``POST /api/gap`` for a role with 10 held competencies,
  (c) ``POST /api/match`` over all roles with 10 held competencies,

and beside each, in the same run, the same question as one plain SPARQL query with property paths
(``bench/queries/*.rq``) executed directly on pyoxigraph (a few runs each, stopped after a run
that exceeds the cap). It prints a table and writes ``bench/out/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import generate
import httpx
from common import ROOT, bench_graph, measure, serve, store_context, summary
from pyoxigraph import NamedNode, Quad, Store, Variable

from qualifica import planning
from qualifica.namespaces import GRAPH, QD, RDF
from qualifica.sparql.binding import bind
from qualifica.sparql.registry import NamedQuery, load_query
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import (
    answers_ok,
    free_port,
    load_graph,
    start_process,
    stop_process,
)

TARGETS_MS = {"a": 20.0, "b": 20.0, "c": 100.0}
QUERIES = ROOT / "bench" / "queries"


def rss_mb(pid: int | None = None) -> dict[str, float]:
    """Current and peak resident memory of this (or another) process, in MiB."""
    out = {"rss": 0.0, "peak": 0.0}
    if pid is None:
        out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        status = Path(f"/proc/{pid or 'self'}/status")
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                out["peak"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return {k: round(v, 1) for k, v in out.items()}


def bound(query: NamedQuery, values: dict[str, object]) -> tuple[str, dict[str, str]]:
    """A baseline query with its values bound by ``qualifica.sparql.binding``: the query text
    (non-projected values in VALUES blocks) and the IRIs pyoxigraph substitutes."""
    text, subs = bind(query, values).for_substitution()
    assert all(isinstance(t, NamedNode) for t in subs.values())
    return text, {k: t.value for k, t in subs.items()}


def held_values(pairs: list[tuple[str, int]]) -> dict[str, object]:
    """The ten held competencies as the baselines' parameters ?c1..?c10 and ?r1..?r10."""
    assert len(pairs) == 10, "the baselines take exactly ten held competencies"
    out: dict[str, object] = {}
    for i, (comp, rank) in enumerate(pairs, 1):
        out[f"c{i}"], out[f"r{i}"] = comp, rank
    return out


def baseline_worker(store_path: str) -> int:
    """Child process: run one baseline query (JSON spec on stdin) on the pyoxigraph store."""
    spec = json.loads(sys.stdin.read())
    raw = Store.read_only(store_path)  # pyoxigraph itself: no layer of ours in between
    subs = {Variable(k): NamedNode(v) for k, v in spec["subs"].items()}
    t0 = time.perf_counter()
    solutions = raw.query(spec["query"], use_default_graph_as_union=True, substitutions=subs)
    names = [v.value for v in solutions.variables]
    rows = [{n: (None if solution[n] is None else solution[n].value) for n in names}
            for solution in solutions]
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "rows": rows}))
    return 0


def agrees(key: str, index: planning.PlanningIndex, question: Any, rows: list[dict[str, Any]]
           ) -> bool:
    """Whether the baseline's rows give the same answer as the planning index.

    (a) the same roles; (b) the same requirements, each with its required and held rank;
    (c) the same roles in the same order with the same coverage (4 digits)."""
    if key == "a":
        expected = {r["role"]["iri"] for r in planning.roles_for(index, question)["roles"]}
        return expected == {r["role"] for r in rows}
    if key == "b":
        role, have = question
        answer = planning.gap(index, role, have)
        expected_b = {(r["competency"]["iri"], r["required_level"], r["held_level"])
                      for r in answer["requirements"]}
        got = {(r["competency"], int(r["required"]),
                None if r["held"] is None else int(r["held"])) for r in rows}
        return expected_b == got
    answer = planning.match(index, question, 20)
    expected_c = [(r["role"]["iri"], r["coverage"]) for r in answer["roles"]]
    return expected_c == [(r["role"], round(float(r["coverage"]), 4)) for r in rows]


def baseline_in_process(store_path: Path | None, text: str, subs: dict[str, str], cap_s: float
                        ) -> dict[str, Any] | None:
    """Run one baseline query in a child process; ``None`` when it ran past ``cap_s``."""
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--baseline-worker", str(store_path)],
            input=json.dumps({"query": text, "subs": subs}), capture_output=True, text=True,
            timeout=cap_s + 30,  # opening the store is not part of the measured time
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"baseline worker failed: {proc.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(proc.stdout)
    return None if answer["seconds"] > cap_s else answer


def body(have: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """The ``have`` list of a request body."""
    return [{"competency": c, "level": r} for c, r in have]


def measure_api(base: str, args: argparse.Namespace, comps_a: list[str], roles_b: list[str],
                have_b: list[list[tuple[str, int]]], have_c: list[list[tuple[str, int]]]
                ) -> tuple[dict[str, Any], list[int]]:
    """Latencies of the three questions through HTTP (the server is up)."""
    sizes: list[int] = []
    with httpx.Client(base_url=base, timeout=60) as http:
        def call_a(i: int) -> None:
            r = http.get(f"/api/competencies/{comps_a[i % len(comps_a)]}/roles")
            r.raise_for_status()
            sizes.append(len(r.json()["roles"]))

        def call_b(i: int) -> None:
            j = i % len(roles_b)
            r = http.post("/api/gap", json={"role": roles_b[j], "have": body(have_b[j])})
            r.raise_for_status()

        def call_c(i: int) -> None:
            r = http.post("/api/match", json={"have": body(have_c[i % len(have_c)]), "limit": 20})
            r.raise_for_status()

        api = {}
        for key, call in (("a", call_a), ("b", call_b), ("c", call_c)):
            api[key] = summary(measure(call, args.requests, args.budget))
            print(f"API ({key}): {api[key]}")
    return api, sizes


def held_for(index: planning.PlanningIndex, rng: random.Random, role: str | None
             ) -> list[tuple[str, int]]:
    """10 held competencies: half from the role's requirements, the rest at random."""
    comps = sorted(index.competencies)
    pool = sorted(index.role_requirements.get(role, {})) if role else []
    chosen: list[str] = rng.sample(pool, min(5, len(pool))) if pool else []
    while len(chosen) < 10:
        c = rng.choice(comps)
        if c not in chosen:
            chosen.append(c)
    out = []
    for c in chosen:
        scale = sorted(index.scale(c)) or [1]
        out.append((c, rng.choice(scale)))
    return out


def questions(index: planning.PlanningIndex, seed: int
              ) -> tuple[list[str], list[str], list[list[tuple[str, int]]],
                         list[list[tuple[str, int]]]]:
    """The seeded questions: 50 leaf competencies (a), 50 roles with their held competencies
    (b), and the held competencies of 20 match questions (c)."""
    rng = random.Random(seed)
    leaves = sorted(c for c in index.competencies if c not in index.narrower)
    comps_a = rng.sample(leaves, min(50, len(leaves)))
    roles_b = rng.sample(sorted(index.roles), min(50, len(index.roles)))
    have_b = [held_for(index, rng, r) for r in roles_b]
    have_c = [held_for(index, rng, rng.choice(roles_b)) for _ in range(20)]
    return comps_a, roles_b, have_b, have_c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=300, help="requests per question")
    parser.add_argument("--budget", type=float, default=45.0, help="seconds per question")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--baseline-cap", type=float, default=60.0,
                        help="a baseline run longer than this (s) is stopped, and not repeated")
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds to wait after the server answers /healthz (it still starts "
                             "its sandbox worker processes then) before measuring")
    parser.add_argument("--graph", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "results.json")
    parser.add_argument("--baseline-worker", metavar="STORE", help=argparse.SUPPRESS)
    parser.add_argument("--serve", metavar="STORE", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.port)
    if args.baseline_worker:
        return baseline_worker(args.baseline_worker)

    graph_path = bench_graph(args.scale, args.seed, args.graph, say=True)
    results: dict[str, Any] = {
        "scale": args.scale, "seed": args.seed, "graph": str(graph_path.relative_to(ROOT))
        if graph_path.is_relative_to(ROOT) else str(graph_path),
        "python": platform.python_version(), "machine": platform.machine(),
        "memory_mb": {"start": rss_mb()}, "load_average_at_start": os.getloadavg(),
    }

    with tempfile.TemporaryDirectory(prefix="qualifica-bench-") as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        g = NamedNode(GRAPH + "bench")
        t0 = time.perf_counter()
        load_graph(store, graph_path, g.value, bulk=True)
        results["load_s"] = round(time.perf_counter() - t0, 2)
        results["quads"] = store.count()
        results["memory_mb"]["after_load"] = rss_mb()
        print(f"loaded {results['quads']} quads in {results['load_s']} s")

        ctx = store_context(store, Path(tmp))
        t0 = time.perf_counter()
        index = planning.get_index(ctx)
        results["index_build_s"] = round(time.perf_counter() - t0, 2)
        results["index"] = index.stats()
        results["memory_mb"]["after_index"] = rss_mb()
        print(f"built the planning index in {results['index_build_s']} s: {index.stats()}")

        comps_a, roles_b, have_b, have_c = questions(index, args.seed)

        # the same questions answered by the library alone (no HTTP), for comparison
        library = {}
        for key, call in (
            ("a", lambda i: planning.roles_for(index, comps_a[i % len(comps_a)])),
            ("b", lambda i: planning.gap(index, roles_b[i % len(roles_b)],
                                         have_b[i % len(roles_b)])),
            ("c", lambda i: planning.match(index, have_c[i % len(have_c)], 20)),
        ):
            library[key] = summary(measure(call, args.requests, args.budget))
        results["library"] = library
        print(f"library only: {library}")

        # a write: how long until it has committed and the index is current again
        probe = NamedNode(f"{generate.ID}requirement/bench-write-probe")
        quads = [
            Quad(NamedNode(roles_b[0]), NamedNode(QD + "requires"), probe, g),
            Quad(probe, NamedNode(RDF + "type"), NamedNode(QD + "CompetencyRequirement"), g),
            Quad(probe, NamedNode(QD + "competency"), NamedNode(comps_a[0]), g),
        ]
        t0 = time.perf_counter()
        store.add(quads)
        results["write_and_reindex_s"] = round(time.perf_counter() - t0, 2)
        seen = planning.roles_for(planning.get_index(ctx), comps_a[0])["roles"]
        results["write_visible"] = roles_b[0] in {r["role"]["iri"] for r in seen}
        store.remove(quads)
        results["memory_mb"]["bench_process"] = rss_mb()
        store_path = store.path
        store.close()

        # the real app in its own process (as deployed): uvicorn on a free loopback port
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # the server builds the index at start-up: minutes at scale 1
        server = start_process([sys.executable, __file__, "--serve", str(store_path),
                                "--port", str(port)], answers_ok(base + "/healthz"),
                               what="the benchmark server", timeout=600)
        try:
            time.sleep(args.settle)
            api, sizes = measure_api(base, args, comps_a, roles_b, have_b, have_c)
            results["api"] = api
            results["roles_per_competency_mean"] = round(statistics.mean(sizes), 1)
            results["memory_mb"]["server"] = rss_mb(server.pid)
        finally:
            stop_process(server)

        # baselines: the same questions as one SPARQL query each, directly on pyoxigraph, each
        # run in its own process (opening the store read-only) so that a run over the cap is
        # stopped for sure
        q_a = load_query(QUERIES / "roles-for.rq")
        q_b = load_query(QUERIES / "gap.rq")
        q_c = load_query(QUERIES / "match.rq")
        base_res: dict[str, Any] = {}
        # per question: samples whose answer equals the index's, and samples compared
        agreement: dict[str, dict[str, int]] = {}
        for key, make in (
            ("a", lambda i: (bound(q_a, {"competency": comps_a[i]}), comps_a[i])),
            ("b", lambda i: (bound(q_b, {"role": roles_b[i], **held_values(have_b[i])}),
                             (roles_b[i], have_b[i]))),
            ("c", lambda i: (bound(q_c, held_values(have_c[i])), have_c[i])),
        ):
            samples: list[float] = []
            rows = 0
            timed_out = False
            agreement[key] = {"agree": 0, "compared": 0}
            for i in range(args.baseline_runs):
                (text, subs), question = make(i)
                answer = baseline_in_process(store_path, text, subs, args.baseline_cap)
                if answer is None:
                    timed_out = True
                    samples.append(args.baseline_cap)
                    break
                samples.append(answer["seconds"])
                rows = len(answer["rows"])
                agreement[key]["compared"] += 1
                agreement[key]["agree"] += agrees(key, index, question, answer["rows"])
            base_res[key] = {**summary(samples), "rows_last": rows, "timed_out": timed_out}
            print(f"SPARQL baseline ({key}): {base_res[key]}, agreement {agreement[key]}")
        results["baseline"] = base_res
        results["baseline_agreement"] = agreement

    ratios = {}
    met = {}
    for key in ("a", "b", "c"):
        a, b = results["api"][key], results["baseline"][key]
        ratios[key] = round(b["median_ms"] / a["median_ms"], 1) if a["median_ms"] else None
        met[key] = a["p95_ms"] <= TARGETS_MS[key]
    results["load_average_at_end"] = os.getloadavg()
    results["speedup_median"] = ratios
    results["targets_ms_p95"] = TARGETS_MS
    results["targets_met"] = met

    names = {"a": "roles for a competency", "b": "gap, 10 held", "c": "match over all roles"}
    print()
    print(f"scale {args.scale:g}: {results['quads']} quads, load {results['load_s']} s, "
          f"index {results['index_build_s']} s, server RSS "
          f"{results['memory_mb']['server']['rss']} MiB")
    print(f"{'question':26} {'API median':>11} {'API p95':>9} {'target':>7} "
          f"{'SPARQL median':>14} {'ratio':>7}")
    for key in ("a", "b", "c"):
        a, b = results["api"][key], results["baseline"][key]
        print(f"({key}) {names[key]:22} {a['median_ms']:>9.2f}ms {a['p95_ms']:>7.2f}ms "
              f"{TARGETS_MS[key]:>5.0f}ms {b['median_ms']:>12.1f}ms {ratios[key]:>6}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    # every compared baseline answer must equal the index's, and a write must be seen at once
    agree = all(a["agree"] == a["compared"] for a in results["baseline_agreement"].values())
    checks = {"targets_met": all(met.values()), "baseline_agrees": agree,
              "write_visible": bool(results["write_visible"])}
    failed = [name for name, ok in checks.items() if not ok]
    print("checks: " + ("all passed" if not failed else "FAILED " + ", ".join(failed)))
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
