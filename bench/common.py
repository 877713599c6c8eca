"""What the benchmarks share: the import path, the generated graph, a context over a loaded
store, the app served in a child process, and latency statistics.

A benchmark runs as ``python bench/NAME.py`` (``bench/`` is then first on ``sys.path``) and
imports this module before anything of ``qualifica``: it puts ``src/`` and ``tests/`` (for
``qualifica_testing``) first on the path.
"""

from __future__ import annotations

import statistics
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

from qualifica.api import create_app  # noqa: E402
from qualifica.api.transport import PROTOCOL as HTTP_PROTOCOL  # noqa: E402
from qualifica.config import Settings  # noqa: E402
from qualifica.context import Context  # noqa: E402
from qualifica.sparql.registry import Registry  # noqa: E402
from qualifica.store.oxigraph import OxigraphStore  # noqa: E402

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
