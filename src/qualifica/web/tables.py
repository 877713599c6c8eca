"""Page tables: :class:`Table` values, so that the HTML page and its CSV download show the
same rows.

The CSV downloads are meant for spreadsheets, so they are written the way OWASP's "CSV
Injection" guidance asks: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'`` (a label ``=HYPERLINK(…)`` in the data stays text), and
every cell is quoted, so that a spreadsheet that splits on ``;`` (German Excel) cannot start a
new cell, and a formula, in the middle of one. They start with a byte order mark, so that Excel
reads them as UTF-8, and split on ``;`` instead of ``,`` on request (``?sep=semicolon``, for a
spreadsheet set to a German locale). Every table is also an Excel workbook (:func:`table_xlsx`),
whose cells are all text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from qualifica.linkeddata.provenance import Mark
from qualifica.web.hrefs import safe_href
from qualifica.web.paging import Window
from qualifica.web.queries import Ref


@dataclass(frozen=True)
class Cell:
    """One table cell: text, and where it names a resource, its IRI and link."""

    text: str
    href: str | None = None
    iri: str | None = None
    cls: str | None = None
    refs: tuple[Ref, ...] = ()
    """Several resources in one cell (the page links each; the CSV lists their IRIs)."""

    @classmethod
    def of(cls, ref: Ref | None, *, css: str | None = None) -> Cell:
        """A cell for a resource (empty for ``None``)."""
        if ref is None:
            return cls("")
        return _cell_of(ref, css)

    @classmethod
    def many(cls, refs: Sequence[Ref]) -> Cell:
        """A cell for several resources, in the given order."""
        return cls(", ".join(r.label for r in refs), iri=" ".join(r.iri for r in refs) or None,
                   refs=tuple(refs))


@lru_cache(maxsize=32768)
def _cell_of(ref: Ref, css: str | None) -> Cell:
    # kept per reference: pages name one resource in many rows (cells are immutable)
    return Cell(ref.label, href=ref.href, iri=ref.iri, cls=css)


def source_cell(mark: Mark, words: Mapping[str, str]) -> Cell:
    """The source column of a row: "redaktionell"/"editorial" for an editorial statement (in
    text, with the class ``editorial``), else the sources that state it, each linked to its
    address where it has a web address (the CSV lists their IRIs), else "not stated"."""
    return _source_cell(mark, words["editorial"], words["not_stated"])


@lru_cache(maxsize=4096)
def _source_cell(mark: Mark, editorial: str, not_stated: str) -> Cell:
    # kept per provenance: many rows of a page have the same (cells are immutable)
    if mark.editorial:
        return Cell(editorial, cls="editorial")
    if not mark.sources:
        return Cell(not_stated, cls="no-source")
    refs = tuple(Ref(iri=s.iri or "", id="", kind="source", label=s.title, href=s.href or "")
                 for s in mark.sources)
    return Cell(", ".join(r.label for r in refs),
                iri=" ".join(s.iri for s in mark.sources if s.iri) or None, refs=refs,
                cls="sources")


@dataclass
class Table:
    """A table of a page; ``name`` is its CSV download name."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    csv_only: frozenset[int] = frozenset()
    """Indexes of columns only the CSV download has (the page shows them otherwise)."""
    window: Window | None = None
    """Which rows of the table ``rows`` are (``web.paging``); ``None``: all of them."""

    @property
    def shown(self) -> list[int]:
        """The indexes of the columns the page shows."""
        return [i for i in range(len(self.columns)) if i not in self.csv_only]

    @property
    def count(self) -> int:
        """How many rows the table has, on every page together."""
        return self.window.total if self.window is not None else len(self.rows)

    def body(self, link: Callable[[str], str]) -> Markup:
        """The rows as HTML (``<tr>`` elements of the columns the page shows), every text
        escaped; ``link`` adds the page language to a site link."""
        shown = self.shown
        out: list[str] = []
        made: dict[tuple[str | None, str], str] = {}  # the links of the table, each made once
        for row in self.rows:
            out.append("<tr>")
            for i in shown:
                out.append(cell_html(row[i] if i < len(row) else EMPTY, link, made))
            out.append("</tr>\n")
        return Markup("".join(out))  # noqa: S704 - every text above is escaped


EMPTY = Cell("")


@lru_cache(maxsize=32768)
def escaped(text: str) -> str:
    """``text`` escaped for HTML (markupsafe's ``escape``), kept for the texts pages repeat:
    labels, levels, sources."""
    return str(escape(text))


def link_html(href: str | None, text: str, link: Callable[[str], str]) -> str:
    """A link to ``href`` with ``text`` when ``href`` is a safe target (``web.hrefs``), else
    the text in a ``span.no-link``; ``web.fragments.Fragments.a`` writes the same."""
    if safe_href(href) is not None:
        return f'<a href="{escaped(link(href or ""))}">{escaped(text)}</a>'
    return f'<span class="no-link">{escaped(text)}</span>'


def link_once(href: str | None, text: str, link: Callable[[str], str],
              made: dict[tuple[str | None, str], str]) -> str:
    """``link_html`` of ``href`` and ``text``, taken from ``made`` (the links a page or table
    has written, by target and text) when written already, else written and added to it."""
    html = made.get((href, text))
    if html is None:
        html = made[(href, text)] = link_html(href, text, link)
    return html


def cell_html(cell: Cell, link: Callable[[str], str],
              made: dict[tuple[str | None, str], str] | None = None) -> str:
    """One ``<td>``: the links of its resources, or its link, or its text; ``made``: the links
    written already (by target and text), taken from there and added to it."""
    if made is None:
        made = {}
    if cell.refs:
        inner = ", ".join(link_once(r.href, r.label, link, made) for r in cell.refs)
    elif cell.href:
        inner = link_once(cell.href, cell.text, link, made)
    else:
        inner = escaped(cell.text)
    if cell.cls:
        return f'<td class="{escaped(cell.cls)}">{inner}</td>'
    return f"<td>{inner}</td>"


def pager_html(name: str, title: str, win: Window | None, t: Mapping[str, str],
               table_page: Callable[[str, int], str]) -> str:
    """The pager under a table shown in pages of rows (``web.paging``): a navigation named by
    the table, the rows shown, and links to the previous, next and other pages that keep the
    language and the pages of the other tables (``table_page``: the page's URL with a table on
    another page); empty for a table on one page. Templates call it as ``pager(…)``."""
    if not win or win.pages <= 1:
        return ""
    e = escaped
    out = [f'  <nav class="pager" aria-label="{e(t["table_pages"].format(table=title))}">\n'
           f'    <p class="rows">'
           f'{e(t[win.unit].format(first=win.start + 1, last=win.stop, total=win.total))}'
           f'</p>\n    <ul>\n']
    if win.page > 1:
        out.append(f'<li><a rel="prev" href="{e(table_page(name, win.page - 1))}">'
                   f'{e(t["prev_page"])}</a></li>')
    for n in win.links():
        if n is None:
            inner = '<span aria-hidden="true">…</span>'
        else:
            hidden = (f'<span class="visually-hidden">'
                      f'{e(t["page_of"].format(page=n, pages=win.pages))}</span>'
                      f'<span aria-hidden="true">{n}</span>')
            inner = (f'<span aria-current="page">{hidden}</span>' if n == win.page
                     else f'<a href="{e(table_page(name, n))}">{hidden}</a>')
        out.append(f"      <li>{inner}</li>\n")
    if win.page < win.pages:
        out.append(f'<li><a rel="next" href="{e(table_page(name, win.page + 1))}">'
                   f'{e(t["next_page"])}</a></li>')
    out.append("    </ul>\n  </nav>\n")
    return "".join(out)


def table_html(tbl: Table, t: Mapping[str, str], link: Callable[[str], str],
               table_page: Callable[[str, int], str], csv_base: str | None = None,
               empty: str | None = None, id: str | None = None) -> Markup:
    """A table of a page with its title, row count, downloads (CSV and Excel, when
    ``csv_base`` names the CSV) and pager, or ``empty`` (else "none") for a table without
    rows; written in Python (a macro per table cost more than its rows)."""
    e = escaped
    title = e(tbl.title)
    out = [f'<section class="table-block" id="{e(id or tbl.name)}">\n'
           f'  <div class="table-head">\n'
           f'    <h2>{title} <span class="count">({tbl.count})</span></h2>\n']
    if csv_base:
        base, _, query = csv_base.partition("?")
        xlsx = base[:-4] + ".xlsx" + (f"?{query}" if "?" in csv_base else "")
        out.append(
            f'      <p class="downloads">\n'
            f'        <a class="csv" href="{e(link(csv_base))}" download>{e(t["download_csv"])}'
            f'<span class="visually-hidden">: {title}</span></a>\n'
            f'        <a class="csv xlsx" href="{e(link(xlsx))}" download>'
            f'{e(t["download_xlsx"])}<span class="visually-hidden">: {title}</span></a>\n'
            f'      </p>\n')
    out.append("  </div>\n")
    if tbl.rows:
        heads = "".join(f'<th scope="col">{e(tbl.columns[i])}</th>' for i in tbl.shown)
        out.append(f'  <div class="scroll">\n  <table data-table="{e(tbl.name)}">\n'
                   f'    <thead><tr>{heads}</tr></thead>\n    <tbody>\n'
                   f'{tbl.body(link)}    </tbody>\n  </table>\n  </div>\n'
                   f'  {pager_html(tbl.name, tbl.title, tbl.window, t, table_page)}\n')
    else:
        out.append(f'    <p class="empty">{e(empty or t["none"])}</p>\n')
    out.append("</section>\n")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


def level_text(level: Ref | None, rank: int | None) -> str:
    """A level as a cell shows it: its label, with the rank unless the label holds it."""
    if level is None:
        return ""
    return level.label if rank is None or str(rank) in level.label else f"{level.label} ({rank})"


#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """``value`` as a spreadsheet reads it literally: with a leading ``'`` when it would
    otherwise start a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


#: The separators a CSV download offers (``?sep=``): a comma by default, a semicolon for
#: spreadsheets set to a German locale, which split on ``;``.
SEPARATORS = {"comma": ",", "semicolon": ";"}

#: The byte order mark the CSV downloads start with: without it Excel reads UTF-8 as ANSI
#: ("Ã¼" for "ü").
BOM = "\ufeff"


def _header_and_rows(table: Table) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the downloads: a column of resources gets an IRI column
    beside it."""
    with_iri = [any(len(row) > i and row[i].iri for row in table.rows)
                for i in range(len(table.columns))]
    header: list[str] = []
    for name, has_iri in zip(table.columns, with_iri, strict=True):
        header.append(name)
        if has_iri:
            header.append(f"{name} IRI")
    rows: list[list[str]] = []
    for row in table.rows:
        out: list[str] = []
        for i, has_iri in enumerate(with_iri):
            cell = row[i] if i < len(row) else Cell("")
            out.append(cell.text)
            if has_iri:
                out.append(cell.iri or "")
        rows.append(out)
    return header, rows


def table_csv(table: Table, sep: str = ",") -> str:
    """The table as CSV with a header row; a column of resources gets an IRI column beside it.
    Every cell is quoted and passed through :func:`spreadsheet_cell`. ``sep`` is the field
    separator (``,`` or ``;``). The text has no byte order mark: the download adds it."""
    header, rows = _header_and_rows(table)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([spreadsheet_cell(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(v) for v in row])
    return buf.getvalue()


def table_xlsx(table: Table) -> bytes:
    """The table as an Excel workbook (one sheet named by the table's title): the same header
    and rows as the CSV, the header bold, frozen and filterable. Every cell is stored as text,
    so a label such as ``=HYPERLINK(…)`` is shown, never computed."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, rows = _header_and_rows(table)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    # A sheet title: at most 31 characters, none of []:*?/\
    sheet.title = "".join(c for c in table.title if c not in "[]:*?/\\")[:31] or "Tabelle"
    for r, values in enumerate([header, *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.data_type = "s"  # text, even when it starts with "=" (no formula)
            if r == 1:
                cell.font = Font(bold=True)
    for c, name in enumerate(header, start=1):
        longest = max([len(name), *(len(row[c - 1]) for row in rows)])
        sheet.column_dimensions[get_column_letter(c)].width = min(max(longest + 2, 10), 60)
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
