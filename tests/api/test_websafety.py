"""Web safety of the server: link targets, Content-Security-Policy and the other security
headers, formula-safe CSV tables, and absolute URLs that never come from the ``Host`` header.

A small graph written here holds what a hostile or careless import could store: ``javascript:``,
``data:`` and ``vbscript:`` IRIs as sources, values, predicates, successors and alignments, and
labels that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from qualifica.api import create_app
from qualifica.api.security import REDOC_POLICY, STRICT_POLICY
from qualifica.config import Settings
from qualifica.context import Context, open_context
from qualifica.validation.gate import ensure_bundled
from qualifica.web import svg
from qualifica.web.competency_view import CompetencyPath
from qualifica.web.hrefs import safe_href
from qualifica.web.queries import Ref
from qualifica.web.tables import Cell, Table, spreadsheet_cell, table_csv
from qualifica_testing import LOCAL

ID = "https://w3id.org/qualifica/id/"
FORMULA = '=HYPERLINK("http://evil")'
DATA_IRI = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
PUBLIC = "https://qualifica.example/"
FORMULA_TTL = FORMULA.replace('"', '\\"')

HOSTILE_TTL = f"""
@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}framework/f> a qd:CompetencyFramework ; skos:prefLabel "F"@de, "F"@en .
<{ID}level/f-1> a qd:ProficiencyLevel ; qd:rank 1 ; qd:levelOf <{ID}framework/f> ;
  skos:prefLabel "L1"@de, "L1"@en .
<{ID}competency/c> a qd:Competency ; skos:inScheme <{ID}framework/f> ;
  skos:prefLabel "{FORMULA_TTL}"@de, "{FORMULA_TTL}"@en ;
  dcterms:source <javascript:alert(1)> .
<{ID}task/t> a qd:Task ; skos:prefLabel "+T"@de, "-T"@en ;
  qd:requires <{ID}requirement/t-c> ;
  dcterms:source <JavaScript:alert(3)>, <mailto:redaktion@example.org>,
    <https://example.org/source> ;
  rdfs:seeAlso <vbscript:msgbox(1)> ;
  skos:related <{DATA_IRI}> ;
  <javascript:alert(2)> "a value under a javascript: predicate" .
<javascript:alert(6)> skos:related <{ID}task/t> .
<{ID}requirement/t-c> a qd:CompetencyRequirement ; qd:competency <{ID}competency/c> ;
  qd:level <{ID}level/f-1> ; qd:essential true ; skos:prefLabel "r"@de, "r"@en .
<{ID}role/r> a qd:Role ; skos:prefLabel "@R"@de, "R"@en ; qd:performsTask <{ID}task/t> ;
  dcterms:source <javascript:alert(4)> .
<{ID}role/old> a qd:Role ; skos:prefLabel "Old"@de, "Old"@en ; owl:deprecated true ;
  dcterms:isReplacedBy <javascript:alert(5)> .
qd:Role a owl:Class ; rdfs:label "Rolle"@de, "role"@en ;
  skos:closeMatch <javascript:alert(7)>, <https://schema.org/Occupation> ;
  rdfs:subClassOf <{DATA_IRI}> .
"""

# Every HTML page of the hostile graph, and one with every kind of link.
PAGES = ["/", "/roles/r", "/competencies/c", "/gap", "/gap?role=r&held=c&level-c=1",
         "/id/task/t", "/id/role/old", "/id/competency/c", "/ontology?format=html",
         "/catalog?format=html", "/sparql", "/search?q=r", "/search?q=Old", "/match",
         "/match?level-c=1", "/training-formats", "/legal-bases", "/competencies", "/roles"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, TestClient]]:
    ctx = open_context(Settings(in_memory=True, load_bundled=False,
                                data_dir=tmp_path_factory.mktemp("hostile")))
    graph = NamedNode("https://w3id.org/qualifica/graph/hostile")
    ctx.store.add([Quad(t.subject, t.predicate, t.object, graph)
                   for t in parse(HOSTILE_TTL, format=RdfFormat.TURTLE)])
    with TestClient(create_app(ctx.settings, context=ctx), base_url=LOCAL) as c:
        yield ctx, c
    ctx.close()


class _Scan(HTMLParser):
    """Every link target of a page, and everything a strict CSP would block inline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.inline: list[str] = []
        self._in_script = False
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name, value in values.items():
            # the one constant data: URL, the empty favicon (img-src allows data:)
            favicon = tag == "link" and values.get("rel") == "icon" and value == "data:,"
            if name in ("href", "xlink:href", "src", "action", "formaction") and not favicon:
                self.targets.append((tag, name, value))
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script" and "src" not in values \
                and values.get("type") != "application/json":
            self.inline.append("<script> without src")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def scan(html: str) -> _Scan:
    s = _Scan()
    s.feed(html)
    return s


# --- the link rule ----------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/roles/r", "/id/task/t?lang=en", "#main", "?lang=en", "https://example.org/a?b=c#d",
    "http://example.org", "HTTPS://EXAMPLE.ORG/", "mailto:redaktion@example.org",
    "https://de.wikipedia.org/wiki/Straße",
])
def test_safe_targets_are_kept(target: str) -> None:
    assert safe_href(target) == target


@pytest.mark.parametrize("target", [
    None, "", "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)", DATA_IRI,
    "vbscript:msgbox(1)", "file:///etc/passwd", "urn:isbn:978-3-946209-03-4",
    "//evil.example/", "/\\evil.example/", "http:evil.example", "https:/evil.example",
    "relative/path", "ftp://example.org/",
])
def test_other_targets_are_refused(target: str | None) -> None:
    assert safe_href(target) is None


# --- links on the pages -----------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_no_unsafe_href_on_any_page(hostile: tuple[Context, TestClient], path: str) -> None:
    _, c = hostile
    r = c.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, (path, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    found = scan(r.text)
    assert found.targets, path
    for tag, attr, value in found.targets:
        assert safe_href(value) == value, (path, tag, attr, value)
        assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), (path, value)


def test_stored_unsafe_iris_are_shown_as_text(hostile: tuple[Context, TestClient]) -> None:
    _, c = hostile
    task = c.get("/id/task/t").text
    # sources: javascript: as text, mailto: and https: as links
    assert '<span class="no-link">JavaScript:alert(3)</span>' in task
    assert 'href="mailto:redaktion@example.org"' in task
    assert '<a href="https://example.org/source" rel="external">' in task
    # a value and an incoming subject with an unsafe IRI
    # (shown as text; no IRI as a tooltip either: the pages show names, not IRIs)
    assert '<span class="no-link">vbscript:msgbox(1)</span>' in task
    assert '<span class="no-link">javascript:alert(6)</span>' in task
    assert f'<span class="no-link">{DATA_IRI}</span>' in task and f'href="{DATA_IRI}"' not in task
    # a predicate with an unsafe IRI
    assert '<span class="no-link">javascript:alert(2)</span>' in task
    # the competency page's provenance
    comp = c.get("/competencies/c").text
    assert '<span class="no-link">javascript:alert(1)</span>' in comp
    # a successor with an unsafe IRI
    old = c.get("/id/role/old").text
    assert '<span class="no-link">javascript:alert(5)</span>' in old
    # the ontology page's alignments and superclasses
    onto = c.get("/ontology?format=html").text
    assert "<code>javascript:alert(7)</code>" in onto
    assert '<a href="https://schema.org/Occupation"><code>' in onto
    assert "javascript:alert(7)</code></a>" not in onto


def test_the_diagram_draws_an_unsafe_target_without_a_link() -> None:
    def ref(kind: str, href: str) -> Ref:
        return Ref(iri=f"{ID}{kind}/x", id="x", kind=kind, label=f"{kind} x", href=href)

    path = CompetencyPath(competencies=[ref("competency", "/competencies/x")], task=None,
                          role=ref("role", "javascript:alert(1)"), level=None, rank=None,
                          essential=True)
    drawn = svg.paths_svg([path], title="t", link=lambda h: h + "?lang=en")
    root = ET.fromstring(drawn)
    ns = {"s": svg.SVG_NS}
    links = [a.get("href") for a in root.iterfind(".//s:a", ns)]
    assert links == ["/competencies/x?lang=en"]
    assert "javascript:" not in drawn
    role = root.find(".//s:g[@data-kind='role']", ns)
    assert role is not None and role.find(".//s:rect", ns) is not None  # drawn, not linked
    assert role.find(".//s:a", ns) is None
    # no <style> element: the page's CSP allows stylesheets from the site only
    assert root.find(".//s:style", ns) is None
    assert root.find(".//s:rect", ns).get("fill")  # type: ignore[union-attr]


def test_diagram_of_a_page_is_linked_and_style_free(hostile: tuple[Context, TestClient]) -> None:
    _, c = hostile
    r = c.get("/competencies/c/paths.svg")
    root = ET.fromstring(r.content)
    ns = {"s": svg.SVG_NS}
    assert sorted(a.get("href") or "" for a in root.iterfind(".//s:a", ns)) == [
        "/competencies/c", "/id/task/t?lang=de", "/roles/r"]
    assert root.find(".//s:style", ns) is None


# --- Content-Security-Policy and the other headers --------------------------------------------

def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.split() for p in policy.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def test_the_strict_policy_has_every_directive() -> None:
    d = _directives(STRICT_POLICY)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"]
    assert d["style-src"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:"]
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["form-action"] == ["'self'"]
    assert not any("unsafe" in v for values in d.values() for v in values)


def _check_headers(r: object, policy: str = STRICT_POLICY) -> None:
    headers = r.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/", 200), ("GET", "/roles/r", 200), ("GET", "/roles/r/tasks.csv", 200),
    ("GET", "/competencies/c/paths.svg", 200), ("GET", "/static/style.css", 200),
    ("GET", "/static/sparql.js", 200), ("GET", "/api/roles", 200),
    ("GET", "/context.jsonld", 200), ("GET", "/sparql?query=ASK%7B%7D", 200),
    ("GET", "/sparql", 200), ("GET", "/ontology", 200), ("GET", "/healthz", 200),
    ("HEAD", "/api/roles", 200), ("GET", "/roles/nobody", 404), ("GET", "/api/roles/x", 404),
    ("POST", "/sparql", 400), ("GET", "/openapi.json", 200),
])
def test_every_answer_carries_the_headers(hostile: tuple[Context, TestClient], method: str,
                                          path: str, status: int) -> None:
    _, c = hostile
    r = c.request(method, path)
    assert r.status_code == status, (path, r.text[:200])
    _check_headers(r)


def test_not_modified_and_bad_host_answers_carry_the_headers(
        hostile: tuple[Context, TestClient]) -> None:
    _, c = hostile
    first = c.get("/api/roles")
    again = c.get("/api/roles", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    _check_headers(again)
    bad = c.get("/", headers={"Host": "evil.example"})
    assert bad.status_code == 400
    _check_headers(bad)


def test_api_docs_are_served_from_packaged_assets(hostile: tuple[Context, TestClient]) -> None:
    """Swagger UI under the strict policy; ReDoc's adds only the hashes of the ``<style>``
    elements it writes and a ``blob:`` worker; both pages and their bundles come from here."""
    _, c = hostile
    docs = c.get("/docs")
    assert docs.status_code == 200
    _check_headers(docs, STRICT_POLICY)
    redoc = c.get("/redoc")
    assert redoc.status_code == 200
    _check_headers(redoc, REDOC_POLICY)
    d = _directives(REDOC_POLICY)
    assert d["script-src"] == ["'self'"] and d["object-src"] == ["'none'"]
    assert d["style-src"][0] == "'self'" and all(v.startswith("'sha256-")
                                                 for v in d["style-src"][1:])
    assert d["worker-src"] == ["'self'", "blob:"]
    assert "unsafe" not in REDOC_POLICY and "http" not in REDOC_POLICY
    for page in (docs, redoc):
        found = scan(page.text)
        assert found.inline == []
        for tag, attr, value in found.targets:
            if tag in ("script", "link") and attr in ("src", "href"):
                assert value.startswith("/"), value  # nothing from another origin
                assert c.get(value).status_code == 200, value
    for package, licence in (("swagger-ui", "LICENSE"), ("swagger-ui", "NOTICE"),
                             ("redoc", "LICENSE")):
        r = c.get(f"/static/vendor/{package}/{licence}")
        assert r.status_code == 200 and r.text.strip(), (package, licence)
    assert c.get("/static/vendor/redoc/../../../config.py").status_code == 404
    assert c.get("/static/vendor/redoc/redoc.standalone.js.map").status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style(hostile: tuple[Context, TestClient],
                                              path: str) -> None:
    _, c = hostile
    r = c.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    found = scan(r.text)
    assert found.inline == [], (path, found.inline)
    for tag, attr, value in found.targets:
        if tag in ("script", "link") and attr in ("src", "href") and value.startswith("/"):
            assert c.get(value).status_code == 200, value


def test_static_files_are_packaged() -> None:
    """The scripts and styles the pages load are package data (``pyproject.toml``)."""
    static = Path(svg.__file__).parent / "static"
    assert {"style.css", "sparql.css", "sparql.js"} <= {p.name for p in static.iterdir()}
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"web/static/*"' in pyproject
    assert '"web/static/vendor/*/*"' in pyproject
    vendor = static / "vendor"
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"} <= {
        p.name for p in (vendor / "swagger-ui").iterdir()}
    assert {"redoc.standalone.js", "LICENSE"} <= {p.name for p in (vendor / "redoc").iterdir()}


# --- CSV ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (FORMULA, "'" + FORMULA), ("+T", "'+T"), ("-T", "'-T"), ("@R", "'@R"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("plain", "plain"), ("", ""),
    ("a=b", "a=b"), ("https://example.org", "https://example.org"),
])
def test_spreadsheet_cell(value: str, expected: str) -> None:
    assert spreadsheet_cell(value) == expected


def test_table_csv_quotes_every_cell_and_neutralises_formulas() -> None:
    table = Table("t", "T", ["=Name"], [[Cell("x;=1+1")], [Cell(FORMULA, iri=ID + "x")]])
    text = table_csv(table)
    assert text.splitlines() == [
        '"\'=Name","\'=Name IRI"',
        '"x;=1+1",""',
        '"\'=HYPERLINK(""http://evil"")","https://w3id.org/qualifica/id/x"',
    ]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("path", [
    "/roles/r/tasks.csv", "/roles/r/requirements.csv", "/competencies/c/paths.csv",
    "/gap/gaps.csv?role=r", "/gap/gaps.csv?role=r&lang=en",
])
def test_downloads_neutralise_formulas(hostile: tuple[Context, TestClient], path: str) -> None:
    _, c = hostile
    r = c.get(path)
    assert r.status_code == 200, r.text
    rows = _rows(r.text)
    assert len(rows) >= 2
    cells = [cell for row in rows for cell in row]
    assert not [v for v in cells if v[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    assert any(v.startswith("'") for v in cells), cells


def test_downloads_hold_the_neutralised_labels(hostile: tuple[Context, TestClient]) -> None:
    _, c = hostile
    tasks = _rows(c.get("/roles/r/tasks.csv").text)
    assert "'+T" in tasks[1]
    assert "'-T" in _rows(c.get("/roles/r/tasks.csv?lang=en").text)[1]
    gaps = c.get("/gap/gaps.csv?role=r").text
    assert '"\'=HYPERLINK(""http://evil"")"' in gaps
    assert _rows(gaps)[1][0] == "'" + FORMULA


def test_sparql_csv_stays_w3c_conformant(hostile: tuple[Context, TestClient]) -> None:
    """SPARQL 1.1 CSV results carry values unchanged (docs/sparql.md says why)."""
    _, c = hostile
    query = (f"SELECT ?l WHERE {{ <{ID}competency/c> "
             "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = 'de') }")
    r = c.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert _rows(r.text) == [["l"], [FORMULA]]


# --- Host header and absolute URLs ------------------------------------------------------------

def test_default_trusted_hosts() -> None:
    s = Settings(in_memory=True, public_url="https://qualifica.example:8443/app")
    assert s.public_base == "https://qualifica.example:8443/app/"
    assert s.allowed_hosts == ["127.0.0.1", "localhost", "qualifica.example"]
    assert Settings(in_memory=True).allowed_hosts == ["127.0.0.1", "localhost"]
    assert Settings(in_memory=True, base_iri="http://data.example/").public_base \
        == "http://data.example/"
    listed = Settings(in_memory=True, trusted_hosts="a.example, *.b.example [::1]")  # type: ignore[arg-type]
    assert listed.allowed_hosts == ["a.example", "*.b.example", "[::1]"]
    assert Settings(in_memory=True, public_url="http://[::1]:8000/").allowed_hosts \
        == ["127.0.0.1", "localhost", "[::1]"]
    with pytest.raises(ValidationError):
        Settings(in_memory=True, public_url="javascript:alert(1)")
    for bad in ("evil*.example", "example.org:8000", "https://example.org", "::1"):
        with pytest.raises(ValidationError, match="QUALIFICA_TRUSTED_HOSTS"):
            Settings(in_memory=True, trusted_hosts=[bad])


def test_untrusted_host_is_refused(hostile: tuple[Context, TestClient]) -> None:
    _, c = hostile
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        r = c.get("/api/roles", headers={"Host": host})
        assert r.status_code == 400, host
        assert "evil.example" not in r.text and "evil.example" not in str(r.headers)
    for host in ("localhost", "127.0.0.1:8000", "LOCALHOST:1234"):
        assert c.get("/api/roles", headers={"Host": host}).status_code == 200, host


@pytest.fixture(scope="module")
def any_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The bundled graph served with every Host allowed and a public URL configured: absolute
    URLs must still come from the configuration."""
    settings = Settings(in_memory=True, data_dir=tmp_path_factory.mktemp("anyhost"),
                        public_url=PUBLIC, trusted_hosts=["*"])
    ctx = open_context(settings)
    ensure_bundled(ctx)
    with TestClient(create_app(settings, context=ctx), base_url="http://evil.example") as c:
        yield c
    ctx.close()


CACHEABLE = [
    "/", "/api/roles?limit=2&offset=2", "/api/competencies?framework=digcomp-2-2&limit=1",
    "/api/frameworks/digcomp-2-2/top?limit=1", "/api/competencies/digcomp-4/narrower?limit=1",
    "/api/roles/prozessmanager", "/api/queries", "/api/queries/role-competencies?role=cio",
    "/api/releases", "/context.jsonld", "/sparql", "/.well-known/void", "/catalog",
    "/catalog?format=html", "/ontology", "/ontology?format=html",
    "/id/role/prozessmanager?format=ttl", "/id/role/prozessmanager?format=html",
    "/roles/prozessmanager", "/downloads/qualifica.ttl",
]


@pytest.mark.parametrize("path", CACHEABLE)
@pytest.mark.parametrize("accept", ["*/*", "text/html", "application/ld+json"])
def test_a_forged_host_reaches_no_answer(any_host: TestClient, path: str, accept: str) -> None:
    r = any_host.get(path, headers={"Host": "evil.example", "Accept": accept})
    if r.status_code == 406 and accept != "*/*":
        return  # not offered in this format

    assert r.status_code == 200, (path, r.text[:300])
    assert "cache-control" in r.headers or "etag" in r.headers, path
    assert "evil.example" not in str(r.headers).lower(), path
    assert b"evil.example" not in r.content.lower(), path


def test_absolute_urls_use_the_public_url(any_host: TestClient) -> None:
    h = {"Host": "evil.example"}
    page = any_host.get("/api/roles?limit=2&offset=2", headers=h)
    assert page.json()["next"].startswith(PUBLIC + "api/roles?")
    assert f"<{PUBLIC}api/roles?" in page.headers["link"]
    assert f"<{PUBLIC}context.jsonld>" in page.headers["link"]
    queries = any_host.get("/api/queries", headers=h).json()["items"]
    assert all(q["iri"].startswith(PUBLIC + "api/queries/") for q in queries)
    sd = any_host.get("/sparql", headers=h).text
    assert f"<{PUBLIC}sparql>" in sd
    void = any_host.get("/.well-known/void", headers=h)
    assert f"<{PUBLIC}downloads/qualifica.ttl>" in void.text
    assert f"<{PUBLIC}.well-known/void?format=ttl>" in void.headers["link"]
    resource = any_host.get("/id/role/prozessmanager?format=ttl", headers=h)
    assert resource.headers["content-location"] == PUBLIC + "id/role/prozessmanager?format=ttl"


def test_an_unexpected_error_carries_the_headers(tmp_path: Path) -> None:
    ctx = open_context(Settings(in_memory=True, load_bundled=False, data_dir=tmp_path))
    app = create_app(ctx.settings, context=ctx)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    ctx.close()
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    _check_headers(r)
