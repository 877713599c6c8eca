"""The rdflib SPARQL algebra cache is an explicit opt-in: off until enabled, the same answers
when on, each text parsed once, and rdflib restored by ``disable``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from rdflib.plugins.sparql import processor

from qualifica.validation import rdflib_cache

QUERY = "SELECT ?o WHERE { ?s <urn:p> ?o } ORDER BY ?o"


@pytest.fixture
def graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for i in range(3):
        g.add((rdflib.URIRef(f"urn:s{i}"), rdflib.URIRef("urn:p"), rdflib.Literal(i)))
    return g


@pytest.fixture
def restore() -> Iterator[None]:
    """Leave the process as it was (another test module may have enabled the cache)."""
    was_on = rdflib_cache.enabled()
    yield
    if was_on:
        rdflib_cache.enable()
    else:
        rdflib_cache.disable()


def test_enable_parses_each_text_once_and_answers_the_same(
        graph: rdflib.Graph, restore: None, monkeypatch: pytest.MonkeyPatch) -> None:
    rdflib_cache.disable()
    original = processor.SPARQLProcessor.query
    plain = [row.o.toPython() for row in graph.query(QUERY)]  # type: ignore[union-attr]
    parsed: list[str] = []
    real_parse = rdflib_cache.parseQuery

    def counting(text: str) -> Any:
        parsed.append(text)
        return real_parse(text)

    monkeypatch.setattr(rdflib_cache, "parseQuery", counting)
    rdflib_cache.enable()
    rdflib_cache.enable()  # idempotent: one wrapper, not two
    assert rdflib_cache.enabled() and processor.SPARQLProcessor.query is not original
    answers = [[row.o.toPython() for row in graph.query(QUERY)]  # type: ignore[union-attr]
               for _ in range(3)]
    assert answers == [plain, plain, plain] == [[0, 1, 2]] * 3
    assert parsed == [QUERY]
    # initBindings still apply to a cached algebra
    bound = graph.query(QUERY, initBindings={"s": rdflib.URIRef("urn:s1")})
    assert [row.o.toPython() for row in bound] == [1]  # type: ignore[union-attr]
    rdflib_cache.disable()
    assert not rdflib_cache.enabled() and processor.SPARQLProcessor.query is original
