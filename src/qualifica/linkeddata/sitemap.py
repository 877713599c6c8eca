"""The sitemap of the dereferenceable IRIs (sitemaps.org protocol 0.9): one ``<url>`` per
catalogued resource, at its ``/id/{kind}/{slug}`` URL under the public base, with ``<lastmod>``
from its ``dcterms:modified`` when it has one.

A sitemap holds at most 50,000 URLs; past that, ``/sitemap.xml`` is a sitemap index of
``/sitemap-1.xml``, ``/sitemap-2.xml`` … (each part's ``<lastmod>`` the latest of its URLs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from qualifica.linkeddata.catalogue import Catalogue
from qualifica.namespaces import ID

#: URLs per sitemap file (sitemaps.org: at most 50,000).
SITEMAP_LIMIT = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class Entry:
    """One URL of the sitemap and when its resource last changed (W3C datetime), if known."""

    loc: str
    lastmod: str | None = None


def entries(cat: Catalogue, public_base: str) -> list[Entry]:
    """Every catalogued resource with an instance IRI, in IRI order."""
    out = []
    for iri in sorted(cat.kinds):
        if iri.startswith(ID):
            out.append(Entry(public_base + "id/" + iri[len(ID):], cat.modified.get(iri)))
    return out


def parts(items: Sequence[Entry], limit: int = SITEMAP_LIMIT) -> list[Sequence[Entry]]:
    """The entries cut into sitemaps of at most ``limit`` URLs (one, possibly empty, at least)."""
    if not items:
        return [items]
    return [items[i:i + limit] for i in range(0, len(items), limit)]


def urlset(items: Sequence[Entry]) -> bytes:
    """One sitemap (``<urlset>``)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    for e in items:
        lastmod = f"<lastmod>{escape(e.lastmod)}</lastmod>" if e.lastmod else ""
        lines.append(f"<url><loc>{escape(e.loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def index(public_base: str, cut: Sequence[Sequence[Entry]]) -> bytes:
    """The sitemap index of the parts ``/sitemap-1.xml`` … (``<sitemapindex>``)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    for n, part in enumerate(cut, 1):
        stamps = [e.lastmod for e in part if e.lastmod]
        lastmod = f"<lastmod>{escape(max(stamps))}</lastmod>" if stamps else ""
        lines.append(f"<sitemap><loc>{escape(public_base)}sitemap-{n}.xml</loc>{lastmod}"
                     "</sitemap>")
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode("utf-8")
