"""One writer, many readers (``store/follower.py``): what the writer publishes and how a reader
follows it, on real on-disk pyoxigraph stores; and which routes a reader forwards."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from qualifica.api.app import create_app
from qualifica.api.workers import per_worker_settings, write_routes
from qualifica.config import Settings
from qualifica.errors import StoreUnavailable
from qualifica.store.base import ChangeSet
from qualifica.store.follower import STATE, FollowerStore, Publisher, read_state
from qualifica.store.oxigraph import OxigraphStore
from qualifica_testing import writer_and_reader

Pair = tuple[OxigraphStore, Publisher, FollowerStore, list[ChangeSet]]
"""The writer's store, its publisher, a reader, and the changes the reader's listener got."""

G = NamedNode("https://w3id.org/qualifica/graph/t")


def quad(i: int) -> Quad:
    return Quad(NamedNode(f"urn:s:{i}"), NamedNode("urn:p"), Literal(f"v{i}"), G)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    store, publisher, follower = writer_and_reader(tmp_path, [quad(0)])
    seen: list[ChangeSet] = []
    follower.subscribe(seen.append)
    yield store, publisher, follower, seen
    follower.close()
    store.close()


def test_a_reader_sees_each_commit_after_refresh_with_the_exact_change(pair: Pair) -> None:
    store, publisher, follower, seen = pair
    assert follower.count() == 1
    assert follower.generation == publisher.serial
    store.add([quad(1), quad(2)])
    assert follower.count() == 1  # a fixed state until it looks again
    assert follower.refresh()
    assert follower.count() == 3
    assert follower.generation == publisher.serial
    assert len(seen) == 1
    assert set(seen[0].added or []) == {quad(1), quad(2)} and seen[0].removed == []
    assert follower.refresh() and len(seen) == 1  # nothing new: no listener call


def test_changes_in_between_are_combined_into_their_net_effect(pair: Pair) -> None:
    store, _publisher, follower, seen = pair
    store.add([quad(1)])
    store.remove([quad(1)])  # added and removed again: no net change
    store.add([quad(2)])
    store.remove([quad(0)])  # stored before: removed
    store.apply([quad(2)], [quad(3)])
    follower.refresh()
    assert len(seen) == 1
    assert seen[0].added == [quad(3)]
    assert seen[0].removed == [quad(0)]
    assert {q for q in follower.quads()} == {quad(3)}


def test_unknown_changes_and_missing_files_tell_listeners_to_read_everything(pair: Pair) -> None:
    store, publisher, follower, seen = pair
    store.update(f"INSERT DATA {{ GRAPH <{G.value}> {{ <urn:s:9> <urn:p> 1 }} }}")
    follower.refresh()
    assert seen[-1].added is None and seen[-1].removed is None
    store.add([quad(5)])
    (publisher.folder / f"c{publisher.serial}-added.nq").unlink()
    follower.refresh()
    assert seen[-1].added is None
    assert follower.count() == 3


def test_a_new_writer_goes_on_with_higher_serials_and_readers_reread(pair: Pair) -> None:
    store, publisher, follower, seen = pair
    before = publisher.serial
    second = Publisher(store, publisher.folder, retain_s=3600)
    second.start()
    assert second.serial > before and second.epoch != publisher.epoch
    follower.refresh()
    assert follower.generation == second.serial
    assert seen[-1].added is None  # another writer: read everything again


def test_writer_and_reader_name_the_same_data_by_the_same_generation(pair: Pair) -> None:
    store, publisher, follower, _seen = pair
    for i in range(3, 6):
        store.add([quad(i)])
        follower.refresh()
        assert store.generation == publisher.serial == follower.generation
    # a new writer goes on from the published serial: its store's generation moves with it
    second = Publisher(store, publisher.folder, retain_s=3600)
    second.start()
    follower.refresh()
    assert store.generation == second.serial == follower.generation
    # the same body at the same generation: the same ETag in every process
    from qualifica.api.caching import etag_for
    assert etag_for(b"{}", store.generation) == etag_for(b"{}", follower.generation)


def test_a_reader_knows_at_once_when_a_newer_state_is_published(pair: Pair) -> None:
    store, _publisher, follower, _seen = pair
    assert not follower.stale()
    store.add([quad(7)])
    assert follower.stale()  # one stat of state.json, no waiting for the poll
    follower.refresh()
    assert not follower.stale() and follower.count() == 2


def test_a_state_being_moved_to_still_shows_as_stale_until_the_move_is_complete(
        pair: Pair) -> None:
    """A request that asks while the background poll is moving (listeners still patching)
    must not answer from the state before: it sees ``stale`` and waits for the move."""
    store, _publisher, follower, _seen = pair
    patching, release = threading.Event(), threading.Event()

    def slow_listener(_change: ChangeSet) -> None:
        patching.set()
        release.wait(10)

    follower.subscribe(slow_listener)
    store.add([quad(8)])
    poll = threading.Thread(target=follower.refresh)
    poll.start()
    try:
        assert patching.wait(10)
        assert follower.stale()
    finally:
        release.set()
        poll.join(10)
    assert not follower.stale()
    assert follower.refresh() and follower.count() == 2


def test_readers_refuse_writes(pair: Pair) -> None:
    _store, _publisher, follower, _seen = pair
    with pytest.raises(StoreUnavailable):
        follower.add([quad(7)])
    with pytest.raises(StoreUnavailable):
        follower.update("CLEAR ALL")
    assert follower.count() == 1


def test_superseded_checkpoints_and_changes_are_deleted_after_retain_s(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    folder = tmp_path / "shared"
    folder.mkdir()
    publisher = Publisher(store, folder, retain_s=0)
    publisher.start()
    for i in range(3):
        store.add([quad(i)])
    names = sorted(p.name for p in folder.iterdir())
    state = read_state(folder)
    assert state is not None and state.checkpoint == str(folder / f"cp-{publisher.serial}")
    # only the current state remains (and the state file)
    assert names == sorted([STATE, f"cp-{publisher.serial}", f"c{publisher.serial}-added.nq",
                            f"c{publisher.serial}-removed.nq"])
    assert json.loads((folder / STATE).read_text())["serial"] == publisher.serial
    store.close()


def test_a_reader_waits_for_the_writer_a_bounded_time(tmp_path: Path) -> None:
    follower = FollowerStore(tmp_path)
    with pytest.raises(StoreUnavailable, match="published nothing"):
        follower.wait_for_writer(0.2)


def test_the_forwarded_routes_are_exactly_the_token_protected_writes(tmp_path: Path) -> None:
    app = create_app(Settings(in_memory=True, data_dir=tmp_path))
    assert write_routes(app) == {("PUT", "/graphs"), ("POST", "/graphs"),
                                 ("DELETE", "/graphs"), ("POST", "/sparql/update"),
                                 ("POST", "/api/import"), ("POST", "/api/releases")}


@pytest.mark.parametrize(("total", "workers", "share"), [(2, 2, 1), (2, 1, 2), (4, 2, 2),
                                                          (5, 2, 3), (1, 4, 1)])
def test_the_sandbox_workers_are_split_between_the_processes(total: int, workers: int,
                                                             share: int) -> None:
    assert per_worker_settings(Settings(query_workers=total), workers).query_workers == share


def test_a_reader_whose_writer_is_away_answers_a_write_503_and_reads_on(tmp_path: Path) -> None:
    import asyncio

    import httpx

    from qualifica.api.workers import ForwardWrites, Plan, Role

    reads: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        reads.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    plan = Plan(folder=str(tmp_path), writer_socket=str(tmp_path / "absent.sock"), workers=2)
    role = Role(Settings(data_dir=tmp_path), plan, writes=False, lock_fd=-1,
                store=FollowerStore(tmp_path))
    role._client = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=plan.writer_socket), base_url="http://writer")
    middleware = ForwardWrites(app, role=role, writes={("PUT", "/graphs")})

    async def call(method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"<a> <b> <c> .", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
                 "query_string": b"graph=urn%3Ag", "headers": [(b"host", b"127.0.0.1")]}
        await middleware(scope, receive, send)  # type: ignore[arg-type]
        start, body = sent[0], sent[-1]
        headers = {k.decode(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
        return start["status"], headers, body["body"]  # type: ignore[return-value]

    status, headers, body = asyncio.run(call("PUT", "/graphs"))
    assert status == 503
    assert headers["content-type"] == "application/problem+json"
    assert headers["retry-after"] == "2"
    assert b"writing process is not available" in body
    assert reads == []  # not handed to the reader's own app
    assert asyncio.run(call("GET", "/graphs"))[2] == b"read"
    assert reads == ["/graphs"]
