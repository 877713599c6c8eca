"""Every page table as CSV for German Excel and as an Excel workbook, through the real app;
the gap form's rules; legal bases once each and in natural order."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qualifica.web.locale import natural_key
from qualifica.web.tables import Cell, Table, table_csv, table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GAP = ("role=prozessmanager&level-digcomp-4-2=5&level-qd-problemloesungskompetenz=3"
       "&level-digcomp-1-3=3")

#: Every table of every page type (the paths of the page, the table names).
TABLES = [
    *((f"/roles/prozessmanager/{t}", "") for t in ("tasks", "requirements", "formats",
                                                    "legal-bases")),
    *((f"/competencies/digcomp-4-2/{t}", "") for t in ("paths", "formats", "narrower")),
    *((f"/gap/{t}", f"?{GAP}") for t in ("gaps", "recommendations")),
]


def csv_rows(text: str, sep: str = ",") -> list[list[str]]:
    assert text.startswith("\ufeff"), "a byte order mark, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=sep))


def xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(("base", "query"), TABLES)
def test_every_table_is_the_same_in_csv_semicolon_csv_and_xlsx(
        client: TestClient, base: str, query: str) -> None:
    comma = client.get(f"{base}.csv{query}")
    assert comma.status_code == 200, comma.text
    rows = csv_rows(comma.text)
    assert len(rows) >= 2 or base.endswith("narrower"), rows
    semi = client.get(f"{base}.csv{query}{'&' if query else '?'}sep=semicolon")
    assert semi.headers["content-type"] == "text/csv; charset=utf-8"
    assert semi.text.splitlines()[0].count('";"') == len(rows[0]) - 1
    assert csv_rows(semi.text, ";") == rows
    book = client.get(f"{base}.xlsx{query}")
    assert book.status_code == 200
    assert book.headers["content-type"] == XLSX
    name = base.strip("/").replace("/", "-").replace("roles-", "").replace("competencies-", "")
    if base.startswith("/gap/"):
        name = name.replace("gap-", "gap-prozessmanager-")
    assert book.headers["content-disposition"] == f'attachment; filename="{name}.xlsx"'
    assert xlsx_rows(book.content) == rows


def test_the_page_links_both_downloads(client: TestClient) -> None:
    page = client.get("/roles/prozessmanager").text
    for table in ("tasks", "requirements", "formats", "legal-bases"):
        assert f'href="/roles/prozessmanager/{table}.csv"' in page
        assert f'href="/roles/prozessmanager/{table}.xlsx"' in page
    gap = client.get(f"/gap?{GAP}").text
    assert re.search(r'href="/gap/gaps\.xlsx\?role=prozessmanager&amp;level-digcomp-4-2=5',
                     gap)
    english = client.get("/roles/prozessmanager?lang=en").text
    assert 'href="/roles/prozessmanager/tasks.xlsx?lang=en"' in english
    assert "Excel file (XLSX)" in english


def test_a_wrong_separator_is_a_clear_error(client: TestClient) -> None:
    r = client.get("/roles/prozessmanager/tasks.csv?sep=tab")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["param"] == "sep"
    assert client.get("/roles/prozessmanager/nothing.xlsx").status_code == 404
    assert client.get("/gap/gaps.xlsx").status_code == 422


def test_the_workbook_keeps_formulas_as_text() -> None:
    formula = '=HYPERLINK("http://evil","x")'
    table = Table("t", "Titel: [a/b]*?", ["Name"],
                  [[Cell(formula, iri="https://example.org/a")], [Cell("-1+2\x07")]])
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    assert sheet is not None
    assert sheet.title == "Titel ab"
    assert [c.value for c in sheet[1]] == ["Name", "Name IRI"]
    assert sheet["A2"].value == formula and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "-1+2" and sheet["A3"].data_type == "s"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    # the CSV neutralises the same cells with a leading apostrophe
    assert "'=HYPERLINK" in table_csv(table, ";")


# --- the gap form -------------------------------------------------------------------------------

def test_a_level_chosen_without_a_tick_counts_as_held(client: TestClient) -> None:
    ticked = client.get("/gap?role=prozessmanager&held=digcomp-4-2&level-digcomp-4-2=5")
    chosen = client.get("/gap?role=prozessmanager&level-digcomp-4-2=5")
    assert chosen.status_code == 200
    coverage = re.compile(r'id="coverage">([^<]+)<')
    assert coverage.findall(chosen.text) == coverage.findall(ticked.text) == ["20 %"]
    # the choice survives the round trip, "not held" stays the choice of the others
    assert re.search(r'<option value="5" selected>Fortgeschritten 5</option>', chosen.text)
    assert chosen.text.count('<option value="" selected>nicht vorhanden</option>') == 4
    # a level left at "not held" is no holding
    empty = client.get("/gap?role=prozessmanager&level-digcomp-4-2=&analyse=1")
    assert coverage.findall(empty.text) == ["0 %"]
    # the same in the CSV of the gaps
    rows = csv_rows(client.get("/gap/gaps.csv?role=prozessmanager&level-digcomp-4-2=5").text)
    assert "Schutz personenbezogener Daten und der Privatsphäre" not in {r[0] for r in rows}


def test_a_tick_without_a_level_is_still_an_error(client: TestClient) -> None:
    r = client.get("/gap?role=prozessmanager&held=digcomp-4-2")
    assert r.status_code == 422
    assert "level-digcomp-4-2" in r.text
    assert client.get("/gap?role=prozessmanager&level-digcomp-4-2=x").status_code == 422


def test_the_result_summary_takes_the_focus(client: TestClient) -> None:
    form = client.get("/gap?role=prozessmanager").text
    assert "autofocus" not in form
    result = client.get(f"/gap?{GAP}").text
    summary = re.search(r'<div class="result-summary" id="result-summary"([^>]*)>', result)
    assert summary is not None
    assert 'tabindex="-1"' in summary.group(1) and "autofocus" in summary.group(1)
    # announced by its heading and the coverage line when it takes the focus
    assert 'aria-labelledby="result-title"' in summary.group(1)
    assert 'aria-describedby="coverage-line"' in summary.group(1)
    assert re.search(r'<h2 id="result-title">Ergebnis für Prozessmanager/-in</h2>', result)
    assert re.search(r'<p class="coverage" id="coverage-line">', result)
    assert result.count("autofocus") == 1
    # every level choice is labelled by its competency
    for comp in ("digcomp-4-2", "qd-problemloesungskompetenz"):
        assert re.search(rf'<label for="level-{comp}" class="competency">', form)


# --- legal bases --------------------------------------------------------------------------------

def test_legal_bases_are_listed_once_in_natural_order(client: TestClient) -> None:
    rows = csv_rows(client.get("/roles/prozessmanager/legal-bases.csv").text)[1:]
    names = [r[0] for r in rows]
    assert len(names) == len(set(names)), names
    assert names.count("§ 4 DigiTV – Qualifizierung") == 1
    # by act, and within an act by section number: § 1a before § 4 of the OZG
    ozg = [n for n in names if n.endswith(("OZG", "Verordnungsermächtigung")) or " OZG " in n]
    assert ozg == sorted(ozg, key=natural_key) and len(ozg) >= 2
    assert [n.split()[1] for n in ozg[:2]] == ["1a", "4"]
    digitv = next(r for r in rows if r[0].startswith("§ 4 DigiTV"))
    # every offer and task resting on it in one cell, with their IRIs (the two eGov-Campus
    # modules a stored source names)
    assert digitv[4].count(", ") >= 1 and len(digitv[5].split()) == digitv[4].count(", ") + 1
    page = client.get("/roles/prozessmanager").text
    assert page.count(">§ 4 DigiTV – Qualifizierung<") == 1


def test_incoming_links_are_in_natural_order(client: TestClient) -> None:
    page = client.get("/id/legal-basis/bbig").text
    sections = re.findall(r">§ (\d+[a-z]?) BBiG", page)
    assert sections[:4] == ["1", "3", "5", "53"] and sections.index("58") > sections.index("53e")
