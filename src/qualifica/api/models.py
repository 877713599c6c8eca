"""Response models of the REST API, the named queries and the problems (pydantic).

They document ``/openapi.json``: a client generated from it (openapi-python-client, ...) gets
a typed class for every answer. The REST routes build their answers as plain JSON for speed
and declare these models as ``response_model``; the schemathesis run checks every answer
against them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from qualifica.planning.models import NodeModel


class Problem(BaseModel):
    """An RFC 9457 problem (``application/problem+json``): what went wrong, and where."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="A URI naming the problem type")
    title: str = Field(description="Short summary of the problem type")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong with this request")
    instance: str | None = Field(default=None, description="The path the request went to")
    param: str | None = Field(default=None,
                              description="The parameter or field at fault, if one is")
    errors: list[ProblemError] | None = Field(
        default=None, description="Every invalid field (422 for a malformed request)")


class ProblemError(BaseModel):
    """One error of a request: the field and what is wrong with it (an import names the
    sheet, row and column and says it in German and English)."""

    model_config = ConfigDict(extra="allow")

    param: str | None = None
    message: str | None = None


class Level(NodeModel):
    """A proficiency level with its rank in its framework's scale (1 = lowest)."""

    rank: int | None = None


class Hit(NodeModel):
    """A search hit: the resource, how the query matched and the label it matched."""

    match: str = Field(description="exact, prefix, word or anywhere")
    matched: str = Field(description="The label the query matched")


class SearchResult(BaseModel):
    """The hits of a label search, best first."""

    query: str
    items: list[Hit]
    total: int


class Page(BaseModel):
    """A page of a listing: the items, the total and links to neighbouring pages (also sent
    in the ``Link`` header)."""

    items: list[NodeModel]
    total: int = Field(description="Items in the whole listing")
    limit: int
    offset: int
    next: str | None = Field(description="The next page, null on the last")
    prev: str | None = Field(description="The previous page, null on the first")
    first: str = Field(description="The first page")


class FrameworkTopPage(Page):
    """The top competencies of a framework, a page at a time."""

    framework: NodeModel


class HierarchyPage(Page):
    """Broader or narrower competencies of a competency, a page at a time."""

    competency: NodeModel


class SourceModel(BaseModel):
    """A published source: its IRI (absent for one cited as text only, such as a collective
    agreement by title and date) and its title."""

    iri: str | None = Field(default=None, description="The source's IRI or address, as "
                            "dcterms:source names it (absent for a source cited as text only)")
    title: str = Field(description="Its title in the requested language, else its IRI")


class LinkNode(NodeModel):
    """A linked resource and the provenance of the link (docs/data.md, "Provenance of every
    statement"): ``editorial`` is true when no published source states the link; ``sources``
    are the published sources that state it or, for an editorial link, that it is based on
    (empty when the data names none)."""

    editorial: bool = Field(description="The link is an editorial assignment")
    sources: list[SourceModel] = Field(
        description="The sources stating the link (editorial: the sources it is based on)")


class LinkedLevel(LinkNode):
    """A level of a framework with its rank (1 = lowest) and the provenance of the link."""

    rank: int | None = None


class Qualified(BaseModel):
    """A requirement (role or task needs a competency at a level) or a learning outcome
    (a training format develops a competency to a level)."""

    model_config = ConfigDict(extra="allow")

    iri: str | None = None
    id: str | None = None
    label: str | None = None
    type: Literal["requirement", "outcome"] | None = None
    competency: NodeModel
    level: Level | None = None
    essential: bool | None = Field(default=None, description="Requirements only")
    editorial: bool = Field(description="Set by the editors, not taken from a source")
    source: list[str]
    sources: list[SourceModel] = Field(
        description="The published sources the link cites, with their titles (editorial: the "
                    "sources it is based on)")


class Detail(NodeModel):
    """What every detail answer holds: labels, definitions, provenance, deprecation."""

    labels: dict[str, str] = Field(description="Preferred labels by language")
    alt_labels: dict[str, list[str]] = Field(description="Alternative labels by language")
    definition: str | None = None
    definitions: dict[str, str] | None = None
    source: list[str]
    editorial: bool | None = None
    deprecated: bool
    replaced_by: NodeModel | None = Field(
        default=None, description="The successor of a deprecated resource")


class RoleDetail(Detail):
    """A role with its tasks, requirements and legal bases."""

    legal_bases: list[LinkNode]
    tasks: list[LinkNode]
    requirements: list[Qualified]


class TaskDetail(Detail):
    """A task with the roles that perform it, its requirements and legal bases."""

    legal_bases: list[LinkNode]
    roles: list[LinkNode]
    requirements: list[Qualified]


class CompetencyDetail(Detail):
    """A competency with its framework, neighbours in the hierarchy and training formats."""

    framework: LinkNode | None
    broader: list[LinkNode]
    narrower: list[LinkNode]
    formats: list[LinkNode]


class TrainingFormatDetail(Detail):
    """A training format with its kind, learning outcomes and legal bases."""

    legal_bases: list[LinkNode]
    kind: LinkNode | None
    outcomes: list[Qualified]


class LegalBasisDetail(Detail):
    """An act or provision with the act it is part of and its provisions."""

    part_of: LinkNode | None
    parts: list[LinkNode]


class FrameworkDetail(Detail):
    """A competency framework with its levels and top competencies."""

    levels: list[LinkedLevel]
    top: list[LinkNode]
    total_competencies: int


class LevelDetail(Detail):
    """A proficiency level with its framework and rank."""

    framework: LinkNode | None
    rank: int | None


class RdfTerm(BaseModel):
    """An RDF term in SPARQL 1.1 Query Results JSON (a triple term's value is an object)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: Literal["uri", "bnode", "literal", "triple"]
    value: str | dict[str, Any]
    lang: str | None = Field(default=None, alias="xml:lang")
    datatype: str | None = None


class ResultsHead(BaseModel):
    """The variables of a SELECT (none for an ASK)."""

    model_config = ConfigDict(extra="allow")

    vars: list[str] | None = None
    link: list[str] | None = None


class ResultsBody(BaseModel):
    """The solutions of a SELECT."""

    bindings: list[dict[str, RdfTerm]]


class SparqlResults(BaseModel):
    """SPARQL 1.1 Query Results JSON: a SELECT's solutions or an ASK's answer."""

    head: ResultsHead
    results: ResultsBody | None = None
    boolean: bool | None = None


Problem.model_rebuild()
