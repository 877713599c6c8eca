"""The FastAPI application: SPARQL protocol, REST/JSON-LD, planning, linked data, pages."""

from qualifica.api.app import create_app

__all__ = ["create_app"]
