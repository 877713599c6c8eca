"""Content negotiation by profile (W3C "Content Negotiation by Profile") for dereferenceable IRIs.

A profile names what a description holds and in which vocabulary: the full Qualifica model (the
default), SKOS, schema.org and an ESCO-shaped one for ``/id/…`` resources, DCAT-AP.de for the
data catalog (``/catalog``, kind ``catalog``). Each profile other than the full model is a
CONSTRUCT query in ``queries/profiles/{token}.rq`` evaluated over the resource's full
description (a few hundred triples in an in-memory store), so a profile sees exactly what the
description holds and costs 0.2-0.9 ms more; the profiles are described with
PROF in ``ontology/profiles.ttl``.

The client chooses with ``Accept-Profile: <uri>;q=…`` or with ``_profile=token-or-uri``
(``_profile=alt`` lists the profiles and formats of the resource); every answer names its
profile with ``Link: <uri>; rel="profile"`` and maps each token to its URI.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryTriples,
    Store,
    Triple,
    Variable,
)

from qualifica.errors import NotAcceptable
from qualifica.namespaces import BASE, DCTERMS, RDF_TYPE
from qualifica.sparql.registry import Registry

log = logging.getLogger(__name__)

PROFILE_BASE = BASE + "profile/"
ALTR = "http://www.w3.org/ns/dx/connegp/altr#"
PROF_PROFILE = "http://www.w3.org/ns/dx/prof/Profile"
ALT = "alt"


@dataclass(frozen=True)
class Profile:
    """One profile: its token, URI, label and the kinds of resource it applies to."""

    token: str
    label: str
    kinds: tuple[str, ...] | None = None  # None: every kind
    query: bool = True  # False: the full description itself

    @property
    def uri(self) -> str:
        """The profile's URI (``https://w3id.org/qualifica/profile/{token}``)."""
        return PROFILE_BASE + self.token

    def applies_to(self, kind: str) -> bool:
        """Whether resources of ``kind`` are offered in this profile."""
        return self.kinds is None or kind in self.kinds


FULL = Profile("qualifica", "The full Qualifica model", query=False)
PROFILES: tuple[Profile, ...] = (
    FULL,
    Profile("skos", "SKOS: concepts and concept schemes", ("competency", "framework")),
    Profile("schema", "schema.org: Occupation, Course, Legislation, DefinedTerm",
            ("role", "training-format", "legal-basis", "competency", "framework")),
    Profile("esco", "ESCO-shaped: occupations with essential and optional skills",
            ("role", "competency")),
    Profile("dcat-ap-de", "DCAT-AP.de: the data catalog as German open-data portals read it",
            ("catalog",)),
)
BY_TOKEN = {p.token: p for p in PROFILES}
BY_URI = {p.uri: p for p in PROFILES}


def offered(kind: str) -> list[Profile]:
    """The profiles a resource of ``kind`` is offered in (the default first)."""
    return [p for p in PROFILES if p.applies_to(kind)]


def _named(value: str) -> Profile | None:
    value = value.strip().strip("<>").strip()
    return BY_TOKEN.get(value) or BY_URI.get(value)


def parse_accept_profile(header: str | None) -> list[tuple[str, float]]:
    """The profiles of an ``Accept-Profile`` header (``<uri>;q=0.5, …``; bare tokens are read
    too) with their q-values, in the header's order; malformed entries are skipped."""
    out: list[tuple[str, float]] = []
    for part in (header or "").split(",")[:32]:
        name, _, params = part.strip().partition(";")
        name = name.strip()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((name.strip("<>"), q))
    return out


def negotiate(kind: str, accept_profile: str | None, override: str | None) -> Profile | None:
    """The profile to answer with; ``None`` for ``_profile=alt`` (the list of profiles).

    ``_profile`` (a token or URI) wins over ``Accept-Profile``; of the header's profiles the one
    with the highest q-value that the resource is offered in wins; without either the full model.
    A profile that is unknown or not offered for this kind is 406 naming the offered ones.
    """
    available = offered(kind)
    tokens = [p.token for p in available]
    if override is not None and override.strip():
        if override.strip() == ALT:
            return None
        profile = _named(override)
        if profile is None or profile not in available:
            raise NotAcceptable(
                f"profile {override[:80]!r} is not available for a {kind}; use one of: "
                + ", ".join([*tokens, ALT]), param="_profile",
                available=[p.uri for p in available])
        return profile
    wanted = parse_accept_profile(accept_profile)
    if not wanted:
        return FULL
    best: Profile | None = None
    best_q = 0.0
    for name, q in wanted:
        profile = _named(name)
        if profile is not None and profile in available and q > best_q:
            best, best_q = profile, q
    if best is None:
        raise NotAcceptable(
            f"none of the requested profiles is available for a {kind}; offered: "
            + ", ".join(p.uri for p in available), available=[p.uri for p in available])
    return best


def apply(registry: Registry, profile: Profile, resource: NamedNode,
          description: Iterable[Triple]) -> list[Triple]:
    """The triples of ``profile`` for ``resource``: its CONSTRUCT query evaluated over the full
    description (the description itself for the full model)."""
    triples = list(description)
    if not profile.query:
        return triples
    graph = Store()
    graph.extend(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
    result = graph.query(registry.profiles[profile.token].text,
                         substitutions={Variable("resource"): resource})
    assert isinstance(result, QueryTriples)
    return list(result)


def _url(resource_url: str, token: str, media_type: str | None = None) -> str:
    return f"{resource_url}?{_query(token, media_type)}"


@functools.lru_cache(maxsize=256)
def _query(token: str, media_type: str | None) -> str:
    """``_profile=…&_mediatype=…``, escaped (a handful of tokens and media types, quoted once
    each instead of a dozen times in every answer's ``Link`` header)."""
    query = f"_profile={quote(token, safe='')}"
    if media_type is not None:
        query += f"&_mediatype={quote(media_type, safe='')}"
    return query


def link_values(resource_url: str, kind: str, chosen: Profile | None,
                formats: Sequence[str], html: str) -> list[str]:
    """``Link`` values of a negotiated answer: the profile it conforms to (``rel="profile"``),
    each token's URI (``rel="type"``, ``token``, ``anchor``) and every other profile in every
    format (``rel="alternate"``, ``formats``)."""
    links = []
    if chosen is not None:
        links.append(f'<{chosen.uri}>; rel="profile"')
    for p in offered(kind):
        links.append(f'<{PROF_PROFILE}>; rel="type"; token="{p.token}"; anchor=<{p.uri}>')
    for p in offered(kind):
        if p is FULL:
            continue  # the full model's alternates are the plain ``?format=`` links
        for media_type in formats:
            if media_type == html:
                continue
            links.append(f'<{_url(resource_url, p.token, media_type)}>; rel="alternate"; '
                         f'type="{media_type}"; formats="{p.uri}"')
    return links


def alternates(resource: str, resource_url: str, kind: str, formats: Sequence[str],
               html: str) -> dict[str, object]:
    """The ``_profile=alt`` answer as JSON: every profile with its token, URI, label and
    media types."""
    return {
        "resource": resource,
        "default_profile": FULL.uri,
        "profiles": [{
            "token": p.token, "uri": p.uri, "label": p.label,
            "media_types": [m for m in formats if p is FULL or m != html],
            "url": _url(resource_url, p.token),
        } for p in offered(kind)],
    }


def alternates_graph(resource: str, resource_url: str, kind: str, formats: Sequence[str],
                     html: str) -> list[Triple]:
    """The ``_profile=alt`` answer in the Alternate Representations data model (``altr:``):
    one ``altr:Representation`` per profile and media type, the full model's Turtle as
    ``altr:hasDefaultRepresentation``."""
    node = NamedNode(resource)
    conforms = NamedNode(DCTERMS + "conformsTo")
    fmt = NamedNode(DCTERMS + "format")
    triples: list[Triple] = []
    for p in offered(kind):
        for media_type in formats:
            if media_type == html and p is not FULL:
                continue
            rep = BlankNode(f"{p.token}-{media_type.replace('/', '-').replace('+', '-')}")
            default = p is FULL and media_type == formats[0]
            rel = "hasDefaultRepresentation" if default else "hasRepresentation"
            triples += [
                Triple(node, NamedNode(ALTR + rel), rep),
                Triple(rep, NamedNode(RDF_TYPE), NamedNode(ALTR + "Representation")),
                Triple(rep, conforms, NamedNode(p.uri)),
                Triple(rep, fmt, Literal(media_type)),
            ]
    return triples
