"""Long tables of the resource pages in pages of rows.

A role, competency, training-format or resource page shows at most ``Settings.page_rows`` rows
of each table (25 by default); a pager under a longer table reaches the others. Each table has
its own query parameter, ``page-{table}`` (``?page-requirements=2``), so that the pages of one
table keep those of the others. A value that is not a whole number from 1 is a 400; a page past
the last of its table is a 404 (an address names one set of rows, never another one silently).
The CSV and Excel downloads hold every row.

Only the rows shown are made: their provenance, their cells and, on the competency page, the
paths diagram (see ``docs/browse.md``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from qualifica.errors import BadParameter, NotFound

#: The query parameter of a table's page: ``page-{table}``.
PREFIX = "page-"
_NUMBER = re.compile(r"[1-9][0-9]{0,5}")

#: The page of each table (by name) a request asks for; a table not named is on page 1.
Pages = Mapping[str, int]
T = TypeVar("T")


def param(table: str) -> str:
    """The query parameter of ``table``'s page."""
    return PREFIX + table


def parse_pages(params: Iterable[tuple[str, str]], tables: Collection[str],
                words: Mapping[str, str]) -> dict[str, int]:
    """The pages asked for of ``tables`` (``page-{table}=N`` in ``params``), without the first
    pages (the same rows as no parameter). ``BadParameter`` (400) naming the parameter for a
    value that is not a whole number from 1 or a parameter given twice; parameters of tables
    the page does not have are ignored, like any unknown parameter."""
    out: dict[str, int] = {}
    seen: set[str] = set()
    for key, value in params:
        if not key.startswith(PREFIX) or key[len(PREFIX):] not in tables:
            continue
        name = key[len(PREFIX):]
        if name in seen:
            raise BadParameter(words["err_table_page_twice"].format(param=key), param=key,
                               worded=True)
        seen.add(name)
        if not _NUMBER.fullmatch(value.strip()):
            raise BadParameter(words["err_table_page"].format(param=key, value=value[:40]),
                               param=key, worded=True)
        if int(value) > 1:
            out[name] = int(value)
    return out


def key_of(pages: Pages) -> tuple[tuple[str, int], ...]:
    """``pages`` as part of a key (the kept pages of ``web.render.resource_page``)."""
    return tuple(sorted((k, v) for k, v in pages.items() if v > 1))


@dataclass(frozen=True)
class Window:
    """The rows of a table a page shows: page ``page`` of ``size`` rows each, of ``total``."""

    name: str
    page: int
    size: int
    total: int
    #: The word (``web.i18n``) that says which rows are shown: "Zeilen 6–10 von 15".
    unit: str = "rows_of"

    @property
    def start(self) -> int:
        """The index of the first row shown."""
        return (self.page - 1) * self.size

    @property
    def stop(self) -> int:
        """The index after the last row shown."""
        return min(self.start + self.size, self.total)

    @property
    def pages(self) -> int:
        """How many pages the table fills (at least one, also when it is empty)."""
        return max(1, -(-self.total // self.size))

    def links(self) -> list[int | None]:
        """The page numbers a pager links: the first, the last and two either side of this
        page; ``None`` where numbers are left out."""
        keep = {1, self.pages, *range(self.page - 2, self.page + 3)}
        out: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n in keep:
                out.append(n)
            elif out and out[-1] is not None:
                out.append(None)
        return out

    def cut(self, items: Sequence[T]) -> list[T]:
        """The items shown."""
        return list(items[self.start:self.stop])


def window(name: str, total: int, pages: Pages | None, size: int, title: str,
           words: Mapping[str, str], unit: str = "rows_of") -> Window:
    """The window of table ``name`` with ``total`` rows on the page ``pages`` asks for; every
    row when ``pages`` is ``None`` (the downloads). ``NotFound`` for a page past the last.
    ``unit``: the word that counts the rows (a table paged by something else than rows)."""
    if pages is None:
        return Window(name, 1, max(total, 1), total, unit)
    win = Window(name, pages.get(name, 1), size, total, unit)
    if win.page > win.pages:
        raise NotFound(words["err_table_page_past"].format(page=win.page, pages=win.pages,
                                                           table=title),
                       param=param(name), id=str(win.page), worded=True)
    return win
