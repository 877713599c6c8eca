"""Runtime configuration, read from ``QUALIFICA_*`` environment variables.

Nothing reads the environment at import time: callers build ``Settings()``
(or pass values in tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _split_list(value: object) -> object:
    """Accept a comma- or whitespace-separated string where a list is expected."""
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return value


class Settings(BaseSettings):
    """All settings of a Qualifica process; environment prefix ``QUALIFICA_``."""

    model_config = SettingsConfigDict(env_prefix="QUALIFICA_", extra="ignore")

    data_dir: Path = Path("./var")
    in_memory: bool = False
    load_bundled: bool = True
    bundled_dir: Path = PROJECT_ROOT / "data"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    shapes_dir: Path = PROJECT_ROOT / "shapes"
    queries_dir: Path = PROJECT_ROOT / "queries"

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_iri: str = "http://127.0.0.1:8000/"
    """Public base URL under which ``/id/{kind}/{slug}`` and the API are served."""

    query_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    query_workers: int = Field(default=2, ge=1, le=64)
    """Sandbox worker processes that evaluate user SPARQL and parse uploaded RDF."""
    worker_memory_mb: int = Field(default=2048, ge=256)
    """Address-space limit of each sandbox worker; a job past it is stopped."""
    write_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    """Time limit for parsing an upload or computing an update's effect in a worker."""
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_query_chars: int = Field(default=100_000, ge=100)
    max_query_depth: int = Field(default=64, ge=4, le=1000)
    """Deepest nesting of groups, brackets and parentheses a query or update may have."""
    max_json_depth: int = Field(default=64, ge=4, le=1000)
    """Deepest nesting a JSON-LD body may have."""
    max_literal_bytes: int = Field(default=1_000_000, ge=1024)
    max_write_quads: int = Field(default=1_000_000, ge=1)
    service_allow: Annotated[list[str], NoDecode] = Field(default_factory=list)
    load_allow: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """IRI prefixes a SPARQL Update may ``LOAD`` from (default: none)."""

    sparql_endpoint: str | None = None
    sparql_update_endpoint: str | None = None
    sparql_user: str | None = None
    sparql_password: str | None = None
    sparql_token: str | None = None
    sparql_update_param: str | None = None
    """Send updates as this form field (Virtuoso: ``query``) instead of an
    ``application/sparql-update`` body."""
    sparql_dataset: Literal["union", "explicit", "union-filtered"] = "union"
    """``union``: the server's default graph already is the union of all named graphs;
    ``explicit``: every query that names no dataset gets Qualifica's graphs as its dataset;
    ``union-filtered``: queries use the server's union, while counts, graph lists, quads, dumps
    and ``clear()`` cover Qualifica's graphs only (Virtuoso)."""
    sparql_graph_prefix: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["https://w3id.org/qualifica/graph/"]
    )
    """IRI prefixes of Qualifica's named graphs on a remote server (explicit and
    union-filtered dataset modes)."""

    api_tokens: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("service_allow", "load_allow", "api_tokens", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("sparql_graph_prefix", mode="before")
    @classmethod
    def _graph_prefixes(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("base_iri")
    @classmethod
    def _base_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("QUALIFICA_BASE_IRI must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _combinations(self) -> Settings:
        if self.sparql_token and (self.sparql_user or self.sparql_password):
            raise ValueError(
                "set either QUALIFICA_SPARQL_TOKEN or QUALIFICA_SPARQL_USER/PASSWORD, not both"
            )
        if bool(self.sparql_user) != bool(self.sparql_password):
            raise ValueError("QUALIFICA_SPARQL_USER and QUALIFICA_SPARQL_PASSWORD go together")
        if self.sparql_update_endpoint and not self.sparql_endpoint:
            raise ValueError(
                "QUALIFICA_SPARQL_UPDATE_ENDPOINT is set: updates need QUALIFICA_SPARQL_ENDPOINT"
            )
        return self

    @property
    def remote(self) -> bool:
        """True when the API runs over a remote SPARQL 1.1 server."""
        return self.sparql_endpoint is not None
