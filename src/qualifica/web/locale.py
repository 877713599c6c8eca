"""Values as the page's locale writes them (Babel's CLDR data): dates and numbers, and the
natural order of labels with numbers in them ("§ 5" before "§ 47")."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long",
                              "nonNegativeInteger", "positiveInteger")}
_LOCALES = {"de": "de_DE", "en": "en_GB"}
_BOOLEANS = {"true": 0, "1": 0, "false": 1, "0": 1}
_YES_NO = {False: ("ja", "nein"), True: ("yes", "no")}


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, "de_DE")


def date_text(value: date, lang: str) -> str:
    """A date as the locale writes it in full: ``28. März 2021``, ``28 March 2021``."""
    return format_date(value, format="long", locale=_locale(lang))


def number_text(value: float | int | Decimal, lang: str) -> str:
    """A number with the locale's separators: ``1.234,5``, ``1,234.5``."""
    return format_decimal(value, locale=_locale(lang))


def money_text(value: Decimal, currency: str, lang: str) -> str:
    """An amount of money as the locale writes it: ``450,50 €``, ``€450.50``."""
    return format_currency(value, currency or "EUR", locale=_locale(lang))


def percent_text(value: float, lang: str) -> str:
    """A share as a whole percentage: ``40 %`` in German, ``40%`` in English."""
    return format_percent(value, format="#,##0 %" if lang != "en" else "#,##0%",
                          locale=_locale(lang))


def localised(text: str, datatype: str, lang: str) -> str:
    """A literal of ``datatype`` as the page shows it: dates, numbers and truth values in the
    page's language, anything else (or anything malformed) as it is."""
    try:
        if datatype == XSD + "date":
            return date_text(date.fromisoformat(text), lang)
        if datatype in _NUMBERS:
            return number_text(Decimal(text), lang)
        if datatype == XSD + "boolean" and text in _BOOLEANS:
            return _YES_NO[lang == "en"][_BOOLEANS[text]]
    except (ValueError, InvalidOperation):
        return text
    return text


_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=65536)
def natural_key(label: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders the numbers in labels by value: ``§ 5 TVöD`` before
    ``§ 47 TVöD``, ``§ 53 BBiG`` before ``§ 53a BBiG``; case does not count."""
    return tuple((1, int(part)) if part.isdigit() else (0, part.casefold())
                 for part in _DIGITS.split(label) if part)
