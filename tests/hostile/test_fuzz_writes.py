"""Mutation fuzzing of the write endpoints of a real server process.

Graph Store Protocol: a valid document (``tests/data/valid/complete-role.ttl``, written as
Turtle, N-Triples, JSON-LD and RDF/XML) is mutated by Hypothesis, byte by byte (flips, inserted
brackets, quotes and escapes, truncation, duplicated slices) or as a whole (a huge literal, deep
nesting, DTD entities and external DTDs, remote JSON-LD contexts pointing at the canary), and
sent with the write token by PUT or POST to one scratch graph, sometimes under another media
type than its own.

SPARQL Update: INSERT DATA, DELETE DATA, DELETE WHERE and DELETE/INSERT WHERE requests on the
same scratch graph (some reading through SERVICE or LOAD from the canary), respelled with other
separators and escapes, and one time in two mutated at random.

What must hold for every request: the answer is 2xx or 4xx, never 5xx; after a 4xx the store is
unchanged (its generation and quad count, through the ``ETag`` of ``/healthz``); after a 2xx
the scratch graph is deleted and the store is again exactly as before (every quad compared);
the server process stays up and nothing reaches the canary.
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (  # type: ignore[import-not-found]
    Canary,
    Server,
    assert_up,
    fingerprint,
    store_tag,
)

pytestmark = pytest.mark.slow

GRAPH = "https://e.org/g/fuzz"
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
                                 "dtd", "remote context", "valid")))
    if kind == "bytes":
        body = draw(mutated_bytes(DOCUMENTS[media]))
    elif kind == "huge literal":
        body = _huge_literal(media)
    elif kind == "deep":
        body = _deep(media, draw(st.sampled_from((60, 65, 200, 5_000, 100_000))))
    elif kind == "dtd":
        media = "application/rdf+xml"
        body = _dtd(canary, draw(st.integers(0, 5)))
    elif kind == "remote context":
        media = "application/ld+json"
        body = _remote_context(canary, draw(st.integers(0, 3)))
    else:
        body = DOCUMENTS[media]
    return Body(kind, body, media)


@pytest.fixture(scope="module")
def baseline(server: Server, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The store's fingerprint and tag before the module; after it, the store is the same and
    the figures are printed."""
    state = {"fingerprint": fingerprint(server), "tag": store_tag(server)}
    started = time.monotonic()
    yield state
    STATS["seconds"] = round(time.monotonic() - started)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"write fuzzing: {dict(sorted(STATS.items()))}")
    assert fingerprint(server) == state["fingerprint"]


def settle(server: Server, canary: Canary, baseline: dict[str, str], hits: int,
           response: httpx.Response, what: str) -> None:
    """The checks after one write: never 5xx; a refused write changed nothing; an accepted one
    is undone and leaves the store exactly as before; the server is up, the canary silent."""
    STATS[f"{what} status {response.status_code}"] += 1
    assert response.status_code < 500, response.text[:2000]
    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500
    assert_up(server, canary, hits)
    if response.status_code >= 400:
        if store_tag(server) != baseline["tag"]:
            same = fingerprint(server) == baseline["fingerprint"]
            pytest.fail(f"a refused write ({response.status_code}: {response.text[:300]}) "
                        f"committed; the quads are {'the same' if same else 'changed'}")
        return
    with server.client() as c:
        undo = c.delete("/graphs", params={"graph": GRAPH}, headers=server.auth())
    assert undo.status_code in (204, 404), undo.text
    assert fingerprint(server) == baseline["fingerprint"], "an accepted write changed more than " \
        "the scratch graph"
    baseline["tag"] = store_tag(server)


SETTINGS = settings(max_examples=150, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(data=st.data())
def test_mutated_graph_store_writes_never_fail_the_server(
        server: Server, canary: Canary, baseline: dict[str, str], data: st.DataObject) -> None:
    body = data.draw(bodies(canary.url), label="body")
    media = body.media
    if data.draw(st.integers(0, 4), label="other type?") == 0:
        media = data.draw(st.sampled_from(OTHER_TYPES), label="media type")
    method = data.draw(st.sampled_from(("PUT", "POST")), label="method")
    STATS[f"body: {body.kind}"] += 1
    hits = len(canary.hits)
    with server.client(timeout=130) as c:
        response = c.request(method, "/graphs", params={"graph": GRAPH}, content=body.data,
                             headers={**server.auth(), "Content-Type": media})
    settle(server, canary, baseline, hits, response, "graphs")


@SETTINGS
@given(data=st.data())
def test_mutated_updates_never_fail_the_server(
        server: Server, canary: Canary, baseline: dict[str, str], data: st.DataObject) -> None:
    text = data.draw(updates(GRAPH, canary.url), label="update")
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
    settle(server, canary, baseline, hits, response, "update")
