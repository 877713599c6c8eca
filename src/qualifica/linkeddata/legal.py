"""Legal bases over time: which are in force on a day, what changed between two days and what
rests on each change, and the versions of one legal basis.

Answers come from the named queries ``legal-bases-in-force`` and ``legal-changes`` (also
published under ``/api/queries/``) and the library queries ``legal-versions`` and
``legal-affected``; every user value is bound by ``sparql.binding``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context
from qualifica.errors import BadParameter
from qualifica.labels import add_label, pick_label
from qualifica.sparql import run
from qualifica.sparql.library import select_rows
from qualifica.sparql.nodes import Node, make_node
from qualifica.sparql.terms import iri_of, text_of
from qualifica.store.base import Term

#: The kinds of change, in the order a page explains them.
CHANGE_KINDS = ("added", "amended", "renumbered", "replaced", "repealed")
#: What may rest on a legal basis, in the order a page lists it.
AFFECTED_KINDS = ("role", "task", "offer", "requirement")


def parse_day(value: str | None, param: str) -> datetime.date | None:
    """A day written ``YYYY-MM-DD`` (``None`` when empty); a clear 422 naming ``param``
    otherwise."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise BadParameter(f"parameter {param!r} must be a date YYYY-MM-DD, got {value[:40]!r}",
                           param=param, status=422) from None


def _day(term: Term | None) -> datetime.date | None:
    if isinstance(term, Literal):
        try:
            return datetime.date.fromisoformat(term.value[:10])
        except ValueError:
            return None
    return None


def _labels(ctx: Context, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """Preferred labels by language of the given IRIs (library query ``page-labels``)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    todo = sorted(set(iris))
    for i in range(0, len(todo), 500):
        rows = select_rows(ctx.reads, ctx.registry, "page-labels",
                           {"iri": [NamedNode(v) for v in todo[i:i + 500]]})
        for row in rows:
            iri, label = iri_of(row.get("iri")), row.get("label")
            if iri and isinstance(label, Literal) and text_of(row.get("kind")) == "pref":
                add_label(out[iri], label.language, label.value)
    return out


def in_force_on(ctx: Context, day: datetime.date) -> set[str]:
    """The IRIs of the legal bases in force on ``day``."""
    rows = run.select(ctx.reads, run.bound(ctx.registry.get("legal-bases-in-force"),
                                           {"date": day.isoformat()})).rows
    return {iri for row in rows if (iri := iri_of(row.get("legalBasis")))}


@dataclass
class Version:
    """One version of a legal basis."""

    iri: str
    label: str
    version_date: datetime.date | None
    entry_into_force: datetime.date | None
    last_day: datetime.date | None
    identifier: str = ""
    notation: str = ""
    previous: str | None = None
    changed_by: Node | None = None

    @property
    def start(self) -> datetime.date | None:
        """The first day in force (the version date where that day is not known)."""
        return self.entry_into_force or self.version_date

    def in_force_on(self, day: datetime.date) -> bool:
        """Whether this version is in force on ``day``."""
        return (self.start is not None and self.start <= day
                and (self.last_day is None or self.last_day >= day))

    def as_json(self) -> dict[str, Any]:
        """The JSON form of the API."""
        return {
            "iri": self.iri, "label": self.label,
            "version_date": _iso(self.version_date),
            "first_date_entry_in_force": _iso(self.entry_into_force),
            "date_no_longer_in_force": _iso(self.last_day),
            "identifier": self.identifier or None, "notation": self.notation or None,
            "previous_version": self.previous,
            "changed_by": dict(self.changed_by) if self.changed_by else None,
        }


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def versions_of(ctx: Context, legal: Sequence[str], lang: str) -> dict[str, list[Version]]:
    """The versions of each legal basis, oldest first."""
    if not legal:
        return {}
    rows = select_rows(ctx.reads, ctx.registry, "legal-versions",
                       {"legal": [NamedNode(i) for i in sorted(set(legal))]})
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    acts: dict[str, dict[str, str]] = defaultdict(dict)
    found: dict[tuple[str, str], dict[str, Term | None]] = {}
    for row in rows:
        owner, version = iri_of(row.get("legal")), iri_of(row.get("version"))
        if not owner or not version:
            continue
        found.setdefault((owner, version), dict(row))
        label = row.get("label")
        if isinstance(label, Literal):
            add_label(labels[version], label.language, label.value)
        act, act_label = iri_of(row.get("changedBy")), row.get("changedByLabel")
        if act and isinstance(act_label, Literal):
            add_label(acts[act], act_label.language, act_label.value)
    out: dict[str, list[Version]] = defaultdict(list)
    for (owner, version), data in found.items():
        act = iri_of(data.get("changedBy"))
        out[owner].append(Version(
            iri=version, label=pick_label(labels[version], lang, version.rsplit("/", 1)[-1]),
            version_date=_day(data.get("versionDate")), entry_into_force=_day(data.get("entry")),
            last_day=_day(data.get("until")), identifier=text_of(data.get("identifier")),
            notation=text_of(data.get("notation")), previous=iri_of(data.get("previous")),
            changed_by=make_node(act, acts[act], lang) if act else None))
    for versions in out.values():
        versions.sort(key=lambda v: (v.start or datetime.date.min, v.iri))
    return dict(out)


@dataclass
class Change:
    """One legal change: a provision's new version taking effect, or its repeal."""

    date: datetime.date
    kind: str
    provision: Node
    old_version: Node | None
    new_version: Node | None
    changed_by: Node | None
    affected: dict[str, list[Node]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON form of the API."""
        return {
            "date": self.date.isoformat(), "kind": self.kind,
            "provision": dict(self.provision),
            "old_version": dict(self.old_version) if self.old_version else None,
            "new_version": dict(self.new_version) if self.new_version else None,
            "changed_by": dict(self.changed_by) if self.changed_by else None,
            "affected": {k: [dict(n) for n in self.affected.get(k, [])]
                         for k in AFFECTED_KINDS},
        }


def legal_changes(ctx: Context, start: datetime.date, end: datetime.date, lang: str,
                  act: str | None = None) -> list[Change]:
    """The changes taking effect from ``start`` to ``end`` (both included), newest first, each
    with the roles, tasks, offers and requirements resting on its provision. ``act`` (a slug
    or IRI of a legal basis) keeps the changes of its provisions and those it made."""
    if start > end:
        raise BadParameter("parameter 'from' must not be after 'to'", param="from", status=422)
    raw: dict[str, object] = {"from": start.isoformat(), "to": end.isoformat(), "lang": lang}
    if act:
        raw["act"] = act
    rows = run.select(ctx.reads, run.bound(ctx.registry.get("legal-changes"), raw)).rows
    iris = {i for row in rows for k in ("provision", "oldVersion", "newVersion", "changedBy")
            if (i := iri_of(row.get(k)))}
    provisions = sorted({i for row in rows if (i := iri_of(row.get("provision")))})
    affected = _affected(ctx, provisions)
    iris.update(n for per in affected.values() for ns in per.values() for n in ns)
    labels = _labels(ctx, iris)

    def node(iri: str | None) -> Node | None:
        return make_node(iri, labels.get(iri, {}), lang) if iri else None

    changes: list[Change] = []
    seen: set[tuple[str, ...]] = set()
    for row in rows:
        day, provision = _day(row.get("date")), iri_of(row.get("provision"))
        if day is None or provision is None:
            continue
        key = (day.isoformat(), text_of(row.get("kind")), provision,
               iri_of(row.get("newVersion")) or "", iri_of(row.get("oldVersion")) or "")
        if key in seen:
            continue
        seen.add(key)
        per_kind = affected.get(provision, {})
        changes.append(Change(
            date=day, kind=text_of(row.get("kind")), provision=node(provision),  # type: ignore[arg-type]
            old_version=node(iri_of(row.get("oldVersion"))),
            new_version=node(iri_of(row.get("newVersion"))),
            changed_by=node(iri_of(row.get("changedBy"))),
            affected={k: sorted((make_node(i, labels.get(i, {}), lang)
                                 for i in per_kind.get(k, [])),
                                key=lambda n: (n["label"].casefold(), n["iri"]))
                      for k in AFFECTED_KINDS}))
    return changes


def _affected(ctx: Context, provisions: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """What rests on each provision: kind → IRIs."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for i in range(0, len(provisions), 500):
        rows = select_rows(ctx.reads, ctx.registry, "legal-affected",
                           {"provision": [NamedNode(p) for p in provisions[i:i + 500]]})
        for row in rows:
            provision, resource = iri_of(row.get("provision")), iri_of(row.get("resource"))
            kind = text_of(row.get("kind"))
            if provision and resource and resource not in out[provision][kind]:
                out[provision][kind].append(resource)
    return out
