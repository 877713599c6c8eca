"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from qualifica.context import Context
from qualifica_testing import (
    PLANNING_GRAPH_FILE,
    generated_graph_context,
    graph_file_context,
    planning_context,
)


@pytest.fixture
def small_ctx(tmp_path: Path) -> Iterator[Context]:
    """The small planning graph (``tests/data/planning/small.ttl``) in its own store."""
    ctx = graph_file_context(tmp_path, PLANNING_GRAPH_FILE, RdfFormat.TURTLE)
    yield ctx
    ctx.close()


@pytest.fixture
def planning_ctx(tmp_path: Path) -> Iterator[Context]:
    """The small planning graph in the graph ``…/graph/small`` (``planning_context``), in its
    own store."""
    ctx = planning_context(tmp_path)
    yield ctx
    ctx.close()


@pytest.fixture
def generated_ctx(tmp_path: Path) -> Iterator[Context]:
    """A small generated bench graph in its own store."""
    ctx = generated_graph_context(tmp_path)
    yield ctx
    ctx.close()
