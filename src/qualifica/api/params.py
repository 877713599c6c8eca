"""Query parameters shared by several routes, as ``Annotated`` aliases (one description each)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

#: ``?format=`` on a linked-data resource: overrides content negotiation.
FormatParam = Annotated[
    str | None,
    Query(description="Overrides the Accept header: ttl, jsonld, nt, rdf or html."),
]
#: ``?lang=`` on an HTML page.
LangParam = Annotated[
    str | None, Query(description="Language of the HTML page: de (default) or en.")
]


#: ``changed_since`` of the role and offer pages: mark the legal bases changed since that day.
ChangedSinceParam = Annotated[str | None, Query(
    description="A day YYYY-MM-DD: each legal basis with a legal change since then is marked",
    openapi_examples={"before the BBiG reform": {"value": "2019-12-31"}})]
