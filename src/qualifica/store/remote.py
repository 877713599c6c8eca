"""The remote backend: any SPARQL 1.1 server, over the SPARQL 1.1 Protocol (httpx).

Reads go to the query endpoint (SELECT/ASK as ``application/sparql-results+json``,
CONSTRUCT/DESCRIBE as N-Triples), writes to the update endpoint as one SPARQL Update request
each, so a write is atomic on the server. Results come back as pyoxigraph terms, exactly like
the embedded store's. Values reach the server only as a ``VALUES`` block written from the terms'
own N-Triples syntax (``store.text.with_values``).

Servers differ (see ``docs/backends.md``); what this module relies on:

* in ``union`` dataset mode (the default), a request without a dataset sees the union of all
  named graphs as its default graph (Oxigraph: ``--union-default-graph``); in ``explicit`` mode
  the store names the dataset of every query that names none itself: ``default-graph-uri`` and
  ``named-graph-uri`` are Qualifica's graphs (IRIs under the configured prefixes, plus every graph
  written through this store), so a server's own graphs (Virtuoso's system graphs, other
  applications' data) stay out of every answer, count and dump; ``union-filtered`` mode sends
  queries without a dataset (the server's union, as in ``union`` mode) but restricts the store's
  own bookkeeping (``count``, ``named_graphs``, ``quads``, ``dump``, ``clear``) to Qualifica's
  graphs, for a server whose union is right but which holds graphs of its own (Virtuoso, whose
  system graphs are made private, and which loses rows of property paths under a dataset);
* quads written into the store's own default graph are not told apart from the union when read
  back through SPARQL, so Qualifica keeps all data in named graphs and ``apply`` refuses quads of
  the default graph (``Conflict``);
* a stored blank node cannot be addressed (its label is local to one response): ``apply`` removes
  quads with blank nodes only together with their whole graph (``DROP GRAPH`` and the graph's new
  content in the same request), and refuses (``Conflict``) to remove some of them;
* the generation counter counts the writes made through this process; writes made by other
  clients of the same server are not seen by listeners.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import httpx
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from qualifica.errors import BadParameter, Conflict, QueryTimeout, StoreUnavailable
from qualifica.namespaces import GRAPH, PREFIXES
from qualifica.store import stamps, text
from qualifica.store.base import (
    AskResult,
    ChangeNotifier,
    ChangeSet,
    DatasetSpec,
    GraphResult,
    QueryResult,
    SelectResult,
    Term,
)

log = logging.getLogger(__name__)

_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/plain;q=0.5, "
    "text/turtle;q=0.4"
)
_ACCEPT_GRAPH = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5"
_RDF_TYPES = {
    "application/n-triples": RdfFormat.N_TRIPLES,
    "text/plain": RdfFormat.N_TRIPLES,
    "text/ntriples": RdfFormat.N_TRIPLES,
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}
DATASET_MODES = ("union", "explicit", "union-filtered")
EMPTY_GRAPH = "urn:x-qualifica:empty-graph"
"""Named in a request when a dataset part must be empty: the protocol cannot say "no graphs",
and servers treat an absent ``named-graph-uri`` as "all graphs"."""
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BNODE_LABEL = re.compile(r"[^A-Za-z0-9_]")
_UPDATE_GRAPH = re.compile(r"(?i)\bGRAPH\s+<([^<>\s]*)>")
_LOOKUP_BATCH = 500
"""Quads per ``VALUES`` block when asking which quads are stored."""


class RemoteStore(ChangeNotifier):
    """A ``Store`` over a SPARQL 1.1 server's query and update endpoints."""

    def __init__(
        self,
        query_endpoint: str,
        *,
        update_endpoint: str | None = None,
        auth: httpx.Auth | None = None,
        token: str | None = None,
        timeout_s: float = 30.0,
        library: Mapping[str, str],
        update_param: str | None = None,
        dataset_mode: str = "union",
        graph_prefixes: Sequence[str] = (GRAPH,),
    ) -> None:
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint
        self.timeout_s = timeout_s
        # Some servers (Virtuoso) take updates as a form field on the query endpoint only.
        self.update_param = update_param
        headers = {"User-Agent": "qualifica"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(auth=auth, headers=headers, timeout=timeout_s)
        ChangeNotifier.__init__(self)
        self._write_lock = threading.Lock()
        self._lib = _Library(library)
        if dataset_mode not in DATASET_MODES:
            raise ValueError(f"dataset_mode must be one of {DATASET_MODES}, not {dataset_mode!r}")
        self.dataset_mode = dataset_mode
        self.graph_prefixes = tuple(graph_prefixes)
        self._written: set[str] = set()
        self._known: tuple[str, ...] | None = None

    @classmethod
    def from_settings(cls, settings: Any, library: Mapping[str, str]) -> RemoteStore:
        """A remote store as ``QUALIFICA_SPARQL_*`` describe it."""
        if not settings.sparql_endpoint:
            raise StoreUnavailable("QUALIFICA_SPARQL_ENDPOINT is not set")
        auth = None
        if settings.sparql_user and settings.sparql_password:
            auth = httpx.BasicAuth(settings.sparql_user, settings.sparql_password)
        store = cls(
            settings.sparql_endpoint,
            update_endpoint=settings.sparql_update_endpoint,
            auth=auth,
            token=settings.sparql_token,
            timeout_s=max(float(settings.query_timeout_s), 1.0) * 3,
            library=library,
            update_param=getattr(settings, "sparql_update_param", None),
            dataset_mode=getattr(settings, "sparql_dataset", "union"),
            graph_prefixes=getattr(settings, "sparql_graph_prefix", None) or (GRAPH,),
        )
        store.ping()
        return store

    # -- HTTP ----------------------------------------------------------------------------
    def _post(
        self,
        url: str,
        data: list[tuple[str, str]] | None = None,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float | None = None,
        what: str = "query",
    ) -> httpx.Response:
        try:
            response = self._client.post(
                url,
                data=dict_pairs(data) if data is not None else None,
                content=content,
                headers=headers,
                timeout=timeout_s or self.timeout_s,
            )
        except httpx.TimeoutException as exc:
            raise QueryTimeout(
                f"the SPARQL server did not answer the {what} within "
                f"{timeout_s or self.timeout_s} s"
            ) from exc
        except httpx.HTTPError as exc:
            log.warning("SPARQL server unreachable at %s: %s", url, exc)
            raise StoreUnavailable("the SPARQL server cannot be reached") from exc
        if response.status_code == 400:
            log.info("SPARQL server rejected a %s: %s", what, response.text[:500])
            raise BadParameter(
                f"the SPARQL server rejected the {what} as malformed",
                param="update" if what == "update" else "query",
            )
        if response.status_code in (401, 403):
            log.warning("SPARQL server refused the credentials (%s)", response.status_code)
            raise StoreUnavailable("the SPARQL server refused the configured credentials")
        if response.status_code >= 300:
            log.warning("SPARQL server answered %s: %s", response.status_code,
                        response.text[:500])
            if response.status_code in (408, 504):
                raise QueryTimeout(f"the SPARQL server stopped the {what} (time limit)")
            raise StoreUnavailable(
                f"the SPARQL server failed the {what} (HTTP {response.status_code})"
            )
        return response

    # -- the dataset ---------------------------------------------------------------------
    def qualifica_graphs(self) -> tuple[str, ...]:
        """Qualifica's graphs on the server: the named graphs under ``graph_prefixes`` and
        those written through this store (cached; found again after an opaque update)."""
        known = self._known
        if known is None:
            rows = self._send(self._lib.text("store-graphs"), []).rows  # type: ignore[union-attr]
            found = {
                g.value for row in rows if isinstance(g := row.get("g"), NamedNode)
                and g.value.startswith(self.graph_prefixes)
            }
            known = tuple(sorted(found | self._written))
            self._known = known
        return known

    def _wrote(self, graphs: Iterable[str]) -> None:
        """Remember graphs written through this store (explicit and union-filtered modes)."""
        new = {g for g in graphs if g}
        self._written |= new
        known = self._known
        if known is not None and not new <= set(known):
            self._known = tuple(sorted(set(known) | new))

    def dataset_params(self, sparql: str, dataset: DatasetSpec | None, *,
                       own: bool = False) -> list[tuple[str, str]]:
        """The protocol's dataset fields for one query.

        A ``DatasetSpec`` is sent as given, an empty part as the empty graph ``EMPTY_GRAPH``
        (an absent ``named-graph-uri`` means "all graphs" on Oxigraph and Virtuoso). In
        ``explicit`` mode a query that names no dataset (neither here nor with ``FROM``) gets
        Qualifica's graphs as default and named graphs, and a part left ``None`` does too.
        ``union-filtered`` mode does so only for the store's own bookkeeping queries (``own``).
        """
        explicit = self.dataset_mode == "explicit" or (
            own and self.dataset_mode == "union-filtered")
        if dataset is None or (dataset.default_graphs is None and dataset.named_graphs is None):
            if not explicit:
                return []
            if text.names_dataset(sparql):
                return []  # the query's FROM / FROM NAMED name its dataset
            mine = self.qualifica_graphs()
            defaults: tuple[str, ...] | None = mine
            named: tuple[str, ...] | None = mine
        else:
            defaults, named = dataset.default_graphs, dataset.named_graphs
            if explicit:
                mine = self.qualifica_graphs()
                defaults = mine if defaults is None else defaults
                named = mine if named is None else named
        form: list[tuple[str, str]] = []
        if defaults is not None:
            form += [("default-graph-uri", g) for g in defaults or (EMPTY_GRAPH,)]
        if named is not None:
            form += [("named-graph-uri", g) for g in named or (EMPTY_GRAPH,)]
        return form

    def ping(self) -> None:
        """Fail with ``StoreUnavailable`` unless the server answers an ASK."""
        result = self._send(self._lib.text("store-ping"), [])
        if not isinstance(result, AskResult):
            raise StoreUnavailable("the SPARQL endpoint did not answer an ASK query")

    # -- reads ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        dataset: DatasetSpec | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a query on the server; substitutions become a leading VALUES block."""
        if substitutions:
            sparql = text.with_values(sparql, {k: [v] for k, v in substitutions.items()})
        return self._send(sparql, self.dataset_params(sparql, dataset), timeout_s)

    def _send(self, sparql: str, dataset_form: list[tuple[str, str]],
              timeout_s: float | None = None) -> QueryResult:
        form: list[tuple[str, str]] = [("query", sparql), *dataset_form]
        # Ask for a graph format when the query makes a graph: some servers (Virtuoso) answer
        # CONSTRUCT as JSON results when JSON is acceptable.
        graph_form = text.form_of(sparql) in ("CONSTRUCT", "DESCRIBE")
        response = self._post(
            self.query_endpoint,
            form,
            headers={"Accept": _ACCEPT_GRAPH if graph_form else _ACCEPT},
            timeout_s=timeout_s,
        )
        return _parse_response(response)

    def _select(self, name: str, values: Mapping[str, Sequence[Term]] | None = None
                ) -> SelectResult:
        query = self._lib.text(name)
        if values:
            query = text.with_values(query, values)
        result = self._send(query, self.dataset_params(query, None, own=True))
        assert isinstance(result, SelectResult)
        return result

    def quads(
        self,
        subject: NamedNode | BlankNode | None = None,
        predicate: NamedNode | None = None,
        obj: Term | None = None,
        graph: str | None = None,
    ) -> Iterator[Quad]:
        """Quads of the named graphs matching a pattern."""
        values: dict[str, Sequence[Term]] = {}
        if isinstance(subject, BlankNode):
            return iter(())  # blank node labels are local to one response
        if subject is not None:
            values["s"] = [subject]
        if predicate is not None:
            values["p"] = [predicate]
        if obj is not None:
            if isinstance(obj, BlankNode):
                return iter(())
            values["o"] = [obj]
        if graph is not None:
            values["g"] = [NamedNode(graph)]
        rows = self._select("store-quads", values).rows
        return iter(
            [
                Quad(
                    row.get("s", subject),  # type: ignore[arg-type]
                    row.get("p", predicate),  # type: ignore[arg-type]
                    row.get("o", obj),  # type: ignore[arg-type]
                    row.get("g", NamedNode(graph) if graph else DefaultGraph()),  # type: ignore[arg-type]
                )
                for row in rows
            ]
        )

    def count(self) -> int:
        """Number of quads in the named graphs (Qualifica's graphs unless in union mode)."""
        rows = self._select("store-count").rows
        value = rows[0].get("n") if rows else None
        return int(value.value) if value is not None else 0  # type: ignore[union-attr]

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs that hold quads (Qualifica's graphs unless in union mode)."""
        rows = self._select("store-graphs").rows
        return sorted(
            row["g"].value for row in rows if isinstance(row.get("g"), NamedNode)  # type: ignore[union-attr]
        )

    def dump(self, output: IO[bytes], fmt: RdfFormat, graph: str | None = None) -> None:
        """Write the store: quad formats keep graphs, triple formats get the union."""
        if fmt.supports_datasets and graph is None:
            serialize(self.quads(), output, format=fmt, prefixes=PREFIXES)
            return
        if graph is not None:
            query = text.with_values(self._lib.text("store-graph"), {"g": [NamedNode(graph)]})
        else:
            query = self._lib.text("store-union")
        result = self._send(query, self.dataset_params(query, None, own=True))
        assert isinstance(result, GraphResult)
        serialize(result.triples, output, format=fmt, prefixes=PREFIXES)

    # -- writes --------------------------------------------------------------------------
    def _update(self, text: str) -> None:
        if self.update_param:
            self._post(self.update_endpoint, [(self.update_param, text)], what="update")
        else:
            self._post(
                self.update_endpoint,
                content=text.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                what="update",
            )

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad], *,
              stamp: bool = False) -> ChangeSet:
        """Remove, then add, with one update request; publishes exactly what changed.

        With ``stamp`` the resources it touches get their ``dcterms:modified`` in the same
        request (``stamps.stamped``; the stored stamps are asked with one more query).

        Which quads are stored is asked first (a few ``VALUES`` queries), under the write lock.
        Quads with blank nodes are removed only with their whole graph (see the module doc).
        """
        removals = list(dict.fromkeys(removed))
        additions = list(dict.fromkeys(added))
        _named_graphs_only([*removals, *additions])
        with self._write_lock:
            stored = self._stored([q for q in (*removals, *additions)
                                   if not text.has_blank_node(q)])
            adding = set(additions)
            gone = [q for q in removals
                    if q not in adding and (text.has_blank_node(q) or q in stored)]
            new = [q for q in additions if text.has_blank_node(q) or q not in stored]
            if stamp:
                gone, new = stamps.stamped(gone, new, self._stamps_of, self._remaining)
                additions = [q for q in additions if not stamps.server_kept(q)]
            if not gone and not new:
                return ChangeSet(added=[], removed=[], graphs=set())
            dropped = self._whole_graphs(removals, stored)
            kept = [q for q in gone if text.graph_of(q) not in dropped]
            refill = [q for q in additions if text.graph_of(q) in dropped]
            inserts = list(dict.fromkeys([*new, *refill]))
            parts = []
            if kept:
                parts.append(text.delete_data(kept))
            if dropped:
                parts.append(text.drop_graphs(dropped))
            if inserts:
                parts.append(text.insert_data(inserts))
            self._update(" ;\n".join(parts))
            self._wrote(text.graphs_of(inserts))
            if dropped:
                self._known = None
            change = ChangeSet(added=new, removed=gone, graphs=text.graphs_of([*gone, *new]))
            self._committed(change)
            return change

    def _stamps_of(self, resources: Sequence[NamedNode]) -> list[Quad]:
        graph = NamedNode(stamps.MODIFIED_GRAPH)
        modified = NamedNode(stamps.DCTERMS_MODIFIED)
        return [Quad(row["s"], modified, row["m"], graph)  # type: ignore[arg-type]
                for start in range(0, len(resources), _LOOKUP_BATCH)
                for row in self._select("store-stamps",
                                        {"s": resources[start:start + _LOOKUP_BATCH]}).rows]

    def _remaining(self, resources: Sequence[NamedNode], gone: set[Quad]) -> set[NamedNode]:
        removing: dict[NamedNode, int] = {}
        for q in gone:
            if isinstance(q.subject, NamedNode) and not stamps.in_stamp_graph(q):
                removing[q.subject] = removing.get(q.subject, 0) + 1
        alive: set[NamedNode] = set()
        for start in range(0, len(resources), _LOOKUP_BATCH):
            batch = resources[start:start + _LOOKUP_BATCH]
            for row in self._select("store-statements", {"s": batch}).rows:
                held = int(row["n"].value)  # type: ignore[union-attr]
                subject = row["s"]
                if isinstance(subject, NamedNode) and held > removing.get(subject, 0):
                    alive.add(subject)
        return alive

    def _stored(self, quads: list[Quad]) -> set[Quad]:
        """Which of ``quads`` (without blank nodes, in named graphs) the server holds.

        Quads with a literal object are looked up by subject, predicate and graph and compared
        here: Virtuoso 7.2, holding the bundled graph, left stored quads with language-tagged
        literals out of the answer to a ``VALUES`` row naming them, so their removal did not
        happen."""
        found: set[Quad] = set()
        wanted = set(quads)
        whole = [(q.subject, q.predicate, q.object, q.graph_name)
                 for q in quads if not isinstance(q.object, Literal)]
        keys = list(dict.fromkeys((q.subject, q.predicate, q.graph_name)
                                  for q in quads if isinstance(q.object, Literal)))
        for names, rows in (("spog", whole), ("spg", keys)):
            for start in range(0, len(rows), _LOOKUP_BATCH):
                query = text.with_rows(self._lib.text("store-quads"), names,
                                       rows[start:start + _LOOKUP_BATCH])
                result = self._send(query, self.dataset_params(query, None, own=True))
                assert isinstance(result, SelectResult)
                for row in result.rows:
                    quad = Quad(row["s"], row["p"], row["o"], row["g"])  # type: ignore[arg-type]
                    if quad in wanted:
                        found.add(quad)
        return found

    def _whole_graphs(self, removals: list[Quad], stored: set[Quad]) -> set[str]:
        """The graphs that removals with blank nodes empty (they are dropped and refilled);
        ``Conflict`` when such removals leave part of their graph."""
        blank = {text.graph_of(q) for q in removals if text.has_blank_node(q)}
        for graph in sorted(blank):
            removing = sum(1 for q in removals if text.graph_of(q) == graph
                           and (text.has_blank_node(q) or q in stored))
            rows = self._select("store-count", {"g": [NamedNode(graph)]}).rows
            size = rows[0].get("n") if rows else None
            if size is None or int(size.value) != removing:  # type: ignore[union-attr]
                raise Conflict(
                    f"the graph <{graph}> holds blank nodes, and a remote SPARQL server cannot "
                    "address a stored blank node: remove or replace the whole graph "
                    "(DELETE or PUT /graphs?graph=…, DROP GRAPH, CLEAR GRAPH) instead",
                    graph=graph)
        return blank

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update on the server (one request)."""
        with self._write_lock:
            self._update(sparql)
            # graphs the update names are Qualifica's; others it may touch are found again
            self._wrote(_UPDATE_GRAPH.findall(sparql))
            self._known = None
            self._committed(ChangeSet())

    def clear(self) -> None:
        """Remove everything (in explicit and union-filtered mode: drop Qualifica's graphs
        only); listeners learn every quad removed (blank nodes as this response labels them)."""
        with self._write_lock:
            gone = list(self.quads())
            if self.dataset_mode != "union":
                self._known = None
                graphs = self.qualifica_graphs()
                if graphs:
                    self._update(text.drop_graphs(graphs))
            else:
                self._update("CLEAR SILENT ALL")
            self._known = None
            self._committed(ChangeSet(added=[], removed=gone, graphs=text.graphs_of(gone)))

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


class _Library:
    """The library queries this store runs (``queries/lib``, read by the registry)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)

    def text(self, name: str) -> str:
        try:
            return self._texts[name]
        except KeyError:
            raise StoreUnavailable(f"the library query {name!r} is missing") from None


def dict_pairs(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Form fields with repeated names (``named-graph-uri``) as httpx wants them."""
    out: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key in out:
            prev = out[key]
            out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[key] = value
    return out


def _parse_response(response: httpx.Response) -> QueryResult:
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    body = response.content
    if ctype in ("application/sparql-results+json", "application/json"):
        raw = parse_query_results(_normalise_json(body), format=QueryResultsFormat.JSON)
        if isinstance(raw, QuerySolutions):
            variables = [v.value for v in raw.variables]
            rows: list[dict[str, Term]] = []
            for solution in raw:
                row: dict[str, Term] = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        row[name] = value
                rows.append(row)
            if variables == ["__ASK_RETVAL"]:
                # Virtuoso answers ASK as a one-row SELECT of an integer
                value = rows[0].get("__ASK_RETVAL") if rows else None
                return AskResult(value is not None and value.value not in ("0", "false"))  # type: ignore[union-attr]
            return SelectResult(variables, rows)
        assert isinstance(raw, QueryBoolean)
        return AskResult(bool(raw))
    if ctype == "application/sparql-results+xml":
        raw = parse_query_results(body, format=QueryResultsFormat.XML)
        if isinstance(raw, QueryBoolean):
            return AskResult(bool(raw))
    fmt = _RDF_TYPES.get(ctype)
    if fmt is None:
        log.warning("unexpected content type from the SPARQL server: %r", ctype)
        raise StoreUnavailable(f"the SPARQL server answered with an unexpected type {ctype!r}")
    triples = [Triple(q.subject, q.predicate, q.object) for q in parse(body, format=fmt)]
    return GraphResult(triples)


def _normalise_json(body: bytes) -> bytes:
    """Virtuoso writes SPARQL 1.0-style JSON (``"type": "typed-literal"`` and ``"lang"``; SPARQL
    1.1 says ``literal`` with ``datatype`` and ``xml:lang``), computed booleans as ``"1"``/``"0"``
    and blank nodes as ``nodeID://b1`` (not a blank node label)."""
    if (b'"typed-literal"' not in body and b'"lang"' not in body
            and b"nodeID://" not in body):
        return body
    import json

    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
            if "lang" in term:
                term["xml:lang"] = term.pop("lang")
            if term.get("datatype") == _XSD_BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
            if term.get("type") == "bnode":
                term["value"] = _BNODE_LABEL.sub("", term["value"].removeprefix("nodeID://"))
    head = data.get("head", {})
    head.pop("link", None)
    return json.dumps(data).encode()


def _named_graphs_only(quads: list[Quad]) -> None:
    if any(isinstance(q.graph_name, DefaultGraph) for q in quads):
        raise Conflict(
            "a remote store keeps all data in named graphs (its default graph cannot be told "
            "apart from the union when read back): name a graph (?graph=IRI, GRAPH <…> { … })")
