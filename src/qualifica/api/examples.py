"""Building blocks of the OpenAPI documentation of the routes: example nodes and problems, and
the answers of a content-negotiated resource."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from qualifica.namespaces import instance_iri

#: The 406 answer of every content-negotiated route.
NOT_ACCEPTABLE: dict[str, Any] = {"description": "None of the offered media types is acceptable"}


def node(kind: str, slug: str, label: str) -> dict[str, str]:
    """A resource as JSON answers show it (``sparql.nodes.Node``), for an example."""
    return {"iri": instance_iri(kind, slug), "id": slug, "label": label, "type": kind}


def problem(status: int, title: str, detail: str, param: str | None = None) -> dict[str, Any]:
    """An answer documented by an RFC 9457 problem example."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail}
    if param:
        body["param"] = param
    return {"description": title, "content": {"application/problem+json": {"example": body}}}


def negotiated(description: str, formats: Iterable[str], examples: Mapping[str, object],
               more: Mapping[int, dict[str, Any]] | None = None) -> dict[int | str, Any]:
    """The answers of a content-negotiated route: 200 in each of ``formats`` (with the example
    given for it, if any), the ``more`` answers by status, and 406."""
    content = {m: {"example": examples[m]} if m in examples else {} for m in formats}
    answers: dict[int | str, Any] = {200: {"description": description, "content": content}}
    for status, answer in (more or {}).items():
        answers[status] = answer
    answers[406] = NOT_ACCEPTABLE
    return answers
