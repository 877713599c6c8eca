"""Mutation testing of the planning and validation code with mutmut, bounded in time.

One command (from the repository root; needs the ``mutation`` extra,
``pip install -e '.[test,mutation]'`` or ``make mutation``)::

    .venv/bin/python bench/mutation.py --modules planning/gaps.py planning/paths.py \\
        validation/gate.py --budget 2400 --docs

It copies what the tests need (``src/``, ``tests/``, the data, ontology, shapes and query
folders) to a work folder (``bench/out/mutation/``, made anew on every run), writes the mutmut
configuration there (the modules to mutate under ``src/qualifica/``, the test files to run), and
runs ``mutmut run`` in its own process group, stopped after ``--budget`` seconds. mutmut runs,
for each mutant, only the tests that reach the mutated function, fastest mutants first; mutants
it did not reach in time are reported as *not checked*.

The summary (per module: killed, survived, timeout, no tests, not checked and the score) is
written to ``bench/out/mutation.json`` with the names of the surviving mutants (see one with
``cd bench/out/mutation && ../../../.venv/bin/mutmut show NAME``); ``--docs`` also writes the table
into the "Mutation testing" section of ``docs/performance.md``.

Score = (killed + timeout) / (killed + timeout + survived + no tests): a mutant no selected test
reaches counts as undetected. ``--before`` names an earlier summary (a copy of
``bench/out/mutation.json``) whose scores are kept beside the new ones, e.g. to compare a run
before new tests with one after them; with ``--same-mutants`` only the mutants that run judged
are tested again (a run stopped at its time budget leaves the slowest mutants unjudged).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "out" / "mutation"
OUT = ROOT / "bench" / "out" / "mutation.json"
DOCS = ROOT / "docs" / "performance.md"
MUTMUT = Path(sys.executable).parent / "mutmut"

DEFAULT_MODULES = ["planning/*.py", "validation/*.py"]
# The tests that exercise planning/ and validation/ and run in seconds. Left out, because
# mutmut's tracing makes them take 20-40 s each and they would run for most mutants: the patch
# test on a generated graph and incremental validation over the whole bundled graph.
DEFAULT_TESTS = [
    "tests/unit/test_planning_small.py",
    "tests/unit/test_planning_index.py",
    "tests/unit/test_planning_patch.py::test_patched_index_equals_a_fresh_build_on_the_small_graph",
    "tests/unit/test_planning_generated.py",
    "tests/api/test_planning_api.py",
    "tests/api/test_planning_models.py",
    "tests/unit/test_gate.py",
    "tests/unit/test_incremental_validation.py::test_shape_reach_reads_paths_and_depth",
    "tests/unit/test_incremental_validation.py::test_incremental_agrees_with_full_on_random_writes",
    "tests/unit/test_incremental_validation.py::"
    "test_gated_write_commits_conforming_and_leaves_store_unchanged_otherwise",
    "tests/unit/test_incremental_validation.py::"
    "test_update_change_reads_data_forms_and_general_updates",
    "tests/model/test_shapes.py",
]
# what the package and the tests read besides src/ and tests/ (paths relative to the root)
COPY = ["src", "tests", "data", "ontology", "shapes", "queries", "scripts", "bench/generate.py",
        "bench/queries", "pyproject.toml", "README.md"]
# mutmut's statuses, as `mutmut results` prints them, grouped for the summary
GROUPS = {"killed": "killed", "caught by type check": "killed", "timeout": "timeout",
          "survived": "survived", "no tests": "no tests", "not checked": "not checked",
          "suspicious": "suspicious", "skipped": "skipped", "segfault": "killed",
          "check was interrupted by user": "not checked"}
COLUMNS = ["killed", "timeout", "survived", "no tests", "suspicious", "not checked"]
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"


def _ignore(_folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in {"__pycache__", ".pytest_cache", "out"}}


def prepare(work: Path, modules: list[str], tests: list[str], timeout_multiplier: float
            ) -> None:
    """A fresh work folder with the project's files and the mutmut configuration."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPY:
        source, target = ROOT / name, work / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=_ignore)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    only = [f"src/qualifica/{m}" for m in modules]
    # mutmut copies also_copy into mutants/ (tests/ and pyproject.toml it copies by itself);
    # bench/queries/ first, so that mutants/bench/ exists when bench/generate.py is copied
    also = ["data/", "ontology/", "shapes/", "queries/", "scripts/", "bench/queries/",
            "bench/generate.py"]
    config = (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/"]\n'
        f"only_mutate = {json.dumps(only)}\n"
        f"also_copy = {json.dumps(also)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        # a mutant that loops forever is stopped after this many times its tests' CPU time
        f"timeout_multiplier = {timeout_multiplier}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
    )
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + config, encoding="utf-8")


def run_mutmut(work: Path, args: list[str], budget_s: float, log: Path) -> bool:
    """``mutmut run`` in ``work`` in its own process group; stopped (the whole group, by the
    PID of its leader) after ``budget_s`` seconds. True when it finished by itself."""
    with log.open("ab") as out:
        process = subprocess.Popen([str(MUTMUT), "run", *args], cwd=work, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            process.wait(timeout=budget_s)
            return True
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
            return False


def statuses(work: Path) -> dict[str, str]:
    """Every mutant and its status (``mutmut results --all true``)."""
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=work,
                         capture_output=True, text=True, check=True, timeout=600).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"^\s+(\S+): (.+)$", line)
        if m:
            found[m.group(1)] = GROUPS.get(m.group(2).strip(), m.group(2).strip())
    return found


def module_of(mutant: str) -> str:
    """``qualifica.planning.gaps.x_gap__mutmut_3`` → ``planning/gaps.py``."""
    parts = mutant.split(".")
    return "/".join(parts[1:-1]) + ".py"


def counts(values: list[str]) -> dict[str, Any]:
    """Counts by status and the score."""
    c = Counter(values)
    row: dict[str, Any] = {k: c.get(k, 0) for k in COLUMNS}
    row["total"] = len(values)
    detected = row["killed"] + row["timeout"]
    judged = detected + row["survived"] + row["no tests"]
    row["score"] = round(detected / judged, 4) if judged else None
    return row


def summarise(found: dict[str, str]) -> dict[str, Any]:
    """Counts per module and in total, and the surviving mutants."""
    by_module: dict[str, list[str]] = {}
    for name, status in found.items():
        by_module.setdefault(module_of(name), []).append(status)
    return {
        "modules": {m: counts(v) for m, v in sorted(by_module.items())},
        "total": counts(list(found.values())),
        "survived": sorted(n for n, s in found.items() if s in {"survived", "no tests"}),
    }


def _score(row: dict[str, Any] | None) -> str:
    return f"{row['score']:.1%}" if row and row["score"] is not None else "–"


def table(summary: dict[str, Any]) -> str:
    """The summary as a Markdown table (with the earlier score when there is one)."""
    before = summary.get("before")
    head = ["module", *COLUMNS, "score", *(["score before"] if before else [])]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    rows = [*summary["modules"].items(), ("**all**", summary["total"])]
    for name, row in rows:
        cells = [str(row[k]) for k in COLUMNS] + [_score(row)]
        if before:
            earlier = before["total"] if name == "**all**" else before["modules"].get(name)
            cells.append(_score(earlier))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_docs(result: dict[str, Any]) -> None:
    """Replace the generated part of the "Mutation testing" section of docs/performance.md."""
    text = DOCS.read_text(encoding="utf-8")
    block = (f"{BEGIN}\nLast run: mutmut {result['mutmut']}, {result['date']}, "
             f"{result['elapsed_s']:.0f} s on {result['jobs']} worker(s)"
             f"{'' if result['finished'] else ' (stopped at the time budget)'}; "
             f"tests: {', '.join('`' + t + '`' for t in result['tests'])}.\n\n"
             f"{table(result)}\n{END}")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text,
                      flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## Mutation testing\n\n" + block + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", nargs="+", default=DEFAULT_MODULES,
                        help="modules (globs) under src/qualifica/ to mutate")
    parser.add_argument("--tests", nargs="+", default=DEFAULT_TESTS, help="test files to run")
    parser.add_argument("--budget", type=float, default=2400.0,
                        help="seconds for mutmut (the run is stopped then)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested in parallel")
    parser.add_argument("--timeout-multiplier", type=float, default=3.0,
                        help="a mutant whose tests take this many times longer times out")
    parser.add_argument("--before", type=Path, default=None,
                        help="an earlier summary to keep beside this one (before/after)")
    parser.add_argument("--same-mutants", action="store_true",
                        help="test only the mutants the --before run judged")
    parser.add_argument("--docs", action="store_true", help="write the table into the docs")
    args = parser.parse_args(argv)
    if not MUTMUT.exists():
        print("mutmut is not installed: pip install -e '.[test,mutation]'", file=sys.stderr)
        return 2

    log = ROOT / "bench" / "out" / "mutation.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
    started = time.monotonic()
    log.write_text("", encoding="utf-8")
    prepare(WORK, args.modules, args.tests, args.timeout_multiplier)
    names: list[str] = []
    if args.same_mutants:
        if before is None:
            parser.error("--same-mutants needs --before")
        names = sorted(n for n, status in before["statuses"].items() if status != "not checked")
    finished = run_mutmut(WORK, ["--max-children", str(args.jobs), *names], args.budget, log)
    elapsed = time.monotonic() - started
    found = statuses(WORK)
    if names:
        # mutmut generates every mutant of the modules; only the named ones were run
        wanted = set(names)
        found = {n: s for n, s in found.items() if n in wanted}
    if not found:
        print(f"mutmut produced no results; see {log}", file=sys.stderr)
        return 2
    version = subprocess.run([str(MUTMUT), "--version"], capture_output=True, text=True,
                             check=False).stdout.strip().rsplit(" ", 1)[-1]
    result: dict[str, Any] = {
        "mutmut": version, "date": time.strftime("%Y-%m-%d"), "scope": args.modules,
        "tests": args.tests, "budget_s": args.budget, "elapsed_s": round(elapsed, 1),
        "jobs": args.jobs, "finished": finished, "same_mutants": bool(names),
        **summarise(found), "statuses": dict(sorted(found.items())),
    }
    if before is not None:
        result["before"] = {k: before[k] for k in ("date", "tests", "elapsed_s", "finished",
                                                   "modules", "total")}
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"wrote {OUT}")
    if args.docs:
        write_docs(result)
        print(f"updated {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
