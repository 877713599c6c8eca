"""The paths diagram for screen readers and keyboards: a named group (not an image, which
may not hold links: axe ``nested-interactive``) whose nodes are links named by kind and label;
the arrows and the drawn text are hidden from them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qualifica.web import svg
from qualifica.web.competency_view import CompetencyPath
from qualifica.web.queries import Ref

NS = {"s": svg.SVG_NS}
ID = "https://w3id.org/qualifica/id/"


def _ref(kind: str, slug: str, label: str, href: str | None = None) -> Ref:
    return Ref(ID + f"{kind}/{slug}", slug, kind, label, href or f"/{kind}/{slug}")


def test_the_diagram_is_a_named_group_of_named_links() -> None:
    c, t = _ref("competency", "c", "Datenschutz"), _ref("task", "t", "Akten führen")
    r, bad = _ref("role", "r", "CIO"), _ref("role", "x", "Böse", "javascript:alert(1)")
    paths = [CompetencyPath([c], t, r, None, 1, True), CompetencyPath([c], None, bad, None, 1,
                                                                       True)]
    root = ET.fromstring(svg.paths_svg(
        paths, title="Pfade: Datenschutz",
        kinds={"competency": "Kompetenz", "task": "Aufgabe", "role": "Rolle"}))
    assert root.get("role") == "group" and root.get("aria-labelledby") == "paths-title"
    assert root.find("s:title[@id='paths-title']", NS) is not None
    names = {a.get("aria-label"): a.get("href") for a in root.iterfind(".//s:a", NS)}
    assert names == {"Kompetenz: Datenschutz": "/competency/c", "Aufgabe: Akten führen":
                     "/task/t", "Rolle: CIO": "/role/r"}
    # a node without a safe link is an image with the same kind of name, and no link
    unlinked = root.find(".//s:g[@data-id='x']/s:g", NS)
    assert unlinked is not None and unlinked.get("role") == "img"
    assert unlinked.get("aria-label") == "Rolle: Böse"
    # nothing interactive inside an image, the arrows and drawn text hidden
    assert all(g.find(".//s:a", NS) is None for g in root.iterfind(".//s:g[@role='img']", NS))
    edges = root.find("s:g[@class='edges']", NS)
    assert edges is not None and edges.get("aria-hidden") == "true"
    assert all(t.get("aria-hidden") == "true" for t in root.iterfind(".//s:text", NS))
