"""Loads the named queries of ``queries/`` and parses their ``#+`` headers (grlc style).

A header is YAML behind ``#+`` at the top of the file::

    #+ summary: Roles that require a competency
    #+ description: ...
    #+ tags: [planning]
    #+ params:
    #+   - name: competency        # the query variable ?competency
    #+     type: iri               # iri | iris | string | integer | boolean | language | date
    #+     kind: competency        # optional: a slug of this kind is accepted
    #+     required: true
    #+     description: The competency
    #+ example: {competency: digcomp-4-2}

The registry parses every file at start-up and fails fast on a bad header or bad SPARQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pyoxigraph import QueryBoolean, QuerySolutions
from pyoxigraph import Store as _ParseCheck

from qualifica.errors import NotFound, QualificaError
from qualifica.store import text as sparql_text

ParamType = Literal["iri", "iris", "string", "integer", "boolean", "language", "date"]
PARAM_TYPES: tuple[ParamType, ...] = get_args(ParamType)
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RegistryError(QualificaError):
    """A named query file is malformed (bad header or SPARQL); raised at start-up."""


@dataclass(frozen=True)
class Param:
    """One typed parameter of a named query, bound to the query variable of the same name."""

    name: str
    type: ParamType = "string"
    kind: str | None = None
    required: bool = False
    default: Any = None
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class NamedQuery:
    """A query file of ``queries/`` with its parsed header."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    example: dict[str, Any] = field(default_factory=dict)
    form: str = "select"
    projection: tuple[str, ...] = ()
    """The variables a SELECT projects (pyoxigraph substitutes only projected variables)."""

    def param(self, name: str) -> Param:
        """The parameter called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise NotFound(f"query {self.name!r} has no parameter {name!r}")


def parse_header(text: str, source: str = "<query>") -> dict[str, Any]:
    """The YAML of the leading ``#+`` lines of a query text."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#+"):
            lines.append(stripped[2:].removeprefix(" "))
        elif stripped == "" or stripped.startswith("#"):
            continue
        else:
            break
    if not lines:
        raise RegistryError(f"{source}: no '#+' header")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise RegistryError(f"{source}: the '#+' header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict) or not header.get("summary"):
        raise RegistryError(f"{source}: the '#+' header needs a 'summary'")
    return header


def _form(text: str, parsed: object) -> str:
    """The query form, from pyoxigraph's parse (the kind of its answer); CONSTRUCT and DESCRIBE
    both answer triples and are told apart by the tokenizer."""
    if isinstance(parsed, QuerySolutions):
        return "select"
    if isinstance(parsed, QueryBoolean):
        return "ask"
    return "describe" if sparql_text.form_of(text) == "DESCRIBE" else "construct"


def load_query(path: Path) -> NamedQuery:
    """Parse one query file; raises ``RegistryError`` with the file named."""
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, str(path))
    params = []
    for raw in header.get("params") or []:
        if not isinstance(raw, dict) or "name" not in raw:
            raise RegistryError(f"{path}: every param needs a name")
        ptype = raw.get("type", "string")
        if ptype not in PARAM_TYPES:
            raise RegistryError(f"{path}: param {raw['name']!r} has unknown type {ptype!r}")
        if not _VAR.match(str(raw["name"])):
            raise RegistryError(f"{path}: param name {raw['name']!r} is not a SPARQL variable")
        enum = raw.get("enum")
        params.append(
            Param(
                name=str(raw["name"]),
                type=ptype,
                kind=raw.get("kind"),
                required=bool(raw.get("required", False)),
                default=raw.get("default"),
                description=str(raw.get("description", "")),
                minimum=raw.get("minimum"),
                maximum=raw.get("maximum"),
                enum=tuple(str(e) for e in enum) if enum else None,
            )
        )
    try:
        # Parse only (an empty in-memory store answers at once); fail fast on bad SPARQL.
        parsed = _ParseCheck().query(text)
    except SyntaxError as exc:
        raise RegistryError(f"{path}: SPARQL syntax error: {exc}") from exc
    projection = (
        tuple(v.value for v in parsed.variables) if isinstance(parsed, QuerySolutions) else ()
    )
    tags = header.get("tags") or []
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        tags=tuple(str(t) for t in tags),
        params=tuple(params),
        example=dict(header.get("example") or {}),
        form=_form(text, parsed),
        projection=projection,
    )


class Registry:
    """All named queries of a folder (``queries/``), its quality rules (``queries/qc/``), the
    library queries the package itself runs (``queries/lib/``) and the CONSTRUCT queries of the
    linked-data profiles (``queries/profiles/``, by profile token)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.queries: dict[str, NamedQuery] = {}
        self.qc: dict[str, NamedQuery] = {}
        self.lib: dict[str, NamedQuery] = {}
        self.profiles: dict[str, NamedQuery] = {}
        if not folder.is_dir():
            raise RegistryError(f"the query folder {folder} does not exist")
        for path in sorted(folder.glob("*.rq")):
            if not _NAME.match(path.stem):
                raise RegistryError(f"{path}: query names are lower-case with hyphens")
            self.queries[path.stem] = load_query(path)
        for path in sorted((folder / "qc").glob("*-violation.rq")):
            self.qc[path.stem] = load_query(path)
        for path in sorted((folder / "lib").glob("*.rq")):
            self.lib[path.stem] = load_query(path)
        for path in sorted((folder / "profiles").glob("*.rq")):
            self.profiles[path.stem] = load_query(path)

    def get(self, name: str) -> NamedQuery:
        """The named query ``name``; ``NotFound`` otherwise."""
        try:
            return self.queries[name]
        except KeyError:
            raise NotFound(f"there is no named query {name!r}", id=name) from None

    def internal(self, name: str) -> NamedQuery:
        """A library query of ``queries/lib/`` (used by the package, not listed in the API)."""
        try:
            return self.lib[name]
        except KeyError:
            raise NotFound(f"there is no library query {name!r}", id=name) from None

    def library(self) -> dict[str, str]:
        """The texts of ``queries/lib/``, by name: what the stores and the gate run, read once
        here and handed to them."""
        return {name: query.text for name, query in self.lib.items()}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)
