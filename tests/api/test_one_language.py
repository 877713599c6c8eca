"""One language per page: every planner page type, German and English, holds no word of the
other language and no word of the vocabulary's inner workings (``scopeNote``, graph IRIs,
``@de``), and writes dates and numbers the way its language does.

The page's text is what a reader meets: the text of ``<title>`` and ``<main>`` and the
``aria-label``, ``title``, ``alt`` and ``placeholder`` attributes. Text that the page marks as
being in another language (``lang="…"``, WCAG 3.1.2) is left out; so is the permanent address
of a resource (an identifier, not a word).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

#: One page of every type a planner meets (the ``/sparql``, ``/catalog`` and ``/ontology``
#: pages describe the vocabulary and the data service themselves and are left to their tests).
PAGE_TYPES = {
    "start": "/",
    "role": "/roles/prozessmanager",
    "role-with-offers": "/roles/it-sicherheitsmanager",
    "competency": "/competencies/digcomp-4-2",
    "competency-area": "/competencies/digcomp-4",
    "role-with-sourced-links": "/roles/verwaltungsfachangestellte",
    "role-in-a-sourced-group": "/roles/anwender",
    "task": "/id/task/prozesse-erheben",
    "training-format": "/id/training-format/egov-campus-prozessmanagement",
    "legal-form": "/id/training-format/tvoed-erhaltungsqualifizierung",
    "act": "/id/legal-basis/bbig",
    "provision": "/id/legal-basis/digitv-bund-4",
    "provision-with-versions": "/id/legal-basis/bbg-61",
    "version": "/id/legal-basis/ozg-1a-fassung-2024",
    "amending-act": "/id/legal-basis/bbimog-2019",
    "legal-changes": "/legal-changes?act=ozg&from=2020-01-01",
    "level": "/id/level/digcomp-3",
    "requirement": "/id/requirement/cio-digcomp-4",
    "learning-outcome": "/id/outcome/ausbildung-verwaltungsfachangestellte-digcomp-1-3",
    "framework": "/id/framework/digcomp-2-2",
    "gap-start": "/gap",
    "gap-form": "/gap?role=prozessmanager",
    "gap-result": "/gap?role=prozessmanager&level-digcomp-4-2=5&level-digcomp-1-3=3",
    "search": "/search?q=daten",
    "search-typo": "/search?q=Prozesmanager",
    "match": "/match?level-digcomp-4-2=5&level-digcomp-1-3=3",
    "training-formats": "/training-formats?kind=fortbildung",
    "offer": "/training-formats/egov-campus-prozessmanagement",
    "legal-bases": "/legal-bases",
    "competency-tree": "/competencies",
    "roles-by-group": "/roles",
    "not-found": "/roles/xyz-123",
    "bad-request": "/roles/%3Cx%3E",
}

#: Never on any page: the vocabulary's inner names, graph IRIs, language tags, ISO dates.
EVERYWHERE = [
    r"scopeNote", r"prefLabel", r"altLabel", r"version_date", r"LegalResource", r"isReplacedBy",
    r"\b(?:rdf|rdfs|skos|dcterms|eli|owl|schema|qd):[A-Za-z]", r"w3id\.org/qualifica/graph/",
    r"@(?:de|en)\b", r"\b\d{4}-\d{2}-\d{2}\b", r"\bNone\b", r"\bundefined\b", r"\bLEGAL\b",
    r"\b(?:true|false)\b",
]

#: Never on a German page: the English words of the pages and of the vocabularies reused.
NOT_GERMAN = [
    r"\b(?:Skip to content|Home|Download|Properties|Property|Value|Sources?|Links to)\b",
    r"\b(?:Gap analysis|Competenc(?:y|ies)|Required level|Held level|Essential|Result)\b",
    r"\b(?:Roles?|Tasks?|Level|Framework|Training formats?|Legal (?:bases|basis|resource))\b",
    r"\b(?:Part of|Applies to|Scope note|Identifier|Issued|Version date|Address|Not found)\b",
    r"\b(?:yes|no|not held|met|partial|missing|none|editorial|sourced)\b",
    r"\b(?:the|and|of|with|there is|is)\b",
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b",
    r"\d%",  # German writes "40 %"
]

#: Never on an English page: the German words of the pages.
NOT_ENGLISH = [
    r"\b(?:Zum Inhalt|Startseite|herunterladen|Eigenschaften?|Wert|Quellen?|Verweise)\b",
    r"\b(?:Lückenanalyse|Lücken|Kompetenz(?:en|anforderungen)?|Gefordertes|Vorhandenes)\b",
    r"\b(?:Wesentlich|ja|nein|vorhanden|erfüllt|teilweise|fehlt|keine|redaktionell|belegt)\b",
    r"\b(?:Aufgaben?|Rollen?|Niveau|Rahmenwerk|Rechtsgrundlagen?|Teil von|Gilt für|Stand)\b",
    r"\b(?:und|der|die|das|mit|von|für|nicht|gibt)\b",
    r"\b(?:Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember)\b",
    r"§", r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", r"\d %",
]


class _Reader(HTMLParser):
    """The text a reader meets on a page, without what is marked as another language."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"})

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []  # (tag, counted)
        self.parts: list[str] = []

    def _counted(self) -> bool:
        inside = [t for t, _ in self.stack]
        return ("main" in inside or "title" in inside) and all(c for _, c in self.stack) \
            and "code" not in inside and "script" not in inside and "style" not in inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        own = a.get("lang")
        counted = own is None or own.split("-")[0] == self.lang
        if tag not in self.VOID:
            self.stack.append((tag, counted))
        if counted and (self._counted() or tag in self.VOID):
            for name in ("aria-label", "title", "alt", "placeholder"):
                if a.get(name):
                    self.parts.append(str(a[name]))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._counted():
            self.parts.append(data)


def reader_text(html: str, lang: str) -> str:
    """The words of ``html`` a reader of language ``lang`` meets."""
    reader = _Reader(lang)
    reader.feed(html)
    return re.sub(r"\s+", " ", " ".join(reader.parts))


def offences(text: str, patterns: list[str]) -> list[str]:
    """Every match of ``patterns`` in ``text``, with some context."""
    found = []
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            found.append(f"{m.group(0)!r} in …{text[max(0, m.start() - 40):m.end() + 40]}…")
    return found


def test_the_reader_leaves_out_marked_foreign_text_and_counts_labels() -> None:
    html = ('<html lang="de"><head><title>Seite</title></head><body><nav>Home</nav><main>'
            '<p>Text <span lang="en">the scope</span></p><code>https://x/graph/y</code>'
            '<a aria-label="Rolle: CIO" href="/r">x</a><svg><title>Pfade</title></svg>'
            '</main></body></html>')
    text = reader_text(html, "de")
    assert "Seite" in text and "Text" in text and "Rolle: CIO" in text and "Pfade" in text
    assert "the scope" not in text and "Home" not in text and "graph" not in text
    assert offences("the scope of § 5", NOT_GERMAN) and offences("Stand 2021-03-28", EVERYWHERE)
    assert offences("Download CSV", NOT_GERMAN) and not offences("CSV herunterladen", NOT_GERMAN)
    assert offences("40 %", NOT_ENGLISH) and not offences("40%", NOT_ENGLISH)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_every_page_type_speaks_one_language(client: TestClient, name: str, lang: str) -> None:
    path = PAGE_TYPES[name]
    url = path + ("&" if "?" in path else "?") + f"lang={lang}"
    r = client.get(url, headers={"Accept": "text/html"})
    assert r.status_code == {"not-found": 404, "bad-request": 422}.get(name, 200), url
    assert r.headers["content-type"].startswith("text/html"), url
    assert r.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in r.text
    text = reader_text(r.text, lang)
    assert len(text) > 40, (url, text)
    found = offences(text, EVERYWHERE + (NOT_GERMAN if lang == "de" else NOT_ENGLISH))
    assert found == [], (url, found)


@pytest.mark.parametrize(("lang", "issued", "version"), [
    ("de", "23. März 2005", "28. März 2021"),
    ("en", "23 March 2005", "28 March 2021"),
])
def test_dates_are_written_in_the_pages_language(client: TestClient, lang: str, issued: str,
                                                 version: str) -> None:
    text = reader_text(client.get(f"/id/legal-basis/bbig?lang={lang}").text, lang)
    assert issued in text and version in text


@pytest.mark.parametrize(("lang", "coverage"), [("de", "40 %"), ("en", "40%")])
def test_the_coverage_is_written_in_the_pages_language(client: TestClient, lang: str,
                                                       coverage: str) -> None:
    query = ("role=prozessmanager&level-digcomp-4-2=5&level-qd-problemloesungskompetenz=3"
             "&level-digcomp-1-3=3")
    r = client.get(f"/gap?{query}&lang={lang}")
    assert f'id="coverage">{coverage}</strong>' in r.text


def test_texts_in_other_languages_are_left_out_when_the_page_has_its_own(
        client: TestClient) -> None:
    de = client.get("/id/legal-basis/bbig").text
    en = client.get("/id/legal-basis/bbig?lang=en").text
    assert "Stand: Neufassung" in de and "As of: re-promulgated" not in de
    assert "As of: re-promulgated" in en and "Stand: Neufassung" not in en
    # the scope note is named in the page's language
    assert "Anmerkung zum Geltungsbereich" in de and "Scope note" in en
    # the act's web page is shown by its address, not by its last segment
    assert ">https://www.gesetze-im-internet.de/bbig_2005/</a>" in de
    # a named resource outside the data keeps its name (the ontology's kinds of training)
    offer = client.get("/id/training-format/master-verwaltungsinformatik-unibw").text
    assert ">Weiterbildung<" in offer and "ontology#Weiterbildung</a>" not in offer
