"""The change feed survives a restart: ``qualifica serve`` runs as a real process over an
on-disk store; an entry written before the process is killed (SIGKILL, no clean shut-down) is
served by the next process over the same data directory, legal changes are not published twice,
and a partner polling with ``?since=`` gets exactly what came after its last poll."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import feedparser
import httpx

from qualifica_testing import (
    QUALIFICA,
    answers_ok,
    crash_process,
    free_port,
    role_turtle,
    start_process,
    stop_process,
)

TOKEN = "feed-restart-token"
ROLE = role_turtle("neustartrolle", "Neustartrolle", "Restart role")


def serve(data_dir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "QUALIFICA_DATA_DIR": str(data_dir), "QUALIFICA_API_TOKENS": TOKEN,
           "QUALIFICA_LOG_LEVEL": "WARNING"}
    proc = start_process([str(QUALIFICA), "serve", "--port", str(port)],
                         answers_ok(url + "/healthz"), what="qualifica serve", env=env,
                         log=data_dir.parent / f"serve-{port}.log", timeout=120)
    return url, proc


def entries(url: str, **params: str) -> list[feedparser.FeedParserDict]:
    r = httpx.get(url + "/feeds/changes.atom", params=params, timeout=60)
    assert r.status_code == 200, r.text
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo
    return list(parsed.entries)


def test_feed_survives_a_killed_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    url, proc = serve(data_dir)
    try:
        start = entries(url)
        legal = [e for e in start if e.title.startswith("Rechtsänderung")]
        imports = [e for e in start if e.title.startswith("Änderung der Daten")]
        assert len(legal) == 26 and len(imports) == 1  # the bundled graph loaded at start
        mark = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        r = httpx.put(url + "/graphs", params={"graph": "https://w3id.org/qualifica/graph/x"},
                      content=ROLE, headers={"Content-Type": "text/turtle",
                                             "Authorization": f"Bearer {TOKEN}"}, timeout=60)
        assert r.status_code == 201, r.text
        written = entries(url, since=mark)
        assert len(written) == 1
    finally:
        crash_process(proc)  # no clean shut-down; its server processes end with it
    assert (data_dir / "feed.sqlite").exists()

    url, proc = serve(data_dir)
    try:
        again = entries(url, since=mark)
        assert [e.id for e in again] == [e.id for e in written]
        related = [link.href for link in again[0].links if link.rel == "related"]
        assert related == ["https://w3id.org/qualifica/id/role/neustartrolle"]
        everything = entries(url)
        assert len(everything) == len(start) + 1  # no legal change published twice
        assert [e.id for e in everything[1:]] == [e.id for e in start]
    finally:
        stop_process(proc)
