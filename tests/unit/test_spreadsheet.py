"""Spreadsheet import: the template, the parser's error collection (sheet, row, column), the
SHACL gate behind it, CSV files, and the ``qualifica import`` command on an on-disk store."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from pyoxigraph import Literal, NamedNode
from typer.testing import CliRunner

from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.ingest import spreadsheet
from qualifica.ingest.spreadsheet import IMPORT_GRAPH, ImportFailed
from qualifica.store.oxigraph import OxigraphStore
from qualifica.store.stamps import MODIFIED_GRAPH

ID = "https://w3id.org/qualifica/id/"
SRC = "https://example.org/personalplanung"
SHEETS = ["roles", "tasks", "competencies", "requirements", "training formats", "outcomes"]


def workbook(rows: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """The template with ``rows`` filled in below the header row of each named sheet."""
    wb = load_workbook(io.BytesIO(spreadsheet.template_workbook()))
    for name, data in rows.items():
        ws = wb[name]
        for row in data:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


Rows = dict[str, list[list[object]]]

GOOD: Rows = {
    "roles": [["planungslotse", "Planungslotse", "Digital guide", "Begleitet Digitalisierung.",
               "Guides digitalisation.", "digitalisierung-begleiten", "", SRC]],
    "tasks": [["digitalisierung-begleiten", "Digitalisierung begleiten", "Guide digitalisation",
               "", "", "", SRC]],
    "competencies": [["qd-veraenderungsbegleitung", "Veränderungsbegleitung",
                      "Change facilitation", "", "", "qd-metastudie", "", SRC]],
    "requirements": [
        ["planungslotse", "digcomp-2-4", 5, "ja", "nein", SRC],
        ["digitalisierung-begleiten", "qd-veraenderungsbegleitung", 2, "nein", "ja", ""],
        ["role:planungslotse", "digcomp-1-1", "digcomp-4", "", "ja", ""],
    ],
    "training formats": [["lotsen-kurs", "Lotsenkurs", "Guide course", "", "", "Fortbildung",
                          "tvoed-5", SRC]],
    "outcomes": [["lotsen-kurs", "qd-veraenderungsbegleitung", 3, "ja", ""]],
}


def copy_ctx(bundled: Context, tmp: Path) -> Context:
    """A writable context holding a copy of the bundled graph."""
    store = OxigraphStore(None)
    store.add(bundled.store.quads())
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp)
    return Context(settings=settings, store=store, registry=bundled.registry)


@pytest.fixture
def ctx(bundled_ctx: Context, tmp_path: Path) -> Iterator[Context]:
    context = copy_ctx(bundled_ctx, tmp_path)
    yield context
    context.close()


def objects(ctx: Context, subject: str, predicate: str) -> set[str]:
    """The values of the objects of ``subject predicate ?o``."""
    return {q.object.value for q in ctx.store.quads(NamedNode(subject), NamedNode(predicate))
            if isinstance(q.object, NamedNode | Literal)}


def errors_of(exc: pytest.ExceptionInfo[ImportFailed]) -> set[tuple[str | None, int | None,
                                                                     str | None]]:
    return {(e.sheet, e.row, e.column) for e in exc.value.errors}


def test_template_has_the_six_sheets_documented_headers_and_choice_lists() -> None:
    wb = load_workbook(io.BytesIO(spreadsheet.template_workbook()))
    assert wb.sheetnames == [spreadsheet.INSTRUCTIONS, *SHEETS]
    roles = wb["roles"]
    header = [c.value for c in roles[1]]
    assert header == ["id", "label_de", "label_en", "definition_de", "definition_en", "tasks",
                      "legal_basis", "source"]
    assert roles["A1"].comment is not None and "Kennung" in roles["A1"].comment.text
    assert "Id:" in roles["A1"].comment.text
    reqs = [c.value for c in wb["requirements"][1]]
    assert reqs == ["holder", "competency", "level", "essential", "editorial", "source"]
    formulas = {dv.formula1 for dv in wb["training formats"].data_validations.dataValidation}
    assert '"Ausbildung,Fortbildung,Weiterbildung"' in formulas
    guide = "\n".join(str(c.value) for row in wb[spreadsheet.INSTRUCTIONS].iter_rows()
                      for c in row if c.value)
    assert "ganz oder gar nicht" in guide and "completely or not at all" in guide


def test_a_filled_in_workbook_imports_every_kind(ctx: Context) -> None:
    before = ctx.store.count()
    stamped = len(list(ctx.store.quads(graph=MODIFIED_GRAPH)))
    result = spreadsheet.import_bytes(ctx, workbook(GOOD), filename="plan.xlsx")
    assert result.created == {"roles": 1, "tasks": 1, "competencies": 1, "requirements": 3,
                              "training formats": 1, "outcomes": 1}
    # and one dcterms:modified for each new resource (tests/api/test_modified_stamps.py)
    new_stamps = len(list(ctx.store.quads(graph=MODIFIED_GRAPH))) - stamped
    assert new_stamps >= sum(result.created.values())
    assert ctx.store.count() == before + result.quads + new_stamps
    assert IMPORT_GRAPH in ctx.store.named_graphs()
    qd = "https://w3id.org/qualifica/ontology#"
    assert objects(ctx, ID + "role/planungslotse", qd + "requires") == {
        ID + "requirement/planungslotse-digcomp-2-4", ID + "requirement/planungslotse-digcomp-1-1"}
    # rank 5 on DigComp's scale became level/digcomp-5; "ja"/"nein" became true/false
    req = ID + "requirement/planungslotse-digcomp-2-4"
    assert objects(ctx, req, qd + "level") == {ID + "level/digcomp-5"}
    assert objects(ctx, req, qd + "essential") == {"true"}
    assert objects(ctx, req, qd + "editorial") == {"false"}
    # editorial links cite the editorial source
    editorial = ID + "requirement/digitalisierung-begleiten-qd-veraenderungsbegleitung"
    assert objects(ctx, editorial, "http://purl.org/dc/terms/source") == {
        spreadsheet.EDITORIAL_SOURCE}
    assert objects(ctx, editorial, qd + "essential") == {"false"}
    assert objects(ctx, editorial, qd + "editorial") == {"true"}
    # the level given as an id, and the outcome's level reached
    assert objects(ctx, ID + "requirement/planungslotse-digcomp-1-1", qd + "level") == {
        ID + "level/digcomp-4"}
    assert objects(ctx, ID + "training-format/lotsen-kurs", qd + "develops") == {
        ID + "outcome/lotsen-kurs-qd-veraenderungsbegleitung"}
    assert objects(ctx, ID + "outcome/lotsen-kurs-qd-veraenderungsbegleitung", qd + "level") == {
        ID + "level/e-kompetenz-3"}
    # importing the same workbook again is refused: everything already exists
    with pytest.raises(ImportFailed) as again:
        spreadsheet.import_bytes(ctx, workbook(GOOD), filename="plan.xlsx")
    assert ("roles", 2, "id") in errors_of(again)


def test_every_error_is_reported_with_sheet_row_and_column(ctx: Context) -> None:
    bad: Rows = {
        "roles": [
            ["Digital Lotse", "Lotse", "Guide", "", "", "", "", SRC],           # row 2: bad id
            ["lotse-zwei", "", "Guide two", "", "", "gibt-es-nicht", "", SRC],  # row 3: 2 errors
            ["lotse-drei", "Lotse 3", "Guide 3", "", "", "", "", SRC],
            ["lotse-drei", "Lotse 3b", "Guide 3b", "", "", "", "", SRC],        # row 5: duplicate
            ["prozessmanager", "P", "P", "", "", "", "", SRC],                  # row 6: stored
        ],
        "requirements": [
            ["lotse-drei", "digcomp-2-4", 9, "ja", "nein", SRC],               # row 2: rank 9
            ["lotse-drei", "digcomp-1-1", "e-kompetenz-2", "vielleicht", "nein", SRC],  # row 3
            ["lotse-drei", "keine-kompetenz", 1, "ja", "nein", ""],            # row 4: 2 errors
        ],
        "training formats": [["kurs", "Kurs", "Course", "", "", "Lehrgang", "tvoed-5", SRC]],
    }
    before, generation = ctx.store.count(), ctx.store.generation
    with pytest.raises(ImportFailed) as exc:
        spreadsheet.import_bytes(ctx, workbook(bad), filename="plan.xlsx")
    assert errors_of(exc) == {
        ("roles", 2, "id"), ("roles", 3, "label_de"), ("roles", 3, "tasks"),
        ("roles", 5, "id"), ("roles", 6, "id"),
        ("requirements", 2, "level"), ("requirements", 3, "level"),
        ("requirements", 3, "essential"), ("requirements", 4, "competency"),
        ("requirements", 4, "source"), ("training formats", 2, "kind"),
    }
    by_cell = {(e.sheet, e.row, e.column): e for e in exc.value.errors}
    assert "outside the scale" in by_cell[("requirements", 2, "level")].message_en
    assert "außerhalb der Skala" in by_cell[("requirements", 2, "level")].message_de
    assert "1–8" in by_cell[("requirements", 2, "level")].message_en
    assert "neither in the workbook nor in the store" in by_cell[
        ("roles", 3, "tasks")].message_en
    assert "row 4" in by_cell[("roles", 5, "id")].message_en
    assert ctx.store.count() == before and ctx.store.generation == generation


def test_a_shacl_rejection_is_mapped_back_to_its_row(ctx: Context) -> None:
    # a training format without any learning outcome parses but breaks the shapes
    data = workbook({"training formats": [
        ["", "", "", "", "", "", "", ""],
        ["ohne-ergebnis", "Ohne Ergebnis", "No outcome", "", "", "Weiterbildung", "tvoed-5", SRC],
    ]})
    before, generation = ctx.store.count(), ctx.store.generation
    with pytest.raises(ImportFailed) as exc:
        spreadsheet.import_bytes(ctx, data, filename="plan.xlsx")
    assert [(e.sheet, e.row) for e in exc.value.errors] == [("training formats", 3)]
    assert "SHACL" in exc.value.errors[0].message_en
    assert "learning outcome" in exc.value.errors[0].message_en
    assert ctx.store.count() == before and ctx.store.generation == generation


def test_headers_and_sheets_are_checked(ctx: Context) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "roles"
    ws.append(["id", "label_de", "farbe", "source"])
    wb.create_sheet("notizen")
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportFailed) as exc:
        spreadsheet.import_bytes(ctx, buf.getvalue(), filename="x.xlsx")
    assert errors_of(exc) == {("roles", 1, "farbe"), ("roles", 1, "label_en"),
                              ("notizen", None, None)}
    with pytest.raises(ImportFailed) as broken:
        spreadsheet.import_bytes(ctx, b"PK\x03\x04 not really a zip", filename="x.xlsx")
    assert broken.value.errors[0].sheet is None


def test_csv_names_its_sheet_by_file_name(ctx: Context) -> None:
    text = ("id;label_de;label_en;source;tasks\n"
            "csv-rolle;CSV-Rolle;CSV role;https://example.org/csv;it-budget-planen\n")
    result = spreadsheet.import_bytes(ctx, text.encode("utf-8"), filename="roles.csv")
    assert result.created["roles"] == 1
    assert objects(ctx, ID + "role/csv-rolle", "http://www.w3.org/2004/02/skos/core#prefLabel"
                   ) == {"CSV-Rolle", "CSV role"}
    bad = "holder,competency,level\ncsv-rolle,digcomp-2-4,\n"
    with pytest.raises(ImportFailed) as exc:
        spreadsheet.import_bytes(ctx, bad.encode(), filename="Requirements.csv")
    assert errors_of(exc) == {("requirements", 2, "level"), ("requirements", 2, "source")}
    with pytest.raises(ImportFailed) as unnamed:
        spreadsheet.import_bytes(ctx, bad.encode(), filename="daten.csv")
    assert "does not name a known sheet" in unnamed.value.errors[0].message_en


def test_cli_import_ok_and_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qualifica.cli import app

    monkeypatch.setenv("QUALIFICA_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("QUALIFICA_IN_MEMORY", "false")
    good, bad = tmp_path / "plan.xlsx", tmp_path / "kaputt.xlsx"
    good.write_bytes(workbook(GOOD))
    bad.write_bytes(workbook({"roles": [["x y", "", "", "", "", "", "", ""]]}))
    runner = CliRunner()
    ok = runner.invoke(app, ["import", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "created roles: 1" in ok.output and "requirements: 3" in ok.output

    def count() -> int:
        context = open_context(Settings(data_dir=tmp_path / "store", in_memory=False))
        try:
            return int(context.store.count())
        finally:
            context.close()

    before = count()
    failed = runner.invoke(app, ["import", str(bad)])
    assert failed.exit_code == 1
    output = failed.output + (failed.stderr if failed.stderr_bytes is not None else "")
    assert "nothing was imported" in output
    assert "roles" in output and "label_de" in output and "source" in output
    assert count() == before


class CountingStore(OxigraphStore):
    """An embedded store that counts the reads made through it."""

    def __init__(self) -> None:
        super().__init__(None)
        self.reads = {"query": 0, "quads": 0}

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.reads["query"] += 1
        return super().query(*args, **kwargs)

    def quads(self, *args: Any, **kwargs: Any) -> Any:
        self.reads["quads"] += 1
        return super().quads(*args, **kwargs)


def test_references_are_resolved_from_one_lookup_not_per_row(bundled_ctx: Context,
                                                              tmp_path: Path) -> None:
    """Planning reads the store a fixed number of times, however many rows refer to it."""
    store = CountingStore()
    store.add(bundled_ctx.store.quads())
    ctx = Context(settings=Settings(in_memory=True, load_bundled=False, data_dir=tmp_path),
                  store=store, registry=bundled_ctx.registry)
    spreadsheet.lookup_for(ctx)  # the catalogue of this generation, as the REST API keeps it
    comps = ["digcomp-1-1", "digcomp-2-4", "digcomp-4-2", "digcomp-1-2"]
    reads = []
    for n in (2, 60):
        rows: Rows = {
            "roles": [[f"rolle-{i}", f"Rolle {i}", f"Role {i}", "", "", "it-budget-planen",
                       "tvoed-5", SRC] for i in range(n)],
            "requirements": [[f"rolle-{i}", c, 3, "ja", "nein", SRC]
                             for i in range(n) for c in comps],
        }
        tables = spreadsheet.read_upload(workbook(rows), filename="plan.xlsx")
        store.reads = {"query": 0, "quads": 0}
        made = spreadsheet.plan(tables, spreadsheet.lookup_for(ctx))
        assert made.created["requirements"] == n * len(comps)
        reads.append(dict(store.reads))
    # one query for the ids the roles declare, one for the requirement links they mint
    assert reads == [{"query": 2, "quads": 0}, {"query": 2, "quads": 0}]
