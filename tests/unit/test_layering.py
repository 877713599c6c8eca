"""The import graph of ``qualifica`` keeps the layering of ``docs/architecture.md``.

Layers, top to bottom (a package may import from the layers below it, never from one above):

    cli | api  →  web  →  planning | validation | linkeddata | ingest  →  context  →  sparql
    →  store  →  config | errors | namespaces

Packages on one line are siblings: they may use one another in one direction (``cli`` starts the
``api`` server, ``ingest`` writes through ``validation``'s gate), but no two packages, siblings or
not, import each other, which the cycle test checks. ``config``, ``errors`` and ``namespaces`` are
independent of each other. Imports under ``TYPE_CHECKING`` and imports deferred into functions
count like any other: they are dependencies all the same.

``KNOWN_BREAKS`` lists, edge by edge, the imports that break the contract today while the code
that removes them is being written; each entry says why. An entry whose import no longer exists
fails the test, so the list only shrinks.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

PACKAGE = "qualifica"

#: Top to bottom; a set is one layer of siblings.
LAYERS: list[set[str]] = [
    {"cli", "api"},
    {"web", "sandbox"},
    {"planning", "validation", "linkeddata", "ingest"},
    {"context"},
    {"sparql"},
    {"store"},
    {"config", "errors", "namespaces", "media", "labels"},
]

#: Layers whose members must not import each other at all.
INDEPENDENT = [{"config", "errors", "namespaces"}]

#: ``(importer, imported) -> why``: module-level edges that break the contract today.
KNOWN_BREAKS: dict[tuple[str, str], str] = {}

#: ``(module, package) -> why``: modules that read another package's files by path.
KNOWN_PATH_REACHES: dict[tuple[str, str], str] = {}

SRC = Path(__file__).resolve().parents[2] / "src" / PACKAGE


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """The import graph of the package, with the known breaks taken out."""
    g = grimp.build_graph(PACKAGE, cache_dir=None)
    for importer, imported in KNOWN_BREAKS:
        if g.direct_import_exists(importer=importer, imported=imported):
            g.remove_import(importer=importer, imported=imported)
    return g


def _package(module: str) -> str | None:
    """The top-level subpackage (or module) of ``qualifica`` that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _package_edges(g: grimp.ImportGraph) -> dict[str, set[str]]:
    """``{package: {packages it imports}}`` between the top-level parts of ``qualifica``."""
    edges: dict[str, set[str]] = defaultdict(set)
    for module in g.modules:
        importer = _package(module)
        for imported_module in g.find_modules_directly_imported_by(module):
            imported = _package(imported_module)
            if importer and imported and importer != imported:
                edges[importer].add(imported)
    return edges


def _describe(deps: set[grimp.PackageDependency]) -> list[str]:
    """One line per chain of imports: ``heads -> middle ... -> tails``."""
    lines = []
    for dep in sorted(deps, key=lambda d: (d.importer, d.imported)):
        for route in dep.routes:
            chain = [",".join(sorted(route.heads)), *route.middle, ",".join(sorted(route.tails))]
            lines.append(f"{dep.importer} -> {dep.imported}: {' -> '.join(chain)}")
    return lines


def test_the_layers_name_every_package() -> None:
    """Every subpackage and top-level module (but the entry points) has its place in a layer."""
    named = set().union(*LAYERS)
    present = {p.stem for p in SRC.iterdir()
               if (p.is_dir() and (p / "__init__.py").exists())
               or (p.suffix == ".py" and p.stem not in {"__init__", "__main__"})}
    assert present == named


def test_no_import_runs_up_a_layer(graph: grimp.ImportGraph) -> None:
    layers = [grimp.Layer(*sorted(layer), independent=layer in INDEPENDENT) for layer in LAYERS]
    illegal = graph.find_illegal_dependencies_for_layers(layers=layers, containers={PACKAGE})
    assert not illegal, "imports against the layering:\n" + "\n".join(_describe(illegal))


def test_no_two_packages_import_each_other(graph: grimp.ImportGraph) -> None:
    edges = _package_edges(graph)
    try:
        list(TopologicalSorter(edges).static_order())
    except CycleError as e:
        pytest.fail(f"packages import each other: {' -> '.join(e.args[1])}")


def test_the_known_breaks_still_exist() -> None:
    """An entry whose import is gone is taken off ``KNOWN_BREAKS`` (the list only shrinks)."""
    g = grimp.build_graph(PACKAGE, cache_dir=None)
    gone = [edge for edge in KNOWN_BREAKS
            if not g.direct_import_exists(importer=edge[0], imported=edge[1])]
    assert not gone, f"no longer imported, remove from KNOWN_BREAKS: {gone}"


def _path_reaches(module: str, source: str) -> set[str]:
    """Other packages whose files ``source`` reaches by a path built from ``__file__``."""
    own = _package(module)
    packages = set().union(*LAYERS)
    reached: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)):
            continue
        parts = list(ast.walk(node))
        from_file = any(isinstance(p, ast.Name) and p.id == "__file__" for p in parts)
        names = {p.value for p in parts if isinstance(p, ast.Constant)
                 and isinstance(p.value, str)}
        if from_file:
            reached |= (names & packages) - {own}
    return reached


def test_no_module_reads_another_packages_files_by_path() -> None:
    """Templates, static files and queries of a package are read through that package."""
    found: dict[tuple[str, str], Path] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(p for p in rel.parts if p != "__init__")
        for package in _path_reaches(module, path.read_text(encoding="utf-8")):
            found[(module, package)] = path
    assert set(found) == set(KNOWN_PATH_REACHES), (
        f"reaches by path: {sorted(set(found) - set(KNOWN_PATH_REACHES))}; "
        f"no longer reached, remove from KNOWN_PATH_REACHES: "
        f"{sorted(set(KNOWN_PATH_REACHES) - set(found))}")
