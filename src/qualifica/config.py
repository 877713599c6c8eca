"""Runtime configuration, read from ``QUALIFICA_*`` environment variables.

Nothing reads the environment at import time: callers build ``Settings()``
(or pass values in tests).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _is_ipv6(host: str) -> bool:
    """Whether ``host`` is an IPv6 address in brackets, as a ``Host`` header carries it."""
    if not (host.startswith("[") and host.endswith("]")):
        return False
    try:
        return isinstance(ipaddress.ip_address(host[1:-1]), ipaddress.IPv6Address)
    except ValueError:
        return False


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

    workers: int | None = Field(default=None, ge=1, le=64)
    """Server processes of ``qualifica serve`` (``--workers``; default: the number of cores)."""
    query_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    query_workers: int = Field(default=2, ge=1, le=64)
    """Sandbox worker processes that evaluate user SPARQL and parse uploaded RDF."""
    memory_mirror_max_quads: int = Field(default=2_000_000, ge=0)
    """An on-disk store of at most this many quads is also kept in memory by each server
    process, following every write, for the reads of pages and descriptions (about 400 bytes
    a quad: 300-350 MB at 750,000 quads); 0 turns the copy off."""
    worker_memory_mb: int = Field(default=2048, ge=256)
    """Address-space limit of each sandbox worker; a job past it is stopped."""
    write_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    """Time limit for parsing an upload or computing an update's effect in a worker."""
    page_rows: int = Field(default=25, ge=1, le=1000)
    """Rows a table of a role, competency, training-format or resource page shows at a time
    (a pager under the table reaches the others; the CSV and Excel downloads hold them all)."""
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

    public_url: str | None = None
    """Public base URL of the server (scheme, host, port and any path prefix): every absolute
    URL the server writes (links, ``next`` pages, endpoints, downloads) starts with it, never
    with the request's ``Host``. Default: ``base_iri``."""
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Host names the server answers; a request with another ``Host`` gets 400. ``*`` allows
    any. Default (empty): ``127.0.0.1``, ``localhost`` and the host of the public URL."""

    publisher: str = "Qualifica"
    """The publisher of the dataset and its releases, as DCAT names it (``dcterms:publisher``)."""
    contact_email: str | None = None
    """The e-mail address of the dataset's contact point (``dcat:contactPoint``)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("service_allow", "load_allow", "api_tokens", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("sparql_graph_prefix", mode="before")
    @classmethod
    def _graph_prefixes(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("trusted_hosts")
    @classmethod
    def _host_patterns(cls, value: list[str]) -> list[str]:
        for host in value:
            wild = host.removeprefix("*.") if host != "*" else ""
            if "*" in wild or "/" in host or (":" in host and not _is_ipv6(host)):
                raise ValueError(f"QUALIFICA_TRUSTED_HOSTS: {host!r} is not a host name, "
                                 "'*.domain' or '*'")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_slash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")) or not urlsplit(value).hostname:
            raise ValueError("QUALIFICA_PUBLIC_URL must be an http(s) URL with a host")
        return value if value.endswith("/") else value + "/"

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
    def public_base(self) -> str:
        """The public base URL (``public_url``, else ``base_iri``), ending in ``/``."""
        return self.public_url or self.base_iri

    @property
    def allowed_hosts(self) -> list[str]:
        """The hosts the server answers: ``trusted_hosts``, else loopback and the public host."""
        if self.trusted_hosts:
            return list(self.trusted_hosts)
        public = urlsplit(self.public_base).hostname or "127.0.0.1"
        if ":" in public:  # an IPv6 address: the Host header writes it in brackets
            public = f"[{public}]"
        return list(dict.fromkeys(["127.0.0.1", "localhost", public]))

    @property
    def remote(self) -> bool:
        """True when the API runs over a remote SPARQL 1.1 server."""
        return self.sparql_endpoint is not None
