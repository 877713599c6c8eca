"""Full SHACL validation benchmark: ours (the shapes compiled to SPARQL), Apache Jena SHACL and
pySHACL, on the same data with the same shapes, in one run.

    .venv/bin/python bench/validation.py --scale 1

Uses ``bench/out/graph-{scale}.nt`` (made by ``bench/generate.py`` when missing; it conforms)
and its mutated copy ``graph-{scale}-mutated.nt`` (known violations), and measures:

  (a) ours on the file: parsed straight into an in-memory store with the ontology, validated
      by two processes (``qualifica validate``), on the conforming and on the mutated graph
      (the violations found must be exactly the known ones);
  (b) ours on a store: the graph bulk-loaded into an on-disk store with the bundled graph,
      validated in place by this process and one reading a checkpoint of the store
      (``qualifica check --store``);
  (c) a gated load of the file into an empty on-disk store (``qualifica load``);
  (d) Apache Jena SHACL (Debian ``libapache-jena-java`` 4.5, ``shacl validate``) on the same
      data (the graph with the ontology, as N-Triples) in its own JVM, wall time including the
      JVM start and parsing;
  (e) pySHACL (what ``qualifica validate`` ran before) in its own process, with a time limit
      (``--pyshacl-timeout``), at ``--pyshacl-scale`` (default: the same scale), beside ours at
      that scale for the ratio.

Jena from Debian needs two adjustments, made here: its relocated Xerces (package ``xerces``)
looks for its message bundles under ``xerces/impl/msg`` and ``xerces/impl/xpath/regex``, which
the package does not ship: they are copied from Debian's ``libxerces2-java`` into a folder on the
class path. And Jena 4.5 rejects a SPARQL constraint with two ``sh:message`` values (one per
language: "More than one match"), so Jena gets a copy of the shapes with the English message
only. Install both with ``apt-get install libapache-jena-java libxerces2-java``.

Prints a table and writes ``bench/out/validation-{scale}.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import rdflib  # noqa: E402
from pyoxigraph import RdfFormat, serialize  # noqa: E402
from rdflib.namespace import SH  # noqa: E402

from qualifica.config import Settings  # noqa: E402
from qualifica.context import open_context  # noqa: E402
from qualifica.validation.fast import fast_validator, validate_with  # noqa: E402
from qualifica.validation.gate import ensure_bundled, load_files  # noqa: E402
from qualifica.validation.shacl import Shapes  # noqa: E402
from qualifica_testing import load_graph  # noqa: E402

JAVA_DIR = Path("/usr/share/java")
#: Bindings and bridges of SLF4J that clash when every jar of /usr/share/java is on the path.
_SKIP_JARS = ("log4j-over-slf4j", "slf4j-log4j12", "slf4j-jdk14", "slf4j-simple", "logback",
              "maven3-slf4j-provider", "slf4j-jcl", "xercesImpl", "xercesSamples")


def graphs(scale: float, seed: int, violations: int) -> tuple[Path, Path, list[list[str]]]:
    """The conforming graph and its mutated copy at ``scale`` (generated when missing)."""
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"graph-{scale:g}.nt"
    mutated = out / f"graph-{scale:g}-mutated.nt"
    if not path.exists():
        generate.write(scale, seed, path)
    if not mutated.exists() or not mutated.with_suffix(".json").exists():
        generate.write_mutated(path, mutated, violations, seed)
    known = json.loads(mutated.with_suffix(".json").read_text(encoding="utf-8"))
    return path, mutated, known


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ours_on_file(shapes: Shapes, path: Path) -> dict[str, object]:
    """Parse into memory and validate a file (``qualifica validate``); CPU time includes the
    second process's. ``load_s``: parsing into the in-memory store with the ontology."""
    c0 = time.process_time() + children_cpu()
    t0 = time.perf_counter()
    validator = fast_validator(shapes)
    report = validator.validate_files([path])
    t1 = time.perf_counter()
    return {"total_s": t1 - t0, "cpu_s": time.process_time() + children_cpu() - c0,
            **validator.last_stats, "conforms": report.conforms,
            "violations": sorted((f.focus, f.shape or "", f.component or "")
                                 for f in report.violations),
            "results": len(report.findings),
            "warnings": len(report.findings) - len(report.violations)}


def ours_on_store(shapes: Shapes, path: Path, tmp: Path) -> dict[str, object]:
    ctx = open_context(Settings(data_dir=tmp / "store", load_bundled=True))
    try:
        ensure_bundled(ctx)
        t0 = time.perf_counter()
        load_graph(ctx.store, path, "https://w3id.org/qualifica/graph/bench", bulk=True)
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        c1 = time.process_time() + children_cpu()
        report = validate_with(shapes, ctx.store)
        return {"validate_s": time.perf_counter() - t1,
                "cpu_s": time.process_time() + children_cpu() - c1,
                **fast_validator(shapes).last_stats,
                "bulk_load_s": load_s,
                "quads": ctx.store.count(), "conforms": report.conforms}
    finally:
        ctx.close()


def gated_load(shapes: Shapes, path: Path, tmp: Path) -> dict[str, object]:
    ctx = open_context(Settings(data_dir=tmp / "gated", load_bundled=False))
    try:
        t0 = time.perf_counter()
        c0 = time.process_time() + children_cpu()
        result = load_files(ctx.store, shapes, [path])
        return {"total_s": time.perf_counter() - t0,
                "cpu_s": time.process_time() + children_cpu() - c0,
                "quads": result.quads,
                "conforms": result.report.conforms}
    finally:
        ctx.close()


def jena_classpath(tmp: Path) -> str | None:
    """Jena's jars with the Xerces message bundles at the relocated path, or None."""
    xerces = JAVA_DIR / "xercesImpl.jar"
    if not (JAVA_DIR / "jena-shacl.jar").exists() or not xerces.exists():
        return None
    bundles = tmp / "jena-xerces-messages"
    with zipfile.ZipFile(xerces) as jar:
        for name in jar.namelist():
            for prefix in ("org/apache/xerces/impl/msg/", "org/apache/xerces/impl/xpath/regex/"):
                if name.startswith(prefix) and name.endswith(".properties"):
                    target = bundles / name.removeprefix("org/apache/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [str(j) for j in sorted(JAVA_DIR.glob("*.jar"))
            if not any(skip in j.name for skip in _SKIP_JARS)]
    return os.pathsep.join([str(bundles), *jars])


def jena_shapes(shapes: Shapes, tmp: Path) -> Path:
    """The shapes with one (English) sh:message per SPARQL constraint, which Jena 4.5 needs."""
    g = rdflib.Graph()
    for t in shapes.shapes:
        g.add(t)
    for c in set(g.objects(None, SH.sparql)):
        for m in list(g.objects(c, SH.message)):
            if isinstance(m, rdflib.Literal) and m.language != "en":
                g.remove((c, SH.message, m))
    out = tmp / "jena-shapes.ttl"
    g.serialize(out, format="turtle")
    return out


def with_ontology(shapes: Shapes, path: Path, tmp: Path) -> Path:
    """The data file with the ontology appended (Jena has no separate ontology graph)."""
    out = tmp / f"{path.stem}-with-ontology.nt"
    with out.open("wb") as f:
        f.write(path.read_bytes())
        serialize(fast_validator(shapes).ontology_triples(), f, format=RdfFormat.N_TRIPLES)
    return out


def run_jena(classpath: str, shapes_file: Path, data: Path, timeout: float) -> dict[str, object]:
    t0 = time.perf_counter()
    c0 = children_cpu()
    try:
        done = subprocess.run(["java", "-cp", classpath, "shacl.shacl", "validate",
                               "--shapes", str(shapes_file), "--data", str(data)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        return {"error": done.stderr.strip().splitlines()[:3]}
    report = done.stdout
    # SHACL's sh:conforms is false as soon as there is any result, warnings too
    return {"total_s": wall, "cpu_s": children_cpu() - c0,
            "results": report.count("sh:ValidationResult")}


_PYSHACL = """
import sys, time, json, resource
from pathlib import Path
from pyoxigraph import parse, RdfFormat
from qualifica.validation.shacl import Shapes, to_rdflib
t0 = time.perf_counter()
shapes = Shapes(Path(sys.argv[2]), Path(sys.argv[3]))
graph = to_rdflib(parse(path=sys.argv[1], format=RdfFormat.N_TRIPLES))
report = shapes.validate(graph)
print(json.dumps({"total_s": time.perf_counter() - t0, "conforms": report.conforms,
                  "results": len(report.findings),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_pyshacl(path: Path, timeout: float) -> dict[str, object]:
    settings = Settings()
    c0 = children_cpu()
    try:
        done = subprocess.run([sys.executable, "-c", _PYSHACL, str(path),
                               str(settings.shapes_dir), str(settings.ontology_dir)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "timeout_s": timeout}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-3:]}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "cpu_s": children_cpu() - c0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--violations", type=int, default=60)
    parser.add_argument("--pyshacl-scale", type=float, default=None)
    parser.add_argument("--pyshacl-timeout", type=float, default=600.0)
    parser.add_argument("--jena-timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    settings = Settings()
    shapes = Shapes(settings.shapes_dir, settings.ontology_dir)
    path, mutated, known = graphs(args.scale, args.seed, args.violations)
    out: dict[str, object] = {"scale": args.scale, "cpus": os.cpu_count(),
                              "load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fast_validator(shapes)  # compiled once, as in a running process
        out["ours_file"] = ours_file = ours_on_file(shapes, path)
        print(f"ours, file:      {ours_file['total_s']:.2f} s, {ours_file['cpu_s']:.2f} s CPU "
              "(conforms: "
              f"{ours_file['conforms']}, {ours_file['warnings']} warnings)")
        out["ours_mutated"] = ours_mut = ours_on_file(shapes, mutated)
        found = ours_mut["violations"]
        exact = sorted(map(tuple, known)) == sorted(map(tuple, found))  # type: ignore[arg-type]
        print(f"ours, mutated:   {ours_mut['total_s']:.2f} s ({len(found)} violations "  # type: ignore[arg-type]
              f"found, {len(known)} made: {'the same' if exact else 'DIFFERENT'})")
        out["mutated_exact"] = exact
        for key in ("violations",):
            ours_mut.pop(key)
            ours_file.pop(key)
        out["ours_store"] = ours_store = ours_on_store(shapes, path, tmp)
        print(f"ours, store:     {ours_store['validate_s']:.2f} s, {ours_store['cpu_s']:.2f} s "
              "CPU in place "
              f"({ours_store['quads']} quads, conforms: {ours_store['conforms']})")
        if "own_jobs" in ours_store:  # how the two processes shared the queries
            print(f"                 this process {ours_store['own_jobs']:.0f} queries in "
                  f"{ours_store['own_jobs_s']:.2f} s, the second {ours_store['other_jobs']:.0f} "
                  f"in {ours_store['other_jobs_s']:.2f} s")
        out["gated_load"] = gated = gated_load(shapes, path, tmp)
        print(f"gated load:      {gated['total_s']:.2f} s, {gated['cpu_s']:.2f} s CPU "
              f"({gated['quads']} quads)")
        classpath = jena_classpath(tmp)
        if classpath is None:
            out["jena"] = {"error": "apt-get install libapache-jena-java libxerces2-java"}
        else:
            data = with_ontology(shapes, path, tmp)
            out["jena"] = run_jena(classpath, jena_shapes(shapes, tmp), data, args.jena_timeout)
        print(f"jena:            {out['jena']} (ours: {ours_file['results']} results)")
        py_scale = args.pyshacl_scale or args.scale
        py_path = path
        if py_scale != args.scale:
            py_path, _, _ = graphs(py_scale, args.seed, args.violations)
            out["ours_file_at_pyshacl_scale"] = ours_small = ours_on_file(shapes, py_path)
            ours_small.pop("violations")
        out["pyshacl_scale"] = py_scale
        out["pyshacl"] = run_pyshacl(py_path, args.pyshacl_timeout)
        print(f"pyshacl (scale {py_scale:g}): {out['pyshacl']}")
    ours_s = float(ours_file["total_s"])  # type: ignore[arg-type]
    jena = out["jena"]
    if isinstance(jena, dict) and "total_s" in jena:
        out["jena_over_ours"] = float(jena["total_s"]) / ours_s
        out["jena_over_ours_cpu"] = float(jena["cpu_s"]) / float(ours_file["cpu_s"])  # type: ignore[arg-type]
        print(f"Jena takes {out['jena_over_ours']:.1f}x as long as ours on the file, "
              f"{float(jena['total_s']) / float(ours_store['validate_s']):.1f}x as long as "  # type: ignore[arg-type]
              "ours on the store")
    py = out["pyshacl"]
    if isinstance(py, dict) and "total_s" in py:
        base = out.get("ours_file_at_pyshacl_scale", ours_file)
        out["pyshacl_over_ours"] = float(py["total_s"]) / float(base["total_s"])  # type: ignore[index]
        out["pyshacl_over_ours_cpu"] = float(py["cpu_s"]) / float(base["cpu_s"])  # type: ignore[index]
        print(f"pySHACL takes {out['pyshacl_over_ours']:.0f}x as long as ours")
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    target = ROOT / "bench" / "out" / f"validation-{args.scale:g}.json"
    target.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {target}")
    return 0 if exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
