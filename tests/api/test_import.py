"""The spreadsheet import over HTTP: template download, authenticated all-or-nothing import of a
workbook or CSV file, errors naming sheet/row/column, size limit; the imported role is then served
by the REST and planning APIs."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context
from qualifica.ingest.spreadsheet import XLSX
from qualifica.store.stamps import MODIFIED_GRAPH
from qualifica_testing import LOCAL

TOKEN = "t"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SRC = "https://example.org/personalplanung"
SHEETS = ["roles", "tasks", "competencies", "requirements", "training formats", "outcomes"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app over its own in-memory store with the bundled graph and one API token."""
    settings = Settings(in_memory=True, load_bundled=True, api_tokens=[TOKEN],
                        data_dir=tmp_path_factory.mktemp("import-api"),
                        max_body_bytes=64 * 1024)
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        yield client


def ctx_of(client: TestClient) -> Context:
    ctx: Context = client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


def fill(client: TestClient, rows: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """The downloaded template with ``rows`` appended to the named sheets."""
    wb = load_workbook(io.BytesIO(client.get("/api/import/template.xlsx").content))
    for name, data in rows.items():
        for row in data:
            wb[name].append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client: TestClient, data: bytes, name: str = "plan.xlsx",
           headers: Mapping[str, str] = AUTH) -> httpx.Response:
    r: httpx.Response = client.post("/api/import", files={"file": (name, data, XLSX)},
                                    headers=dict(headers))
    return r


def test_template_downloads_as_a_workbook_with_the_six_sheets(api: TestClient) -> None:
    r = api.get("/api/import/template.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == 'attachment; filename="qualifica-import.xlsx"'
    wb = load_workbook(io.BytesIO(r.content))
    assert set(SHEETS) <= set(wb.sheetnames)
    assert [c.value for c in wb["outcomes"][1]] == ["training_format", "competency", "level",
                                                    "editorial", "source"]


def test_a_filled_in_workbook_imports_and_the_role_is_planned(api: TestClient) -> None:
    data = fill(api, {
        "roles": [["datenlotse", "Datenlotse", "Data guide", "", "", "daten-aufbereiten",
                   "ozg", SRC]],
        "tasks": [["daten-aufbereiten", "Daten aufbereiten", "Prepare data", "", "", "", SRC]],
        "requirements": [
            ["datenlotse", "digcomp-1-3", 4, "ja", "nein", SRC],
            ["daten-aufbereiten", "digcomp-3-1", 3, "ja", "ja", ""],
        ],
    })
    store = ctx_of(api).store
    before, stamps = store.count(), len(list(store.quads(graph=MODIFIED_GRAPH)))
    r = upload(api, data)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"]["roles"] == 1 and body["created"]["requirements"] == 2
    # the new resources are stamped (stamps: test_modified_stamps.py)
    stamped = len(list(store.quads(graph=MODIFIED_GRAPH)))
    assert stamped - stamps >= sum(body["created"].values())
    assert store.count() == before + body["quads"] + stamped - stamps
    role = api.get("/api/roles/datenlotse")
    assert role.status_code == 200
    assert role.json()["label"] == "Datenlotse"
    gap = api.post("/api/gap", json={"role": "datenlotse",
                                     "have": [{"competency": "digcomp-1-3", "level": 4}]})
    assert gap.status_code == 200, gap.text
    text = gap.text
    assert "digcomp-1-3" in text and "digcomp-3-1" in text
    assert gap.json()["coverage"] == pytest.approx(0.5)


def test_several_errors_are_all_returned_and_nothing_changes(api: TestClient) -> None:
    data = fill(api, {
        "roles": [["Kaputt", "K", "K", "", "", "", "", SRC],
                  ["ok-rolle", "OK", "OK", "", "", "", "gibt-es-nicht", ""]],
        "requirements": [["ok-rolle", "digcomp-2-1", 12, "ja", "nein", SRC],
                         ["niemand", "digcomp-2-1", 2, "jein", "nein", SRC]],
    })
    store = ctx_of(api).store
    before, generation = store.count(), store.generation
    r = upload(api, data)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    cells = {(e["sheet"], e["row"], e["column"]) for e in r.json()["errors"]}
    assert cells == {("roles", 2, "id"), ("roles", 3, "legal_basis"), ("roles", 3, "source"),
                     ("requirements", 2, "level"), ("requirements", 3, "holder"),
                     ("requirements", 3, "essential")}
    assert all(e["message_de"] and e["message_en"] for e in r.json()["errors"])
    assert store.count() == before and store.generation == generation


def test_csv_upload_raw_and_multipart(api: TestClient) -> None:
    csv_text = f"id,label_de,label_en,source\ncsv-aufgabe,CSV-Aufgabe,CSV task,{SRC}\n"
    r = api.post("/api/import", params={"sheet": "tasks"}, content=csv_text.encode(),
                 headers={**AUTH, "Content-Type": "text/csv"})
    assert r.status_code == 201, r.text
    assert r.json()["created"]["tasks"] == 1
    assert api.get("/api/tasks/csv-aufgabe").status_code == 200
    bad = "holder;competency;level;source\ncsv-aufgabe;digcomp-2-1;e-kompetenz-1;x\n"
    r = api.post("/api/import", files={"file": ("requirements.csv", bad.encode(), "text/csv")},
                 headers=AUTH)
    assert r.status_code == 422
    assert [(e["sheet"], e["row"], e["column"]) for e in r.json()["errors"]] == [
        ("requirements", 2, "level")]


def test_import_needs_a_token(api: TestClient) -> None:
    data = fill(api, {"tasks": [["ohne-token", "T", "T", "", "", "", SRC]]})
    before = ctx_of(api).store.count()
    assert upload(api, data, headers={}).status_code == 401
    assert upload(api, data, headers={"Authorization": "Bearer falsch"}).status_code == 403
    assert ctx_of(api).store.count() == before


def test_import_is_off_without_tokens(bundled_ctx: Context, tmp_path: Path) -> None:
    settings = Settings(in_memory=True, load_bundled=False, data_dir=tmp_path)
    from qualifica.store.oxigraph import OxigraphStore

    ctx = Context(settings=settings, store=OxigraphStore(None), registry=bundled_ctx.registry)
    with TestClient(create_app(settings, context=ctx), base_url=LOCAL) as client:
        r = client.post("/api/import", content=b"id\n", params={"sheet": "roles"},
                        headers={**AUTH, "Content-Type": "text/csv"})
        assert r.status_code == 403
        assert client.get("/api/import/template.xlsx").status_code == 200


def test_oversize_and_wrong_type(api: TestClient) -> None:
    big = b"id,label_de,label_en,source\n" + b"x" * (70 * 1024)
    r = api.post("/api/import", params={"sheet": "roles"}, content=big,
                 headers={**AUTH, "Content-Type": "text/csv"})
    assert r.status_code == 413
    r = api.post("/api/import", files={"file": ("roles.csv", big, "text/csv")}, headers=AUTH)
    assert r.status_code == 413
    r = api.post("/api/import", content=b"{}", headers={**AUTH,
                                                       "Content-Type": "application/json"})
    assert r.status_code == 415


def test_the_blank_template_imports_nothing(api: TestClient) -> None:
    before = ctx_of(api).store.count()
    r = upload(api, api.get("/api/import/template.xlsx").content)
    assert r.status_code == 200
    assert r.json()["quads"] == 0 and set(r.json()["created"].values()) == {0}
    assert ctx_of(api).store.count() == before
