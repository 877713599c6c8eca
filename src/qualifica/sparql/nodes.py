"""The node form every JSON answer uses: ``{"iri", "id", "label", "type"}``.

``id`` is the slug within its kind, ``type`` the kind (``role``, ``competency``, ...), and ``label``
the ``skos:prefLabel`` in the requested language with fallback (``qualifica.labels``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from qualifica.labels import pick_label
from qualifica.namespaces import ID, KINDS


class Node(TypedDict):
    """A resource as it appears in JSON answers."""

    iri: str
    id: str
    label: str
    type: str


def kind_of(iri: str) -> str | None:
    """The kind of an instance IRI (``role`` ...), or ``None`` for other IRIs."""
    if iri.startswith(ID):
        kind = iri[len(ID):].split("/", 1)[0]
        if kind in KINDS:
            return kind
    return None


def slug_of(iri: str) -> str:
    """The slug of an instance IRI; other IRIs are their own id."""
    if iri.startswith(ID) and iri.count("/") >= ID.count("/") + 1:
        return iri.rsplit("/", 1)[-1]
    return iri


def make_node(iri: str, labels: Mapping[str, str], lang: str = "de",
              type_: str | None = None) -> Node:
    """A ``Node`` for ``iri`` with its labels by language."""
    return Node(iri=iri, id=slug_of(iri), label=pick_label(labels, lang, slug_of(iri)),
                type=type_ or kind_of(iri) or "resource")
