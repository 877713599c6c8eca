"""The planning commands over the hand-made graph (in process, and one real process)."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualifica.cli import app
from qualifica.config import Settings
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import PLANNING_GRAPH, PLANNING_GRAPH_FILE, load_graph

cli_app = importlib.import_module("qualifica.cli.app")
ID = "https://w3id.org/qualifica/id/"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An on-disk store holding the small graph; the CLI is pointed at it."""
    store = OxigraphStore(tmp_path / "store")
    load_graph(store, PLANNING_GRAPH_FILE, PLANNING_GRAPH)
    store.close()
    monkeypatch.setattr(cli_app, "settings",
                        lambda: Settings(data_dir=tmp_path, load_bundled=False))
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_roles_for_json(data_dir: Path) -> None:
    code, out, _ = run("roles-for", "datenschutz", "--format", "json")
    assert code == 0
    body = json.loads(out)
    assert [(r["role"]["id"], r["via"]) for r in body["roles"]] == [
        ("datenanalyst", ["task", "hierarchy"]),
        ("prozessmanagerin", ["task", "hierarchy"]),
        ("sachbearbeitung", ["direct"]),
    ]


def test_roles_for_table_and_csv(data_dir: Path) -> None:
    code, out, _ = run("roles-for", "datenkompetenz")
    assert code == 0
    assert "Prozessmanagerin" in out and "direct task" in out
    code, out, _ = run("roles-for", "datenkompetenz", "--format", "csv", "--lang", "en")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["role", "label", "via", "paths"]
    assert rows[1][:3] == ["datenanalyst", "Data analyst", "task hierarchy"]
    # en: "Digital foundations" sorts before "Evaluate data"
    assert rows[1][3] == "Data literacy → Digital foundations → Data analyst | " \
                         "Data literacy → Evaluate data → Data analyst"


def test_paths(data_dir: Path) -> None:
    code, out, _ = run("paths", "datenschutz", "datenanalyst", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1:] == [
        ["3", "Datenschutz → Datenkompetenz → Daten auswerten → Datenanalyst",
         "datenschutz datenkompetenz daten-auswerten datenanalyst"],
        ["3", "Datenschutz → Datenkompetenz → Digitale Grundlagen → Datenanalyst",
         "datenschutz datenkompetenz grundlagen datenanalyst"],
    ]
    code, out, _ = run("paths", "datenschutz", "datenanalyst", "--max-hops", "2",
                       "--format", "json")
    assert json.loads(out)["paths"] == []


def test_gap(data_dir: Path) -> None:
    code, out, _ = run("gap", "--role", "prozessmanagerin", "--have", "datenkompetenz:1",
                       "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["competency", "label", "required_level", "held_level", "essential", "status",
         "closed_by"],
        ["datenkompetenz", "Datenkompetenz", "2", "1", "true", "partial", "analysekurs"],
        ["kommunikation", "Kommunikation", "2", "", "true", "missing", ""],
        ["prozessmodellierung", "Prozessmodellierung", "3", "", "true", "missing",
         "prozesskurs"],
    ]
    code, out, _ = run("gap", "--role", "prozessmanagerin", "--have", "datenkompetenz:1")
    assert code == 0 and "coverage 0%" in out and "kommunikation" in out


def test_gap_json_with_full_iri(data_dir: Path) -> None:
    code, out, _ = run("gap", "--role", ID + "role/prozessmanagerin",
                       "--have", ID + "competency/datenkompetenz:2",
                       "--have", "kommunikation:3", "--have", "prozessmodellierung:2",
                       "--format", "json")
    assert code == 0
    assert json.loads(out)["coverage"] == 0.6667


def test_gap_errors(data_dir: Path) -> None:
    code, _, err = run("gap", "--role", "prozessmanagerin", "--have", "datenkompetenz:9")
    assert code == 2 and "have[0].level" in err
    code, _, err = run("gap", "--role", "niemand")
    assert code == 2 and "niemand" in err
    code, _, err = run("gap", "--role", "prozessmanagerin", "--have", "datenkompetenz")
    assert code == 2 and "COMPETENCY:LEVEL" in err


def test_match(data_dir: Path) -> None:
    code, out, _ = run("match", "--have", "datenkompetenz:3", "--have", "kommunikation:2",
                       "--format", "csv", "--limit", "2")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1:] == [["prozessmanagerin", "Prozessmanagerin", "0.6667",
                         "prozessmodellierung"],
                        ["datenanalyst", "Datenanalyst", "0.5", "grundlagen"]]


def test_curriculum_gaps(data_dir: Path) -> None:
    code, out, _ = run("curriculum-gaps", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1:] == [
        ["datenschutz", "Datenschutz", "1", "", "sachbearbeitung"],
        ["it-sicherheit", "IT-Sicherheit", "1", "", "datenanalyst"],
        ["kommunikation", "Kommunikation", "2", "1", "prozessmanagerin sachbearbeitung"],
    ]
    code, out, _ = run("curriculum-gaps", "--role", "datenanalyst", "--format", "json")
    assert [g["competency"]["id"] for g in json.loads(out)["gaps"]] == ["it-sicherheit"]
    code, _, err = run("curriculum-gaps", "--role", "niemand")
    assert code == 2 and "niemand" in err


def test_real_process(data_dir: Path) -> None:
    env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir), "QUALIFICA_LOAD_BUNDLED": "false"}
    proc = subprocess.run([sys.executable, "-m", "qualifica", "match", "--have",
                           "datenkompetenz:3", "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # Datenanalyst 1/2 essential met, Prozessmanagerin 1/3, Sachbearbeitung 0/2
    assert [(r["role"]["id"], r["coverage"]) for r in json.loads(proc.stdout)["roles"]] == [
        ("datenanalyst", 0.5), ("prozessmanagerin", 0.3333), ("sachbearbeitung", 0.0)]
