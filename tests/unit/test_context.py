"""The runtime context: parts are built once, even under concurrent first use, and ``close``
shuts down everything the context owns (parts newest first, query pool threads, store)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Quad

from qualifica import planning
from qualifica.api import create_app
from qualifica.config import Settings
from qualifica.context import Context, Part, open_context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.namespaces import QD
from qualifica.planning.index import HOLDER
from qualifica.sandbox import SANDBOX
from qualifica.validation.changes import VALIDATOR, validator_for
from qualifica.validation.shacl import SHAPES, shapes_of
from qualifica_testing import LOCAL


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(in_memory=True, load_bundled=False, data_dir=tmp_path)


def test_a_part_is_built_once_under_concurrent_first_use(settings: Settings) -> None:
    builds: list[int] = []

    def slow(ctx: Context) -> list[int]:
        builds.append(1)
        time.sleep(0.05)
        return []

    part: Part[list[int]] = Part("slow", slow)
    ctx = open_context(settings)
    try:
        got: list[list[int]] = []
        threads = [threading.Thread(target=lambda: got.append(ctx.part(part)))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=5)
        assert len(builds) == 1 and len(got) == 8
        assert all(g is got[0] for g in got)
        assert ctx.built(part) is got[0]
    finally:
        ctx.close()


def test_parts_are_per_context_and_typed_by_owner(settings: Settings, tmp_path: Path) -> None:
    a = open_context(settings)
    b = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp_path / "b"))
    try:
        assert a.built(SHAPES) is None
        validator = validator_for(a)
        # the validator was built from the context's own shapes, which it built on the way
        assert validator.shapes is shapes_of(a) is a.built(SHAPES)
        assert a.built(VALIDATOR) is validator and b.built(VALIDATOR) is None
        assert catalogue_for(a) is not catalogue_for(b)
    finally:
        a.close()
        b.close()


def test_close_closes_parts_newest_first_then_the_store(settings: Settings) -> None:
    closed: list[str] = []

    def closer(name: str) -> Part[str]:
        return Part(name, lambda ctx: name, close=closed.append)

    first, second = closer("first"), closer("second")

    def broken_close(value: str) -> None:
        closed.append(value)
        raise RuntimeError("cannot close")

    broken: Part[str] = Part("broken", lambda ctx: "broken", close=broken_close)
    ctx = open_context(settings)
    ctx.part(first)
    ctx.part(broken)
    ctx.part(second)

    sandbox = ctx.part(SANDBOX)
    sandbox.start()
    deadline = time.monotonic() + 60
    while len(sandbox.pids) < settings.query_workers and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = sandbox.pids
    assert len(workers) == settings.query_workers
    ctx.close()
    # a part that fails to close does not keep the others open
    assert closed == ["second", "broken", "first"]
    # the sandbox part was closed with the others: its worker processes are gone
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    with pytest.raises(AttributeError):  # the store is released
        ctx.store.count()
    assert ctx.closed
    ctx.close()  # a second close does nothing
    assert closed == ["second", "broken", "first"]
    with pytest.raises(RuntimeError, match="closed"):
        ctx.part(Part("late", lambda c: 1))


def test_a_closed_planning_holder_no_longer_follows_the_store(settings: Settings) -> None:
    ctx = open_context(settings)
    other = Context(settings=settings, store=ctx.store, registry=ctx.registry)
    planning.get_index(other)
    holder = other.part(HOLDER)
    rebuilds = holder.rebuilds
    # closing the parts only: the store belongs to ``ctx``
    holder.close()
    ctx.store.add([Quad(NamedNode("https://w3id.org/qualifica/id/role/x"),
                        NamedNode(QD + "performsTask"),
                        NamedNode("https://w3id.org/qualifica/id/task/y"),
                        NamedNode("https://w3id.org/qualifica/graph/test"))])
    assert holder.rebuilds == rebuilds and holder.patches == 0
    ctx.close()


def test_the_app_builds_the_planning_index_at_start_and_closes_its_context(
        settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app, base_url=LOCAL) as client:
        assert client.get("/healthz").status_code == 200
        ctx: Context = app.state.ctx
        assert ctx.built(HOLDER) is not None and not ctx.closed
    assert ctx.closed


def test_the_app_leaves_a_given_context_open(settings: Settings) -> None:
    ctx = open_context(settings)
    try:
        with TestClient(create_app(settings, context=ctx), base_url=LOCAL) as client:
            assert client.get("/healthz").status_code == 200
        assert not ctx.closed and ctx.store.count() == 0
    finally:
        ctx.close()
