"""Legal bases over time through the real app: ``/api/legal-bases?in_force_on=``,
``/api/legal-changes``, the versions in a legal basis's detail and page, and the planners' page
``/legal-changes`` (German by default, English, filtered by act and date range)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

L = "https://w3id.org/qualifica/id/legal-basis/"


def listed(client: TestClient, **params: str) -> set[str]:
    r = client.get("/api/legal-bases", params={"limit": "500", **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


@pytest.mark.parametrize(("before", "after", "provision"), [
    ("2019-12-31", "2020-01-01", "bbig-53a"),
    ("2024-07-23", "2024-07-24", "ozg-1a"),
    ("2024-07-23", "2024-07-24", "ozg-9a"),
    ("2025-02-28", "2025-03-01", "vo-verwaltungsinformatikdienst-gehoben"),
])
def test_legal_bases_in_force_on(client: TestClient, before: str, after: str,
                                 provision: str) -> None:
    assert provision not in listed(client, in_force_on=before)
    assert provision in listed(client, in_force_on=after)


def test_in_force_on_combines_with_part_of(client: TestClient) -> None:
    old = listed(client, in_force_on="2019-06-01", part_of="bbig")
    new = listed(client, in_force_on="2022-01-01", part_of="bbig")
    assert {"bbig-53a", "bbig-53b", "bbig-53c", "bbig-53d", "bbig-53e"} <= new - old
    assert "bbig-53" in old & new
    assert listed(client) >= new  # without the date: everything, in force or not


@pytest.mark.parametrize("value", ["2022-13-01", "gestern", "2022-1-1", "20220101"])
def test_in_force_on_refuses_a_bad_date(client: TestClient, value: str) -> None:
    r = client.get("/api/legal-bases", params={"in_force_on": value})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["param"] == "in_force_on"


def test_legal_changes_between_two_dates(client: TestClient) -> None:
    r = client.get("/api/legal-changes", params={"from": "2021-01-01", "to": "2021-12-31"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    change = body["items"][0]
    assert change["date"] == "2021-07-07" and change["kind"] == "renumbered"
    assert change["provision"]["id"] == "bbg-61"
    assert change["old_version"]["id"] == "bbg-61-fassung-2009"
    assert change["new_version"]["id"] == "bbg-61-fassung-2021"
    assert change["changed_by"]["id"] == "bbg-aenderung-2021"
    assert set(change["affected"]) == {"role", "task", "offer", "requirement"}
    assert "Link" in r.headers  # JSON-LD under the API context, like every /api/ answer


def test_legal_changes_with_what_they_affect(client: TestClient) -> None:
    r = client.get("/api/legal-changes", params={"from": "2024-07-24", "to": "2024-07-24",
                                                 "act": "ozg", "lang": "en"})
    items = r.json()["items"]
    assert {i["provision"]["id"] for i in items} == {
        "ozg", "ozg-1", "ozg-1a", "ozg-3", "ozg-3a", "ozg-4", "ozg-5", "ozg-9a"}
    one_a = next(i for i in items if i["provision"]["id"] == "ozg-1a")
    assert one_a["kind"] == "renumbered"
    assert one_a["old_version"]["id"] == "ozg-1-fassung-2017"
    assert one_a["provision"]["label"].startswith("Section 1a OZG")
    assert {n["id"] for n in one_a["affected"]["offer"]} >= {"egov-campus-verwaltungsportale"}
    assert one_a["affected"]["requirement"], "the requirements of the roles and tasks"


def test_legal_changes_newest_first_and_all_by_default(client: TestClient) -> None:
    items = client.get("/api/legal-changes").json()["items"]
    dates = [i["date"] for i in items]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2025-03-01" and dates[-1] == "2005-03-23"


@pytest.mark.parametrize(("params", "param"), [
    ({"from": "2021-02-30"}, "from"),
    ({"to": "bald"}, "to"),
    ({"from": "2022-01-01", "to": "2021-01-01"}, "from"),
    ({"act": "<bad>"}, "act"),
])
def test_legal_changes_refuse_bad_input(client: TestClient, params: dict[str, str],
                                        param: str) -> None:
    r = client.get("/api/legal-changes", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["param"] == param


def test_detail_lists_versions(client: TestClient) -> None:
    body = client.get("/api/legal-bases/ozg-1").json()
    versions = body["versions"]
    assert [v["iri"] for v in versions] == [L + "ozg-1-fassung-2017", L + "ozg-1-fassung-2024"]
    old, new = versions
    assert old["date_no_longer_in_force"] == "2024-07-23"
    assert old["first_date_entry_in_force"] is None and old["version_date"] == "2017-08-14"
    assert new["first_date_entry_in_force"] == "2024-07-24"
    assert new["identifier"] == "BGBl. 2024 I Nr. 245, Art. 1 Nr. 1"
    assert new["changed_by"]["id"] == "ozg-aenderungsgesetz"
    assert client.get("/api/legal-bases/egovg-6").json()["versions"] == []


def test_named_queries_are_published(client: TestClient) -> None:
    r = client.get("/api/queries/legal-bases-in-force", params={"date": "2019-01-01"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    found = {b["legalBasis"]["value"] for b in r.json()["results"]["bindings"]}
    assert L + "bbig-53" in found and L + "bbig-53a" not in found
    bad = client.get("/api/queries/legal-changes", params={"from": "nie", "to": "2020-01-01"})
    assert bad.status_code == 422 and bad.json()["param"] == "from"


# --- pages -----------------------------------------------------------------------------------

def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_legal_changes_page_in_german(client: TestClient) -> None:
    r = client.get("/legal-changes")
    assert r.status_code == 200
    assert '<html lang="de">' in r.text
    text = _text(r.text)
    assert "Rechtsänderungen" in text
    assert "1. März 2025" in text and "24. Juli 2024" in text
    assert "umnummeriert oder verschoben" in text
    # newest first
    assert text.index("1. März 2025") < text.index("24. Juli 2024") < text.index("7. Juli 2021")
    assert 'href="/feeds/changes.atom"' in r.text


def test_legal_changes_page_filtered_in_english(client: TestClient) -> None:
    r = client.get("/legal-changes", params={"lang": "en", "act": "bbg",
                                             "from": "2021-01-01", "to": "2021-12-31"})
    assert r.status_code == 200 and '<html lang="en">' in r.text
    text = _text(r.text)
    assert "1 changes" in text and "7 July 2021" in text
    assert "renumbered or moved" in text
    assert "Section 61 BBG" in text
    assert 'value="bbg" selected' in r.text
    assert 'value="2021-01-01"' in r.text
    # the language switch keeps the filter
    assert "act=bbg" in r.text and "from=2021-01-01" in r.text


def test_legal_changes_page_with_nothing_in_range(client: TestClient) -> None:
    r = client.get("/legal-changes", params={"from": "2030-01-01"})
    assert r.status_code == 200
    assert "Keine Änderungen in diesem Zeitraum." in r.text


def test_legal_changes_page_bad_date_is_an_html_error(client: TestClient) -> None:
    r = client.get("/legal-changes", params={"to": "morgen"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert "„to“" in r.text  # the German page names the parameter


def test_legal_basis_page_shows_versions(client: TestClient) -> None:
    r = client.get("/id/legal-basis/bbg-61")
    assert r.status_code == 200
    text = _text(r.text)
    assert "Fassungen" in text
    assert "7. Juli 2021" in text and "6. Juli 2021" in text and "bis heute" in text
    assert "Gesetz zur Regelung des Erscheinungsbilds" in text
    assert "12. Februar 2009" in text
    ozg = _text(client.get("/id/legal-basis/ozg-1").text)
    assert "14. August 2017 (Stand der Fassung)" in ozg  # no verified day of entry into force
    en = _text(client.get("/id/legal-basis/bbg-61", params={"lang": "en"}).text)
    assert "Versions" in en and "7 July 2021" in en and "to date" in en
    assert "Fassungen" not in client.get("/id/legal-basis/egovg-6").text
