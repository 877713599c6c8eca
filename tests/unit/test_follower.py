"""One writer, many readers (``store/follower.py``): what the writer publishes and how a reader
follows it, on real on-disk pyoxigraph stores; and which routes a reader forwards."""

from __future__ import annotations

import json
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

Pair = tuple[OxigraphStore, Publisher, FollowerStore, list[ChangeSet]]
"""The writer's store, its publisher, a reader, and the changes the reader's listener got."""

G = NamedNode("https://w3id.org/qualifica/graph/t")


def quad(i: int) -> Quad:
    return Quad(NamedNode(f"urn:s:{i}"), NamedNode("urn:p"), Literal(f"v{i}"), G)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    store = OxigraphStore(tmp_path / "store")
    store.add([quad(0)])
    folder = tmp_path / "shared"
    folder.mkdir()
    publisher = Publisher(store, folder, retain_s=3600)
    publisher.start()
    follower = FollowerStore(folder)
    follower.wait_for_writer(5)
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
                                 ("POST", "/api/import")}


@pytest.mark.parametrize(("total", "workers", "share"), [(2, 2, 1), (2, 1, 2), (4, 2, 2),
                                                          (5, 2, 3), (1, 4, 1)])
def test_the_sandbox_workers_are_split_between_the_processes(total: int, workers: int,
                                                             share: int) -> None:
    assert per_worker_settings(Settings(query_workers=total), workers).query_workers == share
