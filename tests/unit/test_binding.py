"""User values become terms only through sparql/binding.py: types checked, nothing spliced."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store, Variable

from qualifica.errors import BadParameter
from qualifica.sparql import binding
from qualifica.sparql.registry import load_query

ID = "https://w3id.org/qualifica/id/"


def test_slug_within_kind_and_full_iri() -> None:
    assert binding.iri("prozessmanager", kind="role") == NamedNode(ID + "role/prozessmanager")
    assert binding.iri(ID + "role/cio", kind="role") == NamedNode(ID + "role/cio")


@pytest.mark.parametrize(
    "value",
    ["http://a> } ; DROP ALL #", "not an iri", "http://a b", "<http://a>", "http://a\n",
     'http://a"', "Prozessmanager"],
)
def test_bad_iris_are_refused_with_the_param_named(value: str) -> None:
    with pytest.raises(BadParameter) as info:
        binding.iri(value, param="role", kind="role")
    assert info.value.status == 422
    assert info.value.param == "role"


def test_strings_are_data_not_syntax() -> None:
    store = Store()
    store.add(Quad(NamedNode("http://s"), NamedNode("http://p"), Literal('x" } #\n>')))
    value = binding.string('x" } #\n>', param="q")
    rows = list(store.query("SELECT ?s ?q WHERE { ?s ?p ?q }", substitutions={
        Variable("q"): value}))
    assert [r["s"] for r in rows] == [NamedNode("http://s")]


@pytest.mark.parametrize("value,ok", [("7", True), ("-3", True), ("1e3", False), ("7; DROP", False),
                                      ("99999999999999", False)])
def test_integers_are_bounded(value: str, ok: bool) -> None:
    if ok:
        assert binding.integer(value, param="n").value == str(int(value))
    else:
        with pytest.raises(BadParameter):
            binding.integer(value, param="n")


def test_integer_range_from_declaration() -> None:
    with pytest.raises(BadParameter, match="between 1 and 8"):
        binding.integer(9, param="level", minimum=1, maximum=8)


@pytest.mark.parametrize("value", ["de", "en", "de-DE"])
def test_languages(value: str) -> None:
    assert binding.language(value).value == value.lower()


@pytest.mark.parametrize("value", ["d", "de}", "de en", '"de"'])
def test_bad_languages(value: str) -> None:
    with pytest.raises(BadParameter):
        binding.language(value, param="lang")


def test_values_block_goes_into_the_top_level_where_group() -> None:
    text = 'PREFIX a: <http://x#> CONSTRUCT { ?s ?p "}" } WHERE { ?s ?p ?o # }\n }'
    out = binding.with_values(text, {"s": [NamedNode("http://a")],
                                     "o": [Literal('a"}#\n')]})
    store = Store()
    store.add(Quad(NamedNode("http://a"), NamedNode("http://p"), Literal('a"}#\n')))
    store.add(Quad(NamedNode("http://b"), NamedNode("http://p"), Literal("other")))
    triples = list(store.query(out))
    assert len(triples) == 1
    assert triples[0].subject == NamedNode("http://a")


@pytest.mark.parametrize(
    "text",
    ["SELECT * { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p ?o { SELECT ?x {} } }",
     "ASK { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }",
     "DESCRIBE ?s WHERE { ?s ?p ?o }"],
)
def test_values_block_parses_in_every_query_form(text: str) -> None:
    out = binding.with_values(text, {"s": [NamedNode("http://a")]})
    Store().query(out)  # raises SyntaxError when misplaced


def test_short_construct_form_cannot_take_values() -> None:
    with pytest.raises(BadParameter, match="short form"):
        binding.with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": [NamedNode("http://a")]})


def test_unprojected_values_go_into_values_block(tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("#+ summary: count\n#+ params:\n#+   - name: s\n#+     type: iri\n"
                    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    bound = binding.bind(load_query(path), {"s": "http://a"})
    text, subs = bound.for_substitution()
    assert subs == {} and "VALUES ?s" in text
    store = Store()
    store.add(Quad(NamedNode("http://a"), NamedNode("http://p"), Literal("1")))
    store.add(Quad(NamedNode("http://b"), NamedNode("http://p"), Literal("1")))
    assert next(iter(store.query(text)))["n"].value == "1"


def test_bind_applies_defaults_and_refuses_unknown(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: test\n#+ params:\n#+   - name: role\n#+     type: iri\n#+     kind: role\n"
        "#+     required: true\n#+   - name: lang\n#+     type: language\n#+     default: de\n"
        "#+   - name: roles\n#+     type: iris\n#+     kind: role\n"
        "SELECT ?role ?x WHERE { ?role ?p ?x FILTER(lang(?x) = ?lang) }\n"
    )
    query = load_query(path)
    bound = binding.bind(query, {"role": "cio", "roles": "cio,anwender"})
    assert bound.values["lang"] == Literal("de")
    assert bound.values["role"] == NamedNode(ID + "role/cio")
    assert len(bound.lists["roles"]) == 2
    text, subs = bound.for_substitution()
    assert "VALUES ?roles" in text and "VALUES ?lang" in text and "role" in subs
    assert "VALUES ?role {" in bound.as_values()
    with pytest.raises(BadParameter) as info:
        binding.bind(query, {"role": "cio", "evil": "x"})
    assert info.value.param == "evil"
    with pytest.raises(BadParameter) as info:
        binding.bind(query, {})
    assert info.value.param == "role"


def test_an_iri_with_a_code_point_iris_exclude_is_a_bad_parameter() -> None:
    """U+0096 (a C1 control) passes the IRIREF character class but no IRI may hold it; found
    by schemathesis on ``GET /gap?held=…`` (it answered 500)."""
    with pytest.raises(BadParameter) as caught:
        binding.iri("Y:CM)\u0096\u008f=E?", param="held", kind="competency")
    assert caught.value.status == 422
    assert caught.value.param == "held"
