"""A seeded generator of an ESCO-scale planning graph in the Qualifica vocabulary.

Scale 1: ~3,000 roles, ~14,000 competencies in a 4-level hierarchy (areas, competences,
skills, sub-skills), ~6,000 tasks, ~500 training formats, ~200 legal bases (acts and their
sections), 15-40 merged requirements per role (own plus those of 2-4 tasks). Competencies belong
to one of five frameworks with scales of 3 to 8 levels; every requirement and outcome uses a level
of its competency's framework. Every resource has a German and an English label.

The graph conforms to the shapes (``shapes/``). The N-Triples are written as they are made
(streaming), so memory stays flat at any scale; ``--mutated`` also writes a copy with a known
number of violations (``mutate``)::

    python bench/generate.py --scale 1 --seed 42 -o bench/out/graph.nt \
        --mutated bench/out/graph-mutated.nt --violations 60
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import TextIO

ID = "https://w3id.org/qualifica/id/"
QD = "https://w3id.org/qualifica/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT_SOURCE = "http://purl.org/dc/terms/source"
SOURCE = "generated benchmark graph"

#: (slug, German name, English name, number of levels)
FRAMEWORKS = [
    ("bench-digital", "Digitalrahmen", "Digital framework", 8),
    ("bench-verwaltung", "Verwaltungsrahmen", "Administration framework", 3),
    ("bench-fach", "Fachrahmen", "Specialist framework", 5),
    ("bench-fuehrung", "Führungsrahmen", "Leadership framework", 4),
    ("bench-methoden", "Methodenrahmen", "Methods framework", 6),
]
KINDS = [QD + "Ausbildung", QD + "Fortbildung", QD + "Weiterbildung"]
#: share of requirement/outcome links per hierarchy level (areas are rarely required)
LEVEL_WEIGHTS = [0.01, 0.09, 0.40, 0.50]


def counts(scale: float) -> dict[str, int]:
    """Sizes at ``scale`` (at least a handful of each)."""
    def n(base: int, low: int) -> int:
        return max(low, round(base * scale))
    return {
        "areas": n(20, 2), "l2": n(300, 4), "l3": n(2700, 8), "l4": n(11000, 16),
        "tasks": n(6000, 12), "roles": n(3000, 6), "formats": n(500, 4),
        "acts": n(40, 2), "sections": n(160, 4),
    }


class Writer:
    """Writes N-Triples lines and counts them."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.triples = 0

    def iri(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> <{o}> .\n")
        self.triples += 1

    def lit(self, s: str, p: str, value: str, lang: str | None = None,
            datatype: str | None = None) -> None:
        text = value.replace("\\", "\\\\").replace('"', '\\"')
        suffix = f"@{lang}" if lang else (f"^^<{datatype}>" if datatype else "")
        self.out.write(f'<{s}> <{p}> "{text}"{suffix} .\n')
        self.triples += 1

    def labels(self, s: str, de: str, en: str) -> None:
        self.lit(s, SKOS + "prefLabel", de, "de")
        self.lit(s, SKOS + "prefLabel", en, "en")

    def typed(self, s: str, cls: str) -> None:
        self.iri(s, RDF_TYPE, cls)

    def resource(self, s: str, cls: str, de: str, en: str) -> None:
        """A resource of the shapes' classes: its type, labels and a source."""
        self.typed(s, cls)
        self.labels(s, de, en)
        self.lit(s, DCT_SOURCE, SOURCE)


def generate(scale: float, seed: int, out: TextIO) -> dict[str, int]:
    """Write the graph; returns the sizes and the number of triples."""
    rng = random.Random(seed)
    size = counts(scale)
    w = Writer(out)

    scales: dict[str, int] = {}
    for slug, de, en, levels in FRAMEWORKS:
        fw = f"{ID}framework/{slug}"
        w.resource(fw, QD + "CompetencyFramework", de, en)
        w.typed(fw, SKOS + "ConceptScheme")
        scales[fw] = levels
        for rank in range(1, levels + 1):
            lv = f"{ID}level/{slug}-{rank}"
            w.resource(lv, QD + "ProficiencyLevel", f"{de} Stufe {rank}", f"{en} level {rank}")
            w.iri(lv, QD + "levelOf", fw)
            w.lit(lv, QD + "rank", str(rank), datatype=XSD + "integer")
    fw_slugs = {f"{ID}framework/{s}": s for s, *_ in FRAMEWORKS}

    # competencies: 4 levels, each child under a random parent of the level above
    levels: list[list[str]] = []
    framework_of: dict[str, str] = {}
    names = ["areas", "l2", "l3", "l4"]
    for depth, key in enumerate(names):
        layer = []
        for i in range(size[key]):
            c = f"{ID}competency/bench-{depth + 1}-{i}"
            if depth == 0:
                fw = list(scales)[i % len(scales)]
            else:
                parent = rng.choice(levels[depth - 1])
                w.iri(c, SKOS + "broader", parent)
                fw = framework_of[parent]
            framework_of[c] = fw
            w.resource(c, QD + "Competency", f"Kompetenz {depth + 1}.{i}",
                       f"Competency {depth + 1}.{i}")
            w.typed(c, SKOS + "Concept")
            w.iri(c, SKOS + "inScheme", fw)
            layer.append(c)
        levels.append(layer)

    def pick_competency() -> str:
        layer = rng.choices(levels, weights=LEVEL_WEIGHTS)[0]
        return rng.choice(layer)

    def level_of(c: str, low: int = 1) -> str:
        fw = framework_of[c]
        return f"{ID}level/{fw_slugs[fw]}-{rng.randint(low, scales[fw])}"

    def requirements(holder: str, slug: str, k: int) -> None:
        seen: set[str] = set()
        while len(seen) < k:
            c = pick_competency()
            if c in seen:
                continue
            seen.add(c)
            req = f"{ID}requirement/{slug}-{c.rsplit('/', 1)[-1]}"
            w.iri(holder, QD + "requires", req)
            w.typed(req, QD + "CompetencyRequirement")
            w.labels(req, f"Anforderung {slug} {c.rsplit('/', 1)[-1]}",
                     f"Requirement {slug} {c.rsplit('/', 1)[-1]}")
            w.iri(req, QD + "competency", c)
            w.iri(req, QD + "level", level_of(c))
            w.lit(req, QD + "essential", "true" if rng.random() < 0.7 else "false",
                  datatype=XSD + "boolean")
            w.lit(req, DCT_SOURCE, SOURCE)

    # legal bases: acts and their sections
    acts = []
    legal = []
    for i in range(size["acts"]):
        a = f"{ID}legal-basis/bench-act-{i}"
        w.resource(a, QD + "LegalBasis", f"Gesetz {i}", f"Act {i}")
        acts.append(a)
        legal.append(a)
    for i in range(size["sections"]):
        act = acts[i % len(acts)]
        s = f"{act}-{i}"
        w.resource(s, QD + "LegalBasis", f"§ {i} Gesetz {i % len(acts)}",
                   f"Section {i} of Act {i % len(acts)}")
        w.iri(s, QD + "partOf", act)
        legal.append(s)

    task_reqs: list[int] = []
    tasks = []
    for i in range(size["tasks"]):
        t = f"{ID}task/bench-task-{i}"
        w.resource(t, QD + "Task", f"Aufgabe {i}", f"Task {i}")
        k = rng.randint(2, 6)
        requirements(t, f"bench-task-{i}", k)
        tasks.append(t)
        task_reqs.append(k)
        if rng.random() < 0.2:
            w.iri(t, QD + "legalBasis", rng.choice(legal))

    for i in range(size["roles"]):
        r = f"{ID}role/bench-role-{i}"
        w.resource(r, QD + "Role", f"Rolle {i}", f"Role {i}")
        chosen = rng.sample(range(len(tasks)), rng.randint(2, 4))
        for j in chosen:
            w.iri(r, QD + "performsTask", tasks[j])
        target = rng.randint(15, 40)
        own = max(2, target - sum(task_reqs[j] for j in chosen))
        requirements(r, f"bench-role-{i}", own)
        if rng.random() < 0.5:
            w.iri(r, QD + "legalBasis", rng.choice(legal))

    for i in range(size["formats"]):
        f = f"{ID}training-format/bench-format-{i}"
        w.resource(f, QD + "TrainingFormat", f"Kurs {i}", f"Course {i}")
        w.iri(f, QD + "kind", rng.choice(KINDS))
        # at least one legal basis (the shapes require it), drawn as before for the same graph
        for lb in rng.sample(legal, rng.randint(0, 2)) or [legal[i % len(legal)]]:
            w.iri(f, QD + "legalBasis", lb)
        seen: set[str] = set()
        for _ in range(rng.randint(5, 15)):
            c = pick_competency()
            if c in seen:
                continue
            seen.add(c)
            o = f"{ID}outcome/bench-format-{i}-{c.rsplit('/', 1)[-1]}"
            w.iri(f, QD + "develops", o)
            w.typed(o, QD + "LearningOutcome")
            w.labels(o, f"Lernergebnis {i} {c.rsplit('/', 1)[-1]}",
                     f"Outcome {i} {c.rsplit('/', 1)[-1]}")
            w.iri(o, QD + "competency", c)
            w.iri(o, QD + "level", level_of(c, low=2))
            w.lit(o, DCT_SOURCE, SOURCE)

    result = dict(size)
    result["competencies"] = sum(len(layer) for layer in levels)
    result["triples"] = w.triples
    return result


def write(scale: float, seed: int, path: Path) -> dict[str, int]:
    """Generate into ``path`` (via a temporary file, renamed when complete)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
        result = generate(scale, seed, out)
    tmp.replace(path)
    return result


QDS = "https://w3id.org/qualifica/shapes#"
SH = "http://www.w3.org/ns/shacl#"
#: Each mutation breaks one rule of one resource: (shape, constraint component) of the violation.
MUTATIONS = {
    "drop-source": (QDS + "source", SH + "MinCountConstraintComponent"),
    "essential-string": (QDS + "CompetencyRequirement-essential",
                         SH + "DatatypeConstraintComponent"),
    "requires-competency": (QDS + "Role-requires", SH + "ClassConstraintComponent"),
    "second-kind": (QDS + "TrainingFormat-kind", SH + "MaxCountConstraintComponent"),
    "drop-level": (QDS + "LearningOutcome-level", SH + "MinCountConstraintComponent"),
    "legal-basis-role": (QDS + "Task-legalBasis", SH + "ClassConstraintComponent"),
}
Violation = tuple[str, str, str]


def mutate(lines: list[str], n: int, seed: int) -> tuple[list[str], list[Violation]]:
    """``n`` seeded mutations of a generated (conforming) graph's N-Triples lines, spread over
    ``MUTATIONS``; each on its own resource, so the graph has exactly ``n`` violations. Returns
    the lines and the violations as (focus node, source shape, constraint component)."""
    rng = random.Random(seed)

    def subject(line: str) -> str:
        return line[1:line.index(">")]

    def find(pred: str, prefix: str, obj: str = "") -> list[int]:
        key = f"> <{pred}> {obj}"
        return [i for i, line in enumerate(lines)
                if line.startswith(f"<{ID}{prefix}") and key in line]

    typed = {cls: [subject(lines[i]) for i in find(RDF_TYPE, cls.lower() + "/", f"<{QD}{cls}>")]
             for cls in ("Role", "Task", "Competency")}
    kinds = {subject(lines[i]): i for i in find(QD + "kind", "training-format/")}
    drop: set[int] = set()
    replace: dict[int, str] = {}
    extra: list[str] = []
    found: list[Violation] = []
    names = list(MUTATIONS)
    per = {name: n // len(names) + (1 if k < n % len(names) else 0)
           for k, name in enumerate(names)}
    for name, k in per.items():
        if not k:
            continue
        shape, component = MUTATIONS[name]
        if name == "drop-source":
            picked = [(i, subject(lines[i])) for i in rng.sample(find(DCT_SOURCE, "role/"), k)]
            drop |= {i for i, _ in picked}
        elif name == "essential-string":
            picked = [(i, subject(lines[i])) for i in rng.sample(find(QD + "essential", ""), k)]
            for i, s in picked:
                replace[i] = f'<{s}> <{QD}essential> "yes" .\n'
        elif name == "drop-level":
            picked = [(i, subject(lines[i])) for i in rng.sample(find(QD + "level", "outcome/"), k)]
            drop |= {i for i, _ in picked}
        elif name == "requires-competency":
            picked = [(-1, r) for r in rng.sample(typed["Role"], k)]
            extra += [f"<{r}> <{QD}requires> <{rng.choice(typed['Competency'])}> .\n"
                      for _, r in picked]
        elif name == "second-kind":
            picked = [(-1, f) for f in rng.sample(sorted(kinds), k)]
            for _, f in picked:
                own = lines[kinds[f]].split("> <")[-1].rstrip(" .\n>")
                other = next(x for x in KINDS if x != own)
                extra.append(f"<{f}> <{QD}kind> <{other}> .\n")
        else:  # legal-basis-role
            picked = [(-1, t) for t in rng.sample(typed["Task"], k)]
            extra += [f"<{t}> <{QD}legalBasis> <{rng.choice(typed['Role'])}> .\n"
                      for _, t in picked]
        found += [(s, shape, component) for _, s in picked]
    out = [replace.get(i, line) for i, line in enumerate(lines) if i not in drop]
    return out + extra, sorted(found)


def write_mutated(source: Path, target: Path, n: int, seed: int) -> list[Violation]:
    """Write a mutated copy of ``source`` with ``n`` violations (listed in ``target``.json)."""
    import json

    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    out, found = mutate(lines, n, seed)
    target.write_text("".join(out), encoding="utf-8")
    target.with_suffix(".json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-o", "--output", type=Path, default=Path("bench/out/graph.nt"))
    parser.add_argument("--mutated", type=Path, default=None,
                        help="also write a copy with --violations known violations (and the "
                             "list of them, as JSON, beside it)")
    parser.add_argument("--violations", type=int, default=60)
    args = parser.parse_args(argv)
    result = write(args.scale, args.seed, args.output)
    print(f"wrote {args.output}: {result}", file=sys.stderr)
    if args.mutated:
        found = write_mutated(args.output, args.mutated, args.violations, args.seed)
        print(f"wrote {args.mutated}: {len(found)} violations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
