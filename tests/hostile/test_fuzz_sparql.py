"""Grammar-based fuzzing of the SPARQL endpoint of a real server process.

Hypothesis writes SPARQL queries from a grammar (``grammar.queries``): a prologue, the four
query forms, nested groups with OPTIONAL/UNION/MINUS/FILTER/BIND/VALUES/GRAPH, property paths,
subqueries and aggregates, and ``SERVICE`` calls to the canary endpoint at every place a group
may stand, its IRI written absolute, as a prefixed name, relative to ``BASE`` or as a variable.
Each query is then respelled (CR, LF, CR LF and comments as separators, ``\\u`` escapes) and
some are mutated at random (Hypothesis draws "mutate" for about one in eight). It is sent by GET,
form POST or direct POST with a random ``Accept``.

What must hold for every one: no 5xx answer except 503 (a query past its deadline), the
server process stays up and answers ``/healthz``, nothing reaches the canary and no answer
carries what the canary serves, and every 200 answer parses in its content type.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Iterator
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest
from grammar import junk, queries, spell  # type: ignore[import-not-found]
from hostile_support import (
    Canary,
    Server,
    assert_up,
    fingerprint,
    report_line,
    worker_deaths,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Generating overly large repr")]

ACCEPTS = (
    None, None, "*/*", "application/sparql-results+json", "application/sparql-results+xml",
    "text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
    "application/ld+json", "application/rdf+xml", "application/json", "text/html",
    "text/csv;q=0.5, application/sparql-results+json", "image/png",
)
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: The figures of the run, printed at the end of the module (docs/security.md quotes them).
STATS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report(server: Server, canary: Canary, request: pytest.FixtureRequest) -> Iterator[None]:
    """The store is the same after the module as before it; the figures are printed."""
    before = fingerprint(server)
    started = time.monotonic()
    deaths = worker_deaths(server)
    yield
    STATS["seconds"] = round(time.monotonic() - started)
    STATS["sandbox workers ended on a job"] = worker_deaths(server) - deaths
    report_line(request.config, f"SPARQL query fuzzing: {dict(sorted(STATS.items()))}")
    assert fingerprint(server) == before


def check_answer(response: httpx.Response) -> None:
    """A 200 answer parses as what its ``Content-Type`` says."""
    media = response.headers.get("content-type", "").split(";")[0].strip()
    body = response.content
    if media in ("application/sparql-results+json", "application/json"):
        doc = json.loads(body)
        assert "head" in doc and ("results" in doc or "boolean" in doc), doc
    elif media == "application/sparql-results+xml":
        root = ElementTree.fromstring(body)
        assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql", root.tag
    elif media in ("text/csv", "text/tab-separated-values"):
        text = body.decode("utf-8")
        if text in ("true", "false"):  # an ASK answer: CSV and TSV define no form of their own
            return
        if media == "text/csv":
            rows = list(csv.reader(io.StringIO(text, newline="")))
        else:  # TSV escapes tabs and line ends inside values (SPARQL 1.1 TSV results)
            assert text.endswith("\n"), text[-200:]
            # A query without variables has an empty header line and empty solution lines.
            rows = [line.split("\t") if line else [] for line in text[:-1].split("\n")]
        assert rows, "no header row"
        # An empty line is a solution with no variables, or with its one variable unbound.
        width = len(rows[0])
        assert all(len(row) == width or (not row and width <= 1) for row in rows), rows[:5]
    elif media in RDF_TYPES:
        list(ox.parse(body, format=RDF_TYPES[media]))
    else:
        pytest.fail(f"a 200 answer in an unexpected content type {media!r}")


def send(server: Server, query: str, method: str, accept: str | None) -> httpx.Response:
    """One request to ``/sparql``."""
    headers = {"Accept": accept} if accept else {}
    with server.client(timeout=60) as c:
        if method == "GET":
            return c.get("/sparql", params={"query": query}, headers=headers)
        if method == "form":
            return c.post("/sparql", data={"query": query}, headers=headers)
        return c.post("/sparql", content=query.encode("utf-8"),
                      headers={**headers, "Content-Type": "application/sparql-query"})


#: Bounded: 150 queries, no deadline per example (a runaway query takes its 2 s), no shrinking
#: (a failing example is printed with its reproduction blob; shrinking against a live server can
#: take many minutes).
@settings(max_examples=150, deadline=None, database=None, print_blob=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_fuzzed_queries_are_answered_or_refused_cleanly(server: Server, canary: Canary,
                                                        data: st.DataObject) -> None:
    query = data.draw(queries(canary.url), label="grammar")
    query = data.draw(spell(query), label="spelled")
    if data.draw(st.sampled_from((False, False, True)), label="mutate?"):
        query = data.draw(junk(query), label="mutated")
        STATS["mutated"] += 1
    STATS["with SERVICE"] += "service" in query.lower()
    STATS["with \\u escapes"] += "\\u" in query.lower()
    method = data.draw(st.sampled_from(("GET", "form", "direct") if len(query) < 4000
                                       else ("form", "direct")), label="method")
    accept = data.draw(st.sampled_from(ACCEPTS), label="accept")
    hits = len(canary.hits)

    response = send(server, query, method, accept)

    STATS["queries"] += 1
    STATS[f"status {response.status_code}"] += 1
    assert response.status_code < 500 or response.status_code == 503, response.text[:2000]
    assert "INTERNAL-SECRET" not in response.text
    if response.status_code == 200:
        check_answer(response)
    assert_up(server, canary, hits)
