"""Role and offer pages mark the legal bases changed since a chosen day
(``?changed_since=YYYY-MM-DD``), in German and English, and refuse a bad day with a 422 page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient


class _Marks(HTMLParser):
    """The links inside (or being) an element of class ``legal-changed``, the inputs and the
    labels of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # open elements inside a marked one (0: outside)
        self.links: list[list[str]] = []
        self.inputs: dict[str, dict[str, str]] = {}
        self.labels: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a":
            self.hrefs.append(a.get("href", ""))
        if tag == "input" and a.get("name"):
            self.inputs[a["name"]] = a
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if self.depth:
            self.depth += 1
        elif "legal-changed" in a.get("class", "").split():
            self.depth = 1
        if self.depth and tag == "a":
            self.links.append(["", a.get("href", "")])

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.links:
            self.links[-1][0] += data


def parse(html: str) -> _Marks:
    p = _Marks()
    p.feed(html)
    return p


def bbig_role(client: TestClient) -> str:
    """A role whose page lists a BBiG provision (through its tasks or training formats)."""
    r = client.get("/api/roles", params={"limit": "500"})
    assert r.status_code == 200, r.text
    for role in sorted(item["id"] for item in r.json()["items"]):
        if "/legal-basis/bbig-" in client.get(f"/roles/{role}/legal-bases.csv").text:
            return role
    raise AssertionError("no bundled role rests on a BBiG provision")


def marks(html: str) -> list[tuple[str, str]]:
    return [(" ".join(text.split()), href) for text, href in parse(html).links]


@pytest.mark.parametrize(("lang", "text"), [
    ("de", "geändert seit 31. Dezember 2019"), ("en", "changed since 31 December 2019")])
def test_role_marks_bbig_changed_since_2019(client: TestClient, lang: str, text: str) -> None:
    role = bbig_role(client)
    r = client.get(f"/roles/{role}", params={"changed_since": "2019-12-31", "lang": lang})
    assert r.status_code == 200, r.text
    found = marks(r.text)
    assert found and all(t == text for t, _ in found)
    hrefs = {h for _, h in found}
    assert any(re.match(r"^/legal-changes\?act=bbig&from=2019-12-31(&lang=en)?$", h)
               for h in hrefs), hrefs
    if lang == "en":
        assert all(h.endswith("&lang=en") for h in hrefs)
    # the linked timeline lists a change of the BBiG since that day
    target = client.get(sorted(hrefs)[0])
    assert target.status_code == 200 and "bbig" in target.text
    # the form keeps the day, and the language switch keeps it too
    page = parse(r.text)
    field = page.inputs["changed_since"]
    assert field["value"] == "2019-12-31" and field["id"] in page.labels
    other = "de" if lang == "en" else "en"
    assert any("changed_since=2019-12-31" in h and f"lang={other}" in h for h in page.hrefs)


def test_no_mark_after_the_last_change_or_without_a_day(client: TestClient) -> None:
    role = bbig_role(client)
    last = max(c["date"] for c in client.get("/api/legal-changes").json()["items"])
    day = f"{int(last[:4]) + 1}{last[4:]}"
    r = client.get(f"/roles/{role}", params={"changed_since": day})
    assert r.status_code == 200
    assert marks(r.text) == []
    plain = client.get(f"/roles/{role}")
    assert plain.status_code == 200 and marks(plain.text) == []
    assert "form" in plain.text and 'name="changed_since"' in plain.text


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("value", ["2020-13-01", "gestern", "2020-1-1"])
def test_bad_day_is_a_clear_422(client: TestClient, lang: str, value: str) -> None:
    role = bbig_role(client)
    r = client.get(f"/roles/{role}", params={"changed_since": value, "lang": lang})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    word = "JJJJ-MM-TT" if lang == "de" else "YYYY-MM-DD"
    assert word in r.text and ("Geändert seit" if lang == "de" else "changed since") in r.text
    offer = client.get("/training-formats/egov-campus-prozessmanagement",
                       params={"changed_since": value, "lang": lang})
    assert offer.status_code == 422 and word in offer.text


def test_offer_marks_a_changed_legal_basis(client: TestClient) -> None:
    formats = client.get("/api/training-formats", params={"limit": "500"}).json()["items"]
    changes = client.get("/api/legal-changes", params={"from": "2000-01-01"}).json()["items"]
    changed_offers = {o["id"] for c in changes for o in c["affected"]["offer"]}
    assert changed_offers, "an offer rests on a provision changed since 2000"
    offer = sorted(changed_offers & {f["id"] for f in formats} or changed_offers)[0]
    for lang, text in (("de", "geändert seit 1. Januar 2000"),
                       ("en", "changed since 1 January 2000")):
        r = client.get(f"/training-formats/{offer}",
                       params={"changed_since": "2000-01-01", "lang": lang})
        assert r.status_code == 200, r.text
        found = marks(r.text)
        assert found and all(t == f"({text})" for t, _ in found)
        assert all("/legal-changes?act=" in h and "from=2000-01-01" in h for _, h in found)
    later = client.get(f"/training-formats/{offer}", params={"changed_since": "2099-01-01"})
    assert later.status_code == 200 and marks(later.text) == []
