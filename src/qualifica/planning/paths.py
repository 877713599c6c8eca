"""Competency-to-role paths: the roles of a competency, and all simple paths between the two.

The planning graph is directed from a competency towards the roles that need it:

* competency → broader competency (``skos:broader``),
* competency → task that requires it, competency → role that requires it (``qd:requires``),
* task → role that performs it (``qd:performsTask``).

A role *needs* a competency C when it requires C, performs a task requiring C, or requires
(itself or through a task) a broader competency of C, transitively. Each such route is a path
``[C, (broader, ...), (task), role]``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from qualifica.errors import BadParameter, NotFound
from qualifica.planning.index import PlanningIndex
from qualifica.sparql.nodes import Node

VIA_ORDER = ("direct", "task", "hierarchy")
MAX_HOPS = 8
MAX_PATHS = 1000


def typed_node(index: PlanningIndex, iri: str, lang: str) -> Node:
    """A node typed by what the index knows the resource to be."""
    return index.node(iri, lang)


def require_competency(index: PlanningIndex, iri: str) -> None:
    """``NotFound`` unless ``iri`` is a competency of the graph."""
    if iri not in index.competencies:
        raise NotFound(f"there is no competency {iri}", id=iri)


def require_role(index: PlanningIndex, iri: str) -> None:
    """``NotFound`` unless ``iri`` is a role of the graph."""
    if iri not in index.roles:
        raise NotFound(f"there is no role {iri}", id=iri)


def _chains(index: PlanningIndex, start: str) -> list[tuple[str, ...]]:
    """Every simple upward chain ``(start, broader, broader-of-broader, ...)``."""
    out: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [(start,)]
    while stack:
        chain = stack.pop()
        out.append(chain)
        for b in index.broader.get(chain[-1], ()):
            if b not in chain:
                stack.append((*chain, b))
    return out


def _path_key(index: PlanningIndex, path: tuple[str, ...], lang: str) -> tuple[Any, ...]:
    return (len(path), [index.label(p, lang) for p in path], path)


def roles_for(index: PlanningIndex, competency_iri: str, lang: str = "de", *,
              shared_nodes: bool = False) -> dict[str, Any]:
    """The roles that need a competency, each with how (``via``) and every path.

    ``via`` lists the distinct kinds of its paths in the order direct, task, hierarchy: a path
    ``[C, role]`` is *direct*, one through a task is *task*, one through a broader competency is
    *hierarchy* (a path through both counts as both). Roles are ordered by label, paths shortest
    first and then by their labels.

    Every node object of the answer is its own dict. With ``shared_nodes`` they are the index's
    own, shared between entries and answers, for a caller that only encodes the answer (the
    HTTP route: copying a few hundred nodes cost a fifth of the answer): never change them.
    """
    require_competency(index, competency_iri)
    found: dict[str, list[tuple[str, ...]]] = {}
    kinds: dict[str, set[str]] = {}

    def add(role: str, path: tuple[str, ...], via: set[str]) -> None:
        found.setdefault(role, []).append(path)
        kinds.setdefault(role, set()).update(via)

    for chain in _chains(index, competency_iri):
        end = chain[-1]
        up = {"hierarchy"} if len(chain) > 1 else set()
        for role in index.comp_roles_direct.get(end, ()):
            add(role, (*chain, role), up or {"direct"})
        for task in index.comp_tasks.get(end, ()):
            for role in index.task_roles.get(task, ()):
                add(role, (*chain, task, role), up | {"task"})

    # One node and one label per resource of the answer: a path repeats the competency, its
    # broader ones and the tasks, and a role's label serves both its entry and its paths.
    nodes: dict[str, Node] = {}
    labels: dict[str, str] = {}
    for role_paths in found.values():
        for path in role_paths:
            for p in path:
                if p not in nodes:
                    nodes[p] = cached = index.shared_node(p, lang)
                    labels[p] = cached["label"]

    def key(path: tuple[str, ...]) -> tuple[Any, ...]:
        return (len(path), [labels[p] for p in path], path)

    def entry(role: str) -> dict[str, Any]:
        role_paths = found[role]
        unique = sorted(set(role_paths), key=key) if len(role_paths) > 1 else role_paths
        return {
            "role": nodes[role] if shared_nodes else nodes[role].copy(),
            "via": [v for v in VIA_ORDER if v in kinds[role]],
            "paths": ([[nodes[p] for p in path] for path in unique] if shared_nodes
                      else [[nodes[p].copy() for p in path] for path in unique]),
        }

    return {
        "competency": typed_node(index, competency_iri, lang),
        "roles": [entry(role) for role in sorted(found, key=lambda r: (labels[r], r))],
    }


def _successors(index: PlanningIndex, node: str) -> list[str]:
    if node in index.roles:
        return []
    if node in index.tasks:
        return list(index.task_roles.get(node, ()))
    return [
        *index.broader.get(node, ()),
        *sorted(index.comp_tasks.get(node, ())),
        *sorted(index.comp_roles_direct.get(node, ())),
    ]


def _predecessors(index: PlanningIndex, node: str) -> list[str]:
    if node in index.roles:
        own = index.own_requirements.get(node, {})
        return [*index.role_tasks.get(node, ()), *own]
    if node in index.tasks:
        return list(index.own_requirements.get(node, {}))
    return list(index.narrower.get(node, ()))


def paths(
    index: PlanningIndex, from_iri: str, to_iri: str, max_hops: int = 4, lang: str = "de"
) -> dict[str, Any]:
    """All simple paths from a competency to a role with at most ``max_hops`` edges.

    Shortest first, then by their labels; at most ``MAX_PATHS`` (``truncated`` says when more
    existed). A backward breadth-first search from the role bounds the forward search, so only
    nodes that can still reach the role in the hops left are visited.
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadParameter(f"max_hops must be between 1 and {MAX_HOPS}", param="max_hops",
                           status=422)
    require_competency(index, from_iri)
    require_role(index, to_iri)

    dist: dict[str, int] = {to_iri: 0}
    queue = deque([to_iri])
    while queue:
        n = queue.popleft()
        if dist[n] >= max_hops:
            continue
        for p in _predecessors(index, n):
            if p not in dist:
                dist[p] = dist[n] + 1
                queue.append(p)

    found: list[tuple[str, ...]] = []
    truncated = False
    # Breadth first, so that a truncated answer still holds the shortest paths.
    frontier: deque[tuple[str, ...]] = deque([(from_iri,)] if from_iri in dist else [])
    while frontier:
        path = frontier.popleft()
        last = path[-1]
        if last == to_iri:
            found.append(path)
            if len(found) >= MAX_PATHS:
                truncated = bool(frontier)
                break
            continue
        left = max_hops - (len(path) - 1)
        for nxt in _successors(index, last):
            if nxt not in path and dist.get(nxt, max_hops + 1) <= left - 1:
                frontier.append((*path, nxt))

    found.sort(key=lambda p: _path_key(index, p, lang))
    return {
        "paths": [[typed_node(index, p, lang) for p in path] for path in found],
        "truncated": truncated,
    }
