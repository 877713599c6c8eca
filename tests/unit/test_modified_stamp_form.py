"""The lexical form of the ``dcterms:modified`` stamps: one every store gives back as written
(three digits of fraction, the last never 0: Oxigraph drops trailing zeros, Virtuoso writes
three digits; ``tests/remote/test_parity.py`` compares the stamps Virtuoso gives back)."""

from __future__ import annotations

import datetime as dt

from pyoxigraph import Literal, NamedNode, Quad, Store

from qualifica.store.stamps import canonical_time

XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")


def test_three_digits_of_fraction_the_last_never_zero() -> None:
    base = dt.datetime(2026, 12, 2, 1, 4, 5, tzinfo=dt.UTC)
    assert canonical_time(base.replace(microsecond=861_999)) == "2026-12-02T01:04:05.861Z"
    assert canonical_time(base.replace(microsecond=860_000)) == "2026-12-02T01:04:05.861Z"
    assert canonical_time(base.replace(microsecond=100_000)) == "2026-12-02T01:04:05.101Z"
    assert canonical_time(base.replace(microsecond=999)) == "2026-12-02T01:04:05.001Z"
    assert canonical_time(base.replace(microsecond=999_999)) == "2026-12-02T01:04:05.999Z"
    for ms in range(1000):  # within a millisecond of the moment, never before it
        text = canonical_time(base.replace(microsecond=ms * 1000))
        fraction = text[-4:-1]
        assert len(fraction) == 3 and fraction[-1] != "0"
        assert 0 <= int(fraction) - ms <= 1


def test_oxigraph_gives_the_stamp_back_as_written() -> None:
    base = dt.datetime(2026, 12, 2, 1, 4, 5, tzinfo=dt.UTC)
    store = Store()
    s, p = NamedNode("https://example.org/s"), NamedNode("http://purl.org/dc/terms/modified")
    for ms in range(0, 1000, 7):
        text = canonical_time(base.replace(microsecond=ms * 1000))
        store.add(Quad(s, p, Literal(text, datatype=XSD_DATETIME)))
        [row] = store.query(f"SELECT (STR(?m) AS ?t) WHERE {{ <{s.value}> <{p.value}> ?m }}")
        assert row["t"].value == text
        store.remove(Quad(s, p, Literal(text, datatype=XSD_DATETIME)))
