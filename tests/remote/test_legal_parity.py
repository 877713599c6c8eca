"""The legal changes of a hand-made act (``tests/data/legal/changes.ttl``: added, amended,
renumbered and repealed provisions) are the same over the embedded store and over a real SPARQL
server, by act, by amending act, by date range and in both languages.

The bundled graph answers ``legal-changes`` in the other parity tests; it has no repealed
provision, so this fixture covers the query's second branch on every server too."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from qualifica.context import Context
from qualifica.linkeddata import legal
from qualifica.namespaces import GRAPH
from qualifica_testing import ROOT, load_graph, memory_context

pytestmark = pytest.mark.remote

FIXTURE = ROOT / "tests" / "data" / "legal" / "changes.ttl"
FIXTURE_GRAPH = GRAPH + "legal-test"


@pytest.fixture(scope="module")
def local_legal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    ctx = memory_context(tmp_path_factory.mktemp("legal-local"))
    load_graph(ctx.store, FIXTURE, FIXTURE_GRAPH)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def remote_legal(remote_bundled_ctx: Context) -> Iterator[Context]:
    """The remote store holding the bundled graph and the hand-made act (removed afterwards)."""
    g = ox.NamedNode(FIXTURE_GRAPH)
    quads = [ox.Quad(t.subject, t.predicate, t.object, g)
             for t in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)]
    count = remote_bundled_ctx.store.count()
    remote_bundled_ctx.store.add(quads)
    try:
        yield remote_bundled_ctx
    finally:
        remote_bundled_ctx.store.remove(quads)
        assert remote_bundled_ctx.store.count() == count


def _table(ctx: Context, start: str, end: str, lang: str,
           act: str) -> list[tuple[str | None, ...]]:
    changes = legal.legal_changes(ctx, datetime.date.fromisoformat(start),
                                  datetime.date.fromisoformat(end), lang, act)
    return [(c.date.isoformat(), c.kind, c.provision["id"], c.provision.get("label"),
             c.old_version["id"] if c.old_version else None,
             c.new_version["id"] if c.new_version else None,
             c.changed_by["id"] if c.changed_by else None,
             c.changed_by.get("label") if c.changed_by else None) for c in changes]


@pytest.mark.parametrize(("start", "end", "lang", "act", "count"), [
    ("1900-01-01", "2100-12-31", "de", "testgesetz", 9),
    ("1900-01-01", "2100-12-31", "en", "testgesetz", 9),
    ("2015-01-01", "2030-12-31", "de", "testgesetz-aenderung", 4),
    ("2021-07-01", "2021-07-01", "en", "testgesetz", 1),  # the repeal, the day after
    ("2020-01-02", "2021-06-30", "de", "testgesetz", 0),
    ("1900-01-01", "2100-12-31", "de", "bbig", None),  # the bundled act beside it
])
def test_legal_changes_answer_the_same(local_legal: Context, remote_legal: Context,
                                       bundled_ctx: Context, start: str, end: str, lang: str,
                                       act: str, count: int | None) -> None:
    local = local_legal if count is not None else bundled_ctx
    expected = _table(local, start, end, lang, act)
    if count is not None:
        assert len(expected) == count
    else:
        assert expected
    assert _table(remote_legal, start, end, lang, act) == expected
