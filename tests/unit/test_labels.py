"""One label picker and one language normaliser: the rules, and the planning index, the REST
catalogue and the pages agreeing on the label of the same resource."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica import planning
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.labels import add_label, labels_of, local_name, pick_label
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import QD, RDF, SKOS
from qualifica.web.queries import Labeller

ID = "https://w3id.org/qualifica/id/"
G = NamedNode("https://w3id.org/qualifica/graph/labels")


def test_tags_are_case_insensitive_and_the_smallest_label_wins_in_any_order() -> None:
    entries = [("de", "Beta"), ("DE", "Alpha"), ("en-GB", "Role"), ("EN-gb", "Part")]
    for order in itertools.permutations(entries):
        labels: dict[str, str] = {}
        for tag, text in order:
            add_label(labels, tag, text)
        assert labels == {"de": "Alpha", "en-gb": "Part"}


def test_requested_language_then_fallback_order_then_untagged_then_smallest_tag() -> None:
    labels = {"de": "Rolle", "en": "Role", "fr": "Rôle", "": "rolle"}
    assert pick_label(labels, "en") == "Role"
    assert pick_label(labels, "EN") == "Role"
    assert pick_label(labels, "fr") == "Rôle"
    assert pick_label(labels, "it") == "Rolle"  # de before en
    assert pick_label({"en": "Role", "fr": "Rôle"}, "it") == "Role"
    assert pick_label({"fr": "Rôle", "": "rolle"}, "it") == "rolle"
    assert pick_label({"fr": "Rôle", "es": "Rol"}, "it") == "Rol"  # smallest tag: es < fr
    assert pick_label({}, "de", "fallback") == "fallback"


def test_regional_tags_match_their_language_both_ways() -> None:
    assert pick_label({"de-at": "Rolle (AT)", "en": "Role"}, "de") == "Rolle (AT)"
    assert pick_label({"de-ch": "CH", "de-at": "AT", "en": "Role"}, "de") == "AT"
    assert pick_label({"de": "Rolle", "de-ch": "CH"}, "de-AT") == "Rolle"  # truncation first
    assert pick_label({"de-ch": "CH", "en": "Role"}, "de-at") == "CH"
    # keys not filed in lower case are still compared case-insensitively
    assert pick_label({"DE-AT": "AT", "EN": "Role"}, "de") == "AT"


def test_literals_and_local_names() -> None:
    values = [Literal("b", language="de"), Literal("a", language="de"), NamedNode("urn:x"),
              Literal("plain")]
    assert labels_of(values) == {"de": "a", "": "plain"}
    assert local_name("https://w3id.org/qualifica/ontology#Role") == "Role"
    assert local_name("https://example.org/a/b/") == "b"
    assert local_name("urn:x") == "urn:x"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    c = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp_path))
    yield c
    c.close()


def test_planning_catalogue_and_pages_show_the_same_label(ctx: Context) -> None:
    role = NamedNode(ID + "role/zweifach")
    pref = NamedNode(SKOS + "prefLabel")
    ctx.store.add([
        Quad(role, NamedNode(RDF + "type"), NamedNode(QD + "Role"), G),
        # two German labels (a data error the shapes reject; the readers must still agree)
        Quad(role, pref, Literal("Zweite Rolle", language="de"), G),
        Quad(role, pref, Literal("Erste Rolle", language="de"), G),
        Quad(role, pref, Literal("Role", language="en-GB"), G),
    ])
    index = planning.get_index(ctx)
    cat = catalogue_for(ctx)
    for lang, expected in (("de", "Erste Rolle"), ("en", "Role"), ("fr", "Erste Rolle")):
        assert index.label(role.value, lang) == expected
        assert cat.label(role.value, lang) == expected
        assert Labeller(ctx, lang).label(role.value) == expected
