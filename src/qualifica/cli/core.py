"""Core commands: serve, load, validate, query, check, export.

Exit codes: 0 ok / conforms, 1 violations (or a syntax error in loaded data, or a failed check),
2 error (bad arguments, configuration, store).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pyoxigraph import RdfFormat
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from qualifica.cli import beside
from qualifica.cli.app import app, context, err, fail, out, settings
from qualifica.config import Settings
from qualifica.errors import QualificaError, ValidationFailed
from qualifica.sparql import binding, guard, protocol, run
from qualifica.store.base import AskResult, GraphResult, QueryResult, SelectResult
from qualifica.validation.checks import CheckOutcome, run_checks, run_store_checks
from qualifica.validation.fast import fast_validator
from qualifica.validation.gate import GateRejected, load_files
from qualifica.validation.shacl import Shapes, shapes_of

#: Warnings a load prints (``validate`` prints all of them).
_SHOW_WARNINGS = 20

FilesArg = Annotated[
    list[Path],
    typer.Argument(exists=True, dir_okay=False, readable=True,
                   help="RDF files (.ttl .nt .jsonld ...)"),
]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="Server processes (default: QUALIFICA_WORKERS, else the number of "
        "cores); one of them writes, the others read and forward writes to it")] = None,
) -> None:
    """Serve the API, the SPARQL endpoint and the pages; loads the bundled graph when empty."""
    import uvicorn

    from qualifica.api import create_app
    from qualifica.api.transport import PROTOCOL as HTTP_PROTOCOL
    from qualifica.api.workers import default_workers
    from qualifica.api.workers import serve as serve_workers

    s = settings()
    update: dict[str, object] = {}
    if host:
        update["host"] = host
    if port:
        update["port"] = port
    s = s.model_copy(update=update)
    if s.base_iri == Settings.model_fields["base_iri"].default and (s.host, s.port) != (
        "127.0.0.1", 8000
    ):
        # No public base IRI configured: name the address actually served.
        s = s.model_copy(update={"base_iri": f"http://{s.host}:{s.port}/"})
    workers = workers or s.workers
    if s.in_memory and not s.remote and (workers or 1) > 1:
        err.print("error: --workers above 1 needs a store on disk or a remote store "
                  "(QUALIFICA_IN_MEMORY keeps one store per process)", style="red")
        raise typer.Exit(2)
    if beside.store_is_held(s):
        raise fail(beside.held_line(s, "stop it first, or serve another data directory "
                                       "(QUALIFICA_DATA_DIR)"))
    count = workers or (1 if s.in_memory and not s.remote else default_workers())
    with beside.announce(s):
        if count > 1:
            serve_workers(s, count)
        else:
            uvicorn.run(create_app(s, serving=True), host=s.host, port=s.port,
                        log_level=s.log_level.lower(), http=HTTP_PROTOCOL)


# --- load -----------------------------------------------------------------------------------

@contextmanager
def _progress(total_files: int) -> Iterator[object]:
    """A progress bar on stderr for parse → validate → write."""
    # Redrawn at each stage, not by a refresh thread: with no other thread running, full
    # validation may fork a worker for the second core (``validation/fast/``).
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
        TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
        console=err, transient=True, auto_refresh=False,
    ) as bar:
        parse_task = bar.add_task("parsing", total=total_files)
        check_task = bar.add_task("validating against the shapes", total=1, start=False)

        def report(stage: str, done: int, total: int) -> None:
            if stage == "parsed":
                bar.update(parse_task, completed=done, total=total)
            elif stage == "validating":
                bar.start_task(check_task)
            elif stage == "written":
                bar.update(check_task, completed=1, description="written")
            bar.refresh()

        yield report


@app.command()
def load(
    files: FilesArg,
    graph: Annotated[
        str | None, typer.Option(help="Load everything into this named graph (an absolute IRI)")
    ] = None,
) -> None:
    """Validate files against the shapes together with the store, then write them all or nothing.

    Without --graph each file goes to the graph https://w3id.org/qualifica/graph/{file stem}.
    On a violation or a syntax error nothing is written and the report is printed (exit 1).
    """
    target = _graph_iri(graph)
    with context(bundled=True, write="stop it to load files, or send each graph through it "
                 "(PUT /graphs?graph=… with a bearer token, see docs/writes.md)") as ctx:
        started = time.monotonic()
        try:
            with _progress(len(files)) as report:
                result = load_files(ctx.store, shapes_of(ctx), files, graph=target,
                                    progress=report)  # type: ignore[arg-type]
        except GateRejected as exc:
            out.print("Rejected, nothing was written:", style="bold red")
            out.print(exc.report.text("en"), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc
        except ValidationFailed as exc:
            out.print("Rejected, nothing was written:", style="bold red")
            out.print(exc.detail, markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc
        except QualificaError as exc:
            err.print(f"error: {exc.detail}", markup=False)
            raise typer.Exit(2) from exc
        seconds = time.monotonic() - started
        warnings = [f for f in result.report.findings if f.severity != "Violation"]
        out.print(
            f"Loaded {result.files} file(s): {result.quads} quads written "
            f"({result.before} → {result.after} in the store) in {seconds:.1f} s.",
            markup=False, highlight=False, soft_wrap=True,
        )
        for finding in warnings[:_SHOW_WARNINGS]:
            out.print(finding.text("en"), markup=False, highlight=False, soft_wrap=True)
        if len(warnings) > _SHOW_WARNINGS:
            out.print(f"… and {len(warnings) - _SHOW_WARNINGS} more warning(s) "
                      "(qualifica validate FILE lists them all).",
                      markup=False, highlight=False, soft_wrap=True)


# --- validate -------------------------------------------------------------------------------

class ReportFormat(StrEnum):
    """Output forms of ``validate``."""

    text = "text"
    turtle = "turtle"
    json = "json"


@app.command()
def validate(
    files: FilesArg,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help="Report form")
                   ] = ReportFormat.text,
    lang: Annotated[str, typer.Option(help="Language of the messages (de|en)")] = "en",
) -> None:
    """Validate files against the shapes, with the bundled ontology and vocabularies (not the
    store). Exit 0 when they conform, 1 on violations, 2 on an error (e.g. a syntax error)."""
    s = settings()
    try:
        shapes = Shapes(s.shapes_dir, s.ontology_dir)
        # parsed straight into memory, with the ontology mixed in; the shapes compiled to
        # SPARQL (the results of pySHACL)
        report = fast_validator(shapes).validate_files(files)
    except QualificaError as exc:
        err.print(f"error: {exc.detail}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    if fmt is ReportFormat.json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    elif fmt is ReportFormat.turtle:
        graph = report.report_graph()
        text = graph.serialize(format="turtle") if graph is not None else ""
        sys.stdout.write(text)
    else:
        out.print(report.text(lang), markup=False, highlight=False, soft_wrap=True)
    sys.stdout.flush()
    raise typer.Exit(0 if report.conforms else 1)


# --- query ----------------------------------------------------------------------------------

class QueryFormat(StrEnum):
    """Output forms of ``query``."""

    table = "table"
    json = "json"
    csv = "csv"


def _graph_iri(graph: str | None) -> str | None:
    """The ``--graph`` option as an IRI; a bad value ends the command with exit code 2."""
    if graph is None:
        return None
    try:
        return binding.iri(graph, param="graph").value
    except QualificaError as exc:
        err.print(f"error: {exc.detail}", markup=False)
        raise typer.Exit(2) from exc


def _params(raw: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="-p")
        if key in values:  # repeated: a list (for iris parameters)
            prev = values[key]
            values[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            values[key] = value
    return values


def _label(term: object) -> str:
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def print_result(result: QueryResult, fmt: QueryFormat) -> None:
    """Write a query result to stdout in the chosen form."""
    if isinstance(result, GraphResult):
        media = {QueryFormat.table: protocol.TURTLE, QueryFormat.json: protocol.JSONLD,
                 QueryFormat.csv: protocol.NTRIPLES}[fmt]
        sys.stdout.buffer.write(protocol.serialize_graph(result.triples, media))
        sys.stdout.flush()
        return
    if fmt is QueryFormat.json:
        sys.stdout.write(json.dumps(protocol.results_json(result), ensure_ascii=False,
                                    indent=2) + "\n")
        return
    if fmt is QueryFormat.csv:
        sys.stdout.buffer.write(protocol.serialize_result(result, protocol.CSV))
        sys.stdout.flush()
        return
    if isinstance(result, AskResult):
        out.print("true" if result.value else "false")
        return
    assert isinstance(result, SelectResult)
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*(_label(row[v]) if v in row else "" for v in result.variables))
    out.print(table)
    out.print(f"{len(result.rows)} row(s)", style="dim")


@app.command()
def query(
    text: Annotated[str | None, typer.Argument(help="A SPARQL query")] = None,
    file: Annotated[Path | None, typer.Option("--file", exists=True, dir_okay=False,
                                              help="Read the query from a file")] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help="Run a named query")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A value of the named query: key=value (repeatable)")] = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help="Output form")
                   ] = QueryFormat.table,
) -> None:
    """Run a SPARQL query (text, --file, or --name with -p key=value) over the store."""
    given = [x for x in (text, file, name) if x is not None]
    if len(given) != 1:
        err.print("error: give exactly one of QUERY, --file or --name")
        raise typer.Exit(2)
    values = _params(param or [])
    if values and name is None:
        err.print("error: -p goes with --name")
        raise typer.Exit(2)
    with context(bundled=True) as ctx:
        s = ctx.settings
        try:
            if name is not None:
                result = run.execute(ctx.store, run.bound(ctx.registry.get(name), values),
                                     timeout_s=s.query_timeout_s)
            else:
                sparql = text if text is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
                sparql = guard.canonical(sparql)
                info = guard.check_query(sparql, service_allow=s.service_allow,
                                         max_chars=s.max_query_chars, max_depth=s.max_query_depth)
                result = ctx.store.query(sparql, dataset=info.dataset(),
                                         timeout_s=s.query_timeout_s)
        except (QualificaError, UnicodeDecodeError) as exc:
            detail = getattr(exc, "detail", str(exc))
            err.print(f"error: {detail}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
        print_result(result, fmt)


# --- check ----------------------------------------------------------------------------------

@app.command()
def check(
    skip_reasoner: Annotated[bool, typer.Option(
        "--skip-reasoner", help="Leave out the HermiT consistency check (needs Java)")] = False,
    store: Annotated[bool, typer.Option(
        "--store", help="Check the configured store instead of the bundled files: SHACL "
        "(all it holds) and the quality queries")] = False,
) -> None:
    """Check the ontology (HermiT consistency), the bundled graph (SHACL) and the quality
    queries (queries/qc, 0 rows each); with --store, the configured store (SHACL and the
    quality queries). Exit 0 when all pass, 1 on a failure, 2 on an error."""
    s = settings()
    started = time.monotonic()
    outcomes: list[CheckOutcome] = []
    if store:
        with context() as ctx, err.status("checking the store …"):
            outcomes = run_store_checks(ctx.store, shapes_of(ctx), ctx.registry, ctx.settings)
    else:
        with err.status("checking …"):
            outcomes = run_checks(s, reasoner=not skip_reasoner)
    table = Table(show_lines=False)
    table.add_column("check", overflow="fold")
    table.add_column("result", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("details", overflow="fold", min_width=26)
    for o in outcomes:
        style = {"pass": "green", "fail": "red", "error": "yellow"}[o.status]
        table.add_row(o.name, f"[{style}]{o.status}[/{style}]", f"{o.seconds:.1f} s",
                      o.detail.replace("[", r"\["))
    out.print(table)
    failed = [o for o in outcomes if o.status == "fail"]
    errors = [o for o in outcomes if o.status == "error"]
    total = time.monotonic() - started
    for o in [*failed, *errors]:
        if o.report:
            out.print(f"\n{o.name}:", style="bold")
            out.print(o.report, markup=False, highlight=False, soft_wrap=True)
    out.print(f"{len(outcomes) - len(failed) - len(errors)}/{len(outcomes)} passed "
              f"in {total:.1f} s")
    raise typer.Exit(2 if errors else 1 if failed else 0)


# --- export ---------------------------------------------------------------------------------

class ExportFormat(StrEnum):
    """Output forms of ``export``."""

    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"
    nq = "nq"
    trig = "trig"


_EXPORT = {
    ExportFormat.ttl: RdfFormat.TURTLE,
    ExportFormat.nt: RdfFormat.N_TRIPLES,
    ExportFormat.jsonld: RdfFormat.JSON_LD,
    ExportFormat.nq: RdfFormat.N_QUADS,
    ExportFormat.trig: RdfFormat.TRIG,
}


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="RDF format")
                   ] = ExportFormat.ttl,
    output: Annotated[Path | None, typer.Option("-o", "--output", dir_okay=False,
                                                help="File to write (default: stdout)")] = None,
    graph: Annotated[str | None, typer.Option(help="Only this named graph")] = None,
) -> None:
    """Write the store: ttl/nt/jsonld hold the union of all graphs, nq/trig keep the graphs."""
    target = _graph_iri(graph)
    with context(bundled=True) as ctx:
        try:
            if output is None:
                ctx.store.dump(sys.stdout.buffer, _EXPORT[fmt], graph=target)
                sys.stdout.flush()
            else:
                with output.open("wb") as fh:
                    ctx.store.dump(fh, _EXPORT[fmt], graph=target)
                err.print(f"wrote {output} ({output.stat().st_size} bytes)", markup=False)
        except (QualificaError, OSError) as exc:
            err.print(f"error: {getattr(exc, 'detail', exc)}", markup=False)
            raise typer.Exit(2) from exc
