"""Load benchmark: throughput and latency of ``qualifica serve --workers N`` under concurrent
load, beside a bare FastAPI handler over the same store (the ceiling).

One command (from the repository root; needs Debian's ``wrk``)::

    .venv/bin/python bench/load.py --scale 1

It generates the bench graph (or reuses ``bench/out/graph-{scale}.nt``), bulk-loads it into an
on-disk store in a temporary folder, and then, for 1 and 2 server processes:

- starts ``qualifica serve --workers N`` over that store (the planning index is built before the
  server answers);
- runs ``wrk`` (64 connections, 2 threads, ``--duration`` seconds after a short warm-up) on
  (1) a role lookup ``GET /api/roles/{slug}`` over 200 roles, (2) a gap analysis
  ``POST /api/gap`` over 50 roles with 10 held competencies, (3) a SPARQL SELECT
  ``GET /sparql`` (the labels of one of 200 roles; evaluated in the sandbox);
- with one client at a time (httpx, keep-alive), the median and p95 of the three planning
  answers: roles for a competency, gap, match (``--requests`` each), once as httpx asks by
  default (``Accept-Encoding: gzip, deflate``: the server compresses, the client decompresses)
  and once with ``Accept-Encoding: identity``; with the CPU time per request of the client and
  of the server's processes (``/proc``);
- eight runaway queries at once (10 s limit): ``/healthz``, a role lookup and a gap analysis
  before and while they run, and the CPU seconds used after the last one is answered.

The ceiling is a bare FastAPI app (no middleware, no dependencies) with the same N uvicorn
processes over the same store opened read-only: the role lookup answered by the same library
call (``linkeddata.details.detail_json``), the gap by ``planning.gap`` on its own index, the
SELECT run directly on pyoxigraph (no sandbox). Prints a table and writes
``bench/out/load-{scale}.json``. ``--single-client-only`` runs only the one-client part (no
load, runaways or ceiling). Bounded: every wrk run lasts ``--duration`` seconds, every
server start at most 600 s.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

import generate  # noqa: E402
from common import wrk_one_connection  # noqa: E402

QUALIFICA = Path(sys.executable).parent / "qualifica"
GRAPH = "https://w3id.org/qualifica/graph/bench"
QD = "https://w3id.org/qualifica/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
CONNECTIONS = 64
THREADS = 2


# --- the ceiling: a bare FastAPI app over the same store --------------------------------------

def ceiling_app() -> Any:
    """The bare app (uvicorn factory; the store folder comes in ``QUALIFICA_BENCH_STORE``)."""
    import orjson

    from qualifica import planning
    from qualifica.config import Settings
    from qualifica.context import Context
    from qualifica.linkeddata.catalogue import catalogue_for
    from qualifica.linkeddata.details import detail_json
    from qualifica.sparql import protocol
    from qualifica.sparql.registry import Registry
    from qualifica.store.oxigraph import OxigraphStore

    path = Path(os.environ["QUALIFICA_BENCH_STORE"])
    settings = Settings(data_dir=path.parent, load_bundled=False)
    store = OxigraphStore.open_snapshot(path)
    ctx = Context(settings=settings, store=store, registry=Registry(settings.queries_dir))
    catalogue_for(ctx)
    index = planning.get_index(ctx)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/roles/{slug}")
    def role(slug: str) -> Response:
        _iri, body = detail_json(catalogue_for(ctx), store, ctx.registry, "roles", slug,
                                 lang="de")
        return Response(body, media_type="application/json")

    @app.post("/api/gap")
    async def gap(request: Request) -> Response:
        raw = orjson.loads(await request.body())
        have = [(generate.ID + "competency/" + h["competency"], h["level"])
                for h in raw["have"]]
        answer = planning.gap(index, generate.ID + "role/" + raw["role"], have, "de")
        return Response(orjson.dumps(answer), media_type="application/json")

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        result = store.query(query, timeout_s=10)
        media = "application/sparql-results+json"
        return Response(protocol.serialize_result(result, media), media_type=media)

    return app


# --- helpers -------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], workers: int, timeout: float) -> None:
    """Until ``url`` answers 200 (from ``workers`` processes when they name themselves)."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            r = httpx.get(url, timeout=5)
            if r.status_code == 200:
                pid = r.headers.get("x-qualifica-worker")
                if pid is None or workers == 1:
                    return
                seen.add(pid)
                if len(seen) >= workers:
                    return
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def lua_list(name: str, items: list[str]) -> str:
    return f"local {name} = {{\n" + ",\n".join(f"[==[{x}]==]" for x in items) + "\n}\n"


def scripts(folder: Path, roles: list[str], gaps: list[str], selects: list[str]) -> dict[str, Path]:
    """The wrk scripts: each request picks the next path or body of its list."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    out["role"] = folder / "role.lua"
    out["role"].write_text(lua_list("paths", roles) + """
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""")
    out["gap"] = folder / "gap.lua"
    out["gap"].write_text(lua_list("bodies", gaps) + """
local i = math.random(#bodies)
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/gap", {["Content-Type"] = "application/json"}, bodies[i])
end
""")
    out["sparql"] = folder / "sparql.lua"
    out["sparql"].write_text(lua_list("paths", selects) + """
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "application/sparql-results+json"})
end
""")
    return out


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(url: str, script: Path, duration: float, server: int) -> dict[str, Any]:
    """One wrk run: req/s, latency percentiles (ms), errors and non-2xx answers, and the CPU
    time the server's processes (``server`` and below) spent per answer: on a shared machine
    the server gets only a share of the cores, so CPU per answer is the figure that compares."""
    subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", "-d2s", "-s", str(script), url],
                   capture_output=True, check=True, timeout=60)  # warm-up
    tree = _tree(server)
    cpu_before = _cpu_s(tree)
    done = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration:g}s",
                           "--latency", "-s", str(script), url],
                          capture_output=True, text=True, check=True, timeout=duration + 120)
    cpu = _cpu_s(tree) - cpu_before
    text = done.stdout
    result: dict[str, Any] = {"requests_per_s": float(
        re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.MULTILINE)
        if m:
            result[f"p{pct}_ms"] = round(_ms(m.group(1)), 2)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", text)
    result["socket_errors"] = m.group(1).strip() if m else ""
    m = re.search(r"(\d+) requests in", text)
    result["requests"] = int(m.group(1)) if m else 0
    result["server_cpu_ms_per_request"] = (round(cpu * 1e3 / result["requests"], 3)
                                           if result["requests"] else None)
    return result


#: The client's ``Accept-Encoding`` in the one-client part: httpx's own (gzip, as browsers and
#: most HTTP libraries ask), and ``identity`` for comparison (no compression on either side).
ENCODINGS = {"gzip": None, "identity": "identity"}


def single_client(url: str, n: int, calls: dict[str, Callable[[httpx.Client, int], httpx.Response]],
                  server: int | None = None, encoding: str | None = None
                  ) -> dict[str, dict[str, float]]:
    """Median and p95 (ms) of each call, one request at a time on one kept-alive connection;
    with the CPU time per request of this client (``time.process_time``: sending, reading,
    decompressing) and of the server's processes (``server``: the PID of ``serve``).
    ``encoding``: the ``Accept-Encoding`` to send instead of httpx's default."""
    out = {}
    headers = {"Accept-Encoding": encoding} if encoding else None
    pids = _tree(server) if server else []
    with httpx.Client(base_url=url, timeout=60, headers=headers) as c:
        for key, call in calls.items():
            for i in range(10):
                call(c, i).raise_for_status()
            times = []
            cpu0, server0 = time.process_time(), _cpu_s(pids)
            for i in range(n):
                t0 = time.perf_counter()
                r = call(c, i)
                times.append(time.perf_counter() - t0)
                r.raise_for_status()
            client_cpu, server_cpu = time.process_time() - cpu0, _cpu_s(pids) - server0
            times.sort()
            out[key] = {"median_ms": round(statistics.median(times) * 1e3, 2),
                        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1e3, 2),
                        "client_cpu_ms": round(client_cpu * 1e3 / n, 3),
                        "bytes": len(r.content),
                        "content_encoding": r.headers.get("content-encoding", "identity")}
            if pids:
                out[key]["server_cpu_ms"] = round(server_cpu * 1e3 / n, 3)
    return out


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [pid], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def runaways(url: str, process: subprocess.Popen[bytes], role: str, gap: str,
             count: int = 8) -> dict[str, Any]:
    """``count`` runaway queries at once (past the query time limit, 10 s): the medians of
    /healthz, a role lookup and a gap analysis before and while they run (one kept-alive
    connection per server process), when each runaway is answered, and the CPU seconds the
    server's processes use in the 5 s after the last answer."""
    import threading

    clients = []
    pids: set[str] = set()
    for _ in range(200):
        c = httpx.Client(base_url=url, timeout=60)
        pid = c.get("/healthz").headers.get("x-qualifica-worker", "one")
        if pid in pids:
            c.close()
            continue
        pids.add(pid)
        clients.append(c)
        if len(clients) == 2 or pid == "one":
            break

    def medians(rounds: int) -> dict[str, float]:
        times: dict[str, list[float]] = {"healthz": [], "role": [], "gap": []}
        for _ in range(rounds):
            for c in clients:
                for key in times:
                    t0 = time.perf_counter()
                    if key == "healthz":
                        r = c.get("/healthz")
                    elif key == "role":
                        r = c.get(role)
                    else:
                        r = c.post("/api/gap", content=gap,
                                   headers={"Content-Type": "application/json"})
                    r.raise_for_status()
                    times[key].append(time.perf_counter() - t0)
        return {k: round(statistics.median(v) * 1e3, 2) for k, v in times.items()} | {
            f"{k}_max": round(max(v) * 1e3, 2) for k, v in times.items()}

    medians(3)
    idle = medians(15)
    answers: list[tuple[int, float]] = []

    def one() -> None:
        t0 = time.monotonic()
        r = httpx.get(url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        answers.append((r.status_code, round(time.monotonic() - t0, 2)))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    busy = medians(8)
    for t in threads:
        t.join(timeout=120)
    tree = _tree(process.pid)
    before = _cpu_s(tree)
    time.sleep(5)
    after_s = round(_cpu_s(_tree(process.pid)) - before, 2)
    for c in clients:
        c.close()
    return {"idle_ms": idle, "during_ms": busy, "answers": sorted(answers),
            "cpu_s_in_5_s_after": after_s}


# --- main -------------------------------------------------------------------------------------

def pick(store_path: Path, seed: int) -> dict[str, Any]:
    """Roles, competencies and held competencies of the bench graph, drawn with ``seed``."""
    from pyoxigraph import Store

    store = Store.read_only(str(store_path))
    roles = sorted(s[0].value for s in store.query(
        f"SELECT ?r WHERE {{ ?r a <{QD}Role> }}", use_default_graph_as_union=True))
    comps = sorted(s[0].value for s in store.query(
        f"SELECT DISTINCT ?c WHERE {{ ?q <{QD}competency> ?c }}",
        use_default_graph_as_union=True))
    del store
    rng = random.Random(seed)
    slug = lambda iri: iri.rsplit("/", 1)[1]  # noqa: E731
    return {"roles": [slug(r) for r in rng.sample(roles, min(200, len(roles)))],
            "competencies": [slug(c) for c in rng.sample(comps, min(200, len(comps)))],
            "role_iris": rng.sample(roles, min(200, len(roles)))}


def have(rng: random.Random, comps: list[str]) -> list[dict[str, Any]]:
    return [{"competency": c, "level": rng.randint(1, 3)} for c in rng.sample(comps, 10)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per wrk run")
    parser.add_argument("--requests", type=int, default=300,
                        help="single-client requests per planning answer")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-ceiling", action="store_true")
    parser.add_argument("--no-runaways", action="store_true",
                        help="skip the eight runaway queries against the qualifica servers")
    parser.add_argument("--single-client-only", action="store_true",
                        help="only the one-client part (no load, no runaways, no ceiling)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.single_client_only:
        args.no_ceiling = args.no_runaways = True
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2

    graph_path = BENCH / "out" / f"graph-{args.scale:g}.nt"
    if not graph_path.exists():
        generate.write(args.scale, args.seed, graph_path)
    results: dict[str, Any] = {"scale": args.scale, "seed": args.seed,
                               "python": platform.python_version(), "cores": os.cpu_count(),
                               "connections": CONNECTIONS, "duration_s": args.duration,
                               "load_average_at_start": os.getloadavg(), "runs": {}}
    with tempfile.TemporaryDirectory(prefix="qualifica-load-") as tmp:
        data_dir = Path(tmp) / "var"
        store_path = data_dir / "store"
        from pyoxigraph import RdfFormat, Store

        t0 = time.perf_counter()
        data_dir.mkdir()
        store = Store(str(store_path))
        from pyoxigraph import NamedNode

        store.bulk_load(path=str(graph_path), format=RdfFormat.N_TRIPLES,
                        to_graph=NamedNode(GRAPH))
        store.optimize()
        results["quads"] = len(store)
        del store
        results["load_s"] = round(time.perf_counter() - t0, 1)
        print(f"loaded {results['quads']} quads in {results['load_s']} s", flush=True)

        chosen = pick(store_path, args.seed)
        rng = random.Random(args.seed)
        gaps = [json.dumps({"role": r, "have": have(rng, chosen["competencies"])})
                for r in chosen["roles"][:50]]
        matches = [json.dumps({"have": have(rng, chosen["competencies"]), "limit": 20})
                   for _ in range(20)]
        selects = ["/sparql?query=" + quote(
            f"SELECT ?label WHERE {{ <{iri}> <{SKOS}prefLabel> ?label }}", safe="")
            for iri in chosen["role_iris"]]
        lua = scripts(Path(tmp) / "lua", [f"/api/roles/{r}" for r in chosen["roles"]],
                      gaps, selects)
        env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir),
               "QUALIFICA_LOAD_BUNDLED": "false", "QUALIFICA_LOG_LEVEL": "WARNING"}

        servers: list[tuple[str, int, list[str], dict[str, str]]] = []
        for n in args.workers:
            servers.append((f"qualifica, {n} worker(s)", n,
                            [str(QUALIFICA), "serve", "--workers", str(n)], env))
        if not args.no_ceiling:
            for n in args.workers:
                servers.append((f"bare FastAPI, {n} worker(s)", n,
                                [sys.executable, "-m", "uvicorn", "load:ceiling_app",
                                 "--factory", "--workers", str(n), "--log-level", "warning",
                                 "--no-access-log", "--app-dir", str(BENCH)],
                                {**env, "QUALIFICA_BENCH_STORE": str(store_path)}))
        for name, n, command, server_env in servers:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = [*command, "--port", str(port)]
            log = open(Path(tmp) / f"server-{port}.log", "wb")  # noqa: SIM115
            t0 = time.perf_counter()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                       env=server_env)
            run: dict[str, Any] = {"workers": n}
            try:
                wait_ready(url + ("/healthz" if "qualifica" in name else "/api/roles/"
                                  + chosen["roles"][0]), process, n, 600)
                for _ in range(8 * n):  # every process has built its catalogue
                    httpx.get(f"{url}/api/roles/{chosen['roles'][0]}", timeout=300)
                run["start_s"] = round(time.perf_counter() - t0, 1)
                print(f"{name}: up in {run['start_s']} s", flush=True)
                for key in () if args.single_client_only else ("role", "gap", "sparql"):
                    run[key] = run_wrk(url, lua[key], args.duration, process.pid)
                    print(f"  {key}: {run[key]}", flush=True)
                if "qualifica" in name:
                    planning_calls: dict[str, Callable[[httpx.Client, int], httpx.Response]] = {
                        "roles_for": lambda c, i: c.get(
                            f"/api/competencies/{chosen['competencies'][i % 200]}/roles"),
                        "gap": lambda c, i: c.post(
                            "/api/gap", content=gaps[i % len(gaps)],
                            headers={"Content-Type": "application/json"}),
                        "match": lambda c, i: c.post(
                            "/api/match", content=matches[i % len(matches)],
                            headers={"Content-Type": "application/json"}),
                    }
                    for label, encoding in ENCODINGS.items():
                        part = "single_client" + ("" if encoding is None else f"_{label}")
                        run[part] = single_client(url, args.requests, planning_calls,
                                                  process.pid, encoding)
                        print(f"  single client ({label}): {run[part]}", flush=True)
                    wrk_calls = {
                        "roles_for": [("GET", f"/api/competencies/{c}/roles", {}, None)
                                      for c in chosen["competencies"]],
                        "gap": [("POST", "/api/gap", {"Content-Type": "application/json"}, b)
                                for b in gaps],
                        "match": [("POST", "/api/match", {"Content-Type": "application/json"},
                                   b) for b in matches],
                    }
                    for label, encoding in ENCODINGS.items():
                        part = "one_connection_wrk_" + label
                        run[part] = {
                            key: wrk_one_connection(
                                url, [(m, p, {**h, "Accept-Encoding": encoding or "gzip"}, b)
                                      for m, p, h, b in reqs],
                                args.requests, Path(tmp) / "lua")
                            for key, reqs in wrk_calls.items()}
                        print(f"  one connection, wrk ({label}): {run[part]}", flush=True)
                    if not args.no_runaways:
                        run["runaways"] = runaways(url, process, f"/api/roles/{chosen['roles'][0]}",
                                                   gaps[0])
                        print(f"  runaways: {run['runaways']}", flush=True)
            finally:
                stop(process)
                log.close()
            results["runs"][name] = run
    results["load_average_at_end"] = os.getloadavg()
    out = args.out or BENCH / "out" / f"load-{args.scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print()
    print(f"{'server':32} {'answer':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
          f"{'CPU ms/answer':>14}")
    for name, run in results["runs"].items():
        for key in ("role", "gap", "sparql"):
            r = run.get(key)
            if r:
                print(f"{name:32} {key:8} {r['requests_per_s']:8.0f} {r.get('p50_ms', 0):8.2f} "
                      f"{r.get('p99_ms', 0):8.2f} {r['non_2xx']:8d} "
                      f"{r['server_cpu_ms_per_request'] or 0:14.3f}")
    print()
    print(f"{'server':32} {'client':12} {'answer':10} {'median':>7} {'p95':>7} "
          f"{'client CPU':>10} {'server CPU':>10}  (ms)")
    for name, run in results["runs"].items():
        for label, encoding in ENCODINGS.items():
            part = run.get("single_client" + ("" if encoding is None else f"_{label}"), {})
            for key, r in part.items():
                print(f"{name:32} {label:12} {key:10} {r['median_ms']:7.2f} {r['p95_ms']:7.2f} "
                      f"{r['client_cpu_ms']:10.3f} {r.get('server_cpu_ms', 0):10.3f}")
            for key, r in run.get("one_connection_wrk_" + label, {}).items():
                print(f"{name:32} {'wrk ' + label:12} {key:10} {r['median_ms']:7.2f} "
                      f"{r['p95_ms']:7.2f}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
