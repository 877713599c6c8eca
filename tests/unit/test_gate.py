"""The SHACL gate: parse, validate with what is stored, write all or nothing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from qualifica.context import Context
from qualifica.errors import ValidationFailed
from qualifica.store.stamps import MODIFIED_GRAPH
from qualifica.validation.gate import GateRejected, graph_for, load_files
from qualifica.validation.shacl import shapes_of

DATA = Path(__file__).resolve().parents[1] / "data"


def valid_files() -> list[Path]:
    files = sorted((DATA / "valid").glob("*.ttl"))
    assert files, "tests/data/valid holds conforming examples"
    return files


def invalid_files() -> list[Path]:
    files = sorted((DATA / "invalid").glob("*.ttl"))
    assert files, "tests/data/invalid holds failing examples"
    return files


def test_valid_file_is_written_to_its_own_graph(empty_ctx: Context) -> None:
    path = valid_files()[0]
    result = load_files(empty_ctx.store, shapes_of(empty_ctx), [path])
    stamps = list(empty_ctx.store.quads(graph=MODIFIED_GRAPH))
    assert stamps, "the load stamps the resources it wrote"
    assert result.before == 0 and result.after == result.quads + len(stamps)
    assert sorted(empty_ctx.store.named_graphs()) == sorted([graph_for(path), MODIFIED_GRAPH])


@pytest.mark.parametrize("path", invalid_files(), ids=lambda p: p.name)
def test_violation_is_rejected_and_writes_nothing(empty_ctx: Context, path: Path) -> None:
    with pytest.raises(GateRejected) as info:
        load_files(empty_ctx.store, shapes_of(empty_ctx), [path])
    assert info.value.report.violations
    text = info.value.report.text("en")
    assert all(f"<{f.focus}>" in text for f in info.value.report.violations)  # names the node
    assert empty_ctx.store.count() == 0
    assert empty_ctx.store.generation == 0


def test_violation_against_stored_data_leaves_it_as_it_was(empty_ctx: Context,
                                                           tmp_path: Path) -> None:
    load_files(empty_ctx.store, shapes_of(empty_ctx), [valid_files()[0]])
    before = sorted(str(q) for q in empty_ctx.store.quads())
    generation = empty_ctx.store.generation
    bad = tmp_path / "unlabelled-role.ttl"
    bad.write_text(
        "@prefix qd: <https://w3id.org/qualifica/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/qualifica/id/role/ohne-namen> a qd:Role ;\n"
        "    dcterms:source <https://example.org/source> .\n"
    )
    with pytest.raises(GateRejected) as info:
        load_files(empty_ctx.store, shapes_of(empty_ctx), [bad])
    assert any("ohne-namen" in f.focus for f in info.value.report.violations)
    assert sorted(str(q) for q in empty_ctx.store.quads()) == before
    assert empty_ctx.store.generation == generation


def test_syntax_error_names_the_file_and_changes_nothing(empty_ctx: Context,
                                                         tmp_path: Path) -> None:
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \"unclosed .\n")
    with pytest.raises(ValidationFailed, match=r"broken\.ttl"):
        load_files(empty_ctx.store, shapes_of(empty_ctx), [valid_files()[0], bad])
    assert empty_ctx.store.count() == 0


def test_one_bad_file_among_good_ones_writes_none(empty_ctx: Context) -> None:
    with pytest.raises(GateRejected):
        load_files(empty_ctx.store, shapes_of(empty_ctx), [valid_files()[0], invalid_files()[0]])
    assert empty_ctx.store.count() == 0


def test_load_into_one_graph_counts_and_reports_progress(empty_ctx: Context) -> None:
    """With ``graph`` every file goes to that one graph; the result counts what was written and
    the progress callback sees parse, validate and write in order."""
    files = valid_files()[:2]
    target = "https://w3id.org/qualifica/graph/eins"
    calls: list[tuple[str, int, int]] = []
    result = load_files(empty_ctx.store, shapes_of(empty_ctx), files, graph=target,
                        progress=lambda step, done, total: calls.append((step, done, total)))
    assert sorted(empty_ctx.store.named_graphs()) == sorted([target, MODIFIED_GRAPH])
    stamps = len(list(empty_ctx.store.quads(graph=MODIFIED_GRAPH)))
    assert (result.files, result.before) == (2, 0)
    # quads counts the distinct quads parsed; the files share triples, stored once in the
    # one graph
    parsed = [[str(t) for t in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)] for f in files]
    union = len(set(parsed[0]) | set(parsed[1]))
    assert union < sum(len(p) for p in parsed)
    assert result.quads == union
    assert result.after == empty_ctx.store.count() == union + stamps
    assert result.report.conforms
    assert calls == [("parsed", 1, 2), ("parsed", 2, 2), ("validating", 0, 1), ("written", 1, 1)]
    # a second load counts from what is stored
    again = load_files(empty_ctx.store, shapes_of(empty_ctx), [files[0]])
    assert again.before == result.after and again.after == empty_ctx.store.count()
    assert sorted(empty_ctx.store.named_graphs()) == sorted(
        [target, graph_for(files[0]), MODIFIED_GRAPH])


def test_rejection_carries_the_report(empty_ctx: Context) -> None:
    with pytest.raises(GateRejected) as info:
        load_files(empty_ctx.store, shapes_of(empty_ctx), [invalid_files()[0]])
    report = info.value.report
    assert not report.conforms
    assert info.value.detail == report.text("en")
    assert info.value.extra["report"] == report.as_json()
