"""``CITATION.cff``: valid Citation File Format 1.2.0 (parsed with a YAML parser, the required
keys present, every key one of the format's, values of the right form) and saying what the
server says of the dataset (title, authors, licence, version); and the "How to cite" section of
the docs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from qualifica import __version__
from qualifica.linkeddata import citation

ROOT = Path(__file__).resolve().parents[2]
#: The keys CFF 1.2.0 knows at the top level (schema.json of the format).
CFF_KEYS = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
            "identifiers", "keywords", "license", "license-url", "message",
            "preferred-citation", "references", "repository", "repository-artifact",
            "repository-code", "title", "type", "url", "version"}
REQUIRED = {"cff-version", "message", "title", "authors"}


def cff() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_citation_cff_is_valid_cff_1_2() -> None:
    data = cff()
    assert set(data) >= REQUIRED, REQUIRED - set(data)
    assert set(data) <= CFF_KEYS, set(data) - CFF_KEYS
    assert data["cff-version"] == "1.2.0"
    assert isinstance(data["message"], str) and data["message"].strip()
    assert data["type"] in ("software", "dataset")
    authors = data["authors"]
    assert isinstance(authors, list) and authors
    for author in authors:
        assert isinstance(author, dict)
        assert author.get("name") or author.get("family-names"), author
    for identifier in data.get("identifiers", []):  # type: ignore[attr-defined]
        assert identifier["type"] in ("doi", "url", "swh", "other")
        assert identifier["value"].startswith("https://")
    assert isinstance(data["version"], str)  # quoted: 1.10 is not 1.1
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["version"])
    assert all(isinstance(k, str) for k in data["keywords"])  # type: ignore[attr-defined]


def test_citation_cff_says_what_the_server_says() -> None:
    data = cff()
    assert data["title"] == citation.TITLE["en"]
    assert data["authors"] == [{"name": citation.AUTHORS}]
    assert data["license"] == citation.LICENSE_SPDX
    assert data["version"] == __version__
    assert data["url"] == citation.DATASET_IRI


def test_the_docs_say_how_to_cite() -> None:
    docs = (ROOT / "docs" / "linked-data.md").read_text(encoding="utf-8")
    section = docs.split("## How to cite", 1)[1].split("\n## ", 1)[0]
    assert "CITATION.cff" in section
    assert "https://w3id.org/qualifica/releases/" in section
    assert citation.citation("1.2.0", "2027-03-01") in section
