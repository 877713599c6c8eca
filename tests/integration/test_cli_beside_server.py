"""The CLI beside a running server: ``qualifica serve`` runs as a real process over an on-disk
store, and the CLI runs beside it as further processes over the same data directory.

Read commands open a read-only view of the store (and see what the server wrote before they
started); ``release`` and ``import`` go through the server; ``load`` and a second ``serve`` stop
with one line and exit code 2, no traceback. A release made this way dereferences, is listed in
the catalog and on the download page, and answers are gzip-compressed when asked.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import rdflib

from qualifica_testing import (
    QUALIFICA,
    ROOT,
    answers_ok,
    free_port,
    start_process,
    stop_process,
    wait_until,
)

pytestmark = pytest.mark.slow

TOKEN = "beside-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/qualifica/id/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
ROLE = f"""
<{ID}role/nebenrolle> a <https://w3id.org/qualifica/ontology#Role> ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> "Nebenrolle"@de , "Side role"@en ;
  <http://purl.org/dc/terms/source> <https://example.org/source> .
"""


@dataclass
class Running:
    """The server process, its URL and the environment the CLI runs in beside it."""

    url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def cli(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180
            ) -> subprocess.CompletedProcess[str]:
        """Run ``qualifica ARGS`` beside the server; output captured as text."""
        return subprocess.run([str(QUALIFICA), *args], capture_output=True, text=True,
                              env=env or self.env, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    data_dir = tmp_path_factory.mktemp("beside") / "var"
    port = free_port()
    env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir), "QUALIFICA_API_TOKENS": TOKEN,
           "QUALIFICA_QUERY_WORKERS": "1", "QUALIFICA_LOG_LEVEL": "WARNING",
           "COLUMNS": "200"}
    url = f"http://127.0.0.1:{port}/"
    process = start_process([str(QUALIFICA), "serve", "--port", str(port)],
                            answers_ok(url + "healthz"), what="qualifica serve", env=env,
                            timeout=120, log=data_dir.parent / "serve.log")
    yield Running(url, data_dir, env, process)
    stop_process(process)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused command prints (exit code 2, nothing on stdout)."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def count(server: Running) -> int:
    result = server.cli("query", "-f", "json", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.returncode == 0, result.stderr
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


def test_the_server_announces_itself(server: Running) -> None:
    info = json.loads((server.data_dir / "server.json").read_text())
    assert info == {"url": server.url, "pid": server.process.pid}


def test_read_commands_work_beside_the_server(server: Running) -> None:
    quads = httpx.get(server.url + "healthz").json()["quads"]
    assert quads > 1000
    assert count(server) == quads

    named = server.cli("query", "--name", "roles-requiring-competency",
                       "-p", "competency=digcomp-4-2", "-f", "csv")
    assert named.returncode == 0, named.stderr
    assert named.stdout.splitlines()[0].startswith("competency,role,")

    exported = server.cli("export", "-f", "nq")
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == quads

    roles = server.cli("roles-for", "digcomp-4-2", "-f", "json")
    assert roles.returncode == 0, roles.stderr
    assert {r["role"]["id"] for r in json.loads(roles.stdout)["roles"]} >= {"anwender", "cio"}

    gap = server.cli("gap", "--role", "prozessmanager", "--have", "digcomp-1-1:4", "-f", "csv")
    assert gap.returncode == 0, gap.stderr
    assert gap.stdout.startswith("competency,label,required_level")

    # the read-only view holds nothing up: the server still writes
    put = httpx.put(server.url + "graphs",
                    params={"graph": "https://w3id.org/qualifica/graph/beside-test"},
                    content=ROLE, headers={"Content-Type": "text/turtle", **AUTH}, timeout=60)
    assert put.status_code in (201, 204), put.text
    # and a command started after the write reads it
    assert count(server) == quads + 4 + 1  # the role and its dcterms:modified
    found = server.cli("query", "-f", "json",
                       f"ASK {{ <{ID}role/nebenrolle> ?p ?o }}")
    assert json.loads(found.stdout)["boolean"] is True


def test_a_second_serve_stops_with_one_line(server: Running) -> None:
    result = server.cli("serve", "--port", str(free_port()), timeout=60)
    line = one_error_line(result)
    assert f"a running server ({server.url}) holds the store" in line
    assert "QUALIFICA_DATA_DIR" in line
    assert server.process.poll() is None  # the first one runs on
    assert httpx.get(server.url + "healthz").status_code == 200


def test_load_stops_with_one_line(server: Running) -> None:
    before = count(server)
    line = one_error_line(server.cli("load", str(ROOT / "tests" / "data" / "linkeddata" /
                                                 "graph.ttl")))
    assert f"a running server ({server.url}) holds the store" in line
    assert "PUT /graphs" in line
    assert count(server) == before  # nothing was written


def test_import_goes_through_the_server(server: Running, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("id,label_de,label_en,source\nbeside-aufgabe,Nebenaufgabe,Side task,"
                     "https://example.org/personalplanung\n", encoding="utf-8")
    result = server.cli("import", str(tasks))
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout and "tasks: 1" in result.stdout
    # Another connection may reach another server process, which reads the write within a
    # second of it (docs/architecture.md); bounded wait for a loaded machine.
    wait_until(lambda: httpx.get(server.url + "api/tasks/beside-aufgabe").status_code == 200,
               timeout=10, what="the imported task in every server process")

    bad = tmp_path / "requirements.csv"
    bad.write_text("holder,competency,level,source\nbeside-aufgabe,digcomp-2-1,zwölf,x\n",
                   encoding="utf-8")
    refused = server.cli("import", str(bad))
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "nothing was imported" in refused.stderr


def test_release_goes_through_the_server(server: Running) -> None:
    result = server.cli("release", "1.0.0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("release 1.0.0 (")
    assert "qualifica-1.0.0.nq.gz" in result.stdout
    folder = server.data_dir / "releases" / "1.0.0"
    sums = dict(reversed(line.split("  ")) for line in
                (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {"qualifica-1.0.0.nq.gz", "qualifica-1.0.0.ttl"}

    again = one_error_line(server.cli("release", "1.0.0"))
    assert "exists already" in again
    no_token = {k: v for k, v in server.env.items() if k != "QUALIFICA_API_TOKENS"}
    line = one_error_line(server.cli("release", "1.0.1", env=no_token))
    assert "QUALIFICA_API_TOKENS" in line
    assert "1.0.1" not in {r["version"] for r in
                           httpx.get(server.url + "api/releases").json()["items"]}
    wrong = one_error_line(server.cli("release", "1.0.1",
                                      env={**server.env, "QUALIFICA_API_TOKENS": "wrong"}))
    assert "may not write" in wrong
    bad = one_error_line(server.cli("release", "v2"))
    assert "X.Y.Z" in bad

    # the release IRI dereferences: its page, and its description in RDF
    turtle = httpx.get(server.url + "releases/1.0.0", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    g = rdflib.Graph().parse(data=turtle.text, format="turtle")
    release = rdflib.URIRef("https://w3id.org/qualifica/releases/1.0.0")
    assert str(g.value(release, DCAT.version)) == "1.0.0"
    for dist in g.objects(release, DCAT.distribution):
        url = str(g.value(dist, DCAT.downloadURL))
        assert url.startswith(server.url + "releases/1.0.0/")
        body = httpx.get(url, headers={"Accept-Encoding": "identity"}).content
        assert hashlib.sha256(body).hexdigest() == sums[url.rsplit("/", 1)[1]]
    page = httpx.get(server.url + "releases/1.0.0", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Qualifica contributors" in page.text
    catalog = rdflib.Graph().parse(data=httpx.get(server.url + "catalog").text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/qualifica/catalog"), DCAT.dataset, release) \
        in catalog
    downloads = httpx.get(server.url + "downloads/")
    assert downloads.status_code == 200 and "qualifica-1.0.0.nq.gz" in downloads.text


def test_answers_are_compressed_when_asked(server: Running) -> None:
    with httpx.Client() as client:
        raw = client.get(server.url + "catalog", headers={"Accept-Encoding": "gzip"})
        plain = client.get(server.url + "catalog", headers={"Accept-Encoding": "identity"})
    assert raw.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert raw.content == plain.content  # httpx decompressed it
    assert raw.headers["etag"] == "W/" + plain.headers["etag"]
    # a dump is sent as the bytes its checksum names; its compressed copy is a file of its own
    dump = httpx.get(server.url + "downloads/qualifica.nt",
                     headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in dump.headers
    digest = base64.b64encode(hashlib.sha256(dump.content).digest()).decode()
    assert dump.headers["repr-digest"] == f"sha-256=:{digest}:"
    packed = httpx.get(server.url + "downloads/qualifica.nt.gz",
                       headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in packed.headers  # gzip is not compressed twice
    assert gzip.decompress(packed.content) == dump.content


def test_reads_beside_large_writes(server: Running) -> None:
    """While the server writes large graphs (flushes, compactions), every read command started
    beside it answers, and each sees the store as it was between two writes."""
    before = count(server)
    size = 40_000
    body = "".join(f'<urn:beside:{s}> <urn:beside:v> "{s} {i}" .\n'
                   for s in range(10) for i in range(size // 10)).encode()
    statuses: list[int] = []

    def write() -> None:
        for k in range(3):
            r = httpx.put(server.url + "graphs",
                          params={"graph": f"https://w3id.org/qualifica/graph/beside-big-{k}"},
                          content=body, headers={"Content-Type": "application/n-triples", **AUTH},
                          timeout=300)
            statuses.append(r.status_code)

    writer = threading.Thread(target=write)
    writer.start()
    seen: list[int] = []
    while writer.is_alive() or not seen:
        seen.append(count(server))  # fails on any error of the read
    writer.join()
    assert statuses == [201, 201, 201]
    assert len(seen) >= 3
    assert seen == sorted(seen)
    assert {(n - before) % size for n in seen} == {0}
    assert count(server) == before + 3 * size
    assert not list((server.data_dir / ".readers").iterdir())  # every view removed its copy
