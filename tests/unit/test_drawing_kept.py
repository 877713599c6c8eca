"""The paths diagram and the list of paths of a competency page are kept by what they draw
(``web.render._drawn``): a page made anew after a write elsewhere draws nothing again, and a
write that changes a label or a path on it is drawn at once."""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from qualifica.namespaces import QD, SKOS
from qualifica.web import render
from qualifica_testing import PLANNING_GRAPH, planning_context

ID = "https://w3id.org/qualifica/id/"
GRAPH = NamedNode(PLANNING_GRAPH)
ANALYST = NamedNode(f"{ID}role/datenanalyst")
LABEL = NamedNode(SKOS + "prefLabel")


def diagram_and_list(page: str) -> tuple[str, str]:
    """The SVG and the list of paths of a competency page."""
    drawing = re.search(r"<svg.*?</svg>", page, re.S)
    tree = re.search(r'<ul class="path-tree"[^>]*>(.*?)</ul>\s*</section>', page, re.S)
    assert drawing is not None and tree is not None
    return drawing.group(0), tree.group(1)


def test_a_write_elsewhere_draws_nothing_again_and_a_changed_label_is_drawn(
        tmp_path: Path) -> None:
    ctx = planning_context(tmp_path)
    try:
        iri = f"{ID}competency/datenschutz"
        first = render.render_resource(ctx, iri, "de")
        drawing, tree = diagram_and_list(first)
        assert "Datenanalyst" in drawing and "Datenanalyst" in tree
        # a write that touches nothing on the page: a new store generation, the same drawing
        ctx.store.apply([], [Quad(NamedNode(f"{ID}role/elsewhere"), LABEL,
                                  Literal("Anderswo", language="de"), GRAPH)])
        hits = render._drawn.cache_info().hits
        again = render.render_resource(ctx, iri, "de")
        assert render._drawn.cache_info().hits == hits + 1
        assert again == first
        # the label of a role on the paths changes: drawn with the new label at once
        ctx.store.apply([Quad(ANALYST, LABEL, Literal("Datenanalyst", language="de"), GRAPH)],
                        [Quad(ANALYST, LABEL, Literal("Datenanalytikerin", language="de"),
                              GRAPH)])
        drawing, tree = diagram_and_list(render.render_resource(ctx, iri, "de"))
        assert "Datenanalytikerin" in drawing and "Datenanalytikerin" in tree
        assert "Datenanalyst<" not in drawing and ">Datenanalyst<" not in tree
        # a path goes away (the role no longer performs the task): no longer drawn
        ctx.store.apply([Quad(ANALYST, NamedNode(QD + "performsTask"),
                              NamedNode(f"{ID}task/daten-auswerten"), GRAPH)], [])
        drawing, tree = diagram_and_list(render.render_resource(ctx, iri, "de"))
        assert "daten-auswerten" not in drawing and "daten-auswerten" not in tree
    finally:
        ctx.close()
