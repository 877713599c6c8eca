"""Writes made by the CLI without a server (``load``, ``release``) are recorded in the same
change feed a server publishes: ``qualifica`` runs in a subprocess over an on-disk store in a
temporary folder, then the feed file is read with ``linkeddata.feed``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from qualifica.linkeddata.feed import ChangeFeed
from qualifica.linkeddata.feed_render import atom, title_of

ROOT = Path(__file__).resolve().parents[2]
QUALIFICA = Path(sys.executable).parent / "qualifica"
VALID = ROOT / "tests" / "data" / "valid" / "complete-role.ttl"
ROLE = "https://w3id.org/qualifica/id/role/testrolle"


def run(tmp: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUALIFICA_")}
    (tmp / "bundled").mkdir(exist_ok=True)
    env.update({"QUALIFICA_DATA_DIR": str(tmp / "var"),
                "QUALIFICA_BUNDLED_DIR": str(tmp / "bundled"), "COLUMNS": "200"})
    return subprocess.run([str(QUALIFICA), *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_cli_import_is_in_the_change_feed(tmp_path: Path) -> None:
    sheet = tmp_path / "roles.csv"
    sheet.write_text("id;label_de;label_en;source\n"
                     "feed-rolle;Feed-Rolle;Feed role;https://example.org/feed\n",
                     encoding="utf-8")
    done = run(tmp_path, "import", sheet)
    assert done.returncode == 0, done.stdout + done.stderr
    feed = ChangeFeed(tmp_path / "var" / "feed.sqlite")
    try:
        named = [e for e in feed.page(size=500).entries
                 if e.kind == "data" and "https://w3id.org/qualifica/id/role/feed-rolle"
                 in e.resources]
        assert len(named) == 1
    finally:
        feed.close()


def test_cli_load_and_release_are_in_the_change_feed(tmp_path: Path) -> None:
    loaded = run(tmp_path, "load", VALID)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    feed = ChangeFeed(tmp_path / "var" / "feed.sqlite")
    try:
        entries = feed.page(size=500).entries
        data = [e for e in entries if e.kind == "data" and ROLE in e.resources]
        assert len(data) == 1, [e.body for e in entries]
        assert "http://www.w3.org/2004/02/skos/core#prefLabel" in data[0].properties
        assert data[0].body["added"] > 0 and data[0].body["removed"] == 0
        before = feed.last_seq()
    finally:
        feed.close()

    made = run(tmp_path, "release", "1.0.0")
    assert made.returncode == 0, made.stdout + made.stderr
    again = run(tmp_path, "release", "1.0.0")
    assert again.returncode != 0  # releases are immutable: nothing more is recorded
    feed = ChangeFeed(tmp_path / "var" / "feed.sqlite")
    try:
        newer = [e for e in feed.page(size=500).entries if e.seq > before]
        releases = [e for e in newer if e.kind == "release"]
        assert len(releases) == 1
        entry = releases[0]
        assert entry.body["release"] == "1.0.0"
        assert "https://w3id.org/qualifica/graph/release/1.0.0" in entry.resources
        assert title_of(entry, "en").startswith("Release 1.0.0 (")
        assert title_of(entry, "de").startswith("Veröffentlichung 1.0.0 (")
        # the release's catalogue entry is a write of its own, recorded as well
        assert any(e.kind == "data" and entry.resources[0] in e.resources for e in newer)
        assert b"Release 1.0.0" in atom(feed.page(), "http://localhost/", "en")
    finally:
        feed.close()
