"""The project's self-checks, run by ``qualifica check`` (and ``make check``).

1. the ontology, with the bundled data, is consistent under HermiT, with no unsatisfiable class;
2. the bundled graph (ontology, vocabularies, data) conforms to the shapes;
3. every quality query ``queries/qc/*-violation.rq`` returns no rows on the bundled graph.

``run_checks`` runs in memory, over the bundled files; the configured store is not touched.
``run_store_checks`` (``qualifica check --store``) checks 2 and 3 on the configured store.
SHACL validation uses the shapes compiled to SPARQL (``fast/``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal as TypingLiteral

from pyoxigraph import NamedNode, Quad

from qualifica.config import Settings
from qualifica.errors import QualificaError
from qualifica.sparql.registry import Registry
from qualifica.store.base import SelectResult, Store
from qualifica.store.oxigraph import OxigraphStore
from qualifica.validation.fast import fast_validator, validate_with
from qualifica.validation.fast.validator import run_queries
from qualifica.validation.gate import graph_for
from qualifica.validation.reasoning import ReasonerUnavailable, check_consistency, ontology_files
from qualifica.validation.shacl import Report, Shapes, parse_files

log = logging.getLogger(__name__)

Status = TypingLiteral["pass", "fail", "error"]
_SHOW_ROWS = 10


@dataclass
class CheckOutcome:
    """One check's result: ``pass``, ``fail`` or ``error`` (could not run)."""

    name: str
    status: Status
    seconds: float
    detail: str = ""
    report: str = ""


def _timed(name: str, fn: Callable[[], tuple[Status, str, str]]) -> CheckOutcome:
    started = time.monotonic()
    try:
        status, detail, report = fn()
    except (QualificaError, ReasonerUnavailable, OSError) as exc:
        status, detail, report = "error", str(getattr(exc, "detail", exc)), ""
    return CheckOutcome(name, status, time.monotonic() - started, detail, report)


def bundled_files(settings: Settings) -> list[Path]:
    """Ontology, vocabularies and bundled data files, in load order."""
    return [*ontology_files(settings.ontology_dir), *sorted(settings.bundled_dir.glob("*.ttl"))]


def run_checks(settings: Settings, *, reasoner: bool = True) -> list[CheckOutcome]:
    """Run every check and return the outcomes in order."""
    outcomes: list[CheckOutcome] = []

    if reasoner:
        def consistency() -> tuple[Status, str, str]:
            result = check_consistency(bundled_files(settings))
            report = "\n".join(f"unsatisfiable: <{c}>" for c in result.unsatisfiable)
            return ("pass" if result.ok else "fail"), result.message, report

        outcomes.append(_timed("ontology and bundled graph consistent (HermiT)", consistency))

    files = bundled_files(settings)
    quads: list[Quad] = []

    def conformance() -> tuple[Status, str, str]:
        parsed = parse_files(files)
        for path, file_quads in parsed.items():
            target = NamedNode(graph_for(path))
            quads.extend(Quad(q.subject, q.predicate, q.object, target) for q in file_quads)
        shapes = Shapes(settings.shapes_dir, settings.ontology_dir)
        report = fast_validator(shapes).validate_quads(quads)
        return _conformance(report, f"{len(files)} file(s), {len(quads)} triples")

    shacl = _timed("bundled graph conforms to the shapes (SHACL)", conformance)
    outcomes.append(shacl)

    registry = Registry(settings.queries_dir)
    store = OxigraphStore(None)
    try:
        store.add(quads)
        for name, named in registry.qc.items():
            outcomes.append(_timed(f"qc: {name}", partial(_qc, store, named.text, settings)))
    finally:
        store.close()
    return outcomes


def run_store_checks(store: Store, shapes: Shapes, registry: Registry,
                     settings: Settings) -> list[CheckOutcome]:
    """Check the configured store: all it holds conforms to the shapes (validated in place,
    compiled to SPARQL) and every quality query returns no rows on it."""
    def conformance() -> tuple[Status, str, str]:
        report = validate_with(shapes, store)
        return _conformance(report, f"{store.count()} quads")

    outcomes = [_timed("store conforms to the shapes (SHACL)", conformance)]
    qc = list(registry.qc.items())
    shared = _shared_qc(store, [named.text for _name, named in qc])
    if shared is not None:
        for (name, _named), (result, seconds) in zip(qc, shared, strict=True):
            status, detail, report = _qc_rows(result)
            outcomes.append(CheckOutcome(f"qc: {name}", status, seconds, detail, report))
        return outcomes
    for name, named in qc:
        outcomes.append(_timed(f"qc: {name}", partial(_qc, store, named.text, settings)))
    return outcomes


def _shared_qc(store: Store, texts: list[str]) -> list[tuple[object, float]] | None:
    """The results of the quality queries ``texts`` run by this process and a second one
    reading a checkpoint of the embedded on-disk ``store`` (``run_queries``: each takes the
    next query when free), with each query's seconds; None when they cannot be shared (a
    store in memory or remote, one core, a folder without room for a checkpoint)."""
    native, path = getattr(store, "native", None), getattr(store, "path", None)
    if not callable(native) or path is None or len(texts) < 2 or (os.cpu_count() or 1) < 2:
        return None
    try:
        return run_queries(native(), Path(path), texts)
    except (OSError, RuntimeError, SyntaxError):  # then one by one, each error reported
        log.warning("quality queries in one process: they could not be shared", exc_info=True)
        return None


def _qc_rows(result: object) -> tuple[Status, str, str]:
    """The outcome of a quality query from its results as pyoxigraph gives them."""
    variables = getattr(result, "variables", None)
    if variables is None:
        return _qc_outcome(None)
    return _qc_outcome([{v.value: row[v] for v in variables if row[v] is not None}
                        for row in result])  # type: ignore[attr-defined]


def _conformance(report: Report, detail: str) -> tuple[Status, str, str]:
    if report.conforms:
        warnings = len(report.findings)
        return "pass", detail + (f", {warnings} warning(s)" if warnings else ""), ""
    lines = [f.text("en") for f in report.violations]
    return "fail", f"{detail}, {len(report.violations)} violation(s)", "\n".join(lines)


def _qc(store: Store, text: str, settings: Settings) -> tuple[Status, str, str]:
    result = store.query(text, timeout_s=settings.query_timeout_s * 6)
    return _qc_outcome(result.rows if isinstance(result, SelectResult) else None)


def _qc_outcome(rows: Sequence[Mapping[str, object]] | None) -> tuple[Status, str, str]:
    """The outcome of a quality query from its rows (``None``: it is not a SELECT): it passes
    without rows; else the first rows are shown."""
    if rows is None:
        return "error", "a quality query must be a SELECT", ""
    if not rows:
        return "pass", "0 rows", ""
    lines = [
        ", ".join(f"{k}={getattr(v, 'value', v)}" for k, v in row.items())
        for row in rows[:_SHOW_ROWS]
    ]
    if len(rows) > _SHOW_ROWS:
        lines.append(f"… and {len(rows) - _SHOW_ROWS} more")
    return "fail", f"{len(rows)} row(s)", "\n".join(lines)
