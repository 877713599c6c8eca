"""Write benchmark: a 100-triple gated write with incremental validation, beside full validation
of the same store.

    .venv/bin/python bench/writes.py --scale 1

Loads the bundled graph and the bench graph (``bench/out/graph-{scale}.nt``, made by
``bench/generate.py`` when missing) into an in-memory store, builds a conforming write of exactly
100 triples (new roles with requirements on existing competencies and levels), and measures:

  (a) the gated write: incremental validation (focus nodes, neighbourhood fetch, the shapes
      compiled to SPARQL) + commit, a few runs, each on fresh IRIs (the first run is reported
      separately); then the same with pySHACL as the last step (``engine="pyshacl"``, what the
      gate ran before), for the ratio;
  (b) full validation of the store as it would be after the write (what ``qualifica check`` does).

Prints a table and writes ``bench/out/writes-{scale}.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from qualifica.config import Settings  # noqa: E402
from qualifica.context import open_context  # noqa: E402
from qualifica.namespaces import DCTERMS, ID, QD, RDF, SKOS, XSD  # noqa: E402
from qualifica.validation.changes import full_validate, gated_write  # noqa: E402
from qualifica.validation.gate import ensure_bundled  # noqa: E402
from qualifica.validation.incremental import Change, IncrementalValidator  # noqa: E402
from qualifica.validation.shacl import shapes_of  # noqa: E402
from qualifica_testing import load_graph  # noqa: E402

GRAPH = NamedNode("https://w3id.org/qualifica/graph/bench-writes")


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def write_of_100(run: int) -> list[Quad]:
    """Exactly 100 conforming triples: 2 roles with requirements on DigComp competencies."""
    quads: list[Quad] = []
    source = _n("https://publications.jrc.ec.europa.eu/repository/handle/JRC128415")

    def add(s: NamedNode, p: str, o: object) -> None:
        quads.append(Quad(s, _n(p), o, GRAPH))  # type: ignore[arg-type]

    areas = [(a, c) for a, n in ((1, 3), (2, 6), (3, 4), (4, 4), (5, 4)) for c in range(1, n + 1)]
    k = 0
    for r in range(2):
        role = _n(f"{ID}role/bench-write-{run}-{r}")
        add(role, RDF + "type", _n(QD + "Role"))
        add(role, SKOS + "prefLabel", Literal(f"Schreibrolle {run}-{r}", language="de"))
        add(role, SKOS + "prefLabel", Literal(f"Write role {run}-{r}", language="en"))
        add(role, DCTERMS + "source", source)
        for _ in range(6 - r):
            a, c = areas[k % len(areas)]
            k += 1
            req = _n(f"{ID}requirement/bench-write-{run}-{r}-digcomp-{a}-{c}")
            add(role, QD + "requires", req)
            add(req, RDF + "type", _n(QD + "CompetencyRequirement"))
            add(req, SKOS + "prefLabel", Literal(f"Anforderung {a}.{c}", language="de"))
            add(req, SKOS + "prefLabel", Literal(f"Requirement {a}.{c}", language="en"))
            add(req, QD + "competency", _n(f"{ID}competency/digcomp-{a}-{c}"))
            add(req, QD + "level", _n(f"{ID}level/digcomp-{1 + k % 8}"))
            add(req, QD + "essential", Literal("true", datatype=_n(XSD + "boolean")))
            add(req, DCTERMS + "source", source)
    i = 0
    while len(quads) < 100:
        role = _n(f"{ID}role/bench-write-{run}-{i % 2}")
        add(role, SKOS + "altLabel", Literal(f"Alias {i}", language="de"))
        i += 1
    return quads[:100]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-full", action="store_true", help="do not run full validation")
    args = parser.parse_args(argv)
    scale = f"{args.scale:g}"
    graph_file = ROOT / "bench" / "out" / f"graph-{scale}.nt"
    if not graph_file.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", scale,
                        "--seed", str(args.seed), "-o", str(graph_file)], check=True)

    ctx = open_context(Settings(in_memory=True, load_bundled=True))
    ensure_bundled(ctx)
    t0 = time.perf_counter()
    load_graph(ctx.store, graph_file, "https://w3id.org/qualifica/graph/bench", bulk=True)
    load_s = time.perf_counter() - t0
    size = ctx.store.count()
    print(f"store: {size} quads (bench graph loaded in {load_s:.1f} s)")

    reference = IncrementalValidator(shapes_of(ctx), ctx.registry.library(), engine="pyshacl")
    before: list[float] = []
    for run in range(args.runs):
        t = time.perf_counter()
        gated_write(ctx.store, reference, Change(added=write_of_100(1000 + run)))
        before.append(time.perf_counter() - t)
    pyshacl_median = statistics.median(before[1:] or before)
    print(f"gated writes with pySHACL: median {pyshacl_median * 1000:.0f} ms")
    validator = IncrementalValidator(shapes_of(ctx), ctx.registry.library())
    timings: list[dict[str, float]] = []
    for run in range(args.runs):
        quads = write_of_100(run)
        t = time.perf_counter()
        result = gated_write(ctx.store, validator, Change(added=quads))
        total = time.perf_counter() - t
        assert result.added == 100 and result.report.conforms
        timings.append({**validator.last_stats, "write_s": total})
        print(f"gated write {run}: {total * 1000:.0f} ms "
              f"({int(validator.last_stats['focus_nodes'])} focus nodes, "
              f"{int(validator.last_stats['triples'])} triples validated)")
    warm = [t["write_s"] for t in timings[1:]] or [timings[0]["write_s"]]
    out: dict[str, object] = {
        "scale": args.scale, "quads": size, "write_triples": 100,
        "first_write_s": timings[0]["write_s"],
        "write_median_s": statistics.median(warm),
        "write_max_s": max(warm),
        "pyshacl_write_median_s": pyshacl_median,
        "runs": timings,
    }
    if not args.skip_full:
        change = Change(added=write_of_100(args.runs))
        t = time.perf_counter()
        report = full_validate(ctx.store, shapes_of(ctx), change)
        full_s = time.perf_counter() - t
        out["full_validation_s"] = full_s
        out["full_conforms"] = report.conforms
        print(f"full validation of the same store: {full_s:.1f} s (conforms: {report.conforms})")
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, indent=2))
    target = ROOT / "bench" / "out" / f"writes-{scale}.json"
    target.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
