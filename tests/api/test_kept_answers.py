"""``/id/{kind}/{slug}`` answers what the store's generation keeps from the event loop: the same
bytes and headers as the answer made on a worker thread, and a write makes it anew."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from qualifica.api.routes import resources
from qualifica_testing import WRITE_AUTH, role_turtle

PATHS = [
    ("/id/role/prozessmanager", {"Accept": "text/turtle"}),
    ("/id/competency/digcomp-4-2", {"Accept": "application/ld+json"}),
    ("/id/role/prozessmanager", {"Accept": "text/html"}),
    ("/id/role/prozessmanager?lang=en", {"Accept": "text/html"}),
    ("/id/role/prozessmanager", {"Accept": "text/turtle", "Accept-Profile":
                                 "<https://w3id.org/qualifica/profile/schema>"}),
]


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths answered on a worker thread."""
    calls: list[str] = []
    real = resources._resource

    def counted(kind: str, slug: str, *args: Any) -> Any:
        calls.append(f"{kind}/{slug}")
        return real(kind, slug, *args)

    monkeypatch.setattr(resources, "_resource", counted)
    return calls


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code == 200
    assert a.content == b.content
    skip = {"date", "server"}
    assert {k: v for k, v in a.headers.items() if k not in skip} == \
        {k: v for k, v in b.headers.items() if k not in skip}


@pytest.mark.parametrize(("path", "headers"), PATHS)
def test_a_kept_answer_equals_the_made_one(write_client: TestClient, made: list[str],
                                           path: str, headers: dict[str, str]) -> None:
    first = write_client.get(path, headers=headers)
    assert len(made) == 1
    second = write_client.get(path, headers=headers)
    assert len(made) == 1  # kept: not handed to a worker thread
    _same(first, second)


def test_a_write_makes_the_answer_anew(write_client: TestClient, made: list[str]) -> None:
    path, headers = "/id/role/prozessmanager", {"Accept": "text/turtle"}
    before = write_client.get(path, headers=headers)
    r = write_client.put("/graphs", params={"graph": "https://w3id.org/qualifica/graph/kept"},
                         content=role_turtle("kept-rolle", "Gehaltene Rolle", "Kept role"),
                         headers={"Content-Type": "text/turtle", **WRITE_AUTH})
    assert r.status_code == 201, r.text
    after = write_client.get(path, headers=headers)
    assert made == ["role/prozessmanager", "role/prozessmanager"]
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]


@pytest.mark.parametrize(("path", "headers", "status"), [
    ("/id/role/prozessmanager?_profile=alt", {"Accept": "application/json"}, 200),
    ("/id/role/prozessmanager?page-requirements=x", {"Accept": "text/html"}, 400),
    ("/id/role/keine-solche", {"Accept": "text/turtle"}, 404),
    ("/id/role/prozessmanager", {"Accept": "image/png"}, 406),
    ("/id/nokind/x", {"Accept": "text/turtle"}, 404),
])
def test_what_is_never_kept_is_answered_on_a_worker_thread(
        write_client: TestClient, made: list[str], path: str, headers: dict[str, str],
        status: int) -> None:
    for _ in range(2):
        assert write_client.get(path, headers=headers).status_code == status
    assert len(made) == 2
