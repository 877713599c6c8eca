"""How the dataset is cited and who publishes it: the words the DCAT descriptions (``/catalog``,
a release's IRI), the download page and ``CITATION.cff`` share.

``CITATION.cff`` at the project root says the same (a test compares them): title, authors,
licence and the IRI of the dataset.
"""

from __future__ import annotations

from qualifica.config import Settings
from qualifica.namespaces import BASE

#: The dataset's title in both languages (the English one is the title ``CITATION.cff`` gives).
TITLE = {"de": "Qualifica – Wissensgraph digitaler Kompetenzen der öffentlichen Verwaltung",
         "en": "Qualifica – knowledge graph of digital competencies in public administration"}
#: Who is cited as the author (``authors`` of ``CITATION.cff``).
AUTHORS = "Qualifica contributors"
#: The licence of the data (``license`` of ``CITATION.cff``, SPDX: CC-BY-4.0).
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_SPDX = "CC-BY-4.0"
#: The canonical IRI of the dataset and of its releases.
DATASET_IRI = BASE + "dataset"
RELEASES = BASE + "releases/"


def release_iri(version: str) -> str:
    """The canonical IRI of a release: ``https://w3id.org/qualifica/releases/{version}``."""
    return RELEASES + version


def publisher(settings: Settings) -> str:
    """The publisher's name (``QUALIFICA_PUBLISHER``)."""
    return settings.publisher


def contact(settings: Settings) -> tuple[str, str | None]:
    """The contact point: the page to turn to (the public base) and the e-mail address
    (``QUALIFICA_CONTACT_EMAIL``, if set)."""
    return settings.public_base, settings.contact_email


def citation(version: str, issued: str, lang: str = "en") -> str:
    """The recommended citation of a release, after the DataCite style:
    ``Authors (Year). Title (Version X) [Data set]. IRI``."""
    year = issued[:4] if issued[:4].isdigit() else "n.d."
    kind = "[Datensatz]" if lang == "de" else "[Data set]"
    return (f"{AUTHORS} ({year}). {TITLE['de' if lang == 'de' else 'en']} (Version {version}) "
            f"{kind}. {release_iri(version)}")
