"""Qualifica: a knowledge graph of competencies, roles, tasks, training formats and legal bases
of the digitalised German public sector."""

__version__ = "0.1.0"

__all__ = ["__version__"]
