"""Detail answers are kept with the catalogue of their store generation: the same answer as
computed afresh, and a write (a new generation) is seen by the next lookup."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient

from qualifica.api import create_app
from qualifica.linkeddata.catalogue import MAX_ANSWERS, catalogue_for
from qualifica.linkeddata.details import detail, detail_json
from qualifica.namespaces import GRAPH, ID, SKOS
from qualifica_testing import LOCAL, rest_graph_context


def test_a_kept_answer_equals_the_computed_one_and_a_write_replaces_it(tmp_path: Path) -> None:
    ctx = rest_graph_context(tmp_path)
    try:
        with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as api:
            first = api.get("/api/roles/prozessmanager")
            assert first.status_code == 200
            assert first.headers["content-type"] == "application/json"
            cat = catalogue_for(ctx)
            assert ("roles", "prozessmanager", "de") in cat.answers
            fresh = detail(cat, ctx.store, ctx.registry, "roles", "prozessmanager", lang="de")
            assert first.json() == json.loads(json.dumps(fresh))
            assert api.get("/api/roles/prozessmanager").content == first.content

            role = ox.NamedNode(ID + "role/prozessmanager")
            ctx.store.add([ox.Quad(role, ox.NamedNode(SKOS + "altLabel"),
                                   ox.Literal("Prozesslotse", language="de"),
                                   ox.NamedNode(GRAPH + "rest-test"))])
            after = api.get("/api/roles/prozessmanager").json()
            assert "Prozesslotse" in after["alt_labels"]["de"]
            assert after != first.json()
    finally:
        ctx.close()


def test_the_answers_kept_are_bounded(tmp_path: Path) -> None:
    ctx = rest_graph_context(tmp_path)
    try:
        cat = catalogue_for(ctx)
        for i in range(MAX_ANSWERS):
            cat.answers[("roles", f"filler-{i}", "de")] = ("", b"{}")
        iri, body = detail_json(cat, ctx.store, ctx.registry, "roles", "cio", lang="en")
        assert iri == ID + "role/cio" and json.loads(body)["label"] == "CIO"
        assert len(cat.answers) == MAX_ANSWERS
        assert ("roles", "filler-0", "de") not in cat.answers  # the oldest went
    finally:
        ctx.close()
