"""The legal-changes page (``/legal-changes``): a timeline of the changes to the legal bases,
newest first, each with what rests on it, filtered by act and date range; and the versions
shown on a legal basis's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Final

from qualifica.context import Context
from qualifica.linkeddata import legal
from qualifica.linkeddata.catalogue import catalogue_for, listing
from qualifica.sparql.nodes import Node
from qualifica.web.locale import date_text
from qualifica.web.page_errors import worded
from qualifica.web.queries import Ref, href_for
from qualifica.web.tables import Cell, Table

#: The words of the legal pages (de, en).
_WORDS: Final[dict[str, tuple[str, str]]] = {
    "legal_changes": ("Rechtsänderungen", "Legal changes"),
    "legal_changes_intro": (
        "Änderungen der Rechtsgrundlagen, neueste zuerst, mit den Rollen, Aufgaben, Angeboten "
        "und Kompetenzanforderungen, die auf der geänderten Vorschrift beruhen.",
        "Changes to the legal bases, newest first, with the roles, tasks, offers and competency "
        "requirements that rest on the provision changed."),
    "filter": ("Filter", "Filter"),
    "act": ("Gesetz oder Verordnung", "Act or ordinance"),
    "all_acts": ("alle", "all"),
    "from": ("Von (Tag des Inkrafttretens)", "From (day in force)"),
    "to": ("Bis", "To"),
    "date_hint": ("Datum als JJJJ-MM-TT", "Date as YYYY-MM-DD"),
    "apply": ("Anzeigen", "Show"),
    "no_changes": ("Keine Änderungen in diesem Zeitraum.", "No changes in this period."),
    "count": ("{n} Änderungen", "{n} changes"),
    "old_version": ("Bisherige Fassung", "Previous version"),
    "new_version": ("Neue Fassung", "New version"),
    "changed_by": ("Geändert durch", "Changed by"),
    "affected": ("Betroffen", "Affected"),
    "nothing_affected": ("Nichts im Datenbestand beruht auf dieser Vorschrift.",
                         "Nothing in the data rests on this provision."),
    "kind_added": ("neu", "added"),
    "kind_amended": ("geändert", "amended"),
    "kind_renumbered": ("umnummeriert oder verschoben", "renumbered or moved"),
    "kind_replaced": ("ersetzt", "replaced"),
    "kind_repealed": ("aufgehoben", "repealed"),
    "aff_role": ("Rollen", "Roles"),
    "aff_task": ("Aufgaben", "Tasks"),
    "aff_offer": ("Angebote", "Offers"),
    "aff_requirement": ("Kompetenzanforderungen", "Competency requirements"),
    "versions": ("Fassungen", "Versions"),
    "version": ("Fassung", "Version"),
    "in_force_from": ("In Kraft ab", "In force from"),
    "in_force_until": ("In Kraft bis", "In force until"),
    "citation": ("Fundstelle", "Citation"),
    "open_end": ("bis heute", "to date"),
    "start_unknown": ("{date} (Stand der Fassung)", "{date} (version date)"),
    "feeds": ("Änderungen abonnieren", "Subscribe to changes"),
    "feed_atom": ("Atom-Feed", "Atom feed"),
    "feed_jsonld": ("ActivityStreams (JSON-LD)", "ActivityStreams (JSON-LD)"),
    "changed_since_title": ("Rechtsänderungen markieren", "Mark legal changes"),
    "changed_since": ("Geändert seit", "Changed since"),
    "changed_since_hint": (
        "Datum als JJJJ-MM-TT; markiert jede Rechtsgrundlage, die sich seitdem geändert hat.",
        "Date as YYYY-MM-DD; marks every legal basis that has changed since."),
    "changed_since_mark": ("geändert seit {date}", "changed since {date}"),
    "legal_change": ("Rechtsänderung", "Legal change"),
    "changed_since_bad": (
        "Das Datum bei „Geändert seit“ muss als JJJJ-MM-TT angegeben werden, "
        "zum Beispiel 2020-01-01.",
        "The date of 'changed since' must be given as YYYY-MM-DD, for example 2020-01-01."),
}


def legal_words(lang: str) -> dict[str, str]:
    """The words of the legal pages in ``lang``."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


def _ref(node: Node | None) -> Ref | None:
    if node is None:
        return None
    return Ref(iri=node["iri"], id=node["id"], kind=node["type"], label=node["label"],
               href=href_for(node["iri"]))


@dataclass
class ChangeItem:
    """One change on the page."""

    date: str
    iso: str
    kind: str
    kind_label: str
    provision: Ref
    old_version: Ref | None
    new_version: Ref | None
    changed_by: Ref | None
    affected: list[tuple[str, list[Ref]]]
    anchor: str


@dataclass
class LegalChangesView:
    """The page: the filter's choices and values, and the changes."""

    acts: list[Ref]
    act: str
    start: str
    end: str
    changes: list[ChangeItem] = field(default_factory=list)


#: The widest range the page shows when a bound is left empty.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def legal_changes_view(ctx: Context, lang: str, act: str | None, start: str | None,
                       end: str | None) -> LegalChangesView:
    """The changes in the range (``BadParameter`` on a bad date or act)."""
    w = legal_words(lang)
    first = legal.parse_day(start, "from") or EARLIEST
    last = legal.parse_day(end, "to") or LATEST
    cat = catalogue_for(ctx)
    acts = [n for n in listing(cat, "legal-bases", lang=lang, limit=500).items
            if not cat.targets(n["iri"], "https://w3id.org/qualifica/ontology#partOf")]
    changes = legal.legal_changes(ctx, first, last, lang, act or None)
    items: list[ChangeItem] = []
    for c in changes:
        provision = _ref(c.provision)
        assert provision is not None
        items.append(ChangeItem(
            date=date_text(c.date, lang), iso=c.date.isoformat(), kind=c.kind,
            kind_label=w.get(f"kind_{c.kind}", c.kind), provision=provision,
            old_version=_ref(c.old_version), new_version=_ref(c.new_version),
            changed_by=_ref(c.changed_by),
            affected=[(w[f"aff_{k}"], [r for n in c.affected.get(k, []) if (r := _ref(n))])
                      for k in legal.AFFECTED_KINDS if c.affected.get(k)],
            anchor=f"change-{c.date.isoformat()}-{provision.id}-{c.kind}"))
    return LegalChangesView(
        acts=[r for n in acts if (r := _ref(cat.node(n["iri"], lang)))],
        act=act or "", start=start or "", end=end or "", changes=items)


@dataclass
class VersionRow:
    """One version of a legal basis, as its page lists it."""

    ref: Ref
    citation: str
    start: str
    end: str
    changed_by: Ref | None


def version_rows(ctx: Context, iri: str, lang: str) -> list[VersionRow]:
    """The versions of one legal basis, oldest first (empty when it has none)."""
    w = legal_words(lang)
    rows: list[VersionRow] = []
    for v in legal.versions_of(ctx, [iri], lang).get(iri, []):
        if v.entry_into_force:
            start = date_text(v.entry_into_force, lang)
        elif v.version_date:
            start = w["start_unknown"].format(date=date_text(v.version_date, lang))
        else:
            start = ""
        rows.append(VersionRow(
            ref=Ref(iri=v.iri, id=v.iri.rsplit("/", 1)[-1], kind="legal-basis", label=v.label,
                    href=href_for(v.iri)),
            citation=v.identifier, start=start,
            end=date_text(v.last_day, lang) if v.last_day else w["open_end"],
            changed_by=_ref(v.changed_by)))
    return rows


# --- marks of changed legal bases on the role and offer pages --------------------------------

_PART_OF = "https://w3id.org/qualifica/ontology#partOf"


@dataclass(frozen=True)
class ChangeMark:
    """A legal basis changed since a day: the mark's text and the filtered timeline."""

    text: str
    href: str


def changed_since_day(value: str | None, lang: str) -> datetime.date | None:
    """The ``changed_since`` parameter as a day (``None`` when empty); a 422 worded in the
    page's language otherwise."""
    with worded(legal_words(lang)["changed_since_bad"]):
        return legal.parse_day(value, "changed_since")


def change_marks(ctx: Context, legal_bases: list[str], since: datetime.date | None, lang: str,
                 today: datetime.date | None = None) -> dict[str, ChangeMark]:
    """The legal bases among ``legal_bases`` with a legal change from ``since`` to today,
    matching the provision or its act (a change to an act marks its provisions, a change to
    a provision marks its act), each with its mark linking to ``/legal-changes``."""
    today = today or datetime.date.today()
    if since is None or since > today or not legal_bases:
        return {}
    cat = catalogue_for(ctx)

    def acts(iri: str) -> set[str]:
        return set(cat.targets(iri, _PART_OF))

    changed: set[str] = set()
    for c in legal.legal_changes(ctx, since, today, lang):
        changed.add(c.provision["iri"])
        changed.update(acts(c.provision["iri"]))
    text = legal_words(lang)["changed_since_mark"].format(date=date_text(since, lang))
    marks: dict[str, ChangeMark] = {}
    for iri in legal_bases:
        owners = acts(iri)
        if iri in changed or owners & changed:
            act = sorted(owners)[0] if owners else iri
            marks[iri] = ChangeMark(text, f"/legal-changes?act={act.rsplit('/', 1)[-1]}"
                                          f"&from={since.isoformat()}")
    return marks


def marked_table(table: Table, marks: dict[str, ChangeMark], lang: str) -> Table:
    """The legal-bases table of a role page with a column marking the changed legal bases."""
    column = legal_words(lang)["legal_change"]
    rows = [[*row, Cell(m.text, href=m.href, cls="legal-changed") if (
        m := marks.get(row[0].iri or "")) else Cell("")] for row in table.rows]
    return Table(table.name, table.title, [*table.columns, column], rows, table.csv_only)
