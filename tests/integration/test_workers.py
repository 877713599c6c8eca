"""``qualifica serve --workers 2`` as real processes: one writer, one reader, one socket.

Each answer names its process (``X-Qualifica-Worker``); a new connection lands on either, so a
test addresses every process by opening connections until each has answered (or keeps one
connection to each). Checked here:
a write through either process is read back at once on the writer's connection and by every
process within one second, with the planning index of every process patched; two writes that
are each valid but jointly invalid, sent at the same time through different processes, do not
both pass; eight runaway queries do not delay the health check, a role lookup or a gap analysis;
a killed process is replaced (the writer too); SIGTERM leaves no process behind; and the same
over a remote store.
"""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from qualifica_testing import QUALIFICA, start_oxigraph, start_process, stop_process, wait_until

pytestmark = pytest.mark.slow

TOKEN = "workers-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEADER = "x-qualifica-worker"
ID = "https://w3id.org/qualifica/id/"
GRAPH = "https://w3id.org/qualifica/graph/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def role_body(slug: str, english: str = "Worker role") -> bytes:
    """A new role that requires digcomp-4 at level 5 (valid on its own)."""
    return f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}role/{slug}> a qd:Role ;
  skos:prefLabel "Prozessrolle {slug}"@de , "{english}"@en ;
  qd:requires <{ID}requirement/{slug}-digcomp-4> ;
  dcterms:source <https://example.org/source> .
<{ID}requirement/{slug}-digcomp-4> a qd:CompetencyRequirement ;
  skos:prefLabel "{slug} – Bereich 4 (Stufe 5)"@de , "{slug} – area 4 (level 5)"@en ;
  qd:competency <{ID}competency/digcomp-4> ;
  qd:level <{ID}level/digcomp-5> ;
  qd:essential true ;
  dcterms:source <https://example.org/source> .
""".encode()


class Workers:
    """``qualifica serve --workers 2`` over ``env`` (store settings)."""

    def __init__(self, tmp: Path, port: int, env: dict[str, str], timeout: float = 180) -> None:
        self.url = f"http://127.0.0.1:{port}"
        full = {**os.environ, "QUALIFICA_API_TOKENS": TOKEN, "QUALIFICA_LOG_LEVEL": "WARNING",
                "QUALIFICA_QUERY_TIMEOUT_S": "2", "QUALIFICA_QUERY_WORKERS": "2", **env}
        self.proc = start_process(
            [str(QUALIFICA), "serve", "--port", str(port), "--workers", "2"],
            lambda: len(self.pids(attempts=20)) == 2, what="qualifica serve --workers 2",
            env=full, log=tmp / f"workers-{port}.log", timeout=timeout)

    def pids(self, attempts: int = 60) -> set[str]:
        """The processes that answer new connections."""
        seen = set()
        for _ in range(attempts):
            r = httpx.get(self.url + "/healthz", timeout=5)
            if r.status_code == 200:
                seen.add(r.headers[HEADER])
            if len(seen) == 2:
                break
        return seen

    def each(self, request: Callable[[httpx.Client], httpx.Response],
             attempts: int = 80) -> dict[str, httpx.Response]:
        """``request`` answered by every process (a new connection each try)."""
        answers: dict[str, httpx.Response] = {}
        for _ in range(attempts):
            with httpx.Client(base_url=self.url, timeout=30) as c:
                r = request(c)
            answers.setdefault(r.headers[HEADER], r)
            if len(answers) == 2:
                return answers
        raise AssertionError(f"only {sorted(answers)} answered in {attempts} connections")

    def connect(self, pid: str) -> httpx.Client:
        """A client whose (kept-alive) connection the process ``pid`` accepted."""
        for _ in range(80):
            c = httpx.Client(base_url=self.url, timeout=60)
            if c.get("/healthz").headers[HEADER] == pid:
                return c
            c.close()
        raise AssertionError(f"process {pid} took no connection")

    def connect_each(self) -> dict[str, httpx.Client]:
        """One kept-alive connection to each process."""
        return {pid: self.connect(pid) for pid in sorted(self.pids())}


    def post_role(self, c: httpx.Client, slug: str, english: str = "Worker role"
                  ) -> httpx.Response:
        return c.post("/graphs", params={"graph": GRAPH + slug}, content=role_body(slug, english),
                      headers={"Content-Type": "text/turtle", **AUTH})

    def stop(self) -> None:
        stop_process(self.proc)


def current_after(clients: dict[str, httpx.Client], written: float,
                  current: Callable[[httpx.Client], bool], limit_s: float = 10
                  ) -> dict[str, float]:
    """Seconds from ``written`` (a monotonic time) until each process answers ``current``
    true, asked over the kept connection to each in turn (connected before the write: what is
    measured is the process, not which process the kernel hands a new connection to)."""
    late: dict[str, float] = {}
    try:
        while len(late) < len(clients) and time.monotonic() < written + limit_s:
            for pid, c in clients.items():
                if pid not in late and current(c):
                    late[pid] = time.monotonic() - written
    finally:
        for c in clients.values():
            c.close()
    assert len(late) == len(clients), late
    return late


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def roles_requiring_digcomp_4(c: httpx.Client) -> set[str]:
    r = c.get("/api/competencies/digcomp-4/roles")
    assert r.status_code == 200, r.text
    return {role["role"]["id"] for role in r.json()["roles"]}


def gap_of(c: httpx.Client, slug: str) -> httpx.Response:
    return c.post("/api/gap", json={"role": slug, "have": []})


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    tmp = tmp_path_factory.mktemp("workers")
    from qualifica_testing import free_port

    server = Workers(tmp, free_port(), {"QUALIFICA_DATA_DIR": str(tmp / "var")})
    try:
        yield server
    finally:
        server.stop()


def test_two_processes_answer_on_one_socket(workers: Workers) -> None:
    assert len(workers.pids()) == 2
    quads = {pid: r.json()["quads"] for pid, r in workers.each(lambda c: c.get("/healthz")).items()}
    assert len(set(quads.values())) == 1 and next(iter(quads.values())) > 1000


@pytest.mark.parametrize("round_", range(2))
def test_a_write_is_read_by_its_client_at_once_and_by_every_process_within_a_second(
        workers: Workers, round_: int) -> None:
    # one write landing on each process (the writer applies it; the reader forwards it)
    for pid in sorted(workers.pids()):
        slug = f"wk-{round_}-{pid}"
        clients = workers.connect_each()
        with closing(workers.connect(pid)) as c:
            r = workers.post_role(c, slug)
            assert r.status_code == 201, r.text
            assert r.headers[HEADER] == pid
            written = time.monotonic()
            # read-your-writes on the writing client's connection (same process)
            after = c.get(f"/api/roles/{slug}")
            assert after.status_code == 200 and after.headers[HEADER] == pid
            assert slug in roles_requiring_digcomp_4(c)
        # every process within one second, its planning index patched
        late = current_after(clients, written,
                             lambda c, slug=slug: slug in roles_requiring_digcomp_4(c))
        assert max(late.values()) < 1.0, late
        gaps = workers.each(lambda c, slug=slug: gap_of(c, slug))
        for r in gaps.values():
            assert r.status_code == 200, r.text
            reqs = [(x["competency"]["id"], x["required_level"]) for x in r.json()["requirements"]]
            assert reqs == [("digcomp-4", 5)]


def test_every_process_serves_the_stamp_a_write_set(workers: Workers) -> None:
    """The stamp is part of the change set the readers patch from: every process lists the new
    role as modified since the write, with the same ``dcterms:modified``."""
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    slug = "wk-stamp"
    with closing(httpx.Client(base_url=workers.url, timeout=60)) as c:
        assert workers.post_role(c, slug).status_code == 201
    iri = f"{ID}role/{slug}"
    deadline = time.monotonic() + 5
    while True:
        listed = workers.each(lambda c: c.get("/api/roles", params={
            "modified_since": since, "limit": 200}))
        if all(iri in {i["iri"] for i in r.json()["items"]} for r in listed.values()) \
                or time.monotonic() > deadline:
            break
    for r in listed.values():
        assert iri in {i["iri"] for i in r.json()["items"]}, r.headers[HEADER]
    stamps = {pid: [line for line in r.text.splitlines()
                    if line.startswith(f"<{iri}> <http://purl.org/dc/terms/modified>")]
              for pid, r in workers.each(lambda c: c.get(
                  f"/id/role/{slug}", headers={"Accept": "application/n-triples"})).items()}
    assert len({tuple(v) for v in stamps.values()}) == 1 and all(
        len(v) == 1 for v in stamps.values()), stamps


def test_jointly_invalid_writes_through_two_processes_do_not_both_pass(
        workers: Workers) -> None:
    """The same new role with two different English labels: each write alone conforms,
    together they break "exactly one English label"."""
    across = 0
    for k in range(6):
        slug = f"twin-{k}"
        answers: list[httpx.Response] = []
        barrier = threading.Barrier(2)

        def send(english: str, slug: str = slug, barrier: threading.Barrier = barrier,
                 answers: list[httpx.Response] = answers) -> None:
            with httpx.Client(base_url=workers.url, timeout=60) as c:
                c.get("/healthz")  # connect first, so both writes leave together
                barrier.wait()
                answers.append(c.post("/graphs", params={"graph": f"{GRAPH}{slug}-{english}"},
                                      content=role_body(slug, f"Twin {english}"),
                                      headers={"Content-Type": "text/turtle", **AUTH}))

        threads = [threading.Thread(target=send, args=(e,)) for e in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        codes = sorted(r.status_code for r in answers)
        assert codes == [201, 422], [r.text[:300] for r in answers]
        across += len({r.headers[HEADER] for r in answers}) == 2
        labels = workers.each(lambda c, slug=slug: c.get(
            "/sparql", params={"query": f"SELECT ?l WHERE {{ <{ID}role/{slug}> "
                               "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
                               "FILTER(LANG(?l) = 'en') }"},
            headers={"Accept": "application/sparql-results+json"}))
        for r in labels.values():
            assert len(r.json()["results"]["bindings"]) == 1
        if across >= 2 and k >= 2:
            break
    assert across >= 1, "no round sent the two writes through different processes"


def _timed(c: httpx.Client, kind: str) -> float:
    started = time.perf_counter()
    if kind == "health":
        r = c.get("/healthz")
    elif kind == "role":
        r = c.get("/api/roles/prozessmanager")
    else:
        r = gap_of(c, "prozessmanager")
    assert r.status_code == 200, r.text
    return time.perf_counter() - started


def _medians(clients: list[httpx.Client], rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {"health": [], "role": [], "gap": []}
    for _ in range(rounds):
        for c in clients:
            for kind in times:
                times[kind].append(_timed(c, kind))
    return {kind: statistics.median(t) for kind, t in times.items()}


def test_eight_runaway_queries_do_not_delay_health_role_lookup_or_gap_analysis(
        workers: Workers) -> None:
    # one kept-alive connection to each process
    clients = [workers.connect(pid) for pid in sorted(workers.pids())]
    try:
        _medians(clients, 3)  # warm-up
        idle = _medians(clients, 10)
        answers: list[tuple[int, float]] = []

        def runaway() -> None:
            started = time.monotonic()
            r = httpx.get(workers.url + "/sparql", params={"query": RUNAWAY}, timeout=60)
            answers.append((r.status_code, time.monotonic() - started))

        threads = [threading.Thread(target=runaway) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.3)  # the runaways are running
        busy = _medians(clients, 8)
        for t in threads:
            t.join(timeout=90)
        assert [code for code, _ in answers] == [503] * 8
        # 2 s deadline (waiting for an evaluator counts), killed at most 0.3 s after it
        assert max(s for _, s in answers) < 2.0 + 0.3 + 1.0
        for kind in idle:
            assert busy[kind] - idle[kind] <= 0.050, (kind, idle, busy)
    finally:
        for c in clients:
            c.close()


def test_a_killed_reader_and_a_killed_writer_are_replaced(workers: Workers) -> None:
    with httpx.Client(base_url=workers.url, timeout=60) as c:
        assert workers.post_role(c, "before-crash").status_code == 201
    pids = workers.pids()
    # which one writes: the process a write request did not have to be forwarded from
    # cannot be told from outside, so kill both, one after the other
    for victim in sorted(pids):
        os.kill(int(victim), signal.SIGKILL)
        wait_until(lambda victim=victim: len(workers.pids()) == 2
                   and victim not in workers.pids(),
                   timeout=120, what="a replacement process")
    assert not (workers.pids() & pids)
    # writes and reads work again, in every process
    slug = "after-crash"
    with httpx.Client(base_url=workers.url, timeout=60) as c:
        wait_until(lambda: workers.post_role(c, slug).status_code == 201, timeout=120,
                   what="a write after the crashes")
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        answers = workers.each(lambda c: c.get(f"/api/roles/{slug}"))
        if all(r.status_code == 200 for r in answers.values()):
            break
    assert all(r.status_code == 200 for r in answers.values())
    # what was written before the crashes is still there
    for r in workers.each(lambda c: c.get("/api/roles/before-crash")).values():
        assert r.status_code == 200


#: Scale of the bench graph loaded beside the bundled one for the catalogue test: big enough
#: that building the REST catalogue again takes longer than the one-second bound.
BIG_SCALE = 0.3


@pytest.fixture(scope="module")
def big_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    from qualifica.config import Settings
    from qualifica.context import open_context
    from qualifica.validation.gate import ensure_bundled
    from qualifica_testing import bench_generator, free_port

    tmp = tmp_path_factory.mktemp("big-workers")
    graph = tmp / "graph.nt"
    bench_generator().write(BIG_SCALE, 5, graph)
    ctx = open_context(Settings(data_dir=tmp / "var"))
    try:
        ensure_bundled(ctx)
        bench = NamedNode(GRAPH + "bench")
        ctx.store.bulk_add(Quad(t.subject, t.predicate, t.object, bench)
                           for t in parse(path=str(graph), format=RdfFormat.N_TRIPLES))
    finally:
        ctx.close()
    # each process builds its planning index and catalogue of the whole store at start-up
    server = Workers(tmp, free_port(), {"QUALIFICA_DATA_DIR": str(tmp / "var")}, timeout=600)
    try:
        yield server
    finally:
        server.stop()


def test_a_rest_detail_is_current_in_every_process_within_a_second_at_scale(
        big_workers: Workers) -> None:
    """A written role's REST detail (labels and links from each process's catalogue) is the
    new one in every process within one second, though a full catalogue build of this store
    takes longer: the catalogue is patched with the write's quads."""
    workers = big_workers
    health = workers.each(lambda c: c.get("/healthz"))
    assert min(r.json()["quads"] for r in health.values()) > 200_000
    slug = "big-role"
    for k, pid in enumerate(sorted(workers.pids()) * 2):
        english = f"Scaled role {k}"
        clients = workers.connect_each()
        with closing(workers.connect(pid)) as c:
            r = c.put("/graphs", params={"graph": GRAPH + slug},
                      content=role_body(slug, english),
                      headers={"Content-Type": "text/turtle", **AUTH})
            assert r.status_code in (201, 204), r.text
            written = time.monotonic()
            mine = c.get(f"/api/roles/{slug}", params={"lang": "en"})
            assert mine.status_code == 200 and mine.json()["label"] == english, mine.text
        current = current_after(clients, written, lambda c, english=english: (
            (got := c.get(f"/api/roles/{slug}", params={"lang": "en"})).status_code == 200
            and got.json()["label"] == english))
        assert max(current.values()) < 1.0, current


def test_sigterm_stops_every_process(tmp_path: Path) -> None:
    from qualifica_testing import free_port

    server = Workers(tmp_path, free_port(), {"QUALIFICA_DATA_DIR": str(tmp_path / "var")})
    # a sandbox worker in each process
    for r in server.each(lambda c: c.get("/sparql", params={"query": "ASK {}"},
                                        headers={"Accept": "application/sparql-results+json"})
                         ).values():
        assert r.status_code == 200
    below = descendants(server.proc.pid)
    assert len(below) >= 4  # two server processes and their sandbox workers
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=60) == 0
    wait_until(lambda: not any(alive(p) for p in below), timeout=15,
               what="every process to end")
    assert not list((tmp_path / "var").glob("workers-*"))


def test_workers_over_a_remote_store(tmp_path: Path) -> None:
    from qualifica_testing import free_port

    sparql = start_oxigraph(tmp_path / "db")
    try:
        server = Workers(tmp_path, free_port(), {
            "QUALIFICA_SPARQL_ENDPOINT": sparql.query,
            "QUALIFICA_SPARQL_UPDATE_ENDPOINT": sparql.update,
            "QUALIFICA_DATA_DIR": str(tmp_path / "var")})
        try:
            for pid in sorted(server.pids()):
                slug = f"remote-{pid}"
                with closing(server.connect(pid)) as c:
                    assert server.post_role(c, slug).status_code == 201
                    assert slug in roles_requiring_digcomp_4(c)
                written = time.monotonic()
                while time.monotonic() - written < 1.0:
                    seen = server.each(roles_requiring_digcomp_4_response)
                    if all(slug in ids(r) for r in seen.values()):
                        break
                assert all(slug in ids(r) for r in seen.values())
        finally:
            server.stop()
    finally:
        sparql.stop()


def roles_requiring_digcomp_4_response(c: httpx.Client) -> httpx.Response:
    return c.get("/api/competencies/digcomp-4/roles")


def ids(r: httpx.Response) -> set[str]:
    return {x["role"]["id"] for x in r.json()["roles"]}
