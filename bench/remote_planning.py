"""Planning answers over a remote store against the embedded store: the answer-time ratio.

    .venv/bin/python bench/remote_planning.py --scale 1

Loads the bundled graph and the bench graph (``bench/out/graph-{scale}.nt``) into an in-memory
``OxigraphStore`` and, through ``oxigraph load``, into an Oxigraph server process (127.0.0.1, free
port, ``--union-default-graph``). One app per store (the planning index is built from its store at
start-up, so the remote one reads everything over HTTP) answers the planning benchmark's three
questions — the roles of a competency, a gap analysis, a match over all roles — in-process; the
same requests go to both and must give the same answers. Prints median times and the ratio
remote/embedded, and writes ``bench/out/remote-planning-{scale}.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, serialize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from qualifica.api import create_app  # noqa: E402
from qualifica.config import Settings  # noqa: E402
from qualifica.context import Context, ensure_bundled, open_context  # noqa: E402
from qualifica.store.remote import RemoteStore  # noqa: E402
from qualifica_testing import load_graph, oxigraph_load, start_oxigraph  # noqa: E402


def timed(client: TestClient, requests: list[tuple[str, str, Any]]
          ) -> tuple[list[float], list[Any]]:
    times, answers = [], []
    for method, url, body in requests:
        t = time.perf_counter()
        r = client.get(url) if method == "GET" else client.post(url, json=body)
        times.append(time.perf_counter() - t)
        if r.status_code >= 400:
            raise SystemExit(f"{method} {url} {body}: {r.status_code} {r.text[:300]}")
        answers.append(r.json())
    return times, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)
    scale = f"{args.scale:g}"
    graph_file = ROOT / "bench" / "out" / f"graph-{scale}.nt"
    if not graph_file.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", scale,
                        "-o", str(graph_file)], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="qualifica-remote-bench-"))
    local = open_context(Settings(in_memory=True, load_bundled=True, data_dir=tmp))
    ensure_bundled(local)
    load_graph(local.store, graph_file, "https://w3id.org/qualifica/graph/bench", bulk=True)
    dump = tmp / "all.nq"
    with dump.open("wb") as fh:
        serialize(local.store.quads(), fh, format=RdfFormat.N_QUADS)
    db = tmp / "oxdb"
    oxigraph_load(db, dump)
    server = start_oxigraph(db, timeout=60)
    try:
        settings = server.settings(tmp, load_bundled=False)
        remote = Context(settings=settings,
                         store=RemoteStore.from_settings(settings, local.registry.library()),
                         registry=local.registry)
        assert remote.store.count() == local.store.count()

        rng = random.Random(42)
        comps = [q.subject.value.rsplit("/", 1)[1] for q in local.store.quads(
            predicate=NamedNode("http://www.w3.org/2004/02/skos/core#broader"))
            if "/competency/" in q.subject.value]
        roles = sorted({q.subject.value.rsplit("/", 1)[1] for q in local.store.quads(
            predicate=NamedNode("https://w3id.org/qualifica/ontology#requires"))
            if "/role/" in q.subject.value})
        requests: list[tuple[str, str, Any]] = []
        for i in range(args.requests):
            kind = i % 3
            have = [{"competency": c, "level": rng.randint(1, 3)}
                    for c in rng.sample(comps, min(10, len(comps)))]
            if kind == 0:
                requests.append(("GET", f"/api/competencies/{rng.choice(comps)}/roles", None))
            elif kind == 1:
                requests.append(("POST", "/api/gap", {"role": rng.choice(roles), "have": have}))
            else:
                requests.append(("POST", "/api/match", {"have": have, "limit": 20}))
        out: dict[str, Any] = {"scale": args.scale, "quads": local.store.count(),
                               "requests": len(requests)}
        starts = {}
        results = {}
        for name, ctx in (("embedded", local), ("remote", remote)):
            t = time.perf_counter()
            app = create_app(ctx.settings, context=ctx)
            with TestClient(app, base_url="http://localhost") as client:
                starts[name] = time.perf_counter() - t
                timed(client, requests[:6])  # warm-up
                results[name] = timed(client, requests)
        assert results["embedded"][1] == results["remote"][1], "answers differ"
        for name in ("embedded", "remote"):
            times = results[name][0]
            out[name] = {"start_s": starts[name], "median_ms": statistics.median(times) * 1000,
                         "p95_ms": sorted(times)[int(len(times) * 0.95) - 1] * 1000}
        out["ratio_median"] = out["remote"]["median_ms"] / out["embedded"]["median_ms"]
        print(json.dumps(out, indent=2))
        (ROOT / "bench" / "out" / f"remote-planning-{scale}.json").write_text(
            json.dumps(out, indent=2), encoding="utf-8")
        remote.store.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
