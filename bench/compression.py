"""gzip on the wire, and the cost of a release, over the bundled graph.

    .venv/bin/python bench/compression.py [--repeat 20]

Builds an in-memory store with the bundled graph and answers a handful of typical reads
in-process, once asking for gzip and once not: the bytes sent each way, the ratio, and the
median time of each (the time includes compressing). Then makes one release and times it (the
N-Quads gzip and Turtle files, their checksums and the gated DCAT entry), and the catalog and
download page that list it. Prints a table and writes ``bench/out/compression.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]

from qualifica.api import create_app  # noqa: E402
from qualifica.config import Settings  # noqa: E402
from qualifica.context import open_context  # noqa: E402
from qualifica.linkeddata.releases import make_release  # noqa: E402
from qualifica.validation.gate import ensure_bundled  # noqa: E402

READS = [
    ("catalog (Turtle)", "/catalog", "text/turtle"),
    ("VoID (JSON-LD)", "/.well-known/void", "application/ld+json"),
    ("role page (HTML)", "/id/role/prozessmanager", "text/html"),
    ("role (Turtle)", "/id/role/prozessmanager", "text/turtle"),
    ("roles listing (JSON)", "/api/roles?limit=500", "application/json"),
    ("ontology page (HTML)", "/ontology", "text/html"),
    ("SPARQL SELECT (JSON)", "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D"
                             "%20LIMIT%202000", "application/sparql-results+json"),
]


def measure(client: TestClient, path: str, accept: str, encoding: str, repeat: int
            ) -> tuple[int, float]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        with client.stream("GET", path, headers={"Accept": accept,
                                                 "Accept-Encoding": encoding}) as r:
            body = b"".join(r.iter_raw())
        times.append(time.perf_counter() - started)
        assert r.status_code == 200, (path, r.status_code)
        assert (r.headers.get("content-encoding") == "gzip") == (encoding == "gzip") or \
            len(body) < 1024, path
        size = len(body)
    return size, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(in_memory=True, data_dir=Path(tmp), query_workers=1)
        ctx = open_context(settings)
        ensure_bundled(ctx)
        rows = []
        with TestClient(create_app(settings, context=ctx), base_url="http://localhost") as c:
            for name, path, accept in READS:
                plain, t_plain = measure(c, path, accept, "identity", args.repeat)
                packed, t_packed = measure(c, path, accept, "gzip", args.repeat)
                rows.append({"read": name, "bytes": plain, "gzip_bytes": packed,
                             "ratio": round(packed / plain, 3),
                             "ms": round(t_plain * 1000, 1),
                             "gzip_ms": round(t_packed * 1000, 1)})
            started = time.perf_counter()
            made = make_release(ctx, "1.0.0")
            release_s = time.perf_counter() - started
            listed = {}
            for path in ("/catalog", "/downloads/", "/releases/1.0.0"):
                started = time.perf_counter()
                assert c.get(path).status_code == 200
                listed[path] = round((time.perf_counter() - started) * 1000, 1)
        ctx.close()
    print(f"{'read':24} {'bytes':>9} {'gzip':>8} {'ratio':>6} {'ms':>7} {'gzip ms':>8}")
    for r in rows:
        print(f"{r['read']:24} {r['bytes']:>9} {r['gzip_bytes']:>8} {r['ratio']:>6} "
              f"{r['ms']:>7} {r['gzip_ms']:>8}")
    print(f"release 1.0.0 ({made.quads} quads): {release_s:.2f} s; after it: "
          + ", ".join(f"{p} {ms} ms" for p, ms in listed.items()))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compression.json").write_text(json.dumps(
        {"reads": rows, "release_seconds": round(release_s, 2), "quads": made.quads,
         "after_release_ms": listed}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
