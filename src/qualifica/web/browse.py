"""The browse pages: legal bases by act, the competency tree by framework and the roles by
group (the training-format pages are in ``web.offers``).

They come from the catalogue snapshot of the store generation (``linkeddata.catalogue``): kinds,
labels and the links ``qd:legalBasis``, ``qd:partOf``, ``skos:inScheme`` and ``skos:broader``;
the role groups from ``queries/lib/page-role-groups.rq``.

Provisions are ordered naturally: "§ 5" before "§ 47" before "§ 53a" (``web.locale.natural_key``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from qualifica.context import Context
from qualifica.linkeddata.catalogue import Catalogue, catalogue_for, fold
from qualifica.namespaces import (
    QD_LEGAL_BASIS,
    QD_PART_OF,
    SKOS_BROADER,
    SKOS_IN_SCHEME,
)
from qualifica.sparql.terms import iri_of
from qualifica.web.locale import natural_key
from qualifica.web.queries import Labeller, Ref, href_for, select_rows


def catalogue_ref(cat: Catalogue, iri: str, lang: str) -> Ref:
    """A :class:`Ref` for ``iri`` from the catalogue snapshot."""
    node = cat.node(iri, lang)
    return Ref(iri=iri, id=node["id"], kind=node["type"], label=node["label"],
               href=href_for(iri))


def catalogue_refs(cat: Catalogue, iris: Iterable[str], lang: str) -> list[Ref]:
    """Refs for ``iris``, ordered by label then IRI."""
    return [catalogue_ref(cat, i, lang) for i in cat.ordered(iris, lang)]


# --- legal bases ----------------------------------------------------------------------------------

@dataclass
class Provision:
    """An act or one of its provisions, with what rests on it."""

    ref: Ref
    roles: list[Ref]
    tasks: list[Ref]
    offers: list[Ref]


@dataclass
class Act:
    """An act (or ordinance, collective agreement) and its provisions in natural order."""

    act: Provision
    provisions: list[Provision]


def legal_bases_view(ctx: Context, lang: str) -> list[Act]:
    """Every legal basis grouped by the act it is part of; acts by label, provisions in
    natural order."""
    cat = catalogue_for(ctx)
    bases = cat.current(cat.by_kind.get("legal-basis", ()))

    def provision(iri: str) -> Provision:
        resting = cat.current(cat.sources(iri, QD_LEGAL_BASIS))
        by_kind: dict[str, list[str]] = defaultdict(list)
        for s in resting:
            by_kind[cat.kind(s) or ""].append(s)
        return Provision(catalogue_ref(cat, iri, lang), catalogue_refs(cat, by_kind["role"], lang),
                         catalogue_refs(cat, by_kind["task"], lang),
                         catalogue_refs(cat, by_kind["training-format"], lang))

    def top(iri: str) -> str:
        seen = {iri}
        current = iri
        while True:
            parents = [p for p in cat.targets(current, QD_PART_OF) if p not in seen]
            if not parents:
                return current
            current = sorted(parents)[0]
            seen.add(current)

    groups: dict[str, list[str]] = defaultdict(list)
    for iri in bases:
        root = top(iri)
        if root != iri:
            groups[root].append(iri)
        else:
            groups.setdefault(iri, [])
    acts = [Act(provision(root), sorted((provision(p) for p in members),
                                        key=lambda p: natural_key(p.ref.label)))
            for root, members in groups.items()]
    return sorted(acts, key=lambda a: natural_key(a.act.ref.label))


# --- competency tree and role groups ------------------------------------------------------------

@dataclass
class TreeNode:
    """A competency and its narrower ones."""

    ref: Ref
    children: list[TreeNode]


@dataclass
class FrameworkTree:
    """A framework (``None``: competencies in no framework) and its top competencies."""

    framework: Ref | None
    roots: list[TreeNode]
    count: int


def competency_tree(ctx: Context, lang: str) -> list[FrameworkTree]:
    """Every competency in a tree per framework: top concepts first, narrower ones below,
    in natural order of their ids (DigComp 1.1 … 5.4), cycle-safe."""
    cat = catalogue_for(ctx)
    comps = cat.current(cat.by_kind.get("competency", ()))
    by_fw: dict[str | None, list[str]] = defaultdict(list)
    for c in comps:
        fws = cat.targets(c, SKOS_IN_SCHEME)
        by_fw[sorted(fws)[0] if fws else None].append(c)

    def order(iris: Iterable[str]) -> list[str]:
        return sorted(iris, key=lambda i: (natural_key(cat.node(i, lang)["id"]),
                                           fold(cat.label(i, lang))))

    trees = []
    for fw, members in by_fw.items():
        member_set = set(members)
        placed: set[str] = set()

        def grow(iri: str, path: frozenset[str], member_set: set[str] = member_set,
                 placed: set[str] = placed) -> TreeNode:
            placed.add(iri)
            kids = [k for k in cat.current(cat.sources(iri, SKOS_BROADER))
                    if k in member_set and k not in path]
            return TreeNode(catalogue_ref(cat, iri, lang),
                            [grow(k, path | {k}) for k in order(kids)])

        roots_iris = [c for c in members
                      if not any(b in member_set for b in cat.targets(c, SKOS_BROADER))]
        roots = [grow(r, frozenset({r})) for r in order(roots_iris)]
        # members only reachable through a cycle still show, at the top
        roots += [grow(r, frozenset({r})) for r in order(member_set - placed)]
        trees.append(FrameworkTree(catalogue_ref(cat, fw, lang) if fw else None, roots,
                                   len(members)))
    return sorted(trees, key=lambda t: (t.framework is None,
                                        fold(t.framework.label) if t.framework else ""))


@dataclass
class RoleGroup:
    """A role group (``None``: roles in no group), its broader group and its roles."""

    group: Ref | None
    broader: Ref | None
    roles: list[Ref]


def role_groups(ctx: Context, lang: str) -> list[RoleGroup]:
    """The roles by group; groups ordered by their broader group, then label."""
    cat = catalogue_for(ctx)
    rows = select_rows(ctx, "page-role-groups", {})
    labeller = Labeller(ctx, lang)
    current = set(cat.current(cat.by_kind.get("role", ())))
    members: dict[str | None, set[str]] = defaultdict(set)
    broader: dict[str, str] = {}
    for row in rows:
        role = iri_of(row.get("role"))
        if role is None or role not in current:
            continue
        group = iri_of(row.get("group"))
        members[group].add(role)
        b = iri_of(row.get("broader"))
        if group and b:
            broader.setdefault(group, b)
    for role in current:
        if not any(role in m for m in members.values()):
            members[None].add(role)
    out = [RoleGroup(labeller.ref(g) if g else None,
                     labeller.ref(broader[g]) if g and g in broader else None,
                     catalogue_refs(cat, roles, lang))
           for g, roles in members.items() if roles]
    return sorted(out, key=lambda g: (g.group is None,
                                      fold(g.broader.label) if g.broader else "",
                                      fold(g.group.label) if g.group else ""))

