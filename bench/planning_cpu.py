"""CPU time per planning answer, in process: the library alone and the whole request through the
ASGI app (middleware, routing, body validation, JSON encoding, gzip), without sockets.

One command (from the repository root)::

    .venv/bin/python bench/planning_cpu.py --scale 1

It bulk-loads the graph of ``bench/planning.py`` into an on-disk store in a temporary folder
(or opens ``--store``, loading it only when it is new), builds the planning index, picks the same
questions as ``bench/planning.py`` (seeded: 50 leaf competencies, 50 roles with 10 held
competencies each, 20 sets of 10 held competencies for matching) and measures the thread CPU time
(``time.thread_time``) of each call: the answer of the library, and the request sent straight to
the app (``Accept-Encoding: gzip, deflate`` as httpx sends it) on one event loop in this thread.
CPU time rather than wall-clock time, so that other work on a shared machine disturbs the figures
less. ``--digest FILE`` writes instead a SHA-256 of every answer body (both languages, and 20
``/api/paths`` answers), to compare two versions of the code byte for byte.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from common import ROOT, bench_graph, store_context
from planning import body, questions
from starlette.types import Message

from qualifica import planning
from qualifica.api.app import create_app
from qualifica.namespaces import GRAPH
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import load_graph

Request = tuple[str, str, Any]


class InProcess:
    """The app of ``ctx`` driven through ASGI on an event loop of this thread."""

    def __init__(self, ctx: Any) -> None:
        self.app = create_app(ctx.settings, context=ctx)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._startup())

    async def _startup(self) -> None:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        started = asyncio.Event()
        await inbox.put({"type": "lifespan.startup"})

        async def send(message: Message) -> None:
            if message["type"].startswith("lifespan.startup"):
                started.set()

        self.lifespan = self.loop.create_task(
            self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                     inbox.get, send))
        await started.wait()

    def close(self) -> None:
        """Stop the lifespan task and the loop."""
        self.lifespan.cancel()
        self.loop.run_until_complete(asyncio.gather(self.lifespan, return_exceptions=True))
        self.loop.close()

    def request(self, method: str, target: str, payload: Any = None) -> tuple[int, bytes]:
        """Status and body of one request."""
        return self.loop.run_until_complete(self._request(method, target, payload))

    async def _request(self, method: str, target: str, payload: Any) -> tuple[int, bytes]:
        raw = orjson.dumps(payload) if payload is not None else b""
        path, _, query = target.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query.encode(), "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"accept", b"*/*"),
                        (b"accept-encoding", b"gzip, deflate"),
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(raw)).encode())],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
        }
        done = asyncio.Event()
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": raw, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        status = 0
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        done.set()
        return status, b"".join(chunks)


def slug(iri: str) -> str:
    """The last segment of an instance IRI."""
    return iri.rsplit("/", 1)[-1]


def cpu_ms(call: Callable[[], object], n: int, warmup: int = 20) -> dict[str, float]:
    """Median, p95 and lower quartile of the thread CPU time of ``n`` calls, in ms."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(n):
        t0 = time.thread_time()
        call()
        samples.append((time.thread_time() - t0) * 1000)
    samples.sort()
    return {"median": round(statistics.median(samples), 3),
            "p95": round(samples[int(len(samples) * 0.95)], 3),
            "q25": round(samples[len(samples) // 4], 3), "n": n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--calls", type=int, default=1000, help="measured calls per question")
    parser.add_argument("--store", type=Path, default=None,
                        help="an on-disk store to reuse (loaded when it does not exist)")
    parser.add_argument("--digest", type=Path, default=None,
                        help="write the SHA-256 of every answer body here instead of timing")
    parser.add_argument("--settle", type=float, default=15.0,
                        help="seconds to wait after start-up (the sandbox worker processes start "
                             "in the background) before measuring")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="qualifica-bench-") as tmp:
        where = args.store or Path(tmp) / "store"
        fresh = not where.exists()
        store = OxigraphStore(where)
        if fresh:
            load_graph(store, bench_graph(args.scale, args.seed, say=True), GRAPH + "bench",
                       bulk=True)
        ctx = store_context(store, where.parent)
        index = planning.get_index(ctx)
        comps_a, roles_b, have_b, have_c = questions(index, args.seed)
        requests: dict[str, list[Request]] = {
            "a": [("GET", f"/api/competencies/{slug(c)}/roles", None) for c in comps_a],
            "b": [("POST", "/api/gap", {"role": slug(r), "have": body(h)})
                  for r, h in zip(roles_b, have_b, strict=True)],
            "c": [("POST", "/api/match", {"have": body(h), "limit": 20}) for h in have_c],
        }
        library: dict[str, list[Callable[[], object]]] = {
            "a": [partial(planning.roles_for, index, c) for c in comps_a],
            "b": [partial(planning.gap, index, r, h)
                  for r, h in zip(roles_b, have_b, strict=True)],
            "c": [partial(planning.match, index, h, 20, "de", frozenset()) for h in have_c],
        }
        app = InProcess(ctx)
        try:
            if args.digest:
                digests = {}
                for key, reqs in requests.items():
                    for i, (method, target, payload) in enumerate(reqs):
                        for lang in ("de", "en"):
                            status, content = app.request(method, f"{target}?lang={lang}",
                                                          payload)
                            assert status == 200, content[:300]
                            digests[f"{key}{i}-{lang}"] = hashlib.sha256(content).hexdigest()
                for i, comp in enumerate(comps_a[:20]):
                    target = f"/api/paths?from={slug(comp)}&to={slug(roles_b[i])}&max_hops=6"
                    status, content = app.request("GET", target)
                    digests[f"p{i}"] = f"{status} {hashlib.sha256(content).hexdigest()}"
                args.digest.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
                print(f"wrote {len(digests)} digests to {args.digest}")
                return 0
            time.sleep(args.settle)
            results: dict[str, Any] = {"scale": args.scale, "seed": args.seed}
            for key in "abc":
                answers = itertools.cycle(library[key])
                sent = itertools.cycle(requests[key])

                def one_library(answers: Iterator[Callable[[], object]] = answers) -> None:
                    next(answers)()

                def one_request(sent: Iterator[Request] = sent) -> None:
                    status, content = app.request(*next(sent))
                    assert status == 200, content[:300]

                results[key] = {"library_ms": cpu_ms(one_library, args.calls),
                                "request_ms": cpu_ms(one_request, args.calls)}
                print(f"({key}) CPU per answer, library: {results[key]['library_ms']}, "
                      f"request through the app: {results[key]['request_ms']}", flush=True)
        finally:
            app.close()
            store.close()
    out = args.out or ROOT / "bench" / "out" / f"planning-cpu-{args.scale:g}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
