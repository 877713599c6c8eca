"""Error messages of the search, match and browse pages in the page's language.

The library raises ``NotFound`` and ``BadParameter`` with English details, which the JSON API
passes on as they are; a page shows them to a planner, so :func:`worded` raises the same error
(status, ``param`` and ``id`` kept) with a message from ``web.i18n`` instead, marked
``worded`` so that the error page shows it as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from qualifica.errors import BadParameter, NotFound


@contextmanager
def worded(message: str) -> Iterator[None]:
    """Inside the block, a ``NotFound`` or ``BadParameter`` is raised again with ``message``."""
    try:
        yield
    except NotFound as exc:
        raise NotFound(message, **{**exc.extra, "worded": True}) from exc
    except BadParameter as exc:
        extra = {k: v for k, v in exc.extra.items() if k != "param"}
        raise BadParameter(message, param=exc.param, status=exc.status,
                           **{**extra, "worded": True}) from exc
