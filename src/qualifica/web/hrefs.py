"""Which link targets a page may put into ``href``.

Pages link to IRIs found in the data, and the data can hold any IRI, ``javascript:`` and
``data:`` ones included. Every ``href`` the pages write (templates, the paths SVG, the ontology
page) goes through :func:`safe_href`: only same-site paths and fragments, and ``http``,
``https`` and ``mailto`` URLs become links; anything else is shown as text. The query page's
script applies the same rule to the results it renders (``static/sparql.js``).
"""

from __future__ import annotations

import re

#: The URL schemes that may become links.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Browsers drop whitespace and control characters from a URL before they read its scheme
# (``java\tscript:``) and read a backslash as a slash (``/\evil.example`` goes off-site), so a
# target holding any of them is refused outright; IRIs never contain them.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


def safe_href(target: str | None) -> str | None:
    """``target`` when a page may link to it, else ``None``.

    Allowed: a path on this site (``/…``, not ``//…``), a fragment (``#…``), a query (``?…``),
    and an absolute ``http(s)://`` or ``mailto:`` URL.
    """
    if not target or _UNSAFE_CHARS.search(target):
        return None
    if target.startswith(("#", "?")) or (target.startswith("/") and not target.startswith("//")):
        return target
    match = _SCHEME.match(target)
    if match is None:
        return None
    scheme = match.group(1).lower()
    if scheme not in SAFE_SCHEMES:
        return None
    if scheme != "mailto" and not target[match.end():].startswith("//"):
        return None
    return target


def is_safe_href(target: object) -> bool:
    """Whether ``target`` is a string a page may link to (the jinja test ``safe_href``)."""
    return isinstance(target, str) and safe_href(target) is not None
