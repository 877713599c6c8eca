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
