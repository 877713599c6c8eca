"""The CLI beside a running server.

``qualifica serve`` holds the embedded store read-write (RocksDB allows one such process). While
it runs:

* read commands (``query``, ``export``, the planning commands) open a read-only view of the store
  (``cli.app.context``);
* ``release`` and ``import`` go through the server's HTTP API with a bearer token from
  ``QUALIFICA_API_TOKENS``; ``load`` stops with one line saying what to do;
* a second ``serve`` on the same data directory stops with one line.

The server announces itself in ``{data_dir}/server.json`` (its URL and process id) for as long as
it runs; that is how a command finds the server that holds its store.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx

from qualifica.config import Settings
from qualifica.errors import StoreLocked

log = logging.getLogger(__name__)

SERVER_FILE = "server.json"
#: How long a command waits for the server's answer (a release writes every dump).
HTTP_TIMEOUT_S = 600.0


class ServerHolds(Exception):
    """A server holds the store and the command cannot go through it; ``line`` says why and
    what to do, in one line."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def _server_file(settings: Settings) -> Path:
    return settings.data_dir / SERVER_FILE


def store_is_held(settings: Settings) -> bool:
    """Whether another process holds the embedded store of ``settings`` read-write (always
    false for a remote or in-memory store). Opens and closes the store to find out."""
    if settings.remote or settings.in_memory:
        return False
    path = settings.data_dir / "store"
    if not path.exists():
        return False
    from qualifica.store.oxigraph import OxigraphStore

    try:
        OxigraphStore(path).close()
    except StoreLocked:
        return True
    return False


def server_url(settings: Settings) -> str | None:
    """The URL of the server that announced itself for this data directory, if its process
    still runs."""
    try:
        info = json.loads(_server_file(settings).read_text(encoding="utf-8"))
        pid, url = int(info["pid"]), str(info["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # runs under another user: still running
        pass
    return url


@contextmanager
def announce(settings: Settings) -> Iterator[None]:
    """Announce the server in ``{data_dir}/server.json`` while the block runs."""
    if settings.remote or settings.in_memory:
        yield
        return
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
    if ":" in host:
        host = f"[{host}]"
    path = _server_file(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"url": f"http://{host}:{settings.port}/", "pid": os.getpid()}),
                   encoding="utf-8")
    tmp.replace(path)
    # uvicorn ends a SIGTERM by raising the signal again once it has shut down; with the default
    # action the process would die before the file is removed.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        with suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def held_line(settings: Settings, what: str) -> str:
    """One line: a server holds the store, and what to do instead of ``what``."""
    url = server_url(settings)
    where = f"a running server ({url})" if url else "another process (qualifica serve?)"
    return (f"{where} holds the store at {settings.data_dir / 'store'}; {what}")


def _token(settings: Settings, command: str) -> str:
    if not settings.api_tokens:
        raise ServerHolds(held_line(
            settings, f"set QUALIFICA_API_TOKENS to one of the server's tokens to {command} "
                      "through it, or stop the server first"))
    return settings.api_tokens[0]


def _url(settings: Settings, command: str) -> str:
    url = server_url(settings)
    if url is None:
        raise ServerHolds(held_line(settings, f"stop that process to {command}"))
    return url


def post(settings: Settings, command: str, path: str, **kwargs: Any) -> httpx.Response:
    """POST to the server that holds the store, with the first configured token. A server that
    cannot be reached, or no token, raises ``ServerHolds``."""
    url, token = _url(settings, command), _token(settings, command)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        return httpx.post(url + path.lstrip("/"), headers=headers, timeout=HTTP_TIMEOUT_S,
                          **kwargs)
    except httpx.HTTPError as exc:
        raise ServerHolds(held_line(settings, f"it did not answer ({exc}); stop it to "
                                              f"{command}")) from exc


def problem_detail(response: httpx.Response) -> str:
    """The ``detail`` of a problem answer (or its status line)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return f"the server answered {response.status_code} {response.reason_phrase}"
