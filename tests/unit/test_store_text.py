"""The stores' SPARQL text writers: data blocks, VALUES blocks, query form and FROM detection."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store

from qualifica.errors import BadParameter
from qualifica.store import text

P = NamedNode("http://example.org/p")
G = NamedNode("http://example.org/g")


def test_form_and_dataset_ignore_keywords_in_names_strings_and_comments() -> None:
    q = ('PREFIX from: <http://example.org/from#>\n# CONSTRUCT FROM\n'
         'SELECT ?from ?where WHERE { ?s from:FROM "FROM { CONSTRUCT" }')
    assert text.form_of(q) == "SELECT"
    assert not text.names_dataset(q)
    assert text.names_dataset("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    assert text.form_of("PREFIX : <http://x/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") \
        == "CONSTRUCT"
    assert text.form_of("INSERT DATA { <http://a> <http://b> <http://c> }") is None


def test_values_open_the_where_group_of_the_query() -> None:
    store = Store()
    store.extend([Quad(NamedNode(f"http://s{i}"), P, Literal(str(i)), G) for i in range(3)])
    q = "SELECT ?where ?o WHERE { GRAPH ?g { ?where ?p ?o } }"
    bound = text.with_values(q, {"where": [NamedNode("http://s1")]})
    rows = store.query(bound)
    assert isinstance(rows, QuerySolutions)
    assert [r["o"].value for r in rows] == ["1"]
    bound = text.with_rows(q, ["where", "o"], [(NamedNode("http://s2"), Literal("2")),
                                              (NamedNode("http://s0"), None)])
    rows = store.query(bound)
    assert isinstance(rows, QuerySolutions)
    assert sorted(r["o"].value for r in rows) == ["0", "2"]
    with pytest.raises(BadParameter, match="short form"):
        text.with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": [P]})
    with pytest.raises(BadParameter, match="variable"):
        text.with_values(q, {"bad name": [P]})


def test_data_blocks_round_trip_awkward_literals() -> None:
    odd = Literal('a "quoted" } # { >\nline', language="de")
    quads = [Quad(NamedNode("http://s"), P, odd, G), Quad(NamedNode("http://s"), P, odd)]
    store = Store()
    store.update(text.data_block([], quads))
    assert set(store) == set(quads)
    store.update(text.data_block(quads[:1], []))
    assert set(store) == set(quads[1:])
    assert text.graphs_of(quads) == {G.value, ""}
    with pytest.raises(ValueError, match="blank node"):
        text.delete_data([Quad(BlankNode(), P, odd, G)])
