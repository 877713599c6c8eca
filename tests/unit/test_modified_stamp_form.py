"""The lexical form of the ``dcterms:modified`` stamps: canonical, so that every store gives
back the form it was written in."""

from __future__ import annotations

import datetime as dt

from pyoxigraph import Literal, NamedNode, Quad, Store

from qualifica.store.stamps import canonical_time

XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def test_fraction_without_trailing_zeros() -> None:
    base = dt.datetime(2026, 12, 2, 1, 4, 5, tzinfo=dt.UTC)
    assert canonical_time(base.replace(microsecond=860_000)) == "2026-12-02T01:04:05.86Z"
    assert canonical_time(base.replace(microsecond=861_999)) == "2026-12-02T01:04:05.861Z"
    assert canonical_time(base.replace(microsecond=100_000)) == "2026-12-02T01:04:05.1Z"
    assert canonical_time(base.replace(microsecond=999)) == "2026-12-02T01:04:05Z"


def test_oxigraph_gives_the_stamp_back_as_written() -> None:
    base = dt.datetime(2026, 12, 2, 1, 4, 5, tzinfo=dt.UTC)
    store = Store()
    s, p = NamedNode("https://example.org/s"), NamedNode("http://purl.org/dc/terms/modified")
    for ms in (0, 10, 100, 860, 861):
        text = canonical_time(base.replace(microsecond=ms * 1000))
        store.add(Quad(s, p, Literal(text, datatype=XSD_DATETIME)))
        [row] = store.query(f"SELECT (STR(?m) AS ?t) WHERE {{ <{s.value}> <{p.value}> ?m }}")
        assert row["t"].value == text
        store.remove(Quad(s, p, Literal(text, datatype=XSD_DATETIME)))
