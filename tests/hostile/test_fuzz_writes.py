"""Mutation fuzzing of the write endpoints of a real server process.

Graph Store Protocol: a valid document (``tests/data/valid/complete-role.ttl``, written as
Turtle, N-Triples, JSON-LD and RDF/XML) is mutated by Hypothesis, byte by byte (flips, inserted
brackets, quotes and escapes, truncation, duplicated slices) or as a whole (a huge literal, deep
nesting, DTD entities and external DTDs, remote JSON-LD contexts pointing at the canary, RDF 1.2
triple terms), and sent with the write token by PUT or POST, sometimes under another media type
than its own.

SPARQL Update: INSERT DATA, DELETE DATA, DELETE WHERE and DELETE/INSERT WHERE requests (some
reading through SERVICE or LOAD from the canary), respelled with other separators and escapes,
and about half of them mutated at random.

Every example writes to a scratch graph of its own under ``https://e.org/g/fuzz/``. What must
hold for every request: the answer is 2xx or 4xx, never 5xx; after a 4xx the store is unchanged
(its generation and quad count, through the ``ETag`` of ``/healthz``); after a 2xx every quad
outside the scratch graph is as before, and the scratch graph is deleted again (except when it
holds blank nodes: see ``undo`` and ``test_fuzz_findings.py``); the server process stays up
and nothing reaches the canary.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from grammar import junk, mutated_bytes, spell, updates  # type: ignore[import-not-found]
from hostile_support import (
    Canary,
    Server,
    assert_up,
    fingerprint,
    report_line,
    store_tag,
    worker_deaths,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Generating overly large repr")]

SCRATCH = "https://e.org/g/fuzz"
SOURCE = Path(__file__).resolve().parents[1] / "data" / "valid" / "complete-role.ttl"
FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: Media types the endpoint also takes, and some it does not.
OTHER_TYPES = ("text/plain", "application/json", "application/x-turtle", "application/xml",
               "text/turtle; charset=latin-1", "application/octet-stream", "")
TRIPLES = list(ox.parse(path=str(SOURCE), format=ox.RdfFormat.TURTLE))
DOCUMENTS = {media: ox.serialize(TRIPLES, format=fmt) or b"" for media, fmt in FORMATS.items()}
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SUBJECT = ox.NamedNode("https://e.org/x")

#: RDF 1.2 statements: a triple term, and a reifier (Turtle) that stands for one.
TRIPLE_TERMS = (
    b"<https://e.org/a> <https://e.org/p> <<( <https://e.org/a> <https://e.org/b> \"c\" )>> .\n",
    b"<https://e.org/a> <https://e.org/p> <<( _:x <https://e.org/b> <https://e.org/c> )>> .\n",
    b"<< <https://e.org/a> <https://e.org/b> <https://e.org/c> >> <https://e.org/p> 1 .\n",
    b"<https://e.org/a> <https://e.org/b> <https://e.org/c> {| <https://e.org/p> 1 |} .\n",
)

STATS: Counter[str] = Counter()


def _huge_literal(media: str) -> bytes:
    big = ox.Triple(SUBJECT, LABEL, ox.Literal("x" * 1_100_000))
    return ox.serialize([*TRIPLES[:5], big], format=FORMATS[media]) or b""


def _deep(media: str, depth: int) -> bytes:
    if media == "application/ld+json":
        return (b'{"@id": "https://e.org/x", "http://e.org/p": ' + b'{"http://e.org/p": ' * depth
                + b"1" + b"}" * (depth + 1))
    if media == "application/rdf+xml":
        return (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                b'xmlns:e="http://e.org/"><rdf:Description rdf:about="https://e.org/x">'
                + b"<e:p><rdf:Description>" * depth + b"<e:p>1</e:p>"
                + b"</rdf:Description></e:p>" * depth + b"</rdf:Description></rdf:RDF>")
    if media == "text/turtle":
        return (b"<https://e.org/x> <http://e.org/p> " + b"[ <http://e.org/p> " * depth + b"1"
                + b" ]" * depth + b" .\n")
    return b"<https://e.org/x> <http://e.org/p> " + b"(" * depth + b'"1"' + b")" * depth + b" .\n"


def _dtd(canary: str, kind: int) -> bytes:
    body = DOCUMENTS["application/rdf+xml"]
    start = body.index(b"<rdf:RDF")
    doctype = (
        b'<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        f'<!DOCTYPE rdf:RDF SYSTEM "{canary}/rdf.dtd">'.encode(),
        f'<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{canary}/p.dtd"> %p;]>'.encode(),
        f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{canary}/x">]>'.encode(),
        b'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b"<!DOCTYPE rdf:RDF [<!ELEMENT rdf:RDF ANY>]>",
    )[kind]
    return body[:start] + doctype + body[start:]


def _remote_context(canary: str, kind: int) -> bytes:
    return (
        f'{{"@context": "{canary}/context.jsonld", "@id": "https://e.org/x", "name": "x"}}',
        f'{{"@context": ["{canary}/a.jsonld", {{"@vocab": "https://e.org/"}}], '
        '"@id": "https://e.org/x", "name": "x"}',
        f'{{"@context": {{"@import": "{canary}/i.jsonld"}}, "@id": "https://e.org/x"}}',
        f'{{"@context": {{"@base": "{canary}/"}}, "@id": "x", "https://e.org/p": '
        '{"@id": "y"}}',
    )[kind].encode()


@dataclass(frozen=True)
class Body:
    """A request body, the mutation that made it and the media type it is written in."""

    kind: str
    data: bytes
    media: str

    def __repr__(self) -> str:  # Hypothesis prints failing examples: keep them readable
        head = self.data[:300] + (b"..." if len(self.data) > 300 else b"")
        return f"Body({self.kind!r}, {len(self.data)} bytes, {self.media!r}, {head!r})"


@st.composite
def bodies(draw: st.DrawFn, canary: str) -> Body:
    """A mutated, oversized, nested or otherwise hostile document."""
    media = draw(st.sampled_from(sorted(FORMATS)))
    kind = draw(st.sampled_from(("bytes", "bytes", "bytes", "bytes", "huge literal", "deep",
                                 "dtd", "remote context", "triple term", "valid")))
    if kind == "bytes":
        body = draw(mutated_bytes(DOCUMENTS[media]))
    elif kind == "huge literal":
        body = _huge_literal(media)
    elif kind == "deep":
        # JSON-LD past its depth limit is refused before parsing; the other formats nest
        # blank nodes, which an accepted write leaves behind (see ``undo``): kept small.
        depths = (60, 65, 200, 100_000) if media == "application/ld+json" else (60, 65, 2_000)
        body = _deep(media, draw(st.sampled_from(depths)))
    elif kind == "dtd":
        media = "application/rdf+xml"
        body = _dtd(canary, draw(st.integers(0, 5)))
    elif kind == "triple term":
        media = draw(st.sampled_from(("text/turtle", "application/n-triples")))
        body = DOCUMENTS[media] + draw(st.sampled_from(TRIPLE_TERMS))
    elif kind == "remote context":
        media = "application/ld+json"
        body = _remote_context(canary, draw(st.integers(0, 3)))
    else:
        body = DOCUMENTS[media]
    return Body(kind, body, media)


@pytest.fixture(scope="module")
def baseline(server: Server, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The store's tag, and the fingerprint of what lies outside the scratch graphs, before
    the module; after it, that part of the store is the same and the figures are printed."""
    state = {"outside": fingerprint(server, outside=SCRATCH), "tag": store_tag(server)}
    started = time.monotonic()
    deaths = worker_deaths(server)
    yield state
    STATS["seconds"] = round(time.monotonic() - started)
    STATS["sandbox workers ended on a job"] = worker_deaths(server) - deaths
    report_line(request.config, f"write fuzzing: {dict(sorted(STATS.items()))}")
    assert fingerprint(server, outside=SCRATCH) == state["outside"]


def scratch_graph() -> str:
    """A new scratch graph for one example (see ``undo`` for why each gets its own)."""
    STATS["scratch graphs"] += 1
    return f"{SCRATCH}/{STATS['scratch graphs']}"


def undo(server: Server, graph: str) -> None:
    """Delete the scratch graph an accepted write filled (blank nodes included)."""
    with server.client() as c:
        r = c.delete("/graphs", params={"graph": graph}, headers=server.auth())
    assert r.status_code in (204, 404), r.text
    # every server process follows the deletion (the next connection may reach another one,
    # which follows within its propagation bound; longer on a busy machine)
    deadline = time.monotonic() + 30
    with server.client() as c:
        while (status := c.get("/graphs", params={"graph": graph}).status_code) != 404:
            assert time.monotonic() < deadline, f"the deleted graph still answers {status}"
            time.sleep(0.2)


def settle(server: Server, canary: Canary, baseline: dict[str, str], hits: int,
           response: httpx.Response, graph: str, what: str) -> None:
    """The checks after one write: never 5xx; a refused write changed nothing; an accepted one
    changed nothing outside its scratch graph, which is then deleted; the server is up and the
    canary silent."""
    STATS[f"{what} status {response.status_code}"] += 1
    assert response.status_code < 500, response.text[:2000]
    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500
    assert_up(server, canary, hits)
    if response.status_code >= 400:
        if store_tag(server) != baseline["tag"]:
            same = fingerprint(server, outside=SCRATCH) == baseline["outside"]
            pytest.fail(f"a refused write ({response.status_code}: {response.text[:300]}) "
                        f"committed; outside the scratch graphs the store is "
                        f"{'the same' if same else 'changed'}")
        return
    undo(server, graph)
    assert fingerprint(server, outside=SCRATCH) == baseline["outside"], (
        "an accepted write changed the store outside its scratch graph")
    baseline["tag"] = store_tag(server)


#: Bounded: 150 examples, no deadline per example (a write waits for the gate), no shrinking (a
#: failing example is printed with its reproduction blob; shrinking against a live server can
#: take many minutes).
SETTINGS = settings(max_examples=150, deadline=None, database=None, print_blob=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(data=st.data())
def test_mutated_graph_store_writes_never_fail_the_server(
        server: Server, canary: Canary, baseline: dict[str, str], data: st.DataObject) -> None:
    body = data.draw(bodies(canary.url), label="body")
    media = body.media
    if data.draw(st.sampled_from((False, False, False, False, True)), label="other type?"):
        media = data.draw(st.sampled_from(OTHER_TYPES), label="media type")
    method = data.draw(st.sampled_from(("PUT", "POST")), label="method")
    STATS[f"body: {body.kind}"] += 1
    graph = scratch_graph()
    hits = len(canary.hits)
    with server.client(timeout=130) as c:
        response = c.request(method, "/graphs", params={"graph": graph}, content=body.data,
                             headers={**server.auth(), "Content-Type": media})
    settle(server, canary, baseline, hits, response, graph, "graphs")


@SETTINGS
@given(data=st.data())
def test_mutated_updates_never_fail_the_server(
        server: Server, canary: Canary, baseline: dict[str, str], data: st.DataObject) -> None:
    graph = scratch_graph()
    text = data.draw(updates(graph, canary.url), label="update")
    text = data.draw(spell(text), label="spelled")
    if data.draw(st.booleans(), label="mutate?"):
        text = data.draw(junk(text), label="mutated")
        STATS["update: mutated"] += 1
    STATS["update"] += 1
    form = data.draw(st.booleans(), label="as form?")
    hits = len(canary.hits)
    with server.client(timeout=130) as c:
        if form:
            response = c.post("/sparql/update", data={"update": text}, headers=server.auth())
        else:
            response = c.post("/sparql/update", content=text.encode("utf-8"),
                              headers={**server.auth(),
                                       "Content-Type": "application/sparql-update"})
    settle(server, canary, baseline, hits, response, graph, "update")
