"""The garbage collector around a server process's start-up (``api.memory``)."""

from __future__ import annotations

import gc

import pytest

from qualifica.api import memory


def test_collector_paused_inside_and_enabled_after_even_on_error() -> None:
    assert gc.isenabled()
    with memory.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), memory.collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("start-up failed")
    assert gc.isenabled()


def test_collector_left_alone_when_not_paused_or_already_off() -> None:
    with memory.collector_paused(False):
        assert gc.isenabled()
    gc.disable()
    try:
        with memory.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
