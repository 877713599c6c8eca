"""The ``union-filtered`` dataset mode: queries use the server's union, the store's own
bookkeeping (count, graph list, quads, dump, clear) covers Qualifica's graphs only."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from qualifica.store.base import SelectResult
from qualifica.store.remote import RemoteStore
from qualifica_testing import Server, library, start_oxigraph

OWN = "https://w3id.org/qualifica/graph/probe"
OTHER = "urn:x-other-application:graph"
P = NamedNode("urn:x-test:p")

pytestmark = pytest.mark.remote


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An Oxigraph server whose default graph is the union."""
    srv = start_oxigraph(tmp_path_factory.mktemp("modes") / "db")
    yield srv
    srv.stop()


def _store(server: Server, mode: str) -> RemoteStore:
    return RemoteStore(server.query, update_endpoint=server.update, library=library(),
                       dataset_mode=mode)


def test_union_filtered_bookkeeping_covers_own_graphs_only(server: Server) -> None:
    plain = _store(server, "union")
    plain.clear()
    other = Quad(NamedNode("urn:x-other:s"), P, Literal("other"), NamedNode(OTHER))
    plain.add([other])
    store = _store(server, "union-filtered")
    own = Quad(NamedNode("urn:x-test:s"), P, Literal("own"), NamedNode(OWN))
    store.add([own])

    # queries see the server's union (both graphs) ...
    rows = store.query("SELECT ?o WHERE { ?s <urn:x-test:p> ?o }")
    assert isinstance(rows, SelectResult)
    assert sorted(str(r["o"]) for r in rows.rows) == ['"other"', '"own"']
    # ... the bookkeeping only Qualifica's graphs
    assert store.count() == 1
    assert store.named_graphs() == [OWN]
    assert list(store.quads()) == [own]
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    assert b"other" not in out.getvalue() and b"own" in out.getvalue()
    # clear() drops Qualifica's graphs and leaves the other application's graph alone
    store.clear()
    assert store.count() == 0
    assert plain.named_graphs() == [OTHER]
    assert plain.count() == 1


def test_unknown_dataset_mode_is_refused(server: Server) -> None:
    with pytest.raises(ValueError, match="dataset_mode"):
        _store(server, "everything")
