"""Storage backends: the ``Store`` protocol, the embedded pyoxigraph store and remote SPARQL
servers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from qualifica.store.base import (
    AskResult,
    ChangeSet,
    DatasetSpec,
    GraphResult,
    QueryResult,
    SelectResult,
    Store,
)

if TYPE_CHECKING:
    from qualifica.config import Settings

__all__ = [
    "AskResult",
    "ChangeSet",
    "DatasetSpec",
    "GraphResult",
    "QueryResult",
    "SelectResult",
    "Store",
    "open_store",
]


def open_store(settings: Settings, library: Mapping[str, str], *,
               read_only: bool = False) -> Store:
    """Open the store the settings name: remote when an endpoint is set, else embedded.

    ``library`` holds the texts of ``queries/lib`` (``Registry.library()``) a remote store runs.
    ``read_only`` opens the embedded on-disk store as a read-only view (beside a server that
    holds it); it changes nothing for a remote or in-memory store.
    """
    if settings.remote:
        from qualifica.store.remote import RemoteStore

        return RemoteStore.from_settings(settings, library)
    from qualifica.store.oxigraph import OxigraphStore

    if settings.in_memory:
        return OxigraphStore(None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return OxigraphStore(settings.data_dir / "store", read_only=read_only)
