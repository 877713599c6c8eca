"""HTML of the linked-data documents: the ontology documentation (``/ontology``) and the data
catalog (``/catalog``), in the site's layout (``base.html``), German by default."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from markupsafe import Markup

from qualifica import __version__
from qualifica.config import Settings
from qualifica.linkeddata import citation, conneg
from qualifica.linkeddata.dumps import Dump
from qualifica.linkeddata.metadata import DATASET_IRI, LICENSE
from qualifica.linkeddata.ontology import OntologyDoc, TermDoc, TermRef
from qualifica.linkeddata.releases import Release, ReleaseFile, release_url
from qualifica.web.fragments import Fragments
from qualifica.web.hrefs import safe_href
from qualifica.web.i18n import pick_lang
from qualifica.web.i18n import words as site_words
from qualifica.web.locale import date_text, number_text
from qualifica.web.render import PageInfo, environment, with_lang

log = logging.getLogger(__name__)

_WORDS: dict[str, tuple[str, str]] = {
    "class": ("Klassen", "Classes"),
    "object-property": ("Objekteigenschaften", "Object properties"),
    "datatype-property": ("Dateneigenschaften", "Datatype properties"),
    "annotation-property": ("Annotationseigenschaften", "Annotation properties"),
    "property": ("Eigenschaften", "Properties"),
    "individual": ("Individuen", "Individuals"),
    "label": ("Bezeichnung", "Label"),
    "definition": ("Definition", "Definition"),
    "comment": ("Kommentar", "Comment"),
    "type": ("Typ", "Type"),
    "superclasses": ("Oberklassen", "Superclasses"),
    "superproperties": ("Obereigenschaften", "Superproperties"),
    "domain": ("Definitionsbereich", "Domain"),
    "range": ("Wertebereich", "Range"),
    "alignments": ("Abbildungen", "Alignments"),
    "deprecated": ("veraltet", "deprecated"),
    "replaced_by": ("ersetzt durch", "Replaced by"),
    "formats": ("Formate", "Formats"),
    "contents": ("Inhalt", "Contents"),
    "empty": ("Die Ontologie ist nicht geladen.", "The ontology is not loaded."),
    "title": ("Qualifica-Ontologie", "Qualifica ontology"),
    "catalog_title": ("Qualifica-Datenkatalog", "Qualifica data catalog"),
    "catalog_text": ("Der Qualifica-Wissensgraph als Datensatz: Version, Lizenz, "
                     "SPARQL-Endpunkt und Downloads mit Größe und SHA-256-Prüfsumme.",
                     "The Qualifica knowledge graph as a dataset: version, licence, SPARQL "
                     "endpoint and downloads with size and SHA-256 checksum."),
    "dataset": ("Datensatz", "Dataset"),
    "version": ("Version", "Version"),
    "license": ("Lizenz", "Licence"),
    "sparql": ("SPARQL-Endpunkt", "SPARQL endpoint"),
    "ontology": ("Ontologie", "Ontology"),
    "downloads": ("Downloads", "Downloads"),
    "file": ("Datei", "File"),
    "media_type": ("Medientyp", "Media type"),
    "size": ("Größe (Bytes)", "Size (bytes)"),
    "format": ("Format", "Format"),
    "downloads_title": ("Downloads des Wissensgraphen", "Downloads of the knowledge graph"),
    "downloads_text": ("Der ganze Wissensgraph zum Herunterladen: der aktuelle Stand und jede "
                       "zitierbare Version, jede Datei mit Größe und SHA-256-Prüfsumme.",
                       "The whole knowledge graph to download: the current data and every "
                       "citable release, each file with its size and SHA-256 checksum."),
    "release_text": ("Eine zitierbare Version des Qualifica-Wissensgraphen; sie ändert sich "
                     "nie.", "A citable release of the Qualifica knowledge graph; it never "
                     "changes."),
    "current": ("Aktueller Stand", "Current data"),
    "current_text": ("Diese Dateien folgen jeder Änderung der Daten. Wer zitiert, nimmt eine "
                     "Version.",
                     "These files follow every change of the data. To cite, use a release."),
    "releases": ("Versionen", "Releases"),
    "release": ("Version", "Release"),
    "issued": ("veröffentlicht am", "issued"),
    "issued_row": ("Veröffentlicht", "Issued"),
    "no_releases": ("Es gibt noch keine Version.", "There is no release yet."),
    "files": ("Dateien", "Files"),
    "files_of": ("Dateien der Version", "Files of release"),
    "publisher": ("Herausgeber", "Publisher"),
    "graph": ("Benannter Graph", "Named graph"),
    "cite_as": ("Zitiervorschlag", "Cite as"),
    "how_to_cite": ("Zitieren", "How to cite"),
    "how_to_cite_text": ("Zitieren Sie eine Version mit ihrer IRI (https://w3id.org/qualifica/"
                         "releases/X.Y.Z): Versionen ändern sich nie, ihre Dateien tragen "
                         "SHA-256-Prüfsummen (Datei SHA256SUMS). Die Datei CITATION.cff des "
                         "Projekts nennt Titel, Autorschaft und Lizenz.",
                         "Cite a release by its IRI (https://w3id.org/qualifica/releases/"
                         "X.Y.Z): releases never change, and their files carry SHA-256 "
                         "checksums (file SHA256SUMS). The project's CITATION.cff names title, "
                         "authors and licence."),
}


def words(lang: str) -> dict[str, str]:
    """The words of these pages in ``lang`` (``de`` unless ``en``)."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


def _refs(refs: Sequence[TermRef]) -> Markup:
    parts = []
    for r in refs:
        if r.anchor is not None:
            parts.append(Markup('<a href="#{}"><code>{}</code></a>').format(r.anchor, r.name))
        elif safe_href(r.iri) is not None:
            parts.append(Markup('<a href="{}"><code>{}</code></a>').format(r.iri, r.name))
        else:
            parts.append(Markup("<code>{}</code>").format(r.name))
    return Markup(", ").join(parts)


def _alternates(url: str, offered: Sequence[str]) -> list[dict[str, str]]:
    return [{"type": m, "name": conneg.SHORT_NAME.get(m, m),
             "href": f"{url}?format={conneg.SHORT_NAME.get(m, m)}"} for m in offered]


def _render(template: str, path: str, lang: str, **values: Any) -> str:
    lang = pick_lang(lang)
    t = site_words(lang)
    link: Callable[[str], str] = lambda href: with_lang(href, lang)  # noqa: E731
    return environment().get_template(template).render(
        t=t, lang=lang, page=PageInfo(path, lang), link=link, m=Fragments(t, lang, link),
        w=words(lang), **values)


def _in_lang(values: Sequence[str], lang: str) -> str | None:
    return next((v.rsplit(" (", 1)[0] for v in values if v.endswith(f"({lang})")), None)


def render_ontology(doc: OntologyDoc, settings: Settings, lang: str,
                    offered: Sequence[str]) -> str:
    """The HTML documentation of every class, property and individual of the ontology."""
    lang = pick_lang(lang)

    def label(term: TermDoc) -> str:
        return term.labels.get(lang) or term.labels.get("en") or term.labels.get("de") \
            or next(iter(term.labels.values()), term.name)

    title = _in_lang(doc.header.get("dcterms:title", []), lang) or words(lang)["title"]
    description = _in_lang(doc.header.get("dcterms:description", []), lang) or ""
    shown = ("owl:versionIRI", "owl:versionInfo", "owl:priorVersion", "dcterms:license",
             "dcterms:created", "dcterms:modified")
    header = [(k, doc.header[k]) for k in shown if k in doc.header]
    return _render("ld-ontology.html", "/ontology", lang, doc=doc, title=title,
                   description=description, header=header, label=label, refs=_refs,
                   alternates=_alternates(settings.public_base + "ontology", offered))


def render_catalog(settings: Settings, dumps: Mapping[str, Dump], lang: str,
                   offered: Sequence[str], releases: Sequence[Release] = ()) -> str:
    """The data catalog as a page: dataset, version, licence, endpoints, downloads and the
    releases (newest first)."""
    base = settings.public_base
    rows = [{"name": d.name, "url": f"{base}downloads/{d.name}", "media_type": d.media_type,
             "size": f"{d.byte_size:,}".replace(",", "\u202f"), "sha256": d.sha256}
            for _, d in sorted(dumps.items())]
    versions = [{"version": r.version, "url": f"/releases/{r.version}", "issued": r.issued,
                 "issued_text": _issued(r, pick_lang(lang))} for r in reversed(releases)]
    return _render("ld-catalog.html", "/catalog", lang, dumps=rows, releases=versions,
                   description=words(pick_lang(lang))["catalog_text"], dataset=DATASET_IRI,
                   version=__version__, license=LICENSE, sparql=base + "sparql",
                   void=base + ".well-known/void", ontology=base + "ontology",
                   alternates=_alternates(base + "catalog", offered))


_FORMAT_NAMES = {"text/turtle": "Turtle", "application/n-triples": "N-Triples",
                 "application/ld+json": "JSON-LD", "application/n-quads": "N-Quads"}


def _file_row(name: str, url: str, content_type: str, packed: bool, size: int,
              sha256: str, lang: str) -> dict[str, str]:
    fmt = _FORMAT_NAMES.get(content_type, content_type)
    return {"name": name, "url": url, "format": f"{fmt}, gzip" if packed else fmt,
            "size": number_text(size, lang), "sha256": sha256}


def _release_rows(release: Release, files: Sequence[ReleaseFile], lang: str
                  ) -> list[dict[str, str]]:
    return [_file_row(f.name, f"/releases/{release.version}/{f.name}", f.media_type,
                      f.gzip, f.byte_size, f.sha256, lang) for f in files]


def _issued(release: Release, lang: str) -> str:
    """The issue date as the page's language writes it (empty when unknown)."""
    try:
        return date_text(date.fromisoformat(release.issued), lang)
    except ValueError:
        return release.issued


def render_downloads(settings: Settings, dumps: Mapping[str, Dump],
                     releases: Sequence[tuple[Release, Sequence[ReleaseFile]]], lang: str) -> str:
    """``/downloads/``: the dumps of the current data and every release with its files and
    citation, newest release first."""
    lang = pick_lang(lang)
    rows = [_file_row(d.name, f"/downloads/{d.name}", d.content_type, d.gzip,
                      d.byte_size, d.sha256, lang) for _, d in sorted(dumps.items())]
    listed = [{"version": r.version, "issued": r.issued, "issued_text": _issued(r, lang),
               "url": f"/releases/{r.version}",
               "citation": citation.citation(r.version, r.issued, lang),
               "files": _release_rows(r, files, lang)}
              for r, files in reversed(releases)]
    return _render("ld-downloads.html", "/downloads/", lang, dumps=rows, releases=listed,
                   catalog="/catalog", sparql="/sparql", void="/.well-known/void")


def render_release(settings: Settings, release: Release, files: Sequence[ReleaseFile],
                   lang: str, offered: Sequence[str]) -> str:
    """The page of a release: version, dates, publisher, licence, citation and files."""
    lang = pick_lang(lang)
    url = release_url(settings, release.version)
    return _render(
        "ld-release.html", f"/releases/{release.version}", lang, release=release,
        iri=citation.release_iri(release.version),
        title=f"{citation.TITLE[lang]} {release.version}",
        description=words(lang)["release_text"],
        publisher=citation.publisher(settings), license=LICENSE,
        citation=citation.citation(release.version, release.issued, lang),
        issued=_issued(release, lang),
        files=_release_rows(release, files, lang), downloads="/downloads/",
        catalog="/catalog", alternates=_alternates(url, offered))
