"""The training-format pages: the list with its filters (kind, provider, legal basis,
competency) and each offer's page with its facts and learning outcomes.

Kinds, legal bases and competencies come from the catalogue snapshot of the store generation
(``linkeddata.catalogue``); the offer facts (provider, duration, mode, cost and link) are the
schema.org terms read by ``queries/lib/page-format-offers.rq``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode

from qualifica.context import Context
from qualifica.errors import NotFound
from qualifica.linkeddata.catalogue import TRAINING_KINDS, catalogue_for, fold
from qualifica.namespaces import (
    ID,
    QD_DEVELOPS,
    QD_KIND,
    QD_LEGAL_BASIS,
    QD_PART_OF,
    SKOS_BROADER,
    SKOS_IN_SCHEME,
)
from qualifica.sparql.terms import bool_of, int_of, iri_of
from qualifica.web.browse import catalogue_ref, catalogue_refs
from qualifica.web.locale import money_text, natural_key
from qualifica.web.page_errors import worded
from qualifica.web.paging import Pages, Window, window
from qualifica.web.queries import Labeller, Ref, resolve, select_rows
from qualifica.web.resource_view import ResourceView, resource_view
from qualifica.web.tables import level_text


@dataclass
class OfferFacts:
    """What the data says about an offer: provider, duration, mode, cost and link."""

    provider: list[Ref] = field(default_factory=list)
    duration: list[str] = field(default_factory=list)
    mode: list[str] = field(default_factory=list)
    cost: list[str] = field(default_factory=list)
    url: list[str] = field(default_factory=list)


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?)?")


def duration_text(value: str, words: Mapping[str, str]) -> str:
    """An ISO 8601 duration (``P3D``, ``PT8H``, ``P6M``) in words; other text unchanged."""
    m = _DURATION.fullmatch(value.strip())
    if not m or not any(m.groups()):
        return value
    units = ("years", "months", "weeks", "days", "hours", "minutes")
    return ", ".join(f"{int(n)} {words['unit_' + u + ('_1' if int(n) == 1 else '')]}"
                     for n, u in zip(m.groups(), units, strict=True) if n)


def _price_text(value: str, currency: str, lang: str, words: Mapping[str, str]) -> str:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return f"{value} {currency}".strip()
    return words["free_of_charge"] if amount == 0 else money_text(amount, currency, lang)


def offer_facts(ctx: Context, lang: str, words: Mapping[str, str], only: str | None = None
                ) -> dict[str, OfferFacts]:
    """The facts of every training format that has any (of ``only`` when given), by IRI."""
    rows = (select_rows(ctx, "page-format-offers", {}) if only is None
            else select_rows(ctx, "page-format-offer", {"format": only}))
    labeller = Labeller(ctx, lang)
    raw: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(
        lambda: defaultdict(list))
    for row in rows:
        fmt, fld, value = iri_of(row.get("format")), row.get("field"), row.get("value")
        if fmt is None or not isinstance(fld, Literal) or value is None:
            continue
        name = row.get("name")
        if isinstance(value, NamedNode):
            text, link = value.value, value.value
        elif isinstance(value, Literal):
            text, link = value.value, None
        else:
            continue
        named = isinstance(name, Literal) and (not name.language or name.language == lang)
        entries = raw[fmt][fld.value]
        same = next((i for i, (_, other) in enumerate(entries) if link and other == link), None)
        if same is not None:  # a provider resource: one entry, named in the page language
            if named and isinstance(name, Literal):
                entries[same] = (name.value, link)
            continue
        entries.append((name.value if named and isinstance(name, Literal) else text, link))
        if not link and entries.count(entries[-1]) > 1:
            entries.pop()
    out: dict[str, OfferFacts] = {}
    for fmt, fields in raw.items():
        facts = OfferFacts()
        for text, link in fields.get("provider", []):
            if link:
                # a provider of this graph has no page of its own; another one links out
                label = text if text != link else labeller.label(link)
                facts.provider.append(Ref(iri=link, id=link, kind="provider", label=label,
                                          href="" if link.startswith(ID) else link))
            else:
                facts.provider.append(Ref(iri="", id=text, kind="provider", label=text, href=""))
        facts.duration = [duration_text(t, words) for t, _ in fields.get("duration", [])]
        facts.provider.sort(key=lambda r: (fold(r.label), r.iri))
        # a mode as text ("online") or as a term's IRI (".../Online")
        facts.mode = [words.get("mode_" + re.split(r"[/#]", t.strip().rstrip("/"))[-1].lower(),
                                t) for t, _ in fields.get("mode", [])]
        currency = next((t for t, _ in fields.get("currency", [])), "")
        facts.cost = [_price_text(t, currency, lang, words) for t, _ in
                      fields.get("price", [])]
        if not facts.cost and any(t.lower() == "true" for t, _ in fields.get("free", [])):
            facts.cost = [words["free_of_charge"]]
        facts.url = [link or t for t, link in fields.get("url", [])]
        out[fmt] = facts
    return out


@dataclass
class FormatItem:
    """One training format of the list."""

    ref: Ref
    kinds: list[Ref]
    providers: list[Ref]
    legal: list[Ref]
    competencies: list[Ref]


@dataclass
class Option:
    """One choice of a filter."""

    value: str
    label: str
    selected: bool


@dataclass
class FormatsView:
    """The training-format list with its filters."""

    items: list[FormatItem]
    filters: dict[str, list[Option]]
    chosen: dict[str, str]


FORMAT_FILTERS = ("kind", "provider", "legal_basis", "competency")
_KIND_NAMES = {iri: name for name, iri in TRAINING_KINDS.items()}


def _provider_key(ref: Ref) -> str:
    return ref.iri or ref.label


def formats_view(ctx: Context, lang: str, words: Mapping[str, str],
                 chosen: Mapping[str, str]) -> FormatsView:
    """The training formats, filtered by kind, provider, legal basis and competency (each an id;
    ``NotFound`` for an unknown one)."""
    cat = catalogue_for(ctx)
    facts = offer_facts(ctx, lang, words)
    members = cat.current(cat.by_kind.get("training-format", ()))
    kept = set(members)
    picked = {k: v.strip() for k, v in chosen.items() if k in FORMAT_FILTERS and v.strip()}
    names = {"kind": "kind", "provider": "provider", "legal_basis": "legal_basis",
             "competency": "competency"}

    def unknown(name: str) -> str:
        return words["err_filter"].format(value=picked[name], name=words[names[name]])

    kind_iri = None
    if "kind" in picked:
        with worded(unknown("kind")):
            kind_iri = cat.resolve_training_kind(picked["kind"])
        kept &= set(cat.sources(kind_iri, QD_KIND))
    if "legal_basis" in picked:
        with worded(unknown("legal_basis")):
            target = cat.resolve(picked["legal_basis"], "legal-basis", param="legal_basis")
        norms = {target, *cat.closure(target, QD_PART_OF, inverse=True)}
        kept &= {s for n in norms for s in cat.sources(n, QD_LEGAL_BASIS)}
    if "competency" in picked:
        with worded(unknown("competency")):
            target = cat.resolve(picked["competency"], "competency", param="competency")
        comps = {target, *cat.closure(target, SKOS_BROADER, inverse=True)}
        kept &= {s for c in comps for s in cat.sources(c, QD_DEVELOPS)}
    if "provider" in picked:
        known = {_provider_key(p) for f in facts.values() for p in f.provider}
        if picked["provider"] not in known:
            raise NotFound(unknown("provider"), param="provider", id=picked["provider"],
                           worded=True)
        kept &= {f for f, fs in facts.items()
                 if any(_provider_key(p) == picked["provider"] for p in fs.provider)}
    items = []
    for iri in cat.ordered(kept, lang):
        items.append(FormatItem(
            ref=catalogue_ref(cat, iri, lang),
            kinds=catalogue_refs(cat, cat.targets(iri, QD_KIND), lang),
            providers=facts[iri].provider if iri in facts else [],
            legal=sorted(catalogue_refs(cat, cat.targets(iri, QD_LEGAL_BASIS), lang),
                         key=lambda r: natural_key(r.label)),
            competencies=catalogue_refs(cat, cat.targets(iri, QD_DEVELOPS), lang)))
    # the choices: what the (unfiltered) formats use
    kinds = {k for f in members for k in cat.targets(f, QD_KIND)}
    legal = {lb for f in members for lb in cat.targets(f, QD_LEGAL_BASIS)}
    comps = {c for f in members for c in cat.targets(f, QD_DEVELOPS)}
    providers = {_provider_key(p): p.label for f in facts.values() for p in f.provider}

    def options(name: str, pairs: Iterable[tuple[str, str]]) -> list[Option]:
        ordered = sorted(pairs, key=lambda p: (natural_key(p[1]), p[0]))
        return [Option(v, label, picked.get(name) == v) for v, label in ordered]

    def competency_label(c: str, shared: set[str]) -> str:
        """The competency's label; one that several competencies share (the same item under
        several Fachrichtungen of an ordinance) names the broader concept too."""
        label = cat.label(c, lang)
        broader = cat.targets(c, SKOS_BROADER)
        return f"{label} ({cat.label(broader[0], lang)})" if label in shared and broader else label

    def under_act(lb: str) -> tuple[object, ...]:
        acts = cat.targets(lb, QD_PART_OF)
        act = cat.label(sorted(acts)[0], lang) if acts else cat.label(lb, lang)
        return (natural_key(act), bool(acts), natural_key(cat.label(lb, lang)))

    counts = Counter(cat.label(c, lang) for c in comps)
    shared_labels = {label for label, n in counts.items() if n > 1}
    filters = {
        "kind": [Option(_KIND_NAMES.get(k, k), cat.label(k, lang), k == kind_iri)
                 for k in sorted(kinds, key=lambda k: natural_key(cat.label(k, lang)))],
        "provider": options("provider", providers.items()),
        "legal_basis": [Option(cat.node(lb, lang)["id"], cat.label(lb, lang),
                               picked.get("legal_basis") == cat.node(lb, lang)["id"])
                        for lb in sorted(legal, key=under_act)],
        "competency": options("competency", ((cat.node(c, lang)["id"],
                                              competency_label(c, shared_labels))
                                             for c in comps)),
    }
    return FormatsView(items=items, filters=filters, chosen=picked)


@dataclass
class Outcome:
    """A competency an offer develops and the level it reaches."""

    competency: Ref
    framework: Ref | None
    level: str
    editorial: bool


@dataclass
class OfferView:
    """One training format's page."""

    resource: ResourceView
    kinds: list[Ref]
    facts: OfferFacts
    legal: list[Ref]
    forms: list[Ref]
    outcomes: list[Outcome]
    """The outcomes of the page of rows shown (all of them without paging)."""
    outcomes_window: Window | None = None


#: The tables of a training format's page shown in pages of rows (``web.paging``).
OFFER_TABLES = ("outcomes",)


def offer_view(ctx: Context, id: str, lang: str, words: Mapping[str, str],
               pages: Pages | None = None) -> OfferView:
    """The page of a training format (slug or IRI); ``NotFound`` for anything else.
    ``pages``: the page of the outcomes to show (``web.paging``); ``None``: all of them."""
    with worded(words["err_offer"].format(id=id)):
        iri = resolve(id, "training-format")
    cat = catalogue_for(ctx)
    if cat.kind(iri) != "training-format":
        raise NotFound(words["err_offer"].format(id=id), id=id, worded=True)
    resource = resource_view(ctx, iri, lang, incoming=False)
    labeller = Labeller(ctx, lang)
    rows = select_rows(ctx, "page-format-outcomes", {"format": iri})
    outcomes: dict[str, Outcome] = {}
    forms: list[Ref] = []
    for row in rows:
        form = iri_of(row.get("form"))
        if form:
            forms.append(labeller.ref(form))
            continue
        comp = iri_of(row.get("competency"))
        if comp is None or comp in outcomes:
            continue
        level = iri_of(row.get("level"))
        frameworks = [f for f in cat.targets(comp, SKOS_IN_SCHEME)]
        outcomes[comp] = Outcome(
            competency=labeller.ref(comp),
            framework=catalogue_ref(cat, frameworks[0], lang) if frameworks else None,
            level=level_text(labeller.ref(level) if level else None, int_of(row.get("rank"))),
            editorial=bool(bool_of(row.get("editorial"))))
    ordered = sorted(outcomes.values(), key=lambda o: fold(o.competency.label))
    shown = window("outcomes", len(ordered), pages, ctx.settings.page_rows, words["outcomes"],
                   words)
    return OfferView(
        resource=resource,
        kinds=catalogue_refs(cat, cat.targets(iri, QD_KIND), lang),
        facts=offer_facts(ctx, lang, words, only=iri).get(iri, OfferFacts()),
        legal=sorted(catalogue_refs(cat, cat.targets(iri, QD_LEGAL_BASIS), lang),
                     key=lambda r: natural_key(r.label)),
        forms=sorted(forms, key=lambda r: natural_key(r.label)),
        outcomes=shown.cut(ordered), outcomes_window=shown)
