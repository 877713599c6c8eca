"""Server-side SVG of the paths competency → (broader) → task → role.

A layered drawing, left to right: the competency and its broader competencies (one column per
step up), then tasks, then roles. Nodes are boxes with their label (shortened, the full label in
a ``<title>``) that link to their pages (when :func:`~qualifica.web.hrefs.safe_href` allows);
edges are arrows. Colours are presentation attributes, so no ``<style>`` block is needed. The
SVG is written as text with every label and attribute value escaped (markupsafe), so the output
is well-formed XML (building it with ElementTree cost more than the rest of the page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from qualifica.web.competency_view import CompetencyPath
from qualifica.web.hrefs import safe_href
from qualifica.web.queries import Ref
from qualifica.web.tables import escaped

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

BOX_W = 220
BOX_H = 46
COL_GAP = 80
ROW_GAP = 18
PAD = 16
WAYPOINT_H = 8
MAX_CHARS = 27

# Colours as presentation attributes, not a <style> block: the diagram is embedded in pages
# whose Content-Security-Policy allows stylesheets from the site only, and the stand-alone SVG
# keeps its colours when saved. The pages' stylesheet adds the hover highlight.
_BOX_PAINT = {"competency": ("#e6effa", "#1d4f91"), "task": ("#fdf3e1", "#8a5a00"),
              "role": ("#e7f5ea", "#1e6b34")}
_TEXT_PAINT = {"font-family": "system-ui, sans-serif", "font-size": "13", "fill": "#111"}
_EDGE_PAINT = {"fill": "none", "stroke": "#555", "stroke-width": "1.4"}


@dataclass
class _Node:
    ref: Ref | None  # None: a waypoint of long edges (one per source and layer crossed)
    layer: int
    key: str
    order: float = 0.0
    x: float = 0.0
    y: float = 0.0

    @property
    def height(self) -> float:
        return BOX_H if self.ref is not None else WAYPOINT_H

    @property
    def mid(self) -> float:
        return self.y + self.height / 2


@lru_cache(maxsize=16384)
def _wrap(label: str) -> tuple[str, ...]:
    """At most two lines of about ``MAX_CHARS`` characters; an ellipsis where cut (kept per
    label: a role or task is drawn on many pages)."""
    words: list[str] = []
    for word in label.split():
        while len(word) > MAX_CHARS:  # a very long word is split with a hyphen
            words.append(word[: MAX_CHARS - 1] + "-")
            word = word[MAX_CHARS - 1:]
        words.append(word)
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= MAX_CHARS or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], lines[1]]
        lines[1] = lines[1][: MAX_CHARS - 1].rstrip() + "…"
    return tuple(line if len(line) <= MAX_CHARS + 4 else line[: MAX_CHARS - 1] + "…"
                 for line in lines) or ("",)


Edge = tuple[str, str, str]


def _layout(paths: Sequence[CompetencyPath]
            ) -> tuple[dict[str, _Node], set[Edge], dict[Edge, list[str]]]:
    """Nodes with layers and positions, the edges (from, to, kind), and for every edge that
    crosses layers the waypoints it runs through (shared by the edges of one source, so that
    they run as one line past the boxes in between and fan out at the end)."""
    depth = max((len(p.competencies) for p in paths), default=1)
    has_tasks = any(p.task for p in paths)
    nodes: dict[str, _Node] = {}
    edges: set[Edge] = set()

    def add(ref: Ref, layer: int) -> None:
        node = nodes.get(ref.iri)
        if node is None:
            nodes[ref.iri] = _Node(ref, layer, ref.iri)
        else:
            node.layer = max(node.layer, layer)

    for path in paths:
        for i, comp in enumerate(path.competencies):
            add(comp, i)
            if i:
                edges.add((path.competencies[i - 1].iri, comp.iri, "broader"))
        last = path.competencies[-1].iri
        if path.task is not None:
            add(path.task, depth)
            edges.add((last, path.task.iri, "requires"))
            edges.add((path.task.iri, path.role.iri, "performs"))
        else:
            edges.add((last, path.role.iri, "requires"))
        add(path.role, depth + (1 if has_tasks else 0))

    # Waypoints for edges that skip layers.
    routes: dict[Edge, list[str]] = {}
    links: set[tuple[str, str]] = set()
    for edge in edges:
        src, dst, _ = edge
        chain = [src]
        for layer in range(nodes[src].layer + 1, nodes[dst].layer):
            key = f"{src}@{layer}"
            nodes.setdefault(key, _Node(None, layer, key))
            chain.append(key)
        chain.append(dst)
        routes[edge] = chain[1:-1]
        links.update(pairwise(chain))

    # Order each layer by the mean position of its predecessors (one sweep), then by label.
    layers: dict[int, list[_Node]] = defaultdict(list)
    for node in nodes.values():
        layers[node.layer].append(node)
    preds: dict[str, list[str]] = defaultdict(list)
    for src, dst in links:
        preds[dst].append(src)
    for layer in sorted(layers):
        for node in layers[layer]:
            before = [nodes[p].order for p in preds[node.key]]
            node.order = sum(before) / len(before) if before else 0.0
        layers[layer].sort(key=lambda n: (n.order, n.ref is None,
                                          n.ref.label.lower() if n.ref else n.key))
        for i, node in enumerate(layers[layer]):
            node.order = float(i)

    def column_height(col: list[_Node]) -> float:
        return sum(n.height for n in col) + ROW_GAP * (len(col) - 1)

    tallest = max((column_height(col) for col in layers.values()), default=BOX_H)
    for layer, col in layers.items():
        y = PAD + (tallest - column_height(col)) / 2
        for node in col:
            node.x = PAD + layer * (BOX_W + COL_GAP)
            node.y = y
            y += node.height + ROW_GAP
    return nodes, edges, routes


def _route(points: list[tuple[float, float]]) -> str:
    """A path through ``points``: pairs (exit, entry) joined by S-curves, straight in between."""
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M {x0:.1f} {y0:.1f}"]
    for i in range(0, len(rest), 2):
        x1, y1 = rest[i]
        mid = (x0 + x1) / 2
        parts.append(f"C {mid:.1f} {y0:.1f}, {mid:.1f} {y1:.1f}, {x1:.1f} {y1:.1f}")
        if i + 1 < len(rest):
            x0, y0 = rest[i + 1]
            parts.append(f"L {x0:.1f} {y0:.1f}")
    return " ".join(parts)


def paths_svg(paths: Sequence[CompetencyPath], *, title: str,
              link: Callable[[str], str] = lambda href: href,
              labels: dict[str, str] | None = None,
              kinds: dict[str, str] | None = None) -> str:
    """The SVG document of ``paths``; ``link`` maps a node's page to the link target (e.g. to add
    the page language); ``labels`` names the edge kinds for the legend tooltips, ``kinds`` the
    node kinds for the nodes' accessible names ("Rolle: CIO").

    For screen readers and keyboards the drawing is a group named by its title whose nodes are
    links (or images when not linked) named by kind and label; the arrows are hidden from
    them, the page lists the same paths as text."""
    kinds = kinds or {}
    nodes, edges, routes = _layout(paths)
    layers = max((n.layer for n in nodes.values()), default=0) + 1
    bottom = max((n.y + n.height for n in nodes.values()), default=PAD + BOX_H) + PAD
    width = PAD * 2 + layers * BOX_W + (layers - 1) * COL_GAP
    height = max(bottom, BOX_H + 2 * PAD)
    out: list[str] = [
        _open("svg", {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS,
                      "width": str(int(width)), "height": str(int(height)),
                      "viewBox": f"0 0 {int(width)} {int(height)}", "role": "group",
                      "aria-labelledby": "paths-title", "class": "paths-diagram"}),
        _open("title", {"id": "paths-title"}), _text(title), "</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555" /></marker></defs>',
        # The arrows are drawing only: what they say, the nodes' names and the list of paths
        # beside the diagram say too.
        '<g class="edges" aria-hidden="true">',
    ]
    edge_paint = _attrs(_EDGE_PAINT)
    text_paint = _attrs(_TEXT_PAINT)
    for src, dst, kind in sorted(edges):
        a, b = nodes[src], nodes[dst]
        if a.ref is None or b.ref is None:
            continue
        points = [(a.x + BOX_W, a.mid)]
        for key in routes[(src, dst, kind)]:
            way = nodes[key]
            points += [(way.x, way.mid), (way.x + BOX_W, way.mid)]
        points.append((b.x, b.mid))
        dash = ' stroke-dasharray="5 4"' if kind == "broader" else ""
        head = (f'<path class="edge {_text(kind)}" marker-end="url(#arrow)" '
                f'd="{_route(points)}" data-from="{_text(a.ref.id)}" '
                f'data-to="{_text(b.ref.id)}"{edge_paint}{dash}')
        if labels and kind in labels:
            out.append(f"{head}><title>"
                       f"{_text(f'{a.ref.label} – {labels[kind]} → {b.ref.label}')}"
                       "</title></path>")
        else:
            out.append(head + " />")
    out.append('</g><g class="nodes">')
    origin = paths[0].competencies[0].iri if paths else None
    for node in sorted(nodes.values(), key=lambda n: (n.layer, n.order)):
        ref = node.ref
        if ref is None:
            continue
        # A node whose page is not a safe link target (a javascript: IRI, say) is drawn
        # without a link.
        name = f"{kinds[ref.kind]}: {ref.label}" if ref.kind in kinds else ref.label
        target = safe_href(ref.href)
        head, box, close, lines = _node_parts(ref.kind, ref.id, ref.label, name,
                                              None if target is None else link(target),
                                              ref.iri == origin)
        out.append(f'{head}<rect x="{node.x:.1f}" y="{node.y:.1f}{box}')
        first = node.y + BOX_H / 2 - (len(lines) - 1) * 8 + 4
        for i, line in enumerate(lines):
            out.append(f'<text x="{node.x + 10:.1f}" y="{first + i * 16:.1f}" '
                       f'aria-hidden="true"{text_paint}>{line}</text>')
        out.append(close)
    out.append("</g></svg>")
    return "".join(out)


@lru_cache(maxsize=16384)
def _node_parts(kind: str, id_: str, label: str, name: str, href: str | None, origin: bool
                ) -> tuple[str, str, str, tuple[str, ...]]:
    """What a node's drawing is made of apart from its position (kept: a role or task is
    drawn on many pages): the group and link before the box, the rest of the box after its
    ``y``, the closing tags and the escaped lines of its label."""
    k = _text(kind)
    classes = f"node {k}" + (" origin" if origin else "")
    head = f'<g class="{classes}" data-id="{_text(id_)}" data-kind="{k}">'
    if href is not None:
        linked = _text(href)
        head += f'<a href="{linked}" xlink:href="{linked}" aria-label="{_text(name)}">'
        close = "</a>"
    else:
        head += f'<g role="img" aria-label="{_text(name)}">'
        close = "</g>"
    fill, stroke = _BOX_PAINT.get(kind, ("#fff", "#1d4f91"))
    head += f"<title>{_text(label)}</title>"
    box = (f'" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="{stroke}" '
           f'stroke-width="{"3" if origin else "1.5"}" />')
    return head, box, close + "</g>", tuple(_text(line) for line in _wrap(label))


def _text(value: str) -> str:
    """``value`` as XML character data or attribute value (``&``, ``<``, ``>`` and quotes
    escaped)."""
    return escaped(value)


def _attrs(attrs: Mapping[str, str]) -> str:
    return "".join(f' {k}="{_text(v)}"' for k, v in attrs.items())


def _open(tag: str, attrs: Mapping[str, str], *, empty: bool = False) -> str:
    return f"<{tag}{_attrs(attrs)}{' />' if empty else '>'}"
