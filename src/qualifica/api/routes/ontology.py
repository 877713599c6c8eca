"""The ontology at ``/ontology``: HTML documentation of every class and property, and its RDF
(Turtle, JSON-LD, N-Triples, RDF/XML) by content negotiation."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from qualifica.api import rdf_response as ld
from qualifica.api.deps import CtxDep
from qualifica.api.examples import negotiated
from qualifica.api.params import FormatParam, LangParam
from qualifica.linkeddata import conneg
from qualifica.linkeddata.ontology import ontology_doc, ontology_triples
from qualifica.namespaces import ONTOLOGY_IRI
from qualifica.web.ldpages import render_ontology

log = logging.getLogger(__name__)

router = APIRouter(tags=["linked data"])

#: The class qd:Role as the ontology answers it in Turtle (``?format=ttl``).
_TURTLE_EXAMPLE = """@prefix qd: <https://w3id.org/qualifica/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix esco: <http://data.europa.eu/esco/model#> .
@prefix schema: <https://schema.org/> .
qd:Role a owl:Class ;
\trdfs:isDefinedBy <https://w3id.org/qualifica/ontology> ;
\trdfs:label "Rolle"@de , "role"@en ;
\trdfs:subClassOf org:Role ;
\tskos:closeMatch esco:Occupation , schema:Occupation ;
\tskos:prefLabel "Rolle"@de , "role"@en .
"""
_JSONLD_EXAMPLE = [{
    "@id": "https://w3id.org/qualifica/ontology#Role",
    "@type": ["http://www.w3.org/2002/07/owl#Class"],
    "http://www.w3.org/2000/01/rdf-schema#label": [{"@value": "Rolle", "@language": "de"},
                                                   {"@value": "role", "@language": "en"}],
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": [{"@id": "http://www.w3.org/ns/org#Role"}],
}]
_EXAMPLES = {conneg.TURTLE: _TURTLE_EXAMPLE, conneg.JSON_LD: _JSONLD_EXAMPLE}


@router.head("/ontology", include_in_schema=False)
@router.get(
    "/ontology",
    summary="The Qualifica ontology",
    responses=negotiated("The ontology: HTML documentation or RDF", conneg.RESOURCE_FORMATS,
                         _EXAMPLES),
)
def ontology(request: Request, ctx: CtxDep, format: FormatParam = None,
             lang: LangParam = None) -> Response:
    """The ontology as loaded in the store: an HTML page documenting every class, property and
    individual (labels in German and English, definitions, domain and range, superclasses,
    alignments), or its triples in an RDF format."""
    offered = conneg.RESOURCE_FORMATS
    media_type = ld.negotiate(request, offered, format)
    headers = ld.headers_for(ctx.settings, "ontology", offered, media_type,
                             canonical=ONTOLOGY_IRI)
    if media_type == conneg.HTML:
        html = render_ontology(ontology_doc(ctx), ctx.settings, ld.lang_of(request, lang),
                               offered)
        return HTMLResponse(html, headers=headers)
    return ld.graph_response(ontology_triples(ctx), media_type, headers)
