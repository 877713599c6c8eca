"""Provenance per link on the planner pages and in the REST details (docs/data.md,
"Provenance of every statement"): every link of a detail answer says whether it is editorial
and names the sources that state it (``editorial``, ``sources`` with IRI and title); the role
and competency pages say it per row in a column "Quelle"/"Source". Both follow the stored query
``statement-provenance``, which the last tests hold them to."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qualifica.api import create_app
from qualifica_testing import LOCAL, rest_graph_context

ID = "https://w3id.org/qualifica/id/"
QD = "https://w3id.org/qualifica/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
STUDY = "urn:isbn:978-3-946209-03-4"
FIGURE = ("https://vdocuments.mx/rollen-und-kompetenzen-foer-eine-erfolgreiche-aus-und-"
          "fortbildungsplanung-ist-er.html")
VWFANG_2 = "https://www.gesetze-im-internet.de/vwfangausbv_1999/__2.html"


def links(body: dict[str, Any], field: str) -> dict[str, dict[str, Any]]:
    value = body[field]
    items = value if isinstance(value, list) else [value]
    return {n["id"]: n for n in items if n}


def source_iris(node: dict[str, Any]) -> set[str | None]:
    return {s["iri"] for s in node["sources"]}


# --- REST details ---------------------------------------------------------------------------

def test_role_links_say_editorial_or_name_their_sources(client: TestClient) -> None:
    body = client.get("/api/roles/verwaltungsfachangestellte").json()
    legal = links(body, "legal_bases")
    assert set(legal) == {"vwfangausbv-2", "vwfangausbv-3", "vwfangausbv-4"}
    for node in legal.values():
        # stated by the ordinance's sections the role cites, each with its title
        assert node["editorial"] is False
        assert {"iri": VWFANG_2, "title": "§ 2 VwFAngAusbV – Ausbildungsdauer"} in \
            node["sources"]
    tasks = links(body, "tasks")
    assert tasks and all(t["editorial"] is True for t in tasks.values())
    for req in body["requirements"]:
        assert req["editorial"] is True
        # the existing fields stay as they were; the titles come beside them
        assert {s["iri"] for s in req["sources"]} == \
            {s for s in req["source"] if not s.endswith("/id/source/editorial")}


def test_role_group_and_legal_basis_in_english(client: TestClient) -> None:
    body = client.get("/api/roles/verwaltungsfachangestellte", params={"lang": "en"}).json()
    titles = {s["title"] for n in body["legal_bases"] for s in n["sources"]}
    assert "Section 2 VwFAngAusbV – Duration of training" in titles


def test_task_roles_are_editorial(client: TestClient) -> None:
    body = client.get("/api/tasks/verwaltungsleistungen-online-nutzen").json()
    roles = links(body, "roles")
    assert roles["anwender"]["editorial"] is True  # qd:performsTask: graph editorial-links
    assert source_iris(roles["anwender"]) == {STUDY, FIGURE}  # what it is based on


def test_competency_hierarchy_is_sourced_and_formats_editorial(client: TestClient) -> None:
    body = client.get("/api/competencies/digcomp-4-2").json()
    broader = links(body, "broader")["digcomp-4"]
    assert broader["editorial"] is False
    assert source_iris(broader) == {"https://doi.org/10.2760/115376",
                                    "https://github.com/dini-ag-kim/digComp"}
    assert body["framework"]["editorial"] is False and body["framework"]["sources"]
    formats = links(body, "formats")
    assert formats and all(f["editorial"] is True for f in formats.values())
    area = client.get("/api/competencies/digcomp-4").json()
    assert {n["id"] for n in area["narrower"]} >= {"digcomp-4-1", "digcomp-4-2"}
    assert all(n["editorial"] is False and n["sources"] for n in area["narrower"])


def test_training_format_kind_and_legal_basis(client: TestClient) -> None:
    body = client.get("/api/training-formats/digitaljourney").json()
    assert body["kind"]["type"] == "training-kind"
    assert body["kind"]["editorial"] is False
    assert [s["title"] for s in body["kind"]["sources"]] == [
        "Digitalakademie Bund: Die ressortübergreifende #digitaljourney für oberste "
        "Führungskräfte ist gestartet"]
    assert links(body, "legal_bases")["blv-47"]["editorial"] is True
    assert all(o["editorial"] is True and o["sources"] for o in body["outcomes"])


def test_legal_basis_framework_and_level_links(client: TestClient) -> None:
    part_of = client.get("/api/legal-bases/bbig-1").json()["part_of"]
    assert part_of["id"] == "bbig" and part_of["editorial"] is False
    assert source_iris(part_of) == {"https://www.gesetze-im-internet.de/bbig_2005/__1.html"}
    parts = links(client.get("/api/legal-bases/bbig").json(), "parts")
    assert parts["bbig-1"]["editorial"] is False
    framework = client.get("/api/frameworks/digcomp-2-2").json()
    assert len(framework["levels"]) == 8
    assert all(lv["editorial"] is False and lv["sources"] and lv["rank"]
               for lv in framework["levels"])
    assert all(t["editorial"] is False for t in framework["top"])
    level = client.get("/api/levels/digcomp-3").json()["framework"]
    assert level["id"] == "digcomp-2-2" and level["editorial"] is False


@pytest.fixture(scope="module")
def bare_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The REST test graph: one named graph that describes no source, most resources without
    ``dcterms:source`` (as the benchmark graph)."""
    ctx = rest_graph_context(Path(tmp_path_factory.mktemp("bare")))
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield c
    ctx.close()


def test_a_graph_without_sources_marks_nothing(bare_client: TestClient) -> None:
    body = bare_client.get("/api/roles/cio").json()
    legal = links(body, "legal_bases")["bbig-1"]
    assert legal["editorial"] is False and legal["sources"] == []
    page = bare_client.get("/roles/cio")
    assert page.status_code == 200
    rows = TableRows.of(page.text)["legal-bases"]
    assert rows[0][-1] == "nicht angegeben"


# --- pages ----------------------------------------------------------------------------------

class TableRows(HTMLParser):
    """The body rows of every ``table[data-table]`` as cell texts, and the links per cell."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.hrefs: dict[str, list[list[list[str]]]] = {}
        self._name: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    @classmethod
    def of(cls, html: str) -> dict[str, list[list[str]]]:
        parser = cls()
        parser.feed(html)
        return parser.tables

    @classmethod
    def links_of(cls, html: str) -> dict[str, list[list[list[str]]]]:
        parser = cls()
        parser.feed(html)
        return parser.hrefs

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self._name = a["data-table"]
            self.tables[self._name] = []
            self.hrefs[self._name] = []
        elif self._name and tag == "tbody":
            self._in_body = True
        elif self._name and self._in_body and tag == "tr":
            self.tables[self._name].append([])
            self.hrefs[self._name].append([])
        elif self._name and self._in_body and tag == "td":
            self._cell = []
            self.hrefs[self._name][-1].append([])
        elif self._name and self._cell is not None and tag == "a":
            self.hrefs[self._name][-1][-1].append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._name:
            self.tables[self._name][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._name = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_role_page_marks_every_row(client: TestClient) -> None:
    html = client.get("/roles/anwender").text
    tables = TableRows.of(html)
    hrefs = TableRows.links_of(html)
    assert "<th scope=\"col\">Quelle</th>" in html
    assert tables["groups"] == [["Nutzer", "E-Kompetenz-Rollenmodell (NEGZ 2016), "
                                 "E-Kompetenz-Studie, Abbildung der Referenzrollen "
                                 "(Textfassung)"]]
    # the study has no web address (an ISBN): text; the figure's text links to its address
    assert hrefs["groups"][0][1] == [FIGURE]
    assert {row[-1] for row in tables["tasks"]} == {"redaktionell"}
    assert {row[-1] for row in tables["requirements"]} == {"redaktionell"}
    assert {row[-1] for row in tables["formats"]} == {"redaktionell"}
    assert all(row[-1] for row in tables["legal-bases"])
    assert 'class="editorial"' in html


def test_role_page_legal_bases_split_by_provenance(client: TestClient) -> None:
    html = client.get("/roles/verwaltungsfachangestellte").text
    rows = TableRows.of(html)["legal-bases"]
    hrefs = TableRows.links_of(html)["legal-bases"]
    own = [(row, links_) for row, links_ in zip(rows, hrefs, strict=True)
           if row[0].startswith("§ 2 VwFAngAusbV")]
    # the role's own § 2 (stated by the ordinance) and the apprenticeship's (stated too)
    assert own
    for row, cell_links in own:
        assert "§ 2 VwFAngAusbV – Ausbildungsdauer" in row[-1]
        assert VWFANG_2 in cell_links[-1]
    # a legal basis that some rows state and others only assign is listed once for each
    marks: dict[str, set[str]] = {}
    for row in rows:
        marks.setdefault(row[0], set()).add(row[-1])
    assert all(len(m) == len([r for r in rows if r[0] == k]) for k, m in marks.items())


def test_role_page_in_english(client: TestClient) -> None:
    tables = TableRows.of(client.get("/roles/anwender?lang=en").text)
    assert {row[-1] for row in tables["tasks"]} == {"editorial"}
    assert tables["groups"][0][-1] == ("E-competence role model (NEGZ 2016), E-competence "
                                       "study, figure of the reference roles (text version)")


def test_competency_page_marks_every_row(client: TestClient) -> None:
    area = TableRows.of(client.get("/competencies/digcomp-4").text)
    assert len(area["narrower"]) == 4
    assert {row[-1] for row in area["narrower"]} == {
        "DigComp 2.2 (Gemeinsame Forschungsstelle der EU-Kommission 2022; "
        "englischsprachige Ausgabe), DigComp-Codeliste der DINI-AG KIM"}
    tables = TableRows.of(client.get("/competencies/digcomp-4-2").text)
    assert [row[0] for row in tables["broader"]] == ["Sicherheit"]
    assert tables["broader"][0][-1].startswith("DigComp 2.2")
    assert {row[-1] for row in tables["paths"]} == {"redaktionell"}
    assert {row[-1] for row in tables["formats"]} == {"redaktionell"}


def test_source_columns_in_the_downloads(client: TestClient) -> None:
    text = client.get("/roles/anwender/groups.csv").text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Rollengruppe", "Rollengruppe IRI", "Quelle", "Quelle IRI"]
    assert rows[1][3] == f"{STUDY} {FIGURE}"
    narrower = list(csv.reader(io.StringIO(
        client.get("/competencies/digcomp-4/narrower.csv").text.lstrip("\ufeff"))))
    assert narrower[0][-2:] == ["Quelle", "Quelle IRI"]


# --- the same rule as the stored query ----------------------------------------------------------

def _query_kinds(client: TestClient, subject: str) -> dict[tuple[str, str], str]:
    r = client.get("/api/queries/statement-provenance", params={"subject": subject},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text[:300]
    return {(b["predicate"]["value"], b["object"]["value"]): b["kind"]["value"]
            for b in r.json()["results"]["bindings"]}


def test_details_agree_with_statement_provenance(client: TestClient) -> None:
    """For every role and task and every competency of DigComp area 4: each link of the
    detail is editorial exactly when ``statement-provenance`` says so."""
    checked = 0
    for collection, field, prop, outgoing in [
        ("roles", "tasks", QD + "performsTask", True),
        ("roles", "legal_bases", QD + "legalBasis", True),
        ("tasks", "legal_bases", QD + "legalBasis", True),
        ("competencies", "broader", SKOS + "broader", True),
        ("competencies", "narrower", SKOS + "broader", False),
    ]:
        listing = client.get(f"/api/{collection}", params={"limit": 100}).json()["items"]
        for item in listing:
            if collection == "competencies" and not item["id"].startswith("digcomp-4"):
                continue
            body = client.get(f"/api/{collection}/{item['id']}").json()
            kinds = _query_kinds(client, item["iri"]) if outgoing else {}
            for node in body[field]:
                if not outgoing:
                    kind = _query_kinds(client, node["iri"])[(prop, item["iri"])]
                else:
                    kind = kinds[(prop, node["iri"])]
                assert node["editorial"] is (kind == "editorial"), (item["id"], field, node)
                checked += 1
    assert checked > 90


def test_link_provenance_stays_off_the_linked_resource_in_json_ld(client: TestClient) -> None:
    """Read as JSON-LD, a link's ``editorial`` says nothing about the linked task (the task is
    no editorial resource because its link is); a requirement's ``sources`` are its
    ``dcterms:source`` with their titles."""
    from pyld import jsonld

    r = client.get("/api/roles/verwaltungsfachangestellte")
    link = r.headers["link"].split(";")[0].strip("<>")

    def load(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": client.get(url).json()}

    (node,) = jsonld.expand({"@context": link, **r.json()}, {"documentLoader": load})
    editorial = "https://w3id.org/qualifica/ontology#editorial"
    dct = "http://purl.org/dc/terms/"
    tasks = node[QD + "performsTask"]
    assert tasks and all(editorial not in t and dct + "source" not in t for t in tasks)
    legal = node[QD + "legalBasis"]
    assert legal and all(editorial not in lb for lb in legal)
    req = node[QD + "requires"][0]
    assert req[editorial][0]["@value"] is True
    titled = [s for s in req[dct + "source"] if dct + "title" in s]
    assert titled and all(s["@id"].startswith(("http", "urn:")) for s in titled)
