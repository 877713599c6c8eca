"""What the benchmarks share: the import path, the generated graph, a context over a loaded
store, the app served in a child process, and latency statistics.

A benchmark runs as ``python bench/NAME.py`` (``bench/`` is then first on ``sys.path``) and
imports this module before anything of ``qualifica``: it puts ``src/`` and ``tests/`` (for
``qualifica_testing``) first on the path.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _folder in ("bench", "src", "tests"):
    if str(ROOT / _folder) not in sys.path:
        sys.path.insert(0, str(ROOT / _folder))

import generate  # noqa: E402
import uvicorn  # noqa: E402
from pyoxigraph import NamedNode  # noqa: E402

from qualifica.api import create_app  # noqa: E402
from qualifica.api.transport import PROTOCOL as HTTP_PROTOCOL  # noqa: E402
from qualifica.config import Settings  # noqa: E402
from qualifica.context import Context  # noqa: E402
from qualifica.namespaces import GRAPH, ID, KINDS  # noqa: E402
from qualifica.sparql.registry import Registry  # noqa: E402
from qualifica.store.oxigraph import OxigraphStore  # noqa: E402
from qualifica_testing import load_graph  # noqa: E402

OUT = ROOT / "bench" / "out"


def bench_graph(scale: float, seed: int, path: Path | None = None, *,
                say: bool = False) -> Path:
    """The generated benchmark graph (N-Triples) of ``scale`` and ``seed``: ``path``, by default
    ``bench/out/graph-{scale}.nt``, written first if it does not exist (``say``: print what was
    generated and how long it took)."""
    path = path or OUT / f"graph-{scale:g}.nt"
    if not path.exists():
        t0 = time.perf_counter()
        sizes = generate.write(scale, seed, path)
        if say:
            print(f"generated {path} in {time.perf_counter() - t0:.1f} s: {sizes}")
    return path


def bench_store(path: Path | None, folder: Path, scale: float, seed: int) -> OxigraphStore:
    """The store at ``path`` opened as it is (a store loaded before, not open in another
    process), else the bench graph of ``scale`` and ``seed`` bulk-loaded into an on-disk store
    in ``folder`` (printing how long that took)."""
    if path is not None:
        return OxigraphStore(path)
    store = OxigraphStore(folder / "store")
    t0 = time.perf_counter()
    load_graph(store, bench_graph(scale, seed, say=True), GRAPH + "bench", bulk=True)
    print(f"loaded {store.count()} quads in {time.perf_counter() - t0:.1f} s")
    return store


def instances(store: OxigraphStore, kind: str) -> list[str]:
    """The instance IRIs of ``kind`` (``/id/{kind}/…``), sorted."""
    rows = store.query("SELECT ?s ?c WHERE { ?s a ?c }",
                       substitutions={"c": NamedNode(KINDS[kind])})
    return sorted(r["s"].value for r in rows.rows
                  if r["s"].value.startswith(f"{ID}{kind}/"))


def store_context(store: OxigraphStore, data_dir: Path) -> Context:
    """A context over an already loaded store (nothing bundled is loaded), with the project's
    named queries."""
    settings = Settings(data_dir=data_dir, load_bundled=False)
    return Context(settings=settings, store=store, registry=Registry(settings.queries_dir))


def serve(store_path: str, port: int) -> int:
    """Child process: the real app over the store at ``store_path``, on 127.0.0.1:``port``, with
    the HTTP protocol of ``qualifica serve`` (``api.transport``)."""
    store = OxigraphStore(Path(store_path))
    ctx = store_context(store, Path(store_path).parent)
    uvicorn.run(create_app(ctx.settings, context=ctx), host="127.0.0.1", port=port,
                log_level="warning", access_log=False, http=HTTP_PROTOCOL)
    store.close()
    return 0


def summary(samples_s: list[float]) -> dict[str, float]:
    """Median, p95, maximum and count of latencies (in ms)."""
    ms = sorted(x * 1000 for x in samples_s)
    if not ms:
        return {"n": 0, "median_ms": float("nan"), "p95_ms": float("nan")}
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(p95, 2), "max_ms": round(ms[-1], 2)}


def measure(call: Callable[[int], object], n: int, budget_s: float, warmup: int = 5
            ) -> list[float]:
    """Latencies of up to ``n`` calls within ``budget_s`` seconds, after ``warmup`` calls."""
    for i in range(warmup):
        call(i)
    samples: list[float] = []
    stop = time.perf_counter() + budget_s
    for i in range(n):
        t0 = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - t0)
        if time.perf_counter() > stop:
            break
    return samples


#: A ``wrk`` script sending requests from a table in turn over one connection, stopping after
#: a given number of answers, and writing the latency percentiles as one JSON line.
_ONE_CONNECTION_LUA = """
local reqs = {%s}
local limit = %d
local i, answered, bad = 0, 0, 0
request = function()
  i = i + 1
  local r = reqs[((i - 1) %% #reqs) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end
response = function(status, headers, body)
  answered = answered + 1
  if status ~= 200 then bad = bad + 1 end
  if answered == limit then
    wrk.thread:stop()
    io.write("STOPPED\\n")
    io.flush()
  end
end
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"n": %%d, "median_ms": %%.3f, "p95_ms": %%.3f, "max_ms": %%.3f, "bytes": %%d, ' ..
    '"non_2xx": %%d}\\n',
    summary.requests, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency.max / 1000, summary.bytes, summary.errors.status))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_one_connection(base: str, requests: list[tuple[str, str, dict[str, str], str | None]],
                       n: int, workdir: Path, warmup: int = 10) -> dict[str, float]:
    """Median and p95 (ms) of ``n`` requests sent one at a time over one kept-alive connection
    by ``wrk`` (one thread, one connection): the same sequence a Python client sends, measured
    by a client whose own cost per request is a few microseconds (httpx spends 0.6-0.9 ms of
    CPU on each request and answer, which its latencies include).

    ``requests``: ``(method, path, headers, body)``, sent in turn; the first ``warmup`` are sent
    first on a connection of their own and not counted. Needs Debian's ``wrk``."""
    workdir.mkdir(parents=True, exist_ok=True)

    def run(count: int) -> dict[str, float]:
        table = ", ".join(
            "{" + ", ".join([_lua_string(m), _lua_string(p),
                             "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}"
                                             for k, v in h.items()) + "}",
                             _lua_string(b) if b is not None else "nil"]) + "}"
            for m, p, h, b in requests)
        script = workdir / "one-connection.lua"
        script.write_text(_ONE_CONNECTION_LUA % (table, count), encoding="utf-8")
        # wrk runs for its duration even when its thread has stopped; an interrupt ends it
        # with its summary, so it gets one as soon as the script says it has stopped
        with subprocess.Popen(["wrk", "-t", "1", "-c", "1", "-d", "600s", "--timeout", "30s",
                               "-s", str(script), base], stdout=subprocess.PIPE, text=True
                              ) as wrk:
            assert wrk.stdout is not None
            lines = []
            for line in wrk.stdout:
                lines.append(line)
                if line.startswith("STOPPED"):
                    wrk.send_signal(signal.SIGINT)
            wrk.wait(timeout=60)
        out = "".join(lines)
        line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            raise RuntimeError(f"wrk wrote no result: {out[-500:]}")
        return json.loads(line.removeprefix("RESULT "))

    if warmup:
        run(warmup)
    result = run(n)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
