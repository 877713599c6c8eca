"""Routes: the change feed for partner systems — ``/feeds/changes.atom`` (Atom 1.0) and
``/feeds/changes.jsonld`` (ActivityStreams 2.0), paged, newest first, with ``?since=``, an
``ETag`` and ``304 Not Modified`` on ``If-None-Match`` (see ``linkeddata.feed``)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from qualifica.api.caching import none_match
from qualifica.api.deps import CtxDep
from qualifica.api.examples import problem
from qualifica.errors import NotFound
from qualifica.linkeddata import feed_render
from qualifica.linkeddata.feed import FeedPage, feed_for, parse_since

router = APIRouter(tags=["feeds"])

ATOM = "application/atom+xml; charset=utf-8"
JSONLD = "application/activity+json; charset=utf-8"

PageQuery = Annotated[int, Query(ge=1, le=1_000_000, description="Page, 1 the newest")]
SinceQuery = Annotated[str | None, Query(
    description="Only entries stored after this time (RFC 3339, e.g. 2026-12-01T17:00:00Z) or "
                "day (YYYY-MM-DD)", examples=["2026-12-01T17:00:00Z"])]
LangQuery = Annotated[Literal["de", "en"], Query(description="Language of titles and summaries")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: problem(422, "Bad request", "parameter 'since' must be a time such as "
                 "2026-12-01T17:00:00Z or a day, got 'gestern'", "since"),
    404: problem(404, "Not found", "the feed has 3 page(s), not 7", "page"),
}


def _page(request: Request, ctx: CtxDep, page: int, since: str | None) -> FeedPage:
    got = feed_for(ctx).page(page, parse_since(since))
    if page > got.pages:
        raise NotFound(f"the feed has {got.pages} page(s), not {page}", param="page")
    return got


def _answer(request: Request, body_of: object, got: FeedPage, media_type: str,
            fmt: str, lang: str) -> Response:
    etag = feed_render.etag_of(got, fmt, lang)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    body = body_of() if callable(body_of) else body_of
    return Response(body, media_type=media_type, headers=headers)


@router.get("/feeds/changes.atom", summary="Change feed (Atom)",
            responses={200: {"description": "One page of the feed, newest first",
                             "content": {"application/atom+xml": {"example": "<feed …>"}}},
                       304: {"description": "Not modified (If-None-Match)"}, **_ERRORS})
def changes_atom(request: Request, ctx: CtxDep, page: PageQuery = 1, since: SinceQuery = None,
                 lang: LangQuery = "de") -> Response:
    """Every change to the data and every legal change as an Atom feed (RFC 4287), paged
    (RFC 5005 ``first``/``next``/``previous``/``last`` links): each entry links the resources
    changed (``rel="related"``) and lists the properties changed as categories."""
    got = _page(request, ctx, page, since)
    base = ctx.settings.public_base
    return _answer(request, lambda: feed_render.atom(got, base, lang), got, ATOM, "atom", lang)


@router.get("/feeds/changes.jsonld", summary="Change feed (ActivityStreams 2.0)",
            responses={200: {"description": "One page of the feed, newest first",
                             "content": {"application/activity+json": {"example": {
                                 "type": "OrderedCollectionPage", "orderedItems": []}}}},
                       304: {"description": "Not modified (If-None-Match)"}, **_ERRORS})
def changes_jsonld(request: Request, ctx: CtxDep, page: PageQuery = 1, since: SinceQuery = None,
                   lang: LangQuery = "de") -> Response:
    """The same feed as an ActivityStreams 2.0 ``OrderedCollectionPage`` (JSON-LD): each
    activity names the resources changed (``object``) and the properties changed
    (``changedProperty``); a legal change its provision, versions and amending act."""
    got = _page(request, ctx, page, since)
    base = ctx.settings.public_base

    def body() -> bytes:
        return json.dumps(feed_render.activity_streams(got, base, lang),
                          ensure_ascii=False).encode()

    return _answer(request, body, got, JSONLD, "jsonld", lang)
