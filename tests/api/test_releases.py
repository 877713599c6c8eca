"""Releases (``qualifica release``, ``/api/releases``) and the change history (``/api/changes``)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from qualifica.context import Context
from qualifica.linkeddata.releases import make_release
from qualifica_testing import WRITE_AUTH, role_turtle

AUTH = WRITE_AUTH
ID = "https://w3id.org/qualifica/id/"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
NEW_ROLE = role_turtle("release-rolle", "Releaserolle", "Release role", definition=False)


def test_release_changes_and_downloads(write_ctx: Context, write_client: TestClient) -> None:
    live = write_ctx.store.count()
    first = make_release(write_ctx, "1.0.0")
    assert first.quads == live
    # the frozen copy is not in the live store's union: only the DCAT entry was added
    assert write_ctx.store.count() - live < 30
    r = write_client.put("/graphs", params={"graph": "https://w3id.org/qualifica/graph/release-test"},
                         content=NEW_ROLE, headers={"Content-Type": "text/turtle", **AUTH})
    assert r.status_code == 201, r.text
    upd = (f'INSERT DATA {{ GRAPH <https://w3id.org/qualifica/graph/release-test> {{ '
           f'<{ID}role/prozessmanager> <{ALT}> "Prozessverantwortliche"@de }} }}')
    r = write_client.post("/sparql/update", content=upd,
                          headers={"Content-Type": "application/sparql-update", **AUTH})
    assert r.status_code == 204, r.text
    make_release(write_ctx, "1.1.0")

    listing = write_client.get("/api/releases").json()
    assert [i["version"] for i in listing["items"]] == ["1.0.0", "1.1.0"]
    assert listing["items"][0]["graph"].endswith("/graph/release/1.0.0")

    diff = write_client.get("/api/changes", params={"from": "1.0.0", "to": "1.1.0"}).json()
    assert diff["added"] == [f"{ID}role/release-rolle"]
    assert diff["removed"] == []
    assert {"iri": f"{ID}role/prozessmanager", "properties": [ALT]} in diff["changed"]
    assert len(diff["changed"]) == 1
    back = write_client.get("/api/changes", params={"from": "1.1.0", "to": "1.0.0"}).json()
    assert back["removed"] == [f"{ID}role/release-rolle"] and back["added"] == []
    current = write_client.get("/api/changes", params={"from": "1.1.0"}).json()
    assert current == {"from": "1.1.0", "to": "current", "added": [], "removed": [],
                       "changed": []}

    url = listing["items"][0]["downloads"]
    names = [u.rsplit("/", 1)[1] for u in url]
    nq = next(n for n in names if n.endswith(".nq.gz"))
    dump = write_client.get(f"/api/releases/1.0.0/{nq}")
    assert dump.status_code == 200
    lines = gzip.decompress(dump.content).decode().strip().splitlines()
    assert len(lines) == live
    assert all(line.rstrip(" .").endswith("<https://w3id.org/qualifica/graph/release/1.0.0>")
               for line in lines[:50])


def test_release_errors(write_ctx: Context, write_client: TestClient) -> None:
    make_release(write_ctx, "0.1.0")
    assert write_client.get("/api/changes", params={"from": "9.9.9"}).status_code == 404
    bad = write_client.get("/api/changes", params={"from": "v1"})
    assert bad.status_code == 422 and bad.json()["param"] == "version"
    assert write_client.get("/api/changes").status_code == 422
    assert write_client.get("/api/releases/0.1.0/../../etc").status_code == 404
    with pytest.raises(Exception, match="exists already"):
        make_release(write_ctx, "0.1.0")


def test_release_command(tmp_path: Path) -> None:
    from qualifica.cli import app

    env = {"QUALIFICA_DATA_DIR": str(tmp_path), "QUALIFICA_IN_MEMORY": "true"}
    result = CliRunner().invoke(app, ["release", "2.0.0"], env=env)
    assert result.exit_code == 0, result.output
    assert "release 2.0.0" in result.output
    assert (tmp_path / "releases" / "2.0.0" / "qualifica-2.0.0.nq.gz").is_file()
    bad = CliRunner().invoke(app, ["release", "two"], env=env)
    assert bad.exit_code == 2
