"""What the role and competency pages list beside the competencies: the training formats that
develop them and the legal bases of roles, tasks and formats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qualifica.context import Context
from qualifica.linkeddata.catalogue import catalogue_for
from qualifica.linkeddata.provenance import Mark, Provenance
from qualifica.namespaces import QD_DEVELOPS, QD_KIND, QD_LEGAL_BASIS, QD_PART_OF
from qualifica.planning import get_index
from qualifica.sparql.terms import bool_of, int_of, iri_of
from qualifica.web.locale import natural_key
from qualifica.web.queries import Labeller, Ref, select_rows


@dataclass
class FormatRow:
    """A training format that develops a competency, and the level it reaches."""

    format: Ref
    kinds: list[Ref]
    competency: Ref
    level: Ref | None
    rank: int | None
    editorial: bool


def formats_for(ctx: Context, competencies: Sequence[str], labeller: Labeller
                ) -> list[FormatRow]:
    """The formats that develop any of ``competencies``, one row per format and competency,
    read from the store (``page-formats``): what :func:`format_pairs` and :func:`format_rows`
    make from memory, and what they are tested against."""
    if not competencies:
        return []
    rows = select_rows(ctx, "page-formats", {"competency": list(competencies)})
    found: dict[tuple[str, str], FormatRow] = {}
    for row in rows:
        fmt, comp = iri_of(row.get("format")), iri_of(row.get("competency"))
        if fmt is None or comp is None:
            continue
        level, kind = iri_of(row.get("level")), iri_of(row.get("kind"))
        rank = int_of(row.get("rank"))
        item = found.get((fmt, comp))
        if item is None:
            item = found[(fmt, comp)] = FormatRow(
                format=labeller.ref(fmt), kinds=[], competency=labeller.ref(comp),
                level=labeller.ref(level) if level else None, rank=rank,
                editorial=bool(bool_of(row.get("editorial"))))
        elif rank is not None and (item.rank is None or rank > item.rank):
            item.rank, item.level = rank, labeller.ref(level) if level else None
        if kind and all(k.iri != kind for k in item.kinds):
            item.kinds.append(labeller.ref(kind))
    return sorted(found.values(), key=format_order)


def format_rows(ctx: Context, pairs: Sequence[tuple[str, str]], labeller: Labeller
                ) -> list[FormatRow]:
    """The formats that develop competencies, one row per (format, competency) pair given (of
    :func:`format_pairs`), in their order, from memory: the level reached from the planning
    index (the best outcome of the format for the competency; kept current on every write),
    the kinds from the catalogue; ``editorial`` when an outcome of the format for the
    competency is marked ``qd:editorial true`` (the index's too)."""
    if not pairs:
        return []
    ix = get_index(ctx)
    cat = catalogue_for(ctx)
    rows: list[FormatRow] = []
    for fmt, comp in pairs:
        level = ix.outcome_levels.get(fmt, {}).get(comp)
        kinds = cat.targets(fmt, QD_KIND)
        rows.append(FormatRow(
            format=labeller.ref(fmt), kinds=[labeller.ref(k) for k in kinds],
            competency=labeller.ref(comp), level=labeller.ref(level) if level else None,
            rank=ix.level_rank.get(level) if level else None,
            editorial=comp in ix.editorial_outcomes.get(fmt, ())))
    return rows


def format_order(row: FormatRow) -> tuple[str, str, str, str]:
    """The order of the format rows: by competency, then format (labels, then IRIs)."""
    return (row.competency.label.lower(), row.format.label.lower(), row.competency.iri,
            row.format.iri)


def format_pairs(ctx: Context, competencies: Sequence[str], labeller: Labeller
                 ) -> list[tuple[str, str]]:
    """The (format, competency) pairs of the formats that develop any of ``competencies``, by
    competency, then format (labels, then IRIs; :func:`format_order`), from the catalogue of
    the store's generation (its ``qd:develops`` links)."""
    cat = catalogue_for(ctx)
    pairs = {(f, c) for c in set(competencies) for f in cat.sources(c, QD_DEVELOPS)}
    return sorted(pairs, key=lambda fc: (labeller.label(fc[1]).lower(),
                                         labeller.label(fc[0]).lower(), fc[1], fc[0]))


@dataclass
class LegalRow:
    """A legal basis of a role, task or format, with the act it is part of."""

    subject: Ref
    legal: Ref
    act: Ref | None


def legal_bases_for(ctx: Context, subjects: Sequence[str], labeller: Labeller
                    ) -> list[LegalRow]:
    """The legal bases of the given roles, tasks and formats, from the catalogue of the store's
    generation (its ``qd:legalBasis`` and ``qd:partOf`` links; the same rows as the library
    query ``page-legal-bases``, without a query per page)."""
    if not subjects:
        return []
    cat = catalogue_for(ctx)
    out: dict[tuple[str, str], LegalRow] = {}
    for subj in sorted(set(subjects)):
        for legal in cat.targets(subj, QD_LEGAL_BASIS):
            if (subj, legal) not in out:
                acts = sorted(cat.targets(legal, QD_PART_OF))
                out[(subj, legal)] = LegalRow(labeller.ref(subj), labeller.ref(legal),
                                              labeller.ref(acts[0]) if acts else None)
    return sorted(out.values(), key=lambda r: (*legal_order(r.legal, r.act),
                                               natural_key(r.subject.label)))


def legal_order(legal: Ref, act: Ref | None) -> tuple[object, ...]:
    """Legal bases grouped by their act and in natural order within it: the act itself, then
    ``§ 4``, ``§ 5``, ``§ 47``, ``§ 53a`` (not ``§ 47`` before ``§ 5``)."""
    return (natural_key(act.label if act else legal.label), act is not None,
            natural_key(legal.label), legal.iri)


@dataclass
class LegalGroup:
    """One legal basis with everything on a page that rests on it (with one provenance)."""

    legal: Ref
    act: Ref | None
    subjects: list[Ref]
    mark: Mark | None = None


def legal_groups(rows: Sequence[LegalRow], marks: Provenance | None = None
                 ) -> list[LegalGroup]:
    """``rows`` with one entry per legal basis (its subjects in natural order), by act; with
    ``marks``, one entry per legal basis and provenance of the ``qd:legalBasis`` statements
    (the sourced and the editorial ones apart)."""
    groups: dict[tuple[str, object], LegalGroup] = {}
    for row in rows:
        mark = marks.mark(row.subject.iri, QD_LEGAL_BASIS, row.legal.iri) if marks else None
        key = (row.legal.iri, mark.key() if mark else None)
        group = groups.setdefault(key, LegalGroup(row.legal, row.act, [], mark))
        if all(s.iri != row.subject.iri for s in group.subjects):
            group.subjects.append(row.subject)
    for group in groups.values():
        group.subjects.sort(key=lambda r: (natural_key(r.label), r.iri))
    return sorted(groups.values(), key=lambda g: (*legal_order(g.legal, g.act),
                                                  g.mark.key() if g.mark else ()))
