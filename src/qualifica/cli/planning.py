"""Commands: curriculum planning.

``roles-for``, ``paths``, ``gap``, ``match`` and ``curriculum-gaps``.

Each command prints a table (default), JSON (the API's answer) or CSV (``--format``).
Exit codes: 0 answered, 2 error (unknown id, bad level, bad option).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from qualifica import planning
from qualifica.cli.app import app, context, err, out
from qualifica.errors import QualificaError
from qualifica.planning.index import PlanningIndex
from qualifica.sparql import binding


class Format(StrEnum):
    """Output formats of the planning commands."""

    table = "table"
    json = "json"
    csv = "csv"


class LangOpt(StrEnum):
    """Label languages."""

    de = "de"
    en = "en"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, json or csv")]
LangOption = Annotated[LangOpt, typer.Option("--lang", help="Language of the labels")]
HaveOption = Annotated[
    list[str] | None,
    typer.Option("--have", help="A held competency as COMPETENCY:LEVEL (repeatable)"),
]


@contextmanager
def _index() -> Iterator[PlanningIndex]:
    """The planning index over the configured store; errors end the command with exit 2."""
    with context(bundled=True) as ctx:
        try:
            yield planning.get_index(ctx)
        except QualificaError as exc:
            err.print(f"[red]error:[/red] {exc.detail}")
            raise typer.Exit(2) from exc


def parse_have(values: Sequence[str] | None) -> list[tuple[str, int]]:
    """``COMPETENCY:LEVEL`` strings (the last ``:`` separates, so IRIs work) → (IRI, rank)."""
    held = []
    for i, raw in enumerate(values or []):
        comp, sep, level = raw.rpartition(":")
        if not sep or not comp:
            raise QualificaError(f"--have {raw!r}: expected COMPETENCY:LEVEL")
        rank = binding.integer(level, param=f"have[{i}].level")
        term = binding.iri(comp, param=f"have[{i}].competency", kind="competency")
        held.append((term.value, int(rank.value)))
    return held


def _path_text(path: Sequence[dict[str, Any]]) -> str:
    return " → ".join(n["label"] for n in path)


def _emit(fmt: Format, answer: dict[str, Any], header: Sequence[str],
          rows: Sequence[Sequence[Any]], title: str = "") -> None:
    if fmt is Format.json:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        typer.echo(buf.getvalue(), nl=False)
        return
    table = Table(title=title or None)
    for h in header:
        table.add_column(h)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def _run(action: Callable[[], None]) -> None:
    try:
        action()
    except QualificaError as exc:
        err.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(2) from exc


@app.command("roles-for")
def roles_for(
    competency: Annotated[str, typer.Argument(help="Competency slug or IRI")],
    fmt: FormatOption = Format.table,
    lang: LangOption = LangOpt.de,
) -> None:
    """Roles that need a competency (directly, through a task or a broader competency)."""

    def action() -> None:
        comp = binding.iri(competency, param="competency", kind="competency").value
        with _index() as ix:
            answer = planning.roles_for(ix, comp, lang.value)
        rows = [
            (r["role"]["id"], r["role"]["label"], " ".join(r["via"]),
             " | ".join(_path_text(p) for p in r["paths"]))
            for r in answer["roles"]
        ]
        _emit(fmt, answer, ("role", "label", "via", "paths"), rows,
              f"Roles for {answer['competency']['label']}")

    _run(action)


@app.command("paths")
def paths_cmd(
    from_: Annotated[str, typer.Argument(metavar="FROM", help="Competency slug or IRI")],
    to: Annotated[str, typer.Argument(metavar="TO", help="Role slug or IRI")],
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=8)] = 4,
    fmt: FormatOption = Format.table,
    lang: LangOption = LangOpt.de,
) -> None:
    """All simple paths from a competency to a role, shortest first."""

    def action() -> None:
        comp = binding.iri(from_, param="from", kind="competency").value
        role = binding.iri(to, param="to", kind="role").value
        with _index() as ix:
            answer = planning.paths(ix, comp, role, max_hops, lang.value)
        rows = [(len(p) - 1, _path_text(p), " ".join(n["id"] for n in p))
                for p in answer["paths"]]
        _emit(fmt, answer, ("hops", "path", "ids"), rows, "Paths")

    _run(action)


@app.command("gap")
def gap_cmd(
    role: Annotated[str, typer.Option("--role", help="Role slug or IRI")],
    have: HaveOption = None,
    fmt: FormatOption = Format.table,
    lang: LangOption = LangOpt.de,
) -> None:
    """Gap analysis: requirement status, coverage and recommended training formats."""

    def action() -> None:
        role_iri = binding.iri(role, param="role", kind="role").value
        held = parse_have(have)
        with _index() as ix:
            answer = planning.gap(ix, role_iri, held, lang.value)
        closed_by = {c: rec["training_format"]["id"] for rec in answer["recommendations"]
                     for c in rec["closes"]}
        rows = [
            (r["competency"]["id"], r["competency"]["label"], r["required_level"],
             r["held_level"], str(r["essential"]).lower(), r["status"],
             closed_by.get(r["competency"]["iri"]))
            for r in answer["requirements"]
        ]
        _emit(fmt, answer, ("competency", "label", "required_level", "held_level", "essential",
                            "status", "closed_by"), rows,
              f"{answer['role']['label']}: coverage {answer['coverage']:.0%}")
        if fmt is Format.table and answer["uncovered"]:
            out.print("No training format closes: "
                      + ", ".join(i.rsplit("/", 1)[-1] for i in answer["uncovered"]))

    _run(action)


@app.command("match")
def match_cmd(
    have: HaveOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 20,
    fmt: FormatOption = Format.table,
    lang: LangOption = LangOpt.de,
) -> None:
    """Roles that best fit the held competencies, by coverage."""

    def action() -> None:
        held = parse_have(have)
        with _index() as ix:
            answer = planning.match(ix, held, limit, lang.value)
        rows = [
            (r["role"]["id"], r["role"]["label"], r["coverage"],
             " ".join(i.rsplit("/", 1)[-1] for i in r["missing"]))
            for r in answer["roles"]
        ]
        _emit(fmt, answer, ("role", "label", "coverage", "missing"), rows, "Matching roles")

    _run(action)


@app.command("curriculum-gaps")
def curriculum_gaps_cmd(
    role: Annotated[str | None, typer.Option("--role", help="Only this role")] = None,
    fmt: FormatOption = Format.table,
    lang: LangOption = LangOpt.de,
) -> None:
    """Required competencies that no training format develops to the required level."""

    def action() -> None:
        role_iri = binding.iri(role, param="role", kind="role").value if role else None
        with _index() as ix:
            answer = planning.curriculum_gaps(ix, role_iri, lang.value)
        rows = [
            (g["competency"]["id"], g["competency"]["label"], g["required_level"],
             g["best_available_level"], " ".join(r["id"] for r in g["roles"]))
            for g in answer["gaps"]
        ]
        _emit(fmt, answer, ("competency", "label", "required_level", "best_available_level",
                            "roles"), rows, "Curriculum gaps")

    _run(action)
