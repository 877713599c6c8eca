"""Dates, numbers and the natural order of labels in the pages' locales."""

from __future__ import annotations

from datetime import date

import pytest

from qualifica.web.i18n import TERM_LABELS, graph_name, term_label, words
from qualifica.web.locale import XSD, date_text, localised, natural_key, number_text, percent_text


@pytest.mark.parametrize(("lang", "expected"), [("de", "28. März 2021"),
                                                 ("en", "28 March 2021")])
def test_dates(lang: str, expected: str) -> None:
    assert date_text(date(2021, 3, 28), lang) == expected
    assert localised("2021-03-28", XSD + "date", lang) == expected


def test_numbers_and_shares() -> None:
    assert number_text(1234.5, "de") == "1.234,5" and number_text(1234.5, "en") == "1,234.5"
    assert localised("4659", XSD + "integer", "de") == "4.659"
    assert percent_text(0.4, "de") == "40 %" and percent_text(0.4, "en") == "40%"
    assert percent_text(2 / 3, "de") == "67 %"


def test_truth_values() -> None:
    assert localised("true", XSD + "boolean", "de") == "ja"
    assert localised("false", XSD + "boolean", "en") == "no"
    assert localised("0", XSD + "boolean", "de") == "nein"


def test_malformed_and_other_literals_stay_as_they_are() -> None:
    assert localised("2021-13-40", XSD + "date", "de") == "2021-13-40"
    assert localised("viele", XSD + "integer", "de") == "viele"
    assert localised("2021-03-28", XSD + "string", "de") == "2021-03-28"


def test_natural_order() -> None:
    labels = ["§ 47 BLV", "§ 5 BBiG", "§ 53a BBiG", "§ 53 BBiG", "§ 4 DigiTV", "§ 1a OZG"]
    assert sorted(labels, key=natural_key) == [
        "§ 1a OZG", "§ 4 DigiTV", "§ 5 BBiG", "§ 47 BLV", "§ 53 BBiG", "§ 53a BBiG"]
    assert natural_key("Stufe 10") > natural_key("stufe 9")


def test_every_term_and_word_has_both_languages() -> None:
    for iri, (de, en) in TERM_LABELS.items():
        assert de and en, iri
        assert term_label(iri, "de") == de and term_label(iri, "en") == en
    assert term_label("https://example.org/x", "de") is None
    assert set(words("de")) == set(words("en"))
    assert graph_name("https://w3id.org/qualifica/graph/legal-bases", "de") == "Rechtsgrundlagen"
    assert graph_name("https://w3id.org/qualifica/graph/legal-bases", "en") == "Legal bases"
