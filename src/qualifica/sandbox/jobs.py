"""The jobs a sandbox worker runs, and the messages that carry them.

Each job is a small picklable dataclass; ``run`` evaluates it inside the worker process against
the store snapshot it names and returns plain bytes, so nothing the worker built (iterators,
parser state) crosses back into the API process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Quad, QuadParser, RdfFormat, parse, serialize

from qualifica.config import Settings
from qualifica.errors import BadParameter, ValidationFailed
from qualifica.sandbox.limits import RdfLimits, check_after_parse, check_before_parse
from qualifica.sparql import guard, protocol
from qualifica.sparql.registry import Registry
from qualifica.store import Store, open_store
from qualifica.store.base import DatasetSpec
from qualifica.store.oxigraph import OxigraphStore
from qualifica.validation import rdflib_cache
from qualifica.validation.changes import update_change
from qualifica.validation.incremental import Change, IncrementalValidator
from qualifica.validation.shacl import Shapes, parse_bytes


@dataclass(frozen=True)
class QueryJob:
    """A read-only SPARQL query, already checked by the tokenizer in the API process."""

    text: str
    info: guard.QueryInfo
    dataset: DatasetSpec | None
    accept: str | None
    format: tuple[str, ...] | None
    timeout_s: float
    service_allow: tuple[str, ...] = ()
    snapshot: str | None = None


@dataclass(frozen=True)
class ParseJob:
    """An uploaded RDF document to parse into quads (for ``graph``, or as it names them)."""

    data: bytes
    media_type: str
    graph: str | None
    base_iri: str | None
    limits: RdfLimits = field(default_factory=RdfLimits)


@dataclass(frozen=True)
class UpdateJob:
    """A SPARQL Update whose effect is to be computed (not applied) on a snapshot."""

    text: str
    info: guard.QueryInfo
    service_allow: tuple[str, ...] = ()
    load_allow: tuple[str, ...] = ()
    snapshot: str | None = None


@dataclass(frozen=True)
class ValidateJob:
    """A change to validate (incrementally, against the shapes) on a snapshot of the store."""

    added: bytes
    removed: bytes
    snapshot: str | None = None


Job = QueryJob | ParseJob | UpdateJob | ValidateJob


class WorkerState:
    """What a worker keeps between jobs: the store it last opened."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = Registry(settings.queries_dir)
        self._source: str | None = None
        self._store: Store | None = None
        self._validator: IncrementalValidator | None = None

    def validator(self) -> IncrementalValidator:
        """The incremental validator over the settings' shapes (parsed on first use)."""
        if self._validator is None:
            rdflib_cache.enable()
            s = self.settings
            self._validator = IncrementalValidator(Shapes(s.shapes_dir, s.ontology_dir),
                                                   self.registry.library())
        return self._validator

    def store(self, snapshot: str | None) -> Store:
        """The store a job names: a snapshot of the embedded store, or the remote store."""
        if self._store is not None and self._source == snapshot:
            return self._store
        if self._store is not None:
            self._store.close()
            self._store = None
        self._store = (OxigraphStore.open_snapshot(Path(snapshot)) if snapshot is not None
                       else open_store(self.settings, self.registry.library()))
        self._source = snapshot
        return self._store


def run(state: WorkerState, job: Job) -> Any:
    """Evaluate one job; its errors are ``QualificaError``s the caller passes on."""
    if isinstance(job, QueryJob):
        return _query(state, job)
    if isinstance(job, ParseJob):
        return _parse(job)
    if isinstance(job, ValidateJob):
        change = Change(added=from_nquads(job.added), removed=from_nquads(job.removed))
        return state.validator().validate(state.store(job.snapshot), change)
    return _update(state, job)


def _query(state: WorkerState, job: QueryJob) -> tuple[str, bytes]:
    if guard.needs_parse(job.info):
        guard.verify_parsed(job.text, job.info, update=False, service_allow=job.service_allow)
    expected = protocol.kind_of_form(job.info.form or "select")
    media = protocol.negotiate(job.accept, expected, job.format)
    result = state.store(job.snapshot).query(job.text, dataset=job.dataset,
                                             timeout_s=job.timeout_s)
    if protocol.result_kind(result) != expected:
        media = protocol.negotiate(job.accept, protocol.result_kind(result), job.format)
    return media, protocol.serialize_result(result, media)


def _parse(job: ParseJob) -> bytes:
    fmt = RdfFormat.from_media_type(job.media_type)
    if fmt is None:
        raise ValueError(f"no RDF format for {job.media_type}")
    check_before_parse(job.data, fmt, job.limits)
    try:
        quads = parse_bytes(job.data, fmt, source="body", graph=job.graph,
                            base_iri=job.base_iri)
    except ValidationFailed as exc:  # a syntax error is a bad request body, not a SHACL report
        raise BadParameter(exc.detail, param="body") from exc
    check_after_parse(quads, job.limits)
    return nquads(quads)


def _update(state: WorkerState, job: UpdateJob) -> tuple[bytes, bytes]:
    if guard.needs_parse(job.info):
        guard.verify_parsed(job.text, job.info, update=True, service_allow=job.service_allow,
                            load_allow=job.load_allow)
    change = update_change(state.store(job.snapshot), job.text, allow_load=bool(job.load_allow))
    return nquads(change.added), nquads(change.removed)


def nquads(quads: Sequence[Quad]) -> bytes:
    """Quads as N-Quads, the form they cross between processes in."""
    return serialize(quads, format=RdfFormat.N_QUADS) or b""


def from_nquads(data: bytes) -> list[Quad]:
    """What ``nquads`` wrote (blank node labels kept, so they name the stored blank nodes)."""
    parser: QuadParser = parse(data, format=RdfFormat.N_QUADS)
    return list(parser)
