"""A seeded generator of an ESCO-scale planning graph in the Qualifica vocabulary.

Scale 1: ~3,000 roles, ~14,000 competencies in a 4-level hierarchy (areas, competences,
skills, sub-skills), ~6,000 tasks, ~500 training formats, ~200 legal bases (acts and their
sections), 15-40 merged requirements per role (own plus those of 2-4 tasks). Competencies belong
to one of five frameworks with scales of 3 to 8 levels; every requirement and outcome uses a level
of its competency's framework. Every resource has a German and an English label.

The N-Triples are written as they are made (streaming), so memory stays flat at any scale::

    python bench/generate.py --scale 1 --seed 42 -o bench/out/graph.nt
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


def generate(scale: float, seed: int, out: TextIO) -> dict[str, int]:
    """Write the graph; returns the sizes and the number of triples."""
    rng = random.Random(seed)
    size = counts(scale)
    w = Writer(out)

    scales: dict[str, int] = {}
    for slug, de, en, levels in FRAMEWORKS:
        fw = f"{ID}framework/{slug}"
        w.typed(fw, QD + "CompetencyFramework")
        w.typed(fw, SKOS + "ConceptScheme")
        w.labels(fw, de, en)
        scales[fw] = levels
        for rank in range(1, levels + 1):
            lv = f"{ID}level/{slug}-{rank}"
            w.typed(lv, QD + "ProficiencyLevel")
            w.iri(lv, QD + "levelOf", fw)
            w.lit(lv, QD + "rank", str(rank), datatype=XSD + "integer")
            w.labels(lv, f"{de} Stufe {rank}", f"{en} level {rank}")
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
            w.typed(c, QD + "Competency")
            w.typed(c, SKOS + "Concept")
            w.iri(c, SKOS + "inScheme", fw)
            w.labels(c, f"Kompetenz {depth + 1}.{i}", f"Competency {depth + 1}.{i}")
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
            w.iri(req, QD + "competency", c)
            w.iri(req, QD + "level", level_of(c))
            w.lit(req, QD + "essential", "true" if rng.random() < 0.7 else "false",
                  datatype=XSD + "boolean")
            w.lit(req, DCT_SOURCE, "generated benchmark graph")

    # legal bases: acts and their sections
    acts = []
    legal = []
    for i in range(size["acts"]):
        a = f"{ID}legal-basis/bench-act-{i}"
        w.typed(a, QD + "LegalBasis")
        w.labels(a, f"Gesetz {i}", f"Act {i}")
        acts.append(a)
        legal.append(a)
    for i in range(size["sections"]):
        act = acts[i % len(acts)]
        s = f"{act}-{i}"
        w.typed(s, QD + "LegalBasis")
        w.iri(s, QD + "partOf", act)
        w.labels(s, f"§ {i} Gesetz {i % len(acts)}", f"Section {i} of Act {i % len(acts)}")
        legal.append(s)

    task_reqs: list[int] = []
    tasks = []
    for i in range(size["tasks"]):
        t = f"{ID}task/bench-task-{i}"
        w.typed(t, QD + "Task")
        w.labels(t, f"Aufgabe {i}", f"Task {i}")
        k = rng.randint(2, 6)
        requirements(t, f"bench-task-{i}", k)
        tasks.append(t)
        task_reqs.append(k)
        if rng.random() < 0.2:
            w.iri(t, QD + "legalBasis", rng.choice(legal))

    for i in range(size["roles"]):
        r = f"{ID}role/bench-role-{i}"
        w.typed(r, QD + "Role")
        w.labels(r, f"Rolle {i}", f"Role {i}")
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
        w.typed(f, QD + "TrainingFormat")
        w.labels(f, f"Kurs {i}", f"Course {i}")
        w.iri(f, QD + "kind", rng.choice(KINDS))
        for lb in rng.sample(legal, rng.randint(0, 2)):
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
            w.iri(o, QD + "competency", c)
            w.iri(o, QD + "level", level_of(c, low=2))
            w.lit(o, DCT_SOURCE, "generated benchmark graph")

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("-o", "--output", type=Path, default=Path("bench/out/graph.nt"))
    args = parser.parse_args(argv)
    result = write(args.scale, args.seed, args.output)
    print(f"wrote {args.output}: {result}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
