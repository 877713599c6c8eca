"""Provenance per statement on the resource pages (``/id/{kind}/{slug}``) and as JSON
(``/api/queries/statement-provenance``): each property row says whether a published source
states it ("belegt") or it is editorial ("redaktionell"), as docs/data.md defines it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from qualifica.context import Context
from qualifica.web.render import resource_page

ID = "https://w3id.org/qualifica/id/"
QD = "https://w3id.org/qualifica/ontology#"


class PropertyRows(HTMLParser):
    """The rows of the properties table (``table.props`` first on the page): property, value,
    provenance, as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._tables = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "props") in attrs:
            self._tables += 1
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._tables == 1 and not self._in_head:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._tables += 1 if self._tables == 1 else 0

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows_of(client: TestClient, url: str) -> dict[tuple[str, str], str]:
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    parser = PropertyRows()
    parser.feed(r.text)
    assert parser.rows
    assert all(len(row) == 3 for row in parser.rows), parser.rows
    return {(row[0], row[1]): row[2] for row in parser.rows}


@pytest.mark.parametrize(("url", "expected"), [
    # an offer: its provider is named by its source, its legal basis is editorial (graph
    # editorial-links), so are its outcomes (qd:editorial true)
    ("/id/training-format/digitaljourney", {
        ("Anbieter", "Digitalakademie Bund an der Bundesakademie für öffentliche Verwaltung"):
            "belegt",
        ("Bildungsart", "Fortbildung"): "belegt",
        ("Rechtsgrundlage", "§ 47 BLV – Dienstliche Qualifizierung"): "redaktionell",
        ("vermittelt", "#digitaljourney der Digitalakademie Bund – Managementtechniken "
                       "(bis Niveau 2)"): "redaktionell",
    }),
    # a task is an editorial description: every statement about it is editorial
    ("/id/task/e-akte-fuehren", {
        ("Rechtsgrundlage", "§ 6 EGovG – Elektronische Aktenführung"): "redaktionell",
        ("benötigt", "Elektronische Akten führen – 1.3 (Stufe 3)"): "redaktionell",
    }),
    # a requirement is an editorial assignment
    ("/id/requirement/anwender-digcomp-4-2", {("Niveau", "Selbstständig 3"): "redaktionell"}),
    # a DigComp level: rank and framework are the JRC's, the note on the German text is this
    # project's (graph digcomp-de)
    ("/id/level/digcomp-8", {
        ("Rang", "8"): "belegt",
        ("Niveaustufe von", "DigComp 2.2"): "belegt",
        ("Redaktionelle Anmerkung", "Deutsche Stufenbezeichnung nach dem Digitalen "
                                    "Kompetenzmodell für Österreich (DigComp 2.2 AT); die "
                                    "deutsche Beschreibung ist eine Übersetzung des "
                                    "Qualifica-Projekts."): "redaktionell",
    }),
    # a provision: stated by the act's text
    ("/id/legal-basis/bbig-1", {("Teil von", "Berufsbildungsgesetz (BBiG)"): "belegt"}),
])
def test_resource_pages_show_provenance_per_statement(client: TestClient, url: str,
                                                      expected: dict[tuple[str, str], str]
                                                      ) -> None:
    rows = rows_of(client, url)
    for key, provenance in expected.items():
        assert rows.get(key) == provenance, (key, sorted(rows))
    assert set(rows.values()) <= {"belegt", "redaktionell"}


def test_provenance_in_english(client: TestClient) -> None:
    rows = rows_of(client, "/id/training-format/digitaljourney?lang=en")
    assert set(rows.values()) == {"sourced", "editorial"}
    assert rows[("legal basis", "Section 47 BLV – In-service qualification")] == "editorial"


def test_provider_iris_dereference(client: TestClient) -> None:
    """A provider is a kind of its own (``/id/provider/{slug}``): its page names the offers."""
    r = client.get("/id/provider/egov-campus")
    assert r.status_code == 200
    assert "eGov-Campus: Prozessmanagement im öffentlichen Sektor" in r.text


def test_statement_provenance_as_json(client: TestClient) -> None:
    r = client.get("/api/queries/statement-provenance",
                   params={"subject": ID + "role/anwender"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text[:300]
    bindings = r.json()["results"]["bindings"]
    kinds = {(b["predicate"]["value"], b["object"]["value"]): b["kind"]["value"]
             for b in bindings}
    qd = "https://w3id.org/qualifica/ontology#"
    assert kinds[(qd + "roleGroup", ID + "role-group/nutzer")] == "source"
    assert kinds[(qd + "performsTask", ID + "task/verwaltungsleistungen-online-nutzen")] == \
        "editorial"
    sources = {b["source"]["value"] for b in bindings
               if b["predicate"]["value"] == qd + "roleGroup"}
    assert "urn:isbn:978-3-946209-03-4" in sources


_LINKS = """
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/qualifica/id/task/pruefen> a qd:Task ;
    skos:prefLabel "Prüfen"@de, "Checking"@en ;
    dcterms:source <https://example.org/quelle> ;
    qd:requires <https://w3id.org/qualifica/id/requirement/pruefen-a>,
                <https://w3id.org/qualifica/id/requirement/pruefen-b> .
<https://w3id.org/qualifica/id/requirement/pruefen-a> a qd:CompetencyRequirement ;
    skos:prefLabel "Anforderung A"@de, "Requirement A"@en ;
    qd:editorial "1"^^xsd:boolean .
<https://w3id.org/qualifica/id/requirement/pruefen-b> a qd:CompetencyRequirement ;
    skos:prefLabel "Anforderung B"@de, "Requirement B"@en .
"""


def test_generic_page_marks_editorial_links_of_the_current_generation(empty_ctx: Context
                                                                      ) -> None:
    """A ``qd:requires`` of a qualified link marked ``qd:editorial true`` (any lexical form of
    true) is editorial on the generic page, the other is stated by the subject's source; a
    write that marks the other shows in the next page (the marks are read per generation)."""
    graph = "https://w3id.org/qualifica/graph/links"
    empty_ctx.store.add(Quad(q.subject, q.predicate, q.object, NamedNode(graph))
                  for q in parse(_LINKS.encode(), format=RdfFormat.TURTLE))

    def marks() -> dict[str, str]:
        parser = PropertyRows()
        parser.feed(resource_page(empty_ctx, ID + "task/pruefen", "de").decode())
        return {value: mark for _, value, mark in parser.rows if value.startswith("Anforderung")}

    assert marks() == {"Anforderung A": "redaktionell", "Anforderung B": "belegt"}
    empty_ctx.store.add([Quad(NamedNode(ID + "requirement/pruefen-b"), NamedNode(QD + "editorial"),
                        Literal(True), NamedNode(graph))])
    assert marks() == {"Anforderung A": "redaktionell", "Anforderung B": "redaktionell"}
