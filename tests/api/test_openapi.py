"""The OpenAPI description: every operation documented (summary, unique operationId, responses)
and carrying examples, and the examples are real: requests built from the parameter examples
answer on the bundled graph, and the JSON answer examples have the shape of the real answers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qualifica.api import create_app
from qualifica.config import Settings
from qualifica_testing import LOCAL

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``/openapi.json`` of an app over an empty store."""
    settings = Settings(in_memory=True, load_bundled=False,
                        data_dir=tmp_path_factory.mktemp("openapi"))
    with TestClient(create_app(settings), base_url=LOCAL) as client:
        r = client.get("/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def referenced(node: Any, schemas: dict[str, Any], seen: set[str]) -> set[str]:
    """Names of the component schemas ``node`` refers to, transitively."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                name = value.rsplit("/", 1)[-1]
                if name not in seen:
                    seen.add(name)
                    referenced(schemas.get(name, {}), schemas, seen)
            else:
                referenced(value, schemas, seen)
    elif isinstance(node, list):
        for value in node:
            referenced(value, schemas, seen)
    return seen


def has_example(node: Any) -> bool:
    """Whether an ``example`` or a non-empty ``examples`` appears anywhere in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example" or (key == "examples" and value):
                return True
            if has_example(value):
                return True
    elif isinstance(node, list):
        return any(has_example(v) for v in node)
    return False


def param_example(param: dict[str, Any]) -> Any:
    """The first example of a parameter, however it is written, or ``None``."""
    if "example" in param:
        return param["example"]
    if param.get("examples"):
        return next(iter(param["examples"].values()))["value"]
    schema = param.get("schema", {})
    if schema.get("examples"):
        return schema["examples"][0]
    return None


def json_example(op: dict[str, Any], status: str = "200") -> Any:
    content = op.get("responses", {}).get(status, {}).get("content", {})
    return content.get("application/json", {}).get("example")


def test_the_spec_is_openapi_3_with_info(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert len(operations(spec)) >= 40


def test_every_operation_has_a_summary_an_operation_id_and_responses(
        spec: dict[str, Any]) -> None:
    ids = []
    for method, path, op in operations(spec):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op.get("operationId"), where
        ids.append(op["operationId"])
        assert op.get("responses"), where
        for status in op["responses"]:
            assert status == "default" or re.fullmatch(r"[1-5]\d\d", status), (where, status)
            assert op["responses"][status].get("description"), (where, status)
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        in_template = {m.split(":")[0] for m in re.findall(r"\{([^}]+)\}", path)}
        assert declared == in_template, where
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def test_every_operation_carries_examples(spec: dict[str, Any]) -> None:
    schemas = spec.get("components", {}).get("schemas", {})
    missing = []
    for method, path, op in operations(spec):
        if has_example(op):
            continue
        if any(has_example(schemas[n]) for n in referenced(op, schemas, set())):
            continue
        missing.append(f"{method.upper()} {path}")
    assert missing == []


# Answered only once a release exists (``qualifica release``); the bundled graph has none.
NEEDS_RELEASE = ("/api/releases/{version}/{name}", "/api/changes", "/releases/{version}",
                 "/releases/{version}/{name}")


def test_get_examples_answer_on_the_bundled_graph(spec: dict[str, Any],
                                                  client: TestClient) -> None:
    """Every GET whose path parameters have examples, built from its parameter examples,
    answers 200 over the bundled graph; where the answer is JSON and an example is given, the
    example has the answer's keys."""
    tried = set()
    for method, path, op in operations(spec):
        if method != "get" or path in NEEDS_RELEASE:
            continue
        url = path
        query: list[tuple[str, str]] = []
        complete = True
        for param in op.get("parameters", []):
            example = param_example(param)
            if param["in"] == "path":
                if example is None:
                    complete = False
                    break
                url = re.sub(r"\{" + re.escape(param["name"]) + r"(:[^}]*)?\}", str(example), url)
            elif param["in"] == "query" and example is not None:
                if param["name"] in ("format", "lang") and not param.get("required"):
                    continue  # negotiation overrides: the default answer is the one to check
                values = example if isinstance(example, list) else [example]
                query += [(param["name"], str(v).lower() if isinstance(v, bool) else str(v))
                          for v in values]
            elif param.get("required"):
                complete = False
        if not complete:
            continue
        r = client.get(url, params=query)
        assert r.status_code == 200, (path, url, query, r.text[:300])
        tried.add(path)
        example = json_example(op)
        if example is not None and r.headers["content-type"].startswith("application/json"):
            answer = r.json()
            assert set(example) == set(answer), path
    assert {"/healthz", "/sparql", "/graphs", "/api/import/template.xlsx",
            "/api/competencies/{id}/roles", "/api/paths", "/api/roles/{id}/curriculum",
            "/api/curriculum/gaps", "/api/releases", "/ontology", "/.well-known/void", "/catalog",
            "/downloads/{name}", "/roles/{id}", "/roles/{id}/{table}.csv", "/competencies/{id}",
            "/competencies/{id}/paths.svg", "/competencies/{id}/{table}.csv", "/gap",
            "/gap/{table}.csv"} <= tried


def test_planning_examples_are_real_answers(spec: dict[str, Any], client: TestClient) -> None:
    paths_op = spec["paths"]["/api/paths"]["get"]
    answer = client.get("/api/paths", params={"from": "digcomp-4-2", "to": "prozessmanager"})
    assert answer.json() == json_example(paths_op)

    roles_op = spec["paths"]["/api/competencies/{id}/roles"]["get"]
    roles = client.get("/api/competencies/digcomp-4-2/roles").json()
    for item in json_example(roles_op)["roles"]:
        assert item in roles["roles"]

    schemas = spec["components"]["schemas"]
    gap_body = schemas["GapRequest"]["examples"][0]
    gap = client.post("/api/gap", json=gap_body)
    assert gap.status_code == 200
    gap_example = json_example(spec["paths"]["/api/gap"]["post"])
    assert gap_example["role"] == gap.json()["role"]
    for requirement in gap_example["requirements"]:
        assert requirement in gap.json()["requirements"]
    for recommendation in gap_example["recommendations"]:
        assert recommendation in gap.json()["recommendations"]

    match_body = schemas["MatchRequest"]["examples"][0]
    match = client.post("/api/match", json=match_body)
    assert match.json() == json_example(spec["paths"]["/api/match"]["post"])

    curriculum = client.get("/api/curriculum/gaps").json()
    for gap_item in json_example(spec["paths"]["/api/curriculum/gaps"]["get"])["gaps"]:
        assert gap_item in curriculum["gaps"]


def test_text_examples_match_the_answers(spec: dict[str, Any], client: TestClient) -> None:
    """The CSV, SVG and SPARQL examples are the beginnings of the real answers."""
    csv_ex = spec["paths"]["/roles/{id}/{table}.csv"]["get"]["responses"]["200"]["content"]
    r = client.get("/roles/prozessmanager/requirements.csv")
    head = csv_ex["text/csv"]["example"].split("\r\n")
    assert r.text.split("\r\n")[:2] == head[:2]

    svg = spec["paths"]["/competencies/{id}/paths.svg"]["get"]["responses"]["200"]["content"]
    r = client.get("/competencies/digcomp-4-2/paths.svg")
    title = re.search(r"<title[^>]*>[^<]*</title>", svg["image/svg+xml"]["example"])
    assert title is not None and title.group(0) in r.text

    sparql = spec["paths"]["/sparql"]["get"]
    query = next(p for p in sparql["parameters"] if p["name"] == "query")["example"]
    r = client.get("/sparql", params={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    expected = sparql["responses"]["200"]["content"]["application/sparql-results+json"]
    assert json.loads(r.text) == expected["example"]
    post = spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    form = post["application/x-www-form-urlencoded"]["example"]
    r = client.post("/sparql", data=form, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 8


def test_operation_ids_are_short_names_a_client_can_use(spec: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids))
    assert {"list_roles", "get_role", "list_training_formats", "get_training_format",
            "search", "gap_analysis", "match_roles", "sparql_get", "sparql_post",
            "put_graph", "sparql_update"} <= set(ids)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) and len(i) <= 40 for i in ids), ids
    described = {t["name"] for t in spec["tags"] if t.get("description")}
    assert {tag for _, _, op in operations(spec) for tag in op["tags"]} <= described


def test_errors_are_declared_as_the_problems_sent(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"title", "status", "detail"}
    for method, path, op in operations(spec):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"}, (method, path, status)
        if any(p["in"] == "path" and p["name"] == "id" for p in op.get("parameters", [])):
            assert "404" in op["responses"], (method, path)


def test_rest_answers_have_typed_models(spec: dict[str, Any]) -> None:
    def model(path: str) -> str:
        ref = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        return str(ref["schema"]["$ref"]).rsplit("/", 1)[-1]

    assert model("/api/roles") == "Page"
    assert model("/api/roles/{id}") == "RoleDetail"
    assert model("/api/training-formats/{id}") == "TrainingFormatDetail"
    assert model("/api/competencies/{id}/narrower") == "HierarchyPage"
    assert model("/api/search") == "SearchResult"
    page = spec["components"]["schemas"]["Page"]
    assert set(page["required"]) == {"items", "total", "limit", "offset", "next", "prev",
                                     "first"}
