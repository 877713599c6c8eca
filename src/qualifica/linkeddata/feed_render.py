"""The change feed written out: Atom 1.0 (RFC 4287, paged as RFC 5005 says) and
ActivityStreams 2.0 (an ``OrderedCollectionPage`` of activities, JSON-LD).

Each entry names the resources changed (Atom: ``link rel="related"``; AS2: ``object``) and the
properties changed (Atom: ``category`` in the scheme :data:`PROPERTY_SCHEME`; AS2:
``qf:changedProperty``). A legal change names its provision, the old and new version
(AS2 ``origin``, ``result``), the amending act (``instrument``), its kind and the day it takes
effect, and what rests on the provision.
"""

from __future__ import annotations

import datetime
import hashlib
import xml.etree.ElementTree as ET  # writing only: nothing untrusted is parsed here
from typing import Any
from urllib.parse import urlencode

from qualifica.linkeddata.feed import PAGE_SIZE, Entry, FeedPage

#: The namespace of the feed's own terms (JSON-LD) and category schemes (Atom).
FEED_NS = "https://w3id.org/qualifica/feed#"
PROPERTY_SCHEME = FEED_NS + "property"
CHANGE_SCHEME = FEED_NS + "legalChange"
AS2_CONTEXT = "https://www.w3.org/ns/activitystreams"
ATOM_NS = "http://www.w3.org/2005/Atom"

#: The feed's own JSON-LD terms, beside the ActivityStreams context.
FEED_CONTEXT: dict[str, Any] = {
    "qf": FEED_NS,
    "changedProperty": {"@id": "qf:changedProperty", "@type": "@id", "@container": "@set"},
    "graph": {"@id": "qf:graph", "@type": "@id", "@container": "@set"},
    "resourcesTotal": {"@id": "qf:resourcesTotal",
                       "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    "statementsAdded": {"@id": "qf:statementsAdded",
                        "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    "statementsRemoved": {"@id": "qf:statementsRemoved",
                          "@type": "http://www.w3.org/2001/XMLSchema#integer"},
    "legalChange": {"@id": "qf:legalChange"},
    "affects": {"@id": "qf:affects", "@type": "@id", "@container": "@set"},
}

_KIND_WORDS: dict[str, tuple[str, str]] = {
    "added": ("neu", "added"), "amended": ("geändert", "amended"),
    "renumbered": ("umnummeriert oder verschoben", "renumbered or moved"),
    "replaced": ("ersetzt", "replaced"), "repealed": ("aufgehoben", "repealed"),
}


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def title_of(entry: Entry, lang: str) -> str:
    """The entry's title in ``lang`` (de or en)."""
    en = lang == "en"
    body = entry.body
    if entry.kind == "legal":
        kind = _KIND_WORDS.get(body.get("change", ""), (body.get("change", ""),) * 2)[en]
        label = (body.get("label_en") if en else body.get("label")) or body.get("label", "")
        return (f"Legal change ({kind}) taking effect on {body.get('date')}: {label}" if en
                else f"Rechtsänderung ({kind}) ab {body.get('date')}: {label}")
    if entry.kind == "release":
        return (f"Release {body.get('release')} ({body.get('issued')})" if en
                else f"Veröffentlichung {body.get('release')} ({body.get('issued')})")
    total = body.get("resources_total")
    props = len(body.get("properties", []))
    if total is None:
        return "Change to the data" if en else "Änderung der Daten"
    return (f"Change to the data: {total} resource(s), {props} propert(y/ies)" if en
            else f"Änderung der Daten: {total} Ressource(n), {props} Eigenschaft(en)")


def summary_of(entry: Entry, lang: str) -> str:
    """A sentence on what changed."""
    en = lang == "en"
    body = entry.body
    if entry.kind == "legal":
        affected = body.get("affected", {})
        count = sum(len(v) for v in affected.values())
        return (f"{count} role(s), task(s), offer(s) or requirement(s) rest on the provision."
                if en else
                f"{count} Rollen, Aufgaben, Angebote oder Anforderungen beruhen auf der "
                "Vorschrift.")
    if entry.kind == "release":
        return (f"The data frozen as release {body.get('release')}: {body.get('quads')} "
                f"statement(s) in the graph {body.get('graph')}." if en else
                f"Die Daten als Veröffentlichung {body.get('release')} eingefroren: "
                f"{body.get('quads')} Aussage(n) im Graphen {body.get('graph')}.")
    if body.get("added") is None:
        graphs = ", ".join(body.get("graphs", []))
        return (f"Graphs changed: {graphs}" if en else f"Geänderte Graphen: {graphs}")
    return (f"{body['added']} statement(s) added, {body['removed']} removed." if en
            else f"{body['added']} Aussage(n) hinzugefügt, {body['removed']} entfernt.")


def _url(base: str, path: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def page_links(base: str, path: str, page: FeedPage, lang: str) -> dict[str, str]:
    """self, first, last and (where they exist) next and previous page URLs."""
    since = page.since.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if page.since else None
    lang_param = lang if lang != "de" else None

    def at(n: int) -> str:
        return _url(base, path, since=since, lang=lang_param, page=n if n > 1 else None)

    links = {"self": at(page.page), "first": at(1), "last": at(page.pages)}
    if page.page < page.pages:
        links["next"] = at(page.page + 1)
    if page.page > 1:
        links["previous"] = at(page.page - 1)
    return links


def etag_of(page: FeedPage, *parts: str) -> str:
    """A strong entity tag of one answer: the newest entry, the page and its parameters."""
    digest = hashlib.sha256("\0".join((str(page.last_seq), str(page.total), str(page.page),
                                       str(page.since), *parts)).encode())
    return f'"feed-{page.last_seq}-{digest.hexdigest()[:16]}"'


def _updated(page: FeedPage) -> datetime.datetime:
    if page.entries:
        return page.entries[0].published
    return datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _atom_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def atom(page: FeedPage, base: str, lang: str) -> bytes:
    """The page as an Atom feed document."""
    links = page_links(base, "feeds/changes.atom", page, lang)
    # the Atom namespace as the default namespace of unqualified element names
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": lang})
    _el(feed, "id", base + "feeds/changes.atom")
    _el(feed, "title", "Qualifica: changes to the data and the law" if lang == "en"
        else "Qualifica: Änderungen der Daten und des Rechts")
    _el(feed, "subtitle",
        "Every change to the knowledge graph and every legal change, newest first."
        if lang == "en" else
        "Jede Änderung des Wissensgraphen und jede Rechtsänderung, neueste zuerst.")
    _el(_el(feed, "author"), "name", "Qualifica")
    _el(feed, "updated", _atom_time(_updated(page)))
    _el(feed, "link", href=links["self"], rel="self", type="application/atom+xml")
    _el(feed, "link", href=base + "legal-changes" + ("?lang=en" if lang == "en" else ""),
        rel="alternate", type="text/html")
    for rel in ("first", "last", "next", "previous"):
        if rel in links:
            _el(feed, "link", href=links[rel], rel=rel, type="application/atom+xml")
    for entry in page.entries:
        item = _el(feed, "entry")
        _el(item, "id", entry.id)
        _el(item, "title", title_of(entry, lang))
        _el(item, "published", _atom_time(entry.published))
        _el(item, "updated", _atom_time(entry.published))
        _el(item, "summary", summary_of(entry, lang))
        _el(item, "content", summary_of(entry, lang), type="text")
        for iri in entry.resources:
            _el(item, "link", href=iri, rel="related")
        for prop in entry.properties:
            _el(item, "category", term=prop, scheme=PROPERTY_SCHEME, label=_short(prop))
        if entry.kind == "legal":
            _el(item, "category", term=entry.body.get("change", ""), scheme=CHANGE_SCHEME)
    ET.indent(feed)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _activity(entry: Entry, lang: str) -> dict[str, Any]:
    body = entry.body
    out: dict[str, Any] = {
        "id": entry.id,
        "published": entry.published.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "name": title_of(entry, lang),
        "summary": summary_of(entry, lang),
    }
    if entry.kind == "legal":
        change = body.get("change", "")
        out["type"] = {"added": "Create", "repealed": "Delete"}.get(change, "Update")
        out["object"] = body.get("provision")
        out["startTime"] = f"{body.get('date')}T00:00:00Z"
        out["legalChange"] = change
        for key, term in (("new_version", "result"), ("old_version", "origin"),
                          ("changed_by", "instrument")):
            if body.get(key):
                out[term] = body[key]
        out["affects"] = sorted({i for v in body.get("affected", {}).values() for i in v})
        return out
    if entry.kind == "release":
        out["type"] = "Create"
        out["object"] = entry.resources
        out["graph"] = [body["graph"]] if body.get("graph") else []
        return out
    out["type"] = "Update"
    out["object"] = entry.resources
    out["changedProperty"] = entry.properties
    out["graph"] = body.get("graphs", [])
    if body.get("resources_total") is not None:
        out["resourcesTotal"] = body["resources_total"]
        out["statementsAdded"] = body["added"]
        out["statementsRemoved"] = body["removed"]
    return out


def activity_streams(page: FeedPage, base: str, lang: str) -> dict[str, Any]:
    """The page as an ActivityStreams 2.0 ``OrderedCollectionPage`` (JSON-LD)."""
    links = page_links(base, "feeds/changes.jsonld", page, lang)
    doc: dict[str, Any] = {
        "@context": [AS2_CONTEXT, FEED_CONTEXT],
        "id": links["self"],
        "type": "OrderedCollectionPage",
        "summary": ("Changes to the Qualifica knowledge graph and to the law, newest first"
                    if lang == "en" else
                    "Änderungen des Qualifica-Wissensgraphen und des Rechts, neueste zuerst"),
        "partOf": {"id": links["first"], "type": "OrderedCollection",
                   "totalItems": page.total, "first": links["first"], "last": links["last"]},
        "startIndex": (page.page - 1) * PAGE_SIZE,
        "orderedItems": [_activity(e, lang) for e in page.entries],
    }
    if "next" in links:
        doc["next"] = links["next"]
    if "previous" in links:
        doc["prev"] = links["previous"]
    return doc
