"""Linked data: content negotiation, JSON-LD context, resource descriptions, dataset metadata."""
