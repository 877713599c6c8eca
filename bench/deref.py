"""Dereferencing benchmark: ``/id/{kind}/{slug}`` in every format beside the REST JSON of the
same resources and the Oxigraph server's ``DESCRIBE`` of them, in one run.

One command (from the repository root; needs Debian's ``wrk`` for the concurrent part)::

    .venv/bin/python bench/deref.py --scale 1

It generates the bench graph (or reuses ``bench/out/graph-{scale}.nt``), bulk-loads it into an
on-disk store in a temporary folder, picks ``--resources`` resources of the seven REST kinds
(roles, tasks, competencies, training formats, legal bases, frameworks, levels; seeded), copies
the store for an Oxigraph server (``oxigraph serve --union-default-graph``) and starts the app
in its own process (uvicorn on a free 127.0.0.1 port). Then, for each form

- ``json``: ``GET /api/{collection}/{slug}`` (the REST detail),
- ``html``, ``ttl``, ``nt``, ``jsonld``, ``rdf``: ``GET /id/{kind}/{slug}`` with that
  ``Accept`` (the HTML page of each kind: role, competency and training-format pages, the
  generic resource page of the others),
- ``describe``: ``GET /query?query=DESCRIBE <iri>`` on the Oxigraph server, as Turtle,

it measures with one client (httpx, keep-alive, one request at a time, ``--requests`` requests
over the resources) the median and p95; then, after a small write that starts a new store
generation (so that no description kept from the httpx pass is served) and a pass over other
resources of the same kinds (the server warmed up again after the write), the same requests
measured by ``wrk`` over one connection (one thread: a client whose own cost per request is a
few microseconds, where httpx spends 0.6-0.9 ms of CPU on each); and with ``wrk``
(``--connections`` connections, ``--duration`` seconds, the resources in turn) the requests
per second and wrk's latency percentiles. Answers other than 200 are counted (a check fails).
``--py-spy FORM`` records the server with py-spy (the thread holding the GIL) during that
form's wrk run (``bench/out/deref-{FORM}.txt``, collapsed stacks) and prints the hottest
functions (``pip install -e '.[profile]'``). Prints a
table and writes ``bench/out/deref-{scale}.json``.

``--workers N`` serves with ``qualifica serve --workers N`` (one writer, N-1 readers following
it) instead of one uvicorn process; CPU per request is the CPU time of the server processes
(user + system, from ``/proc``) during a form's wrk run divided by its requests.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from common import ROOT, bench_graph, serve, summary, wrk_one_connection
from pyoxigraph import NamedNode

from qualifica.namespaces import GRAPH, ID, KINDS
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import (
    free_port,
    load_graph,
    start_oxigraph,
    start_process,
    stop_process,
)

#: REST collections and the kinds of ``/id/{kind}/…`` they hold.
COLLECTIONS = {"roles": "role", "tasks": "task", "competencies": "competency",
               "training-formats": "training-format", "legal-bases": "legal-basis",
               "frameworks": "framework", "levels": "level"}
#: The forms measured: name → Accept header (``json`` and ``describe`` have their own URLs).
FORMS: dict[str, str] = {
    "json": "application/json",
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "describe": "text/turtle",
}
RDF_FORMS = ("ttl", "nt", "jsonld", "rdf")
#: Targets of the issue: one client p95 (ms); RDF forms at most this times the JSON's median.
TARGET_P95_MS = 5.0
TARGET_RATIO = 1.5


def pick_resources(store: OxigraphStore, n: int, seed: int) -> list[tuple[str, str, str]]:
    """``n`` resources (collection, kind, slug) spread over the seven REST kinds."""
    rng = random.Random(seed)
    per_kind = max(1, n // len(COLLECTIONS))
    out: list[tuple[str, str, str]] = []
    for collection, kind in COLLECTIONS.items():
        rows = store.query(
            "SELECT ?s ?c WHERE { ?s a ?c }",
            substitutions={"c": NamedNode(KINDS[kind])})
        iris = sorted(r["s"].value for r in rows.rows  # type: ignore[union-attr]
                      if r["s"].value.startswith(f"{ID}{kind}/"))
        for iri in rng.sample(iris, min(per_kind, len(iris))):
            out.append((collection, kind, iri.removeprefix(f"{ID}{kind}/")))
    rng.shuffle(out)
    return out


def paths_for(form: str, resources: list[tuple[str, str, str]]) -> list[str]:
    """The request paths of ``form`` for the resources."""
    if form == "json":
        return [f"/api/{c}/{s}" for c, _, s in resources]
    if form == "describe":
        return ["/query?query=" + quote(f"DESCRIBE <{ID}{k}/{s}>", safe="")
                for _, k, s in resources]
    return [f"/id/{k}/{s}" for _, k, s in resources]


def one_client(base: str, paths: list[str], accept: str, n: int, warmup: int = 10
               ) -> dict[str, Any]:
    """Latencies of ``n`` sequential requests over ``paths`` (keep-alive), after a warm-up."""
    samples: list[float] = []
    sizes: list[int] = []
    errors: list[str] = []
    with httpx.Client(base_url=base, headers={"Accept": accept}, timeout=60) as http:
        for i in range(warmup):
            http.get(paths[i % len(paths)])
        for i in range(n):
            t0 = time.perf_counter()
            r = http.get(paths[i % len(paths)])
            samples.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors.append(f"{paths[i % len(paths)]}: {r.status_code}")
                continue
            sizes.append(len(r.content))
    return {**summary(samples), "mean_bytes": round(statistics.mean(sizes)) if sizes else 0,
            "errors": len(errors), "first_errors": errors[:3]}


_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept"] = "%s"})
end
"""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(base: str, paths: list[str], accept: str, args: argparse.Namespace,
            workdir: Path) -> dict[str, Any]:
    """Requests per second and latency percentiles of ``wrk`` over ``paths``."""
    script = workdir / "paths.lua"
    script.write_text(_LUA % (", ".join(json.dumps(p) for p in paths), accept),
                      encoding="utf-8")
    # a short warm-up, then the measured run
    warm = subprocess.run(["wrk", "-t", "2", "-c", str(args.connections), "-d", "2s", "-s",
                           str(script), base], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    out = subprocess.run(["wrk", "-t", "2", "-c", str(args.connections), "-d",
                          f"{args.duration}s", "--timeout", "10s", "--latency", "-s",
                          str(script), base], capture_output=True, text=True, check=True,
                         timeout=args.duration + 60).stdout
    result: dict[str, Any] = {"connections": args.connections, "duration_s": args.duration}
    m = re.search(r"(\d+) requests in", warm)
    result["warmup_requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["req_per_s"] = round(float(m.group(1)), 1) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s|m)\b", out)
        if m:
            result[f"p{pct}_ms"] = round(_ms(m.group(1), m.group(2)), 2)
    m = re.search(r"(\d+) requests in", out)
    result["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:(.*)", out)
    result["socket_errors"] = m.group(1).strip() if m else ""
    return result


#: The write token of the benchmark server (``tick`` writes with it).
TOKEN = "deref-bench-token"


def tick(base: str, name: str, workers: int, limit_s: float = 120.0) -> None:
    """Start a new store generation with a small write (a role of its own in a graph of its
    own), and wait (bounded) until every server process answers from it."""
    slug = f"bench-tick-{name}"
    body = (f"@prefix qd: <https://w3id.org/qualifica/ontology#> .\n"
            f"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            f"@prefix dcterms: <http://purl.org/dc/terms/> .\n"
            f"<{ID}role/{slug}> a qd:Role ;\n"
            f'  skos:prefLabel "Taktrolle {name}"@de , "Tick role {name}"@en ;\n'
            f"  dcterms:source <https://example.org/bench> .\n")
    r = httpx.put(f"{base}/graphs", params={"graph": f"{GRAPH}tick-{name}"}, content=body,
                  headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
                  timeout=120)
    if r.status_code >= 300:
        raise RuntimeError(f"the write that starts a generation failed: {r.status_code} {r.text}")
    stop = time.monotonic() + limit_s
    seen = 0
    while seen < 4 * workers:  # new connections, spread over the processes
        if time.monotonic() > stop:
            raise RuntimeError("the server processes did not follow the write")
        found = httpx.get(f"{base}/api/roles/{slug}", timeout=60).status_code == 200
        seen = seen + 1 if found else 0
        if not found:
            time.sleep(0.2)
    time.sleep(1.0)


def settle(base: str, path: str, limit_s: float = 120.0) -> None:
    """Wait (bounded) until the server answers ``path`` within 50 ms again: requests queued by
    the previous wrk run must not be counted against the next form."""
    stop = time.monotonic() + limit_s
    with httpx.Client(base_url=base, timeout=30) as http:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            http.get(path)
            if time.perf_counter() - t0 < 0.05:
                return
            time.sleep(0.5)


#: Frames of a thread that waits (for work, a lock or the network): not CPU spent.
_IDLE = ("Condition.wait", "Queue.get", "select (selectors.py", "_run_once (asyncio",
         "Event.wait", "Thread.join")


def top_functions(collapsed: Path, n: int = 15) -> list[tuple[str, float]]:
    """The functions with the largest share of the busy samples (own and below) in py-spy's
    raw (collapsed) output; stacks that end in a wait are left out."""
    totals: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if any(frames[-1].startswith(idle) for idle in _IDLE):
            continue
        samples += int(count)
        for frame in set(frames):
            totals[frame] += int(count)
    if not samples:
        return []
    return [(frame, round(100 * c / samples, 1)) for frame, c in totals.most_common(n)]


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a process and of its children that run, from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, ValueError, IndexError):
            continue
        todo.extend(int(c) for c in children)
    return total


def answers_from(url: str, workers: int) -> Any:
    """A readiness check: ``url`` answers 200 from ``workers`` processes (by their
    ``X-Qualifica-Worker`` header), each with its in-memory copy of the store made (or none)."""
    seen: set[str] = set()

    def ready() -> bool:
        try:
            r = httpx.get(url, timeout=5)
        except httpx.HTTPError:
            return False
        if r.status_code == 200 and r.json().get("memory_copy") != "building":
            seen.add(r.headers.get("x-qualifica-worker", ""))
        return len(seen) >= workers

    return ready


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--resources", type=int, default=210,
                        help="resources over the seven kinds")
    parser.add_argument("--requests", type=int, default=400, help="one-client requests per form")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--forms", default=",".join(FORMS),
                        help="comma-separated forms to measure")
    parser.add_argument("--workers", type=int, default=0,
                        help="serve with `qualifica serve --workers N` (0: one uvicorn "
                             "process over the store, as before)")
    parser.add_argument("--no-wrk", action="store_true", help="only the one-client pass")
    parser.add_argument("--no-memory-copy", action="store_true",
                        help="serve without the in-memory copy of the store (reads from disk)")
    parser.add_argument("--py-spy", dest="py_spy", default="",
                        help="comma-separated forms to profile with py-spy during wrk")
    parser.add_argument("--graph", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--serve", metavar="STORE", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.serve, args.port)
    forms = [f for f in args.forms.split(",") if f]
    unknown = set(forms) - set(FORMS)
    if unknown:
        parser.error(f"unknown forms: {', '.join(sorted(unknown))}")
    if not args.no_wrk and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk), or pass --no-wrk")
    out_path = args.out or ROOT / "bench" / "out" / f"deref-{args.scale:g}.json"

    graph_path = bench_graph(args.scale, args.seed, args.graph, say=True)
    results: dict[str, Any] = {
        "scale": args.scale, "seed": args.seed, "python": platform.python_version(),
        "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(),
        "one_client": {}, "one_connection_wrk": {}, "wrk": {}, "profiles": {},
    }
    with tempfile.TemporaryDirectory(prefix="qualifica-deref-") as tmp_name:
        tmp = Path(tmp_name)
        store = OxigraphStore(tmp / "store")
        t0 = time.perf_counter()
        load_graph(store, graph_path, GRAPH + "bench", bulk=True)
        results["quads"] = store.count()
        results["load_s"] = round(time.perf_counter() - t0, 1)
        resources = pick_resources(store, args.resources, args.seed)
        results["resources"] = len(resources)
        # other resources of the same kinds, to warm the server up after the write that
        # starts a generation (the tables kept per generation made again, the store's caches
        # read) without making any of the measured answers before they are measured
        measured = set(resources)
        warm = [r for r in pick_resources(store, args.resources, args.seed + 1)
                if r not in measured]
        print(f"loaded {results['quads']} quads in {results['load_s']} s; "
              f"{len(resources)} resources")
        store.snapshot(tmp / "oxigraph")  # a copy for the Oxigraph server
        store.close()

        oxigraph = start_oxigraph(tmp / "oxigraph", timeout=120)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        token_env = {**os.environ, "QUALIFICA_API_TOKENS": TOKEN}
        if args.no_memory_copy:
            token_env["QUALIFICA_MEMORY_MIRROR_MAX_QUADS"] = "0"
        results["memory_copy"] = not args.no_memory_copy
        if args.workers:
            env = {**token_env, "QUALIFICA_DATA_DIR": str(tmp),
                   "QUALIFICA_LOAD_BUNDLED": "false", "QUALIFICA_LOG_LEVEL": "WARNING",
                   "PYTHONPATH": os.pathsep.join([str(ROOT / "src"),
                                                  os.environ.get("PYTHONPATH", "")])}
            server = start_process([sys.executable, "-m", "qualifica", "serve", "--workers",
                                    str(args.workers), "--port", str(port)],
                                   answers_from(base + "/healthz", args.workers),
                                   what="the benchmark server", timeout=900, env=env)
        else:
            server = start_process([sys.executable, __file__, "--serve", str(tmp / "store"),
                                    "--port", str(port)], answers_from(base + "/healthz", 1),
                                   what="the benchmark server", timeout=900, env=token_env)
        results["workers"] = args.workers or 1
        ox_base = oxigraph.query.removesuffix("/query")
        try:
            for form in forms:
                target = ox_base if form == "describe" else base
                paths = paths_for(form, resources)
                one = one_client(target, paths, FORMS[form], args.requests)
                results["one_client"][form] = one
                print(f"{form:9} one client: median {one['median_ms']} ms, "
                      f"p95 {one['p95_ms']} ms, {one['mean_bytes']} bytes, "
                      f"{one['errors']} errors {one['first_errors']}")
                if shutil.which("wrk"):
                    if form != "describe":
                        tick(base, form, args.workers or 1)
                        for path in paths_for(form, warm):  # a connection each: every
                            httpx.get(base + path, headers={"Accept": FORMS[form]},  # process
                                      timeout=60)
                    conn = wrk_one_connection(
                        target, [("GET", p, {"Accept": FORMS[form], "Accept-Encoding": "gzip"},
                                  None) for p in paths], args.requests, tmp / "lua")
                    results["one_connection_wrk"][form] = conn
                    print(f"{form:9} one connection (wrk): median {conn['median_ms']} ms, "
                          f"p95 {conn['p95_ms']} ms, non-2xx {conn['non_2xx']}")
            for form in [] if args.no_wrk else forms:
                target = ox_base if form == "describe" else base
                settle(base, "/healthz")
                spy = None
                if form in args.py_spy.split(","):
                    raw = ROOT / "bench" / "out" / f"deref-{form}.txt"
                    pid = oxigraph.process.pid if form == "describe" and oxigraph.process \
                        else server.pid
                    spy = subprocess.Popen(
                        [str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid),
                         "-d", str(args.duration + 1), "-r", "200", "-f", "raw", "--gil", "-o",
                         str(raw), "--nonblocking",
                         *(["--subprocesses"] if args.workers and form != "describe" else [])],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cpu0 = 0.0 if form == "describe" else cpu_of(server.pid)
                load = run_wrk(target, paths_for(form, resources), FORMS[form], args, tmp)
                if form != "describe" and load.get("requests"):
                    # includes wrk's 2 s warm-up run: requests counted from both
                    warm = load.get("warmup_requests") or 0
                    load["cpu_ms_per_request"] = round(
                        1000 * (cpu_of(server.pid) - cpu0) / (load["requests"] + warm), 3)
                results["wrk"][form] = load
                print(f"{form:9} {args.connections} connections: {load['req_per_s']} req/s, "
                      f"p50 {load.get('p50_ms')} ms, p99 {load.get('p99_ms')} ms, "
                      f"non-2xx {load['non_2xx']}")
                if spy is not None:
                    spy.wait(timeout=args.duration + 60)
                    top = top_functions(raw)
                    results["profiles"][form] = top
                    for frame, share in top:
                        print(f"    {share:5.1f}%  {frame}")
        finally:
            stop_process(server)
            oxigraph.stop()
    results["load_average_at_end"] = os.getloadavg()

    json_median = results["one_client"].get("json", {}).get("median_ms")
    checks: dict[str, bool] = {}
    print()
    print(f"scale {args.scale:g}: {results['quads']} quads, {len(resources)} resources, "
          f"{results['workers']} server process(es); "
          f"load average {results['load_average_at_start'][0]:.1f} → "
          f"{results['load_average_at_end'][0]:.1f}")
    print(f"{'form':9} {'median':>8} {'p95':>8} {'×json':>6} {'1c med':>8} {'1c p95':>8} "
          f"{'req/s':>8} {'wrk p50':>8} {'wrk p99':>8} {'cpu ms':>7}")
    for form in forms:
        one = results["one_client"][form]
        load = results["wrk"].get(form, {})
        ratio = round(one["median_ms"] / json_median, 2) if json_median else None
        one["ratio_to_json"] = ratio
        conn = results["one_connection_wrk"].get(form, {})
        print(f"{form:9} {one['median_ms']:>8.2f} {one['p95_ms']:>8.2f} {ratio or '':>6} "
              f"{conn.get('median_ms', ''):>8} {conn.get('p95_ms', ''):>8} "
              f"{load.get('req_per_s') or '':>8} {load.get('p50_ms') or '':>8} "
              f"{load.get('p99_ms') or '':>8} {load.get('cpu_ms_per_request') or '':>7}")
        checks[f"{form}_answers"] = one["errors"] == 0
        if form in RDF_FORMS or form == "html":
            checks[f"{form}_p95"] = one["p95_ms"] <= TARGET_P95_MS
            if conn:
                checks[f"{form}_p95_one_connection"] = conn["p95_ms"] <= TARGET_P95_MS
        if conn:
            checks[f"{form}_answers_one_connection"] = conn["non_2xx"] == 0
        if form in RDF_FORMS and ratio is not None:
            checks[f"{form}_ratio"] = ratio <= TARGET_RATIO
    results["checks"] = checks
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out_path}")
    failed = [k for k, ok in checks.items() if not ok]
    print("checks: " + ("all passed" if not failed else "missed " + ", ".join(failed)))
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
