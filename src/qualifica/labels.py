"""Labels by language: the one language normaliser and the one label picker.

Every reader that turns literals into "the label of a resource" (the planning index, the REST
catalogue, the HTML pages) collects them with :func:`add_label` and picks with
:func:`pick_label`, so the same resource has the same label everywhere:

* language tags are keyed in lower case: BCP 47 tags are case-insensitive (RFC 5646, section
  2.1.1), so ``de-AT`` and ``de-at`` are one language;
* of two labels in one language the smaller string is kept, so the answer does not depend on the
  order in which a store returns rows;
* the requested language wins, then the fallback languages in order (:data:`LANGS`), then a label
  without language, then the label of the smallest tag. A language matches its own tag, then its
  truncations (``de-at`` → ``de``, RFC 4647 lookup), then any tag of the same primary language
  (``de`` → ``de-at``, the smallest such tag);
* a resource without labels is shown by its :func:`local_name`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pyoxigraph import Literal

#: The fallback order after the requested language.
LANGS = ("de", "en")


def lang_key(tag: str | None) -> str:
    """The key a language tag is filed under: lower case, ``""`` for no tag."""
    return (tag or "").lower()


def add_label(labels: dict[str, str], tag: str | None, text: str) -> None:
    """File ``text`` as a label in language ``tag``; of two in one language the smaller stays."""
    key = lang_key(tag)
    old = labels.get(key)
    if old is None or text < old:
        labels[key] = text


def labels_of(values: Iterable[object]) -> dict[str, str]:
    """The literals among ``values`` as ``{language: label}`` (see :func:`add_label`)."""
    labels: dict[str, str] = {}
    for value in values:
        if isinstance(value, Literal):
            add_label(labels, value.language, value.value)
    return labels


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``): the label of last resort."""
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[-1]
    return iri


def _in(labels: Mapping[str, str], lang: str) -> str | None:
    """The label in ``lang`` (normalised): its tag, its truncations, then its primary language."""
    subtags = lang.split("-")
    for n in range(len(subtags), 0, -1):
        label = labels.get("-".join(subtags[:n]))
        if label is not None:
            return label
    primary = subtags[0]
    related = sorted(k for k in labels if k.split("-", 1)[0] == primary)
    return labels[related[0]] if related else None


def pick_label(labels: Mapping[str, str], lang: str, fallback: str = "") -> str:
    """The label in ``lang``, else in the first of :data:`LANGS` that has one, else the one
    without language, else the one with the smallest tag, else ``fallback``."""
    wanted = lang_key(lang)
    label = labels.get(wanted)
    if label is not None:  # the common case: keys filed by ``add_label``, an exact match
        return label
    if not labels:
        return fallback
    if any(k != lang_key(k) for k in labels):  # keys not filed by ``add_label``
        filed: dict[str, str] = {}
        for k, v in labels.items():
            add_label(filed, k, v)
        labels = filed
    for candidate in (wanted, *LANGS):
        if candidate:
            label = _in(labels, candidate)
            if label is not None:
                return label
    if "" in labels:
        return labels[""]
    return labels[min(labels)]
