"""The query editor's model (``web.editor``): parameter fields by type, example text bound by
``sparql.binding`` only, and the map of public IRIs to local pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualifica.errors import BadParameter
from qualifica.namespaces import ID, ONTOLOGY_IRI, QD
from qualifica.sparql.registry import NamedQuery, Param
from qualifica.web import editor

TEXT = "#+ summary: s\n#+ params: []\nSELECT ?x WHERE { ?x ?p ?o }\n"

QUERY = NamedQuery(
    name="probe", path=Path("probe.rq"), text=TEXT, summary="s",
    params=(
        Param("roles", type="iris", kind="role"),
        Param("limit", type="integer", minimum=1, maximum=50, default=10),
        Param("deep", type="boolean"),
        Param("lang", type="language", default="de"),
        Param("kind", type="string", enum=("Ausbildung", "Fortbildung")),
    ),
    example={"roles": ["cio", "anwender"], "kind": "Fortbildung"},
    projection=("x",),
)


def test_each_parameter_type_has_its_field() -> None:
    fields = {f.name: f for f in (editor.param_field(QUERY, p) for p in QUERY.params)}
    assert (fields["roles"].input, fields["roles"].value) == ("text", "cio anwender")
    assert (fields["limit"].input, fields["limit"].value) == ("number", "10")
    assert (fields["limit"].minimum, fields["limit"].maximum) == (1, 50)
    assert (fields["deep"].input, fields["deep"].choices) == ("select", ("true", "false"))
    assert (fields["lang"].input, fields["lang"].choices) == ("select", ("de", "en"))
    assert fields["kind"].choices == ("Ausbildung", "Fortbildung")
    assert fields["kind"].value == "Fortbildung"
    assert fields["roles"].id == "p-probe-roles"


def test_example_text_binds_through_sparql_binding_without_the_header() -> None:
    text = editor.example_text(QUERY, {"roles": "cio, anwender", "limit": "5", "deep": "true",
                                       "kind": "Ausbildung"})
    assert not text.startswith("#+")
    assert f"<{ID}role/cio> <{ID}role/anwender>" in text
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert f'VALUES ?limit {{ "5"^^<{xsd}integer> }}' in text
    assert f'VALUES ?deep {{ "true"^^<{xsd}boolean> }}' in text
    assert 'VALUES ?lang { "de" }' in text  # the default
    assert 'VALUES ?kind { "Ausbildung" }' in text


@pytest.mark.parametrize(("values", "param"), [
    ({"limit": "500"}, "limit"),
    ({"kind": "Studium"}, "kind"),
    ({"roles": "javascript :x"}, "roles"),
    ({"other": "1"}, "other"),
])
def test_values_that_do_not_fit_are_refused(values: dict[str, str], param: str) -> None:
    with pytest.raises(BadParameter) as caught:
        editor.example_text(QUERY, values)
    assert caught.value.param == param


def test_links_map_each_served_kind_and_the_ontology() -> None:
    links = editor.links()
    assert [ID + "role/", "/id/role/"] in links
    assert [ID + "training-format/", "/id/training-format/"] in links
    assert links[-2:] == [[QD, "/ontology#"], [ONTOLOGY_IRI, "/ontology"]]


def test_words_exist_in_both_languages() -> None:
    de, en = editor.editor_words("de"), editor.editor_words("en")
    assert de.keys() == en.keys()
    assert de["title"] == "SPARQL-Abfrage" and en["title"] == "SPARQL query"
    assert editor.editor_words("fr") == de
