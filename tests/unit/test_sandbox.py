"""The sandbox: worker processes with deadlines, memory limits and no network.

Every test runs real worker processes over a real pyoxigraph store (in memory, so workers
receive N-Quads snapshots; the on-disk checkpoints are exercised by the HTTP tests).
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.config import Settings
from qualifica.errors import BadParameter, QueryTimeout, StoreUnavailable
from qualifica.sandbox import Sandbox, SandboxCrashed
from qualifica.sandbox.jobs import ParseJob, QueryJob
from qualifica.sandbox.limits import RdfLimits, json_depth
from qualifica.sparql import guard
from qualifica.store.oxigraph import OxigraphStore

EX = "http://example.org/"


def _cartesian_store(n: int) -> OxigraphStore:
    store = OxigraphStore(None)
    g = NamedNode(EX + "g")
    store.add([Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "p"), Literal(str(i)), g)
               for i in range(n)])
    return store


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a running (not zombie) process."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp_path,
                        query_workers=1, query_timeout_s=0.5, worker_memory_mb=768)
    box = Sandbox(settings, _cartesian_store(600))
    yield box
    box.close()


def _job(text: str, timeout_s: float = 0.5) -> QueryJob:
    text = guard.canonical(text)
    info = guard.check_query(text, service_allow=(), max_chars=100_000)
    return QueryJob(text=text, info=info, dataset=None, accept=None, format=None,
                    timeout_s=timeout_s)


COUNT = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 600³ rows, little memory


def test_a_runaway_query_is_answered_at_its_deadline_and_its_worker_stops(
        sandbox: Sandbox) -> None:
    """A COUNT over a cartesian product is one step the store cannot interrupt: the caller is
    answered at the deadline, and the worker running it is killed (no CPU spent after)."""
    media, answer = sandbox.call(_job("ASK {}"), 30)
    assert (media, json.loads(answer)) == ("application/sparql-results+json",
                                           {"head": {}, "boolean": True})
    [pid] = sandbox.pids
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"0\.5 s"):
        sandbox.call(_job(COUNT), 0.5)
    assert time.monotonic() - started < 1.5
    assert not _alive(pid)
    # A fresh worker takes its place and answers.
    assert sandbox.call(_job("ASK { ?s ?p ?o }"), 30)[1].rstrip().endswith(b"true}")
    assert sandbox.replaced == 1


def test_the_pool_is_bounded_and_waiting_counts_towards_the_deadline(sandbox: Sandbox) -> None:
    sandbox.call(_job("ASK {}"), 30)  # the one worker is up

    async def main() -> None:
        blocker = asyncio.ensure_future(sandbox.run(_job(COUNT, 2.0), 2.0))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="no evaluator became free"):
            await sandbox.run(_job("ASK {}"), 0.3)
        assert time.monotonic() - started < 1.0
        with pytest.raises(QueryTimeout):
            await blocker

    asyncio.run(main())


def test_errors_of_a_job_reach_the_caller(sandbox: Sandbox) -> None:
    job = QueryJob(text="SELECT * WHERE { ?s ?p }", info=guard.QueryInfo(form="select"),
                   dataset=None, accept=None, format=None, timeout_s=1)
    with pytest.raises(BadParameter, match="malformed SPARQL query"):
        sandbox.call(job, 30)
    assert sandbox.replaced == 0


def test_a_job_that_crashes_its_worker_costs_only_that_worker(sandbox: Sandbox) -> None:
    """JSON-LD objects nested 20,000 deep exhaust the parser's stack: with the depth check
    switched off the worker dies, the caller gets a clear error, a new worker answers."""
    data = (b'{"@id": "http://e/x", "http://e/p": ' + b'{"http://e/p": ' * 20_000 + b"1"
            + b"}" * 20_001)
    assert json_depth(data, 64) > 64
    job = ParseJob(data=data, media_type="application/ld+json", graph=None, base_iri=None,
                   limits=RdfLimits(max_json_depth=1_000_000))
    with pytest.raises((SandboxCrashed, BadParameter)):
        sandbox.call(job, 30)
    checked = ParseJob(data=data, media_type="application/ld+json", graph=None, base_iri=None)
    with pytest.raises(BadParameter, match="nests more than 64 levels"):
        sandbox.call(checked, 30)
    assert sandbox.call(_job("ASK { ?s ?p ?o }"), 30)[1].rstrip().endswith(b"true}")


def test_a_job_past_the_memory_limit_is_stopped(sandbox: Sandbox) -> None:
    """GROUP_CONCAT over a cartesian product builds a string of gigabytes."""
    job = _job('SELECT (STRLEN(GROUP_CONCAT(CONCAT(?c, ?f, ?i, "padding-padding-padding"))) '
               "AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout_s=60)
    with pytest.raises((SandboxCrashed, BadParameter)) as caught:
        sandbox.call(job, 60)
    assert caught.value.status in (400, 413)
    assert sandbox.call(_job("ASK { ?s ?p ?o }"), 30)[1].rstrip().endswith(b"true}")


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared by the handler instances of one test

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


def test_workers_have_no_network_even_when_a_check_is_bypassed(sandbox: Sandbox) -> None:
    """Defence in depth: a SERVICE call that reached the evaluator unchecked still cannot
    leave the worker, whose network namespace has no interface."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        text = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        # The info the checks would have produced is withheld: the worker sees no SERVICE.
        job = QueryJob(text=text, info=guard.QueryInfo(form="select"), dataset=None,
                       accept=None, format=None, timeout_s=5)
        with pytest.raises(StoreUnavailable):  # "Network is unreachable", logged
            sandbox.call(job, 10)
        [worker] = list(sandbox._workers)
        assert worker.info["network_isolated"] is True
        assert _Canary.hits == []
    finally:
        server.shutdown()


def test_a_killed_worker_uses_no_cpu_after_its_deadline(sandbox: Sandbox) -> None:
    sandbox.call(_job("ASK {}"), 30)
    [pid] = sandbox.pids
    with pytest.raises(QueryTimeout):
        sandbox.call(_job(COUNT), 0.5)
    time.sleep(1.0)
    assert not _alive(pid)
    survivors = [p for p in sandbox.pids if p != pid]
    for other in survivors:
        assert _cpu_seconds(other) < 30  # the replacement only started up
