"""Schemathesis over the whole OpenAPI description of a real server process, with the write
token: every operation is called once with each example its description documents, then with
up to ``EXAMPLES`` generated cases whose values fit its schema and as many that break it. The
checks: no operation may answer 5xx, whatever it is sent (``not_a_server_error``), and every
answer is one the description declares (its status, its content type, a body that conforms to
the schema). After the run the server process is alive and nothing reached the canary
endpoint; the figures (operations, requests, failed checks) go to the test report.

The run has a server of its own (``scratch``): with the token, documented examples replace and
delete graphs, which must not change the store the other hostile tests compare against.

The Python API is used directly (``APIOperation.as_strategy`` with Hypothesis), not the pytest
plugin of schemathesis 4.32, which does not run under pytest 9.2.

Request bodies in ``application/sparql-query``, ``application/sparql-update`` and the RDF media
types are strings in the description; they are sent as text.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hostile_support import (
    Canary,
    Server,
    report_line,
    start_server,
    stop_server,
    worker_deaths,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

pytestmark = pytest.mark.slow

schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update", "application/n-triples",
     "application/ld+json", "application/rdf+xml"],
    "text/plain",
)

STATS: Counter[str] = Counter()
#: No 5xx, and every answer as the description declares it: a documented status, a documented
#: content type, a body that conforms to the schema of both.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, canary: Canary,
            request: pytest.FixtureRequest) -> Iterator[Server]:
    """A server of this module's own; afterwards it is still up and the canary untouched."""
    srv = start_server(tmp_path_factory.mktemp("schemathesis"))
    hits = len(canary.hits)
    started = time.monotonic()
    yield srv
    STATS["seconds"] = round(time.monotonic() - started)
    STATS["sandbox workers ended on a job"] = worker_deaths(srv)
    report_line(request.config, f"schemathesis: {dict(sorted(STATS.items()))}")
    try:
        assert srv.alive, srv.log.read_text()[-3000:]
        with srv.client() as c:
            assert c.get("/healthz").status_code == 200
        assert canary.hits[hits:] == []
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def api_schema(scratch: Server) -> Any:
    """The server's own OpenAPI description."""
    return schemathesis.openapi.from_url(scratch.url + "/openapi.json", timeout=30)


#: Bounded: this many cases per operation and generation mode (positive: values that fit the
#: schema; negative: values that break it), no deadline, no shrinking (a failing case is kept as
#: a curl command instead). About 1,400 requests, each answer checked against the
#: description: about a minute on two busy cores.
EXAMPLES = 10
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


def fuzz_operation(operation: Any, mode: str, server: Server, failures: list[str]) -> None:
    """Call ``operation`` with up to ``EXAMPLES`` generated cases (``mode`` positive or
    negative), or once with each example its description documents (``mode`` "examples"); a
    case that fails a check is kept in ``failures`` (as a curl command) and the run goes on."""
    if mode == "examples":
        strategies = operation.get_strategies_from_examples()
        for strategy in strategies:
            _run(operation, strategy, settings(SETTINGS, max_examples=1), server, failures)
        STATS["documented examples"] += len(strategies)
        return
    try:
        _run(operation, operation.as_strategy(generation_mode=GenerationMode(mode)), SETTINGS,
             server, failures)
    except Unsatisfiable:  # nothing breaks the schema of an operation without parameters
        STATS[f"operations without {mode} cases"] += 1
        return
    STATS[f"operations ({mode})"] += 1


def describe(exc: BaseException) -> str:
    """The failed checks of an exception (their titles and the first lines of their
    messages), or the exception itself."""
    if isinstance(exc, FailureGroup):
        return "; ".join(f"{getattr(e, 'title', type(e).__name__)}: "
                         + " ".join(str(getattr(e, "message", e)).split())[:300]
                         for e in exc.exceptions)
    return " ".join(str(exc).split())[:300]


def _run(operation: Any, strategy: Any, config: settings, server: Server,
         failures: list[str]) -> None:
    @config
    @given(case=strategy)
    def call(case: Any) -> None:
        try:
            response = case.call_and_validate(headers=server.auth(), timeout=60,
                                              checks=CHECKS)
        except (Exception, FailureGroup) as exc:  # a failed check
            STATS["failed checks"] += 1
            failures.append(f"{operation.label}: {describe(exc)}\n"
                            f"  {case.as_curl_command(headers=server.auth())}")
            return
        STATS["requests"] += 1
        STATS[f"status {response.status_code // 100}xx"] += 1

    call()


def test_no_operation_answers_a_server_error(scratch: Server, api_schema: Any) -> None:
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in ("examples", "positive", "negative"):
            fuzz_operation(operation, mode, scratch, failures)
            assert scratch.alive, scratch.log.read_text()[-3000:]
    distinct = sorted({f.partition("\n")[0]: f for f in failures}.values())
    assert failures == [], f"{len(failures)} failed checks, {len(distinct)} distinct:\n" + \
        "\n".join(distinct[:60])
